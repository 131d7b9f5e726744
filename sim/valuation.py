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


def dprk_worth(model, world: WorldState) -> np.ndarray:  # noqa: ANN001 - a DiplomacyModel
    """Worth to the DPRK of each item (R, items): what it receives positive, gives negative."""
    d = model.dprk.dispositions
    values = d.vector(d.values)
    costs = d.vector(d.costs)
    scale_recv = np.where(c.SCALES_WITH_PRESSURE, world.pressure[:, None], 1.0)
    scale_cost = np.where(c.SCALES_WITH_CAPABILITY, 1.0 + d.capability_cost * world.capability_index[:, None], 1.0)
    return np.where(c.IS_DPRK, -costs * scale_cost, values * scale_recv)


def us_worth(model, world: WorldState) -> np.ndarray:  # noqa: ANN001
    """Worth to the US (leading the allied side) of each item (R, items)."""
    d = model.us.dispositions
    values = d.vector(d.values)
    costs = d.vector(d.costs)
    yongbyon_share = world.yongbyon_rate / np.maximum(world.yongbyon_rate + world.other_sites_rate, 1e-9)
    capability = 1.0 + world.capability_index[:, None]
    recv = values * np.where(c.SCALES_WITH_CAPABILITY, capability, 1.0)
    recv = recv * np.where(YONGBYON, yongbyon_share[:, None], 1.0)
    cost = costs * np.where(c.SCALES_WITH_PRESSURE, world.pressure[:, None], 1.0)
    return np.where(c.IS_DPRK, recv, -cost)


def surplus(model, world: WorldState, side: str, packages: np.ndarray, ctx: Context) -> np.ndarray:  # noqa: ANN001
    """Gain over the status quo for ``side``: (R, K) for K packages offered to every replica."""
    packages = np.atleast_2d(packages)
    return _surplus(model, world, side, packages, ctx, paired=False)


def deal_surplus(model, world: WorldState, side: str, deals: np.ndarray, ctx: Context) -> np.ndarray:  # noqa: ANN001
    """Gain over the status quo (R,) for ``side`` of each replica's own package (R, items)."""
    return _surplus(model, world, side, deals, ctx, paired=True)


def _surplus(model, world, side, packages, ctx, paired: bool) -> np.ndarray:  # noqa: ANN001
    worth = dprk_worth(model, world) if side == "dprk" else us_worth(model, world)
    own = c.IS_DPRK if side == "dprk" else ~c.IS_DPRK
    discount = model.dispositions.world.discount_per_year ** (schedule(packages, ctx.sequencing) / 12.0)
    received = (packages & ~own) * discount
    given = packages & own
    cred = _credibility(world, side, packages, ctx, paired)
    if paired:
        value = cred * (worth * received).sum(axis=1) + (worth * given).sum(axis=1)
    else:
        value = cred * (worth @ received.T) + worth @ given.T
    if side == "dprk":
        excess = max(0.0, ctx.verification_demand - ctx.verification_limit)
        intrusive = packages[:, NUCLEAR_STEPS].any(axis=1)
        penalty = model.dprk.dispositions.verification_aversion * excess * intrusive
        value = value - (penalty if paired else penalty[None, :])
    return value


def _credibility(world: WorldState, side: str, packages: np.ndarray, ctx: Context, paired: bool) -> np.ndarray:
    """Credibility of what ``side`` is promised: (R, K), or (R,) when ``paired``."""
    secured = SECURED[ctx.sequencing][side]
    if side == "dprk":
        trust = np.minimum(1.0, world.trust[DPRK, US] + ctx.mediation_trust)
        risk = (1.0 - trust) * (1.0 - secured)
        return 1.0 - risk if paired else (1.0 - risk)[:, None] * np.ones(len(packages))
    trust = np.minimum(1.0, world.trust[US, DPRK] + ctx.mediation_trust)
    verification = min(ctx.verification_demand, ctx.verification_limit) * (
        0.5 + 0.5 * packages[:, c.INDEX["inspections"]]
    )
    risk = (1.0 - trust) * (1.0 - secured)
    return 1.0 - risk * (1.0 - verification) if paired else 1.0 - risk[:, None] * (1.0 - verification)[None, :]


def status_quo(model, world: WorldState, side: str) -> np.ndarray:  # noqa: ANN001
    """Worth of no deal: what a package's value is told against in the story."""
    if side == "dprk":
        return model.dprk.status_quo(world)
    return -model.us.dispositions.threat_weight * world.capability_index


__all__ = ["Context", "deal_surplus", "schedule", "status_quo", "surplus"]
