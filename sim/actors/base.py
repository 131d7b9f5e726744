"""What every actor shares: a Mesa ``Agent`` holding a typed policy and dispositions.

A *policy* is what a scenario sets (preconditions, sanctions, offers, sequencing...).
*Dispositions* are preferences and reaction strengths; they take one calibrated set of
values for every scenario (``sim/dispositions.yaml``) and are never set per case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import mesa
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim import concessions

if TYPE_CHECKING:
    from sim.model import DiplomacyModel

Strategy = Literal["boulware", "linear", "conceder", "tit_for_tat"]
"""Concession strategies (Faratin, Sierra and Jennings 1998): Boulware holds out until
late, a conceder gives early, linear in between; tit-for-tat mirrors the other side."""


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
    talk_benefit: float = Field(ge=-1, le=1, description="worth of talking in itself")
    summit_prestige: float = Field(ge=0, le=1, description="extra worth of a leaders' summit")
    stay_bias: float = Field(ge=-1, le=2, description="reluctance to renege on a signed deal")
    reciprocity: float = Field(ge=0, le=5, description="weight of the other side's shortfall")
    defection_tolerance: float = Field(gt=0, le=10, description="perceived defection that ends a deal")
    trust_learning: float = Field(ge=0, le=1, description="monthly step of trust toward observed compliance")
    walkout_gap: float = Field(ge=0, le=2, description="deficit of the best offer it tolerates at the end of its concessions")

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
    """A state in the model. Subclasses declare ``key``, ``label`` and their record types."""

    key: ClassVar[str]
    label: ClassVar[str]
    Policy: ClassVar[type[Record]]
    Dispositions: ClassVar[type[Record]]

    def __init__(self, model: DiplomacyModel, policy: Record, dispositions: Record) -> None:
        super().__init__(model)
        self.policy = policy
        self.dispositions = dispositions

    def set_policy(self, **changes: object) -> None:
        """Apply a policy change (a shock such as a new administration), validated."""
        self.policy = self.Policy.model_validate({**self.policy.model_dump(), **changes})
