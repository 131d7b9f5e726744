"""Sobol indices of four levers of the Hanoi case (2019-2020) through the sweep command.

Marked slow (192 points: about 10 s on two idle cores); deselect with ``-m "not slow"``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main

HANOI = str(Path(__file__).resolve().parent.parent / "scenarios" / "hanoi_2019.yaml")
LEVERS = {"china.enforcement": "0:1", "us.verification": "0.3:1", "dprk.sanctions_pain": "0.5:2", "dprk.verification_limit": "0.2:0.9"}


@pytest.mark.slow
def test_sobol_indices_of_four_hanoi_levers_are_finite_and_bounded(tmp_path: Path) -> None:
    out = tmp_path / "sobol"
    ranges = [arg for key, bounds in LEVERS.items() for arg in ("--range", f"{key}={bounds}")]
    argv = ["sweep", HANOI, "--sample", "sobol", "--n", "32", *ranges, "--set", "us.sequencing=action_for_action",
            "--reps", "50", "--seed", "1", "--quiet", "--workers", "2", "--plot", "--out", str(out)]
    assert main(argv) == 0
    assert pd.read_parquet(out / "summary.parquet")["point"].nunique() == 32 * (4 + 2)
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["parameter"]) == set(LEVERS)
    shown = table[table["outcome"].isin(["talks_opened", "missile_launches", "peak_tension"])]
    assert set(shown["outcome"]) == {"talks_opened", "missile_launches", "peak_tension"}
    for column in ("S1", "ST"):
        values = shown[column].to_numpy()
        assert np.all(np.isfinite(values)), column
        assert values.min() >= -0.1 and values.max() <= 1.1, (column, values.min(), values.max())
    launches = table[table["outcome"] == "missile_launches"].set_index("parameter")
    assert launches["ST"].idxmax() == "china.enforcement", "sanctions pressure (China's enforcement) drives launches"
    assert launches.loc["china.enforcement", "S1"] > 0.5
    assert (out / "plots" / "sobol_missile_launches.png").is_file()
    assert json.loads((out / "sensitivity.json").read_text())["method"] == "sobol"
