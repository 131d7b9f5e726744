"""The negotiation protocol: the talks state machine, offers, acceptance and walkouts.

No contact -> talks -> agreement, with walkouts back to no contact (``DESIGN.md``, phase 4).
Talks open only when each side's precondition is met by the other and each expects talking
to beat its outside option. In talks each side proposes a package from its *concession
ladder*: its policy's offers and demands, one step at a time at the pace of its strategy.
The ladder is the negotiator's mandate (what its government has authorised); its valuation
decides what it accepts (an offer worth more than its status quo and than what it is about
to propose itself: the AC-next rule) and what it will sign of its own offers (nothing worth
less than its status quo). When a side's deadline has passed, its mandate is
exhausted, and the other's offer still falls short of its own asking by more than it
tolerates, it walks out: no zone of agreement, as at Hanoi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import concessions as c
from sim.choice import choose, logistic
from sim.state import SIDE, Talks, WorldState
from sim.valuation import Context, schedule, status_quo, surplus

if TYPE_CHECKING:
    from sim.model import DiplomacyModel

STRATEGY_EXPONENT = {"boulware": 0.3, "linear": 1.0, "conceder": 3.0}
"""Faratin et al. (1998) time-dependent tactics: concession share ``t ** (1 / beta)``."""
FORMAT_PATIENCE = {"summit": 0.34, "bilateral": 1.0, "six_party": 1.5}
"""Summits compress bargaining into days; six-party rounds stretch it."""
BELIEF_TEMPERATURE = 0.3
"""Each side's uncertainty about what the other will accept, when deciding to talk."""


@dataclass(frozen=True)
class Ladder:
    """A side's packages from its opening position (row 0) to its last concession."""

    side: str
    packages: np.ndarray  # (K + 1, items)
    mandate: np.ndarray  # (items,): what this side is authorised to give

    @property
    def steps(self) -> int:
        return len(self.packages) - 1

    def allows(self, packages: np.ndarray) -> np.ndarray:
        """Which packages ask this side for nothing beyond its mandate (K,)."""
        own = c.IS_DPRK if self.side == "dprk" else ~c.IS_DPRK
        return ~(packages & own & ~self.mandate).any(axis=1)


def ladder(side: str, offers: list[str], demands: list[str], required: list[str], opening: int) -> Ladder:
    """Concede one step at a time, alternating: add the next offer, drop the last droppable demand."""
    give = list(dict.fromkeys(offers))
    keep = [d for d in dict.fromkeys(demands)]
    droppable = [d for d in reversed(keep) if d not in required]
    n_give = min(opening, len(give))
    rows = [c.mask(give[:n_give] + keep)]
    dropped: list[str] = []
    while n_give < len(give) or len(dropped) < len(droppable):
        if n_give < len(give):
            n_give += 1
            rows.append(c.mask(give[:n_give] + [d for d in keep if d not in dropped]))
        if len(dropped) < len(droppable):
            dropped.append(droppable[len(dropped)])
            rows.append(c.mask(give[:n_give] + [d for d in keep if d not in dropped]))
    return Ladder(side, np.array(rows, dtype=bool), c.mask(give))


def ladders(model: DiplomacyModel) -> dict[str, Ladder]:
    """Both sides' ladders under the policies in force; the allied side adds its partners' offers."""
    us, dprk = model.us.policy, model.dprk.policy
    partners = [item for actor in model.actors.values() if actor.side == "allies" and actor is not model.us
                for item in actor.package_offers()]
    return {
        "dprk": ladder("dprk", dprk.offers, dprk.demands, dprk.required, dprk.opening_offers),
        "allies": ladder("allies", [*us.offers, *partners], us.demands, us.required, us.opening_offers),
    }


def context(model: DiplomacyModel) -> Context:
    china = model.china
    return Context(
        sequencing=model.us.policy.sequencing,
        verification_demand=model.us.policy.verification,
        verification_limit=model.dprk.policy.verification_limit,
        mediation_trust=china.dispositions.mediation_trust if china.policy.chairs_talks else 0.0,
    )


def preconditions_met(model: DiplomacyModel, world: WorldState) -> np.ndarray:
    """Each side's precondition, met by the other (R,)."""
    us, dprk = model.us.policy, model.dprk.policy
    quiet = np.minimum(world.months_since_test, world.months_since_long_range) >= 6
    frozen = ~world.yongbyon_running
    us_ok = {
        "none": np.ones(world.replicas, dtype=bool),
        "moratorium": quiet,
        "freeze": frozen,
        "denuclearization_steps": frozen & world.inspected,
    }[us.precondition]
    offered = set(us.offers)
    dprk_ok = {
        "none": True,
        "denuclearization_off_agenda": "denuclearization" not in us.demands,
        "hostile_policy_end": bool(offered & {"partial_relief", "full_relief", "exercise_suspension"})
        and us.sequencing != "disarm_first",
    }[dprk.precondition]
    return us_ok & dprk_ok


def talks_value(model: DiplomacyModel, world: WorldState, side: str, own: Ladder, other: Ladder, ctx: Context) -> np.ndarray:
    """What ``side`` expects from talking (R,): the best it can hope to sign, plus talking itself."""
    other_side = "allies" if side == "dprk" else "dprk"
    mine_last = own.packages[-1:]
    hoped = surplus(model, world, side, other.packages[-1:], ctx)[:, 0]
    believed_accept = logistic(surplus(model, world, other_side, mine_last, ctx)[:, 0] / BELIEF_TEMPERATURE)
    own_hope = believed_accept * surplus(model, world, side, mine_last, ctx)[:, 0]
    d = model.negotiator(side).dispositions
    summit = d.summit_prestige if model.us.policy.format == "summit" else 0.0
    recent = model.dispositions.world.relationship_bonus * (world.months_since_talks < 12)
    return np.maximum(hoped, own_hope) + d.talk_benefit + summit + recent


def concession_level(model: DiplomacyModel, world: WorldState, side: str, lad: Ladder) -> np.ndarray:
    """The ladder step (R,) a side proposes this month, at the pace of its strategy."""
    strategy = model.negotiator(side).policy.strategy
    t = np.minimum(1.0, world.months_in_talks / patience_months(model))
    if strategy == "tit_for_tat":
        other = world.concession[1 - SIDE[side]]
        share = np.minimum(1.0, other + 1.0 / max(lad.steps, 1))
    else:
        share = t ** (1.0 / STRATEGY_EXPONENT[strategy])
    level = np.floor(share * lad.steps + 1e-9).astype(int)
    world.concession[SIDE[side]] = level / max(lad.steps, 1)
    return level


def patience_months(model: DiplomacyModel) -> float:
    """Months until a side's deadline: its last concession is due and it may walk out."""
    return model.dispositions.world.patience_months * FORMAT_PATIENCE[model.us.policy.format]


def negotiate(model: DiplomacyModel, world: WorldState) -> None:
    """Phase 4 of a month: open talks, exchange offers, sign, or walk out."""
    rng_temp = model.dispositions.world.choice_temperature
    ctx = context(model)
    lads = ladders(model)
    log = model.log

    idle = (world.talks == Talks.NO_CONTACT) | (world.talks == Talks.COLLAPSED) | (world.talks == Talks.COMPLETED)
    world.cooldown = np.maximum(world.cooldown - 1, 0)
    can_open = idle & preconditions_met(model, world) & (world.cooldown == 0)
    if can_open.any():
        want = {}
        for side, other in (("dprk", "allies"), ("allies", "dprk")):
            value = talks_value(model, world, side, lads[side], lads[other], ctx)
            want[side] = choose(model.rng, value, rng_temp)
        world.talks_expected = (can_open & (want["dprk"] | want["allies"])).astype(float)
        opened = can_open & want["dprk"] & want["allies"]
        world.talks = np.where(opened, Talks.TALKS, world.talks).astype(np.int8)
        world.months_in_talks = np.where(opened, 0, world.months_in_talks)
        world.concession[:, opened] = 0.0
        model.tracker.mark_first(model.tracker.first_talks, opened, model.month_index)
        log.add("talks_opened", "us", opened, f"talks open ({model.us.policy.format})", format=model.us.policy.format)
    else:
        world.talks_expected = np.zeros(world.replicas)

    talking = world.talks == Talks.TALKS
    if not talking.any():
        return
    world.months_in_talks = world.months_in_talks + talking
    own = {side: surplus(model, world, side, lads[side].packages, ctx) for side in lads}
    cross = {
        "dprk": surplus(model, world, "dprk", lads["allies"].packages, ctx),
        "allies": surplus(model, world, "allies", lads["dprk"].packages, ctx),
    }
    level = {side: concession_level(model, world, side, lads[side]) for side in lads}
    rows = np.arange(world.replicas)
    # the value of the other's current offer to each side, and of its own next offer
    offer_to = {
        "dprk": cross["dprk"][rows, level["allies"]],
        "allies": cross["allies"][rows, level["dprk"]],
    }
    offered = {side: own[side][rows, level[side]] for side in lads}
    asking = {side: np.maximum(offered[side], 0.0) for side in lads}
    # accept an offer within one's mandate and worth more than what one is about to propose
    # oneself (AC-next); the proposer signs only what it values above its own status quo
    within = {
        "dprk": lads["dprk"].allows(lads["allies"].packages)[level["allies"]],
        "allies": lads["allies"].allows(lads["dprk"].packages)[level["dprk"]],
    }
    accepts = {side: talking & within[side] & choose(model.rng, offer_to[side] - asking[side], rng_temp) for side in lads}
    signed_allied = accepts["dprk"] & (offered["allies"] >= 0.0)
    signed_dprk = accepts["allies"] & (offered["dprk"] >= 0.0) & ~signed_allied
    signed = signed_allied | signed_dprk
    if signed.any():
        package = np.where(
            signed_allied[:, None],
            lads["allies"].packages[level["allies"]],
            lads["dprk"].packages[level["dprk"]],
        )
        sign(model, world, signed, package, ctx)

    deadline = world.months_in_talks >= patience_months(model)
    walk = np.zeros(world.replicas, dtype=bool)
    for side, lad in lads.items():
        exhausted = level[side] >= lad.steps
        gap = asking[side] - offer_to[side] - model.negotiator(side).dispositions.walkout_gap
        walk |= talking & ~signed & deadline & exhausted & choose(model.rng, gap, rng_temp)
    if walk.any():
        world.talks = np.where(walk, Talks.NO_CONTACT, world.talks).astype(np.int8)
        world.cooldown = np.where(walk, model.dispositions.world.cooldown_months, world.cooldown)
        world.rebuff = np.where(walk, 1.0, world.rebuff)
        model.tracker.walkouts += walk
        log.add(
            "walkout", "us", walk,
            lambda r: (
                f"talks break down{' with no zone of agreement' if max(offer_to['allies'][r], offer_to['dprk'][r]) < 0 else ''}: "
                f"the US valued the DPRK's offer at {offer_to['allies'][r]:+.2f} over its status quo (it asked "
                f"{asking['allies'][r]:+.2f}), the DPRK valued the US offer at {offer_to['dprk'][r]:+.2f}"
            ),
            us_value_of_offer=offer_to["allies"], dprk_value_of_offer=offer_to["dprk"],
            us_asking=asking["allies"], dprk_asking=asking["dprk"],
        )
    if log.record:
        _log_offers(model, world, talking & ~signed & ~walk, lads, level, offer_to)


def sign(model: DiplomacyModel, world: WorldState, signed: np.ndarray, package: np.ndarray, ctx: Context) -> None:
    """An agreement: the package becomes commitments with a schedule."""
    world.talks = np.where(signed, Talks.AGREEMENT, world.talks).astype(np.int8)
    world.deal = np.where(signed[:, None], package, world.deal)
    world.deal_month = np.where(signed, world.month, world.deal_month)
    world.schedule = np.where(signed[:, None], schedule(package, ctx.sequencing), world.schedule)
    world.progress[signed] = 0.0
    world.shortfall[:, signed] = 0.0
    world.defection[:, signed] = 0.0
    model.tracker.mark_first(model.tracker.first_agreement, signed, model.month_index)
    if model.log.record:
        base = {side: status_quo(model, world, side) for side in ("dprk", "allies")}

        def worth(side: str, r: int) -> float:
            return round(float(surplus(model, world, side, package[r : r + 1], ctx)[r, 0] + base[side][r]), 3)

        def story(r: int) -> str:
            return (
                f"the US and the DPRK sign an agreement: {c.describe(package[r])}; the DPRK valued it at "
                f"{worth('dprk', r):.2f} against its status quo of {base['dprk'][r]:.2f}, the US at {worth('allies', r):.2f} "
                f"against {base['allies'][r]:.2f}"
            )

        model.log.add(
            "agreement_signed", "us", signed, story,
            package=lambda r: c.items_in(package[r]), sequencing=ctx.sequencing,
            dprk_value=lambda r: worth("dprk", r), dprk_status_quo=base["dprk"],
            us_value=lambda r: worth("allies", r), us_status_quo=base["allies"],
        )


def _log_offers(model: DiplomacyModel, world, talking, lads, level, offer_to) -> None:
    for side, other in (("allies", "dprk"), ("dprk", "allies")):
        who = "the US" if side == "allies" else "the DPRK"
        model.log.add(
            "offer", "us" if side == "allies" else "dprk", talking,
            lambda r, side=side, other=other, who=who: (
                f"{who} offers {c.describe(lads[side].packages[level[side][r]])}; "
                f"{'the DPRK' if other == 'dprk' else 'the US'} refuses: worth {offer_to[other][r]:+.2f} over its status quo"
            ),
            package=lambda r, side=side: c.items_in(lads[side].packages[level[side][r]]),
            value_to_other=offer_to[other],
        )
