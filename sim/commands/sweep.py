"""``sweep SCENARIO``: a grid or a SALib sample of what-ifs, each point run ``--reps`` times.

Results stream to ``--out DIR`` in chunks (``kill -9`` loses no finished chunk; ``--resume``
redoes only the rest), then a tidy table, a summary per point, and for samples Sobol or Morris
indices. Same scenario, spec and seed give the same tables on any number of workers or on Dask.
"""

from __future__ import annotations

import argparse

from sim.commands.common import MAX_REPS, MAX_WORKERS, positive_float, positive_int, replications, seed, workers

DEFAULT_OUTCOMES = ("talks_opened", "agreement_signed", "freeze_months", "missile_launches", "peak_tension")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", help="a scenario file, e.g. scenarios/hanoi_2019.yaml (or scenario: in --spec)")
    design = parser.add_argument_group("the design (a grid, a sample, or a spec file)")
    design.add_argument("--grid", action="append", default=[], metavar="KEY=VALUES",
                        help="a grid axis: a comma list (us.sequencing=disarm_first,action_for_action) or LOW:HIGH:COUNT "
                        "(china.stance=0:1:11); repeat for a full factorial")
    design.add_argument("--sample", choices=("sobol", "morris"), help="a SALib sample over the --range keys")
    design.add_argument("--n", type=positive_int, help="base sample size: Sobol N (a power of 2) or Morris trajectories")
    design.add_argument("--range", dest="ranges", action="append", default=[], metavar="KEY=LOW:HIGH",
                        help="a sampled key and its bounds, e.g. china.stance=0:1 (repeatable)")
    design.add_argument("--second-order", action="store_true", help="Sobol: second-order indices too (more points)")
    design.add_argument("--levels", type=positive_int, help="Morris: grid levels (default 4)")
    design.add_argument("--spec", metavar="FILE.yaml", help="a YAML sweep spec (see scenarios/sweeps/)")
    design.add_argument("--set", dest="overrides", action="append", default=[], metavar="ACTOR.KEY=VALUE",
                        help="a what-if kept fixed at every point (repeatable)")
    runs = parser.add_argument_group("runs and output")
    runs.add_argument("--reps", type=replications, help=f"replications per point (default 100, at most {MAX_REPS:,})")
    runs.add_argument("--seed", type=seed, help="seed of the sweep (default 0)")
    runs.add_argument("--chunk-reps", type=replications, help="replications per chunk, one model each (default 10000)")
    runs.add_argument("--workers", type=workers, help=f"local worker processes, 1 to {MAX_WORKERS} (default: all cores)")
    runs.add_argument("--cluster", metavar="ADDRESS", help="run on an existing Dask scheduler, e.g. tcp://10.0.0.5:8786")
    runs.add_argument("--cluster-timeout", type=positive_float, default=10.0, metavar="SECONDS",
                      help="seconds to wait for the scheduler and its first worker (default 10)")
    runs.add_argument("--out", metavar="DIR", help="output directory (chunks, results, summary, sensitivity, plots)")
    runs.add_argument("--resume", action="store_true", help="finish a killed sweep in --out, redoing only unfinished chunks")
    runs.add_argument("--csv", action="store_true", help="write results and summary as CSV instead of Parquet")
    runs.add_argument("--plot", action="store_true", help="draw PNG charts in DIR/plots")
    runs.add_argument("--outcome", dest="outcomes", action="append", default=[], metavar="NAME",
                      help=f"outcomes shown in tables and plots (default: {', '.join(DEFAULT_OUTCOMES)})")
    runs.add_argument("--quiet", action="store_true", help="no progress bar and no tables")
    runs.add_argument("--point", action="store_true",
                      help="every replica with the single calibrated set, not one drawn per replica from the posterior ensemble")


def main(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from sim import calendar
    from sim.errors import UserError
    from sim.outcomes import outcome_names
    from sim.scenario import ScenarioSource
    from sim.sweep.execute import make_executor, plan, tasks
    from sim.sweep.spec import build_design
    from sim.sweep.store import SweepStore, fingerprint, model_identity

    spec, origin = _spec(args)
    scenario_path = args.scenario or spec.scenario
    if not scenario_path:
        raise UserError("give a SCENARIO file (or scenario: in the --spec file)")
    if not spec.out:
        raise UserError("give --out DIR (or out: in the --spec file)")
    source = ScenarioSource(scenario_path)
    base = source.load(spec.set)
    known = outcome_names(calendar.year_of(base.start), calendar.year_of(base.end))
    shown = spec.outcomes or [o for o in DEFAULT_OUTCOMES if o in known]
    for name in shown:
        if name not in known:
            from difflib import get_close_matches

            close = get_close_matches(name, known, n=1)
            raise UserError(f"--outcome {name}: no such outcome" + (f" (did you mean {close[0]!r}?)" if close else ""))
    design = build_design(spec, origin, source)
    manifest = {
        "format": 1, "scenario": str(scenario_path), "scenario_name": base.name, "kind": design.kind, "keys": design.keys,
        "fixed": design.fixed, "points": len(design), "reps": spec.reps, "chunk_reps": spec.chunk_reps, "seed": spec.seed,
        "runs": len(design) * spec.reps, "point": bool(args.point), **model_identity(),
    }
    manifest["fingerprint"] = fingerprint(manifest, design, base.model_dump(mode="json"))
    store = SweepStore(spec.out, csv=args.csv)
    store.check(manifest, args.resume)
    executor = make_executor(args.workers, args.cluster, args.cluster_timeout)
    try:
        done = store.open(manifest, args.resume)
    except BaseException:
        executor.close()
        raise
    try:
        chunks_total = sum(1 for _ in plan(len(design), spec.reps, spec.chunk_reps))
        done_runs = sum(c.reps for c in plan(len(design), spec.reps, spec.chunk_reps) if c.index in done)
        total_runs = len(design) * spec.reps
        started = time.perf_counter()
        ran = 0
        progress = _progress(args.quiet)
        try:
            with progress:
                bar = progress.add_task(f"{design.kind} sweep", total=total_runs, completed=done_runs)
                todo = tasks(design, source, spec.reps, spec.chunk_reps, spec.seed, done, point=bool(args.point))
                for chunk, outcomes in executor.run(todo, tag=manifest["fingerprint"][:20]):
                    store.write_chunk(design, chunk, outcomes, manifest["fingerprint"])
                    ran += chunk.reps
                    progress.update(bar, advance=chunk.reps)
                    progress.refresh()
        except (UserError, KeyboardInterrupt):
            raise
        except Exception as error:  # a failure inside a chunk: say so in one line, keep what finished
            raise UserError(f"a chunk failed ({type(error).__name__}: {error}); finished chunks are kept in {store.chunks}, "
                            "rerun with --resume") from None
        finally:
            executor.close()
        seconds = time.perf_counter() - started
        results, summary_path, means = store.finish(design, spec.reps, spec.chunk_reps, manifest["fingerprint"], base.months)

        from sim.commands.common import console

        out = console()
        rate = f", {ran / seconds:,.0f} runs/s" if ran and seconds > 0 else ""
        print(f"{base.name}: {len(design):,} points x {spec.reps:,} replications = {total_runs:,} runs "
              f"({len(done)} of {chunks_total} chunks already done) in {seconds:.1f} s{rate} on {executor.workers} worker(s)")
        print(f"wrote {results} and {summary_path}")
        small_grid = design.kind == "grid" and len(design.keys) <= 2 and len(design) <= 400
        summary = _read(summary_path, args.csv) if small_grid and (args.plot or not args.quiet) else None
        index = None
        if design.kind in ("sobol", "morris"):
            from sim.sweep import sensitivity

            index = sensitivity.analyze(design.kind, design.problem or {}, design.sample, means,
                                        second_order=design.second_order, levels=design.levels, seed=spec.seed)
            csv_path, json_path = sensitivity.save(index, Path(spec.out), design.kind)
            print(f"wrote {csv_path} and {json_path}")
            if not args.quiet:
                out.print(sensitivity.rich_table(index, design.kind, shown))
        elif summary is not None and not args.quiet and len(design) <= 60:
            table = _grid_table(summary, design.keys, shown)
            out.width = max(out.width, sum(max(len(c.header), 6) + 4 for c in table.columns) + 2)
            out.print(table)
        if args.plot and (index is not None or summary is not None):
            for path in _plots(design, summary, index, shown, Path(spec.out)):
                print(f"wrote {path}")
    finally:
        store.close()
    return 0


def _spec(args: argparse.Namespace):  # noqa: ANN202 - (SweepSpec, Origin)
    from sim.sweep.spec import Origin, SpecError, SweepSpec, assignments, read_spec_file, sample_spec

    if args.spec:
        if args.grid or args.sample or args.ranges:
            raise SpecError("give the design either on the command line (--grid, --sample, --range) or in --spec, not both")
        spec, origin = read_spec_file(args.spec)
        spec.set = [*spec.set, *args.overrides]
        tuning = {"n": args.n, "levels": args.levels, "second_order": args.second_order or None}
        given = {k: v for k, v in tuning.items() if v is not None}
        if given and spec.sample is None:
            raise SpecError(f"{args.spec}: --n, --levels and --second-order need a sample: in the spec file")
        if spec.sample is not None:
            spec.sample = sample_spec(spec.sample.model_dump(), given)
    else:
        if args.ranges and not args.sample:
            raise SpecError("--range needs --sample sobol|morris")
        if args.sample and args.n is None:
            raise SpecError(f"--sample {args.sample} needs --n N (e.g. --n 64)")
        grid = assignments(args.grid, "--grid")
        ranges = assignments(args.ranges, "--range")
        sample = None
        if args.sample:
            flags = {"n": args.n, "levels": args.levels, "second_order": args.second_order}
            sample = sample_spec({"method": args.sample, "ranges": ranges}, {k: v for k, v in flags.items() if v is not None})
        spec, origin = SweepSpec(grid=grid, sample=sample, set=list(args.overrides)), Origin()
    for name in ("reps", "seed", "chunk_reps", "out"):
        value = getattr(args, name)
        if value is not None:
            setattr(spec, name, value)
    if args.outcomes:
        spec.outcomes = list(args.outcomes)
    if spec.seed < 0:
        raise SpecError(f"--seed {spec.seed}: must be 0 or more")
    return spec, origin


def _progress(quiet: bool):  # noqa: ANN202 - rich Progress
    import sys

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), auto_refresh=False,
                    disable=quiet or not sys.stderr.isatty())


def _read(path, csv: bool):  # noqa: ANN001, ANN202 - a pandas DataFrame
    import pandas as pd

    return pd.read_csv(path) if csv else pd.read_parquet(path)


def _grid_table(summary, keys: list[str], shown: list[str]):  # noqa: ANN001, ANN202 - rich Table
    from rich.table import Table

    table = Table(title="mean over replications per point (95% intervals in the summary file); "
                  "a months_to_X over the runs where X happened (in what share of them)")
    for column in ("point", *keys, *shown):
        table.add_column(column, justify="right", overflow="fold")
    rows = summary[summary["outcome"].isin(shown)]
    for point, group in rows.groupby("point", sort=True):
        first = group.iloc[0]
        cells = {r["outcome"]: _cell(r) for _, r in group.iterrows()}
        table.add_row(str(point), *(str(first[k]) for k in keys), *(cells.get(o, "") for o in shown))
    return table


def _cell(row) -> str:  # noqa: ANN001 - a row of the summary
    """A summary row's mean as the grid table shows it: 'never', or a months_to_X with its share."""
    import pandas as pd

    from sim.commands.common import fmt, percent

    if pd.isna(row["mean"]):
        return "never"
    if pd.isna(row["happened"]):
        return fmt(row["mean"])
    return f"{fmt(row['mean'])} (in {percent(row['happened'])})"


def _plots(design, summary, index, shown: list[str], out):  # noqa: ANN001, ANN202 - list of paths
    from sim.sweep import plots

    folder = out / "plots"
    folder.mkdir(exist_ok=True)
    written = []
    for outcome in shown:
        if index is not None:
            path = plots.sensitivity_bars(index, design.kind, outcome, folder / f"{design.kind}_{outcome}.png")
            if path:
                written.append(path)
        elif len(design.keys) == 1:
            written.append(plots.grid_line(summary, design.keys[0], outcome, folder / f"grid_{outcome}.png"))
        elif len(design.keys) == 2:
            written.append(plots.grid_heatmap(summary, design.keys, outcome, folder / f"grid_{outcome}.png"))
    return written

