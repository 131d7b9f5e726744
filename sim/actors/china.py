"""China: the DPRK's main trading partner, a veto on the Security Council, the six-party chair.

Encodes ``history/cases.md`` ("Across the cases") and seed article 004: about nine tenths of
DPRK trade is with China, so its enforcement sets how much of the sanctions bite; it votes for
UN resolutions after nuclear tests but waters them down and fears a collapse on its border;
US-China rivalry (THAAD, the "war drive" of seed article 000) lowers its cooperation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.actors.base import Actor, Record
from sim.choice import choose

if TYPE_CHECKING:
    from sim.state import WorldState


class ChinaPolicy(Record):
    enforcement: float = Field(0.5, ge=0, le=1, description="share of UN sanctions China enforces")
    offers: list[str] = Field(default_factory=list, description="what China adds to a six-party package")
    chairs_talks: bool = Field(False, description="China chairs six-party talks (mediation raises trust)")
    follow_through: float = Field(0.9, ge=0, le=1, description="chance a due delivery is made in a month")


class ChinaDispositions(Record):
    consent_base: float = Field(ge=-5, le=5, description="logit of consenting to a resolution with no test")
    consent_per_test: float = Field(ge=0, le=10, description="added after a nuclear test")
    consent_per_launch: float = Field(ge=0, le=10, description="added after a long-range launch")
    collapse_fear: float = Field(ge=0, le=10, description="reluctance as sanctions pressure rises")
    rivalry_effect: float = Field(ge=0, le=10, description="reluctance from US-China rivalry")
    enforcement_after_test: float = Field(ge=0, le=1, description="enforcement boost after a test")
    enforcement_memory: float = Field(ge=0, le=1, description="monthly persistence of that boost")
    rivalry_slack: float = Field(ge=0, le=1, description="enforcement lost at full rivalry")
    mediation_trust: float = Field(ge=0, le=1, description="trust added to DPRK-US promises when China chairs")


class China(Actor):
    """China decides whether a UN resolution passes and how hard sanctions bite."""

    key = "china"
    label = "China"
    Policy = ChinaPolicy
    Dispositions = ChinaDispositions
    side = "allies"
    blocks_story = "China (with Russia) blocks new UN sanctions"

    def package_offers(self) -> list[str]:
        """China adds its offers to the allied package only when it chairs the talks."""
        return list(self.policy.offers) if self.policy.chairs_talks else []

    def consents_to_resolution(self, world: WorldState, tests: np.ndarray, launches: np.ndarray) -> np.ndarray:
        """Consent (and Russia's with it) to a new resolution after a provocation."""
        d = self.dispositions
        margin = (
            d.consent_base
            + d.consent_per_test * tests
            + d.consent_per_launch * launches
            - d.collapse_fear * world.pressure
            - d.rivalry_effect * world.rivalry
        )
        return choose(self.model.rng, margin, 1.0)

    def update_enforcement(self, world: WorldState, tests: np.ndarray) -> None:
        """Enforcement: the policy's level, raised after tests, eroded by rivalry."""
        d = self.dispositions
        world.enforcement_boost = world.enforcement_boost * d.enforcement_memory + d.enforcement_after_test * tests
        world.enforcement = np.clip(
            self.policy.enforcement + world.enforcement_boost - d.rivalry_slack * world.rivalry, 0.0, 1.0
        )
