"""Who may give and who may demand each item of the issue space (``sim.concessions``).

The DPRK gives the DPRK's items (a freeze, inspections, dismantlement...) and demands the
allied side's; the US, China, South Korea and Japan give the allied side's items (fuel oil,
relief, assurances...) and the US demands the DPRK's. Within one list an item appears once, and
``required`` demands are among the ``demands``. The scenario schema calls ``item_problems``
for every actor's policy and for every policy shock.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from sim import concessions

LISTS = ("offers", "demands", "required")


def side_of(actor: str) -> str:
    """The side of the table an actor sits on: ``"dprk"`` or ``"allies"``."""
    return "dprk" if actor == "dprk" else "allies"


def item_problems(actor: str, policy: Any) -> Iterator[tuple[tuple, str]]:
    """Each problem with the items of ``actor``'s ``policy``, as (key path below the policy, message)."""
    own = side_of(actor)
    other = "allies" if own == "dprk" else "dprk"
    lists = {name: getattr(policy, name) for name in LISTS if isinstance(getattr(policy, name, None), list)}
    for name, items in lists.items():
        for index, item in enumerate(items):
            if item not in concessions.BY_NAME:
                close = difflib.get_close_matches(str(item), concessions.NAMES, n=1, cutoff=0.5)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield (name, index), f"unknown item {item!r}{hint}; items are: {', '.join(concessions.NAMES)}"
                continue
            if item in items[:index]:
                yield (name, index), f"{item!r} is listed twice"
            side = concessions.BY_NAME[item].side
            if name == "offers" and side != own:
                yield (name, index), f"{actor} cannot give {item!r}: it is the {_side(side)}'s to give; {actor} gives {_names(own)}"
            if name in ("demands", "required") and side != other:
                yield (name, index), f"{actor} cannot demand {item!r}: it is its own side's to give; {actor} demands {_names(other)}"
    if "required" in lists and "demands" in lists:
        for index, item in enumerate(lists["required"]):
            if item not in lists["demands"]:
                yield ("required", index), f"{item!r} is required but not among the demands {lists['demands']}"


def _side(side: str) -> str:
    return "DPRK" if side == "dprk" else "allied side"


def _names(side: str) -> str:
    return ", ".join(item.name for item in concessions.CATALOGUE if item.side == side)
