"""Outcomes in words for students: names with units, intervals in range, nothing where nothing happened.

The ``run``/``compare`` tables and ``--json`` keep the machine names and raw summaries analysts
script against; the app and the report show these instead. A share reads '84% of runs (78% to
89%)' and a difference of shares '-99 points (-100 to -97)'; a count reads '4.3 a run (4.1 to
4.5)'; months to an event are averaged over the runs where it happened, and read 'no agreement
in any run' when it never did; a single run is shown without an interval.
"""

from __future__ import annotations

import numpy as np

from sim import labels
from sim.outcomes import BINARY
from sim.stats import difference, summarize

UNITS: dict[str, str] = {
    "months_to_talks": "months", "months_to_agreement": "months", "months_to_collapse": "months",
    "freeze_months": "months", "inspection_months": "months", "crisis_months": "months",
    "walkouts": "a run", "nuclear_tests": "a run", "long_range_launches": "a run", "missile_launches": "a run",
    "unsc_resolutions": "a run", "warheads_end": "warheads", "peak_tension": "0 to 1", "sanctions_pressure_mean": "0 to 1",
}
"""The unit each outcome is counted in (shares are '% of runs'; yearly launches 'a run')."""

UNIT_RANGE = frozenset({"peak_tension", "sanctions_pressure_mean"})
WAITS: dict[str, tuple[str, str]] = {
    "months_to_talks": ("talks_opened", "no talks in any run"),
    "months_to_agreement": ("agreement_signed", "no agreement in any run"),
    "months_to_collapse": ("collapsed", "no collapse in any run"),
}
"""Months to an event: the share that says whether it happened, and the words when it never did."""


def name(outcome: str, runs: int = 2) -> str:
    """The outcome's label with its unit, e.g. 'Nuclear tests (a run)', 'Agreement signed (% of runs)' (of one run: 'Agreement signed')."""
    label = labels.outcome(outcome)
    if outcome in BINARY or outcome in WAITS:
        if runs == 1:
            return label
        return f"{label} (% of runs)" if outcome in BINARY else f"{label} (in the runs where it happened)"
    unit = UNITS.get(outcome, "a run")
    return label if unit == "months" and label.startswith("Months") else f"{label} ({unit})"


def _number(value: float, outcome: str) -> str:
    digits = 2 if outcome in UNIT_RANGE else 1
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # never '-0.0'


def _bounds(outcome: str, horizon: int) -> tuple[float, float]:
    if outcome in UNIT_RANGE:
        return 0.0, 1.0
    if outcome in WAITS or outcome in {"freeze_months", "inspection_months", "crisis_months"}:
        return 0.0, float(horizon)
    return 0.0, float("inf")


def value(outcome: str, values: np.ndarray, horizon: int) -> str:
    """One case's outcome over its runs, in words (``horizon``: the case's months)."""
    values = np.asarray(values)
    n = len(values)
    if outcome in BINARY:
        if n == 1:
            return "yes" if bool(values[0]) else "no"
        s = summarize(values.astype(bool))
        return f"{s['mean']:.0%} ({s['ci_low']:.0%} to {s['ci_high']:.0%})"
    if outcome in WAITS:
        values = values[values <= horizon]
        if len(values) == 0:
            return WAITS[outcome][1] if n > 1 else WAITS[outcome][1].replace(" in any run", "")
        n = len(values)
    low, high = _bounds(outcome, horizon)
    if n == 1:
        whole = np.issubdtype(values.dtype, np.integer)
        return str(int(values[0])) if whole else _number(float(values[0]), outcome)
    s = summarize(values.astype(float))
    if np.all(values == values[0]):
        return f"{_number(float(values[0]), outcome)} in every run"
    return (f"{_number(s['mean'], outcome)} ({_number(max(low, s['ci_low']), outcome)} to "
            f"{_number(min(high, s['ci_high']), outcome)})")


def change(outcome: str, reference: np.ndarray, values: np.ndarray, horizons: tuple[int, int]) -> tuple[str, bool]:
    """``values`` minus ``reference`` in words, and whether its 95% interval excludes zero (``horizons``: their months)."""
    reference, values = np.asarray(reference), np.asarray(values)
    if outcome in WAITS and not (np.all(reference <= horizons[0]) and np.all(values <= horizons[1])):
        return "", False  # months to an event that did not happen in every run: no mean to subtract
    share = outcome in BINARY
    d = difference(reference.astype(float), values.astype(float))
    unit = " points" if share else ""
    form = _points if share else (lambda x: _signed(x, outcome))
    if share:
        d = {key: min(1.0, max(-1.0, x)) for key, x in d.items()}
    if len(reference) == 1 and len(values) == 1 or d["ci_low"] == d["ci_high"]:
        return f"{form(d['diff'])}{unit}", d["diff"] != 0
    clear = d["ci_low"] > 0 or d["ci_high"] < 0
    return f"{form(d['diff'])}{unit} ({form(d['ci_low'])} to {form(d['ci_high'])})", clear


def _points(x: float) -> str:
    """A difference of shares in percentage points, e.g. '-99'; never '-0'."""
    points = round(x * 100)
    return f"{points:+d}" if points else "0"


def _signed(x: float, outcome: str) -> str:
    text = _number(x, outcome)
    return text if text.startswith("-") or float(text) == 0 else f"+{text}"
