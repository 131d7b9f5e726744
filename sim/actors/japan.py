"""Japan: unilateral sanctions, aid and normalisation conditioned on the abduction issue.

Encodes ``history/cases.md``: Japan paused its KEDO signature after the 1998 launch, gave no
fuel oil in 2007-2008 while the abduction issue was open, banned imports and port calls in
2006-10 and remittances in 2016-02.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.actors.base import Actor, Record, disposition

if TYPE_CHECKING:
    from sim.actors.dprk import Provocations
    from sim.state import WorldState


class JapanPolicy(Record):
    sanctions: float = Field(0.2, ge=0, le=1, description="unilateral measures")
    offers: list[str] = Field(default_factory=list, description="what Japan contributes to a package")
    aid_requires_abductions: bool = Field(True, description="no aid while the abduction issue is open")
    follow_through: float = Field(0.9, ge=0, le=1, description="chance a due delivery is made in a month")


class JapanDispositions(Record):
    sanctions_response: float = disposition(0, 1, "measures added after a test or launch",
                                            "history/cases.md: import and port ban 2006-10, remittances 2016-02")


class Japan(Actor):
    key = "japan"
    label = "Japan"
    Policy = JapanPolicy
    Dispositions = JapanDispositions
    side = "allies"

    def respond(self, world: WorldState, provocations: Provocations) -> None:
        """Unilateral measures added after a test or a long-range launch."""
        test, launch = provocations.nuclear_test.astype(float), provocations.long_range.astype(float)
        world.unilateral[self.key] = np.minimum(1.0, world.unilateral[self.key] + self.dispositions.sanctions_response * (test + launch))

    def withholds(self, item: str) -> bool:
        """Japan's aid is not delivered while the abduction issue conditions it."""
        return self.policy.aid_requires_abductions and item in self.policy.offers
