"""The outside option: what each side gets from no deal, and what a deal changes in that path.

Crisis bargaining (Fearon 1995; Powell 2006): each side accepts a settlement only if it beats
its reservation value, the worth of carrying on without one. Here that worth is a monthly flow
read from the state:

- the DPRK: deterrence from its capability, less the pain of sanctions at the current
  pressure, less the insecurity of tension (seed article 000: the programmes are "a means of
  preventing military attack"; seed article 004: sanctions and "a rehearsal for war");
- the US and its allies: the threat from the DPRK's capability and the risk of a crisis
  (tension), less what maintaining the pressure costs them.

A package is valued by what it changes in that path (``sim/valuation.py``): relief ends the
pain of the pressure it lifts (and spares the US its cost), a freeze or dismantlement gives
up (or removes) deterrence, assurances answer insecurity, and any deal in force lowers tension
(``deal_calm``). So tighter sanctions widen the DPRK's reasons to deal, a crisis widens both
sides', and a larger arsenal raises the price of disarming: the zone of agreement moves with
the state, as the theory says. These same quantities also drive provocations
(``DPRK.provocation_drive``); a sweep shows which effect wins where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.state import WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel


def dprk_status_quo(model: DiplomacyModel, world: WorldState) -> np.ndarray:
    """The DPRK's monthly worth of no deal (R,)."""
    d = model.dprk.dispositions.on(world)
    return d.deterrent_value * world.capability_index - d.sanctions_pain * world.pressure - d.security_fear * world.tension


def us_status_quo(model: DiplomacyModel, world: WorldState) -> np.ndarray:
    """The US's (and its allies') monthly worth of no deal (R,)."""
    d = model.us.dispositions.on(world)
    return -(d.threat_weight * world.capability_index + d.crisis_aversion * world.tension + d.pressure_cost * world.pressure)


def status_quo(model: DiplomacyModel, world: WorldState, side: str) -> np.ndarray:
    """Each side's worth of no deal: its reservation value."""
    return dprk_status_quo(model, world) if side == "dprk" else us_status_quo(model, world)


def calm_value(model: DiplomacyModel, world: WorldState, side: str) -> np.ndarray:
    """What a deal in force is worth to ``side`` through the tension it takes away (R,).

    The share ``deal_calm`` of today's insecurity (the DPRK) or crisis risk (the US) that a
    settlement spares: higher tension moves both sides toward a deal."""
    d = model.negotiator(side).dispositions.on(world)
    weight = d.security_fear if side == "dprk" else d.crisis_aversion
    return model.dispositions.world.on(world).deal_calm * weight * world.tension


__all__ = ["calm_value", "dprk_status_quo", "status_quo", "us_status_quo"]
