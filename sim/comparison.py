"""Comparing scenarios: the same seed for each (common random numbers), summaries and differences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.runner import Run, simulate
from sim.scenario import Scenario
from sim.stats import compare_outcomes, summarize_outcomes


@dataclass
class Comparison:
    runs: list[Run]
    summaries: list[dict[str, dict[str, float]]]
    differences: list[dict[str, dict[str, float]]]

    @property
    def outcome_names(self) -> list[str]:
        names: list[str] = []
        for summary in self.summaries:
            names += [n for n in summary if n not in names]
        return names

    def as_dict(self) -> dict[str, Any]:
        first = self.runs[0].scenario.name
        return {
            "replications": self.runs[0].replicas,
            "seed": self.runs[0].seed,
            "scenarios": [
                {"name": run.scenario.name, "title": run.scenario.title, "outcomes": summary}
                for run, summary in zip(self.runs, self.summaries, strict=True)
            ],
            "differences": [
                {"scenario": run.scenario.name, "minus": first, "outcomes": diff}
                for run, diff in zip(self.runs[1:], self.differences, strict=True)
            ],
        }


def compare(
    scenarios: list, replicas: int, seed: int, overrides: list[str] | tuple[str, ...] = (),
    record_events: int = 0, record_series: bool = False, point: bool = False,
) -> Comparison:
    """Run each scenario (a path or a loaded ``Scenario``) with the same seed, and summarise.

    ``record_events``/``record_series`` keep the stories and the series (for charts and reports).
    """
    runs = [
        simulate(s, replicas=replicas, seed=seed, overrides=overrides if not isinstance(s, Scenario) else (),
                 record_events=record_events, record_series=record_series, point=point)
        for s in scenarios
    ]
    summaries = [summarize_outcomes(run.outcomes, run.scenario.months) for run in runs]
    reference = runs[0].outcomes
    differences = [compare_outcomes(reference, run.outcomes, (runs[0].scenario.months, run.scenario.months)) for run in runs[1:]]
    return Comparison(runs, summaries, differences)

