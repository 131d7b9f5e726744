"""The provocation mechanisms added for the six cases, each against a case computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim import coercion, tension
from sim.actors.dprk import Provocations
from sim.model import DiplomacyModel
from sim.state import SIDE, Talks
from tests.conftest import HANOI

R = 20000


def model_of(replicas: int = 1, overrides: tuple[str, ...] = ()) -> DiplomacyModel:
    return DiplomacyModel(scenario=HANOI, replicas=replicas, rng=0, overrides=list(overrides), record_series=False)


def test_need_to_test_is_full_only_with_enough_material_to_spare():
    model = model_of(replicas=4, overrides=("dprk.test_material=10", "dprk.design_tests=6", "dprk.retest_months=24"))
    world = model.world
    world.tests_done = np.array([3.0, 3.0, 0.0, 0.0])
    world.material = np.array([6.0, 20.0, 3.0, 0.8])
    world.months_since_test = np.array([24.0, 12.0, 600.0, 600.0])
    # remaining tests (1 - 3/6 = 0.5 or 1) x material beyond the tested device ((6-1)/10, capped at 1, (3-1)/10, none)
    # x time since (1, 0.5, 1, 1)
    assert model.dprk.test_need(world) == pytest.approx([0.25, 0.25, 0.2, 0.0])


def test_drive_terms_for_engagement_rebuff_and_being_ignored():
    model = model_of(replicas=2)
    d, world = model.dprk.dispositions, model.world
    world.talks_likely = np.zeros(2)
    world.tension = np.zeros(2)
    world.deal_kept = np.zeros(2)
    world.talks[:] = Talks.NO_CONTACT
    world.pressure = np.zeros(2)
    world.exercises = np.array([0.0, 1.0])  # no direct push: exercises act through tension
    world.rebuff = np.array([0.0, 0.5])
    world.months_since_talks = np.array([0.0, d.ignored_months / 2])
    assert model.rok.engaging  # Moon Jae-in
    drive = model.dprk.provocation_drive(world)
    assert drive[0] == pytest.approx(-d.restraint_engagement)
    assert drive[1] - drive[0] == pytest.approx(0.5 * d.push_rebuff + 0.5 * d.push_ignored)
    model.rok.set_policy(stance="pressure")
    assert model.dprk.provocation_drive(world)[0] == pytest.approx(0.0)


def test_restraint_under_talks_and_engagement_wanes_with_the_lesson_of_a_failure():
    """Talks and Seoul's engagement restrain as far as the DPRK still expects talks to deliver: in
    full before any failure (2018: no launch), by the logistic of its pessimism after one (2019:
    launches from 2019-05 after the Hanoi walkout, Seoul still engaging)."""
    model = model_of(replicas=2)
    d, world = model.dprk.dispositions, model.world
    world.talks_likely, world.tension, world.deal_kept, world.pressure = (np.zeros(2) for _ in range(4))
    world.rebuff = np.zeros(2)
    world.months_since_talks = np.zeros(2)
    world.talks[:] = Talks.TALKS
    world.pressure_at_failure[:] = 0.0
    lesson = model.dispositions.world.failure_lesson
    world.pessimism[SIDE["dprk"]] = np.array([0.0, lesson])
    restraint = d.restraint_talks + d.restraint_engagement
    drive = model.dprk.provocation_drive(world)
    assert drive[0] == pytest.approx(-restraint)
    assert drive[1] == pytest.approx(-restraint * 2.0 / (1.0 + np.exp(lesson)))
    # what a moratorium would stop is reckoned with the talks' restraint taken out, however far it binds
    model.rok.set_policy(stance="pressure")
    chance = model.dprk.provocation_chance(world)
    assert chance[0] == pytest.approx(chance[1], rel=1e-12)


def test_exercises_push_through_the_tension_they_raise():
    model = model_of(replicas=2)
    model.rok.set_policy(stance="pressure")  # no engagement calm
    d, world = model.dprk.dispositions, model.world
    world.talks[:] = Talks.NO_CONTACT
    world.deal_kept = np.zeros(2)
    world.tension = np.full(2, 0.3)
    world.exercises = np.array([0.0, 1.0])
    quiet = Provocations(np.zeros(2, dtype=int), np.zeros(2, dtype=bool), np.zeros(2, dtype=bool))
    before = model.dprk.provocation_drive(world)
    assert before[1] == pytest.approx(before[0])
    w = model.dispositions.world
    for _ in range(12):
        tension.update(model, world, quiet)
    # a year of full-scale exercises adds sum(memory^k, k < 12) x their monthly heat
    added = w.tension_from_exercises * (1 - w.tension_memory**12) / (1 - w.tension_memory)
    assert world.tension[1] - world.tension[0] == pytest.approx(added)
    after = model.dprk.provocation_drive(world)
    assert after[1] - after[0] == pytest.approx(d.push_tension * added)


def test_rebuff_is_set_by_a_collapse_and_fades_month_by_month():
    model = model_of(replicas=2)
    world = model.world
    world.rebuff = np.array([1.0, 0.0])
    coercion.coerce(model, world)
    memory = model.dprk.dispositions.rebuff_memory
    assert world.rebuff == pytest.approx([memory, 0.0])
    coercion.coerce(model, world)
    assert world.rebuff == pytest.approx([memory**2, 0.0])


def test_a_walkout_sets_the_rebuff():
    model = model_of(replicas=200)
    while not model.tracker.walkouts.any() and model.running:
        model.step()
    walked = model.tracker.walkouts > 0
    assert walked.any()
    # set to 1 in the month of the walkout, faded once by the next month's coercion at most
    memory = model.dprk.dispositions.rebuff_memory
    assert (model.world.rebuff[walked] >= memory - 1e-12).all()
    assert (model.world.rebuff[~walked] < memory).all()


def test_short_range_rate_grows_with_the_force():
    model = model_of(replicas=R)
    d, world = model.dprk.dispositions, model.world
    world.talks_likely = np.zeros(R)
    world.deal_kept = np.zeros(R)
    world.recent_launches = np.zeros(R)
    drive = model.dprk.provocation_drive(world)
    rates = []
    for warheads in (0.0, 60.0):
        world.warheads = np.full(R, warheads)
        rates.append(model.dprk.choose_provocations(world).short_range.mean())
        expected = d.launch_rate * np.exp(d.launch_capability * (world.capability_index[0] - 0.5)) * np.exp(drive[0])
        assert rates[-1] == pytest.approx(expected, abs=4 * np.sqrt(expected / R))  # four standard errors of a Poisson mean
    assert rates[1] > rates[0]
