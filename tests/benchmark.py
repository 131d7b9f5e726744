#!/usr/bin/env python3
"""Benchmark (prints figures; not a test): replicas in one model against Mesa's batch_run.

    python tests/benchmark.py [--reps 10000] [--batch-runs 300] [--scenario scenarios/agreed_framework_1994.yaml]

Each measurement runs in a fresh process pinned to one core, so its peak memory (maxrss) is
its own. batch_run builds one model per run with a per-step DataCollector, as Mesa expects;
it is timed on ``--batch-runs`` runs and its rate compared with the vectorised rate.
Also times the same replicas sharing one disposition set (``--point``) beside each drawing its
own from the posterior ensemble, ``--help``, and a narrated run end to end (start-up included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

VECTORISED = """
import json, resource, time
from sim.runner import simulate
from sim.scenario import load_scenario
scenario = load_scenario({scenario!r})
simulate(scenario, replicas=100, seed=0, record_series=False)  # warm up
start = time.perf_counter()
simulate(scenario, replicas={reps}, seed=1, record_series=False, record_events=0, point={point})
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

PHASES = """
import json, time
from sim import capability, coercion, implementation, negotiation, shocks, tension
from sim.model import DiplomacyModel
from sim.runner import simulate
from sim.scenario import load_scenario
spent = {{}}
def timed(module, name, label):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start
    setattr(module, name, wrapper)
for module, name, label in [(shocks, "apply", "shocks"), (capability, "grow", "capability"), (coercion, "coerce", "coercion"),
                            (negotiation, "negotiate", "negotiation"), (implementation, "implement", "implementation"),
                            (tension, "update", "tension")]:
    timed(module, name, label)
timed(DiplomacyModel, "record", "record")
scenario = load_scenario({scenario!r})
start = time.perf_counter()
simulate(scenario, replicas={reps}, seed=1, record_series=False, record_events=0)
spent["total"] = time.perf_counter() - start
print(json.dumps(spent))
"""

BATCH_RUN = """
import json, resource, time
from sim.compat import batch_run_seeded
from sim.model import DiplomacyModel
start = time.perf_counter()
parameters = {{"scenario": {scenario!r}, "replicas": 1, "mesa_datacollector": True}}
rows = batch_run_seeded(DiplomacyModel, parameters, seeds=range({runs}), max_steps=10_000)
seconds = time.perf_counter() - start
assert len(rows) == {runs}
print(json.dumps({{"seconds": seconds, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def one_core() -> dict[str, str]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    return env


def measure(code: str) -> dict[str, float]:
    command = [sys.executable, "-c", code]
    if hasattr(os, "sched_setaffinity"):
        command = [sys.executable, "-c", f"import os; os.sched_setaffinity(0, {{0}}); exec({code!r})"]
    out = subprocess.run(command, capture_output=True, text=True, env=one_core(), cwd=ROOT, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def wall(argv: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "run_sim.py"), *argv], capture_output=True, env=one_core(), cwd=ROOT, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/agreed_framework_1994.yaml")
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--batch-runs", type=int, default=300)
    args = parser.parse_args()

    from sim.scenario import load_scenario

    months = load_scenario(ROOT / args.scenario).months
    vector = measure(VECTORISED.format(scenario=args.scenario, reps=args.reps, point=False))
    shared = measure(VECTORISED.format(scenario=args.scenario, reps=args.reps, point=True))
    phases = measure(PHASES.format(scenario=args.scenario, reps=args.reps))
    batch = measure(BATCH_RUN.format(scenario=args.scenario, runs=args.batch_runs))
    vector_rate = args.reps / vector["seconds"]
    batch_rate = args.batch_runs / batch["seconds"]
    print(f"scenario: {args.scenario} ({months} months), one core, Python {sys.version.split()[0]}")
    print(f"replicas in one model: {args.reps} runs in {vector['seconds']:.2f} s = {vector_rate:,.0f} runs/s, "
          f"peak memory {vector['maxrss_mb']:.0f} MB (each replica with its own set drawn from the posterior ensemble)")
    print(f"the same with one shared set (--point): {shared['seconds']:.2f} s; per-replica sets take "
          f"{vector['seconds'] / shared['seconds']:.2f}x as long")
    total = phases.pop("total")
    by_phase = ", ".join(f"{name} {seconds / total:.0%}" for name, seconds in sorted(phases.items(), key=lambda kv: -kv[1]))
    print(f"where the time goes: {by_phase}; set-up and the rest {1 - sum(phases.values()) / total:.0%}")
    print(f"Mesa batch_run:        {args.batch_runs} runs in {batch['seconds']:.2f} s = {batch_rate:,.1f} runs/s, "
          f"peak memory {batch['maxrss_mb']:.0f} MB")
    print(f"ratio: {vector_rate / batch_rate:,.0f}x; batch_run would take {args.reps / batch_rate:,.0f} s for {args.reps} runs")
    print(f"--help: {wall(['--help']):.3f} s; narrated run end to end: {wall(['run', args.scenario, '--reps', '1', '--narrate']):.2f} s")


if __name__ == "__main__":
    main()
