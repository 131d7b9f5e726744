"""South Korea: alternates between engagement and pressure, pays for much of what is offered.

Encodes ``history/cases.md``: engagement 1998-2008 and 2017-2022 (Sunshine Policy, inter-Korean
summits), pressure 2008-2017 and from 2022 (Kaesong closed 2016-02-10); about 70% of the KEDO
reactors' cost was South Korean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sim.actors.base import Actor, Record, disposition

if TYPE_CHECKING:
    from sim.actors.dprk import Provocations
    from sim.state import WorldState


class SouthKoreaPolicy(Record):
    stance: Literal["engagement", "pressure"] = Field("pressure", description="engagement (Sunshine, Moon) or pressure")
    sanctions: float = Field(0.2, ge=0, le=1, description="unilateral measures (trade, Kaesong)")
    offers: list[str] = Field(default_factory=list, description="what South Korea contributes to a package")
    follow_through: float = Field(0.9, ge=0, le=1, description="chance a due delivery is made in a month")


class SouthKoreaDispositions(Record):
    sanctions_response: float = disposition(0, 1, "measures added after a test, under a pressure stance",
                                            "history/cases.md 3: Kaesong closed 2016-02-10 after the January test")
    engagement_calm: float = disposition(0, 0.2, "monthly tension removed by engagement",
                                         "history/cases.md: Sunshine years and the 2018 inter-Korean summits")


class SouthKorea(Actor):
    key = "rok"
    label = "South Korea"
    Policy = SouthKoreaPolicy
    Dispositions = SouthKoreaDispositions
    side = "allies"

    @property
    def engaging(self) -> bool:
        return self.policy.stance == "engagement"

    def respond(self, world: WorldState, provocations: Provocations) -> None:
        """Unilateral measures added after a test, under a pressure stance."""
        if not self.engaging:
            test = provocations.nuclear_test.astype(float)
            world.unilateral[self.key] = np.minimum(1.0, world.unilateral[self.key] + self.dispositions.sanctions_response * test)
