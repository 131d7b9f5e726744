"""Arguments and output shared by the commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sim.limits import MAX_REPS, MAX_SEED, MAX_WORKERS


def whole_number(text: str, low: int, high: int) -> int:
    """``text`` as an integer from ``low`` to ``high``, or an argparse error in one line."""
    text = text.strip()
    if len(text) > 30:
        raise argparse.ArgumentTypeError(f"expected a whole number from {low:,} to {high:,}, got {text[:30]!r}...")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}, got {value:,}")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (and at most 10**9, beyond any sensible count)."""
    return whole_number(text, 1, 10**9)


def replications(text: str) -> int:
    """A replication count from 1 to ``MAX_REPS``."""
    return whole_number(text, 1, MAX_REPS)


def seed(text: str) -> int:
    """A seed from 0 to ``MAX_SEED``."""
    return whole_number(text, 0, MAX_SEED)


def workers(text: str) -> int:
    """A number of local worker processes, 1 to ``MAX_WORKERS``."""
    return whole_number(text, 1, MAX_WORKERS)


def count(text: str) -> int:
    """A count from 0 to 100,000 (samples, rounds)."""
    return whole_number(text, 0, 100_000)


def positive_float(text: str) -> float:
    """A finite number above 0 (seconds, say)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1e6:
        raise argparse.ArgumentTypeError(f"must be a number above 0 and below 1e6, got {text!r}")
    return value


def add_run_arguments(parser: argparse.ArgumentParser, reps: int) -> None:
    parser.add_argument("--reps", type=replications, default=reps, help=f"replications (default {reps}, at most {MAX_REPS:,})")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the random generator (default 0)")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="ACTOR.KEY=VALUE",
        help="a what-if: change a policy or disposition, e.g. us.precondition=none, china.stance=0.2, "
        "us.offers=+partial_relief, shocks.us_2001=off (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--point", action="store_true",
                        help="run every replica with the single calibrated set (sim/dispositions.yaml) instead of drawing "
                        "one set per replica from the posterior ensemble (sim/posterior.csv)")


def dispositions_label(point: bool) -> str:
    """How the run's dispositions were set, for a table's title."""
    return "one calibrated disposition set (--point)" if point else "dispositions drawn per replication from the posterior"


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


def percent(share: float) -> str:
    """A share in whole percent that never reads 0% or 100% for a share strictly between."""
    if 0.0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1.0:
        return ">99%"
    return f"{share:.0%}"


def summary_cell(s: dict | None, replicas: int) -> str:
    """One scenario's outcome as ``compare`` prints it: the mean, its 95% interval (none from a
    single run), and for a ``months_to_X`` the share of runs in which X happened."""
    if s is None:
        return ""
    if s["mean"] is None:
        return "never"
    interval = "" if replicas < 2 or s["ci_low"] is None else f" [{fmt(s['ci_low'])}, {fmt(s['ci_high'])}]"
    return f"{fmt(s['mean'])}{interval}" + (f" in {percent(s['happened'])}" if "happened" in s else "")


def difference_cell(d: dict | None, replicas: int) -> str:
    """A paired difference as ``compare`` prints it: the mean difference, its 95% interval (none
    from a single pair), and the number of pairs where fewer than every replication count (a
    ``months_to_X`` over the runs in which X happened in both)."""
    if d is None or d["diff"] is None:
        return ""
    interval = "" if d["ci_low"] is None else f" [{d['ci_low']:+.2f}, {d['ci_high']:+.2f}]"
    pairs = d.get("pairs", replicas)
    return f"{d['diff']:+.2f}{interval}" + (f" ({pairs} pairs)" if pairs < replicas else "")


def png_path(text: str) -> str:
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"expected a file name ending in .png, got {text!r}")
    return text


def check_writable(path: str, flag: str, make_parents: bool = False) -> None:
    """Fail now, in one line, if the file ``path`` cannot be written (before any work is done).

    With ``make_parents`` (the writer creates missing folders) the nearest existing folder must
    be writable instead."""
    import os
    from pathlib import Path

    from sim.errors import UserError

    target = Path(path)
    if target.is_dir():
        raise UserError(f"{flag} {path}: is a directory")
    if make_parents and not target.parent.exists():
        existing = target.parent
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.is_dir():
            raise UserError(f"{flag} {path}: {existing} is a file, not a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise UserError(f"{flag} {path}: cannot write in {existing}")
        return
    existed = target.exists()
    try:
        with target.open("ab"):
            pass
    except OSError as error:
        raise UserError(f"{flag} {path}: cannot write there ({error.strerror or type(error).__name__})") from None
    if not existed:
        os.unlink(target)


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
