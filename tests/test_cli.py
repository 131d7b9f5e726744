"""Every command end to end: what it prints, its JSON, its exit status."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import AGREED_FRAMEWORK, HANOI, ROOT, run_cli


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.code == 0
    for command in ("run", "compare", "validate"):
        assert command in result.out


def test_run_prints_the_outcome_table():
    result = run_cli("run", HANOI, "--reps", "40", "--seed", "1")
    assert result.code == 0
    for outcome in ("talks_opened", "agreement_signed", "missile_launches_2019", "95% interval"):
        assert outcome in result.out


def test_run_narrates_with_reasons():
    result = run_cli("run", AGREED_FRAMEWORK, "--reps", "1", "--seed", "2", "--narrate")
    assert result.code == 0
    story = " ".join(result.out.split())  # the terminal wraps long lines
    assert "a typical run of 200" in story
    assert "1994-" in story and "talks open" in story
    assert "sign an agreement" in story and "against its status quo" in story


def test_run_json_and_what_ifs():
    base = json.loads(run_cli("run", HANOI, "--reps", "60", "--json").out)
    changed = json.loads(run_cli("run", HANOI, "--reps", "60", "--json", "--set", "china.stance=0").out)
    assert base["replications"] == 60 and changed["set"] == ["china.stance=0"]
    assert set(base["outcomes"]["agreement_signed"]) >= {"mean", "ci_low", "ci_high", "median"}
    assert changed["outcomes"]["sanctions_pressure_mean"]["mean"] < base["outcomes"]["sanctions_pressure_mean"]["mean"]


def test_compare_json_has_each_scenario_and_the_difference():
    result = run_cli("compare", AGREED_FRAMEWORK, HANOI, "--reps", "100", "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    names = [s["name"] for s in payload["scenarios"]]
    assert names == ["agreed_framework_1994", "hanoi_2019"]
    af, hanoi = (s["outcomes"] for s in payload["scenarios"])
    for outcome in (af["agreement_signed"], hanoi["agreement_signed"]):
        assert outcome["ci_low"] <= outcome["mean"] <= outcome["ci_high"]
    assert af["agreement_signed"]["mean"] > hanoi["agreement_signed"]["mean"]
    diff = payload["differences"][0]
    assert diff["scenario"] == "hanoi_2019" and diff["minus"] == "agreed_framework_1994"
    assert diff["outcomes"]["agreement_signed"]["diff"] == pytest.approx(
        hanoi["agreement_signed"]["mean"] - af["agreement_signed"]["mean"]
    )


def test_compare_table():
    result = run_cli("compare", AGREED_FRAMEWORK, HANOI, "--reps", "30")
    assert result.code == 0
    assert "hanoi_2019 -" in result.out and "agreed_framework_1994" in result.out
    row = next(line for line in result.out.splitlines() if "agreement_signed" in line)
    # Hanoi signs far less often than the Agreed Framework: a large negative difference, its interval within -1 and 1
    diff, low, high = (float(x) for x in re.search(r"([-+]\d\.\d\d) \[([-+]\d\.\d\d), ([-+]\d\.\d\d)\]\s*│\s*$", row).groups())
    assert -1.0 <= low <= diff <= high <= 1.0 and diff <= -0.8, row


def test_compare_of_one_run_prints_no_interval():
    """One replication each: means and differences, no interval (a single run has none)."""
    result = run_cli("compare", AGREED_FRAMEWORK, HANOI, "--reps", "1")
    assert result.code == 0
    rows = [line for line in result.out.splitlines() if line.startswith("│")]
    assert any("agreement_signed" in row for row in rows)
    assert not any("[" in row for row in rows), rows


def test_a_set_that_fits_one_compared_scenario_only_names_the_other():
    result = run_cli("compare", AGREED_FRAMEWORK, HANOI, "--set", "shocks.us_2001=off", "--reps", "2")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "no shock with id 'us_2001'" in result.err and f"(in {HANOI})" in result.err, result.err


def test_validate():
    result = run_cli("validate", AGREED_FRAMEWORK, HANOI)
    assert result.code == 0 and result.out.count(": valid") == 2
    payload = json.loads(run_cli("validate", HANOI, "--json").out)
    assert payload["valid"] and payload["scenarios"][0]["months"] == 24


@pytest.mark.parametrize(
    "argv",
    [
        ["run", HANOI, "--reps", "0"],
        ["run", HANOI, "--seed", "x"],
        ["run", HANOI, "--set", "us.nothing=1"],
        ["compare"],
        ["nonsense"],
    ],
)
def test_bad_flags_get_one_line_and_exit_2(argv):
    result = run_cli(*argv)
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("error:")


def test_run_sim_script_and_console_script_start_quickly():
    script = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "--help"], capture_output=True, text=True, cwd=ROOT)
    assert script.returncode == 0 and "compare" in script.stdout
    probe = "import sys, sim.cli; sim.cli.build_parser(); print(sorted(m for m in sys.modules if m in ('mesa', 'numpy', 'pandas')))"
    modules = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert modules.stdout.strip() == "[]"  # --help imports none of the heavy libraries
    console = shutil.which("peninsula")
    if console:
        assert subprocess.run([console, "--help"], capture_output=True).returncode == 0


def test_end_to_end_subprocess_error_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nstart: 1994-07\n")
    result = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "run", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_fidelity_draws_from_a_given_ensemble_and_a_fold_can_be_saved_and_scored(tmp_path):
    """``fidelity --ensemble FILE`` draws from FILE: a copy of the shipped posterior gives the
    shipped result byte for byte; ``--cross-validate --save-folds DIR`` writes each fold's
    posterior, which ``--ensemble`` then scores the left-out case with."""
    from sim.ensemble import ENSEMBLE_FILE, read

    hanoi = str(HANOI)
    copy = tmp_path / "copy.csv"
    shutil.copy(ENSEMBLE_FILE, copy)
    shipped = run_cli("fidelity", hanoi, "--reps", "30", "--json")
    given = run_cli("fidelity", hanoi, "--reps", "30", "--json", "--ensemble", copy)
    assert shipped.code == given.code == 0 and shipped.out == given.out

    folds = tmp_path / "folds"
    saved = run_cli("fidelity", "--cross-validate", "--case", "hanoi_2019", "--population", "10", "--generations", "1",
                    "--particle-reps", "1", "--workers", "1", "--reps", "5", "--json", "--save-folds", folds)
    assert saved.code == 0, saved.err
    fold = read(folds / "hanoi_2019.csv")
    assert len(fold) == 10 and set(fold.names) == set(read(ENSEMBLE_FILE).names)
    left_out = run_cli("fidelity", hanoi, "--reps", "5", "--json", "--ensemble", folds / "hanoi_2019.csv")
    assert left_out.code == 0, left_out.err
    from sim.fidelity import fidelity

    assert json.loads(left_out.out)["cases"][0]["score"] == pytest.approx(fidelity([HANOI], replicas=5, ensemble=fold)[0].score)
    saved_fold = json.loads(saved.out)["folds"][0]
    assert "score" in saved_fold["left_out"]
    # this tiny fold fails Hanoi; what it needs is measured and named
    assert not saved_fold["left_out"]["pass"] and saved_fold["restored_by"]
    assert {"disposition", "score", "pass"} <= set(saved_fold["restored_by"][0])


@pytest.mark.parametrize(("argv", "words"), [
    (["--save-folds", "x"], "--save-folds belongs to --cross-validate"),
    (["--ensemble", "sim/posterior.csv", "--point"], "--ensemble and --point: choose one"),
    (["--cross-validate", "--ensemble", "sim/posterior.csv"], "no scenario files, --set, --point or --ensemble"),
])
def test_fidelity_refuses_ensemble_options_that_do_not_go_together(argv, words):
    result = run_cli("fidelity", *argv)
    assert result.code == 2 and words in result.err, result.err


def test_a_fold_folder_that_cannot_be_written_fails_before_any_calibration(tmp_path):
    """A ``--save-folds`` that is a file is refused at once, not after a fold's minutes of calibrating."""
    taken = tmp_path / "taken"
    taken.write_text("")
    result = run_cli("fidelity", "--cross-validate", "--case", "hanoi_2019", "--save-folds", taken, "--json")
    assert result.code == 2 and f"--save-folds {taken}: is a file, not a folder" in result.err, result.err
    beneath = run_cli("fidelity", "--cross-validate", "--case", "hanoi_2019", "--save-folds", taken / "folds", "--json")
    assert beneath.code == 2 and beneath.err.count("\n") == 1 and "cannot make that folder" in beneath.err, beneath.err


def test_calibration_flags_belong_to_cross_validation_and_cases_are_named_as_given():
    """fidelity without --cross-validate refuses the calibration's flags rather than ignoring them;
    a case is named by its name or its file, and an unknown one is blamed on the flag that named it."""
    from sim.calibration import cases

    for flags in (("--workers", "2"), ("--cluster", "tcp://127.0.0.1:1"), ("--generations", "1")):
        result = run_cli("fidelity", HANOI, "--reps", "5", *flags)
        assert result.code == 2 and f"{flags[0]} sets the calibration of --cross-validate" in result.err, result.err
    assert [p.stem for p in cases("scenarios/hanoi_2019.yaml")] == [p.stem for p in cases("hanoi_2019")]
    assert "hanoi_2019" not in [p.stem for p in cases("hanoi_2019.yaml")]
    unknown = run_cli("fidelity", "--cross-validate", "--case", "nosuch")
    assert unknown.code == 2 and unknown.err.startswith("error: --case nosuch: no such case"), unknown.err
    assert "%%" not in run_cli("compare", "--help").out


def _shipped_with(path: Path, line: int, name: str, text: str) -> Path:
    """A copy of the shipped posterior with one cell changed (line 1 is the header)."""
    from sim.ensemble import ENSEMBLE_FILE

    lines = ENSEMBLE_FILE.read_text(encoding="utf-8").splitlines()
    cells = lines[line - 1].split(",")
    cells[lines[0].split(",").index(name)] = text
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_bad_ensemble_file_names_its_line(tmp_path):
    bad = _shipped_with(tmp_path / "bad.csv", 2, "us.stay_bias", "9")
    result = run_cli("fidelity", str(HANOI), "--reps", "5", "--ensemble", bad)
    assert result.code == 2 and f"{bad}:2: us.stay_bias: 9 is outside its bounds" in result.err, result.err


def test_an_infinite_weight_is_refused_in_one_line_not_a_traceback(tmp_path):
    """An ``inf`` weight passed the bounds check (0 to inf) and crashed in the draw with
    ``Probabilities contain NaN``."""
    bad = _shipped_with(tmp_path / "inf.csv", 2, "weight", "inf")
    result = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "fidelity", str(HANOI), "--reps", "5", "--ensemble",
                             str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and result.stderr == f"error: {bad}:2: weight: 'inf' is not a finite number\n", result.stderr
