"""``fidelity``: every shipped case against its ``observed:`` block, per case and per observable.

Exits 0 with the table whether or not every case passes (it is a report); ``--strict`` exits 1
when any case fails, for scripts and CI.
"""

from __future__ import annotations

import argparse

from sim.commands.common import MAX_REPS, console, fmt, print_json, replications, seed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenarios", nargs="*", help="scenario files (default: every file in scenarios/ with an observed: block)")
    parser.add_argument("--reps", type=replications, default=300, help=f"replications per case (default 300, at most {MAX_REPS:,})")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the random generator (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any case fails")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.fidelity import PASS_SHARE, fidelity
    from sim.scenario import ScenarioError

    paths = [Path(p) for p in args.scenarios] or None
    fits = fidelity(paths, replicas=args.reps, seed=args.seed)
    if paths and any(not fit.bands for fit in fits):
        empty = next(fit.name for fit in fits if not fit.bands)
        raise ScenarioError(f"{empty}: the scenario has no observed: block to check")
    failed = [fit.name for fit in fits if not fit.passed]
    if args.json:
        print_json({"replications": args.reps, "seed": args.seed, "pass": not failed,
                    "cases": [fit.as_dict() for fit in fits]})
    else:
        from rich.table import Table

        table = Table(title=f"Fidelity: {args.reps} replications per case, seed {args.seed}; "
                            f"a band holds when at least {PASS_SHARE:.0%} of replications fall inside")
        for column in ("case", "observable", "band", "median", "10-90%", "inside", ""):
            table.add_column(column, no_wrap=True, justify="left" if column in ("case", "observable", "band", "") else "right")
        for fit in fits:
            for i, band in enumerate(fit.bands):
                ok = band.share_inside >= PASS_SHARE
                table.add_row(fit.name if i == 0 else "", band.outcome, band.band.describe(), fmt(band.median),
                              f"{fmt(band.p10)} to {fmt(band.p90)}", f"{band.share_inside:.2f}", "ok" if ok else "MISS")
            wrong = [k.split("_")[0] for k, ok in fit.modal_ok.items() if not ok]
            modal = "" if not fit.modal_ok else ("modal outcome ok" if not wrong else f"modal {', '.join(wrong)} WRONG")
            table.add_row(f"[bold]{'PASS' if fit.passed else 'FAIL'}[/bold]", modal, "", "", "", "", "", end_section=True)
        from rich.console import Console

        out = Console(highlight=False, soft_wrap=False, width=max(118, console().width))
        out.print(table)
        out.print(f"{len(fits) - len(failed)} of {len(fits)} cases pass" + (f"; failing: {', '.join(failed)}" if failed else ""))
    return 1 if args.strict and failed else 0
