"""Tension and the hazard of a militarised crisis (an outcome measure, not a forecast).

Tension remembers most of last month and rises with tests, launches, exercises and hostile
rhetoric; talks, a deal in force and engagement calm it (``DESIGN.md`` phase 6). The
monthly hazard of a crisis is a logistic function of tension.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.actors.dprk import Provocations
from sim.choice import logistic
from sim.state import WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel


def update(model: DiplomacyModel, world: WorldState, provocations: Provocations) -> np.ndarray:
    """Phase 6 of a month; returns where a crisis broke out."""
    w = model.dispositions.world
    heat = (
        w.tension_per_test * provocations.nuclear_test
        + w.tension_per_long_range * provocations.long_range
        + w.tension_per_launch * provocations.short_range
        + w.tension_from_exercises * world.exercises
        + w.tension_from_rhetoric * model.us.policy.rhetoric
    )
    calm = w.calm_from_talks * world.in_talks + w.calm_from_deal * world.in_deal
    if model.rok.engaging:
        calm = calm + model.rok.dispositions.engagement_calm
    world.tension = np.clip(w.tension_memory * world.tension + heat - calm, 0.0, 1.0)
    world.crisis_hazard = w.crisis_peak * logistic((world.tension - w.crisis_threshold) / w.crisis_width)
    return model.draws.uniform("crisis") < world.crisis_hazard
