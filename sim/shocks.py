"""Exogenous shocks: what a scenario schedules from outside the negotiation.

A new administration with a new policy, an intelligence finding that cuts trust (and reveals
enrichment outside Yongbyon), a change in US-China rivalry. Shocks never set an outcome: they
change policies, trust, beliefs or rivalry, and the actors decide what follows. A new policy
of either negotiating side is news: old failures say less about new talks
(``beliefs.fresh_start``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import beliefs
from sim.actors import registry
from sim.scenario import IntelligenceShock, PolicyShock, RivalryShock
from sim.state import WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel


def apply(model: DiplomacyModel, world: WorldState) -> None:
    """Phase 1 of a month: the shocks dated this month."""
    for shock in model.shocks_by_month.get(world.month, ()):
        if isinstance(shock, PolicyShock):
            actor = model.actors[shock.actor]
            actor.set_policy(**shock.set)
            if shock.actor in ("us", "dprk"):
                beliefs.fresh_start(model, world)
            if "sanctions" in shock.set and shock.actor in world.unilateral:
                world.unilateral[shock.actor] = np.full(world.replicas, float(shock.set["sanctions"]))
            text = f"{actor.label} changes policy: " + ", ".join(f"{k} = {v}" for k, v in shock.set.items())
        elif isinstance(shock, IntelligenceShock):
            i, j = registry.index(shock.actor), registry.index(shock.toward)
            world.trust[i, j] = np.clip(world.trust[i, j] * shock.trust_factor, 0.0, 1.0)
            truster, trusted = model.actors[shock.actor].label, model.actors[shock.toward].label
            text = f"{truster}'s trust in {trusted} is multiplied by {shock.trust_factor}"
            if shock.other_sites_rate is not None:
                world.other_sites_rate = np.full(world.replicas, shock.other_sites_rate)
                text += f"; enrichment outside Yongbyon revealed ({shock.other_sites_rate:g} warheads' worth a year)"
        elif isinstance(shock, RivalryShock):
            world.rivalry = np.full(world.replicas, shock.level)
            text = f"US-China rivalry moves to {shock.level}"
        if shock.note:
            text += f" ({shock.note})"
        data = {"shock": shock.kind, "note": shock.note}
        if isinstance(shock, PolicyShock):
            data["changes"] = dict(shock.set)
        model.log.add("shock", getattr(shock, "actor", "world"), True, text, **data)
