"""The model answers policy changes the way theory says (``DESIGN.md``, "Tests").

Each comparison runs both variants with the same seed (common random numbers) and asserts a
difference larger than its 95% interval.
"""

from __future__ import annotations

import numpy as np

from sim.runner import simulate
from sim.stats import difference
from tests.conftest import AGREED_FRAMEWORK, HANOI, SCENARIOS
from tests.margins import SMALL_DEAL, at_the_margin

REPS = 400


def mean_change(case, outcome: str, changes: list[str], base: list[str] = ()) -> dict[str, float]:
    before = simulate(case, replicas=REPS, seed=11, overrides=list(base), record_series=False).outcomes[outcome]
    after = simulate(case, replicas=REPS, seed=11, overrides=[*base, *changes], record_series=False).outcomes[outcome]
    return difference(before, after)


def test_action_for_action_with_partial_relief_raises_agreement_at_hanoi():
    change = mean_change(HANOI, "agreement_signed", SMALL_DEAL)
    assert change["ci_low"] > 0.2


def test_china_not_enforcing_cuts_sanctions_pressure():
    change = mean_change(HANOI, "sanctions_pressure_mean", ["china.stance=0"])
    assert change["ci_high"] < -0.2
    # a China whose interests never call for enforcement leaves only the tenth of trade not with China
    no_china = simulate(HANOI, replicas=50, seed=1, overrides=["china.stance=0", "china.enforcement_base=-5", "china.nonproliferation=0"])
    assert (no_china.series["pressure"] <= 1 - 0.9 + 0.01).all()


def test_lower_dprk_trust_lowers_agreement():
    """At Hanoi with a small deal on the table, at the margin of the verification the US demands."""
    point = at_the_margin(HANOI, "agreement_signed", SMALL_DEAL, "us.verification", 0.5, 1.0)
    change = mean_change(HANOI, "agreement_signed", ["state.trust.dprk_us=0.02"], base=point)
    assert change["ci_high"] < 0


def test_removing_the_precondition_raises_the_chance_of_talks():
    """2016 without the DPRK's own precondition, at the margin of what dropping the US's costs it."""
    case = SCENARIOS / "peace_treaty_2016.yaml"
    point = at_the_margin(case, "talks_opened", ["dprk.precondition=none"], "us.audience_cost", 0.0, 2.0)
    change = mean_change(case, "talks_opened", ["us.precondition=none"], base=point)
    assert change["ci_low"] > 0


def test_sanctions_pressure_raises_provocations_without_talks():
    quiet = ["dprk.precondition=hostile_policy_end"]
    change = mean_change(HANOI, "missile_launches", ["us.sanctions=1.0", "china.stance=1.0"], base=[*quiet, "china.stance=0.2"])
    assert change["ci_low"] > 0


def test_verification_beyond_the_dprk_limit_makes_deals_collapse_sooner():
    strict = ["us.verification=1.0"]
    change = mean_change(AGREED_FRAMEWORK, "freeze_months", strict)
    assert change["ci_high"] < 0
    assert np.isfinite(change["diff"])
