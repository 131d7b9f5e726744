"""``calibrate``: fit the shared dispositions to every observed case together.

Prints the objective before and after and each case's fit; ``--write`` saves the fitted
values into ``sim/dispositions.yaml`` (comments and order kept). Without ``--write`` no file
changes. See ``docs/calibration.md``.
"""

from __future__ import annotations

import argparse

from sim.commands.common import MAX_REPS, console, count, print_json, replications, seed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reps", type=replications, default=150,
                        help=f"replications per case and evaluation (default 150, at most {MAX_REPS:,})")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the optimiser and, plus the case's index, of each case (default 0)")
    parser.add_argument("--samples", type=count, default=80, help="random-search samples (default 80)")
    parser.add_argument("--rounds", type=count, default=3, help="rounds of coordinate search (default 3)")
    parser.add_argument("--write", action="store_true", help="write the fitted values into sim/dispositions.yaml")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def main(args: argparse.Namespace) -> int:
    from sim.calibration import PARAMETERS, Objective, calibrate, score, write_values
    from sim.errors import UserError

    if args.samples < 0 or args.rounds < 0:
        raise UserError("--samples and --rounds must be zero or more")
    objective = Objective(replicas=args.reps, seed=args.seed)
    quiet = args.json
    out = None if quiet else console()
    result = calibrate(objective, samples=args.samples, rounds=args.rounds, seed=args.seed,
                       progress=None if quiet else (lambda m: out.print(f"  {m}")))
    fits = objective.fits(result.best)
    if args.write:
        write_values(result.best)
    payload = {
        "replications": args.reps, "seed": args.seed, "evaluations": result.evaluations,
        "seconds": round(result.seconds, 1), "objective_start": result.start_objective,
        "objective": result.best_objective, "written": args.write,
        "parameters": {p.name: {"start": float(a), "fitted": float(b), "low": p.low, "high": p.high}
                       for p, a, b in zip(PARAMETERS, result.start, result.best, strict=True)},
        "cases": [{"name": f.name, "pass": f.passed, "share_inside": {b.outcome: b.share_inside for b in f.bands}}
                  for f in fits],
    }
    if args.json:
        print_json(payload)
        return 0
    from rich.table import Table

    params = Table(title="Fitted dispositions")
    for column in ("disposition", "bounds", "start", "fitted"):
        params.add_column(column, justify="left" if column == "disposition" else "right")
    for p, a, b in zip(PARAMETERS, result.start, result.best, strict=True):
        params.add_row(p.name, f"{p.low:g} to {p.high:g}", f"{a:.4g}", f"{b:.4g}")
    out.print(params)
    cases = Table(title="Per-case fit: share of replications inside each observed band")
    cases.add_column("case")
    cases.add_column("pass")
    cases.add_column("share inside per band")
    for f in fits:
        cases.add_row(f.name, "yes" if f.passed else "no", ", ".join(f"{b.outcome} {b.share_inside:.2f}" for b in f.bands))
    out.print(cases)
    out.print(f"objective {result.start_objective:.4f} -> {score(fits):.4f} after {result.evaluations} evaluations "
              f"in {result.seconds:.0f} s (seed {args.seed}, {args.reps} replications per case)"
              + ("; written to sim/dispositions.yaml" if args.write else "; not written (use --write)"))
    return 0
