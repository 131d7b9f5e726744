"""Preconditions for talks: what each side must see the other do (or say) before it talks,
and the choice to drop one.

A precondition reads only what the other side has visibly done or said: its tests and
launches, whether Yongbyon is frozen and inspected, its exercises, sanctions and stated
agenda; never its private list of offers. Meeting it is a costly signal that raises the
waiting side's trust, as a promise kept would (its ``trust_learning``). A side whose precondition is not met may still talk,
paying its ``audience_cost`` (Fearon 1994: leaders who back down from a public position pay at
home): when the value of talking is high enough it drops the precondition
(``sim/negotiation.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.state import WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel

QUIET_MONTHS = 6
"""The US 'moratorium' precondition as stated: no nuclear test or long-range launch for six months."""
HOSTILE_EXERCISES = 0.25
"""Exercises above this scale count as the 'hostile policy' (Team Spirit suspended in 1994 and
2018 read as ending it)."""
HOSTILE_SANCTIONS = 0.5
"""US unilateral sanctions above this level count as the 'hostile policy' ('maximum pressure')."""


def met_by_dprk(model: DiplomacyModel, world: WorldState) -> np.ndarray:
    """The US precondition, met by what the DPRK has visibly done (R,)."""
    quiet = np.minimum(world.months_since_test, world.months_since_long_range) >= QUIET_MONTHS
    frozen = ~world.yongbyon_running
    return {
        "none": np.ones(world.replicas, dtype=bool),
        "moratorium": quiet,
        "freeze": frozen,
        "denuclearization_steps": frozen & world.inspected,
    }[model.us.policy.precondition]


def met_by_us(model: DiplomacyModel, world: WorldState) -> np.ndarray:
    """The DPRK precondition, met by what the US has visibly done or said (R,)."""
    us = model.us.policy
    every = np.ones(world.replicas, dtype=bool)
    if model.dprk.policy.precondition == "denuclearization_off_agenda":
        return every & ("denuclearization" not in us.demands)  # its stated agenda
    if model.dprk.policy.precondition == "hostile_policy_end":
        return (world.exercises <= HOSTILE_EXERCISES) & (world.unilateral["us"] <= HOSTILE_SANCTIONS)
    return every


def met(model: DiplomacyModel, world: WorldState) -> dict[str, np.ndarray]:
    """Whether each side's own precondition is met by the other (R,), keyed by side."""
    return {"dprk": met_by_us(model, world), "allies": met_by_dprk(model, world)}


def binding(model: DiplomacyModel, side: str) -> bool:
    """Whether ``side`` has a precondition at all (meeting 'none' signals nothing)."""
    return model.negotiator(side).policy.precondition != "none"
