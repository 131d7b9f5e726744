"""Summaries over replications: means with 95% intervals, medians, differences."""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


BOOTSTRAP_MAX = 2000
"""Up to this many replications a mean's interval is a percentile bootstrap (``scipy.stats.bootstrap``,
999 resamples, a fixed seed: the same table every time); above it the normal interval, which
agrees with the bootstrap at that size, kept within the values' range."""


def summarize(values: np.ndarray) -> dict[str, float]:
    """Mean with a 95% interval (Wilson's for a share; a percentile bootstrap for a count or a
    duration, which never leaves the values' range), median and 10th/90th percentiles."""
    binary = np.asarray(values).dtype == bool
    x = np.asarray(values, dtype=float)
    n = len(x)
    mean = float(x.mean())
    low, high = wilson(mean, n) if binary else mean_interval(x)
    p10, median, p90 = np.percentile(x, [10, 50, 90])
    return {"mean": mean, "ci_low": low, "ci_high": high, "median": float(median), "p10": float(p10), "p90": float(p90)}


def mean_interval(x: np.ndarray) -> tuple[float, float]:
    """95% interval of the mean of ``x``, within ``[min(x), max(x)]``; a single value has none (its own value)."""
    mean = float(x.mean())
    if len(x) < 2 or x.min() == x.max():
        return (mean, mean)
    if len(x) <= BOOTSTRAP_MAX:
        from scipy.stats import bootstrap

        found = bootstrap((x,), np.mean, n_resamples=999, method="percentile", rng=np.random.default_rng(0)).confidence_interval
        return (float(found.low), float(found.high))
    half = Z95 * float(x.std(ddof=1)) / np.sqrt(len(x))
    return (max(mean - half, float(x.min())), min(mean + half, float(x.max())))


def happened(outcome: str, values: np.ndarray, horizon: int) -> np.ndarray:
    """Which replications (bool) a ``months_to_X`` is a month of: those in which X happened within
    ``horizon`` months (a run without it carries ``horizon + 1``); every replication of any other outcome."""
    values = np.asarray(values)
    return values <= horizon if outcome.startswith("months_to_") else np.ones(values.shape, dtype=bool)


def summarize_outcomes(outcomes: dict[str, np.ndarray], horizon: int) -> dict[str, dict[str, float | None]]:
    """Every outcome summarised; a ``months_to_X`` over the replications in which X happened, beside
    the share in which it did (``happened``): no 'month 25' for a deal that never came."""
    out: dict[str, dict[str, float | None]] = {}
    for name, values in outcomes.items():
        if name.startswith("months_to_"):
            came = happened(name, values, horizon)
            s = summarize(values[came]) if came.any() else dict.fromkeys(("mean", "ci_low", "ci_high", "median", "p10", "p90"))
            if came.sum() < 2:  # one run has no interval
                s["ci_low"] = s["ci_high"] = None
            out[name] = {**s, "happened": float(came.mean())}
        else:
            out[name] = summarize(values)
    return out


def compare_outcomes(reference: dict[str, np.ndarray], values: dict[str, np.ndarray],
                     horizons: int | tuple[int, int]) -> dict[str, dict[str, float | None]]:
    """Differences of each outcome (``values - reference``), paired replica by replica (common random
    numbers); a ``months_to_X`` over the replications in which X happened in both, each run read
    against its own horizon (``horizons``: one for both, or the reference's and the other's)."""
    first, second = horizons if isinstance(horizons, tuple) else (horizons, horizons)
    out: dict[str, dict[str, float | None]] = {}
    for name, b in values.items():
        if name not in reference:
            continue
        a = reference[name]
        both = happened(name, a, first) & happened(name, b, second)
        out[name] = paired_difference(a[both], b[both])
    return out


def wilson(share: float, n: int) -> tuple[float, float]:
    """Wilson score interval of a share over ``n`` trials."""
    if n == 0:
        return (0.0, 1.0)
    denominator = 1 + Z95**2 / n
    centre = (share + Z95**2 / (2 * n)) / denominator
    half = Z95 * np.sqrt(share * (1 - share) / n + Z95**2 / (4 * n * n)) / denominator
    return (float(min(share, max(0.0, centre - half))), float(max(share, min(1.0, centre + half))))


def difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Difference of means (b - a) with a 95% interval (normal approximation, Welch)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = float(b.mean() - a.mean())
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)) if len(a) > 1 and len(b) > 1 else 0.0
    return _within_span(diff, Z95 * float(se), a, b)


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float | int | None]:
    """Mean of the paired differences (b - a) over ``pairs`` replicas with a 95% interval: the two
    runs share their random numbers replica by replica (same seed), so each replica is its own
    control. For yes/no outcomes Newcombe's interval for paired shares (``newcombe_paired``), which
    keeps its width when every pair differs alike; for counts and durations the interval of the
    mean of the differences (``mean_interval``). Fewer than two pairs have no interval."""
    a, b = np.asarray(a), np.asarray(b)
    d = b.astype(float) - a.astype(float)
    pairs = len(d)
    if pairs < 2:
        return {"diff": float(d.mean()) if pairs else None, "ci_low": None, "ci_high": None, "pairs": pairs}
    low, high = newcombe_paired(a, b) if a.dtype == bool and b.dtype == bool else mean_interval(d)
    return {"diff": float(d.mean()), "ci_low": low, "ci_high": high, "pairs": pairs}


def newcombe_paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """95% interval of the difference of two paired shares (``b`` - ``a``, yes/no per replica):
    Newcombe (1998, Statistics in Medicine 17: 2635-2650), method 10, built from the two shares'
    Wilson intervals and the phi correlation of the pairs (a positive association shrunk by n/2)."""
    n = len(a)
    p1, p2 = float(a.mean()), float(b.mean())
    both, first, second, neither = (np.count_nonzero(x) for x in (a & b, a & ~b, ~a & b, ~a & ~b))
    margins = float(both + first) * (second + neither) * (both + second) * (first + neither)
    association = float(both * neither - first * second)
    association = association - n / 2 if association > n / 2 else min(association, 0.0)
    phi = association / np.sqrt(margins) if margins > 0 else 0.0
    (l1, u1), (l2, u2) = wilson(p1, n), wilson(p2, n)
    below = np.sqrt(max((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0.0))
    above = np.sqrt(max((u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2, 0.0))
    return (max(p2 - p1 - float(below), -1.0), min(p2 - p1 + float(above), 1.0))


def _within_span(diff: float, half: float, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """``diff`` +- ``half``, kept within the differences the values can make: a difference of
    shares never beyond -1 or 1, of counts never beyond the span of the counts seen."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()])
    span = float(values.max() - values.min()) if len(values) else 0.0
    return {"diff": diff, "ci_low": max(diff - half, -span), "ci_high": min(diff + half, span)}
