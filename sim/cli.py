"""The command line: ``run_sim.py COMMAND ...`` or the ``peninsula`` console script.

Each command lives in ``sim/commands/<name>.py`` with ``add_arguments(parser)`` and
``main(args) -> int``; heavy imports happen inside ``main`` so ``--help`` stays fast.
Bad input ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("sim.commands.run", "run one scenario over replications (outcome table, --narrate for the story)"),
    "compare": ("sim.commands.compare", "compare scenarios side by side: means, 95%% intervals, differences"),
    "validate": ("sim.commands.validate", "check a scenario file against the schema"),
    "fidelity": ("sim.commands.fidelity", "every case against its observed record: share of replications inside each band"),
    "calibrate": ("sim.commands.calibrate", "fit the shared dispositions to all cases together (seeded; --write to save)"),
    "report": ("sim.commands.report", "write one self-contained HTML page comparing scenarios (tables, charts, stories)"),
    "app": ("sim.commands.app", "start the classroom web app (Solara) on 127.0.0.1"),
    "sweep": ("sim.commands.sweep", "sweep a grid or a Sobol/Morris sample of what-ifs; resumable, parallel, Dask"),
}


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from sim.errors import printable

        sys.stderr.write(f"error: {printable(message)} (see {self.prog} --help)\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="peninsula",
        description="An agent-based simulator of nuclear diplomacy on the Korean peninsula.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name, (module, summary) in COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=summary.replace("%%", "%"))  # help= is %-formatted, description= is not
        importlib.import_module(module).add_arguments(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    from sim.errors import UserError, printable

    try:
        code = importlib.import_module(COMMANDS[args.command][0]).main(args)
        sys.stdout.flush()
        return code
    except UserError as error:
        sys.stderr.write(f"error: {printable(str(error))}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 141  # as a Unix tool killed by SIGPIPE: the reader (head, say) closed the pipe


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
