"""The story of one replication in plain sentences, month by month, for a terminal or a handout.

Events carry the model's own account of each decision (values against status quo, who
withdrew and why). Here each becomes a sentence in words: item identifiers become their
labels (``sim.labels``), package lists read "X and Y for Z", and the events of a month are
told together on one line. A text this module does not recognise is told as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from sim import concessions, labels
from sim.events import Event
from sim.runner import Run

QUIET = frozenset({"offer"})
"""Kinds told in the short story only when they change: a side's refused offer is told the first
month it is made, not again each month it stands; ``verbose`` tells every one, ``--json`` keeps all."""

_NUMBER = r"[+-]?\d+(?:\.\d+)?"


def _items(text: str) -> str:
    """``'freeze, inspections'`` reads 'a freeze of Yongbyon and IAEA inspections'."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    return "nothing" if names in ([], ["nothing"]) else labels.items(names)


def _gain(value: float) -> str:
    """``-0.35`` reads '0.35 worse than no deal' (its status quo)."""
    return f"{abs(value):.2f} {'better' if value >= 0 else 'worse'} than no deal"


def _agreement(m: re.Match) -> str:
    dprk, dprk_base, us, us_base = (float(m.group(k)) for k in ("dv", "dq", "uv", "uq"))
    return (
        f"the US and the DPRK sign an agreement: {_items(m['gives'])} from the DPRK for {_items(m['gets'])}; "
        f"the DPRK values it at {dprk:.2f} against its status quo of {dprk_base:.2f}, "
        f"the US at {us:.2f} against its status quo of {us_base:.2f}, so both are better off with it"
    )


def _offer(m: re.Match) -> str:
    worth = float(m["worth"])
    dprk_side, allied_side = _items(m["gives"]), _items(m["gets"])
    offered, asked = (allied_side, dprk_side) if m["who"] == "the US" else (dprk_side, allied_side)
    reason = (f"the offer is {_gain(worth)}, but it holds out for more" if worth >= 0
              else f"to it the offer is {_gain(worth)}")
    return f"{m['who']} offers {offered} in return for {asked}; {m['other']} says no: {reason}"


def _walkout(m: re.Match) -> str:
    us, dprk = float(m["us"]), float(m["dprk"])
    head = "talks break down with no zone of agreement" if us < 0 and dprk < 0 else "talks break down"
    return (
        f"{head}: the US values the DPRK's last offer at {_gain(us)}, "
        f"and the DPRK values the US offer at {_gain(dprk)}"
    )


def _collapse(m: re.Match) -> str:
    surplus, shortfall, defection = float(m["surplus"]), float(m["shortfall"]), float(m["defection"])
    reasons = [f"its gain from keeping the deal has fallen to {surplus:+.2f}"]
    if shortfall > 0.005:
        reasons.append(f"the other side has fallen short on {shortfall:.0%} of what was due")
    if defection > 0.005:
        reasons.append(f"it sees defection of {defection:.2f}")
    return f"the deal collapses: {m['who']} walks away ({labels.and_list(reasons)}); {m['rest']}"


def _launches(m: re.Match) -> str:
    n = int(m["n"])
    return "the DPRK fires a short-range missile" if n == 1 else f"the DPRK fires {n} short-range missiles"


def _late(m: re.Match) -> str:
    names = [n.strip() for n in m["items"].split(",") if n.strip()]
    parts = []
    for side, who in (("allies", "the US and its partners are"), ("dprk", "the DPRK is")):
        late = [n for n in names if n in concessions.BY_NAME and concessions.BY_NAME[n].side == side]
        if late:
            parts.append(f"{who} late with {labels.items(late)}")
    unknown = [n for n in names if n not in concessions.BY_NAME]
    if unknown or not parts:
        return f"a delivery due under the deal is late: {_items(m['items'])}"
    return "; ".join(parts)


def _policy(m: re.Match) -> str:
    changes = []
    for part in m["changes"].split(", "):
        key, _, value = part.partition(" = ")
        changes.append(f"{key.replace('_', ' ')} {labels.policy_value(value)}")
    note = f" ({m['note']})" if m["note"] else ""
    return f"{m['who']} changes policy{note}: {labels.and_list(changes)}"


_REWRITES: tuple[tuple[re.Pattern[str], Callable[[re.Match], str]], ...] = (
    (re.compile(
        rf"the US and the DPRK sign an agreement: (?P<gives>.+?) for (?P<gets>.+?); the DPRK valued it at (?P<dv>{_NUMBER}) "
        rf"against its status quo of (?P<dq>{_NUMBER}), the US at (?P<uv>{_NUMBER}) against (?P<uq>{_NUMBER})"), _agreement),
    (re.compile(
        rf"(?P<who>the US|the DPRK) offers (?P<gives>.+?) for (?P<gets>.+?); (?P<other>the US|the DPRK) refuses: "
        rf"worth (?P<worth>{_NUMBER}) over its status quo"), _offer),
    (re.compile(
        rf"talks break down with no zone of agreement: the US valued the DPRK's offer at (?P<us>{_NUMBER}) over its "
        rf"status quo, the DPRK valued the US offer at (?P<dprk>{_NUMBER})"), _walkout),
    (re.compile(
        rf"the deal collapses: (?P<who>the US|the DPRK) withdraws \(its surplus from the deal (?P<surplus>{_NUMBER}), "
        rf"the other side's shortfall (?P<shortfall>{_NUMBER}), perceived defection (?P<defection>{_NUMBER})\); (?P<rest>.*)"),
     _collapse),
    (re.compile(r"the DPRK fires (?P<n>\d+) short-range missile\(s\)"), _launches),
    (re.compile(r"a due delivery is late: (?P<items>.+)"), _late),
    (re.compile(r"(?P<who>.+?) changes policy: (?P<changes>.+?)(?: \((?P<note>.+)\))?"), _policy),
    (re.compile(r"talks open \((?P<format>\w+)\)"),
     lambda m: f"talks open ({labels.policy_value(m['format'])} format)"),
)


def sentence(event: Event) -> str:
    """The event told in words (its own text when no rewrite applies)."""
    for pattern, rewrite in _REWRITES:
        match = pattern.fullmatch(event.text)
        if match:
            return rewrite(match)
    return event.text


def month_lines(events: Iterable[Event], replica: int = 0, verbose: bool = False) -> list[tuple[str, str]]:
    """``[(date, 'what happened; what happened next.'), ...]``: each month's events of ``replica`` together."""
    months: dict[str, list[str]] = {}
    last: dict[tuple[str, str], str] = {}
    for event in events:
        if event.replica != replica:
            continue
        if event.kind in QUIET and not verbose:
            package = event.text.split(";")[0]  # the offer itself, without this month's valuation
            if last.get((event.kind, event.actor)) == package:
                continue
            last[(event.kind, event.actor)] = package
        months.setdefault(event.date, []).append(sentence(event))
    return [(date, "; ".join(sentences) + ".") for date, sentences in months.items()]


def story(run: Run, replica: int = 0, verbose: bool = False) -> str:
    """The title line, then one line per month in which something happened."""
    lines = [f"{run.scenario.title} (replication {replica}, seed {run.seed})"]
    lines += [f"{date}: {text}" for date, text in month_lines(run.events, replica, verbose)]
    if len(lines) == 1:
        lines.append("Nothing of note happens in this replication.")
    return "\n".join(lines)
