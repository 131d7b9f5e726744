"""The world state: every quantity an array over R replicas (R = 1 for a narrated run).

Like the vectorised environments of reinforcement learning, one set of arrays serves one
replica or ten thousand; every mechanism reads and writes whole arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from sim import concessions
from sim.actors import registry

if TYPE_CHECKING:
    from sim.scenario import Scenario


class Talks(IntEnum):
    """The talks state machine of ``DESIGN.md``, one state per replica."""

    NO_CONTACT = 0
    TALKS = 1
    AGREEMENT = 2
    IMPLEMENTATION = 3
    COMPLETED = 4
    COLLAPSED = 5


US, DPRK = registry.index("us"), registry.index("dprk")
"""Rows of the two negotiators in the per-actor arrays (the first two registered)."""
SIDE = {"dprk": 0, "allies": 1}
PER_SIDE = frozenset({"pessimism", "pressure_at_failure", "concession", "shortfall", "defection", "breach", "keeping_loss", "keeping"})
"""State arrays with one row per negotiating side, (2, R)."""
"""Row of each negotiating side in the per-side arrays (concession, shortfall, defection)."""


@dataclass
class WorldState:
    replicas: int
    # capability
    material: np.ndarray
    warheads: np.ndarray
    yongbyon_running: np.ndarray
    inspected: np.ndarray
    yongbyon_dismantled: np.ndarray
    yongbyon_rate: float
    other_sites_rate: np.ndarray
    assembly_rate: float
    tests_done: np.ndarray
    months_since_test: np.ndarray
    missile_maturity: np.ndarray
    months_since_long_range: np.ndarray
    recent_launches: np.ndarray  # launches a month, recent average
    # coercion
    un_level: np.ndarray
    unilateral: dict[str, np.ndarray]
    enforcement: np.ndarray
    alarm: np.ndarray  # China's proliferation alarm: recent tests and launches, fading
    pressure: np.ndarray
    rivalry: np.ndarray
    exercises: np.ndarray
    # tension
    tension: np.ndarray
    crisis_hazard: np.ndarray
    # trust[i, j]: actor i's trust that actor j keeps its promises
    trust: np.ndarray
    # negotiation
    talks: np.ndarray
    months_in_talks: np.ndarray
    months_since_talks: np.ndarray
    pessimism: np.ndarray  # (2, R): log-odds each side discounts the other's acceptance by, learnt from failures
    pressure_at_failure: np.ndarray  # (2, R): sanctions pressure at the last failure
    concession: np.ndarray  # (2, R): concession level of the DPRK and the allied side
    # the deal in force
    deal: np.ndarray  # (R, items) bool
    deal_month: np.ndarray
    schedule: np.ndarray  # (R, items): months after signing when delivery starts
    progress: np.ndarray  # (R, items): share of one-off items delivered
    shortfall: np.ndarray  # (2, R): recent shortfall of each side, as the other sees it
    defection: np.ndarray  # (2, R): each side's case for leaving the deal: the other's breach and its own reasons
    breach: np.ndarray  # (2, R): the part of that case the other's conduct built (a cumulative sum of surprises, never below zero)
    keeping_loss: np.ndarray  # (2, R): each side's recent loss from keeping the deal rather than withholding
    keeping: np.ndarray  # (2, R): each side kept its commitments last month (for the story)
    sites_at_signing: np.ndarray  # (R,): production outside Yongbyon known when the deal in force was signed
    verification_at_signing: np.ndarray  # (R,): the verification the US demanded when the deal in force was signed

    def rows(self, which: np.ndarray) -> WorldState:
        """The state of the replicas ``which`` (ascending indices, as ``np.flatnonzero`` gives) alone,
        to read: a decision that concerns a few replicas (those out of talks, those in talks) is valued
        for those few. All of them: the state itself."""
        if len(which) == self.replicas:
            return self

        def take(name: str, value):
            if name in PER_SIDE:
                return value[:, which]
            if name == "trust":
                return value[:, :, which]
            if name == "unilateral":
                return {key: level[which] for key, level in value.items()}
            if name == "index":  # which replicas of the whole world these are
                return which if value is None else value[which]
            return value[which] if isinstance(value, np.ndarray) else value

        parts = {f.name: take(f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("replicas", "deal_weights")}
        return WorldState(replicas=len(which), deal_weights={}, **parts)

    @property
    def capability_index(self) -> np.ndarray:
        """0 with no warheads, about 2/3 at ``deterrence_scale`` warheads: deterrence saturates."""
        return 1.0 - np.exp(-self.warheads / self.deterrence_scale)

    @property
    def in_talks(self) -> np.ndarray:
        return (self.talks == Talks.TALKS).astype(float)

    @property
    def in_deal(self) -> np.ndarray:
        return (self.talks == Talks.AGREEMENT) | (self.talks == Talks.IMPLEMENTATION)

    def delivering(self, item: str) -> np.ndarray:
        """Replicas where ``item`` is in the deal in force and its delivery has started."""
        i = concessions.INDEX[item]
        started = self.schedule[:, i] <= self.months_since_deal
        return self.in_deal & self.deal[:, i] & started

    @property
    def months_since_deal(self) -> np.ndarray:
        return self.month - self.deal_month

    # set each month by the model
    month: int = 0
    deterrence_scale: float = 20.0
    deal_weights: dict = field(default_factory=dict)  # valuation weights of each replica's deal, per policy context
    talks_likely: np.ndarray | None = None  # where the DPRK chose to talk: the chance the other side did too
    decline_code: np.ndarray | None = None  # why talks were last declined (for the story)
    deal_kept: np.ndarray | None = None  # the chance the DPRK keeps a deal in force (keeping it against withholding); 0 without one
    moratorium: np.ndarray | None = None
    test_stake: np.ndarray | None = None  # the DPRK's chance of a test or long-range launch within a year without talks or a deal
    rebuff: np.ndarray | None = None  # 1 just after a walkout or a collapse, fading month by month
    index: np.ndarray | None = None  # in a ``rows`` view, which replicas of the whole world it holds


def initial_state(scenario: Scenario, replicas: int) -> WorldState:
    """The start state of ``scenario``, the same in every replica."""
    s = scenario.state
    policies = scenario.actors

    def full(value: float, dtype: type = float) -> np.ndarray:
        return np.full(replicas, value, dtype=dtype)

    sanctioning = [key for key, cls in registry.actor_classes().items() if "sanctions" in cls.Policy.model_fields]
    n_actors = len(registry.actor_keys())
    trust = np.full((n_actors, n_actors, replicas), 0.5)
    for pair, value in s.trust.items():
        truster, trusted = pair.split("_")
        trust[registry.index(truster), registry.index(trusted)] = value
    zeros = np.zeros(replicas)
    return WorldState(
        replicas=replicas,
        material=full(s.material),
        warheads=full(s.warheads),
        yongbyon_running=full(s.yongbyon_running, bool),
        inspected=full(s.inspected, bool),
        yongbyon_dismantled=full(False, bool),
        yongbyon_rate=s.yongbyon_rate,
        other_sites_rate=full(s.other_sites_rate),
        assembly_rate=s.assembly_rate,
        tests_done=full(s.tests_done),
        months_since_test=full(s.months_since_test),
        missile_maturity=full(s.missile_maturity),
        months_since_long_range=full(s.months_since_long_range),
        recent_launches=full(s.launches_last_year / 12.0),
        un_level=full(s.un_sanctions),
        unilateral={key: full(getattr(policies, key).sanctions) for key in sanctioning},
        enforcement=full(0.5),
        alarm=zeros.copy(),
        pressure=zeros.copy(),
        rivalry=full(s.rivalry),
        exercises=full(max(policies.us.exercises, 0.0)),
        tension=full(s.tension),
        crisis_hazard=zeros.copy(),
        trust=trust,
        talks=full(Talks.NO_CONTACT, np.int8),
        months_in_talks=zeros.copy(),
        months_since_talks=full(s.months_since_talks),
        pessimism=np.zeros((2, replicas)),
        pressure_at_failure=np.zeros((2, replicas)),
        concession=np.zeros((2, replicas)),
        deal=np.zeros((replicas, concessions.N_ITEMS), dtype=bool),
        deal_month=full(0, np.int64),
        schedule=np.zeros((replicas, concessions.N_ITEMS)),
        progress=np.zeros((replicas, concessions.N_ITEMS)),
        shortfall=np.zeros((2, replicas)),
        defection=np.zeros((2, replicas)),
        breach=np.zeros((2, replicas)),
        keeping_loss=np.zeros((2, replicas)),
        keeping=np.ones((2, replicas), dtype=bool),
        sites_at_signing=full(s.other_sites_rate),
        verification_at_signing=full(policies.us.verification),
        talks_likely=zeros.copy(),
        decline_code=np.zeros(replicas, dtype=np.int8),
        deal_kept=zeros.copy(),
        moratorium=zeros.copy(),
        test_stake=zeros.copy(),
        rebuff=zeros.copy(),
    )
