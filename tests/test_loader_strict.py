"""The strict loader: every malformed scenario file is one line naming file, line and key, exit 2.

Cases from an audit run as a hostile user would: repeated keys, non-finite numbers, booleans
for numbers, items where they cannot be, encodings, nesting, alias bombs, scalars the safe
loader cannot construct, ``extends:`` outside the scenario's folder, and errors that used to
point at the top of the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.limits import MAX_DEPTH, MAX_FILE_BYTES
from sim.scenario import load_scenario
from tests.conftest import AGREED_FRAMEWORK, ROOT, SCENARIOS, run_cli

VALID = AGREED_FRAMEWORK.read_text()


def write_case(folder: Path, text: str | bytes, name: str = "case.yaml") -> Path:
    """A case file beside a copy of the shipped base file."""
    (folder / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text())
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, after: int = 0) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line and i > after)


def refused(path: Path, *overrides: str) -> str:
    """The one-line message of ``validate`` on ``path``; asserts exit 2 and no traceback."""
    result = run_cli("validate", path, *(f"--set={o}" for o in overrides))
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and result.err.startswith("error: "), result.err
    assert result.out == ""
    return result.err.strip().removeprefix("error: ")


def replace(old: str, new: str, text: str = VALID) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# ---------------------------------------------------------------- silent wrong results, now errors


def test_a_second_block_under_the_same_key_is_refused_naming_both_lines(tmp_path):
    text = VALID + "\nactors:\n  china:\n    stance: 0.2\n"
    path = write_case(tmp_path, text)
    first, second = line_of(text, "actors:"), line_of(text, "actors:", after=line_of(text, "actors:"))
    assert refused(path) == f"{path}:{second}: actors: the key is repeated (first at line {first}, again here)"


def test_a_repeated_key_inside_a_block_is_refused(tmp_path):
    text = replace("    sanctions: 0.3 ", "    sanctions: 0.9\n    sanctions: 0.3 ")
    message = refused(write_case(tmp_path, text))
    assert f":{line_of(text, 'sanctions: 0.3')}: actors.us.sanctions: the key is repeated (first at line " in message


@pytest.mark.parametrize(("old", "new", "key"), [
    ("    sanctions: 0.3 ", "    sanctions: .nan ", "sanctions: .nan"),
    ("    sanctions: 0.3 ", "    sanctions: -.inf ", "sanctions: -.inf"),
    ("    sanctions: 0.3 ", "    sanctions: 1.0e308 ", "sanctions: 1.0e308"),
])
def test_numbers_must_be_finite_and_of_sane_size(tmp_path, old, new, key):
    text = replace(old, new)
    message = refused(write_case(tmp_path, text))
    assert message.startswith(f"{tmp_path / 'case.yaml'}:{line_of(text, key)}: ")
    assert "finite" in message or "limit for a number" in message


def test_an_observed_band_must_be_finite(tmp_path):
    text = replace("  nuclear_tests: {max: 0,", "  nuclear_tests: {min: .nan, max: 0,")
    message = refused(write_case(tmp_path, text))
    assert "not a finite number" in message and f":{line_of(text, 'min: .nan')}:" in message


def test_a_boolean_is_not_a_number(tmp_path):
    text = replace("    sanctions: 0.3 ", "    sanctions: true ")
    message = refused(write_case(tmp_path, text))
    assert f":{line_of(text, 'sanctions: true')}: actors.us.sanctions:" in message and "valid number" in message


@pytest.mark.parametrize(("old", "new", "words"), [
    ("offers: [security_assurance, fuel_oil", "offers: [freeze, security_assurance, fuel_oil",
     ["actors.us.offers.0", "us cannot give 'freeze'"]),
    ("    offers: [freeze, inspections]", "    offers: [freeze, inspections, fuel_oil]",
     ["actors.dprk.offers.2", "dprk cannot give 'fuel_oil'"]),
    ("    demands: [freeze, inspections]", "    demands: [freeze, inspections, lwr]",
     ["actors.us.demands.2", "us cannot demand 'lwr'"]),
    ("    required: [lwr]", "    required: [lwr, food_aid]",
     ["actors.dprk.required.1", "'food_aid' is required but not among the demands"]),
    ("    offers: [freeze, inspections]", "    offers: [freeze, inspections, freeze]", ["actors.dprk.offers.2", "listed twice"]),
])
def test_items_are_checked_where_they_appear(tmp_path, old, new, words):
    text = replace(old, new)
    message = refused(write_case(tmp_path, text))
    assert f":{line_of(text, new.strip())}: " in message
    for word in words:
        assert word in message


def test_an_unknown_item_of_a_partner_is_refused_before_any_run(tmp_path):
    text = replace("  rok:\n", "  rok:\n    offers: [inter_korean, bridges]\n")
    message = refused(write_case(tmp_path, text))
    assert "rok.offers" in message and "unknown item 'bridges'" in message
    assert run_cli("run", tmp_path / "case.yaml", "--reps", "2").code == 2


def test_an_intelligence_shock_cannot_target_its_own_actor(tmp_path):
    start = VALID.index("  - kind: intelligence")
    toward = VALID.index("toward:", start)
    end = VALID.index("\n", toward)
    actor = VALID[VALID.index("actor:", start):VALID.index("\n", VALID.index("actor:", start))].split(":")[1].strip()
    text = VALID[:toward] + f"toward: {actor}" + VALID[end:]
    message = refused(write_case(tmp_path, text))
    assert f":{line_of(text, f'toward: {actor}')}: shocks." in message and ".toward:" in message and "itself" in message


def test_an_intelligence_shock_that_changes_nothing_is_refused(tmp_path):
    """Without a trust factor or revealed sites the finding would do nothing: refused, not run."""
    line = next(x for x in VALID.splitlines() if x.strip().startswith("other_sites_rate:") and "breach" in x)
    text = VALID.replace(line + "\n", "")
    message = refused(write_case(tmp_path, text))
    assert "shocks." in message and "changes nothing" in message


def test_a_policy_shock_is_held_to_the_item_rules(tmp_path):
    text = VALID + ("\n" if not VALID.endswith("\n") else "")
    text = text.replace("shocks:\n", "shocks:\n  - kind: policy\n    date: 1995-01\n    actor: us\n    set: {offers: [freeze]}\n", 1)
    message = refused(write_case(tmp_path, text))
    assert "shocks.0.set.offers.0" in message and "us cannot give 'freeze'" in message


def test_a_counterfactuals_set_is_validated_like_a_set(tmp_path):
    hanoi = (SCENARIOS / "hanoi_2019.yaml").read_text()
    text = replace('"us.sequencing=action_for_action"', '"us.sequencin=action_for_action"', hanoi)
    message = refused(write_case(tmp_path, text))
    assert f":{line_of(text, 'us.sequencin=')}: counterfactuals.0.set.0: us.sequencin=action_for_action:" in message
    assert "did you mean 'sequencing'" in message


# ---------------------------------------------------------------- errors that used to point at the top


@pytest.mark.parametrize(("old", "new", "key", "words"), [
    ("end: 2003-06", "end: 1990-01", "end: 1990-01", ["end: end 1990-01 must be after start 1994-07"]),
    ("end: 2003-06", "end: 2099-01", "end: 2099-01", ["end: the horizon is longer than 600 months"]),
    ("observed:\n", "observed:\n  talks_openned: {equals: true}\n", "talks_openned", ["observed.talks_openned", "unknown"]),
    ("observed:\n", "observed:\n  talks_opened: {min: 2}\n", "talks_opened", ["observed.talks_opened", "yes or no"]),
    ("observed:\n", "observed:\n  walkouts: {equals: true}\n", "walkouts", ["observed.walkouts", "a number"]),
    ("observed:\n", "observed:\n  walkouts: {min: -5, max: -1}\n", "walkouts", ["observed.walkouts", "below 0"]),
    ("observed:\n", "observed:\n  months_to_talks: {min: 500}\n", "months_to_talks", ["observed.months_to_talks", "beyond the horizon"]),
])
def test_record_level_rules_name_their_key_and_line(tmp_path, old, new, key, words):
    text = replace(old, new)
    message = refused(write_case(tmp_path, text))
    assert f":{line_of(text, key)}: " in message
    for word in words:
        assert word in message


def test_repeated_shock_ids_name_the_second(tmp_path):
    ids = [line.split(":", 1)[1].strip() for line in VALID.splitlines() if line.strip().startswith("id:")]
    assert len(ids) >= 2
    text = VALID.replace(f"id: {ids[1]}", f"id: {ids[0]}", 1)
    message = refused(write_case(tmp_path, text))
    assert f":{line_of(text, f'id: {ids[0]}', after=line_of(text, f'id: {ids[0]}'))}: shocks." in message
    assert "is repeated" in message


# ---------------------------------------------------------------- files and YAML the safe loader chokes on


@pytest.mark.parametrize(("content", "words"), [
    (VALID.replace("title:", "title: caf\xe9 ", 1).encode("latin-1"), ["not UTF-8 text", "byte 0xe9"]),
    (VALID.encode("utf-16"), ["not UTF-8 text"]),
    (VALID.encode("utf-16-le"), ["not UTF-8 text", "NUL"]),
    (b"", ["the file is empty"]),
    (b"- a\n- b\n", ["a scenario must be a mapping"]),
    (b"title: [unclosed\n", ["broken YAML"]),
])
def test_files_that_are_not_scenarios(tmp_path, content, words):
    message = refused(write_case(tmp_path, content))
    for word in words:
        assert word in message


def test_a_folder_or_a_missing_file(tmp_path):
    assert "not a file" in refused(tmp_path)
    assert "no such scenario file" in refused(tmp_path / "missing.yaml")


def test_a_file_over_the_size_limit(tmp_path):
    path = write_case(tmp_path, VALID + "#" * MAX_FILE_BYTES)
    assert f"larger than {MAX_FILE_BYTES:,} bytes" in refused(path)


@pytest.mark.parametrize(("snippet", "words"), [
    ("title: " + "[" * 5000 + "]" * 5000 + "\n", [f"nested deeper than {MAX_DEPTH} levels"]),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n", ["values once aliases are expanded"]),
    ("name: 2019-02-30\n", ["cannot read '2019-02-30' as timestamp"]),
    ("name: !!int six\n", ["cannot read 'six' as int"]),
    ("name: !!float lots\n", ["cannot read 'lots' as float"]),
    ("name: !!timestamp soon\n", ["cannot read 'soon' as timestamp"]),
    ("name: " + "9" * 5000 + "\n", ["cannot read"]),
    ("name: " + "9" * 40 + "\n", ["limit for a number"]),
    ("name: !!python/object:os.system echo\n", ["could not determine a constructor"]),
])
def test_yaml_the_safe_loader_cannot_construct(tmp_path, snippet, words):
    path = write_case(tmp_path, snippet + VALID)
    message = refused(path)
    assert message.startswith(f"{path}:1: "), message
    for word in words:
        assert word in message


def test_an_alias_bomb_stops_at_the_bound_in_a_subprocess_without_a_traceback(tmp_path):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    path = write_case(tmp_path, "\n".join(lines) + "\n" + VALID)
    result = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "validate", str(path)], capture_output=True, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "values once aliases are expanded" in result.stderr


@pytest.mark.parametrize("base", ["/etc/passwd", "../base.yaml", "sub/../../base.yaml"])
def test_extends_stays_within_the_scenarios_folder_tree(tmp_path, base):
    (tmp_path / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text())
    inner = tmp_path / "cases"
    inner.mkdir()
    text = replace("extends: base.yaml", f"extends: {base}")
    path = inner / "case.yaml"
    path.write_text(text)
    message = refused(path)
    assert message.startswith(f"{path}:{line_of(text, 'extends:')}: extends: ") and "outside the scenario's folder" in message


def test_extends_within_the_folder_tree_still_works(tmp_path):
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "base.yaml").write_text((SCENARIOS / "base.yaml").read_text())
    path = tmp_path / "case.yaml"
    path.write_text(replace("extends: base.yaml", "extends: common/base.yaml"))
    assert load_scenario(path).title


# ---------------------------------------------------------------- properties


NASTY = st.sampled_from([
    ".nan", ".inf", "-.inf", "true", "no", "~", "null", "[]", "{}", "[a, b", "{a: 1, a: 2}", "&x a", "*x", "!!int six",
    "!!float x", "!!timestamp t", "2019-02-30", "'", '"', "- - -", ": :", "1e999", "1.0e999", "99999999999999999999999",
    "!!binary xyz", "!!python/name:os.system", "\t", "%YAML 1.1", "---", "...", "@", "`", "|", ">", "\x00", "\ufeff",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(0, VALID.count("\n")), token=st.one_of(NASTY, st.text(max_size=12)),
       mode=st.sampled_from(["value", "insert", "cut"]))
def test_any_mangled_scenario_is_valid_or_one_line(tmp_path, line, token, mode):
    lines = VALID.split("\n")
    if mode == "value" and ":" in lines[line]:
        key = lines[line].split(":", 1)[0]
        lines[line] = f"{key}: {token}"
    elif mode == "insert":
        lines.insert(line, token)
    else:
        lines = lines[:line]
    path = write_case(tmp_path, "\n".join(lines))
    result = run_cli("validate", path)  # an unexpected exception would escape run_cli and fail the test
    assert result.code in (0, 2)
    if result.code == 2:
        assert result.err.count("\n") == 1 and result.err.startswith(f"error: {path}"), result.err
    else:
        assert load_scenario(path).title


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=8)),
                    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)),
                    max_leaves=12),
       st.sampled_from(["state", "actors", "actors.us", "observed", "shocks", "counterfactuals", "title", "end", "state.trust"]))
def test_any_value_at_any_key_is_valid_or_one_line_with_exit_2(tmp_path, value, where):
    import yaml

    data = yaml.safe_load(VALID)
    node = data
    *parents, last = where.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    path = write_case(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    result = run_cli("validate", path)
    assert result.code in (0, 2)
    if result.code == 2:
        assert result.err.count("\n") == 1 and result.err.startswith(f"error: {path}"), result.err


# ---------------------------------------------------------------- sweep specs and the dispositions file


@pytest.mark.parametrize(("text", "words"), [
    ("scenario: a.yaml\nreps: 5\nreps: 6\n", [":3: reps: the key is repeated (first at line 2, again here)"]),
    ("scenario: a.yaml\nseed: .nan\n", [":2: ", "not a finite number"]),
    ("scenario: a.yaml\nreps: true\n", [":2: reps", "valid integer"]),
    ("scenario: a.yaml\nsample: {method: sobol, n: 8, ranges: {china.stance: [0, .inf]}}\n", [":2: ", "not a finite number"]),
    ("scenario: a.yaml\nreps: 100000000\n", [":2: reps", "less than or equal to 1000000"]),
])
def test_sweep_spec_files_are_read_as_strictly(tmp_path, text, words):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    result = run_cli("sweep", "--spec", path, "--out", tmp_path / "out")
    assert result.code == 2 and result.err.count("\n") == 1 and result.err.startswith(f"error: {path}"), result.err
    for word in words:
        assert word in result.err, result.err


def test_a_broken_dispositions_file_is_one_line(tmp_path, monkeypatch):
    from sim import dispositions

    path = tmp_path / "dispositions.yaml"
    import re

    text = re.sub(r"choice_temperature: [0-9.e-]+", "choice_temperature: .nan", dispositions.DISPOSITIONS_FILE.read_text(), count=1)
    assert ".nan" in text
    path.write_text(text)
    monkeypatch.setattr(dispositions, "DISPOSITIONS_FILE", path)
    dispositions.calibrated_values.cache_clear()
    try:
        result = run_cli("validate", AGREED_FRAMEWORK)
    finally:
        dispositions.calibrated_values.cache_clear()
    assert result.code == 2 and result.err.count("\n") == 1 and result.err.startswith(f"error: {path}:"), result.err
    assert "not a finite number" in result.err


# ---------------------------------------------------------------- every command


@pytest.mark.parametrize("command", ["run", "compare", "report", "fidelity", "sweep", "validate"])
@pytest.mark.parametrize(("old", "new", "words"), [
    ("  rok:\n", "  rok:\n    offers: [bridges]\n", ["rok.offers.0", "unknown item 'bridges'"]),
    ("    sanctions: 0.3 ", "    sanctions: 0.9\n    sanctions: 0.3 ", ["the key is repeated"]),
    ("    sanctions: 0.3 ", "    sanctions: .nan ", ["not a finite number"]),
])
def test_every_command_refuses_a_malformed_file_before_writing(tmp_path, command, old, new, words):
    path = write_case(tmp_path, replace(old, new))
    extra = {"compare": [AGREED_FRAMEWORK], "report": ["-o", tmp_path / "r.html"],
             "sweep": ["--grid", "china.stance=0:1:2", "--out", tmp_path / "out", "--quiet"]}.get(command, [])
    result = run_cli(command, path, *extra)
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith(f"error: {path}:"), result.err
    for word in words:
        assert word in result.err
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.html").exists()
