"""Invariants that hold for any seed and any policy (hypothesis), and reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.implementation import build_case
from sim.model import DiplomacyModel
from sim.runner import simulate
from sim.state import DPRK, US
from tests.conftest import AGREED_FRAMEWORK, HANOI, run_cli

POLICIES = st.fixed_dictionaries({
    "us.precondition": st.sampled_from(["none", "moratorium", "freeze", "denuclearization_steps"]),
    "us.sequencing": st.sampled_from(["disarm_first", "action_for_action", "relief_first"]),
    "us.strategy": st.sampled_from(["boulware", "linear", "conceder", "tit_for_tat"]),
    "us.sanctions": st.floats(0, 1),
    "us.verification": st.floats(0, 1),
    "china.stance": st.floats(0, 1),
    "rok.stance": st.sampled_from(["engagement", "pressure"]),
    "dprk.verification_limit": st.floats(0, 1),
})


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), policy=POLICIES, case=st.sampled_from([AGREED_FRAMEWORK, HANOI]))
def test_state_stays_in_range_and_capability_falls_only_under_verified_dismantlement(seed, policy, case):
    overrides = [f"{key}={value}" for key, value in policy.items()]
    model = DiplomacyModel(scenario=case, replicas=16, rng=seed, overrides=overrides, record_series=False)
    previous = model.world.material.copy(), model.world.warheads.copy()
    while model.running:
        model.step()
        w = model.world
        for name in ("tension", "pressure", "enforcement", "crisis_hazard", "un_level", "exercises"):
            values = getattr(w, name)
            assert ((values >= 0) & (values <= 1)).all(), name
        assert ((w.trust >= 0) & (w.trust <= 1)).all()
        assert (w.warheads <= w.material + 1e-9).all()
        dismantling = w.delivering("denuclearization") & w.inspected
        material, warheads = previous
        assert (dismantling | (w.material >= material - 1e-12)).all()
        assert (dismantling | (w.warheads >= warheads - 1e-12)).all()
        previous = w.material.copy(), w.warheads.copy()
    outcomes = model.outcomes()
    assert (outcomes["freeze_months"] <= model.case.months).all()
    assert (outcomes["months_to_agreement"] >= outcomes["months_to_talks"]).all()
    assert (outcomes["agreement_signed"] <= outcomes["talks_opened"]).all()
    assert (outcomes["collapsed"] <= outcomes["agreement_signed"]).all()


def test_same_seed_same_output_byte_for_byte():
    first = run_cli("run", HANOI, "--reps", "50", "--seed", "7", "--json", "--narrate")
    second = run_cli("run", HANOI, "--reps", "50", "--seed", "7", "--json", "--narrate")
    assert first.code == 0 and first.out == second.out
    third = run_cli("run", HANOI, "--reps", "50", "--seed", "8", "--json", "--narrate")
    assert third.out != first.out


def test_same_seed_same_arrays_and_different_seeds_differ():
    a = simulate(AGREED_FRAMEWORK, replicas=64, seed=3)
    b = simulate(AGREED_FRAMEWORK, replicas=64, seed=3)
    c = simulate(AGREED_FRAMEWORK, replicas=64, seed=4)
    for name in a.outcomes:
        np.testing.assert_array_equal(a.outcomes[name], b.outcomes[name])
    for name in a.series:
        np.testing.assert_array_equal(a.series[name], b.series[name])
    assert any(not np.array_equal(a.outcomes[n], c.outcomes[n]) for n in a.outcomes)


def test_replicas_are_independent_draws_of_one_process():
    """Replication 0 of a narrated run is one draw; the replicas of a batch differ from each other."""
    run = simulate(HANOI, replicas=200, seed=1)
    assert len(set(run.outcomes["missile_launches"].tolist())) > 5
    trust = run.series["trust_dprk_us"]
    assert trust.shape == (24, 200)
    model = DiplomacyModel(scenario=HANOI, replicas=1, rng=1)
    assert model.world.trust[DPRK, US].shape == (1,)


@given(evidence=st.floats(0.01, 1.0), allowance=st.floats(0.0, 0.4), months=st.integers(2, 120))
def test_late_deliveries_around_what_is_expected_build_no_case_for_leaving(evidence, allowance, months):
    """Surprises that fall on both sides of what a side expects cancel out: a month worse than
    expected and one better leave no more case than one bad month (``implementation.build_case``,
    a cumulative-sum test, Page 1954). Summing only the bad months, noise alone would add up."""
    case = np.zeros(1)
    for month in range(months):
        case = build_case(case, np.array([evidence if month % 2 == 0 else -evidence]), allowance)
        assert case[0] >= 0.0
    assert case[0] <= max(evidence - allowance, 0.0) + 1e-9


@given(evidence=st.floats(0.01, 1.0), allowance=st.floats(0.0, 0.4), months=st.integers(2, 60))
def test_a_lasting_change_in_the_partners_conduct_adds_up_beyond_the_allowance(evidence, allowance, months):
    """A shortfall beyond expectation month after month builds the case month by month, by what
    exceeds the allowance, without fading; one within the allowance builds none."""
    case = np.zeros(1)
    for _ in range(months):
        case = build_case(case, np.array([evidence]), allowance)
    assert case[0] == pytest.approx(months * max(evidence - allowance, 0.0))
