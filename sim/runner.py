"""Running scenarios: one call from a scenario file to outcomes, series and the story."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.events import Event
from sim.model import DiplomacyModel
from sim.scenario import Scenario, load_scenario


@dataclass
class Run:
    """The result of running one scenario over R replicas."""

    scenario: Scenario
    seed: int
    outcomes: dict[str, np.ndarray]
    series: dict[str, np.ndarray] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    @property
    def replicas(self) -> int:
        return len(next(iter(self.outcomes.values())))


def simulate(
    scenario: Scenario | str | Path,
    replicas: int = 1,
    seed: int = 0,
    overrides: tuple[str, ...] | list[str] = (),
    record_events: int | None = None,
    record_series: bool = True,
) -> Run:
    """Run ``scenario`` over ``replicas`` replicas with the generator seeded by ``seed``."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raise ValueError("pass overrides with a scenario path, not a loaded scenario")
    model = DiplomacyModel(scenario=scenario, replicas=replicas, rng=seed, record_events=record_events, record_series=record_series).run()
    return Run(scenario, seed, model.outcomes(), model.series_arrays(), model.log.events)
