"""The sweep command end to end: tables, same results on 1 or 2 workers and on Dask, kill -9
and --resume, sensitivity of the Hanoi case, months to an event where it happened, and bad
input stopped before any work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.commands.common import fmt, percent
from sim.runner import simulate
from sim.scenario import load_scenario
from sim.sweep.execute import chunk_seed

ROOT = Path(__file__).resolve().parent.parent
HANOI = str(ROOT / "scenarios" / "hanoi_2019.yaml")
AGREED = str(ROOT / "scenarios" / "agreed_framework_1994.yaml")
GRID = ["--grid", "us.sequencing=disarm_first,action_for_action", "--grid", "china.stance=0:1:3"]
SMALL = [HANOI, *GRID, "--reps", "40", "--chunk-reps", "20", "--seed", "5", "--quiet"]


def sweep(out: Path, *extra: str, args: list[str] = SMALL) -> int:
    return main(["sweep", *args, "--out", str(out), *extra])


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "one-worker"
    assert sweep(out, "--workers", "1") == 0
    return out


def files_equal(a: Path, b: Path) -> None:
    for name in ("results.parquet", "summary.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name))
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs byte for byte"


# ---------------------------------------------------------------- tables


def test_results_are_tidy_one_row_per_point_and_replication(reference: Path) -> None:
    results = pd.read_parquet(reference / "results.parquet")
    assert list(results.columns[:4]) == ["point", "us.sequencing", "china.stance", "replicate"]
    assert len(results) == 6 * 40
    assert results.groupby("point")["replicate"].apply(list).map(lambda r: r == list(range(40))).all()
    points = results.drop_duplicates("point")
    assert list(points["us.sequencing"]) == ["disarm_first"] * 3 + ["action_for_action"] * 3
    assert list(points["china.stance"]) == [0.0, 0.5, 1.0] * 2
    assert results["talks_opened"].dtype == bool
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["points"] == 6 and manifest["reps"] == 40 and manifest["keys"] == ["us.sequencing", "china.stance"]
    assert len(list((reference / "chunks").glob("chunk-*.parquet"))) == 12


def test_summary_holds_each_points_mean_and_interval(reference: Path) -> None:
    results = pd.read_parquet(reference / "results.parquet")
    summary = pd.read_parquet(reference / "summary.parquet")
    outcomes = list(results.columns[4:])
    assert len(summary) == 6 * len(outcomes)
    means = results.groupby("point")[outcomes].mean()
    for outcome in ("talks_opened", "missile_launches", "peak_tension"):
        rows = summary[summary["outcome"] == outcome].set_index("point")
        np.testing.assert_allclose(rows["mean"], means[outcome])
        assert (rows["ci_low"] <= rows["mean"]).all() and (rows["mean"] <= rows["ci_high"]).all()
        assert (rows["n"] == 40).all()
    pressure = summary[summary["outcome"] == "sanctions_pressure_mean"].set_index("point")["mean"]
    assert pressure[2] > pressure[1] > pressure[0] and pressure[5] > pressure[4] > pressure[3], \
        "each point runs its own what-if: sanctions bite more as China enforces more"


def test_each_chunk_is_the_model_run_with_its_derived_seed(reference: Path) -> None:
    chunk = pq.read_table(reference / "chunks" / "chunk-0000007.parquet").to_pandas()  # point 3, second block
    assert chunk["point"].unique().tolist() == [3] and chunk["replicate"].tolist() == list(range(20, 40))
    run = simulate(HANOI, 20, chunk_seed(5, 7), overrides=["us.sequencing=action_for_action", "china.stance=0.0"],
                   record_events=0, record_series=False)
    for name, values in run.outcomes.items():
        np.testing.assert_array_equal(chunk[name].to_numpy(), values)


def test_months_to_an_event_are_summarised_over_the_runs_where_it_happened(tmp_path: Path, capsys) -> None:
    """As ``run`` does (``sim.stats.summarize_outcomes``): beside the share in which the event happened,
    no figure where it never did, never the horizon+1 that stands for 'never' in a chunk."""
    # at the Agreed Framework (seed 5), US verification 0.3 always brings a deal where the DPRK accepts
    # verification up to 0.5, 0.6 nearly always; where it accepts none, 0.6 and more never do
    args = [AGREED, "--grid", "us.verification=0.3,0.6,1.0", "--grid", "dprk.verification_limit=0.0,0.5", "--reps", "40",
            "--chunk-reps", "20", "--seed", "5", "--workers", "1"]
    out = tmp_path / "waits"
    capsys.readouterr()
    assert sweep(out, "--outcome", "months_to_agreement", "--outcome", "months_to_collapse", args=args) == 0
    printed = capsys.readouterr().out
    horizon = load_scenario(AGREED).months
    chunks = pd.concat([pd.read_parquet(p) for p in sorted((out / "chunks").glob("chunk-*.parquet"))])
    results = pd.read_parquet(out / "results.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    cases = set()
    for name in ("months_to_talks", "months_to_agreement", "months_to_collapse"):
        rows = summary[summary["outcome"] == name].set_index("point")
        for point, group in chunks.groupby("point"):
            months = group[name].to_numpy()
            happened = months <= horizon
            row = rows.loc[point]
            assert row["n"] == 40 and row["happened"] == pytest.approx(happened.mean())
            stored = results.loc[results["point"] == point, name].to_numpy(dtype=float)
            np.testing.assert_array_equal(stored, np.where(happened, months, np.nan), err_msg="never is missing in results")
            if happened.any():
                assert row["mean"] == pytest.approx(months[happened].mean())
                if happened.sum() > 1:
                    assert months[happened].min() <= row["ci_low"] <= row["mean"] <= row["ci_high"] <= months[happened].max()
                else:  # one run is no sample to draw an interval from (as in run and compare)
                    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
                if name != "months_to_talks":
                    assert f"{fmt(row['mean'])} (in {percent(row['happened'])})" in printed
            else:
                assert row[["mean", "ci_low", "ci_high", "median", "p10", "p90"]].isna().all()
            cases.add("never" if not happened.any() else "always" if happened.all() else "sometimes")
    assert cases == {"never", "sometimes", "always"}, "the design holds each case"
    assert summary.loc[~summary["outcome"].str.startswith("months_to_"), "happened"].isna().all()
    assert "never" in printed and str(horizon + 1) not in printed


# ---------------------------------------------------------------- same results anywhere


def test_two_workers_give_identical_tables(reference: Path, tmp_path: Path) -> None:
    assert sweep(tmp_path / "two", "--workers", "2") == 0
    files_equal(reference, tmp_path / "two")


def test_a_dask_cluster_gives_identical_tables(reference: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=50) as cluster:
        assert sweep(tmp_path / "dask", "--cluster", cluster.scheduler_address) == 0
    files_equal(reference, tmp_path / "dask")


def test_csv_tables_hold_the_same_rows_and_plot_draws_a_heat_map(reference: Path, tmp_path: Path) -> None:
    assert sweep(tmp_path / "csv", "--workers", "1", "--csv", "--plot", "--outcome", "talks_opened") == 0
    as_csv = pd.read_csv(tmp_path / "csv" / "results.csv")
    as_parquet = pd.read_parquet(reference / "results.parquet")
    pd.testing.assert_frame_equal(as_csv, as_parquet, check_dtype=False)
    assert not (tmp_path / "csv" / "results.parquet").exists()
    png = tmp_path / "csv" / "plots" / "grid_talks_opened.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- kill -9 and --resume


def test_a_killed_sweep_resumes_to_the_same_table_redoing_no_finished_chunk(tmp_path: Path, capsys) -> None:
    args = [HANOI, "--grid", "china.stance=0:1:12", "--reps", "40", "--chunk-reps", "20", "--seed", "11", "--quiet"]
    total = 12 * 2
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), "sweep", *args, "--out", str(killed), "--workers", "1"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(list((killed / "chunks").glob("chunk-*.parquet"))) < 3:
        assert process.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (killed / "chunks").glob("chunk-*.parquet")}
    assert 3 <= len(before) < total, "killed part-way"
    assert not (killed / "results.parquet").exists()

    capsys.readouterr()
    assert sweep(killed, "--workers", "2", "--resume", args=args) == 0
    assert f"({len(before)} of {total} chunks already done)" in capsys.readouterr().out
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (killed / "chunks").glob("chunk-*.parquet")}
    assert len(after) == total
    assert {name: after[name] for name in before} == before, "a finished chunk was written again"
    assert not list(killed.rglob(".*.tmp-*"))

    assert sweep(tmp_path / "whole", "--workers", "1", args=args) == 0
    files_equal(killed, tmp_path / "whole")


def test_an_existing_sweep_is_never_overwritten_or_mixed(reference: Path, capsys) -> None:
    capsys.readouterr()
    assert sweep(reference, "--workers", "1") == 2
    assert "holds a sweep already" in capsys.readouterr().err
    assert sweep(reference, "--workers", "1", "--resume", "--reps", "41") == 2
    assert "holds a different sweep" in capsys.readouterr().err


# ---------------------------------------------------------------- a sample


def test_a_morris_sample_gives_effects_per_lever(tmp_path: Path) -> None:
    out = tmp_path / "morris"
    args = [HANOI, "--sample", "morris", "--n", "4", "--range", "china.stance=0:1", "--range", "us.verification=0.3:1",
            "--range", "dprk.sanctions_pain=0.5:2", "--reps", "50", "--seed", "2", "--quiet"]
    assert sweep(out, "--workers", "2", args=args) == 0
    summary = pd.read_parquet(out / "summary.parquet")
    assert summary["point"].nunique() == 4 * (3 + 1)
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["outcome", "parameter", "mu", "mu_star", "mu_star_conf", "sigma"]
    launches = table[table["outcome"] == "missile_launches"].set_index("parameter")
    assert np.isfinite(launches[["mu", "mu_star", "sigma"]].to_numpy()).all()
    assert (launches["mu_star"] >= launches["mu"].abs() - 1e-9).all()
    pressure = table[table["outcome"] == "sanctions_pressure_mean"].set_index("parameter")
    assert pressure["mu_star"].idxmax() == "china.stance", "China's stance sets how hard the sanctions bite"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--grid", "china.stanse=0:1:3"], ["china.stanse", "did you mean 'stance'"]),
        (["--grid", "china.stance=0:1:0"], ["china.stance", "empty"]),
        (["--sample", "sobol", "--n", "8", "--range", "china.stance=1:1", "--range", "us.verification=0:1"], ["empty range"]),
        (["--grid", "china.stance=0:2:3"], ["china.stance", "less than or equal to 1"]),
        (["--grid", "us.precondition=none,denuclearization_first"], ["us.precondition", "denuclearization_first"]),
        (["--grid", "china.stance=0:1:3", "--cluster", "tcp://127.0.0.1:1"], ["--cluster tcp://127.0.0.1:1", "cannot reach"]),
        (["--grid", "china.stance=0:1:3", "--outcome", "talks_open"], ["--outcome talks_open", "did you mean"]),
        (["--spec", "missing.yaml"], ["missing.yaml", "no such spec file"]),
        (["--sample", "morris", "--n", "2", "--range", "china.stance=0:1", "--range", "us.verification=0:1", "--levels", "1"],
         ["--levels 1: Input should be greater than or equal to 2"]),
        (["--sample", "morris", "--n", "2", "--range", "china.stance=0:1", "--range", "us.verification=0:1", "--levels", "65"],
         ["--levels 65: Input should be less than or equal to 64"]),
        (["--sample", "morris", "--n", "2", "--range", "china.stance=0:1", "--range", "us.verification=0:1", "--second-order"],
         ["--second-order", "applies to a Sobol sample only"]),
        (["--spec", str(ROOT / "scenarios" / "sweeps" / "hanoi_sobol.yaml"), "--n", "2", "--levels", "1"],
         ["--levels 1: Input should be greater than or equal to 2"]),
        (["--grid", "shocks.enrichment_2002.date=2002-04,2002-10"],
         ["--grid shocks.enrichment_2002.date=2002-04,2002-10: shocks cannot be swept", "--set shocks.enrichment_2002.date="]),
        (["--sample", "sobol", "--n", "8", "--range", "shocks.enrichment_2002.window=1:6", "--range", "china.stance=0:1"],
         ["--range shocks.enrichment_2002.window=1:6: shocks cannot be swept"]),
    ],
)
def test_bad_sweeps_stop_with_one_line_before_any_work(tmp_path: Path, capsys, extra: list[str], words: list[str]) -> None:
    out = tmp_path / "never"
    capsys.readouterr()
    assert main(["sweep", HANOI, "--reps", "5", "--out", str(out), "--quiet", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    for word in words:
        assert word in err
    assert not out.exists()


@pytest.mark.parametrize(
    "design",
    [
        [HANOI, "--grid", "china.stance=0:1.5:4"],
        [HANOI, "--sample", "morris", "--n", "2", "--range", "china.stance=0:1", "--range", "us.verification=0:1", "--levels", "1"],
        [AGREED, "--grid", "shocks.enrichment_2002.date=2002-04,2002-10"],
    ],
)
def test_the_command_line_prints_one_line_and_no_traceback(tmp_path: Path, design: list[str]) -> None:
    out = tmp_path / "never"
    result = subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "sweep", *design, "--reps", "5", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert not out.exists()
