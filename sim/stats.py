"""Summaries over replications: means with 95% intervals, medians, differences."""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def summarize(values: np.ndarray) -> dict[str, float]:
    """Mean with a 95% interval (Wilson's for a share), median and 10th/90th percentiles."""
    binary = np.asarray(values).dtype == bool
    x = np.asarray(values, dtype=float)
    n = len(x)
    mean = float(x.mean())
    if binary:
        low, high = wilson(mean, n)
    else:
        half = Z95 * float(x.std(ddof=1)) / np.sqrt(n) if n > 1 else 0.0
        low, high = mean - half, mean + half
    p10, median, p90 = np.percentile(x, [10, 50, 90])
    return {"mean": mean, "ci_low": low, "ci_high": high, "median": float(median), "p10": float(p10), "p90": float(p90)}


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
    return {"diff": diff, "ci_low": diff - Z95 * float(se), "ci_high": diff + Z95 * float(se)}


def paired_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Mean of the paired differences (b - a) with a 95% interval: the two runs share their
    random numbers replica by replica (same seed), so each replica is its own control."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    mean = float(d.mean())
    half = Z95 * float(d.std(ddof=1)) / np.sqrt(len(d)) if len(d) > 1 else 0.0
    return {"diff": mean, "ci_low": mean - half, "ci_high": mean + half}
