"""The DPRK: builds capability, chooses provocations, negotiates over what it can give.

Encodes ``DESIGN.md`` (coercion) and ``history/cases.md``: provocations rise with being
ignored, with sanctions pressure, with the technical need to test, and before talks to raise
leverage, and fall sharply under a deal the DPRK values (no test 1994-2003 under the Agreed
Framework; no launch in 2007-2008 or 2018). Seed article 000: Pyongyang "regards its
nuclear weapon and missile programs as crucial bargaining chips ... and a means of
preventing military attack", so its status quo values capability; seed article 004: it
"is wary about making concessions ... which mean giving up its only bargaining chip".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sim.actors.base import Actor, NegotiatorDispositions, NegotiatorPolicy
from sim.choice import logistic

if TYPE_CHECKING:
    from sim.state import WorldState

Precondition = Literal["none", "denuclearization_off_agenda", "hostile_policy_end"]
"""What the US must do before the DPRK talks: nothing; keep denuclearisation off the agenda
(the 2015-2016 peace-treaty proposal, seed article 004); end its "hostile policy" first
(relief or suspended exercises on offer before contact)."""

TESTS_TO_MATURITY = 6
"""Six tests (2006-2017) completed the programme's need to test: none since through 2025."""


class DPRKPolicy(NegotiatorPolicy):
    precondition: Precondition = Field("none", description="what the US must do before talks")
    verification_limit: float = Field(0.5, ge=0, le=1, description="most intrusive verification it accepts")


class DPRKDispositions(NegotiatorDispositions):
    deterrent_value: float = Field(ge=0, le=5, description="status quo worth of full capability")
    sanctions_pain: float = Field(ge=0, le=5, description="worth lost at full sanctions pressure")
    security_fear: float = Field(ge=0, le=5, description="worth lost at full tension")
    capability_cost: float = Field(ge=0, le=5, description="extra cost of disarming, per unit of capability")
    verification_aversion: float = Field(ge=0, le=5, description="cost per unit of verification beyond its limit")
    launch_rate: float = Field(ge=0, le=10, description="short-range launches a month at baseline")
    launch_saturation: float = Field(ge=0, le=10, description="damping of launches by the recent rate (a test campaign ends)")
    long_range_logit: float = Field(ge=-15, le=5, description="monthly logit of a long-range launch at baseline")
    test_logit: float = Field(ge=-15, le=5, description="monthly logit of a nuclear test at baseline")
    push_ignored: float = Field(ge=0, le=5, description="provocation drive from being ignored")
    push_pressure: float = Field(ge=0, le=5, description="provocation drive from sanctions pressure")
    push_leverage: float = Field(ge=0, le=5, description="provocation drive just before talks")
    need_weight: float = Field(ge=0, le=10, description="drive from the technical need to test")
    restraint_talks: float = Field(ge=0, le=10, description="restraint while talks are under way")
    restraint_deal: float = Field(ge=0, le=10, description="restraint under a deal it values")
    moratorium_weight: float = Field(ge=0, le=10, description="restraint from a moratorium it signed")


@dataclass
class Provocations:
    """One month's provocations, per replica."""

    short_range: np.ndarray
    long_range: np.ndarray
    nuclear_test: np.ndarray


class DPRK(Actor):
    key = "dprk"
    label = "the DPRK"
    Policy = DPRKPolicy
    Dispositions = DPRKDispositions

    def status_quo(self, world: WorldState) -> np.ndarray:
        """Worth of no deal: deterrence from capability, minus sanctions and insecurity."""
        d = self.dispositions
        return d.deterrent_value * world.capability_index - d.sanctions_pain * world.pressure - d.security_fear * world.tension

    def provocation_drive(self, world: WorldState) -> np.ndarray:
        """The shared push toward provocation (log-rate / logit units)."""
        d = self.dispositions
        return (
            d.push_ignored * world.ignored
            + d.push_pressure * world.pressure
            + d.push_leverage * world.talks_expected
            - d.restraint_talks * world.in_talks
            - d.restraint_deal * world.deal_valued
        )

    def test_need(self, world: WorldState) -> np.ndarray:
        """Technical need for a nuclear test: material to test, tests still to do, time since."""
        remaining = np.clip(1.0 - world.tests_done / TESTS_TO_MATURITY, 0.0, 1.0)
        return remaining * np.minimum(1.0, world.material / 5.0) * np.minimum(1.0, world.months_since_test / 24.0)

    def launch_need(self, world: WorldState) -> np.ndarray:
        """Need for long-range flight tests: an immature missile, not flown lately."""
        return (1.0 - world.missile_maturity) * np.minimum(1.0, world.months_since_long_range / 24.0)

    def choose_provocations(self, world: WorldState) -> Provocations:
        d = self.dispositions
        rng = self.model.rng
        drive = self.provocation_drive(world)
        restraint = d.moratorium_weight * world.moratorium
        campaign = 1.0 + d.launch_saturation * world.recent_launches
        short_range = rng.poisson(d.launch_rate * np.exp(drive) / campaign)
        long_range = rng.random(world.replicas) < logistic(
            d.long_range_logit + drive + d.need_weight * self.launch_need(world) - restraint
        )
        test = rng.random(world.replicas) < logistic(
            d.test_logit + drive + d.need_weight * self.test_need(world) - restraint
        )
        return Provocations(short_range, long_range, test)
