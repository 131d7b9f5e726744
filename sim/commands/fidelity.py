"""``fidelity``: every shipped case against its ``observed:`` block, per case and per observable.

Runs with the posterior ensemble (``--point``: the single calibrated set) and prints each
case's proper score and log score beside its bands. ``--cross-validate`` leaves each case out
of the calibration in turn and scores it by a posterior that never saw it
(``sim/validation.py``). Exits 0 with the table whether or not every case passes (it is a
report); ``--strict`` exits 1 when any case fails, for scripts and CI.
``--shock-sensitivity`` instead shows, case by case, how each observed outcome moves when one
shock is moved or resized (``sim.shock_sensitivity``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.calibrate import add_calibration_arguments, settings_from
from sim.commands.common import add_run_arguments, console, fmt, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenarios", nargs="*", help="scenario files (default: every file in scenarios/ with an observed: block)")
    add_run_arguments(parser, reps=300)
    parser.add_argument("--strict", action="store_true", help="exit 1 if any case fails")
    parser.add_argument("--ensemble", metavar="FILE",
                        help="draw the dispositions from this posterior ensemble (a CSV like sim/posterior.csv, e.g. a fold's "
                        "from --save-folds) instead of the shipped one")
    parser.add_argument("--shock-sensitivity", action="store_true",
                        help=f"how each observed outcome moves when each shock is moved or resized (default --reps {SENSITIVITY_REPS})")
    parser.set_defaults(reps=None)
    group = parser.add_argument_group("cross-validation (leave one case out)")
    group.add_argument("--cross-validate", action="store_true",
                       help="calibrate without each case in turn and score it; prints in-sample and left-out scores side by side")
    group.add_argument("--case", action="append", default=[], metavar="CASE", help="only leave out this case (repeatable)")
    group.add_argument("--save-folds", metavar="DIR", help="write each fold's posterior ensemble to DIR/CASE.csv (for --ensemble)")
    add_calibration_arguments(group)


def _calibration_flags_given(args: argparse.Namespace) -> list[str]:
    """The calibration's flags set away from their defaults: they mean something only with --cross-validate."""
    from sim.calibration_settings import Settings

    default = Settings()
    flags = {"--population": (args.population, default.population), "--particle-reps": (args.particle_reps, default.replicas),
             "--generations": (args.generations, default.generations), "--workers": (args.workers, None),
             "--cluster": (args.cluster, None)}
    return [flag for flag, (value, unset) in flags.items() if value != unset]


SENSITIVITY_REPS = 100
"""Replications per run of the shock sensitivity report (a case runs once per variant)."""


def main(args: argparse.Namespace) -> int:
    from sim.errors import UserError
    from sim.fidelity import PASS_SHARE, fidelity
    from sim.scenario import ScenarioError

    if args.cross_validate:
        args.reps = args.reps or 300
        return cross_validate(args)
    if args.case or args.save_folds:
        raise UserError(f"{'--case' if args.case else '--save-folds'} belongs to --cross-validate; add --cross-validate")
    calibrating = _calibration_flags_given(args)
    if calibrating:
        raise UserError(f"{calibrating[0]} sets the calibration of --cross-validate; add --cross-validate, or leave it out")
    ensemble = None
    if args.ensemble:
        from sim.ensemble import read

        if args.shock_sensitivity:
            raise UserError("--ensemble does not apply to --shock-sensitivity, which runs the shipped ensemble")
        if args.point:
            raise UserError("--ensemble and --point: choose one (an ensemble to draw from, or the single calibrated set)")
        ensemble = read(Path(args.ensemble))
    paths = [Path(p) for p in args.scenarios] or None
    if args.shock_sensitivity:
        return _shock_sensitivity(args, paths)
    args.reps = args.reps or 300
    fits = fidelity(paths, replicas=args.reps, seed=args.seed, overrides=args.overrides, point=args.point, ensemble=ensemble)
    if paths and any(not fit.bands for fit in fits):
        empty = next(fit.name for fit in fits if not fit.bands)
        raise ScenarioError(f"{empty}: the scenario has no observed: block to check")
    failed = [fit.name for fit in fits if not fit.passed]
    if args.json:
        print_json({"replications": args.reps, "seed": args.seed, "set": args.overrides, "point": args.point, "pass": not failed,
                    "cases": [fit.as_dict() for fit in fits]})
    else:
        from rich.table import Table

        what_if = f" with {', '.join(args.overrides)}" if args.overrides else ""
        what_if += " (the point)" if args.point else " (the posterior ensemble)"
        table = Table(title=f"Fidelity{what_if}: {args.reps} replications per case, seed {args.seed}; "
                            f"a band holds when at least {PASS_SHARE:.0%} of replications fall inside")
        for column in ("case", "observable", "band", "median", "10-90%", "inside", ""):
            table.add_column(column, no_wrap=True, justify="left" if column in ("case", "observable", "band", "") else "right")
        for fit in fits:
            for i, band in enumerate(fit.bands):
                ok = band.share_inside >= PASS_SHARE
                never = band.median is None
                table.add_row(fit.name if i == 0 else "", band.outcome, band.band.describe(), "never" if never else fmt(band.median),
                              "" if never else f"{fmt(band.p10)} to {fmt(band.p90)}", f"{band.share_inside:.2f}", "ok" if ok else "MISS")
            wrong = [k.split("_")[0] for k, ok in fit.modal_ok.items() if not ok]
            modal = "" if not fit.modal_ok else ("modal outcome ok" if not wrong else f"modal {', '.join(wrong)} WRONG")
            scores = f"score {fit.score:.3f}" + ("" if fit.log_score is None else f", log score {fit.log_score:.2f}")
            table.add_row(f"[bold]{'PASS' if fit.passed else 'FAIL'}[/bold]", modal, scores, "", "", "", "", end_section=True)
        from rich.console import Console

        out = Console(highlight=False, soft_wrap=False, width=max(118, console().width))
        out.print(table)
        out.print(f"{len(fits) - len(failed)} of {len(fits)} cases pass" + (f"; failing: {', '.join(failed)}" if failed else ""))
    return 1 if args.strict and failed else 0


def cross_validate(args: argparse.Namespace) -> int:
    """Leave each case out of the calibration in turn; print both scores per case."""
    from sim.calibration import case_name, cases
    from sim.errors import UserError
    from sim.sweep.execute import make_executor
    from sim.validation import RESTORED_MEANS, TAUGHT_MEANS, describe_restored, describe_taught, summary
    from sim.validation import cross_validate as run_folds

    if args.scenarios or args.overrides or args.point or args.ensemble:
        raise UserError("--cross-validate scores the shipped cases as they are: no scenario files, --set, --point or --ensemble")
    for case in args.case:
        cases(case, "--case")  # a clear message for an unknown case
    args.case = [case_name(case) for case in args.case]
    if args.save_folds:  # now, not after the first fold's calibration: make the folder and try a file in it
        from sim.commands.common import check_writable

        if Path(args.save_folds).exists() and not Path(args.save_folds).is_dir():
            raise UserError(f"--save-folds {args.save_folds}: is a file, not a folder")
        try:
            Path(args.save_folds).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"--save-folds {args.save_folds}: cannot make that folder ({error.strerror or type(error).__name__})") from None
        check_writable(str(Path(args.save_folds) / "CASE.csv"), "--save-folds")
    out = None if args.json else console()
    executor = make_executor(args.workers, args.cluster)
    try:
        folds = run_folds(settings_from(args), args.seed, args.reps, executor, args.case or None,
                          progress=None if args.json else (lambda m: out.print(f"  {m}")),
                          save_to=Path(args.save_folds) if args.save_folds else None)
    finally:
        executor.close()
    total = summary(folds)
    if args.json:
        from sim.sweep.store import model_identity

        print_json({"model": model_identity()["dispositions"],
                    "replications": args.reps, "seed": args.seed, "population": args.population, "generations": args.generations,
                    "particle_reps": args.particle_reps, "folds": [f.as_dict() for f in folds], "summary": total})
        return 1 if args.strict and total["left_out"]["passed"] < len(folds) else 0
    from rich.table import Table

    table = Table(title=f"Leave one case out: {args.reps} replications per case, seed {args.seed}; in sample: the shipped calibration; "
                        "score = mean over bands of (1 - share inside)^2 (a coin flip: 0.25), log score in nats")
    for column in ("case", "in sample", "score", "log score", "left out", "score ", "log score "):
        table.add_column(column, justify="left" if column == "case" else "right")
    for f in folds:
        table.add_row(f.case, "pass" if f.in_sample.passed else "FAIL", f"{f.in_sample.score:.3f}", _log(f.in_sample.log_score),
                      "pass" if f.left_out.passed else "FAIL", f"{f.left_out.score:.3f}", _log(f.left_out.log_score))
    ins, outs = total["in_sample"], total["left_out"]
    table.add_row("[bold]all[/bold]", f"{ins['passed']} of {len(folds)}", f"{ins['score']:.3f}", _log(ins["log_score"]),
                  f"{outs['passed']} of {len(folds)}", f"{outs['score']:.3f}", _log(outs["log_score"]), end_section=True)
    out.print(table)
    for f in folds:
        if f.taught:
            out.print(f"{f.case} alone teaches: {describe_taught(f.taught)}")
    out.print(f"(a disposition a case alone teaches: {TAUGHT_MEANS})")
    for f in folds:
        if not f.left_out.passed:
            out.print(f"{f.case} left out, with dispositions from the posterior on every case in turn: {describe_restored(f.restored)}")
    if any(not f.left_out.passed for f in folds):
        out.print(f"(what a failing case teaches jointly: {RESTORED_MEANS})")
    return 1 if args.strict and outs["passed"] < len(folds) else 0


def _log(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _shock_sensitivity(args: argparse.Namespace, paths: list | None) -> int:
    """The shock sensitivity report: one table per case (or one JSON object)."""
    from sim.errors import UserError
    from sim.shock_sensitivity import shock_sensitivity

    if args.strict:
        raise UserError("--strict checks the fidelity table; it does not apply to --shock-sensitivity")
    args.reps = args.reps or SENSITIVITY_REPS
    if paths:
        _check_observed(paths)
    cases = shock_sensitivity(paths, replicas=args.reps, seed=args.seed, overrides=args.overrides, point=args.point)
    if args.json:
        print_json({"replications": args.reps, "seed": args.seed, "set": args.overrides, "cases": [c.as_dict() for c in cases]})
        return 0
    from rich.console import Console

    widest = max((len(case.bands) for case in cases), default=0)
    out = Console(highlight=False, soft_wrap=False, width=max(36 + 15 * widest, console().width))
    for case in cases:
        out.print(_sensitivity_table(case, args))
        if case.skipped:
            out.print(f"not varied (no id): {', '.join(case.skipped)}")
    out.print("Each cell: the paired change of the mean against the case as shipped (same seed, replica by replica), "
              "its 95% interval low..high (bold when it excludes 0), and the share of replications inside the observed band; "
              "a months_to_X over the replications in which X happened in both runs (their number when fewer than all).")
    return 0


def _check_observed(paths: list) -> None:
    from sim.scenario import ScenarioError, load_scenario

    for path in paths:
        if not load_scenario(path).observed:
            raise ScenarioError(f"{path}: the scenario has no observed: block to check")


def _sensitivity_table(case, args: argparse.Namespace):  # noqa: ANN001, ANN202 - a CaseSensitivity, a rich Table
    from rich.table import Table

    what_if = f" with {', '.join(args.overrides)}" if args.overrides else ""
    table = Table(title=f"{case.name}{what_if}: observed outcomes when one shock moves or changes size "
                        f"({args.reps} replications, seed {args.seed})", show_lines=True)
    table.add_column("shock", no_wrap=True)
    table.add_column("variant", no_wrap=True)
    for name, band in case.bands.items():
        table.add_column(f"{name.replace('_', ' ')}\n{band}", justify="right", min_width=12)
    shipped = [f"{_number(case.shipped_mean[n])}\n\nin band {case.shipped_inside[n]:.2f}" for n in case.bands]
    table.add_row("as shipped", "", *shipped)
    previous = None
    for result in case.variants:
        cells = [_change(result.changes[n], result.inside[n], args.reps) for n in case.bands]
        label = f"{result.variant.change}\n= {result.variant.value}"
        table.add_row(result.variant.shock if result.variant.shock != previous else "", label, *cells)
        previous = result.variant.shock
    return table


def _number(value: float) -> str:
    return "n/a" if value != value else fmt(value)


def _change(change: dict, inside: float, replicas: int) -> str:
    """A paired change, its interval and the share inside the band, on three lines; the number
    of pairs where fewer than every replication count (a months_to_X happened in both in those)."""
    if change.get("diff") is None:
        return f"n/a\n\nin band {inside:.2f}"
    diff, low, high = change["diff"], change["ci_low"], change["ci_high"]
    pairs = change.get("pairs", replicas)
    counted = f" ({pairs} pairs)" if pairs < replicas else ""
    if low is None:  # a single pair has no interval
        return f"{diff:+.2f}{counted}\n\nin band {inside:.2f}"
    text = f"{diff:+.2f}{counted}\n{low:+.2f}..{high:+.2f}"
    if low > 0 or high < 0:
        text = f"[bold]{text}[/bold]"
    return f"{text}\nin band {inside:.2f}"
