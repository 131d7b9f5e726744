"""Each replica's chance events read its own row of the month's draws (``sim/draws.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import poisson as scipy_poisson

from sim.draws import MonthDraws, poisson
from sim.runner import simulate
from tests.conftest import AGREED_FRAMEWORK, SCENARIOS

SIX_PARTY = SCENARIOS / "six_party_2007.yaml"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 1.0, exclude_min=True, exclude_max=True), st.floats(0.0, 60.0)), min_size=1, max_size=40))
@example([(1.0 - 2.0**-53, 2.75)])  # the largest uniform numpy draws: the sum of the terms stops short of it
def test_a_count_is_the_poisson_quantile_of_its_uniform(pairs):
    u, rate = (np.array(x) for x in zip(*pairs, strict=True))
    ours, exact = poisson(u, rate), scipy_poisson.ppf(u, rate).astype(np.int64)
    # the sums of the terms differ from scipy's distribution function by rounding: a uniform
    # within 1e-9 of a step may fall on either side of it
    clear = (np.abs(u - scipy_poisson.cdf(exact, rate)) > 1e-9) & (np.abs(u - scipy_poisson.cdf(exact - 1, rate)) > 1e-9)
    assert np.array_equal(ours[clear], exact[clear]) and (np.abs(ours - exact) <= 1).all()


def test_counts_have_the_poisson_mean_and_variance():
    u = np.random.default_rng(1).random(200_000)
    counts = poisson(u, np.full(u.shape, 3.5))
    assert counts.mean() == pytest.approx(3.5, abs=0.02) and counts.var() == pytest.approx(3.5, abs=0.05)


def test_a_decision_draws_its_own_stream_once_a_month():
    draws, wider = MonthDraws(np.random.default_rng(0), 4), MonthDraws(np.random.default_rng(0), 9)
    first = draws.uniform("crisis").copy()
    draws.start_month(0)
    assert np.array_equal(draws.uniform("crisis"), first), "the same within a month"
    assert np.array_equal(wider.uniform("crisis")[:4], first), "a replica's draws do not depend on how many run"
    assert np.array_equal(wider.uniform("deal.delivers", 3)[:4], draws.uniform("deal.delivers", 3))
    assert draws.uniform("veto.china").shape == (4,) and not np.array_equal(draws.uniform("veto.china"), draws.uniform("veto.russia"))
    assert not np.array_equal(draws.uniform("crisis"), draws.uniform("provocation.test"))
    draws.start_month(1)
    assert not np.array_equal(draws.uniform("crisis"), first)
    with pytest.raises(KeyError, match="no random draw named 'crises'"):
        draws.uniform("crises")
    with pytest.raises(ValueError, match="another shape"):
        draws.uniform("deal.delivers", 3), draws.uniform("deal.delivers", 4)


def _outcomes(path, replicas: int, seed: int, **kwargs) -> dict[str, np.ndarray]:
    return simulate(path, replicas=replicas, seed=seed, record_series=False, record_events=0, **kwargs).outcomes


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**16), st.sampled_from([AGREED_FRAMEWORK, SIX_PARTY]))
def test_a_replica_runs_the_same_beside_few_or_many(seed, path):
    few, many = _outcomes(path, 3, seed), _outcomes(path, 40, seed)
    for key in few:
        assert np.array_equal(few[key], many[key][:3], equal_nan=True), key


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**16), st.integers(0, 11), st.sampled_from([AGREED_FRAMEWORK, SIX_PARTY]))
def test_changing_one_replica_leaves_the_others_as_they_were(seed, changed, path):
    # every replica the point's stay_bias but one, which would rather leave any deal
    base = np.full(12, 0.6)
    other = base.copy()
    other[changed] = -1.0
    before = _outcomes(path, 12, seed, per_replica={"dprk.stay_bias": base})
    after = _outcomes(path, 12, seed, per_replica={"dprk.stay_bias": other})
    keep = np.arange(12) != changed
    for key in before:
        assert np.array_equal(before[key][keep], after[key][keep], equal_nan=True), key
    assert any(not np.array_equal(before[key][changed], after[key][changed], equal_nan=True) for key in before)
