"""Coercion: DPRK provocations, the allies' answers, UN resolutions and sanctions pressure.

``DESIGN.md`` phase 3. A UN resolution needs China's consent (Russia is taken to vote with
China, as in 2022-05-26); China's enforcement sets how much of the UN sanctions bite, since
about nine tenths of DPRK trade is with China (``history/cases.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.actors.dprk import Provocations
from sim.smoothing import weigh_recent
from sim.state import WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel

SETTLING_MONTHS = 24
"""Months of China's enforcement rule run at the start, so a case opens with the enforcement
China's interests call for rather than an arbitrary level (a numerical warm-up, not behaviour)."""


def coerce(model: DiplomacyModel, world: WorldState) -> Provocations:
    """Phase 3 of a month; returns the month's provocations."""
    provocations = model.dprk.choose_provocations(world)
    world.rebuff = world.rebuff * model.dprk.dispositions.rebuff_memory
    _count(model, world, provocations)
    _respond(model, world, provocations)
    model.china.raise_alarm(world, provocations.nuclear_test.astype(float), provocations.long_range.astype(float))
    _security_council(model, world, provocations)
    model.china.update_enforcement(world)
    world.pressure = sanctions_pressure(model, world)
    return provocations


def sanctions_pressure(model: DiplomacyModel, world: WorldState) -> np.ndarray:
    """How hard sanctions bite (0..1): UN sanctions through China's enforcement on its share of
    trade, and on the rest the stronger of UN sanctions and the unilateral measures, which
    compound (each closes part of what the others leave open)."""
    share = model.dispositions.world.china_trade_share
    unilateral = 1.0 - np.prod([1.0 - level for level in world.unilateral.values()], axis=0)
    bite = np.clip(share * world.enforcement * world.un_level + (1 - share) * np.maximum(world.un_level, unilateral), 0, 1)
    for actor in model.actors.values():  # trade outside the sanctions (``Actor.sanctions_leak``)
        if (leak := actor.sanctions_leak(world)) is not None:
            bite = bite * (1.0 - leak)
    return bite


def settle_enforcement(model: DiplomacyModel, world: WorldState) -> None:
    """Start a case with China's enforcement where its interests and the start state put it."""
    for _ in range(SETTLING_MONTHS):
        world.pressure = sanctions_pressure(model, world)
        model.china.update_enforcement(world)
    world.pressure = sanctions_pressure(model, world)


def _count(model: DiplomacyModel, world: WorldState, p: Provocations) -> None:
    world.tests_done = world.tests_done + p.nuclear_test
    world.months_since_test = np.where(p.nuclear_test, 0, world.months_since_test + 1)
    world.months_since_long_range = np.where(p.long_range, 0, world.months_since_long_range + 1)
    d = model.dprk.dispositions
    world.missile_maturity = np.minimum(1.0, world.missile_maturity + d.maturity_per_flight * p.long_range)
    launches = p.short_range + p.long_range
    world.recent_launches = weigh_recent(d.campaign_memory, world.recent_launches, launches)
    tracker = model.tracker
    tracker.nuclear_tests += p.nuclear_test
    tracker.long_range += p.long_range
    tracker.add_launches(model.year, launches)
    log = model.log
    log.add("nuclear_test", "dprk", p.nuclear_test, "the DPRK conducts a nuclear test")
    log.add("long_range_launch", "dprk", p.long_range, "the DPRK launches a long-range missile or satellite")
    log.add("short_range_launches", "dprk", p.short_range > 0, lambda r: f"the DPRK fires {p.short_range[r]} short-range missile(s)",
            count=p.short_range)


def _respond(model: DiplomacyModel, world: WorldState, p: Provocations) -> None:
    """Each actor answers in its own way (the US, South Korea and Japan with exercises and
    unilateral sanctions: ``Actor.respond``)."""
    for actor in model.actors.values():
        actor.respond(world, p)
    answered = p.nuclear_test | p.long_range
    model.log.add("response", "us", answered, "the US and its allies answer with exercises and sanctions")


def _security_council(model: DiplomacyModel, world: WorldState, p: Provocations) -> None:
    proposed = p.nuclear_test | p.long_range
    if not proposed.any():
        return
    tests, launches = p.nuclear_test.astype(float), p.long_range.astype(float)
    votes = {key: actor.consents_to_resolution(world, tests, launches) for key, actor in model.actors.items()}
    vetoes = {key: vote for key, vote in votes.items() if vote is not None}  # the actors holding a veto
    consent = np.logical_and.reduce(list(vetoes.values()), initial=True)
    passed = proposed & consent
    step = model.dispositions.world.resolution_step
    world.un_level = np.where(passed, np.minimum(1.0, world.un_level + step), world.un_level)
    model.tracker.unsc_resolutions += passed
    consenting = " and ".join(f"{model.actors[key].label}'s" for key in vetoes)
    model.log.add("un_resolution", "china", passed, f"the Security Council adopts new sanctions with {consenting} consent")
    for key, vote in vetoes.items():
        model.log.add("un_blocked", key, proposed & ~vote, model.actors[key].blocks_story)
