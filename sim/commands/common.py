"""Arguments and output shared by the commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_run_arguments(parser: argparse.ArgumentParser, reps: int) -> None:
    parser.add_argument("--reps", type=positive_int, default=reps, help=f"replications (default {reps})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random generator (default 0)")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="ACTOR.KEY=VALUE",
        help="a what-if: change a policy or disposition, e.g. us.precondition=none, china.enforcement=0.2, "
        "us.offers=+partial_relief, shocks.us_2001=off (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")


def print_json(payload: Any) -> None:
    json.dump(payload, sys.stdout, indent=2, default=_plain)
    sys.stdout.write("\n")


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def console():  # noqa: ANN201 - rich's Console, imported lazily
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, width=max(100, Console().width))


def fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def png_path(text: str) -> str:
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"expected a file name ending in .png, got {text!r}")
    return text


def add_plot_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plot", metavar="FILE.png", type=png_path,
                        help="also chart the state series (median, 10-90%% band, events) as a PNG")


def save_plot(runs: list, path: str, stories: list | None = None, story_label: str = "replication 0") -> None:
    """Write the chart of ``runs`` (sim.runner.Run) to ``path`` (a ``.png``), marking ``stories``' events; one line on stderr."""
    from sim.errors import UserError
    from sim.plots import save

    try:
        written = save(runs, path, stories=stories, story_label=story_label)
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror or error}") from None
    sys.stderr.write(f"chart written to {written}\n")
