"""``report A B ... -o report.html``: one self-contained HTML page comparing scenarios."""

from __future__ import annotations

import argparse
import shlex
import sys

from sim.commands.common import MAX_REPS, replications, seed


def html_path(text: str) -> str:
    if not text.lower().endswith((".html", ".htm")):
        raise argparse.ArgumentTypeError(f"expected a file name ending in .html, got {text!r}")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenarios", nargs="+", help="scenario files; the first is the reference of the differences")
    parser.add_argument("-o", "--output", type=html_path, default="report.html", help="the page to write (default report.html)")
    parser.add_argument("--reps", type=replications, default=200, help=f"replications per case (default 200, at most {MAX_REPS:,})")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the random generator (default 0)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="ACTOR.KEY=VALUE",
                        help="a what-if applied to every case, e.g. us.sequencing=action_for_action (repeatable)")


def main(args: argparse.Namespace) -> int:
    from sim.commands.common import check_writable
    from sim.errors import UserError
    from sim.report import write
    from sim.scenario import ScenarioSource

    for path in args.scenarios:
        ScenarioSource(path).load(args.overrides)  # bad input fails before the model runs
    check_writable(args.output, "-o")

    command = shlex.join(["python", "run_sim.py", "report", *args.scenarios, "-o", args.output, "--reps", str(args.reps),
                          "--seed", str(args.seed), *(f"--set={o}" for o in args.overrides)])
    try:
        path = write(args.scenarios, args.output, replicas=args.reps, seed=args.seed, overrides=args.overrides,
                     command=command)
    except OSError as error:
        raise UserError(f"cannot write {args.output}: {error.strerror or error}") from None
    sys.stderr.write(f"report written to {path}\n")
    return 0
