"""South Korea: alternates between engagement and pressure, pays for much of what is offered.

Encodes ``history/cases.md``: engagement 1998-2008 and 2017-2022 (Sunshine Policy, inter-Korean
summits), pressure 2008-2017 and from 2022 (Kaesong closed 2016-02-10); about 70% of the KEDO
reactors' cost was South Korean.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.actors.base import Actor, Record, disposition


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

    @property
    def engaging(self) -> bool:
        return self.policy.stance == "engagement"
