"""What a package is worth to each side: linear-additive values, discounted by trust and
by how late the sequencing delivers what was promised.

Kept apart from the negotiation protocol (as in NegMAS, the protocol asks, the valuation
answers). The commitment problem of ``DESIGN.md``: an item the other side promises is worth
``value * credibility * discount**years``, where credibility is the chance the promise is
kept or its breach does not hurt: ``1 - (1 - trust) * exposure``. An item that arrives before
one's own first costly delivery is secured (exposure 0: one can still stop if it does not
come); one that arrives later rests on trust (exposure 1), less what verification lets the US
see in time. So disarm-first makes US promises worth little to the DPRK, relief-first makes
DPRK promises worth little to the US, and action for action shares the risk.

What an item is worth comes from the outside option it changes (``sim/outside_option.py``):
relief is worth the pain of the pressure it lifts, disarming costs deterrence, assurances
answer insecurity, and any deal spares part of the tension (``calm_value``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import concessions as c
from sim.dispositions import by_package
from sim.outside_option import calm_value
from sim.state import DPRK, US, WorldState

if TYPE_CHECKING:
    from sim.model import DiplomacyModel

YONGBYON = c.mask(["freeze", "inspections", "disablement", "dismantlement"])
"""Items that stop or watch production at Yongbyon only; worth less to the US when other
sites enrich (2002: the enrichment finding; Hanoi: Yongbyon "wasn't enough", the US raised
other enrichment sites)."""
NUCLEAR_STEPS = c.mask(["freeze", "inspections", "disablement", "dismantlement", "declaration", "denuclearization"])
"""Items that bring verification with them."""


def schedule(packages: np.ndarray, sequencing: str, proof_months: float) -> np.ndarray:
    """Months after signing when each item's delivery starts, for each package (K, items).

    Action for action: each item at its own lead time. Disarm-first: the allies' items once the
    DPRK's are done (one-off items delivered, continuing ones kept ``proof_months``);
    relief-first: the reverse."""
    done_at = c.LEAD + np.where(c.IS_CONTINUING, proof_months, c.DURATION)
    dprk_done = np.where(packages & c.IS_DPRK, done_at, 0.0).max(axis=-1, keepdims=True)
    allied_done = np.where(packages & ~c.IS_DPRK, done_at, 0.0).max(axis=-1, keepdims=True)
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
    proof_months: float


Term = tuple[np.ndarray, np.ndarray | float]
"""One part of a side's valuation: per-item worth (items,) times a per-replica multiplier (R,)."""


def dprk_terms(model: DiplomacyModel, world: WorldState) -> tuple[list[Term], list[Term]]:
    """The DPRK's worth of what it receives and (negative) of what it gives.

    Relief is worth the pain of the pressure it lifts (``sanctions_pain``), assurances more
    the more insecure it is (``security_fear``); giving up capability costs deterrence
    (``deterrent_value``); Yongbyon items cost only Yongbyon's share of production."""
    d = model.dprk.dispositions.on(world)
    values, costs = d.vector(d.values) * ~c.IS_DPRK, -d.vector(d.costs) * c.IS_DPRK
    plain = ~c.SCALES_WITH_PRESSURE & ~c.SCALES_WITH_TENSION
    received = [
        (values * plain, 1.0),
        (values * c.SCALES_WITH_PRESSURE, world.pressure),
        (c.RELIEF_SHARE, d.sanctions_pain * world.pressure),
        (values * c.SCALES_WITH_TENSION, 1.0 + d.security_fear * world.tension),
    ]
    given = _capability_terms(costs, 1.0 + d.deterrent_value * world.capability_index, yongbyon_share(world), world.test_stake)
    return received, given


def yongbyon_share(world: WorldState) -> np.ndarray:
    """Yongbyon's share of the DPRK's production of fissile material (R,)."""
    return world.yongbyon_rate / np.maximum(world.yongbyon_rate + world.other_sites_rate, 1e-9)


def _capability_terms(worth: np.ndarray, larger: np.ndarray, share: np.ndarray, at_stake: np.ndarray) -> list[Term]:
    """Split DPRK items by whether they scale with capability and whether they are Yongbyon's;
    a test moratorium is worth the chance of the tests and launches it stops (``at_stake``)."""
    cap, yb, stops = c.SCALES_WITH_CAPABILITY, YONGBYON, c.SCALES_WITH_PROVOCATION
    return [
        (worth * stops, at_stake),
        (worth * (~cap & ~yb & ~stops), 1.0),
        (worth * (cap & ~yb), larger),
        (worth * (~cap & yb), share),
        (worth * (cap & yb), larger * share),
    ]


def us_terms(model: DiplomacyModel, world: WorldState) -> tuple[list[Term], list[Term]]:
    """The US's worth of what it receives (DPRK steps) and (negative) of what it gives.

    Limiting a larger arsenal is worth more (``threat_weight``); Yongbyon items are worth
    Yongbyon's share of production; relief costs the leverage that sanctions give now, less
    what maintaining them costs the US and its allies (``pressure_cost``)."""
    d = model.us.dispositions.on(world)
    values, costs = d.vector(d.values) * c.IS_DPRK, -d.vector(d.costs) * ~c.IS_DPRK
    received = _capability_terms(values, 1.0 + d.threat_weight * world.capability_index, yongbyon_share(world), world.test_stake)
    given = [
        (costs * ~c.SCALES_WITH_PRESSURE, 1.0),
        (costs * c.SCALES_WITH_PRESSURE, world.pressure),
        (c.RELIEF_SHARE, d.pressure_cost * world.pressure),
    ]
    return received, given


def _terms(model: DiplomacyModel, world: WorldState, side: str) -> tuple[list[Term], list[Term]]:
    return dprk_terms(model, world) if side == "dprk" else us_terms(model, world)


def received_worth(model: DiplomacyModel, world: WorldState, side: str, masks: list[np.ndarray]) -> list[np.ndarray]:
    """What receiving the items of each mask (R, items) is worth to ``side`` now (R,), undiscounted
    and before trust: the same terms its valuation of a package adds up (never negative).

    A late delivery weighs by this in the receiver's view of the other's shortfall: fuel oil a
    month late is not the same broken promise as a security assurance withheld."""
    received, _ = _terms(model, world, side)
    worth = np.stack([w for w, _ in received], axis=1)  # (items, T)
    return [_times_multipliers(mask.astype(float) @ worth, received) for mask in masks]


def surplus(model: DiplomacyModel, world: WorldState, side: str, packages: np.ndarray, ctx: Context) -> np.ndarray:
    """Gain over the status quo (R, K) for ``side`` of each of K packages offered to every replica."""
    return surpluses(model, world, side, [packages], ctx)[0]


def surpluses(model: DiplomacyModel, world: WorldState, side: str, package_sets: list[np.ndarray], ctx: Context) -> list[np.ndarray]:
    """``surplus`` of each set of packages, the side's per-replica terms reckoned once for all."""
    received_terms, given_terms = _terms(model, world, side)
    distrust = 1.0 - _trust(world, side, ctx)
    # one product (R, 3T) @ (3T, K): each term's per-replica multiplier times its per-package worth
    multipliers = [m for _, m in received_terms]
    per_replica = _as_columns([*multipliers, *(-distrust * m for m in multipliers), *(m for _, m in given_terms)], world.replicas)
    calm = calm_value(model, world, side)
    aversion = by_package(_verification_aversion(model, world, side))
    out = []
    for packages in package_sets:
        packages = np.atleast_2d(packages)
        full, at_risk, given = _package_weights(model, side, packages, ctx)
        per_package = np.stack([
            *(full @ w for w, _ in received_terms), *(at_risk @ w for w, _ in received_terms), *(given @ w for w, _ in given_terms),
        ], axis=1)
        value = per_replica @ per_package.T
        out.append(value + np.multiply.outer(calm, packages.any(axis=1)) - aversion * _verification_excess(packages, ctx)[None, :])
    return out


def _package_weights(model: DiplomacyModel, side: str, packages: np.ndarray, ctx: Context):
    """``_weights`` of packages on their own schedule, remembered: the same ladders are valued every month."""
    key = (side, ctx, packages.tobytes(), packages.shape)
    if key not in model.package_weights:
        model.package_weights[key] = _weights(model, side, packages, schedule(packages, ctx.sequencing, ctx.proof_months), ctx)
    return model.package_weights[key]


def deal_surplus(model: DiplomacyModel, world: WorldState, side: str, ctx: Context) -> np.ndarray:
    """Gain over the status quo (R,) for ``side`` of each replica's own deal, on its own schedule."""
    key = (side, ctx)
    if key not in world.deal_weights:  # computed once per policy context, then row by row at signing
        world.deal_weights[key] = _weights(model, side, world.deal, world.schedule, ctx)
    full, at_risk, given = world.deal_weights[key]
    received_terms, given_terms = _terms(model, world, side)
    distrust = 1.0 - _trust(world, side, ctx)

    received_worth_by_term = np.stack([w for w, _ in received_terms], axis=1)  # (items, T)
    given_worth_by_term = np.stack([w for w, _ in given_terms], axis=1)

    def total(terms: list[Term], worth_by_term: np.ndarray, weights: np.ndarray) -> np.ndarray:
        # (R, items) @ (items, T): every term's worth at once, times its per-replica multiplier
        return _times_multipliers(weights @ worth_by_term, terms)

    value = (total(received_terms, received_worth_by_term, full) - distrust * total(received_terms, received_worth_by_term, at_risk)
             + total(given_terms, given_worth_by_term, given))
    return value + calm_value(model, world, side) - _verification_aversion(model, world, side) * _verification_excess(world.deal, ctx)


def _as_columns(values: list[np.ndarray | float], replicas: int) -> np.ndarray:
    """Per-replica values or scalars as the columns of one array (R, n)."""
    out = np.empty((replicas, len(values)))
    for column, value in enumerate(values):
        out[:, column] = value
    return out


def _times_multipliers(worth: np.ndarray, terms: list[Term]) -> np.ndarray:
    """Each term's worth (R, T) times its per-replica multiplier, summed over the terms (R,): added
    column by column in order, the sum ``(worth * multipliers).sum(axis=1)`` makes (to the bit), at a
    fraction of the cost of a row sum over a handful of columns."""
    total = worth[:, 0] * terms[0][1]
    for column, (_, multiplier) in enumerate(terms[1:], start=1):
        total = total + worth[:, column] * multiplier
    return total


def refresh_deal_weights(model: DiplomacyModel, world: WorldState, signed: np.ndarray) -> None:
    """New deals were signed where ``signed``: recompute their rows of every remembered deal weight."""
    for (side, ctx), arrays in world.deal_weights.items():
        for array, rows in zip(arrays, _weights(model, side, world.deal[signed], world.schedule[signed], ctx), strict=True):
            array[signed] = rows


def _weights(model: DiplomacyModel, side: str, packages: np.ndarray, start: np.ndarray, ctx: Context):
    """Per package and item: discounted weight of what is received, the part of it at risk, what is given."""
    own = c.IS_DPRK if side == "dprk" else ~c.IS_DPRK
    received = packages & ~own
    given = packages & own
    discount = model.dispositions.world.discount_per_year ** (start / 12.0)
    first_own = np.where(given, start, np.inf).min(axis=-1, keepdims=True)
    exposure = np.where(start < first_own, 0.0, np.where(start == first_own, 0.5, 1.0))
    if side == "allies":
        seen = min(ctx.verification_demand, ctx.verification_limit) * (0.5 + 0.5 * packages[..., c.INDEX["inspections"]])
        exposure = exposure * (1.0 - seen[..., None])
    full = received * discount
    return full, full * exposure, given


def _trust(world: WorldState, side: str, ctx: Context) -> np.ndarray:
    """The receiving side's trust in the other's promises (R,), raised by China's mediation."""
    trust = world.trust[DPRK, US] if side == "dprk" else world.trust[US, DPRK]
    return np.minimum(1.0, trust + ctx.mediation_trust)


def _verification_aversion(model: DiplomacyModel, world: WorldState, side: str) -> float | np.ndarray:
    """How much ``side`` minds verification beyond what it accepts: the DPRK's aversion, 0 for the US."""
    return model.dprk.dispositions.on(world).verification_aversion if side == "dprk" else 0.0


def _verification_excess(packages: np.ndarray, ctx: Context) -> np.ndarray:
    """Verification demanded beyond what the DPRK accepts, for each package with nuclear steps (K,)."""
    excess = max(0.0, ctx.verification_demand - ctx.verification_limit)
    return excess * packages[:, NUCLEAR_STEPS].any(axis=1)


__all__ = ["Context", "deal_surplus", "received_worth", "refresh_deal_weights", "schedule", "surplus", "surpluses"]
