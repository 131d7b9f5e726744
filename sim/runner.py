"""Running scenarios: one call from a scenario file to outcomes, series and the story."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.ensemble import Ensemble, shipped
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
    point: bool = False,
    ensemble: Ensemble | None = None,
    per_replica: dict[str, np.ndarray] | None = None,
) -> Run:
    """Run ``scenario`` over ``replicas`` replicas with the generator seeded by ``seed``: each
    replica with a disposition set drawn from ``ensemble`` (by default the calibration's
    posterior, ``sim/posterior.csv``), or all with the point (``point``: ``sim/dispositions.yaml``);
    ``per_replica`` gives some dispositions per replica outright (a calibration's particles)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raise ValueError("pass overrides with a scenario path, not a loaded scenario")
    if point or per_replica is not None:
        ensemble = None
    elif ensemble is None:
        ensemble = shipped()
    model = DiplomacyModel(scenario=scenario, replicas=replicas, rng=seed, record_events=record_events, record_series=record_series,
                           ensemble=ensemble, per_replica=per_replica).run()
    return Run(scenario, seed, model.outcomes(), model.series_arrays(), model.log.events)
