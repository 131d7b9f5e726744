"""The DPRK: builds capability, chooses provocations, negotiates over what it can give.

Encodes ``DESIGN.md`` (coercion) and ``history/cases.md``: provocations rise with being
ignored, with sanctions pressure, with the technical need to test, and before talks to raise
leverage, and fall sharply under a deal the DPRK means to keep (no test 1994-2003 under the Agreed
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

from sim.actors.base import Actor, NegotiatorDispositions, NegotiatorPolicy, disposition
from sim.choice import logistic
from sim.draws import poisson

if TYPE_CHECKING:
    from sim.state import WorldState

Precondition = Literal["none", "denuclearization_off_agenda", "hostile_policy_end"]
"""What the US must do before the DPRK talks: nothing; keep denuclearisation off the agenda
(the 2015-2016 peace-treaty proposal, seed article 004); end its "hostile policy" first
(relief or suspended exercises on offer before contact)."""

class DPRKPolicy(NegotiatorPolicy):
    precondition: Precondition = Field("none", description="what the US must do before talks")
    verification_limit: float = Field(0.5, ge=0, le=1, description="most intrusive verification it accepts")


class DPRKDispositions(NegotiatorDispositions):
    # the outside option (sim/outside_option.py)
    deterrent_value: float = disposition(0.2, 5, "worth of its deterrent at full capability; what disarming costs it",
                                         "seed article 000: 'crucial bargaining chips ... and a means of preventing military attack'")
    sanctions_pain: float = disposition(0.5, 5, "worth lost to sanctions at full pressure; what relief gives back",
                                        "seed article 004: sanctions on the trade that is nine tenths with China")
    security_fear: float = disposition(0.05, 5, "worth lost to insecurity at full tension; what a deal's calm and assurances give",
                                       "seed article 004: exercises are 'a thinly veiled rehearsal for war'")
    verification_aversion: float = disposition(0, 5, "cost per unit of verification demanded beyond its limit",
                                               "history/cases.md 2: no written protocol with sampling (2008-12)")
    # provocations (coercion phase)
    launch_rate: float = disposition(0, 10, "short-range launches a month at baseline", "history/cases.md: CNS launch counts")
    launch_capability: float = disposition(0, 5, "log-rate growth of launches per unit of capability",
                                           "history/cases.md: single figures a year 2006-2009, 15-69 a year 2014-2022")
    launch_saturation: float = disposition(0, 10, "damping of launches by the recent rate (a test campaign ends)",
                                           "history/cases.md: launch years come in campaigns")
    campaign_memory: float = disposition(0.5, 0.99, "monthly persistence of the recent launch rate",
                                         "a campaign's memory of about a year (history/cases.md launch counts)")
    long_range_logit: float = disposition(-15, 5, "monthly logit of a long-range launch at baseline", "history/cases.md launch record")
    test_logit: float = disposition(-15, 5, "monthly logit of a nuclear test at baseline", "history/cases.md test record")
    push_ignored: float = disposition(0.1, 5, "provocation drive from being ignored", "DESIGN.md phase 3")
    ignored_months: float = disposition(6, 120, "months without talks or a deal at which being ignored counts in full",
                                        "DESIGN.md phase 3")
    push_pressure: float = disposition(0.1, 5, "provocation drive from sanctions pressure", "DESIGN.md phase 3")
    push_leverage: float = disposition(0, 5, "provocation drive when talks are likely to open soon (leverage)", "DESIGN.md phase 3")
    push_rebuff: float = disposition(0.2, 5, "provocation drive just after talks break down or a deal collapses",
                                     "history/cases.md: launches resumed 2019-05 after Hanoi; a test after 2008-12")
    rebuff_memory: float = disposition(0.85, 0.95, "monthly persistence of that drive",
                                       "history/cases.md 2, 5: a launch 2009-04 and a test 2009-05 after the talks failed "
                                       "2008-12; launches 2019-05 to 2019-11 after Hanoi: a half-life of 4 to 14 months")
    push_tension: float = disposition(0, 5, "provocation drive from tension: insecurity answered by demonstration",
                                      "Jervis (1978) security dilemma")
    need_weight: float = disposition(0, 15, "drive from the technical need to test", "DESIGN.md phase 3")
    test_material: float = disposition(0.5, 16, "warheads' worth of material beyond the tested device at which the need to test is full",
                                       "history/cases.md: first test (2006-10) after the 2003 rods (5 or 6 weapons' worth, "
                                       "beside 1 or 2 held) were reprocessed: at most twice that, beyond the tested device")
    design_tests: float = disposition(1, 15, "nuclear tests a weapons design needs before the need to test fades",
                                      "declared programmes tested 2 to 6 times (India, Pakistan) before stopping")
    retest_months: float = disposition(1, 60, "months after a test or flight at which the need to test again is full",
                                       "history/cases.md: tests 2006 to 2017 at intervals of 8 to 40 months")
    maturity_per_flight: float = disposition(0, 1, "share of the missile programme proven by one long-range flight",
                                             "history/cases.md: ICBM flown three times in 2017, none since through 2021")
    restraint_engagement: float = disposition(0, 5, "restraint while South Korea engages", "history/cases.md: no launch in 2007 or 2018")
    restraint_talks: float = disposition(0, 10, "restraint while talks are under way", "DESIGN.md phase 3")
    restraint_deal: float = disposition(0, 10, "restraint under a deal it means to keep", "history/cases.md 1: no test 1994-2003")


TEST_DEVICE = 1.0
"""Fissile material a nuclear test would use, in warheads' worth: one device (the unit itself).
The need to test counts only the material beyond it; the stock is not reduced by a test."""


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

    def provocation_drive(self, world: WorldState) -> np.ndarray:
        """The shared push toward provocation (log-rate / logit units).

        Beside being ignored, pressure, leverage before talks and restraint under talks and a
        deal it means to keep: a rebuff pushes (``history/cases.md``: launches resumed 2019-05 after the
        Hanoi walkout; a rocket and a test followed the failed talks of 2008-12; the freeze was
        lifted and the NPT left after the 2002 collapse), and South Korea's engagement restrains (the
        Sunshine years and 2018: inter-Korean projects and summits the DPRK would lose; no
        launch in 2007 or 2018, a record 69 in 2022 once Seoul turned to pressure). Tension
        pushes (the security dilemma: insecurity is answered by demonstrating the deterrent).
        Joint exercises push through the tension they raise (``sim/tension.py``), the one
        channel by which they also enter the DPRK's valuation (``security_fear``): on 2015-01-10
        it offered to suspend tests if exercises stopped (``history/cases.md`` 3); seed article
        004 calls them "a thinly veiled rehearsal for war". A second, direct push would let a
        case be fitted by a number no other case pins (the 2016 case alone holds exercises at
        0.8 through years without talks).
        Leverage pushes where the DPRK means to talk, in proportion to the chance that the other
        side agrees (``talks_likely``): not a standing wish of one side alone.
        Talks and Seoul's engagement restrain as far as the DPRK still expects talks to deliver
        (``prospects``, the belief that failures teach, ``sim/beliefs.py``): what it holds back for
        is what it hopes to gain. In full before any failure (2018: no launch under talks and
        engagement), much less after one (2019: launches from 2019-05 after the Hanoi walkout, while
        Seoul still engaged: its projects waited on the relief the US had refused). A deal it means
        to keep restrains by that choice alone (``deal_kept``)."""
        d = self.dispositions.on(world)
        engaged = d.restraint_engagement if self.model.rok.engaging else 0.0
        return (
            d.push_ignored * np.minimum(1.0, world.months_since_talks / d.ignored_months)
            + d.push_pressure * world.pressure
            + d.push_leverage * world.talks_likely
            + d.push_tension * world.tension
            + d.push_rebuff * world.rebuff
            - (d.restraint_talks * world.in_talks + engaged) * self.prospects(world)
            - d.restraint_deal * world.deal_kept
        )

    def prospects(self, world: WorldState) -> np.ndarray:
        """How far the DPRK still expects talks to deliver (``sim/beliefs.py``)."""
        from sim import beliefs  # beliefs reads the dispositions, which read the actors

        return beliefs.prospects(self.model, world, "dprk")

    def provocation_chance(self, world: WorldState) -> np.ndarray:
        """The chance (R,) of a nuclear test or a long-range launch within a year on the path
        without talks or a deal: what a test moratorium would stop, and so what it is worth
        to either side (``sim/valuation.py``). A moratorium on tests one does not need costs
        little (2018-04: the DPRK declared it "no longer needs" nuclear tests) and buys little
        (Hanoi 2019: the moratorium held de facto; the US wanted more for relief).

        It is this month's drive with the restraint of talks and a deal taken out, before this
        month's provocations: the push from being ignored, which talks and a deal reset, stays out
        of it while they last, so during a deal the stake reads low."""
        return self._year_chance(world, self.provocation_drive(world), self.test_need(world), self.launch_need(world))

    def _year_chance(self, world: WorldState, drive: np.ndarray, test_need: np.ndarray, launch_need: np.ndarray) -> np.ndarray:
        """``provocation_chance`` from this month's ``drive`` and needs, with the restraint of talks and a deal taken out."""
        d = self.dispositions.on(world)
        free = drive + d.restraint_talks * world.in_talks * self.prospects(world) + d.restraint_deal * world.deal_kept
        calm = (1.0 - logistic(d.test_logit + free + d.need_weight * test_need)) * (
            1.0 - logistic(d.long_range_logit + free + d.need_weight * launch_need)
        )
        return 1.0 - calm**12

    def test_need(self, world: WorldState) -> np.ndarray:
        """Technical need for a nuclear test: material to spare, tests still to do, time since.

        A test would use the device it fires, ``TEST_DEVICE`` warheads' worth, so the need counts
        only the material beyond it: a state holding one or two weapons' worth would give up half
        its deterrent or all of it for one test (the stock itself is not reduced by a test). The
        need is full once that spare material reaches ``test_material`` warheads' worth: no test
        with the one or two weapons' worth of 1994-2003, the first (2006-10-09) after the 8,000
        rods of 2003 ('enough for 5 or 6 more') were reprocessed (``history/cases.md``)."""
        d = self.dispositions.on(world)
        remaining = np.clip(1.0 - world.tests_done / d.design_tests, 0.0, 1.0)
        spare = np.maximum(world.material - TEST_DEVICE, 0.0)
        material = np.minimum(1.0, spare / d.test_material)
        return remaining * material * np.minimum(1.0, world.months_since_test / d.retest_months)

    def launch_need(self, world: WorldState) -> np.ndarray:
        """Need for long-range flight tests: an immature missile, not flown lately."""
        return (1.0 - world.missile_maturity) * np.minimum(1.0, world.months_since_long_range / self.dispositions.on(world).retest_months)

    def choose_provocations(self, world: WorldState) -> Provocations:
        """This month's short-range launches (Poisson), long-range launch and nuclear test.

        The short-range rate grows with the force (proxied by the arsenal's capability index,
        ``launch_capability``): ballistic launches were single figures a year in 2006-2009
        and 15 to 69 a year in 2014-2022 as the missile force grew (``history/cases.md``)."""
        d = self.dispositions
        draws = self.model.draws
        drive = self.provocation_drive(world)
        test_need, launch_need = self.test_need(world), self.launch_need(world)
        # what a moratorium would stop, for this month's valuations
        world.test_stake = self._year_chance(world, drive, test_need, launch_need)
        restraint = d.restraint_deal * world.moratorium  # a signed moratorium binds tests and long-range launches
        campaign = 1.0 + d.launch_saturation * world.recent_launches
        force = np.exp(d.launch_capability * (world.capability_index - 0.5))
        short_range = poisson(draws.uniform("provocation.short_range"), d.launch_rate * force * np.exp(drive) / campaign)
        long_range = draws.uniform("provocation.long_range") < logistic(
            d.long_range_logit + drive + d.need_weight * launch_need - restraint
        )
        test = draws.uniform("provocation.test") < logistic(
            d.test_logit + drive + d.need_weight * test_need - restraint
        )
        return Provocations(short_range, long_range, test)
