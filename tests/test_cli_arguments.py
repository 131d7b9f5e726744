"""Command arguments are validated before any work: seeds in range, replications within the
documented maximum, output paths writable, two scenarios for compare; a closed pipe ends quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.limits import MAX_REPS, MAX_SEED
from sim.scenario import ScenarioSource
from sim.sweep.spec import Origin
from tests.conftest import AGREED_FRAMEWORK, HANOI, ROOT, run_cli

COMMANDS = {
    "run": ["run", HANOI],
    "compare": ["compare", AGREED_FRAMEWORK, HANOI],
    "fidelity": ["fidelity", HANOI],
    "report": ["report", HANOI, "-o", "never.html"],
    "calibrate": ["calibrate"],
    "sweep": ["sweep", HANOI, "--grid", "china.stance=0:1:2", "--out", "never-out"],
}


def one_line(result, *words: str) -> str:
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and result.err.startswith("error: ") and "Traceback" not in result.err, result.err
    for word in words:
        assert word in result.err, result.err
    return result.err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("seed", "words"), [
    ("-1", ["--seed", "must be from 0"]), (str(MAX_SEED + 1), ["--seed", "must be from 0"]), ("abc", ["--seed", "whole number"]),
    ("1" * 5000, ["--seed", "whole number"]),
])
def test_seeds_out_of_range_are_refused(command, seed, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line(run_cli(*COMMANDS[command], "--seed", seed), *words)
    assert not list(tmp_path.iterdir()), "nothing written"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("reps", ["0", str(MAX_REPS + 1), "1000000000", "-5", "1.5"])
def test_replications_beyond_the_maximum_are_refused(command, reps, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line(run_cli(*COMMANDS[command], "--reps", reps), "--reps")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("workers", ["0", "100000", "two"])
def test_sweep_workers_are_bounded(workers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line(run_cli(*COMMANDS["sweep"], "--workers", workers), "--workers")


def test_the_largest_seed_runs():
    assert run_cli("run", HANOI, "--reps", "2", "--seed", str(MAX_SEED)).code == 0


def test_compare_needs_two_scenarios():
    one_line(run_cli("compare", HANOI, "--reps", "2"), "compare needs two or more scenarios")


@pytest.mark.parametrize("where", ["under-a-file", "proc", "a-folder"])
def test_report_output_must_be_writable_and_is_checked_first(where, tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder.html").mkdir()
    output = {"under-a-file": tmp_path / "file" / "r.html", "proc": Path("/proc/peninsula.html"),
              "a-folder": tmp_path / "folder.html"}[where]
    one_line(run_cli("report", HANOI, "-o", output, "--reps", "2"), f"-o {output}")


def test_a_plot_that_cannot_be_written_is_refused_before_the_run(tmp_path):
    (tmp_path / "file").write_text("x")
    one_line(run_cli("run", HANOI, "--reps", "2", "--plot", tmp_path / "file" / "charts" / "x.png"), "--plot", "is a file, not a folder")
    (tmp_path / "x.png").mkdir()
    one_line(run_cli("compare", HANOI, HANOI, "--reps", "2", "--plot", tmp_path / "x.png"), "--plot", "is a directory")


def test_a_scenario_that_cannot_be_read_is_not_blamed_on_the_report(tmp_path):
    err = one_line(run_cli("report", tmp_path, "-o", tmp_path / "r.html", "--reps", "2"), str(tmp_path), "not a file")
    assert "cannot write" not in err


def test_a_closed_pipe_ends_quietly():
    process = subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), "run", str(HANOI), "--reps", "3", "--json", "--narrate"],
                               cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before anything is written, as with | head -0
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert err == "", err


@pytest.mark.parametrize(("design", "words"), [
    (["--grid", "china.stance=0:1:99999999999"], ["asks for 99,999,999,999 points"]),
    (["--grid", "china.stance=0:1e400:3"], ["inf is not a finite number"]),
    (["--grid", "china.stance=0:1:1000", "--grid", "us.verification=0:1:1000", "--grid", "us.sanctions=0:1:1000"],
     ["the design would have 1,000,000,000 points"]),
    (["--sample", "sobol", "--n", "524288", "--range", "china.stance=0:1", "--range", "us.verification=0:1"],
     ["the design would have 2,097,152 points"]),
    (["--sample", "sobol", "--n", "4", "--range", "dprk.values.partial_relief=0:1e300", "--range", "us.verification=0:1"],
     ["limit for a number"]),
])
def test_sweep_designs_beyond_the_bounds_are_refused_before_they_are_built(design, words, tmp_path):
    one_line(run_cli("sweep", HANOI, *design, "--out", tmp_path / "out", "--quiet"), *words)
    assert not (tmp_path / "out").exists()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789:.,-+eE_ab", max_size=7))
def test_any_grid_string_builds_a_design_or_fails_in_one_line(text):
    from sim.errors import UserError
    from sim.sweep.spec import SweepSpec, build_design

    try:
        design = build_design(SweepSpec(grid={"china.stance": text}), Origin(), _SOURCE)
    except UserError as error:
        assert "\n" not in str(error)
    else:
        assert 1 <= len(design) <= 999


_SOURCE = ScenarioSource(HANOI)
