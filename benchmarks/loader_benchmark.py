"""Costs of the checks on input: loading a scenario strictly, one sweep point, checking chunk identities.

    PYTHONPATH=. python benchmarks/loader_benchmark.py

Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sim.scenario import ScenarioSource, load_scenario
from sim.sweep.execute import plan
from sim.sweep.store import SweepStore, chunk_table
from sim.yamlfile import parse

ROOT = Path(__file__).resolve().parent.parent


def per_call(function, repeat: int) -> float:
    function()
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat


def main() -> None:
    hanoi = ROOT / "scenarios" / "hanoi_2019.yaml"
    text = hanoi.read_text()
    print(f"parse hanoi_2019.yaml (strict YAML, lines, bounds): {per_call(lambda: parse(text), 200) * 1e3:.2f} ms")
    print(f"load_scenario hanoi_2019.yaml (file, base, counterfactuals, schema): {per_call(lambda: load_scenario(hanoi), 50) * 1e3:.2f} ms")
    source = ScenarioSource(hanoi)
    source.load()
    print(f"one sweep point (ScenarioSource.load with one --set): "
          f"{per_call(lambda: source.load(['china.stance=0.4']), 200) * 1e3:.2f} ms")

    points, reps, chunk_reps = 500, 40, 10
    with tempfile.TemporaryDirectory() as folder:
        store = SweepStore(Path(folder) / "out")
        store.chunks.mkdir(parents=True)
        fingerprint = "f" * 64

        class Flat:  # a design without varied keys: the chunk files hold point, replicate and outcomes
            keys: list[str] = []

        outcomes = {"talks_opened": np.zeros(chunk_reps, dtype=bool), "peak_tension": np.zeros(chunk_reps)}
        chunks = list(plan(points, reps, chunk_reps))
        for chunk in chunks:
            pq.write_table(chunk_table(Flat(), chunk, outcomes, fingerprint), store.chunk_path(chunk.index))
        manifest = {"points": points, "reps": reps, "chunk_reps": chunk_reps, "fingerprint": fingerprint}
        started = time.perf_counter()
        done = store.finished(manifest)
        seconds = time.perf_counter() - started
        assert len(done) == len(chunks)
        print(f"--resume identity check: {len(chunks):,} chunk files in {seconds:.2f} s ({seconds / len(chunks) * 1e3:.2f} ms a chunk)")


if __name__ == "__main__":
    main()
