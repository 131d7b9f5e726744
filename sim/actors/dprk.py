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
    launch_capability: float = Field(ge=0, le=5, description="log-rate growth of launches per unit of capability")
    launch_saturation: float = Field(ge=0, le=10, description="damping of launches by the recent rate (a test campaign ends)")
    long_range_logit: float = Field(ge=-15, le=5, description="monthly logit of a long-range launch at baseline")
    test_logit: float = Field(ge=-15, le=5, description="monthly logit of a nuclear test at baseline")
    push_ignored: float = Field(ge=0, le=5, description="provocation drive from being ignored")
    ignored_months: float = Field(gt=0, le=120, description="months without talks or a deal at which being ignored counts in full")
    push_pressure: float = Field(ge=0, le=5, description="provocation drive from sanctions pressure")
    push_leverage: float = Field(ge=0, le=5, description="provocation drive just before talks")
    push_rebuff: float = Field(ge=0, le=5, description="provocation drive just after talks break down or a deal collapses")
    rebuff_memory: float = Field(ge=0, le=1, description="monthly persistence of that drive")
    need_weight: float = Field(ge=0, le=15, description="drive from the technical need to test")
    test_material: float = Field(gt=0, le=50, description="warheads' worth of material at which the need to test is full")
    push_exercises: float = Field(ge=0, le=5, description="provocation drive from joint exercises at full scale")
    restraint_engagement: float = Field(ge=0, le=5, description="restraint while South Korea engages")
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
    side = "dprk"

    def status_quo(self, world: WorldState) -> np.ndarray:
        """Worth of no deal: deterrence from capability, minus sanctions and insecurity."""
        d = self.dispositions
        return d.deterrent_value * world.capability_index - d.sanctions_pain * world.pressure - d.security_fear * world.tension

    def provocation_drive(self, world: WorldState) -> np.ndarray:
        """The shared push toward provocation (log-rate / logit units).

        Beside being ignored, pressure, leverage before talks and restraint under talks and a
        valued deal: a rebuff pushes (``history/cases.md``: launches resumed 2019-05 after the
        Hanoi walkout; a rocket and a test followed the failed talks of 2008-12; the freeze was
        lifted and the NPT left after the 2002 collapse); joint exercises push (``history/cases.md`` 3: on 2015-01-10 the DPRK
        offered to suspend tests if exercises stopped; seed article 004: the exercises are
        "a thinly veiled rehearsal for war"), and South Korea's engagement restrains (the
        Sunshine years and 2018: inter-Korean projects and summits the DPRK would lose; no
        launch in 2007 or 2018, a record 69 in 2022 once Seoul turned to pressure)."""
        d = self.dispositions
        engaged = d.restraint_engagement if self.model.rok.engaging else 0.0
        return (
            d.push_ignored * np.minimum(1.0, world.months_since_talks / d.ignored_months)
            + d.push_pressure * world.pressure
            + d.push_leverage * world.talks_expected
            + d.push_exercises * world.exercises
            + d.push_rebuff * world.rebuff
            - d.restraint_talks * world.in_talks
            - d.restraint_deal * world.deal_valued
            - engaged
        )

    def test_need(self, world: WorldState) -> np.ndarray:
        """Technical need for a nuclear test: material to test, tests still to do, time since.

        The need is full once the stock reaches ``test_material`` warheads' worth: no test
        with the one or two weapons' worth of 1994-2003, the first (2006-10-09) after the
        8,000 rods of 2003 ('enough for 5 or 6 more') were reprocessed (``history/cases.md``)."""
        remaining = np.clip(1.0 - world.tests_done / TESTS_TO_MATURITY, 0.0, 1.0)
        material = np.minimum(1.0, world.material / self.dispositions.test_material)
        return remaining * material * np.minimum(1.0, world.months_since_test / 24.0)

    def launch_need(self, world: WorldState) -> np.ndarray:
        """Need for long-range flight tests: an immature missile, not flown lately."""
        return (1.0 - world.missile_maturity) * np.minimum(1.0, world.months_since_long_range / 24.0)

    def choose_provocations(self, world: WorldState) -> Provocations:
        """This month's short-range launches (Poisson), long-range launch and nuclear test.

        The short-range rate grows with the force (proxied by the arsenal's capability index,
        ``launch_capability``): ballistic launches were single figures a year in 2006-2009
        and 15 to 69 a year in 2014-2022 as the missile force grew (``history/cases.md``)."""
        d = self.dispositions
        rng = self.model.rng
        drive = self.provocation_drive(world)
        restraint = d.moratorium_weight * world.moratorium
        campaign = 1.0 + d.launch_saturation * world.recent_launches
        force = np.exp(d.launch_capability * (world.capability_index - 0.5))
        short_range = rng.poisson(d.launch_rate * force * np.exp(drive) / campaign)
        long_range = rng.random(world.replicas) < logistic(
            d.long_range_logit + drive + d.need_weight * self.launch_need(world) - restraint
        )
        test = rng.random(world.replicas) < logistic(
            d.test_logit + drive + d.need_weight * self.test_need(world) - restraint
        )
        return Provocations(short_range, long_range, test)
