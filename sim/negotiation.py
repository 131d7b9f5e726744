"""The negotiation protocol: the talks state machine, offers, acceptance and walkouts.

No contact -> talks -> agreement, with walkouts back to no contact (``DESIGN.md``, phase 4).
Each month a side out of talks decides whether to talk, on its *belief* of what the other
will accept (``sim/beliefs.py``) and what a deal would change in its outside option
(``sim/outside_option.py``); a side whose precondition the other has not visibly met
(``sim/preconditions.py``) talks only if talking is worth its audience cost. In talks each
side proposes a package from its *concession ladder*: its policy's offers and demands, one
step at a time at the pace of its strategy. The ladder is the negotiator's mandate; its
valuation decides what it accepts (an offer worth more than its status quo and than what it
is about to propose itself: the AC-next rule; one beyond its mandate or without a required
demand costs it its audience cost) and what it signs of its own offers (nothing worth less
than its status quo). When a side's deadline has passed, its mandate is exhausted, and the
other's offer still falls short of its own asking by more than it tolerates, it walks out:
no zone of agreement, as at Hanoi. Both sides learn from the failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import beliefs, preconditions
from sim import concessions as c
from sim.choice import choose, logistic
from sim.dispositions import by_package
from sim.outside_option import status_quo
from sim.state import DPRK, SIDE, US, Talks, WorldState
from sim.valuation import Context, refresh_deal_weights, schedule, surplus, surpluses

if TYPE_CHECKING:
    from sim.model import DiplomacyModel

STRATEGY_EXPONENT = {"boulware": 0.3, "linear": 1.0, "conceder": 3.0}
"""Faratin et al. (1998) time-dependent tactics: concession share ``t ** (1 / beta)``."""
OTHER = {"dprk": "allies", "allies": "dprk"}


@dataclass(frozen=True)
class Ladder:
    """A side's packages from its opening position (row 0) to its last concession."""

    side: str
    packages: np.ndarray  # (K + 1, items)
    mandate: np.ndarray  # (items,): what this side is authorised to give
    required: np.ndarray  # (items,): what it never drops from its own proposals
    grid: np.ndarray  # (G, items): every package it could propose within its mandate

    @property
    def steps(self) -> int:
        return len(self.packages) - 1

    def beyond(self, packages: np.ndarray) -> np.ndarray:
        """Which packages ask this side for more than its mandate, or lack a required demand (K,)."""
        own = c.IS_DPRK if self.side == "dprk" else ~c.IS_DPRK
        return (packages & own & ~self.mandate).any(axis=1) | (self.required & ~packages).any(axis=1)


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
    grid = [c.mask(give[:n] + [d for d in keep if d not in droppable[:m]])
            for n in range(len(give) + 1) for m in range(len(droppable) + 1)]
    return Ladder(side, np.array(rows, dtype=bool), c.mask(give), c.mask(list(required)), np.array(grid, dtype=bool))


def ladders(model: DiplomacyModel) -> dict[str, Ladder]:
    """Both sides' ladders under the policies in force; the allied side adds its partners' offers."""
    return model.under_policies("ladders", _build_ladders)


def _build_ladders(model: DiplomacyModel) -> dict[str, Ladder]:
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
        proof_months=model.point.world.proof_months,  # the schedule a deal writes, the same in every replica
        verification_demand=model.us.policy.verification,
        verification_limit=model.dprk.policy.verification_limit,
        mediation_trust=china.dispositions.mediation_trust if china.policy.chairs_talks else 0.0,
    )


def talks_value(model: DiplomacyModel, world: WorldState, side: str, lads: dict[str, Ladder], ctx: Context) -> np.ndarray:
    """What ``side`` expects from talking (R,), on its beliefs, plus talking itself (``talks_values``)."""
    return talks_values(model, world, lads, ctx)[side]


def talks_values(model: DiplomacyModel, world: WorldState, lads: dict[str, Ladder], ctx: Context) -> dict[str, np.ndarray]:
    """What each side expects from talking (R,), on its beliefs, plus talking itself.

    The best it believes it can sign: any package it could propose within its mandate,
    weighted by its belief that the other accepts it, or any package the other could propose,
    weighted by its belief that the other would sign it. Offering more only adds packages to
    choose from, so neither side values talking less when either offers more. What talking is worth in
    itself (contact, a summit's prestige) shrinks with the prospects that failures taught it;
    what it costs counts in full, and after a failure going back costs the side's audience cost
    as far as the failure taught it pessimism (Fearon 1994)."""
    # each side's grid as both sides value it
    owners = list(lads)
    worth = {}
    for valuer in lads:
        grids = surpluses(model, world, valuer, [lads[owner].grid for owner in owners], ctx)
        worth |= {(valuer, owner): values for owner, values in zip(owners, grids, strict=True)}
    out = {}
    for side, other in OTHER.items():
        mine = worth[side, side]
        waiving = by_package(model.negotiator(other).dispositions.on(world).audience_cost)
        theirs = worth[other, side] - waiving * lads[other].beyond(lads[side].grid)
        own_best = (beliefs.acceptance(model, world, side, theirs) * mine).max(axis=1)
        # any package the other could propose, weighted by the belief that it would sign it: the
        # other offering more only adds packages, so neither side values talking less for it
        hoped = (beliefs.acceptance(model, world, side, worth[other, other]) * worth[side, other]).max(axis=1)
        d = model.negotiator(side).dispositions.on(world)
        summit = d.summit_prestige if model.us.policy.format == "summit" else 0.0
        recent = model.dispositions.world.on(world).relationship_bonus * (world.months_since_talks < 12)
        prospects = beliefs.prospects(model, world, side)  # 1 before any failure, less after
        gains = (np.maximum(d.talk_benefit, 0.0) + summit + recent) * prospects  # what talking brings, if it may succeed
        # going back to a table it left, or that failed it, is backing down in public: a cost at
        # home as large as the lesson of the failure (Fearon 1994), none before any failure
        reopening = d.audience_cost * (1.0 - prospects)
        costs = np.minimum(d.talk_benefit, 0.0)  # what talking costs, in any case
        out[side] = np.maximum(hoped, own_best) + gains + costs - reopening
    return out


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


def patience_months(model: DiplomacyModel) -> float | np.ndarray:
    """Months until a side's deadline: its last concession is due and it may walk out.

    Summits compress bargaining into days; six-party rounds stretch it."""
    w = model.dispositions.world
    scale = {"summit": w.summit_patience, "bilateral": 1.0, "six_party": w.six_party_patience}[model.us.policy.format]
    return w.patience_months * scale


def negotiate(model: DiplomacyModel, world: WorldState) -> None:
    """Phase 4 of a month: open talks, exchange offers, sign, or walk out."""
    ctx = context(model)
    lads = ladders(model)
    beliefs.forget(model, world)
    _open_talks(model, world, lads, ctx)
    _bargain(model, world, lads, ctx)


def _open_talks(model: DiplomacyModel, world: WorldState, lads: dict[str, Ladder], ctx: Context) -> None:
    """Each side out of talks decides whether to talk; talks open where both do."""
    idle = (world.talks == Talks.NO_CONTACT) | (world.talks == Talks.COLLAPSED) | (world.talks == Talks.COMPLETED)
    world.talks_likely = np.zeros(world.replicas)
    if not idle.any():
        return
    temp = model.dispositions.world.choice_temperature
    met = preconditions.met(model, world)
    value, chance, wants = _on_rows(idle, world.replicas, talks_values(model, world.rows(np.flatnonzero(idle)), lads, ctx)), {}, {}
    for side in lads:
        waiving = model.negotiator(side).dispositions.audience_cost * ~met[side]
        chance[side] = logistic((value[side] - waiving) / temp)
        wants[side] = model.draws.uniform(f"talks.wants.{side}") < chance[side]
    # the DPRK's leverage motive: talks it means to open, as likely as the other side is to agree
    world.talks_likely = np.where(idle & wants["dprk"], chance["allies"], 0.0)
    opened = idle & wants["dprk"] & wants["allies"]
    for side in lads:
        if preconditions.binding(model, side):
            _signal(model, world, side, opened & met[side])
    world.talks = np.where(opened, Talks.TALKS, world.talks).astype(np.int8)
    world.months_in_talks = np.where(opened, 0, world.months_in_talks)
    world.concession[:, opened] = 0.0
    model.tracker.mark_first(model.tracker.first_talks, opened, model.month_index)
    if model.log.record:
        _log_opening(model, world, idle, opened, met, wants, value)


def _on_rows(where: np.ndarray, replicas: int, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Values computed for the replicas ``where`` only, placed in arrays over every replica (0 elsewhere)."""
    out = {}
    for key, value in values.items():
        full = np.zeros((replicas, *value.shape[1:]))
        full[where] = value
        out[key] = full
    return out


def _signal(model: DiplomacyModel, world: WorldState, side: str, where: np.ndarray) -> None:
    """Meeting ``side``'s precondition was a costly signal, seen as a promise kept: its trust in the
    other moves toward 1 at its rate of learning from observed compliance."""
    me, other = (DPRK, US) if side == "dprk" else (US, DPRK)
    trust = world.trust[me, other]
    world.trust[me, other] = np.where(where, trust + model.negotiator(side).dispositions.trust_learning * (1.0 - trust), trust)


def _bargain(model: DiplomacyModel, world: WorldState, lads: dict[str, Ladder], ctx: Context) -> None:
    """In talks: offers, acceptance (AC-next), signing, walkouts."""
    temperature = model.dispositions.world.choice_temperature
    log = model.log
    talking = world.talks == Talks.TALKS
    if not talking.any():
        return
    world.months_in_talks = world.months_in_talks + talking
    table = world.rows(np.flatnonzero(talking))  # the replicas at the table
    valued = {side: surpluses(model, table, side, [lads[side].packages, lads[OTHER[side]].packages], ctx) for side in lads}
    own = _on_rows(talking, world.replicas, {side: valued[side][0] for side in lads})
    # the other's packages as each side values them, less its audience cost where one goes
    # beyond its mandate or lacks a demand it required
    cross = _on_rows(talking, world.replicas, {
        side: valued[side][1]
        - by_package(model.negotiator(side).dispositions.on(table).audience_cost) * lads[side].beyond(lads[OTHER[side]].packages)
        for side in lads
    })
    level = {side: concession_level(model, world, side, lads[side]) for side in lads}
    rows = np.arange(world.replicas)
    # the value of the other's current offer to each side, and of its own next offer
    offer_to = {
        "dprk": cross["dprk"][rows, level["allies"]],
        "allies": cross["allies"][rows, level["dprk"]],
    }
    offered = {side: own[side][rows, level[side]] for side in lads}
    # what a side expects from holding out: its own next proposal, weighted by its belief that
    # the other accepts it (never less than no deal)
    believed = {side: beliefs.acceptance(model, world, side, offer_to[OTHER[side]][:, None])[:, 0] for side in lads}
    asking = {side: np.maximum(believed[side] * offered[side], 0.0) for side in lads}
    # accept an offer worth more than what one expects from holding out (AC-next on beliefs); the
    # proposer signs only what it values above its own status quo
    accepts = {
        side: talking & choose(model.draws.uniform(f"talks.accepts.{side}"), offer_to[side] - asking[side], temperature) for side in lads
    }
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
        gap = asking[side] - offer_to[side] - model.dispositions.world.walkout_gap
        walk |= talking & ~signed & deadline & exhausted & choose(model.draws.uniform(f"talks.walks.{side}"), gap, temperature)
    if walk.any():
        world.talks = np.where(walk, Talks.NO_CONTACT, world.talks).astype(np.int8)
        world.rebuff = np.where(walk, 1.0, world.rebuff)
        beliefs.learn_failure(model, world, walk, 1.0)
        model.tracker.walkouts += walk
        log.add(
            "walkout", "us", walk,
            lambda r: _walkout_story(lads, level, offer_to, asking, r),
            us_value_of_offer=offer_to["allies"], dprk_value_of_offer=offer_to["dprk"],
            us_asking=asking["allies"], dprk_asking=asking["dprk"],
            us_offer=lambda r: c.items_in(lads["allies"].packages[level["allies"][r]]),
            dprk_offer=lambda r: c.items_in(lads["dprk"].packages[level["dprk"][r]]),
            us_missing=lambda r: _missing(lads["allies"], lads["dprk"].packages[level["dprk"][r]]),
            dprk_missing=lambda r: _missing(lads["dprk"], lads["allies"].packages[level["allies"][r]]),
        )
    if log.record:
        _log_offers(model, world, talking & ~signed & ~walk, lads, level, offer_to)


def _missing(lad: Ladder, package: np.ndarray) -> list[str]:
    """What ``lad``'s side requires that the other's package leaves out, or asks of it beyond its mandate."""
    own = c.IS_DPRK if lad.side == "dprk" else ~c.IS_DPRK
    return c.items_in(lad.required & ~package) + c.items_in(package & own & ~lad.mandate)


def _walkout_story(lads: dict[str, Ladder], level: dict, offer_to: dict, asking: dict, r: int) -> str:
    """Why talks broke down: the offers on the table, what each values them at, the mandate that blocks."""
    no_zone = max(offer_to["allies"][r], offer_to["dprk"][r]) < 0
    us_offer, dprk_offer = lads["allies"].packages[level["allies"][r]], lads["dprk"].packages[level["dprk"][r]]
    text = (
        f"talks break down{' with no zone of agreement' if no_zone else ''}: the DPRK offered {c.describe(dprk_offer)}, "
        f"which the US valued at {offer_to['allies'][r]:+.2f} over its status quo (it asked {asking['allies'][r]:+.2f}); "
        f"the US offered {c.describe(us_offer)}, which the DPRK valued at {offer_to['dprk'][r]:+.2f}"
    )
    blocks = [(who, _missing(lads[side], package)) for side, who, package in
              (("allies", "the US", dprk_offer), ("dprk", "the DPRK", us_offer))]
    said = [f"{who}'s mandate ({', '.join(items)})" for who, items in blocks if items]
    return text + (f"; blocked by {' and '.join(said)}" if said else "")


def sign(model: DiplomacyModel, world: WorldState, signed: np.ndarray, package: np.ndarray, ctx: Context) -> None:
    """An agreement: the package becomes commitments with a schedule."""
    world.talks = np.where(signed, Talks.AGREEMENT, world.talks).astype(np.int8)
    world.deal = np.where(signed[:, None], package, world.deal)
    world.deal_month = np.where(signed, world.month, world.deal_month)
    world.sites_at_signing = np.where(signed, world.other_sites_rate, world.sites_at_signing)
    world.verification_at_signing = np.where(signed, ctx.verification_demand, world.verification_at_signing)
    world.schedule = np.where(signed[:, None], schedule(package, ctx.sequencing, ctx.proof_months), world.schedule)
    refresh_deal_weights(model, world, signed)
    world.progress[signed] = 0.0
    world.shortfall[:, signed] = 0.0
    world.defection[:, signed] = 0.0
    world.breach[:, signed] = 0.0
    world.keeping_loss[:, signed] = 0.0
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


DECLINE_REASONS = {
    1: "the DPRK declines: its precondition ({dprk_pre}) is not met and talking is not worth dropping it",
    2: "the US declines: its precondition ({us_pre}) is not met and talking is not worth dropping it",
    3: "the DPRK declines: it expects nothing from talks worth more than no deal",
    4: "the US declines: it expects nothing from talks worth more than no deal",
}


def _log_opening(model: DiplomacyModel, world: WorldState, idle, opened, met, wants, value) -> None:
    """Talks opened (and any precondition dropped to open them), or declined and why.

    A decline is told when its reason changes, not every month it repeats."""
    waived = {side: opened & ~met[side] for side in met}
    model.log.add(
        "talks_opened", "us", opened,
        lambda r: f"talks open ({model.us.policy.format})" + "".join(
            f"; {who} drops its precondition ({model.negotiator(side).policy.precondition})"
            for side, who in (("allies", "the US"), ("dprk", "the DPRK")) if waived[side][r]
        ),
        format=model.us.policy.format, waived=lambda r: [s for s in ("dprk", "allies") if waived[s][r]],
    )
    code = np.zeros(world.replicas, dtype=np.int8)
    for side, pre_code, value_code in (("allies", 2, 4), ("dprk", 1, 3)):
        no = idle & ~opened & ~wants[side]
        code = np.where(no, np.where(met[side], value_code, pre_code), code)
    told = (code > 0) & (code != world.decline_code)
    world.decline_code = code
    names = {"dprk_pre": model.dprk.policy.precondition, "us_pre": model.us.policy.precondition}
    model.log.add(
        "talks_declined", "dprk", told, lambda r: DECLINE_REASONS[int(code[r])].format(**names),
        reason=lambda r: {1: "dprk_precondition", 2: "us_precondition", 3: "dprk_value", 4: "us_value"}[int(code[r])],
        dprk_talks_value=value["dprk"], us_talks_value=value["allies"],
    )
