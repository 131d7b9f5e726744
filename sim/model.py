"""The model: the registered actors, the world as arrays over replicas, and the monthly step protocol.

Follows Mesa's own examples (``wolf_sheep``): actors are ``Agent`` subclasses, the model
owns the seeded generator ``self.rng``, and ``step()`` runs a fixed protocol in which each
phase is one function in a module named for it (``DESIGN.md``, "The model"):

1. shocks         exogenous shocks scheduled by the scenario      (``sim/shocks.py``)
2. capability     fissile material and warheads                    (``sim/capability.py``)
3. coercion       provocations, answers, UN, sanctions pressure     (``sim/coercion.py``)
4. negotiation    talks, offers, agreement, walkouts                (``sim/negotiation.py``)
5. implementation compliance, delays, trust, collapse               (``sim/implementation.py``)
6. tension        tension and crisis hazard                         (``sim/tension.py``)
7. record         outcomes, series and the story                    (here)

State is held as arrays over ``replicas`` (R); R = 1 is a narrated run and R = 10,000 a
sweep, through the same lines of code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
from threadpoolctl import ThreadpoolController

from sim import calendar, capability, coercion, compat, implementation, negotiation, shocks, tension
from sim.actors import DPRK, Actor, China, Japan, SouthKorea, UnitedStates, registry
from sim.dispositions import drawn, with_overrides
from sim.draws import MonthDraws
from sim.ensemble import Ensemble, check_per_replica
from sim.events import EventLog
from sim.outcomes import OutcomeTracker
from sim.scenario import Scenario, load_scenario
from sim.state import DPRK as DPRK_INDEX
from sim.state import US as US_INDEX
from sim.state import Talks, WorldState, initial_state

compat.free_finished_models()  # else Mesa 3.3 keeps every model ever made (a sweep's chunks, the app's sessions)

BLAS = ThreadpoolController()
"""The BLAS libraries numpy and scipy loaded (``sim.draws`` imports scipy), held to one thread while a
model runs: its matrix products are small ((replicas, items) @ (items, terms)), so OpenBLAS's threads
cost more than they give, and beside other workers they crowd the cores
(``benchmarks/calibration_benchmark.py --threads``)."""

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "agreed_framework_1994.yaml"

SERIES: dict[str, str] = {
    "tension": "Tension (0 to 1)",
    "crisis_hazard": "Monthly crisis hazard",
    "warheads": "DPRK warheads",
    "material": "DPRK fissile material (warheads' worth)",
    "pressure": "Sanctions pressure (0 to 1)",
    "enforcement": "China's enforcement (0 to 1)",
    "trust_dprk_us": "DPRK trust in the US",
    "trust_us_dprk": "US trust in the DPRK",
    "talks": "Talks state",
}
"""The state series recorded each month, with their labels."""

READ_SERIES: dict[str, Callable[[WorldState], np.ndarray]] = {
    "tension": lambda w: w.tension,
    "crisis_hazard": lambda w: w.crisis_hazard,
    "warheads": lambda w: w.warheads,
    "material": lambda w: w.material,
    "pressure": lambda w: w.pressure,
    "enforcement": lambda w: w.enforcement,
    "trust_dprk_us": lambda w: w.trust[DPRK_INDEX, US_INDEX],
    "trust_us_dprk": lambda w: w.trust[US_INDEX, DPRK_INDEX],
    "talks": lambda w: w.talks,
}


class DiplomacyModel(mesa.Model):
    """Nuclear diplomacy on the Korean peninsula, month by month, over ``replicas`` replicas."""

    def __init__(
        self,
        scenario: Scenario | str | Path = DEFAULT_SCENARIO,
        replicas: int = 1,
        rng: Any = None,
        overrides: tuple[str, ...] | list[str] = (),
        record_events: int | None = None,
        story_replica: int | None = None,
        record_series: bool = True,
        mesa_datacollector: bool = False,
        ensemble: Ensemble | None = None,
        per_replica: dict[str, np.ndarray] | None = None,
    ) -> None:
        super().__init__(rng=rng)
        # the case being replayed; not ``self.scenario``, which Mesa 3.5 reserves for its own Scenario
        self.case = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
        self.replicas = replicas
        self.point = with_overrides(self.case.dispositions)
        """The dispositions in ``sim/dispositions.yaml``, with the case's what-ifs."""
        self.drawn_sets = ensemble.draw(self.rng, replicas) if ensemble is not None else None
        """Which of the ensemble's sets each replica runs with (``None``: the point for all)."""
        varied = {**(ensemble.columns(self.drawn_sets) if ensemble is not None else {}), **check_per_replica(per_replica or {}, replicas)}
        fixed = {f"{section}.{key}" for section, changes in self.case.dispositions.items() for key in changes}
        self.dispositions = SimpleNamespace(**drawn(self.point, {k: v for k, v in varied.items() if k not in fixed}))
        """Each section's dispositions as the phases read them (``sim.dispositions.Drawn``)."""
        policies, disp = self.case.actors, self.dispositions
        self.actors: dict[str, Actor] = {
            key: cls(self, getattr(policies, key).model_copy(deep=True), getattr(disp, key))
            for key, cls in registry.actor_classes().items()
        }
        """One agent per registered actor, by key, in registration order."""
        self.us: UnitedStates = self.actors["us"]  # type: ignore[assignment]
        self.dprk: DPRK = self.actors["dprk"]  # type: ignore[assignment]
        self.china: China = self.actors["china"]  # type: ignore[assignment]
        self.rok: SouthKorea = self.actors["rok"]  # type: ignore[assignment]
        self.japan: Japan = self.actors["japan"]  # type: ignore[assignment]
        self._negotiators = {side: self.actors[registry.on_side(side)[0].key] for side in ("dprk", "allies")}

        self.month_index = 0
        self.world = initial_state(self.case, replicas)
        self.world.month = self.case.start
        self.world.deterrence_scale = self.dispositions.world.deterrence_scale
        coercion.settle_enforcement(self, self.world)
        first, last = calendar.year_of(self.case.start), calendar.year_of(self.case.end)
        self.tracker = OutcomeTracker(replicas, self.case.months, first, last)
        self.log = EventLog(min(replicas, 1 if record_events is None and replicas == 1 else record_events or 0), only=story_replica)
        self.series: dict[str, list[np.ndarray]] | None = {k: [] for k in SERIES} if record_series else None
        self.draws = MonthDraws(self.rng, replicas)
        """The month's uniforms, one stream per decision (``sim/draws.py``); its key comes from the
        first child of ``self.rng``, before any shock's draws take the next."""
        self.shocks_by_month: dict[int, list[shocks.Scheduled]] = shocks.schedule(self.case, replicas, self.rng)
        """Each month's shocks; a shock with a window or a range as each replica drew it."""
        self.package_weights: dict = {}  # valuation weights of the packages on the table, by policy context
        self.policy_memo: dict[str, tuple[tuple, Any]] = {}  # ``under_policies``: what was built, from which policy objects
        self.running = True
        self.datacollector = self._mesa_datacollector() if mesa_datacollector else None

    # ------------------------------------------------------------------ the step protocol

    def step(self) -> None:
        world = self.world
        world.month = self.case.start + self.month_index
        self.log.month = world.month
        self.draws.start_month(self.month_index)
        shocks.apply(self, world)
        capability.grow(world)
        provocations = coercion.coerce(self, world)
        negotiation.negotiate(self, world)
        implementation.implement(self, world)
        crisis = tension.update(self, world, provocations)
        self.record(crisis)
        self.month_index += 1
        if self.month_index >= self.case.months:
            self.running = False

    def record(self, crisis: np.ndarray) -> None:
        """Phase 7: outcomes, the state series and the story."""
        world, tracker = self.world, self.tracker
        engaged = (world.talks == Talks.TALKS) | world.in_deal
        world.months_since_talks = np.where(engaged, 0, world.months_since_talks + 1)
        tracker.freeze_months += world.in_deal & ~world.yongbyon_running
        tracker.inspection_months += world.inspected
        tracker.crisis_months += crisis
        tracker.peak_tension = np.maximum(tracker.peak_tension, world.tension)
        tracker.pressure_sum += world.pressure
        tracker.warheads = world.warheads
        self.log.add("crisis", "world", crisis, lambda r: f"a militarised crisis breaks out (tension {world.tension[r]:.2f})")
        if self.series is not None:
            for key, value in self.state_now().items():
                self.series[key].append(value)
        if self.datacollector is not None:
            self.datacollector.collect(self)

    # ------------------------------------------------------------------ reading the model

    @property
    def year(self) -> int:
        return calendar.year_of(self.world.month)

    @property
    def date(self) -> str:
        return calendar.format_month(self.case.start + self.month_index)

    def negotiator(self, side: str) -> DPRK | UnitedStates:
        """The actor that negotiates for ``side``: the first registered on it (the DPRK, or the US leading the allies)."""
        return self._negotiators[side]  # type: ignore[return-value]

    def under_policies(self, name: str, build: Callable[[DiplomacyModel], Any]) -> Any:
        """What ``build`` makes of the policies in force (both sides' ladders, who delivers each item),
        remembered under ``name`` and made again only when a policy changes: a shock replaces an
        actor's policy object (``Actor.set_policy``)."""
        policies = tuple(actor.policy for actor in self.actors.values())
        made_from, made = self.policy_memo.get(name, ((), None))
        if len(made_from) != len(policies) or any(old is not new for old, new in zip(made_from, policies, strict=True)):
            made = build(self)
            self.policy_memo[name] = (policies, made)
        return made

    def negotiation_context(self) -> negotiation.Context:
        return negotiation.context(self)

    def state_now(self) -> dict[str, np.ndarray]:
        """This month's value of each state series, per replica (copies)."""
        return {key: read(self.world).astype(float) for key, read in READ_SERIES.items()}

    def outcomes(self) -> dict[str, np.ndarray]:
        return self.tracker.table()

    def series_arrays(self) -> dict[str, np.ndarray]:
        """Each state series as an array (months, replicas)."""
        if not self.series:
            return {}
        return {key: np.stack(values) for key, values in self.series.items()}

    def run(self, blas_threads: int | None = 1) -> DiplomacyModel:
        """Step to the end of the case with BLAS held to ``blas_threads`` (None: as the process has it)."""
        with BLAS.limit(limits=blas_threads, user_api="blas"):
            while self.running:
                self.step()
        return self

    def _mesa_datacollector(self) -> mesa.DataCollector:
        """A conventional per-step Mesa DataCollector (replica 0), as ``batch_run`` expects.

        It collects after each step, so row ``model.steps - 1`` (what ``batch_run`` reads) is the end."""
        reporters = {key: (lambda m, read=read: float(read(m.world)[0])) for key, read in READ_SERIES.items()}
        tracker = self.tracker
        reporters |= {
            "agreement_signed": lambda m: float(tracker.first_agreement[0] <= m.case.months),
            "collapsed": lambda m: float(tracker.first_collapse[0] <= m.case.months),
            "freeze_months": lambda m: float(tracker.freeze_months[0]),
            "missile_launches": lambda m: float(tracker.launches_by_year[:, 0].sum()),
        }
        return mesa.DataCollector(model_reporters=reporters)
