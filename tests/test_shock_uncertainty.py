"""Shocks with an uncertain date (``window``) and size (a range): drawn per replica, reproducible,
the same on one or two workers, nothing drawn (and nothing changed) without them; refused on a
policy shock; and the shock sensitivity report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import calendar, shocks
from sim.cli import main
from sim.model import DiplomacyModel
from sim.runner import simulate
from sim.scenario import ScenarioError, load_scenario
from sim.shock_sensitivity import case_sensitivity, variants
from sim.state import DPRK, US
from tests.conftest import AGREED_FRAMEWORK, SCENARIOS, run_cli

ENRICHMENT = "shocks.enrichment_2002"
HORIZON = load_scenario(AGREED_FRAMEWORK).months


def write_case(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """The Agreed Framework with ``old`` replaced by ``new``, beside a copy of the base file."""
    (tmp_path / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text())
    text = AGREED_FRAMEWORK.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / "case.yaml"
    path.write_text(text)
    return path, text


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def drawn_dates(scenario, replicas: int, seed: int, shock_id: str = "enrichment_2002") -> np.ndarray:
    """The month each replica drew for ``shock_id``."""
    dates = np.full(replicas, -1)
    for month, entries in shocks.schedule(scenario, replicas, np.random.default_rng(seed)).items():
        for entry in entries:
            if entry.shock.id == shock_id:
                dates[np.ones(replicas, bool) if entry.where is None else entry.where] = month
    return dates


# ---------------------------------------------------------------- nothing changes without them


def test_no_window_and_no_range_draw_nothing_and_change_nothing() -> None:
    shipped = DiplomacyModel(AGREED_FRAMEWORK, replicas=50, rng=3)
    zero = DiplomacyModel(AGREED_FRAMEWORK, replicas=50, rng=3, overrides=(f"{ENRICHMENT}.window=0",))
    windowed = DiplomacyModel(AGREED_FRAMEWORK, replicas=50, rng=3, overrides=(f"{ENRICHMENT}.window=6",))
    state = shipped.rng.bit_generator.state
    assert zero.rng.bit_generator.state == state
    assert windowed.rng.bit_generator.state == state, "the draws come from a child generator, not the model's stream"
    a = simulate(AGREED_FRAMEWORK, 80, seed=3, record_events=3)
    b = simulate(AGREED_FRAMEWORK, 80, seed=3, record_events=3, overrides=[f"{ENRICHMENT}.window=0"])
    c = simulate(AGREED_FRAMEWORK, 80, seed=3, record_events=0, overrides=[f"{ENRICHMENT}.other_sites_rate=[2.0, 2.0]"])
    for name, values in a.outcomes.items():
        assert values.tobytes() == b.outcomes[name].tobytes() == c.outcomes[name].tobytes(), name
    for name, values in a.series.items():
        assert values.tobytes() == b.series[name].tobytes(), name
    assert a.events == b.events


# ---------------------------------------------------------------- per-replica dates and sizes


def test_a_window_spreads_the_collapse_month_and_leaves_earlier_replicas_alone() -> None:
    window = 12
    # at the point, with fuel oil always on time, where collapses gather after the finding: the window's own
    # effect, without the ensemble's spread or the early collapses of late deliveries
    steady = ["us.follow_through=1"]
    fixed_run = simulate(AGREED_FRAMEWORK, 200, seed=0, point=True, overrides=steady)
    spread_run = simulate(AGREED_FRAMEWORK, 200, seed=0, point=True, overrides=[*steady, f"{ENRICHMENT}.window={window}"])
    fixed, spread = fixed_run.outcomes["months_to_collapse"], spread_run.outcomes["months_to_collapse"]
    shock_month = calendar.parse_month("2002-10") - calendar.parse_month("1994-07") + 1
    earliest = shock_month - window
    for name, values in fixed_run.series.items():  # common random numbers: every month before the window is untouched
        assert np.array_equal(values[: earliest - 1], spread_run.series[name][: earliest - 1]), name
    before = fixed < earliest
    assert np.array_equal(fixed[before], spread[before]), "collapses before the window are untouched"
    moved = ~before & (fixed != spread)
    assert moved.sum() >= 3, "the window moves the collapse of replicas whose finding came at another month"


def test_the_story_tells_the_shock_in_the_month_and_at_the_size_each_replica_drew() -> None:
    run = simulate(AGREED_FRAMEWORK, 8, seed=1, record_events=8,
                   overrides=[f"{ENRICHMENT}.window=6", f"{ENRICHMENT}.trust_factor=[0.1, 0.5]"])
    told = [e for e in run.events if e.kind == "shock" and "enrichment" in e.text]
    assert sorted(e.replica for e in told) == list(range(8)), "once in every replica"
    centre = calendar.parse_month("2002-10")
    assert all(abs(e.month - centre) <= 6 for e in told)
    assert len({e.month for e in told}) > 1 and len({e.data["trust_factor"] for e in told}) > 1
    for event in told:
        assert 0.1 <= event.data["trust_factor"] <= 0.5
        told_factor = float(re.search(r"multiplied by ([0-9.]+);", event.text).group(1))
        assert told_factor == pytest.approx(event.data["trust_factor"], abs=0.006)


def test_a_masked_shock_changes_only_the_replicas_that_drew_this_month() -> None:
    model = DiplomacyModel(AGREED_FRAMEWORK, replicas=3)
    world = model.world
    world.trust[US, DPRK] = np.array([0.8, 0.8, 0.8])
    shock = next(s for s in model.case.shocks if s.id == "enrichment_2002")
    where = np.array([True, False, True])
    model.shocks_by_month = {world.month: [shocks.Scheduled(shock, where, {"trust_factor": np.array([0.5, 0.1, 0.25])})]}
    shocks.apply(model, world)
    assert world.trust[US, DPRK] == pytest.approx([0.4, 0.8, 0.2])
    assert world.other_sites_rate == pytest.approx([2.0, 0.0, 2.0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), window=st.integers(1, 30), few=st.integers(1, 20))
def test_draws_repeat_for_a_seed_and_do_not_depend_on_how_many_replicas_run(seed: int, window: int, few: int) -> None:
    scenario = load_scenario(AGREED_FRAMEWORK, [f"{ENRICHMENT}.window={window}", f"{ENRICHMENT}.other_sites_rate=[1, 3]"])
    many = drawn_dates(scenario, 40, seed)
    assert np.array_equal(many, drawn_dates(scenario, 40, seed))
    assert np.array_equal(drawn_dates(scenario, few, seed), many[:few])
    months = range(max(scenario.start, calendar.parse_month("2002-10") - window),
                   min(scenario.end, calendar.parse_month("2002-10") + window) + 1)
    assert all(m in months for m in many)


def test_a_windowed_sweep_is_identical_on_one_and_two_workers(tmp_path: Path) -> None:
    args = [str(AGREED_FRAMEWORK), "--grid", "us.follow_through=0.8,0.9", "--set", f"{ENRICHMENT}.window=6",
            "--set", f"{ENRICHMENT}.trust_factor=[0.2, 0.4]", "--reps", "20", "--chunk-reps", "10", "--seed", "4", "--quiet"]
    assert main(["sweep", *args, "--out", str(tmp_path / "one"), "--workers", "1"]) == 0
    assert main(["sweep", *args, "--out", str(tmp_path / "two"), "--workers", "2"]) == 0
    name = "results.parquet"
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / name), pd.read_parquet(tmp_path / "two" / name))
    assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


# ---------------------------------------------------------------- refused where it cannot hold


def test_a_window_on_a_policy_shock_is_refused_with_file_line_and_key(tmp_path: Path) -> None:
    path, text = write_case(tmp_path, "    date: 2001-01\n", "    date: 2001-01\n    window: 6\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line_of(text, 'window: 6')}: shocks.1.window: a policy shock cannot have a window")
    assert "all replicas" in message and "\n" not in message
    result = run_cli("run", path, "--reps", "5")
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.startswith(f"error: {path}:{line_of(text, 'window: 6')}: shocks.1.window:")


def test_a_range_in_a_policy_shock_and_a_window_by_set_are_refused(tmp_path: Path) -> None:
    path, text = write_case(tmp_path, "set: {rhetoric: 1.0}", "set: {rhetoric: [0.5, 1.0]}")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}:{line_of(text, '[0.5, 1.0]')}: shocks.2.set.rhetoric: a policy shock takes one value")
    result = run_cli("run", AGREED_FRAMEWORK, "--reps", "5", "--set", "shocks.us_2001.window=3")
    assert result.code == 2 and result.err.startswith("error: --set shocks.us_2001.window=3: a policy shock cannot have a window")


@pytest.mark.parametrize(("value", "words"), [
    ("[0.5, 0.1]", "low is above high"),
    ("[0.1, 2.5]", "2.5 is outside 0 to 2"),
    ("[0.1, 0.2, 0.3]", "a range is two numbers"),
    ("lots", "expected a number or a range"),
])
def test_a_bad_range_names_its_line_and_key(tmp_path: Path, value: str, words: str) -> None:
    path, text = write_case(tmp_path, "    other_sites_rate: 2.0", f"    other_sites_rate: 2.0\n    trust_factor: {value}")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}:{line_of(text, 'trust_factor:')}: shocks.3.trust_factor: ")
    assert words in str(caught.value)


# ---------------------------------------------------------------- the sensitivity report


def test_variants_move_within_the_case_and_scale_within_limits() -> None:
    scenario = load_scenario(AGREED_FRAMEWORK, [f"{ENRICHMENT}.date=2003-03", f"{ENRICHMENT}.trust_factor=[0.3, 1.6]"])
    found = {v.label for v in variants(scenario) if v.shock == "enrichment_2002"}
    assert "date +3 (2003-06)" in found and not any(label.startswith("date +6") for label in found)
    assert {"trust_factor x0.5 ([0.15, 0.8])", "trust_factor x1.5 ([0.45, 2])"} <= found
    assert {"other_sites_rate x0.5 (1)", "other_sites_rate x1.5 (3)"} <= found


def test_shock_sensitivity_reports_each_variant_with_a_paired_interval() -> None:
    result = run_cli("fidelity", "--shock-sensitivity", AGREED_FRAMEWORK, "--reps", "60", "--json", "--point")
    assert result.code == 0, result.err
    case = json.loads(result.out)["cases"][0]
    assert case["name"] == "agreed_framework_1994" and set(case["shipped"]) == set(load_scenario(AGREED_FRAMEWORK).observed)
    by_label = {(v["shock"], v["variant"]): v["outcomes"] for v in case["variants"]}
    assert {("enrichment_2002", "date -6 (2002-04)"), ("enrichment_2002", "date +6 (2003-04)")} <= set(by_label)
    for outcomes in by_label.values():
        assert all(0.0 <= o["share_inside"] <= 1.0 for o in outcomes.values())
        for o in outcomes.values():
            if o["diff"] is None:
                continue
            if o["pairs"] < 2:  # a month compared over one pair of runs has no interval (stats.paired_difference)
                assert o["ci_low"] is None and o["ci_high"] is None
            else:
                assert o["ci_low"] <= o["diff"] <= o["ci_high"]


def test_moving_the_verification_dispute_moves_the_six_party_collapse() -> None:
    case = case_sensitivity(SCENARIOS / "six_party_2007.yaml", replicas=40, seed=0)
    moved = {v.variant.label: v.changes["months_to_collapse"] for v in case.variants if v.variant.shock == "verification_2008"}
    assert moved["date -6 (2008-05)"]["ci_high"] < 0 < moved["date +6 (2009-05)"]["ci_low"]


def test_shock_sensitivity_table_and_bad_input() -> None:
    result = run_cli("fidelity", "--shock-sensitivity", SCENARIOS / "singapore_2018.yaml", "--reps", "10")
    assert result.code == 0, result.err
    assert "singapore_2018" in result.out and "as shipped" in result.out and "in band" in result.out
    refused = run_cli("fidelity", "--shock-sensitivity", "--strict", AGREED_FRAMEWORK, "--reps", "10")
    assert refused.code == 2 and "--strict" in refused.err and "Traceback" not in refused.err
