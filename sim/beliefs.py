"""Beliefs: what each side expects the other to accept, and what it learns from failure.

Each side is uncertain about what the other will accept (Fearon 1995: private information is
one of the two rationalist causes of bargaining failure). Its belief that the other accepts a
package worth ``v`` to the other is a logit,

    P(accept) = logistic(v / belief_temperature - pessimism),

centred on what it can see of the other's interests (``v``), shifted by what experience has
taught it. Each walkout or collapse adds ``failure_lesson`` to the pessimism of both sides (a
Bayesian update of the logit's location after a failure); pessimism fades month by month
(``belief_memory``), and evidence about an old configuration counts for less when something
changes: a new policy on either side (a new administration, a new offer) forgets the share
``change_resets`` of it, and a change in sanctions pressure since the failure discounts it by
``exp(-pressure_news * |change|)``. So failing again with nothing changed makes reopening
less attractive, and a change makes it more; there is no fixed cool-down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.choice import logistic
from sim.dispositions import by_package
from sim.state import SIDE, WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel


def pessimism(model: DiplomacyModel, world: WorldState, side: str) -> np.ndarray:
    """The log-odds by which ``side`` discounts the other's acceptance, after news (R,)."""
    row = SIDE[side]
    news = np.abs(world.pressure - world.pressure_at_failure[row])
    return world.pessimism[row] * np.exp(-model.dispositions.world.on(world).pressure_news * news)


def prospects(model: DiplomacyModel, world: WorldState, side: str) -> np.ndarray:
    """How far ``side`` still expects talks to deliver (R,): 1 before any failure, less after one
    (twice the logistic of minus its pessimism)."""
    return 2.0 * logistic(-pessimism(model, world, side))


def acceptance(model: DiplomacyModel, world: WorldState, side: str, value_to_other: np.ndarray) -> np.ndarray:
    """``side``'s belief that the other accepts packages worth ``value_to_other`` (R, K) to it."""
    temperature = model.dispositions.world.on(world).belief_temperature
    return logistic(value_to_other / by_package(temperature) - pessimism(model, world, side)[:, None])


def forget(model: DiplomacyModel, world: WorldState) -> None:
    """A month passes: pessimism fades."""
    world.pessimism = world.pessimism * model.dispositions.world.on(world).belief_memory


def learn_failure(model: DiplomacyModel, world: WorldState, failed: np.ndarray, weight: float = 1.0) -> None:
    """A walkout (weight 1) or a collapse (weight 2): both sides expect less of the next talks."""
    if not failed.any():
        return
    for side, row in SIDE.items():
        current = pessimism(model, world, side)
        world.pessimism[row] = np.where(failed, current + weight * model.dispositions.world.on(world).failure_lesson, world.pessimism[row])
        world.pressure_at_failure[row] = np.where(failed, world.pressure, world.pressure_at_failure[row])


def fresh_start(model: DiplomacyModel, world: WorldState) -> None:
    """A negotiating side changed its policy: old failures say less about new talks."""
    world.pessimism = world.pessimism * (1.0 - model.dispositions.world.on(world).change_resets)
