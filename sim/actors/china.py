"""China: the DPRK's main trading partner, a veto on the Security Council, the six-party chair.

Encodes ``history/cases.md`` ("Across the cases") and seed article 004: about nine tenths of
DPRK trade is with China, so its enforcement sets how much of the sanctions bite. China
*chooses* that enforcement each month, and its consent to UN resolutions, by weighing its
interests: non-proliferation (an alarm raised by tests and long-range launches), its fear of
a collapse on its border (rising with the pressure the DPRK is under; seed article 004:
Beijing "fears ... the collapse of the regime"), US-China rivalry (THAAD, the "war drive" of
seed article 000) and what the US offers it. A scenario sets China's *stance* (how far
Beijing leans toward Washington's line), never its enforcement level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.actors.base import Actor, Record, disposition
from sim.choice import choose, logistic
from sim.draws import veto_site
from sim.smoothing import weigh_recent

if TYPE_CHECKING:
    from sim.state import WorldState


class ChinaPolicy(Record):
    stance: float = Field(0.5, ge=0, le=1, description="how far Beijing leans toward enforcing (0 shields the DPRK, 1 backs the US line)")
    offers: list[str] = Field(default_factory=list, description="what China adds to a six-party package")
    chairs_talks: bool = Field(False, description="China chairs six-party talks (mediation raises trust)")
    follow_through: float = Field(0.9, ge=0, le=1, description="chance a due delivery is made in a month")


class ChinaDispositions(Record):
    stance_weight: float = disposition(0, 10, "logit of enforcement and consent gained from a stance of 1 over 0",
                                       "history/cases.md: coal ban 2017-02 under a cooperative Beijing, eased after 2018")
    nonproliferation: float = disposition(0, 10, "weight of the proliferation alarm in China's interest",
                                          "history/cases.md: China voted for resolutions after each nuclear test")
    alarm_memory: float = disposition(0, 1, "monthly persistence of the alarm raised by a test or launch",
                                      "history/cases.md: measures follow tests within months")
    alarm_per_launch: float = disposition(0, 1, "alarm from a long-range launch, relative to a nuclear test",
                                          "history/cases.md: resolutions after satellite launches (2012-2013, 2016)")
    collapse_fear: float = disposition(0, 10, "reluctance as sanctions pressure on the DPRK rises (a collapse on its border)",
                                       "seed article 004: Beijing fears the regime's collapse and refugees")
    rivalry_effect: float = disposition(0, 10, "reluctance from US-China rivalry", "seed article 000; THAAD 2016")
    enforcement_base: float = disposition(-5, 5, "logit of enforcement at a neutral stance with no alarm, pressure or rivalry",
                                          "history/cases.md: partial enforcement in every case")
    enforcement_memory: float = disposition(0, 0.99, "monthly persistence of enforcement (customs practice changes slowly)",
                                            "history/cases.md: enforcement shifts over months, not days")
    consent_base: float = disposition(-5, 5, "logit of consenting to a resolution, beside its interest", "history/cases.md")
    consent_per_test: float = disposition(0, 10, "consent added in the month of a nuclear test",
                                          "history/cases.md: UNSC 1718, 1874, 2094, 2270, 2321, 2375")
    consent_per_launch: float = disposition(0, 10, "consent added in the month of a long-range launch", "history/cases.md: UNSC 2087")
    consent_temperature: float = disposition(0.05, 5, "logit temperature of the consent decision",
                                             "McKelvey and Palfrey (1995) quantal response")
    mediation_trust: float = disposition(0, 1, "trust added to DPRK-US promises when China chairs", "history/cases.md 2: six-party talks")


class China(Actor):
    """China decides how hard sanctions bite and whether a UN resolution passes."""

    key = "china"
    label = "China"
    Policy = ChinaPolicy
    Dispositions = ChinaDispositions
    side = "allies"
    blocks_story = "China (with Russia) blocks new UN sanctions"

    def package_offers(self) -> list[str]:
        """China adds its offers to the allied package only when it chairs the talks."""
        return list(self.policy.offers) if self.policy.chairs_talks else []

    def interest(self, world: WorldState) -> np.ndarray:
        """China's net interest in pressing the DPRK (logit units), per replica."""
        d = self.dispositions
        inducement = self.model.us.policy.china_inducement
        return (
            d.stance_weight * (self.policy.stance - 0.5 + inducement)
            + d.nonproliferation * world.alarm
            - d.collapse_fear * world.pressure
            - d.rivalry_effect * world.rivalry
        )

    def target_enforcement(self, world: WorldState) -> np.ndarray:
        """The enforcement China's interests call for this month (0..1)."""
        return logistic(self.dispositions.enforcement_base + self.interest(world))

    def raise_alarm(self, world: WorldState, tests: np.ndarray, launches: np.ndarray) -> None:
        """The proliferation alarm: raised by tests and long-range launches, fading month by month."""
        d = self.dispositions
        world.alarm = d.alarm_memory * world.alarm + tests + d.alarm_per_launch * launches

    def update_enforcement(self, world: WorldState) -> None:
        """Enforcement moves toward what China's interests call for."""
        world.enforcement = weigh_recent(self.dispositions.enforcement_memory, world.enforcement, self.target_enforcement(world))

    def consents_to_resolution(self, world: WorldState, tests: np.ndarray, launches: np.ndarray) -> np.ndarray:
        """Consent (and Russia's with it) to a new resolution after a provocation: the same interests."""
        d = self.dispositions
        margin = d.consent_base + self.interest(world) + d.consent_per_test * tests + d.consent_per_launch * launches
        return choose(self.model.draws.uniform(veto_site(self.key)), margin, d.consent_temperature)
