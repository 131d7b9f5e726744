"""Sweep benchmark: figures printed, not a timed test.

1. Throughput of a 10,000-run sweep of the Agreed Framework case (10 values of China's
   enforcement x 1,000 replications) with 1 and 2 workers, through the ``sweep`` command.
2. Mesa's ``batch_run`` over a subsample of the same runs (one model per replication, a
   per-step DataCollector), its runs per second, and the ratio.
3. Peak memory of a 1,000,000-run sweep (100 points x 10,000 replications) streamed to disk:
   the largest summed resident memory of the whole process tree, sampled every 0.1 s, and the
   largest single process (``ru_maxrss``).

    PYTHONPATH=. python benchmarks/sweep_benchmark.py            # full (several minutes)
    PYTHONPATH=. python benchmarks/sweep_benchmark.py --quick    # scaled down

``--markdown FILE`` writes the figures as a Markdown table as well. Needs psutil (installed with
the ``cluster`` extra, through dask.distributed).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "agreed_framework_1994.yaml"


def sweep_command(out: Path, points: int, reps: int, workers: int, chunk_reps: int) -> list[str]:
    return [sys.executable, str(ROOT / "run_sim.py"), "sweep", str(SCENARIO), "--grid", f"china.stance=0:1:{points}",
            "--reps", str(reps), "--chunk-reps", str(chunk_reps), "--seed", "1", "--workers", str(workers), "--quiet",
            "--out", str(out)]


def run_sweep(out: Path, points: int, reps: int, workers: int, chunk_reps: int) -> dict[str, float]:
    """Run the sweep command; return wall time, the command's own loop rate, and peak memory."""
    import psutil

    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(sweep_command(out, points, reps, workers, chunk_reps), cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peak_tree = 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak_tree = max(peak_tree, sum(_rss(p) for p in tree))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if process.returncode != 0:
        raise SystemExit(f"sweep failed: {stderr.strip()}")
    match = re.search(r"in ([\d.]+) s", stdout)
    loop = float(match.group(1)) if match else wall
    runs = points * reps
    return {"runs": runs, "wall_s": wall, "cpu_s": cpu, "loop_s": loop, "runs_per_s": runs / loop, "runs_per_s_wall": runs / wall,
            "peak_tree_mb": peak_tree / 2**20, "results_mb": (out / "results.parquet").stat().st_size / 2**20}


def _rss(process) -> int:  # noqa: ANN001 - psutil.Process
    try:
        return process.memory_info().rss
    except Exception:  # the process ended between listing and reading
        return 0


def batch_run_rate(points: int, per_point: int) -> dict[str, float]:
    """Mesa's batch_run over ``points`` x ``per_point`` runs of the same sweep, in one process."""
    from sim.compat import batch_run_seeded
    from sim.model import DiplomacyModel
    from sim.scenario import load_scenario
    from sim.sweep.spec import grid_values

    months = load_scenario(SCENARIO).months
    overrides = [(f"china.stance={text}",) for _, text in grid_values(f"0:1:{points}")]
    parameters = {"scenario": str(SCENARIO), "replicas": 1, "mesa_datacollector": True, "record_series": False,
                  "record_events": 0, "overrides": overrides}
    started = time.perf_counter()
    rows = batch_run_seeded(DiplomacyModel, parameters, seeds=range(per_point), max_steps=months)
    seconds = time.perf_counter() - started
    runs = points * per_point
    assert len({r["RunId"] for r in rows}) == runs, "one run per point and seed"
    return {"runs": runs, "seconds": seconds, "runs_per_s": runs / seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale down: 100,000 runs for the memory figure")
    parser.add_argument("--markdown", metavar="FILE", help="also write the figures as Markdown")
    args = parser.parse_args()
    big_points = 10 if args.quick else 100
    work = Path(tempfile.mkdtemp(prefix="peninsula-bench-"))
    lines = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    load = os.getloadavg()
    say(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    say(f"scenario: {SCENARIO.name}, {__import__('sim.scenario', fromlist=['x']).load_scenario(SCENARIO).months} months")
    say("")
    say("| measure | runs | seconds | runs/s | CPU seconds (all processes) |")
    say("|---|---:|---:|---:|---:|")
    rates = {}
    for workers in (1, 2):
        result = run_sweep(work / f"w{workers}", points=10, reps=1_000, workers=workers, chunk_reps=1_000)
        rates[workers] = result["runs_per_s"]
        say(f"| sweep, {workers} worker(s), 10 points x 1,000 reps (loop) | {result['runs']:,} | {result['loop_s']:.2f} | "
            f"{result['runs_per_s']:,.0f} | |")
        say(f"| sweep, {workers} worker(s), whole command incl. start-up and tables | {result['runs']:,} | "
            f"{result['wall_s']:.2f} | {result['runs_per_s_wall']:,.0f} | {result['cpu_s']:.1f} |")
    cpu_before = time.process_time()
    batch = batch_run_rate(points=10, per_point=6)
    say(f"| Mesa batch_run, 1 process, same runs subsampled (10 points x 6 seeds) | {batch['runs']:,} | "
        f"{batch['seconds']:.2f} | {batch['runs_per_s']:,.1f} | {time.process_time() - cpu_before:.1f} |")
    say("")
    say(f"ratio sweep (1 worker) / batch_run: {rates[1] / batch['runs_per_s']:,.0f}x; "
        f"sweep (2 workers) / batch_run: {rates[2] / batch['runs_per_s']:,.0f}x; 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")
    big = run_sweep(work / "big", points=big_points, reps=10_000, workers=2, chunk_reps=10_000)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    say(f"{big['runs']:,}-run sweep ({big_points} points x 10,000 reps, chunks of 10,000, 2 workers): "
        f"{big['loop_s']:.0f} s, {big['runs_per_s']:,.0f} runs/s, {big['cpu_s']:.0f} CPU s; "
        f"peak memory of the process tree {big['peak_tree_mb']:,.0f} MB "
        f"(largest single process {children:,.0f} MB); results.parquet {big['results_mb']:,.1f} MB")
    load = os.getloadavg()
    say(f"load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    shutil.rmtree(work, ignore_errors=True)
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
