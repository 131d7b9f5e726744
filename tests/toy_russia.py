"""A toy sixth actor, Russia, written as a new actor would be: one module and its YAML blocks.

Its policy (``actors: russia:`` in a scenario) says whether it vetoes new UN sanctions and how
much of their bite its own trade with the DPRK offsets; its dispositions (its consent to a
resolution) come from ``toy_russia.yaml`` beside this module, since ``sim/dispositions.yaml``
does not calibrate it. The tests register it for their own duration only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.actors.base import Actor, Record
from sim.choice import choose
from sim.draws import veto_site

if TYPE_CHECKING:
    from sim.state import WorldState


class RussiaPolicy(Record):
    veto: bool = Field(True, description="votes on new UN sanctions with its own veto")
    trade: float = Field(0.0, ge=0, le=1, description="share of the sanctions' bite its trade with the DPRK offsets")


class RussiaDispositions(Record):
    consent_base: float = Field(ge=-10, le=10, description="logit of consenting to a resolution with no test")
    consent_per_test: float = Field(ge=0, le=10, description="added after a nuclear test")
    rivalry_effect: float = Field(ge=0, le=10, description="reluctance from rivalry with the US")


class Russia(Actor):
    """A second veto on the Security Council and a trade partner outside the sanctions."""

    key = "russia"
    label = "Russia"
    Policy = RussiaPolicy
    Dispositions = RussiaDispositions
    dispositions_file = Path(__file__).with_name("toy_russia.yaml")

    def consents_to_resolution(self, world: WorldState, tests: np.ndarray, launches: np.ndarray) -> np.ndarray | None:
        if not self.policy.veto:
            return None
        d = self.dispositions
        margin = d.consent_base + d.consent_per_test * tests - d.rivalry_effect * world.rivalry
        return choose(self.model.draws.uniform(veto_site(self.key)), margin, 1.0)

    def sanctions_leak(self, world: WorldState) -> float | None:
        return self.policy.trade or None
