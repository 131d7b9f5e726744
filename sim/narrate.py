"""The story of one replication in plain sentences, month by month, for a terminal or a handout.

Events carry the model's own account of each decision as data (the package, the value each
side put on it against its status quo, who withdrew and why). Here each becomes a sentence in
words: item identifiers become their labels (``sim.labels``), packages read "X and Y for Z",
and the events of a month are told together on one line. An event with no wording here is told
by its own text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sim import concessions, labels
from sim.events import Event
from sim.runner import Run

QUIET = frozenset({"offer"})
"""Kinds told in the short story only when they change: a side's refused offer is told the first
month it is made, not again each month it stands; ``verbose`` tells every one, ``--json`` keeps all."""

WHO = {"us": "the US", "allies": "the US", "dprk": "the DPRK"}


def _items(names: Iterable[str]) -> str:
    names = list(names)
    return labels.items(names) if names else "nothing"


def _split(package: Iterable[str]) -> tuple[list[str], list[str]]:
    """A package's items: what the DPRK gives, what the US and its partners give."""
    package = list(package)
    return ([n for n in package if concessions.BY_NAME[n].side == "dprk"],
            [n for n in package if concessions.BY_NAME[n].side != "dprk"])


def _gain(value: float) -> str:
    """``-0.35`` reads '0.35 worse than no deal' (its status quo)."""
    return f"{abs(value):.2f} {'better' if value >= 0 else 'worse'} than no deal"


def _agreement(e: Event) -> str:
    d = e.data
    dprk_gives, allies_give = _split(d["package"])
    return (
        f"the US and the DPRK sign an agreement: {_items(dprk_gives)} from the DPRK for {_items(allies_give)}; "
        f"the DPRK values it at {d['dprk_value']:.2f} against its status quo of {d['dprk_status_quo']:.2f}, "
        f"the US at {d['us_value']:.2f} against its status quo of {d['us_status_quo']:.2f}, so both are better off with it"
    )


def _offer(e: Event) -> str:
    worth = e.data["value_to_other"]
    dprk_gives, allies_give = _split(e.data["package"])
    who, other = ("the US", "the DPRK") if e.actor == "us" else ("the DPRK", "the US")
    offered, asked = (allies_give, dprk_gives) if e.actor == "us" else (dprk_gives, allies_give)
    reason = f"the offer is {_gain(worth)}, but it holds out for more" if worth >= 0 else f"to it the offer is {_gain(worth)}"
    return f"{who} offers {_items(offered)} in return for {_items(asked)}; {other} says no: {reason}"


def _walkout(e: Event) -> str:
    d = e.data
    us, dprk = d["us_value_of_offer"], d["dprk_value_of_offer"]
    head = "talks break down with no zone of agreement" if us < 0 and dprk < 0 else "talks break down"
    text = f"{head}: the US values the DPRK's last offer at {_gain(us)}, and the DPRK values the US offer at {_gain(dprk)}"
    if "dprk_offer" in d:
        text += (f" (the DPRK offered {_items(_split(d['dprk_offer'])[0])}; "
                 f"the US offered {_items(_split(d['us_offer'])[1])})")
    blocks = [f"{who} could not accept without going beyond its mandate on {_items(d[key])}"
              for who, key in (("the US", "us_missing"), ("the DPRK", "dprk_missing")) if d.get(key)]
    return text + ("; " + "; ".join(blocks) if blocks else "")


def _collapse(e: Event) -> str:
    d = e.data
    side = d["withdrawn_by"]
    other = "us" if side == "dprk" else "dprk"
    reasons = [f"its gain from keeping the deal has fallen to {d[f'{side}_surplus']:+.2f}"]
    if d[f"{other}_shortfall"] > 0.005:
        reasons.append(f"the other side has fallen short on {d[f'{other}_shortfall']:.0%} of what was due")
    if d[f"{side}_defection"] > 0.005:
        reasons.append(f"it sees defection of {d[f'{side}_defection']:.2f}")
    return f"the deal collapses: {WHO[side]} walks away ({labels.and_list(reasons)}); Yongbyon restarts, inspectors leave"


def _launches(e: Event) -> str:
    n = e.data["count"]
    return "the DPRK fires a short-range missile" if n == 1 else f"the DPRK fires {n} short-range missiles"


def _late(e: Event) -> str:
    dprk_late, allies_late = _split(e.data["items"])
    parts = [f"{who} late with {labels.items(late)}"
             for who, late in (("the US and its partners are", allies_late), ("the DPRK is", dprk_late)) if late]
    return "; ".join(parts) or e.text


def _shock(e: Event) -> str:
    changes = e.data.get("changes")
    if not changes:
        return e.text
    who = e.text.split(" changes policy")[0]
    told = [f"{key.replace('_', ' ')} {labels.policy_value(str(value))}" for key, value in changes.items()]
    note = f" ({e.data['note']})" if e.data.get("note") else ""
    return f"{who} changes policy{note}: {labels.and_list(told)}"


def _talks(e: Event) -> str:
    waived = [f"{WHO[side if side == 'dprk' else 'us']} drops its precondition" for side in e.data.get("waived", [])]
    return f"talks open ({labels.policy_value(e.data['format'])} format)" + ("; " + ", ".join(waived) if waived else "")


WORDING: dict[str, Callable[[Event], str]] = {
    "agreement_signed": _agreement,
    "offer": _offer,
    "walkout": _walkout,
    "deal_collapsed": _collapse,
    "short_range_launches": _launches,
    "delivery_delayed": _late,
    "shock": _shock,
    "talks_opened": _talks,
}


def sentence(event: Event) -> str:
    """The event told in words (its own text when it has no wording here or lacks the data)."""
    wording = WORDING.get(event.kind)
    try:
        return wording(event) if wording else event.text
    except KeyError:
        return event.text


def month_lines(events: Iterable[Event], replica: int = 0, verbose: bool = False) -> list[tuple[str, str]]:
    """``[(date, 'what happened; what happened next.'), ...]``: each month's events of ``replica`` together."""
    months: dict[str, list[str]] = {}
    last: dict[tuple[str, str], object] = {}
    told_late: set[str] = set()
    for event in events:
        if event.replica != replica:
            continue
        if event.kind in QUIET and not verbose:
            package = tuple(event.data.get("package", ())) or event.text
            if last.get((event.kind, event.actor)) == package:
                continue
            last[(event.kind, event.actor)] = package
        if event.kind in SUMMARISED and not verbose:
            items = tuple(event.data.get("items", ()))
            if items and set(items) <= told_late:
                continue  # told once; counted in the summary (``repeated``)
            told_late.update(items)
        months.setdefault(event.date, []).append(sentence(event))
    return [(date, "; ".join(sentences) + ".") for date, sentences in months.items()]


SUMMARISED = frozenset({"delivery_delayed"})
"""Kinds told the first time and then counted: 'fuel oil late in 34 of 96 months of the deal'."""


def repeated(events: Iterable[Event], replica: int, last_month: int) -> list[str]:
    """Repeated events of ``replica`` summarised: each late item, in how many of the months a deal was in force."""
    mine = [e for e in events if e.replica == replica]
    in_force, start = 0, None
    for e in mine:
        if e.kind == "agreement_signed" and start is None:
            start = e.month
        elif e.kind in ("deal_collapsed", "deal_completed") and start is not None:
            in_force, start = in_force + e.month - start, None
    if start is not None:
        in_force += last_month - start + 1
    late: dict[str, int] = {}
    for e in mine:
        if e.kind in SUMMARISED:
            for item in e.data.get("items", ()):
                late[item] = late.get(item, 0) + 1
    return [f"{labels.items([item])} late in {n} of {in_force} months with a deal in force"
            for item, n in sorted(late.items(), key=lambda kv: -kv[1]) if n > 1]


def story(run: Run, replica: int = 0, verbose: bool = False, label: str | None = None) -> str:
    """The title line (with ``label``, e.g. 'a typical run of 200 (run 37, seed 0)'), then one line per month."""
    lines = [f"{run.scenario.title}: {label}" if label else f"{run.scenario.title} (replication {replica}, seed {run.seed})"]
    lines += [f"{date}: {text}" for date, text in month_lines(run.events, replica, verbose)]
    if len(lines) == 1:
        lines.append("Nothing of note happens in this replication.")
    if not verbose and (summary := repeated(run.events, replica, run.scenario.end)):
        lines.append("In all: " + "; ".join(summary) + ".")
    return "\n".join(lines)
