"""Every documented what-if in every case file moves its named outcomes the way the file says.

Both variants run with the same seed (common random numbers); the 95% interval of the
difference of means must lie on the expected side of zero.
"""

from __future__ import annotations

import pytest

from sim.runner import simulate
from sim.scenario import ScenarioError, load_scenario
from sim.stats import paired_difference
from tests.conftest import AGREED_FRAMEWORK, SCENARIOS

REPS = 1000
CASE_FILES = sorted(p for p in SCENARIOS.glob("*.yaml") if p.stem != "base")
COUNTERFACTUALS = [(path, cf) for path in CASE_FILES for cf in load_scenario(path).counterfactuals]


def test_every_case_documents_two_or_three_what_ifs():
    for path in CASE_FILES:
        assert 2 <= len(load_scenario(path).counterfactuals) <= 3, path.stem


@pytest.mark.parametrize(("path", "counterfactual"), COUNTERFACTUALS, ids=lambda x: getattr(x, "stem", getattr(x, "name", "")))
def test_counterfactual_moves_outcomes_as_expected(path, counterfactual):
    base = simulate(path, replicas=REPS, seed=5, record_series=False).outcomes
    what_if = simulate(path, replicas=REPS, seed=5, overrides=counterfactual.set, record_series=False).outcomes
    for outcome, direction in counterfactual.expect.items():
        change = paired_difference(base[outcome], what_if[outcome])  # common random numbers: the interval compare reports
        if direction == "up":
            assert change["ci_low"] > 0, f"{counterfactual.name}: {outcome} {change}"
        else:
            assert change["ci_high"] < 0, f"{counterfactual.name}: {outcome} {change}"


def test_switching_a_shock_off():
    full = load_scenario(AGREED_FRAMEWORK)
    without = load_scenario(AGREED_FRAMEWORK, ["shocks.us_2001=off"])
    assert [s.id for s in without.shocks] == [s.id for s in full.shocks if s.id != "us_2001"]
    assert load_scenario(AGREED_FRAMEWORK, ["shocks.us_2001=on"]).shocks == full.shocks
    with pytest.raises(ScenarioError, match="no shock with id 'us_2000'.*did you mean 'us_2001'"):
        load_scenario(AGREED_FRAMEWORK, ["shocks.us_2000=off"])
    with pytest.raises(ScenarioError, match="'off' or 'on'"):
        load_scenario(AGREED_FRAMEWORK, ["shocks.us_2001=0.5"])
