"""``calibrate``: the posterior over the dispositions, by ABC-SMC on every observed case.

Prints each generation, the posterior of each fitted disposition against its prior, and the
fit of the posterior ensemble to each case (``--leave-out CASE`` fits without one case and
scores it too). ``--write`` saves the ensemble in ``sim/posterior.csv`` and its best particle in
``sim/dispositions.yaml`` (comments and order kept); without it no file changes. See
``docs/calibration.md``.
"""

from __future__ import annotations

import argparse

from sim.commands.common import MAX_REPS, console, count, print_json, replications, seed, whole_number, workers


def add_calibration_arguments(parser: argparse.ArgumentParser) -> None:
    """The settings of a calibration (shared with ``fidelity --cross-validate``)."""
    from sim.calibration_settings import Settings

    default = Settings()
    parser.add_argument("--population", type=population, default=default.population,
                        help=f"particles in each generation: the ensemble's size (default {default.population})")
    parser.add_argument("--particle-reps", type=replications, default=default.replicas,
                        help=f"replications of each particle on each case (default {default.replicas})")
    parser.add_argument("--generations", type=count, default=default.generations,
                        help=f"generations after the prior's (default {default.generations})")
    parser.add_argument("--workers", type=workers, default=None, help="local worker processes (default: one per core)")
    parser.add_argument("--cluster", default=None, metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS (tcp://HOST:PORT)")


def population(text: str) -> int:
    """A population of particles: 10 (the fewest whose spread can guide the random walk) to 100,000."""
    return whole_number(text, 10, 100_000)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_calibration_arguments(parser)
    parser.add_argument("--seed", type=seed, default=0, help="seed of the calibration (default 0)")
    parser.add_argument("--leave-out", default=None, metavar="CASE", help="fit without this case (hanoi_2019, or its file) and score it")
    parser.add_argument("--check-reps", type=replications, default=300,
                        help=f"replications per case when the posterior is checked (default 300, at most {MAX_REPS:,})")
    parser.add_argument("--write", action="store_true",
                        help="write sim/posterior.csv and the best particle into sim/dispositions.yaml (the point)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def settings_from(args: argparse.Namespace):  # noqa: ANN201 - sim.calibration.Settings, imported lazily
    from sim.calibration_settings import Settings

    return Settings(population=args.population, replicas=args.particle_reps, generations=args.generations)


def main(args: argparse.Namespace) -> int:

    from sim.calibration import PARAMETERS, best_particle, calibrate, cases, write_values
    from sim.ensemble import write
    from sim.errors import UserError
    from sim.fidelity import fidelity, observed_cases
    from sim.sweep.execute import make_executor

    if args.write and args.leave_out:
        raise UserError("--write saves a calibration on every case; drop --leave-out to write one")
    if args.write:
        from sim.calibration import DISPOSITIONS_FILE
        from sim.commands.common import check_writable
        from sim.ensemble import ENSEMBLE_FILE

        for path in (ENSEMBLE_FILE, DISPOSITIONS_FILE):
            check_writable(str(path), "--write")
    paths = cases(args.leave_out)
    out = None if args.json else console()
    executor = make_executor(args.workers, args.cluster)
    try:
        say = None if args.json else (lambda m: out.print(f"  {m}"))
        posterior = calibrate(paths, settings_from(args), args.seed, executor, progress=say)
        point = best_particle(posterior, paths, args.seed, executor)
    finally:
        executor.close()
    ensemble = posterior.ensemble()
    fits = fidelity(observed_cases(), replicas=args.check_reps, seed=args.seed, ensemble=ensemble)
    if args.write:
        write(ensemble)
        write_values(point)
    low, high = ensemble.quantiles([0.05, 0.95])[:, : len(PARAMETERS)]  # the fitted (tied ones follow), as docs print them
    left_out = {p.stem for p in observed_cases()} - {p.stem for p in paths}
    payload = {
        "seed": args.seed, "population": args.population, "particle_reps": args.particle_reps,
        "generations": len(posterior.generations) - 1, "simulations": posterior.simulations, "seconds": round(posterior.seconds, 1),
        "thresholds": [g.threshold for g in posterior.generations], "left_out": sorted(left_out), "written": args.write,
        "parameters": {p.name: {"low": p.low, "high": p.high, "mean": float(m), "p5": float(a), "p95": float(b), "point": float(x)}
                       for p, m, a, b, x in zip(PARAMETERS, posterior.mean(), low, high, point, strict=True)},
        "cases": [{"name": f.name, "fitted": f.name not in left_out, "pass": f.passed, "score": f.score, "log_score": f.log_score}
                  for f in fits],
    }
    if args.json:
        print_json(payload)
        return 0
    from rich.table import Table

    table = Table(title="Posterior of each fitted disposition (prior: uniform within its bounds, with calibration.AT_LEAST's orderings)")
    for column in ("disposition", "bounds", "posterior mean", "5-95%", "point"):
        table.add_column(column, justify="left" if column == "disposition" else "right")
    for p, m, a, b, x in zip(PARAMETERS, posterior.mean(), low, high, point, strict=True):
        table.add_row(p.name, f"{p.low:g} to {p.high:g}", f"{m:.4g}", f"{a:.3g} to {b:.3g}", f"{x:.4g}")
    out.print(table)
    out.print(fit_table(fits, left_out, args.check_reps, args.seed))
    out.print(f"{posterior.simulations:,} particle runs (each on every case, {args.particle_reps} replications) in "
              f"{posterior.seconds:.0f} s on {executor.workers} worker(s)"
              + ("; written to sim/posterior.csv and sim/dispositions.yaml" if args.write else "; not written (use --write)"))
    return 0


def fit_table(fits: list, left_out: set[str], reps: int, seed: int):  # noqa: ANN201 - a rich Table
    from rich.table import Table

    table = Table(title=f"The posterior ensemble against the record ({reps} replications per case, seed {seed})")
    for column in ("case", "fitted on it", "pass", "score", "log score"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for f in fits:
        table.add_row(f.name, "no" if f.name in left_out else "yes", "yes" if f.passed else "NO", f"{f.score:.3f}",
                      "" if f.log_score is None else f"{f.log_score:.2f}")
    return table
