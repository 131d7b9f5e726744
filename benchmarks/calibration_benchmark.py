#!/usr/bin/env python3
"""Benchmark (prints figures; not a test): what a particle of the calibration costs, alone and in a batch.

    python benchmarks/calibration_benchmark.py [--alone 10] [--batch 1000] [--full]

A particle is one set of dispositions run ``--particle-reps`` times (4) on each of the six
observed cases. Run alone, as a per-particle sampler (pyabc's) would, it pays the model's
month-by-month cost by itself; run in a batch as per-replica dispositions, a thousand share it.
``--full`` also times the whole calibration as ``python run_sim.py calibrate`` runs it (on one
worker per core) and the leave-one-out validation's first fold.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from sim.calibration import PARAMETERS, Distance, Settings, calibrate, cases, current_vector
from sim.sweep.execute import make_executor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alone", type=int, default=10, help="particles run one at a time")
    parser.add_argument("--batch", type=int, default=1000, help="particles run together")
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


if __name__ == "__main__":
    main()
