"""Which replication's story to tell: a typical one, an unusual one, or one by number.

The story a class reads should be representative, not replication 0 of however many were
asked for. Of ``POOL`` replications at the given seed (whatever ``--reps`` is), the typical
one is the replication nearest the median of the main outcomes (each outcome scaled by its
spread over the pool); the unusual one is the furthest from it. ``run --narrate``, the app
and the report all tell the story chosen here, so they tell the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.ensemble import chosen
from sim.model import DiplomacyModel
from sim.runner import Run
from sim.scenario import Scenario, load_scenario

POOL = 200
"""Replications the typical story is chosen from; fixed, so the story does not change with ``--reps``."""

MAIN: tuple[str, ...] = (
    "talks_opened", "agreement_signed", "months_to_agreement", "freeze_months", "collapsed", "months_to_collapse",
    "walkouts", "nuclear_tests", "long_range_launches", "missile_launches", "warheads_end",
)
"""The main outcomes a story is judged typical on."""

TYPICAL, UNUSUAL = "typical", "unusual"


@dataclass(frozen=True)
class Choice:
    """The replication whose story is told, and how it was chosen."""

    replica: int
    which: str  # "typical", "unusual" or "chosen"
    seed: int
    pool: int = POOL

    @property
    def label(self) -> str:
        """In words, e.g. 'a typical run of 200 (run 37, seed 0)'."""
        kind = {TYPICAL: "a typical run", UNUSUAL: "the most unusual run"}.get(self.which, "run")
        if self.which in (TYPICAL, UNUSUAL):
            return f"{kind} of {self.pool} (run {self.replica}, seed {self.seed})"
        return f"run {self.replica} of {self.pool} (seed {self.seed}), chosen by number"


def distances(outcomes: dict[str, np.ndarray]) -> np.ndarray:
    """Each replication's distance from the median of the main outcomes, in units of their spread."""
    columns = []
    for name in MAIN:
        x = np.asarray(outcomes[name], dtype=float)
        spread = x.std()
        if spread > 0:
            columns.append((x - np.median(x)) / spread)
    if not columns:
        return np.zeros(len(next(iter(outcomes.values()))))
    return np.sqrt(np.sum(np.square(columns), axis=0))


def pick(outcomes: dict[str, np.ndarray], which: str | int = TYPICAL) -> int:
    """The replication nearest the median (``typical``), furthest from it (``unusual``), or by number."""
    if isinstance(which, int) or str(which).isdigit():
        number = int(which)
        replicas = len(next(iter(outcomes.values())))
        if not 0 <= number < replicas:
            raise ValueError(f"a run number is between 0 and {replicas - 1}, got {number}")
        return number
    d = distances(outcomes)
    if which == TYPICAL:
        return int(np.argmin(d))  # the first of equals: ties go to the lowest number
    if which == UNUSUAL:
        return int(np.argmax(d))
    raise ValueError(f"expected 'typical', 'unusual' or a run number, got {which!r}")


def story_choice(text: str) -> str | int:
    """``--story`` as typed: 'typical', 'unusual' or a run number."""
    text = text.strip().lower()
    if text.isdigit():
        if int(text) >= POOL:
            raise ValueError(f"a run number is between 0 and {POOL - 1}, got {text}")
        return int(text)
    if text not in (TYPICAL, UNUSUAL):
        raise ValueError(f"expected 'typical', 'unusual' or a run number, got {text!r}")
    return text


def choose(scenario: Scenario | str | Path, seed: int = 0, overrides: tuple[str, ...] | list[str] = (),
           which: str | int = TYPICAL, point: bool = False) -> Choice:
    """The story to tell of ``scenario`` with ``overrides`` at ``seed``: of ``POOL`` replications, ``which``."""
    if isinstance(which, int) or str(which).isdigit():
        return Choice(pick({"n": np.zeros(POOL)}, int(which)), "chosen", int(seed))
    if isinstance(scenario, Scenario):
        return Choice(pick(_pool_outcomes(scenario, seed, point), which), str(which), int(seed))
    return _choose_file(str(Path(scenario).resolve()), int(seed), tuple(overrides), str(which), point)


@lru_cache(maxsize=256)
def _choose_file(path: str, seed: int, overrides: tuple[str, ...], which: str, point: bool) -> Choice:
    """Cached per file, what-ifs and seed: thirty students opening one case pay for it once."""
    return Choice(pick(_pool_outcomes(load_scenario(path, list(overrides)), seed, point), which), which, seed)


def _pool_outcomes(scenario: Scenario, seed: int, point: bool = False) -> dict[str, np.ndarray]:
    model = DiplomacyModel(scenario=scenario, replicas=POOL, rng=seed, record_events=0, record_series=False, ensemble=chosen(point))
    return model.run().outcomes()


def tell(scenario: Scenario | str | Path, seed: int = 0, overrides: tuple[str, ...] | list[str] = (),
         which: str | int = TYPICAL, point: bool = False) -> tuple[Run, Choice]:
    """The ``POOL`` replications with the chosen one's events recorded: ``(run, choice)``.

    Only that replication's events are kept (``run.events``); its series are ``run.series[key][:, replica]``.
    """
    choice = choose(scenario, seed, overrides, which, point)
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, list(overrides))
    model = DiplomacyModel(scenario=loaded, replicas=POOL, rng=seed, story_replica=choice.replica, record_series=True,
                           ensemble=chosen(point)).run()
    events = [event for event in model.log.events if event.replica == choice.replica]
    return Run(loaded, int(seed), model.outcomes(), model.series_arrays(), events), choice
