#!/usr/bin/env python3
"""Benchmark (prints figures; not a test): what a particle of the calibration costs, alone and in a batch.

    python benchmarks/calibration_benchmark.py [--alone 10] [--batch 1000] [--chunks 2000,6000] [--threads] [--full]

A particle is one set of dispositions run ``--particle-reps`` times (4) on each of the six
observed cases. Run alone, as a per-particle sampler (pyabc's) would, it pays the model's
month-by-month cost by itself; run in a batch as per-replica dispositions, a thousand share it.
``--chunks`` times the batch at other chunk sizes (``calibration.CHUNK_REPLICAS``); ``--threads``
times 10,000 replications of the Agreed Framework with the BLAS libraries at their default number
of threads and at the one thread ``DiplomacyModel.run`` holds them to.
``--full`` also times the whole calibration as ``python run_sim.py calibrate`` runs it (on one
worker per core) and the leave-one-out validation's first fold.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from sim import calibration
from sim.calibration import PARAMETERS, Distance, Settings, calibrate, cases, current_vector
from sim.ensemble import shipped
from sim.model import DiplomacyModel
from sim.scenario import load_scenario
from sim.sweep.execute import make_executor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alone", type=int, default=10, help="particles run one at a time")
    parser.add_argument("--batch", type=int, default=1000, help="particles run together")
    parser.add_argument("--chunks", default="", help="also time the batch at these chunk sizes, e.g. 2000,6000")
    parser.add_argument("--threads", action="store_true", help="also time a large run at BLAS's default threads and at one")
    parser.add_argument("--full", action="store_true", help="also time the whole calibration (minutes)")
    args = parser.parse_args()

    settings = Settings()
    rng = np.random.default_rng(0)
    low, high = np.array([p.low for p in PARAMETERS]), np.array([p.high for p in PARAMETERS])
    particles = np.clip(current_vector() + 0.05 * (high - low) * rng.standard_normal((args.batch, len(PARAMETERS))), low, high)
    distance = Distance(cases(), settings, seed=0)
    distance(particles[:1])  # warm up
    start = time.perf_counter()
    for row in particles[: args.alone]:
        distance(row[None, :])
    alone = (time.perf_counter() - start) / args.alone
    start = time.perf_counter()
    distance(particles)
    together = (time.perf_counter() - start) / args.batch
    print(f"one core; a particle = {settings.replicas} replications on each of {len(distance.scenarios)} cases")
    print(f"alone:    {alone * 1000:,.0f} ms a particle ({args.alone} particles one at a time)")
    print(f"together: {together * 1000:,.1f} ms a particle ({args.batch} particles in one batch): {alone / together:,.0f}x cheaper")
    for size in (int(text) for text in args.chunks.split(",") if text.strip()):
        calibration.CHUNK_REPLICAS = size
        start = time.perf_counter()
        Distance(cases(), settings, seed=0)(particles)
        print(f"chunks of {size:,} replicas: {(time.perf_counter() - start) / args.batch * 1000:,.1f} ms a particle")
    if args.threads:
        time_threads()
    if args.full:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        executor = make_executor(None, None)
        try:
            start = time.perf_counter()
            posterior = calibrate(cases(), settings, seed=0, executor=executor)
            print(f"calibrate (defaults, {executor.workers} workers on {cores} cores): {time.perf_counter() - start:,.0f} s, "
                  f"{posterior.simulations:,} particle runs, {len(posterior.generations) - 1} generations")
        finally:
            executor.close()


def time_threads(replicas: int = 10_000) -> None:
    """A large run (the shipped ensemble) with BLAS at its default threads and at the one ``DiplomacyModel.run`` holds it to."""
    scenario = load_scenario("scenarios/agreed_framework_1994.yaml")

    def run(blas_threads: int | None) -> float:
        start = time.perf_counter()
        model = DiplomacyModel(scenario=scenario, replicas=replicas, rng=0, record_events=0, record_series=False, ensemble=shipped())
        model.run(blas_threads)
        return time.perf_counter() - start

    default = run(None)
    one = run(1)
    print(f"{replicas:,} replications of agreed_framework_1994: {default:,.1f} s at BLAS's default threads, {one:,.1f} s at one")


if __name__ == "__main__":
    main()
