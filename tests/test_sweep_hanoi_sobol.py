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
LEVERS = {"china.stance": "0:1", "us.verification": "0.3:1", "dprk.sanctions_pain": "0.5:2", "dprk.verification_limit": "0.2:0.9"}


@pytest.mark.slow
def test_sobol_indices_of_four_hanoi_levers_are_finite_and_bounded(tmp_path: Path) -> None:
    out = tmp_path / "sobol"
    ranges = [arg for key, bounds in LEVERS.items() for arg in ("--range", f"{key}={bounds}")]
    argv = ["sweep", HANOI, "--sample", "sobol", "--n", "32", *ranges, "--set", "us.sequencing=action_for_action",
            "--reps", "50", "--seed", "1", "--quiet", "--workers", "2", "--plot", "--out", str(out), "--point"]
    assert main(argv) == 0
    assert pd.read_parquet(out / "summary.parquet")["point"].nunique() == 32 * (4 + 2)
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["parameter"]) == set(LEVERS)
    assert {"missile_launches", "peak_tension", "sanctions_pressure_mean"} <= set(table["outcome"])
    steady = table[table["outcome"].isin(["missile_launches", "peak_tension", "sanctions_pressure_mean"])]
    for column in ("S1", "ST"):  # outcomes that vary across the sample (a near-constant one has no stable index)
        values, conf = steady[column].to_numpy(), steady[f"{column}_conf"].to_numpy()
        assert np.all(np.isfinite(values)) and np.all(np.isfinite(conf)), column
        # an index lies in [0, 1]; an estimate from 192 points may stray by its own 95% interval
        assert np.all(values >= -conf - 0.05) and np.all(values <= 1 + conf + 0.05), column
    # known answer: among these levers sanctions pressure depends on China's stance above all (the
    # others move it only through the tests and launches that raise China's alarm)
    pressure = table[table["outcome"] == "sanctions_pressure_mean"].set_index("parameter")
    assert pressure.loc["china.stance", "S1"] > 0.7 and pressure.loc["china.stance", "ST"] > 0.7
    assert pressure["ST"].idxmax() == "china.stance"
    assert (out / "plots" / "sobol_missile_launches.png").is_file()
    assert json.loads((out / "sensitivity.json").read_text())["method"] == "sobol"
