"""The two headline cases against the record (``history/cases.md``), as issue 2 asks."""

from __future__ import annotations

import numpy as np
import pytest

from sim.runner import simulate
from sim.scenario import load_scenario
from tests.conftest import AGREED_FRAMEWORK, HANOI

REPS = 500
EARLY_COLLAPSE = pytest.mark.xfail(strict=True, reason=(
    "the shipped posterior's Agreed Framework deal collapses too early: inside its months_to_collapse band in about "
    "0.4 of runs, most collapses before the 2001-2002 shocks (docs/calibration.md, Weak points)"))


@pytest.fixture(scope="module")
def runs():
    return {path.stem: simulate(path, replicas=REPS, seed=0, record_series=False).outcomes for path in (AGREED_FRAMEWORK, HANOI)}


@EARLY_COLLAPSE
def test_agreed_framework_signs_and_its_freeze_holds_for_years(runs):
    af = runs["agreed_framework_1994"]
    assert af["agreement_signed"].mean() >= 0.7
    assert np.median(af["freeze_months"]) >= 60
    shocks = load_scenario(AGREED_FRAMEWORK).shocks
    first_trust_shock = min(s.date for s in shocks if s.kind in ("intelligence",) or getattr(s, "actor", "") == "us")
    start = load_scenario(AGREED_FRAMEWORK).start
    collapsed = af["collapsed"]
    after_shocks = af["months_to_collapse"][collapsed] >= first_trust_shock - start
    # most collapses follow the trust shocks; about a third come earlier, from chronic late
    # deliveries (a weak point docs/calibration.md names)
    assert after_shocks.mean() >= 0.6


def test_hanoi_talks_but_no_deal_and_launches_resume(runs):
    hanoi = runs["hanoi_2019"]
    assert hanoi["talks_opened"].mean() >= 0.8
    assert hanoi["agreement_signed"].mean() <= 0.2
    assert hanoi["walkouts"].mean() >= 1
    assert np.median(hanoi["missile_launches_2019"]) >= 10


@pytest.mark.parametrize("path", [pytest.param(AGREED_FRAMEWORK, marks=EARLY_COLLAPSE), HANOI], ids=lambda p: p.stem)
def test_observed_bands_hold_for_at_least_half_the_replications(runs, path):
    scenario = load_scenario(path)
    outcomes = runs[path.stem]
    assert scenario.observed
    for name, band in scenario.observed.items():
        share = band.contains(outcomes[name]).mean()
        assert share >= 0.5, f"{path.stem}: {name} inside {band.describe()} in only {share:.2f}"
