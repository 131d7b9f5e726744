"""What a package is worth to each side: linear-additive values, discounted by trust and
by how late the sequencing delivers what was promised.

Kept apart from the negotiation protocol (as in NegMAS, the protocol asks, the valuation
answers). The commitment problem of ``DESIGN.md``: an item the other side promises is worth
``value * credibility * discount**years``, where credibility is the chance the promise is
kept or the breach does not hurt: ``1 - (1 - trust) * (1 - secured) * (1 - verification)``.
``secured`` is the share of the item that arrives before one must deliver one's own side
(disarm-first makes US promises worth little to the DPRK; relief-first makes DPRK promises
worth little to the US); verification lets the US see a breach in time to stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import concessions as c
from sim.state import DPRK, US, WorldState

SECURED: dict[str, dict[str, float]] = {
    "disarm_first": {"dprk": 0.0, "allies": 1.0},
    "action_for_action": {"dprk": 0.5, "allies": 0.5},
    "relief_first": {"dprk": 1.0, "allies": 0.0},
}
YONGBYON = c.mask(["freeze", "inspections", "disablement", "dismantlement"])
"""Items that stop or watch production at Yongbyon only; worth less to the US when other
sites enrich (2002: the enrichment finding; Hanoi: Yongbyon "wasn't enough", the US raised
other enrichment sites)."""
NUCLEAR_STEPS = c.mask(["freeze", "inspections", "disablement", "dismantlement", "declaration", "denuclearization"])
"""Items that bring verification with them."""


def schedule(packages: np.ndarray, sequencing: str) -> np.ndarray:
    """Months after signing when each item's delivery starts, for each package (K, items)."""
    one_off = packages & ~c.IS_CONTINUING
    finish = c.LEAD + c.DURATION
    dprk_done = np.where(one_off & c.IS_DPRK, finish, 0.0).max(axis=-1, keepdims=True)
    allied_done = np.where(one_off & ~c.IS_DPRK, finish, 0.0).max(axis=-1, keepdims=True)
    start = np.broadcast_to(c.LEAD, packages.shape).astype(float)
    if sequencing == "disarm_first":
        start = np.where(c.IS_DPRK, start, np.maximum(start, dprk_done))
    elif sequencing == "relief_first":
        start = np.where(c.IS_DPRK, np.maximum(start, allied_done), start)
    return start


@dataclass(frozen=True)
class Context:
    """What valuations need besides the world: the policies in force."""

    sequencing: str
    verification_demand: float
    verification_limit: float
    mediation_trust: float


Term = tuple[np.ndarray, np.ndarray | float]
"""One part of a side's valuation: per-item worth (items,) times a per-replica multiplier (R,)."""


def dprk_terms(model, world: WorldState) -> tuple[list[Term], list[Term]]:  # noqa: ANN001 - a DiplomacyModel
    """The DPRK's worth of what it receives and (negative) of what it gives.

    Relief is worth what sanctions cost now (``pressure``); giving up more capability costs
    more (``capability_cost``)."""
    d = model.dprk.dispositions
    values, costs = d.vector(d.values) * ~c.IS_DPRK, -d.vector(d.costs) * c.IS_DPRK
    received = [(values * ~c.SCALES_WITH_PRESSURE, 1.0), (values * c.SCALES_WITH_PRESSURE, world.pressure)]
    given = [
        (costs * ~c.SCALES_WITH_CAPABILITY, 1.0),
        (costs * c.SCALES_WITH_CAPABILITY, 1.0 + d.capability_cost * world.capability_index),
    ]
    return received, given


def us_terms(model, world: WorldState) -> tuple[list[Term], list[Term]]:  # noqa: ANN001
    """The US's worth of what it receives (DPRK steps) and (negative) of what it gives.

    Disarming a larger arsenal is worth more; Yongbyon items are worth Yongbyon's share of
    production; relief costs the leverage that sanctions give now (``pressure``)."""
    d = model.us.dispositions
    values, costs = d.vector(d.values) * c.IS_DPRK, -d.vector(d.costs) * ~c.IS_DPRK
    share = world.yongbyon_rate / np.maximum(world.yongbyon_rate + world.other_sites_rate, 1e-9)
    larger = 1.0 + world.capability_index
    cap, yb = c.SCALES_WITH_CAPABILITY, YONGBYON
    received = [
        (values * (~cap & ~yb), 1.0),
        (values * (cap & ~yb), larger),
        (values * (~cap & yb), share),
        (values * (cap & yb), larger * share),
    ]
    given = [(costs * ~c.SCALES_WITH_PRESSURE, 1.0), (costs * c.SCALES_WITH_PRESSURE, world.pressure)]
    return received, given


def _terms(model, world: WorldState, side: str) -> tuple[list[Term], list[Term]]:  # noqa: ANN001
    return dprk_terms(model, world) if side == "dprk" else us_terms(model, world)


def surplus(model, world: WorldState, side: str, packages: np.ndarray, ctx: Context) -> np.ndarray:  # noqa: ANN001
    """Gain over the status quo (R, K) for ``side`` of each of K packages offered to every replica."""
    packages = np.atleast_2d(packages)
    own = c.IS_DPRK if side == "dprk" else ~c.IS_DPRK
    discount = model.dispositions.world.discount_per_year ** (schedule(packages, ctx.sequencing) / 12.0)
    received_weights = (packages & ~own) * discount  # (K, items)
    given_weights = packages & own
    received_terms, given_terms = _terms(model, world, side)
    received = sum(np.multiply.outer(np.broadcast_to(m, world.replicas), received_weights @ w) for w, m in received_terms)
    given = sum(np.multiply.outer(np.broadcast_to(m, world.replicas), given_weights @ w) for w, m in given_terms)
    value = _credibility(world, side, packages, ctx, paired=False) * received + given
    return value - _verification_penalty(model, side, packages, ctx)[None, :]


def deal_surplus(model, world: WorldState, side: str, ctx: Context) -> np.ndarray:  # noqa: ANN001
    """Gain over the status quo (R,) for ``side`` of each replica's own deal, on its own schedule."""
    own = c.IS_DPRK if side == "dprk" else ~c.IS_DPRK
    deals = world.deal
    discount = model.dispositions.world.discount_per_year ** (world.schedule / 12.0)
    received_weights = (deals & ~own) * discount  # (R, items)
    given_weights = deals & own
    received_terms, given_terms = _terms(model, world, side)
    received = sum(m * (received_weights @ w) for w, m in received_terms)
    given = sum(m * (given_weights @ w) for w, m in given_terms)
    value = _credibility(world, side, deals, ctx, paired=True) * received + given
    return value - _verification_penalty(model, side, deals, ctx)


def _verification_penalty(model, side: str, packages: np.ndarray, ctx: Context) -> np.ndarray:  # noqa: ANN001
    """The DPRK's cost of verification demanded beyond what it accepts, for packages with nuclear steps."""
    if side != "dprk":
        return np.zeros(len(packages))
    excess = max(0.0, ctx.verification_demand - ctx.verification_limit)
    return model.dprk.dispositions.verification_aversion * excess * packages[:, NUCLEAR_STEPS].any(axis=1)


def _credibility(world: WorldState, side: str, packages: np.ndarray, ctx: Context, paired: bool) -> np.ndarray:
    """Credibility of what ``side`` is promised: (R, K), or (R,) when ``paired`` (one package per replica)."""
    secured = SECURED[ctx.sequencing][side]
    if side == "dprk":
        trust = np.minimum(1.0, world.trust[DPRK, US] + ctx.mediation_trust)
        risk = (1.0 - trust) * (1.0 - secured)
        return 1.0 - risk if paired else (1.0 - risk)[:, None]
    trust = np.minimum(1.0, world.trust[US, DPRK] + ctx.mediation_trust)
    verification = min(ctx.verification_demand, ctx.verification_limit) * (0.5 + 0.5 * packages[:, c.INDEX["inspections"]])
    risk = (1.0 - trust) * (1.0 - secured)
    return 1.0 - risk * (1.0 - verification) if paired else 1.0 - risk[:, None] * (1.0 - verification)[None, :]


def status_quo(model, world: WorldState, side: str) -> np.ndarray:  # noqa: ANN001
    """Worth of no deal: what a package's value is told against in the story."""
    if side == "dprk":
        return model.dprk.status_quo(world)
    return -model.us.dispositions.threat_weight * world.capability_index


__all__ = ["Context", "deal_surplus", "schedule", "status_quo", "surplus"]
