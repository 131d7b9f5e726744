"""Typed events: what happened in a replica, with the reason for each decision.

Events are recorded for the first ``record`` replicas only (one for a narrated run, none
in a sweep), so a sweep of ten thousand replicas pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from sim import calendar

EventKind = Literal[
    "shock", "nuclear_test", "long_range_launch", "short_range_launches", "un_resolution",
    "un_blocked", "response", "talks_opened", "talks_declined", "offer", "agreement_signed",
    "walkout", "delivery_delayed", "withholding", "reneged", "deal_collapsed", "deal_completed", "crisis",
]


@dataclass(frozen=True)
class Event:
    month: int
    replica: int
    kind: EventKind
    actor: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def date(self) -> str:
        return calendar.format_month(self.month)

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date, "replica": self.replica, "kind": self.kind, "actor": self.actor, "text": self.text, **self.data}


class EventLog:
    """The story of the recorded replicas."""

    def __init__(self, record: int, only: int | None = None) -> None:
        self.record = record if only is None else only + 1
        self.only = only  # one replication's story alone (the typical run's), when set
        self.events: list[Event] = []
        self.month = 0

    def add(self, kind: EventKind, actor: str, happened: np.ndarray | bool, text: str | Callable[[int], str], **data: Any) -> None:
        """Record ``kind`` for each recorded replica where ``happened``.

        ``text`` is a string or a function of the replica index (for per-replica figures);
        in ``data`` (the decision's reasons as numbers), arrays are read at that replica and
        functions called with its index.
        """
        if not self.record:
            return
        if isinstance(happened, bool | np.bool_):
            replicas = range(self.record) if happened else ()
        else:
            replicas = np.flatnonzero(happened[: self.record])
        if self.only is not None:
            replicas = [r for r in replicas if r == self.only]
        for r in replicas:
            r = int(r)
            values = {k: _at(v, r) for k, v in data.items()}
            body = text(r) if callable(text) else text
            self.events.append(Event(self.month, r, kind, actor, body, values))


def _at(value: Any, r: int) -> Any:
    """A data value as recorded for replica ``r``: a function of ``r``, an array read at ``r``, or as is."""
    if callable(value):
        return value(r)
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        item = value[r]
        return round(float(item), 3) if np.issubdtype(type(item), np.floating) else item.item()
    return value
