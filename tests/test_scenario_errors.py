"""Malformed scenarios get one clear line naming file, line and key, and exit 2; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import ScenarioError, load_scenario
from tests.conftest import AGREED_FRAMEWORK, SCENARIOS, run_cli

VALID = AGREED_FRAMEWORK.read_text()


def write_case(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    """A case file beside a copy of the shipped base file."""
    (tmp_path / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text())
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path: Path, *overrides: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    message = str(caught.value)
    assert "\n" not in message
    return message


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_key_names_file_line_path_and_nearest_key(tmp_path):
    text = VALID.replace("    verification: 0.4 ", "    verificaton: 0.4 ")
    path = write_case(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}:{line_of(text, 'verificaton')}: actors.us.verificaton: unknown key")
    assert "did you mean 'verification'" in message


def test_wrong_type(tmp_path):
    text = VALID.replace("    sanctions: 0.3 ", "    sanctions: lots ")
    path = write_case(tmp_path, text)
    message = error_of(path)
    assert f":{line_of(text, 'sanctions: lots')}: actors.us.sanctions:" in message
    assert "'lots'" in message


def test_value_out_of_range(tmp_path):
    text = VALID.replace("    follow_through: 0.85 ", "    follow_through: 1.85 ")
    message = error_of(write_case(tmp_path, text))
    assert "actors.us.follow_through" in message and "less than or equal to 1" in message


def test_unknown_item_in_offers(tmp_path):
    text = VALID.replace("offers: [security_assurance, fuel_oil", "offers: [security_assurance, fuel_oill")
    message = error_of(write_case(tmp_path, text))
    assert "actors.us.offers" in message and "unknown item 'fuel_oill'" in message


def test_date_outside_horizon(tmp_path):
    text = VALID.replace("    date: 2002-01", "    date: 2004-01")
    path = write_case(tmp_path, text)
    message = error_of(path)
    assert f"{path}:{line_of(text, 'date: 2004-01')}: shocks.2.date: 2004-01 is outside the horizon 1994-07 to 2003-06" == message


def test_bad_month(tmp_path):
    message = error_of(write_case(tmp_path, VALID.replace("start: 1994-07", "start: 1994-13")))
    assert "start:" in message and "YYYY-MM" in message


def test_shock_of_unknown_kind_and_bad_policy_key(tmp_path):
    message = error_of(write_case(tmp_path, VALID.replace("  - kind: intelligence", "  - kind: rumour")))
    assert "shocks.3" in message and "kind" in message
    message = error_of(write_case(tmp_path, VALID.replace("set: {rhetoric: 1.0}", "set: {rhetorik: 1.0}")))
    assert "shocks.2.set" in message and "did you mean 'rhetoric'" in message


def test_observed_band_must_name_an_outcome(tmp_path):
    message = error_of(write_case(tmp_path, VALID.replace("  nuclear_tests: {max: 0", "  nuclear_test: {max: 0")))
    assert "unknown" in message and "did you mean 'nuclear_tests'" in message


def test_broken_yaml(tmp_path):
    path = write_case(tmp_path, VALID.replace("period: \"1994-07 to 2003-06\"", "period: [1994-07"))
    message = error_of(path)
    assert message.startswith(f"{path}:") and "broken YAML" in message


def test_empty_and_missing_files(tmp_path):
    assert error_of(write_case(tmp_path, "")) .endswith("the file is empty")
    assert error_of(write_case(tmp_path, "# only a comment\n")).endswith("the file is empty")
    assert error_of(tmp_path / "nowhere.yaml").endswith("no such scenario file")
    assert "a mapping of keys" in error_of(write_case(tmp_path, "- a list\n- not a case\n"))


def test_dispositions_cannot_be_set_per_case(tmp_path):
    message = error_of(write_case(tmp_path, VALID + "dispositions:\n  dprk: {sanctions_pain: 3}\n"))
    assert "calibrated once for all cases" in message


def test_extends_loop(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    assert "loops back" in error_of(tmp_path / "a.yaml")


def test_base_values_are_inherited_and_errors_point_into_the_base(tmp_path):
    scenario = load_scenario(AGREED_FRAMEWORK)
    assert scenario.actors.dprk.precondition == "none"  # from base.yaml
    base = (SCENARIOS / "base.yaml").read_text().replace("    exercises: 0.5", "    exercises: 5")
    (tmp_path / "base.yaml").write_text(base)
    path = tmp_path / "case.yaml"
    path.write_text(VALID.replace("    exercises: 0.3            # Team Spirit suspended in 1994\n", ""))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{tmp_path / 'base.yaml'}:{line_of(base, 'exercises: 5')}: actors.us.exercises")


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("us.precondtion=none", "did you mean 'precondition'"),
        ("usa.sanctions=1", "no actor 'usa'"),
        ("us.sanctions=2", "less than or equal to 1"),
        ("us.precondition=sometimes", "'sometimes'"),
        ("china.stance", "expected actor.key=value"),
        ("state.tensoin=0.5", "did you mean 'tension'"),
        ("dprk.sanctions_pain=-1", "greater than or equal to 0"),
    ],
)
def test_bad_what_ifs(override, expected):
    message = error_of(AGREED_FRAMEWORK, override)
    assert expected in message


def test_what_ifs_reach_policy_disposition_and_state():
    scenario = load_scenario(
        AGREED_FRAMEWORK,
        ["us.precondition=none", "china.stance=0.2", "us.offers=+food_aid", "dprk.sanctions_pain=1.5", "state.trust.dprk_us=0.1"],
    )
    assert scenario.actors.us.precondition == "none"
    assert scenario.actors.china.stance == 0.2
    assert scenario.actors.us.offers[-1] == "food_aid"
    again = load_scenario(AGREED_FRAMEWORK, ["us.offers=+lwr", "us.offers=-fuel_oil"]).actors.us.offers
    assert again.count("lwr") == 1 and "fuel_oil" not in again
    assert scenario.dispositions["dprk"]["sanctions_pain"] == 1.5
    assert scenario.state.trust["dprk_us"] == 0.1


@pytest.mark.parametrize(
    "text",
    [
        VALID.replace("    verification: 0.4 ", "    verificaton: 0.4 "),
        "",
        "title: [unclosed\n",
        VALID.replace("    date: 2002-01", "    date: 2010-01"),
    ],
)
def test_command_line_gives_one_line_and_exit_2(tmp_path, text):
    path = write_case(tmp_path, text)
    for command in ("validate", "run"):
        result = run_cli(command, path, "--reps", "2")
        assert result.code == 2
        assert result.err.count("\n") == 1 and result.err.startswith("error: ")
        assert "Traceback" not in result.err + result.out


def test_missing_file_on_the_command_line():
    result = run_cli("compare", "scenarios/nowhere.yaml", "scenarios/hanoi_2019.yaml")
    assert result.code == 2 and "no such scenario file" in result.err


def _mutations() -> st.SearchStrategy[str]:
    lines = VALID.splitlines(keepends=True)
    junk = st.text(alphabet=st.sampled_from(list("ab:-[]{}#'\" \t\n01.,&*!|>%@`")), max_size=12)
    delete = st.integers(0, len(lines) - 1).map(lambda i: "".join(lines[:i] + lines[i + 1 :]))
    insert = st.tuples(st.integers(0, len(VALID)), junk).map(lambda p: VALID[: p[0]] + p[1] + VALID[p[0] :])
    replace = st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 20), junk).map(
        lambda p: VALID[: p[0]] + p[2] + VALID[p[0] + p[1] :]
    )
    return st.one_of(delete, insert, replace)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_mutations())
def test_fuzzed_scenarios_load_or_fail_clearly(tmp_path, text):
    path = write_case(tmp_path, text)
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        message = str(error)
        assert "\n" not in message and str(path) in message
    else:
        assert scenario.end > scenario.start
        yaml.safe_load(text)
