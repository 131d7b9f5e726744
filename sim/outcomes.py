"""Outcomes per replica: what a run is judged by, accumulated month by month.

Every outcome is an array over replicas. ``missile_launches_YYYY`` counts ballistic
launches (short- and long-range) in one calendar year.
"""

from __future__ import annotations

import numpy as np

OUTCOMES: dict[str, str] = {
    "talks_opened": "talks opened at least once",
    "months_to_talks": "months from the start to the first talks (horizon+1 if none)",
    "agreement_signed": "an agreement was signed",
    "months_to_agreement": "months from the start to the first agreement (horizon+1 if none)",
    "freeze_months": "months Yongbyon stood frozen under a deal",
    "inspection_months": "months inspectors were present",
    "collapsed": "a signed deal collapsed",
    "months_to_collapse": "months from the start to the collapse (horizon+1 if none)",
    "walkouts": "talks ended by a walkout",
    "nuclear_tests": "nuclear tests",
    "long_range_launches": "long-range (ICBM or satellite) launches",
    "missile_launches": "ballistic missile launches of any range",
    "unsc_resolutions": "new UN Security Council sanctions resolutions",
    "peak_tension": "highest tension (0 to 1)",
    "crisis_months": "months in which a militarised crisis broke out",
    "warheads_end": "assembled warheads at the end",
    "sanctions_pressure_mean": "mean sanctions pressure (0 to 1)",
}
BINARY = frozenset({"talks_opened", "agreement_signed", "collapsed"})


def outcome_names(first_year: int, last_year: int) -> list[str]:
    return [*OUTCOMES, *(f"missile_launches_{y}" for y in range(first_year, last_year + 1))]


class OutcomeTracker:
    """Accumulates each replica's outcomes as the months pass."""

    def __init__(self, replicas: int, months: int, first_year: int, last_year: int) -> None:
        self.months = months
        self.first_year = first_year
        never = np.full(replicas, months + 1, dtype=np.int32)
        self.first_talks = never.copy()
        self.first_agreement = never.copy()
        self.first_collapse = never.copy()
        zeros = np.zeros(replicas, dtype=np.int32)
        self.freeze_months = zeros.copy()
        self.inspection_months = zeros.copy()
        self.walkouts = zeros.copy()
        self.nuclear_tests = zeros.copy()
        self.long_range = zeros.copy()
        self.crisis_months = zeros.copy()
        self.unsc_resolutions = zeros.copy()
        self.launches_by_year = np.zeros((last_year - first_year + 1, replicas), dtype=np.int32)
        self.peak_tension = np.zeros(replicas)
        self.pressure_sum = np.zeros(replicas)
        self.warheads = np.zeros(replicas)

    @staticmethod
    def mark_first(first: np.ndarray, happened: np.ndarray, month: int) -> None:
        first[happened & (first > month)] = month

    def add_launches(self, year: int, count: np.ndarray) -> None:
        self.launches_by_year[year - self.first_year] += count.astype(np.int32)

    def table(self) -> dict[str, np.ndarray]:
        horizon = self.months + 1
        out = {
            "talks_opened": self.first_talks < horizon,
            "months_to_talks": self.first_talks,
            "agreement_signed": self.first_agreement < horizon,
            "months_to_agreement": self.first_agreement,
            "freeze_months": self.freeze_months,
            "inspection_months": self.inspection_months,
            "collapsed": self.first_collapse < horizon,
            "months_to_collapse": self.first_collapse,
            "walkouts": self.walkouts,
            "nuclear_tests": self.nuclear_tests,
            "long_range_launches": self.long_range,
            "missile_launches": self.launches_by_year.sum(axis=0),
            "unsc_resolutions": self.unsc_resolutions,
            "peak_tension": self.peak_tension,
            "crisis_months": self.crisis_months,
            "warheads_end": self.warheads,
            "sanctions_pressure_mean": self.pressure_sum / self.months,
        }
        for offset, counts in enumerate(self.launches_by_year):
            out[f"missile_launches_{self.first_year + offset}"] = counts
        return out
