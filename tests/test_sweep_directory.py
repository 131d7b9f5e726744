"""A sweep directory has one owner and one identity: a second sweep on the same --out is refused
while the first runs; a copied, truncated, empty or foreign chunk is redone, never merged; a
changed model (dispositions, version) makes --resume refuse; an --out that cannot be written is
refused before any work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from sim.cli import main
from sim.errors import UserError
from sim.sweep.execute import Chunk
from sim.sweep.lock import LOCK_NAME, DirectoryLock
from sim.sweep.store import chunk_problem
from tests.conftest import HANOI, ROOT

ARGS = [str(HANOI), "--grid", "china.stance=0:1:3", "--reps", "20", "--chunk-reps", "10", "--seed", "4", "--quiet",
        "--workers", "1"]


def sweep(out: Path, *extra: str, args: list[str] = ARGS) -> int:
    return main(["sweep", *args, "--out", str(out), *extra])


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dir") / "finished"
    assert sweep(out) == 0
    return out


def copy_of(finished: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(finished, out)
    for name in ("results.parquet", "summary.parquet"):
        (out / name).unlink()
    return out


def same_tables(a: Path, b: Path) -> None:
    for name in ("results.parquet", "summary.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name))


# ---------------------------------------------------------------- identity of chunks


def test_a_chunk_copied_over_another_is_redone_not_merged(finished: Path, tmp_path: Path, capsys) -> None:
    out = copy_of(finished, tmp_path)
    shutil.copy(out / "chunks" / "chunk-0000000.parquet", out / "chunks" / "chunk-0000003.parquet")
    capsys.readouterr()
    assert sweep(out, "--resume") == 0
    err = capsys.readouterr().err
    assert "chunk-0000003.parquet: holds chunk 0 (point 0), not chunk 3 (point 1); redoing it" in err
    results = pd.read_parquet(out / "results.parquet")
    assert not results.duplicated(["point", "replicate"]).any() and len(results) == 3 * 20
    same_tables(out, finished)


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage"])
def test_a_truncated_or_empty_chunk_is_redone(finished: Path, tmp_path: Path, capsys, damage: str) -> None:
    out = copy_of(finished, tmp_path)
    path = out / "chunks" / "chunk-0000004.parquet"
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "empty": b"", "garbage": b"PAR1" + b"x" * 100}[damage])
    capsys.readouterr()
    assert sweep(out, "--resume") == 0
    assert "chunk-0000004.parquet: truncated or not a Parquet file; redoing it" in capsys.readouterr().err
    same_tables(out, finished)


def test_a_chunk_of_another_sweep_is_redone(finished: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "other"
    assert sweep(other, args=[*ARGS[:-5], "--seed", "5", "--quiet", "--workers", "1"]) == 0
    out = copy_of(finished, tmp_path)
    shutil.copy(other / "chunks" / "chunk-0000002.parquet", out / "chunks" / "chunk-0000002.parquet")
    capsys.readouterr()
    assert sweep(out, "--resume") == 0
    assert "chunk-0000002.parquet: belongs to another sweep; redoing it" in capsys.readouterr().err
    same_tables(out, finished)


def test_the_merge_refuses_a_chunk_that_is_not_what_its_identity_says(finished: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from sim.sweep.store import SweepStore

    out = copy_of(finished, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    path = out / "chunks" / "chunk-0000001.parquet"
    table = pq.read_table(path)
    replicate = table.column("replicate").to_numpy()
    table = table.set_column(table.column_names.index("replicate"), "replicate", pa.array(replicate[::-1].copy()))
    pq.write_table(table, path)  # the metadata is kept, the rows are not the chunk's
    store = SweepStore(out)
    with pytest.raises(UserError, match="chunk-0000001.parquet: its rows do not match its identity; not merged"):
        list(store.point_tables(manifest["points"], manifest["reps"], manifest["chunk_reps"], manifest["fingerprint"]))


def test_chunk_problem_names_what_is_wrong(finished: Path) -> None:
    manifest = json.loads((finished / "manifest.json").read_text())
    path = finished / "chunks" / "chunk-0000001.parquet"
    assert chunk_problem(path, Chunk(1, 0, 10, 10), manifest["fingerprint"]) is None
    assert chunk_problem(path, Chunk(1, 0, 10, 10), "0" * 64) == "belongs to another sweep"
    assert chunk_problem(path, Chunk(5, 2, 10, 10), manifest["fingerprint"]).startswith("holds chunk 1 (point 0)")


# ---------------------------------------------------------------- identity of the sweep


def test_resume_refuses_when_the_dispositions_changed(finished: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    from sim import dispositions

    out = copy_of(finished, tmp_path)
    values = json.loads(json.dumps(dispositions.calibrated_values()))
    values["dprk"]["sanctions_pain"] = values["dprk"]["sanctions_pain"] * 0.9  # within its bounds whatever the fit
    monkeypatch.setattr(dispositions, "calibrated_values", lambda: values)
    capsys.readouterr()
    assert sweep(out, "--resume") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a different sweep (the dispositions changed since it began" in err


def test_resume_refuses_another_version(finished: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    import importlib.metadata

    out = copy_of(finished, tmp_path)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0" if name == "peninsula" else real(name))
    capsys.readouterr()
    assert sweep(out, "--resume") == 2
    assert ", this is 99.0" in capsys.readouterr().err


def test_the_manifest_records_the_model_identity(finished: Path) -> None:
    manifest = json.loads((finished / "manifest.json").read_text())
    assert len(manifest["dispositions"]) == 64 and manifest["version"]


# ---------------------------------------------------------------- one owner


def test_the_lock_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    with DirectoryLock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())
        with pytest.raises(UserError, match=rf"another sweep \(pid {os.getpid()}\) is running there"):
            DirectoryLock(tmp_path).acquire()
    with DirectoryLock(tmp_path):  # released on exit
        pass


def test_a_lock_file_left_by_a_dead_process_does_not_block(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).write_text("999999999\n")  # no process holds it: the kernel dropped its lock
    with DirectoryLock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())


def test_two_different_sweeps_on_one_out_exactly_one_runs(tmp_path: Path, capsys) -> None:
    out = tmp_path / "shared"
    args = [str(HANOI), "--grid", "china.stance=0:1:8", "--reps", "40", "--chunk-reps", "10", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen([sys.executable, str(ROOT / "run_sim.py"), "sweep", *args, "--seed", "11", "--workers", "2",
                              "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "manifest.json").exists() and first.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    capsys.readouterr()
    second = main(["sweep", *args, "--seed", "12", "--workers", "1", "--out", str(out)])
    third = main(["sweep", *args, "--seed", "11", "--workers", "1", "--resume", "--out", str(out)])
    err = capsys.readouterr().err
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert second == 2 and err.count("error: ") == 2
    assert "another sweep (pid" in err or "holds a sweep already" in err
    assert third in (0, 2), "the same sweep resumed after the first finished, or was refused while it ran"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 11
    assert sweep(tmp_path / "alone", args=[*args, "--seed", "11", "--workers", "1"]) == 0
    same_tables(out, tmp_path / "alone")


# ---------------------------------------------------------------- where --out may be


@pytest.mark.parametrize("where", ["under-a-file", "proc", "a-file"])
def test_an_out_that_cannot_be_written_is_refused_before_work(tmp_path: Path, capsys, where: str) -> None:
    (tmp_path / "file").write_text("x")
    out = {"under-a-file": tmp_path / "file" / "out", "proc": Path("/proc/peninsula-out"), "a-file": tmp_path / "file"}[where]
    capsys.readouterr()
    assert sweep(out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: --out {out}"), err
    assert not Path("/proc/peninsula-out").exists()
