"""The calibration: a deterministic objective, an optimiser that never makes it worse, and a
command that writes nothing unless asked."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml

from sim import calibration
from sim.calibration import PARAMETERS, Objective, calibrate, current_vector, overrides_for, write_values
from sim.dispositions import DISPOSITIONS_FILE, calibrated_values, with_overrides
from tests.conftest import AGREED_FRAMEWORK, HANOI, run_cli

TWO_CASES = [AGREED_FRAMEWORK, HANOI]


def test_objective_is_deterministic_for_a_fixed_seed():
    x = current_vector()
    a, b = Objective(TWO_CASES, replicas=40, seed=3), Objective(TWO_CASES, replicas=40, seed=3)
    assert a(x) == b(x)
    shifted = x.copy()
    shifted[[p.name for p in PARAMETERS].index("world.choice_temperature")] = 1.0
    assert a(shifted) != a(x)  # the objective reads the parameters


def test_overrides_reach_the_dispositions():
    x = current_vector()
    x[0] = middle = (PARAMETERS[0].low + PARAMETERS[0].high) / 2
    disp = with_overrides(overrides_for(x))
    assert getattr(disp, PARAMETERS[0].path[0]).model_dump()[PARAMETERS[0].path[1]] == middle
    assert disp.us.values["test_moratorium"] == pytest.approx(x[[p.name for p in PARAMETERS].index("us.values.test_moratorium")])


def test_a_tiny_calibration_keeps_or_improves_the_objective():
    subset = tuple(p for p in PARAMETERS if p.name in ("dprk.launch_rate", "dprk.push_pressure"))
    objective = Objective([HANOI], replicas=40, seed=0, parameters=subset)
    start = current_vector(subset).copy()
    start[0] = 3.0  # launches far above the record: a poor start
    result = calibrate(objective, samples=4, rounds=1, seed=0, start=start)
    assert result.best_objective <= result.start_objective
    assert result.best_objective == pytest.approx(Objective([HANOI], replicas=40, seed=0, parameters=subset)(result.best))
    assert result.best_objective < result.start_objective  # from a poor start there is something to gain
    again = calibrate(Objective([HANOI], replicas=40, seed=0, parameters=subset), samples=4, rounds=1, seed=0, start=start)
    assert np.array_equal(again.best, result.best)


def test_write_values_keeps_comments_and_other_lines(tmp_path, monkeypatch):
    copy = tmp_path / "dispositions.yaml"
    shutil.copy(DISPOSITIONS_FILE, copy)
    before = copy.read_text().splitlines()
    x = current_vector()
    x[0] = -6.125
    write_values(x, path=copy)
    after = copy.read_text().splitlines()
    assert after[0] == before[0] and after[0].startswith("#")
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) <= 1 and len(before) == len(after)
    data = yaml.safe_load(copy.read_text())
    assert data[PARAMETERS[0].path[0]][PARAMETERS[0].path[1]] == -6.125
    calibrated_values.cache_clear()


def test_calibrate_without_write_changes_no_file(monkeypatch):
    monkeypatch.setattr(calibration, "observed_cases", lambda: TWO_CASES)
    before = DISPOSITIONS_FILE.read_bytes()
    result = run_cli("calibrate", "--reps", "10", "--samples", "1", "--rounds", "0", "--json")
    assert result.code == 0, result.err
    assert DISPOSITIONS_FILE.read_bytes() == before
    assert '"written": false' in result.out
