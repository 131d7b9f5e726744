"""A sweep's output directory: chunk files, the manifest, the tidy table and the summary.

Layout of ``DIR``::

    manifest.json        what the sweep is (scenario, design, reps, seed) and its fingerprint
    chunks/chunk-NNNNNNN.parquet   one file per finished chunk, written whole or not at all
    results.parquet      one row per point and replication: point, parameters, replicate, outcomes
    summary.parquet      one row per point and outcome: n, happened, mean, 95% interval, median, p10, p90
    (``.csv`` instead of ``.parquet`` for the two tables with ``--csv``)

Every file is written to a temporary name and moved into place with ``os.replace``, so a
``kill -9`` at any moment leaves finished chunks intact and no half-written file under a
final name. One sweep at a time holds the directory (``sweep.lock``, see ``sim.sweep.lock``).
Each chunk file carries its identity in its Parquet metadata (chunk index, point, first
replicate, replicate count, the sweep's fingerprint); ``--resume`` keeps only the chunks whose
identity and row count match what the sweep expects there and redoes the rest (a truncated,
copied or foreign file is never merged), and the merge checks every chunk again.

A ``months_to_X`` outcome is horizon+1 in a chunk file when X never happened; the results table
holds it missing (null, an empty CSV cell) instead, and the summary reads it as ``run`` does
(``sim.stats.summarize_outcomes``): over the replications in which X happened, with their share
in ``happened`` and no figure at all where it never did.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.errors import UserError
from sim.stats import happened, summarize_outcomes
from sim.sweep.execute import Chunk, Outcomes, blocks_per_point, plan
from sim.sweep.lock import LOCK_NAME, DirectoryLock
from sim.sweep.spec import Design

_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string()}
SUMMARY_STATS = ("mean", "ci_low", "ci_high", "median", "p10", "p90")
"""The figures of a summary row, after ``n`` (the point's replications) and ``happened`` (for a
``months_to_X``, the share of them in which X happened; the figures are over those alone)."""
SUMMARY_BATCH = 50_000  # summary rows held before they are written


CHUNK_KEY = b"peninsula.chunk"
IDENTITY_KEYS = ("kind", "keys", "fixed", "reps", "chunk_reps", "seed", "point", "version", "dispositions")


def model_identity() -> dict[str, str]:
    """What the model is, beside the scenario: the package version and a hash of the calibrated
    dispositions (``sim/dispositions.yaml`` as read, and the posterior ensemble ``sim/posterior.csv``)."""
    from importlib.metadata import PackageNotFoundError, version

    from sim.dispositions import calibrated_values
    from sim.ensemble import ENSEMBLE_FILE

    try:
        package = version("peninsula")
    except PackageNotFoundError:
        package = "unknown"
    values = json.dumps(calibrated_values(), sort_keys=True, default=str).encode()
    posterior = ENSEMBLE_FILE.read_bytes() if ENSEMBLE_FILE.exists() else b""
    return {"version": package, "dispositions": hashlib.sha256(values + posterior).hexdigest()}


def fingerprint(manifest: dict[str, Any], design: Design, scenario: dict[str, Any]) -> str:
    """A hash of everything the results depend on: the scenario after ``--set``, every point, reps,
    chunking, seed, the package version and the dispositions."""
    digest = hashlib.sha256()
    digest.update(json.dumps({k: manifest.get(k) for k in IDENTITY_KEYS}, sort_keys=True).encode())
    digest.update(json.dumps(scenario, sort_keys=True, default=str).encode())
    for texts in design.texts:
        digest.update(("\x1f".join(texts) + "\x1e").encode())
    return digest.hexdigest()


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` and move the result to ``path`` in one step."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class SweepStore:
    """The output directory of one sweep."""

    def __init__(self, out: str | Path, csv: bool = False) -> None:
        self.out = Path(out)
        self.csv = csv
        self.chunks = self.out / "chunks"
        self.manifest_path = self.out / "manifest.json"
        self.lock: DirectoryLock | None = None

    # ------------------------------------------------------------ before any work

    def check(self, manifest: dict[str, Any], resume: bool) -> None:
        """Refuse to mix sweeps or overwrite one, or an --out that cannot be written; writes nothing."""
        self._check_writable()
        if self.manifest_path.is_file() or self.manifest_path.is_symlink():
            try:
                old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
                if not isinstance(old, dict):
                    raise ValueError("not a mapping")
            except (OSError, ValueError):
                raise UserError(f"{self.manifest_path}: unreadable manifest; choose another --out") from None
            if not resume:
                raise UserError(f"--out {self.out}: holds a sweep already; add --resume to finish it or choose another --out")
            if old.get("fingerprint") != manifest["fingerprint"]:
                raise UserError(f"--out {self.out}: holds a different sweep ({_difference(old, manifest)}); "
                                "--resume needs the same command, scenario, dispositions and version")
        elif self.out.is_dir() and any(p.name != LOCK_NAME for p in self.out.iterdir()):
            raise UserError(f"--out {self.out}: the directory is not empty and holds no sweep; choose another --out")

    def _check_writable(self) -> None:
        if self.out.exists() and not self.out.is_dir():
            raise UserError(f"--out {self.out}: exists and is not a directory")
        existing = self.out
        while not existing.exists():
            if existing.parent == existing:
                break
            existing = existing.parent
        if not existing.is_dir():
            raise UserError(f"--out {self.out}: {existing} is a file, not a directory")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise UserError(f"--out {self.out}: {existing} is not writable")

    def open(self, manifest: dict[str, Any], resume: bool) -> set[int]:
        """Create the directory, take its lock, check again under the lock, write the manifest,
        drop stale temporary files; return the chunks already finished (checked one by one)."""
        created = not self.out.exists()
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"--out {self.out}: cannot create the directory ({error.strerror or error})") from None
        self.lock = DirectoryLock(self.out)
        self.lock.acquire()
        try:
            self.check(manifest, resume)
            self.chunks.mkdir(exist_ok=True)
            if not self.manifest_path.is_file():
                atomic_write(self.manifest_path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8"))
        except BaseException:
            self.close()
            if created:
                for path in (self.out / LOCK_NAME, self.chunks, self.out):
                    with contextlib.suppress(OSError):
                        path.rmdir() if path.is_dir() else path.unlink()
            raise
        for stale in [*self.chunks.glob(".*.tmp-*"), *self.out.glob(".*.tmp-*")]:
            stale.unlink(missing_ok=True)
        return self.finished(manifest)

    def close(self) -> None:
        """Release the directory's lock."""
        if self.lock is not None:
            self.lock.release()

    def finished(self, manifest: dict[str, Any]) -> set[int]:
        """The chunks whose files hold exactly what the sweep expects there; any other chunk file
        (truncated, empty, copied from another chunk or another sweep) is removed to be redone."""
        expected = {c.index: c for c in plan(manifest["points"], manifest["reps"], manifest["chunk_reps"])}
        done: set[int] = set()
        for path in sorted(self.chunks.glob("chunk-*.parquet")):
            stem = path.stem.removeprefix("chunk-")
            chunk = expected.get(int(stem)) if stem.isdigit() else None
            problem = "not a chunk of this sweep" if chunk is None else chunk_problem(path, chunk, manifest["fingerprint"])
            if problem is None:
                done.add(chunk.index)
            else:
                sys.stderr.write(f"{path}: {problem}; redoing it\n")
                path.unlink()
        return done

    # ------------------------------------------------------------ while running

    def chunk_path(self, index: int) -> Path:
        return self.chunks / f"chunk-{index:07d}.parquet"

    def write_chunk(self, design: Design, chunk: Chunk, outcomes: Outcomes, fingerprint: str) -> Path:
        path = self.chunk_path(chunk.index)
        table = chunk_table(design, chunk, outcomes, fingerprint)
        atomic_write(path, lambda tmp: pq.write_table(table, tmp))
        return path

    # ------------------------------------------------------------ at the end

    def point_tables(self, points: int, reps: int, chunk_reps: int, fingerprint: str) -> Iterator[tuple[int, pa.Table]]:
        """Each point's rows, read from its chunk files, one point in memory at a time; every chunk's
        identity and rows are checked against the plan before it is merged."""
        blocks = blocks_per_point(reps, chunk_reps)
        chunks = plan(points, reps, chunk_reps)
        for point in range(points):
            tables = []
            for _ in range(blocks):
                chunk = next(chunks)
                path = self.chunk_path(chunk.index)
                if not path.is_file():
                    raise UserError(f"{self.chunks}: chunk {path.name} is missing; rerun with --resume")
                problem = chunk_problem(path, chunk, fingerprint)
                table = None
                if problem is None:
                    table = _read_chunk(path)
                    problem = "unreadable" if table is None else _rows_problem(table, chunk)
                if problem is not None:
                    raise UserError(f"{path}: {problem}; not merged, rerun with --resume to redo it")
                tables.append(table)
            yield point, pa.concat_tables(tables)

    def finish(self, design: Design, reps: int, chunk_reps: int, fingerprint: str,
               horizon: int) -> tuple[Path, Path, dict[str, np.ndarray]]:
        """Write the tidy table and the summary, streaming point by point; return their paths and
        each outcome's mean per point (what sensitivity analysis reads; NaN for a ``months_to_X``
        at a point where X never happened). ``horizon``: the scenario's months (horizon+1 is never)."""
        suffix = "csv" if self.csv else "parquet"
        paths = {"results": self.out / f"results.{suffix}", "summary": self.out / f"summary.{suffix}"}
        tmps = {name: path.with_name(f".{path.name}.tmp-{os.getpid()}") for name, path in paths.items()}
        summary_schema = pa.schema([("point", pa.int64()), *((k, _TYPES[design.column_type(k)]) for k in design.keys),
                                    ("outcome", pa.string()), ("n", pa.int64()), ("happened", pa.float64()),
                                    *((k, pa.float64()) for k in SUMMARY_STATS)])
        means: dict[str, np.ndarray] = {}
        rows: list[dict[str, Any]] = []
        writers: dict[str, Any] = {"summary": _table_writer(tmps["summary"], summary_schema, self.csv)}
        schema = None
        try:
            for point, table in self.point_tables(len(design), reps, chunk_reps, fingerprint):
                if schema is None:
                    schema = table.schema
                    writers["results"] = _table_writer(tmps["results"], schema, self.csv)
                writers["results"].write_table(_never_missing(table, horizon).cast(schema))
                keys = {k: design.column_value(k, point) for k in design.keys}
                names = table.column_names[len(design.keys) + 2:]
                summaries = summarize_outcomes({name: table.column(name).to_numpy(zero_copy_only=False) for name in names}, horizon)
                for name, s in summaries.items():
                    means.setdefault(name, np.full(len(design), np.nan))[point] = np.nan if s["mean"] is None else s["mean"]
                    rows.append({"point": point, **keys, "outcome": name, "n": table.num_rows, "happened": s.get("happened"),
                                 **{k: s[k] for k in SUMMARY_STATS}})
                if len(rows) >= SUMMARY_BATCH:
                    writers["summary"].write_table(pa.Table.from_pylist(rows, schema=summary_schema))
                    rows.clear()
            if rows:
                writers["summary"].write_table(pa.Table.from_pylist(rows, schema=summary_schema))
            for writer in writers.values():
                writer.close()
            writers.clear()
            for name, path in paths.items():
                os.replace(tmps[name], path)
        finally:
            for writer in writers.values():
                writer.close()
            for tmp in tmps.values():
                tmp.unlink(missing_ok=True)
        return paths["results"], paths["summary"], means


def _never_missing(table: pa.Table, horizon: int) -> pa.Table:
    """``table`` with each ``months_to_X`` beyond ``horizon`` (X never happened) made missing."""
    for index, name in enumerate(table.column_names):
        if name.startswith("months_to_"):
            column = table.column(index)
            never = pa.array(~happened(name, column.to_numpy(), horizon))
            table = table.set_column(index, name, pc.if_else(never, pa.scalar(None, column.type), column))
    return table


def chunk_table(design: Design, chunk: Chunk, outcomes: Outcomes, fingerprint: str = "") -> pa.Table:
    """The tidy rows of one chunk: point, parameters, replicate, then every outcome; the chunk's
    identity (index, point, replicates, the sweep's fingerprint) in the schema's metadata."""
    n = chunk.reps
    columns: dict[str, pa.Array] = {"point": pa.array(np.full(n, chunk.point, dtype=np.int64))}
    for key in design.keys:
        kind = _TYPES[design.column_type(key)]
        columns[key] = pa.repeat(pa.scalar(design.column_value(key, chunk.point), type=kind), n)
    columns["replicate"] = pa.array(np.arange(chunk.first, chunk.first + n, dtype=np.int64))
    for name, values in outcomes.items():
        columns[name] = pa.array(np.asarray(values))
    return pa.table(columns).replace_schema_metadata({CHUNK_KEY: json.dumps(_identity(chunk, fingerprint)).encode()})


def _identity(chunk: Chunk, fingerprint: str) -> dict[str, Any]:
    return {"index": chunk.index, "point": chunk.point, "first": chunk.first, "reps": chunk.reps, "fingerprint": fingerprint}


def chunk_problem(path: Path, chunk: Chunk, fingerprint: str) -> str | None:
    """What is wrong with the file ``path`` as chunk ``chunk`` of the sweep ``fingerprint``, or None."""
    try:
        meta = pq.read_metadata(path)
        stored = json.loads((meta.schema.to_arrow_schema().metadata or {}).get(CHUNK_KEY, b"null"))
    except (OSError, ValueError, pa.ArrowException):
        return "truncated or not a Parquet file"
    if not isinstance(stored, dict):
        return "holds no chunk identity"
    if stored.get("fingerprint") != fingerprint:
        return "belongs to another sweep"
    if stored != _identity(chunk, fingerprint):
        return f"holds chunk {stored.get('index')} (point {stored.get('point')}), not chunk {chunk.index} (point {chunk.point})"
    if meta.num_rows != chunk.reps:
        return f"holds {meta.num_rows} rows, not {chunk.reps}"
    return None


def _read_chunk(path: Path) -> pa.Table | None:
    try:
        return pq.read_table(path)
    except (OSError, ValueError, pa.ArrowException):
        return None


def _rows_problem(table: pa.Table, chunk: Chunk) -> str | None:
    """Whether the rows are the chunk's own: its point, its replicates in order."""
    points = table.column("point").to_numpy() if "point" in table.column_names else None
    replicates = table.column("replicate").to_numpy() if "replicate" in table.column_names else None
    if points is None or replicates is None or len(points) != chunk.reps:
        return "its rows do not match its identity"
    if not (points == chunk.point).all() or not np.array_equal(replicates, np.arange(chunk.first, chunk.first + chunk.reps)):
        return "its rows do not match its identity"
    return None


def _difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Which part of two manifests differs, in words."""
    if "dispositions" not in old or "version" not in old:
        return "made by an earlier peninsula, whose manifests did not record the model"
    if old.get("dispositions") != new.get("dispositions"):
        return "the dispositions changed since it began (sim/dispositions.yaml or sim/posterior.csv)"
    if old.get("version") != new.get("version"):
        return f"made by version {old.get('version')}, this is {new.get('version')}"
    parts = [k for k in ("scenario_name", "kind", "keys", "fixed", "points", "reps", "chunk_reps", "seed") if old.get(k) != new.get(k)]
    return "other " + ", ".join(parts) if parts else "other scenario contents or points"



def _table_writer(path: Path, schema: pa.Schema, csv: bool) -> Any:
    if csv:
        import pyarrow.csv as pacsv

        return pacsv.CSVWriter(str(path), schema)
    return pq.ParquetWriter(str(path), schema)
