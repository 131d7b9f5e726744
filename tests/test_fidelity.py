"""The fidelity check: every shipped case against its record (issue 3), and its scoring."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.fidelity import fidelity, fit_case, observed_cases
from sim.scenario import load_scenario
from tests.conftest import AGREED_FRAMEWORK, SCENARIOS, run_cli

CASES = {
    "agreed_framework_1994", "six_party_2007", "peace_treaty_2016",
    "singapore_2018", "hanoi_2019", "talks_offer_2021",
}


def test_every_shipped_case_has_an_observed_block():
    assert {p.stem for p in observed_cases(SCENARIOS)} == CASES


@pytest.fixture(scope="module")
def fits():
    return fidelity(replicas=150, seed=0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_passes_with_one_calibration(fits, name):
    fit = next(f for f in fits if f.name == name)
    misses = {b.outcome: round(b.share_inside, 2) for b in fit.bands if b.share_inside < 0.5}
    assert fit.passed, f"{name}: bands missed {misses}, modal {fit.modal_ok}"


def test_scoring_by_hand():
    """Two replications in four, and a modal outcome the wrong way round."""
    scenario = load_scenario(AGREED_FRAMEWORK)
    outcomes = {name: np.zeros(4) for name in scenario.observed}
    outcomes["agreement_signed"] = np.array([True, True, True, False])
    outcomes["collapsed"] = np.array([True, False, False, False])
    outcomes["freeze_months"] = np.array([60, 108, 59, 200])
    fit = fit_case(scenario, outcomes)
    shares = {b.outcome: b.share_inside for b in fit.bands}
    assert shares["agreement_signed"] == 0.75
    assert shares["freeze_months"] == 0.5
    assert shares["collapsed"] == 0.25
    assert fit.modal_ok == {"agreement_signed": True, "collapsed": False}
    assert not fit.passed


def test_a_month_band_holds_only_where_the_event_happened(tmp_path):
    """A run in which the collapse never came carries ``horizon + 1``: it is inside no band of the
    collapse's month, not even one with a lower bound alone, and the median is over the runs in
    which it came."""
    scenario = load_scenario(AGREED_FRAMEWORK)
    never = scenario.months + 1
    scenario.observed["months_to_collapse"] = scenario.observed["months_to_collapse"].model_copy(update={"max": None})
    outcomes = {name: np.zeros(4) for name in scenario.observed}
    outcomes["months_to_collapse"] = np.array([100, 102, never, never])
    band = next(b for b in fit_case(scenario, outcomes).bands if b.outcome == "months_to_collapse")
    assert band.share_inside == 0.5
    assert band.median == 101 and band.happened == 0.5
    outcomes["months_to_collapse"] = np.full(4, never)
    band = next(b for b in fit_case(scenario, outcomes).bands if b.outcome == "months_to_collapse")
    assert band.share_inside == 0.0 and band.median is None and band.happened == 0.0
    # on the command line, with a deal no side leaves: no run is inside, and the month prints as never
    text = AGREED_FRAMEWORK.read_text().replace("months_to_collapse: {min: 99, max: 108,", "months_to_collapse: {min: 99,")
    (tmp_path / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text())
    (tmp_path / "af.yaml").write_text(text)
    steady = ("--set", "world.defection_tolerance=10", "--reps", "20", tmp_path / "af.yaml")
    observed = json.loads(run_cli("fidelity", "--json", *steady).out)["cases"][0]["observables"]["months_to_collapse"]
    assert observed["happened"] == 0.0 and observed["share_inside"] == 0.0 and observed["median"] is None
    assert "never" in run_cli("fidelity", *steady).out


def test_json_report_and_strict_exit(tmp_path):
    result = run_cli("fidelity", "--reps", "20", "--json", AGREED_FRAMEWORK)
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    case = payload["cases"][0]
    assert case["name"] == "agreed_framework_1994" and isinstance(case["pass"], bool)
    assert set(case["observables"]) == set(load_scenario(AGREED_FRAMEWORK).observed)
    assert all(0.0 <= o["share_inside"] <= 1.0 for o in case["observables"].values())
    # a case whose record the model cannot meet: --strict turns the failure into exit 1
    text = AGREED_FRAMEWORK.read_text().replace("nuclear_tests: {max: 0,", "nuclear_tests: {min: 5,")
    impossible = tmp_path / "impossible.yaml"
    impossible.write_text(text)
    (tmp_path / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text())  # extends: reads within the folder only
    assert run_cli("fidelity", "--reps", "20", impossible).code == 0
    strict = run_cli("fidelity", "--reps", "20", "--strict", impossible)
    assert strict.code == 1 and "FAIL" in strict.out


def test_a_scenario_without_observed_bands_is_an_input_error():
    result = run_cli("fidelity", "--reps", "5", SCENARIOS / "base.yaml")
    assert result.code == 2 and result.err.count("\n") == 1


def test_scores_by_hand():
    """The proper score is the mean of (1 - share inside)^2; the log score smooths a share k/n to (k + 1/2)/(n + 1)."""
    from sim.fidelity import BandFit, CaseFit
    from sim.scenario import Band

    def band(outcome: str, share: float, **kind) -> BandFit:
        return BandFit(outcome, Band(**kind), share, 0.0, 0.0, 0.0, 0.0)

    fit = CaseFit("x", "x", 4, [band("agreement_signed", 0.75, equals=True), band("walkouts", 0.5, min=1, max=4),
                               band("collapsed", 0.0, equals=False)])
    assert fit.score == pytest.approx((0.0625 + 0.25 + 1.0) / 3)
    assert fit.log_score == pytest.approx((-np.log(3.5 / 5) - np.log(0.5 / 5)) / 2)
    assert CaseFit("y", "y", 4, [band("walkouts", 1.0, min=1)]).log_score is None
