"""Our SALib wrapper on functions whose indices are known, and its tables and files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from sim.sweep import sensitivity

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
# Analytical indices of the Ishigami function (a=7, b=0.1), e.g. Saltelli et al. (2008)
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def test_sobol_indices_of_ishigami_match_the_analytical_values() -> None:
    x = sobol_sample.sample(ISHIGAMI, 2048, calc_second_order=False, seed=1)
    table = sensitivity.sobol_indices(ISHIGAMI, Ishigami.evaluate(x), seed=1)
    assert list(table["parameter"]) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(table["S1"], ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(table["ST"], ISHIGAMI_ST, atol=0.05)
    assert (table["S1_conf"] > 0).all()


def test_sobol_indices_of_a_linear_model_are_its_squared_coefficients_shares() -> None:
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    coef = np.array([1.0, 2.0, 3.0])
    x = sobol_sample.sample(problem, 1024, calc_second_order=False, seed=2)
    table = sensitivity.sobol_indices(problem, x @ coef, seed=2)
    expected = coef**2 / (coef**2).sum()
    np.testing.assert_allclose(table["S1"], expected, atol=0.03)
    np.testing.assert_allclose(table["ST"], expected, atol=0.03)


def test_morris_effects_of_a_linear_model_are_its_coefficients() -> None:
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    coef = np.array([0.5, -2.0, 4.0])
    x = morris_sample.sample(problem, 20, num_levels=4, seed=3)
    table = sensitivity.morris_indices(problem, x, x @ coef, levels=4, seed=3)
    np.testing.assert_allclose(table["mu"], coef, atol=1e-9)
    np.testing.assert_allclose(table["mu_star"], np.abs(coef), atol=1e-9)
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-9)


def test_analyze_skips_constant_outcomes_and_saves_tables(tmp_path: Path) -> None:
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * 2}
    x = sobol_sample.sample(problem, 256, calc_second_order=False, seed=4)
    means = {"varies": x[:, 0] + 0.1 * x[:, 1], "constant": np.zeros(len(x))}
    table = sensitivity.analyze("sobol", problem, x, means, seed=4)
    assert set(table["outcome"]) == {"varies"}
    first = table.set_index("parameter")["S1"]
    assert first["a"] > 0.9 > 0.1 > first["b"]
    csv_path, json_path = sensitivity.save(table, tmp_path, "sobol")
    pd.testing.assert_frame_equal(pd.read_csv(csv_path)[["outcome", "parameter"]], table[["outcome", "parameter"]])
    saved = json.loads(json_path.read_text())
    assert saved["method"] == "sobol"
    assert saved["indices"]["varies"]["a"]["S1"] == pytest.approx(first["a"], rel=1e-5)


def test_bootstrap_intervals_repeat_with_the_seed() -> None:
    x = sobol_sample.sample(ISHIGAMI, 256, calc_second_order=False, seed=5)
    y = Ishigami.evaluate(x)
    a = sensitivity.sobol_indices(ISHIGAMI, y, seed=9)
    b = sensitivity.sobol_indices(ISHIGAMI, y, seed=9)
    pd.testing.assert_frame_equal(a, b)
