"""Exogenous shocks: what a scenario schedules from outside the negotiation.

A new administration with a new policy, an intelligence finding (enrichment outside Yongbyon
found, which a deal signed before it was known sees as a breach, ``implementation.circumvented``;
or a cut in trust), a change in US-China rivalry. Shocks never set an outcome: they
change policies, trust, beliefs or rivalry, and the actors decide what follows. A new policy
of either negotiating side is news: old failures say less about new talks
(``beliefs.fresh_start``).

An intelligence or rivalry shock may have an uncertain date (``window``) and size (a range):
each replica draws its own once, when the model is built (``schedule``), and the shock falls
in each month on the replicas whose draw is that month. A policy shock is one for all
replicas (``scenario.POLICY_IS_SHARED``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from sim import beliefs
from sim.actors import registry
from sim.scenario import UNCERTAIN_SIZES, IntelligenceShock, PolicyShock, RivalryShock, Scenario, is_uncertain, possible_months
from sim.state import WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel


AnyShock = Union[PolicyShock, IntelligenceShock, RivalryShock]


@dataclass
class Scheduled:
    """A shock as it falls in one month: on every replica (``where`` None) or on the replicas
    ``where`` marks, with the size each replica drew (``sizes``, by key; a key not there has the
    file's one value)."""

    shock: AnyShock
    where: np.ndarray | None = None
    sizes: dict[str, np.ndarray] = field(default_factory=dict)

    def size(self, key: str) -> float | np.ndarray:
        return self.sizes[key] if key in self.sizes else getattr(self.shock, key)

    def drawn(self, key: str, r: int) -> float:
        """The size replica ``r`` drew for ``key`` (rounded for the story), or the file's one value."""
        return round(float(self.sizes[key][r]), 2) if key in self.sizes else getattr(self.shock, key)

    def on(self, new: np.ndarray, old: np.ndarray) -> np.ndarray:
        """``new`` on the replicas the shock falls on this month, ``old`` elsewhere."""
        return new if self.where is None else np.where(self.where, new, old)


def schedule(scenario: Scenario, replicas: int, rng: np.random.Generator) -> dict[int, list[Scheduled]]:
    """Each month's shocks, in file order. A shock with a window or a range is drawn here, per
    replica: its month uniformly among ``possible_months`` and each ranged size uniformly in its
    range. The draws come from a child of ``rng`` (``Generator.spawn``), which leaves ``rng``'s own
    stream untouched, and only when some shock is uncertain; a case without windows and ranges
    runs exactly as it always did, and one with them keeps the rest of its randomness replica by
    replica (common random numbers with the case as shipped). One uniform per replica and drawn
    quantity, replica by replica, so replica r's draws do not depend on how many replicas run."""
    uncertain = [shock for shock in scenario.shocks if is_uncertain(shock)]
    columns = [(id(shock), key) for shock in uncertain for key in _drawn_keys(shock)]
    u = rng.spawn(1)[0].random((replicas, len(columns))) if columns else np.empty((replicas, 0))
    drawn = {column: u[:, i] for i, column in enumerate(columns)}
    by_month: dict[int, list[Scheduled]] = defaultdict(list)
    for shock in scenario.shocks:
        if not is_uncertain(shock):
            by_month[shock.date].append(Scheduled(shock))
            continue
        sizes = {key: _size(getattr(shock, key), drawn[(id(shock), key)]) for key in _drawn_keys(shock) if key != "date"}
        months = possible_months(shock, scenario.start, scenario.end)
        if (id(shock), "date") not in drawn:
            by_month[shock.date].append(Scheduled(shock, None, sizes))
            continue
        dates = months.start + np.minimum((drawn[(id(shock), "date")] * len(months)).astype(np.int64), len(months) - 1)
        for month in months:
            where = dates == month
            if where.any():
                by_month[month].append(Scheduled(shock, where, sizes))
    return by_month


def _drawn_keys(shock: AnyShock) -> list[str]:
    """What each replica draws for ``shock``, in a fixed order: its date, then its ranged sizes."""
    keys = ["date"] if getattr(shock, "window", 0) else []
    return keys + [key for key in UNCERTAIN_SIZES if isinstance(getattr(shock, key, None), tuple)]


def _size(bounds: tuple[float, float], u: np.ndarray) -> np.ndarray:
    low, high = bounds
    return low + u * (high - low)


def apply(model: DiplomacyModel, world: WorldState) -> None:
    """Phase 1 of a month: the shocks dated this month (on the replicas that drew this month)."""
    for entry in model.shocks_by_month.get(world.month, ()):
        entry = entry if isinstance(entry, Scheduled) else Scheduled(entry)
        shock = entry.shock
        if isinstance(shock, PolicyShock):
            actor = model.actors[shock.actor]
            actor.set_policy(**shock.set)
            if shock.actor in ("us", "dprk"):
                beliefs.fresh_start(model, world)
            if "sanctions" in shock.set and shock.actor in world.unilateral:
                world.unilateral[shock.actor] = np.full(world.replicas, float(shock.set["sanctions"]))
        elif isinstance(shock, IntelligenceShock):
            i, j = registry.index(shock.actor), registry.index(shock.toward)
            world.trust[i, j] = entry.on(np.clip(world.trust[i, j] * entry.size("trust_factor"), 0.0, 1.0), world.trust[i, j])
            if shock.other_sites_rate is not None:
                world.other_sites_rate = entry.on(_full(entry.size("other_sites_rate"), world.replicas), world.other_sites_rate)
        elif isinstance(shock, RivalryShock):
            world.rivalry = entry.on(_full(entry.size("level"), world.replicas), world.rivalry)
        data = {"shock": shock.kind, "note": shock.note}
        if isinstance(shock, PolicyShock):
            data["changes"] = dict(shock.set)
        happened = True if entry.where is None else entry.where
        text = _text(model, shock, entry.size) if not entry.sizes else (lambda r, e=entry: _text(model, e.shock, partial(e.drawn, r=r)))
        model.log.add("shock", getattr(shock, "actor", "world"), happened, text, **data, **entry.sizes)


def _full(value: float | np.ndarray, replicas: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (replicas,)).copy()


def _text(model: DiplomacyModel, shock: AnyShock, size: Callable[[str], Any]) -> str:
    """The story's line for ``shock``, with its sizes as ``size(key)`` gives them (drawn or not)."""
    if isinstance(shock, PolicyShock):
        text = f"{model.actors[shock.actor].label} changes policy: " + ", ".join(f"{k} = {v}" for k, v in shock.set.items())
    elif isinstance(shock, IntelligenceShock):
        truster, trusted = model.actors[shock.actor].label, model.actors[shock.toward].label
        parts = [] if size("trust_factor") == 1.0 else [f"{truster}'s trust in {trusted} is multiplied by {size('trust_factor')}"]
        if shock.other_sites_rate is not None:
            parts.append(f"{truster} finds enrichment outside Yongbyon ({size('other_sites_rate'):g} warheads' worth a year)")
        text = "; ".join(parts) or f"{truster} learns something of {trusted}"
    else:
        text = f"US-China rivalry moves to {size('level')}"
    return text + (f" ({shock.note})" if shock.note else "")
