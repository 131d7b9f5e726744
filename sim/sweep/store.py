"""A sweep's output directory: chunk files, the manifest, the tidy table and the summary.

Layout of ``DIR``::

    manifest.json        what the sweep is (scenario, design, reps, seed) and its fingerprint
    chunks/chunk-NNNNNNN.parquet   one file per finished chunk, written whole or not at all
    results.parquet      one row per point and replication: point, parameters, replicate, outcomes
    summary.parquet      one row per point and outcome: n, mean, 95% interval, median, p10, p90
    (``.csv`` instead of ``.parquet`` for the two tables with ``--csv``)

Every file is written to a temporary name and moved into place with ``os.replace``, so a
``kill -9`` at any moment leaves finished chunks intact and no half-written file under a
final name; ``--resume`` trusts the chunk files it finds and redoes only the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import UserError
from sim.stats import summarize
from sim.sweep.execute import Chunk, Outcomes, blocks_per_point
from sim.sweep.spec import Design

_TYPES = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string()}
SUMMARY_STATS = ("n", "mean", "ci_low", "ci_high", "median", "p10", "p90")
SUMMARY_BATCH = 50_000  # summary rows held before they are written


def fingerprint(manifest: dict[str, Any], design: Design, scenario: dict[str, Any]) -> str:
    """A hash of everything the results depend on: the scenario, every point, reps, chunking, seed."""
    digest = hashlib.sha256()
    digest.update(json.dumps({k: manifest[k] for k in ("kind", "keys", "fixed", "reps", "chunk_reps", "seed")},
                             sort_keys=True).encode())
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

    # ------------------------------------------------------------ before any work

    def check(self, manifest: dict[str, Any], resume: bool) -> None:
        """Refuse to mix sweeps or overwrite one; writes nothing."""
        if self.out.exists() and not self.out.is_dir():
            raise UserError(f"--out {self.out}: exists and is not a directory")
        if self.manifest_path.is_file():
            try:
                old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise UserError(f"{self.manifest_path}: unreadable manifest; choose another --out") from None
            if not resume:
                raise UserError(f"--out {self.out}: holds a sweep already; add --resume to finish it or choose another --out")
            if old.get("fingerprint") != manifest["fingerprint"]:
                raise UserError(f"--out {self.out}: holds a different sweep (other scenario, points, reps, chunking "
                                "or seed); --resume needs the same command")
        elif self.out.is_dir() and any(self.out.iterdir()):
            raise UserError(f"--out {self.out}: the directory is not empty and holds no sweep; choose another --out")

    def start(self, manifest: dict[str, Any]) -> set[int]:
        """Create the directory and manifest; drop stale temporary files; return finished chunks."""
        self.chunks.mkdir(parents=True, exist_ok=True)
        if not self.manifest_path.is_file():
            atomic_write(self.manifest_path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8"))
        for stale in [*self.chunks.glob(".*.tmp-*"), *self.out.glob(".*.tmp-*")]:
            stale.unlink(missing_ok=True)
        return self.finished()

    def finished(self) -> set[int]:
        return {int(p.stem.removeprefix("chunk-")) for p in self.chunks.glob("chunk-*.parquet")}

    # ------------------------------------------------------------ while running

    def chunk_path(self, index: int) -> Path:
        return self.chunks / f"chunk-{index:07d}.parquet"

    def write_chunk(self, design: Design, chunk: Chunk, outcomes: Outcomes) -> Path:
        path = self.chunk_path(chunk.index)
        table = chunk_table(design, chunk, outcomes)
        atomic_write(path, lambda tmp: pq.write_table(table, tmp))
        return path

    # ------------------------------------------------------------ at the end

    def point_tables(self, points: int, reps: int, chunk_reps: int) -> Iterator[tuple[int, pa.Table]]:
        """Each point's rows, read from its chunk files, one point in memory at a time."""
        blocks = blocks_per_point(reps, chunk_reps)
        for point in range(points):
            paths = [self.chunk_path(point * blocks + b) for b in range(blocks)]
            missing = [p.name for p in paths if not p.is_file()]
            if missing:
                raise UserError(f"{self.chunks}: chunk {missing[0]} is missing; rerun with --resume")
            yield point, pa.concat_tables([pq.read_table(p) for p in paths])

    def finish(self, design: Design, reps: int, chunk_reps: int) -> tuple[Path, Path, dict[str, np.ndarray]]:
        """Write the tidy table and the summary, streaming point by point; return their paths and
        each outcome's mean per point (what sensitivity analysis reads)."""
        suffix = "csv" if self.csv else "parquet"
        paths = {"results": self.out / f"results.{suffix}", "summary": self.out / f"summary.{suffix}"}
        tmps = {name: path.with_name(f".{path.name}.tmp-{os.getpid()}") for name, path in paths.items()}
        summary_schema = pa.schema([("point", pa.int64()), *((k, _TYPES[design.column_type(k)]) for k in design.keys),
                                    ("outcome", pa.string()), ("n", pa.int64()), *((k, pa.float64()) for k in SUMMARY_STATS[1:])])
        means: dict[str, np.ndarray] = {}
        rows: list[dict[str, Any]] = []
        writers: dict[str, Any] = {"summary": _table_writer(tmps["summary"], summary_schema, self.csv)}
        schema = None
        try:
            for point, table in self.point_tables(len(design), reps, chunk_reps):
                if schema is None:
                    schema = table.schema
                    writers["results"] = _table_writer(tmps["results"], schema, self.csv)
                writers["results"].write_table(table.cast(schema))
                keys = {k: design.column_value(k, point) for k in design.keys}
                for name in table.column_names[len(design.keys) + 2:]:
                    s = summarize(table.column(name).to_numpy(zero_copy_only=False))
                    means.setdefault(name, np.full(len(design), np.nan))[point] = s["mean"]
                    rows.append({"point": point, **keys, "outcome": name, "n": table.num_rows, **{k: s[k] for k in SUMMARY_STATS[1:]}})
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


def chunk_table(design: Design, chunk: Chunk, outcomes: Outcomes) -> pa.Table:
    """The tidy rows of one chunk: point, parameters, replicate, then every outcome."""
    n = chunk.reps
    columns: dict[str, pa.Array] = {"point": pa.array(np.full(n, chunk.point, dtype=np.int64))}
    for key in design.keys:
        kind = _TYPES[design.column_type(key)]
        columns[key] = pa.repeat(pa.scalar(design.column_value(key, chunk.point), type=kind), n)
    columns["replicate"] = pa.array(np.arange(chunk.first, chunk.first + n, dtype=np.int64))
    for name, values in outcomes.items():
        columns[name] = pa.array(np.asarray(values))
    return pa.table(columns)


def _table_writer(path: Path, schema: pa.Schema, csv: bool) -> Any:
    if csv:
        import pyarrow.csv as pacsv

        return pacsv.CSVWriter(str(path), schema)
    return pq.ParquetWriter(str(path), schema)
