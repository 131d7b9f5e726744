"""The story of one replication in plain sentences, month by month, for a terminal or a handout."""

from __future__ import annotations

from sim.runner import Run

QUIET = frozenset({"offer"})
"""Kinds left out of the short story (each month's refused offers); ``--json`` keeps them."""


def story(run: Run, replica: int = 0, verbose: bool = False) -> str:
    lines = [f"{run.scenario.title} (replication {replica}, seed {run.seed})"]
    for event in run.events:
        if event.replica != replica or (event.kind in QUIET and not verbose):
            continue
        lines.append(f"{event.date}: {event.text}")
    return "\n".join(lines)
