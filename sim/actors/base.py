"""What every actor shares: a Mesa ``Agent`` holding a typed policy and dispositions.

A *policy* is what a scenario sets (preconditions, sanctions, offers, sequencing...).
*Dispositions* are preferences and reaction strengths; they take one calibrated set of
values for every scenario (``sim/dispositions.yaml``) and are never set per case.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import mesa
import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim import concessions

if TYPE_CHECKING:
    from sim.actors.dprk import Provocations
    from sim.model import DiplomacyModel
    from sim.state import WorldState

Strategy = Literal["boulware", "linear", "conceder", "tit_for_tat"]
"""Concession strategies (Faratin, Sierra and Jennings 1998): Boulware holds out until
late, a conceder gives early, linear in between; tit-for-tat mirrors the other side."""


def disposition(low: float, high: float, description: str, source: str) -> Any:
    """A behavioural number: bounds (the calibration's prior range), what it means, where it comes from.

    Every disposition is declared through this, so the bounds and the source of each can be
    read back (``sim.dispositions.catalogue``) by the calibration, the docs and the tests."""
    return Field(ge=low, le=high, description=description, json_schema_extra={"source": source, "low": low, "high": high})


class Record(BaseModel):
    """A strict record: unknown keys and wrong types are errors, never ignored."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False)


class NegotiatorPolicy(Record):
    """What a negotiating side brings to the table (shared by the US and the DPRK)."""

    offers: list[str] = Field(default_factory=list, description="items it will give, in the order it concedes them")
    demands: list[str] = Field(default_factory=list, description="items it asks for, most essential first")
    required: list[str] = Field(default_factory=list, description="demands it never drops")
    opening_offers: int = Field(1, ge=0, le=len(concessions.NAMES), description="offers in its first package")
    strategy: Strategy = Field("linear", description="concession pace: boulware, linear, conceder or tit_for_tat")
    follow_through: float = Field(0.9, ge=0, le=1, description="chance a due delivery is made in a month")

    @field_validator("offers", "demands", "required")
    @classmethod
    def _known_items(cls, items: list[str]) -> list[str]:
        unknown = [i for i in items if i not in concessions.INDEX]
        if unknown:
            raise ValueError(f"unknown item {unknown[0]!r}; items are: {', '.join(concessions.NAMES)}")
        return items


class NegotiatorDispositions(Record):
    """Valuations of a negotiating side: what each item is worth to it, what each costs it."""

    values: dict[str, float] = Field(description="worth of receiving each item (status quo = 0)")
    costs: dict[str, float] = Field(description="cost of giving each item")
    talk_benefit: float = disposition(-1, 1, "worth of talking in itself (a month's contact, against none)",
                                      "DESIGN.md: talks open when the expected value of talking beats the outside option")
    summit_prestige: float = disposition(0, 1, "extra worth of a leaders' summit",
                                         "history/cases.md 4-5: summits held for their own sake (Singapore, Hanoi)")
    stay_bias: float = disposition(-1, 2, "reluctance to renege on a signed deal (reputation, sunk costs)",
                                   "Fearon (1995) on commitment; the 1994 freeze kept eight years")
    reciprocity: float = disposition(0, 5, "weight of the other side's recent shortfall in keeping a deal",
                                     "Axelrod (1984); history/cases.md 1: fuel oil stopped after the 2002 finding, the freeze lifted")
    trust_learning: float = disposition(0, 1, "monthly step of trust toward observed compliance",
                                        "DESIGN.md phase 5: a reinforcement update of trust")
    audience_cost: float = disposition(0, 2, "cost of dropping a precondition or a required demand, or of signing beyond its mandate",
                                       "Fearon (1994) audience costs; Putnam (1988) two-level games")

    @field_validator("values", "costs")
    @classmethod
    def _known_items(cls, table: dict[str, float]) -> dict[str, float]:
        unknown = [i for i in table if i not in concessions.INDEX]
        if unknown:
            raise ValueError(f"unknown item {unknown[0]!r}")
        return table

    def vector(self, table: dict[str, float]) -> np.ndarray:
        out = np.zeros(concessions.N_ITEMS)
        for name, value in table.items():
            out[concessions.INDEX[name]] = value
        return out


class Actor(mesa.Agent):
    """A state in the model. Subclasses declare ``key``, ``label`` and their record types, and
    override the hooks below for what they can do; the phases ask every registered actor.

    Capabilities a policy field gives: ``offers`` (items it gives on its ``side``),
    ``follow_through`` (chance a due delivery is made in a month), ``sanctions`` (unilateral
    measures, counted in sanctions pressure)."""

    key: ClassVar[str]
    label: ClassVar[str]
    Policy: ClassVar[type[Record]]
    Dispositions: ClassVar[type[Record]]
    side: ClassVar[concessions.Side | None] = None
    """Which side of a package it can give items on; the first registered actor on a side negotiates for it."""
    dispositions_file: ClassVar[Path | None] = None
    """Its calibrated dispositions, if ``sim/dispositions.yaml`` has no block for it (else its record's defaults)."""

    def __init__(self, model: DiplomacyModel, policy: Record, dispositions: Record) -> None:
        super().__init__(model)
        self.policy = policy
        self.dispositions = dispositions

    @classmethod
    def default_dispositions(cls) -> dict[str, Any]:
        """Dispositions for an actor ``sim/dispositions.yaml`` does not calibrate."""
        if cls.dispositions_file is None:
            return {}
        with cls.dispositions_file.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}

    @property
    def follow_through(self) -> float:
        """Chance a due delivery of its own is made in a month."""
        return getattr(self.policy, "follow_through", 1.0)

    def package_offers(self) -> list[str]:
        """What it adds to its side's package in talks (the lead negotiator's are its ladder)."""
        return list(getattr(self.policy, "offers", []))

    def withholds(self, item: str) -> bool:
        """Whether a due delivery of ``item`` is held back whatever its follow-through."""
        return False

    def respond(self, world: WorldState, provocations: Provocations) -> None:
        """Its answer to the month's provocations (exercises, unilateral sanctions); none by default."""

    def consents_to_resolution(self, world: WorldState, tests: np.ndarray, launches: np.ndarray) -> np.ndarray | None:
        """Its vote on a new UN resolution per replica, if it holds a veto (``None``: no veto)."""
        return None

    def sanctions_leak(self, world: WorldState) -> np.ndarray | float | None:
        """Share of the sanctions' bite its own trade with the DPRK offsets (``None``: no such trade)."""
        return None

    @property
    def blocks_story(self) -> str:
        """The story of its veto."""
        return f"{self.label} blocks new UN sanctions"

    def set_policy(self, **changes: object) -> None:
        """Apply a policy change (a shock such as a new administration), validated."""
        self.policy = self.Policy.model_validate({**self.policy.model_dump(), **changes})
