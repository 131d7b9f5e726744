"""Implementation: each month each party complies, delays or withholds; trust follows what is seen.

``DESIGN.md`` phase 5 and ``history/cases.md``: fuel oil "often late (funding through the US
Congress)", the DPRK declaration "six months late", Japan's aid withheld over the abduction
issue, fuel oil suspended (2002-11) and the freeze lifted (2002-12) after the enrichment
finding. Each month a party keeps its commitments while its surplus from the deal (against
its outside option, ``sim/valuation.py``), its reluctance to renege and the other side's
record of delivery make keeping them worth more than not (logit choice); otherwise it
withholds its due deliveries. A delay is a due delivery not made for want of follow-through.
Each side's case for leaving accumulates (and decays) from the other's shortfall against what
it expected, and from its own reasons. The shortfall is each late item weighed by its worth to
the receiver, smoothed over months; what the receiver expected is ``1 - trust``, the record of
delivery it has learned (trust moves toward the share delivered). The surprise is signed, as a
prediction error is (Rescorla and Wagner 1972): a month better than expected counts against the
part of the case the other's conduct built (``WorldState.breach``), which never goes below zero,
a cumulative-sum test for a change in the partner's conduct (Page 1954, ``build_case``): only the
surprise beyond an allowance (``breach_allowance``) adds to it, and what it has built does not
fade, so a lasting change crosses the tolerance however close to it the noise runs; a month
with nothing due is no evidence, and no delivery offsets a side's own reasons. So fuel oil that is chronically late, as the DPRK came to
expect from 1995 (``history/cases.md``: "often late"), builds no case, late in some months and on
time in others, while deliveries stopped by a partner that had kept them do: the breach of
expectations that reciprocity answers (Axelrod 1984). Its own reasons are how far keeping the deal is worth less
to it than withholding, weighed over recent months as the shortfall is (a lapse of the logit
choice in a deal it values adds nothing): a loss that has just begun counts for little. Past
its tolerance it withdraws at its next review of the deal (a government reconsiders a deal only now and then: ``review_rate``
a month, and leaves once it has a case it can defend at home: Fearon 1994 on the audience cost
of reneging), and the deal collapses. The commitment problem as a flow (Fearon 1995; Powell
2006): a shock to a deal in force (a breach an intelligence finding brings to light, a new
demand beyond the signed terms, which the DPRK sees as the US taking back part of the deal: 2008-11)
sets off withholding, answered in kind, and the collapse follows from the sides' choices
over months, with a spread, not in the month after the shock. Trust moves toward the compliance each side observes (a reinforcement update);
inspections make DPRK compliance observable.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from sim import beliefs
from sim import concessions as c
from sim.actors import registry
from sim.choice import choose, logistic
from sim.smoothing import weigh_recent
from sim.state import DPRK, SIDE, US, Talks, WorldState
from sim.valuation import YONGBYON, Context, deal_surplus, received_worth

if TYPE_CHECKING:
    from sim.model import DiplomacyModel

OBSERVER = {SIDE["dprk"]: "allies", SIDE["allies"]: "dprk"}
"""The side that watches each giving side's deliveries, by the giver's row."""


def givers(model: DiplomacyModel) -> np.ndarray:
    """Row of the actor delivering each item: the first registered actor on the item's side
    that offers it (the negotiator first), else that side's negotiator."""
    return model.under_policies("givers", _find_givers)


def _find_givers(model: DiplomacyModel) -> np.ndarray:
    rows = []
    for item in c.CATALOGUE:
        offering = [cls.key for cls in registry.on_side(item.side) if item.name in getattr(model.actors[cls.key].policy, "offers", ())]
        rows.append(registry.index(offering[0] if offering else model.negotiator(item.side).key))
    return np.array(rows)


def implement(model: DiplomacyModel, world: WorldState) -> None:
    """Phase 5 of a month, for every replica with a deal in force (from the month after signing)."""
    active = world.talks == Talks.IMPLEMENTATION
    world.talks = np.where(world.talks == Talks.AGREEMENT, Talks.IMPLEMENTATION, world.talks).astype(np.int8)
    world.deal_kept = np.zeros(world.replicas)
    world.moratorium = np.zeros(world.replicas)
    if not active.any():
        return
    temp = model.dispositions.world.choice_temperature
    ctx = model.negotiation_context()
    since = world.months_since_deal[:, None]
    due = active[:, None] & world.deal & (world.schedule <= since) & (c.IS_CONTINUING | (world.progress < 1.0))

    w = model.dispositions.world
    value = {side: deal_surplus(model, world, side, ctx) for side in ("dprk", "allies")}
    keeps, keeping_worth = {}, {}
    for side in SIDE:
        d = model.negotiator(side).dispositions
        # what keeping the deal is worth against withholding: the deal against no deal, the
        # reluctance to renege, less the other side's recent shortfall (reciprocity)
        keeping_worth[side] = value[side] + d.stay_bias - d.reciprocity * world.shortfall[1 - SIDE[side]]
        keeps[side] = active & choose(model.draws.uniform(f"deal.keeps.{side}"), keeping_worth[side], temp)
    # the DPRK restrains its provocations as far as it means to keep the deal (the chance of its
    # choice above): not only where its surplus is positive, since a deal kept for the reluctance
    # to renege is one a launch would put at risk (2007-2008: no launch while the deal was kept)
    world.deal_kept = np.where(active, logistic(keeping_worth["dprk"] / temp), 0.0)

    giver = givers(model)
    follow = np.array([actor.follow_through for actor in model.actors.values()])
    able = model.draws.uniform("deal.delivers", c.N_ITEMS) < follow[giver][None, :]
    continuing_dprk = c.IS_CONTINUING & c.IS_DPRK
    able |= continuing_dprk[None, :]  # a freeze or moratorium is kept or broken, not late
    by_row = list(model.actors.values())
    withheld = np.array([by_row[giver[i]].withholds(name) for i, name in enumerate(c.NAMES)])
    party_keeps = np.where(c.IS_DPRK[None, :], keeps["dprk"][:, None], keeps["allies"][:, None])
    delivered = due & able & party_keeps & ~withheld[None, :]

    duration = np.maximum(c.DURATION, 1.0)
    world.progress = np.where(delivered & ~c.IS_CONTINUING, np.minimum(1.0, world.progress + 1.0 / duration), world.progress)
    _apply_deliveries(world, due, delivered, active)

    for index, side_items in ((0, c.IS_DPRK), (1, ~c.IS_DPRK)):
        n_due = np.count_nonzero(due & side_items, axis=1)
        observer = 1 - index
        # the share of what was due, by its worth to the receiver, that did not come (the DPRK's
        # Yongbyon steps valued as the deal valued them when it was signed)
        valued = as_signed(world) if index == 0 else world
        owed, lost, circumventable = received_worth(
            model, valued, OBSERVER[index], [due & side_items, due & ~delivered & side_items, due & delivered & side_items & YONGBYON]
        )
        if index == 0:
            # without inspectors only part of a DPRK shortfall is seen; production elsewhere,
            # unknown at signing, is found by intelligence, not inspectors, and counts in full
            # while Yongbyon is kept stopped
            lost = lost * np.where(world.inspected, 1.0, w.unseen_weight) + circumvented(world) * circumventable
        missed = np.where(owed > 0, lost / np.where(owed > 0, owed, 1.0), 0.0)
        evidence = n_due > 0  # a month with nothing due says nothing of the giver
        if index == 1:
            # a demand beyond the signed terms takes back part of the deal, due or not
            taken = np.where(active, rewritten(world, ctx), 0.0)
            missed = 1.0 - (1.0 - missed) * (1.0 - taken)
            evidence |= taken > 0
        recent = weigh_recent(w.shortfall_memory, world.shortfall[index], missed)
        world.shortfall[index] = np.where(active, recent, world.shortfall[index])
        # a shortfall the observer expected (its trust in the giver) builds no case; one beyond it
        # does, and one short of it (deliveries better than expected) counts against the case
        expected = 1.0 - (world.trust[US, DPRK] if index == 0 else world.trust[DPRK, US])
        surprise = np.where(evidence, recent - expected, 0.0)
        # the observer's own reasons: how far keeping the deal is worth less to it than not
        # keeping it (a lapse in a deal it values adds nothing), weighed over recent months as
        # the other's shortfall is, so that a loss that has just begun builds its case slowly
        loss = np.maximum(-keeping_worth[OBSERVER[index]], 0.0)
        losing = weigh_recent(w.shortfall_memory, world.keeping_loss[observer], loss)
        world.keeping_loss[observer] = np.where(active, losing, world.keeping_loss[observer])
        # the other's conduct builds one part of the case (a better month than expected offsets a
        # worse one, never below zero); its own reasons the other part, which no delivery offsets
        own = world.defection[observer] - world.breach[observer]
        breach = build_case(world.breach[observer], surprise, w.breach_allowance)
        perceived = breach + (1 - w.defection_decay) * own + losing
        world.breach[observer] = np.where(active, breach, world.breach[observer])
        world.defection[observer] = np.where(active, perceived, world.defection[observer])
        _learn_trust(model, world, index, active & evidence, 1.0 - missed)

    if model.log.record:
        late = due & ~delivered & party_keeps
        delayed = active & late.any(axis=1)
        model.log.add("delivery_delayed", "us", delayed, lambda r: "a due delivery is late: " + ", ".join(c.items_in(late[r])),
                      items=lambda r: c.items_in(late[r]))
    _log_withholding(model, world, active, due, keeps, keeping_worth)
    withdraws = {
        side: active
        & (world.defection[SIDE[side]] > w.defection_tolerance)
        & (model.draws.uniform(f"deal.reviews.{side}") < w.review_rate)  # a government reconsiders a deal only now and then
        for side in SIDE
    }
    reneged = withdraws["dprk"] | withdraws["allies"]
    _collapse(model, world, reneged, withdraws, value)

    # a deal of one-off commitments completes when all are delivered; one with continuing
    # commitments (a freeze for fuel oil) runs until it collapses or the horizon ends
    one_off = world.deal & ~c.IS_CONTINUING[None, :]
    done = active & ~reneged & one_off.any(axis=1) & ~(world.deal & c.IS_CONTINUING[None, :]).any(axis=1)
    done &= ((world.progress >= 1.0) | ~one_off).all(axis=1)
    if done.any():
        world.talks = np.where(done, Talks.COMPLETED, world.talks).astype(np.int8)
        model.log.add("deal_completed", "us", done, "every one-off commitment of the deal has been delivered")
    # a deal that ended this month (left or completed) restrains nothing next month
    ended = reneged | done
    world.deal_kept = np.where(ended, 0.0, world.deal_kept)
    world.moratorium = np.where(ended, 0.0, world.moratorium)


def build_case(case: np.ndarray, evidence: np.ndarray, allowance: float | np.ndarray) -> np.ndarray:
    """The part of a side's case for leaving that the other's conduct built, after this month's
    ``evidence`` (signed: deliveries better than expected count against it): a cumulative-sum
    test for a change in the partner's conduct (Page 1954). Each month adds the surprise beyond
    the ``allowance`` (the reference value of the test: a month worse than expected by less than
    it is noise, and counts against the case) and the sum never goes below zero. Months of late
    deliveries around what the side expects cancel out and wear the case down; only a lasting
    change adds up, and it adds up without fading."""
    return np.maximum(case + evidence - allowance, 0.0)


def rewritten(world: WorldState, ctx: Context) -> np.ndarray:
    """The share of what the allies' side owes under the deal in force (R,) that a demand beyond its
    signed terms takes back, as the DPRK sees it: the share of the verification now demanded that
    lies beyond both the DPRK's limit and what the US demanded when the deal was signed.

    ``history/cases.md``, 2: after the verbal understanding and the delisting (2008-10), the talks
    failed (2008-12-11) over a written protocol with sampling; seed article 004: the US
    "unilaterally demanded tough new verification procedures". The mirror of ``circumvented``: a
    new condition on the other side's deliveries is seen as a shortfall of them, not a new fact
    beside the deal."""
    beyond = np.maximum(ctx.verification_demand - np.maximum(world.verification_at_signing, ctx.verification_limit), 0.0)
    return np.clip(beyond / max(ctx.verification_demand, 1e-9), 0.0, 1.0)


def circumvented(world: WorldState) -> np.ndarray:
    """The share of the DPRK's production (R,) that a deal stopping Yongbyon does not stop and that
    was not known when it was signed: what the deal's Yongbyon steps, delivered, fail to deliver.

    ``history/cases.md``, 1: in 2002-10 "the US says the DPRK admitted an enrichment programme";
    the Agreed Framework bound the DPRK to the 1992 North-South denuclearisation declaration, which
    bars enrichment. A programme found outside the freeze is seen as a breach of the freeze, not a
    new fact beside it; sites known at signing (Hanoi's "other enrichment sites") are the deal's
    own limit, no breach of it."""
    hidden = np.maximum(world.other_sites_rate - world.sites_at_signing, 0.0)
    return hidden / np.maximum(world.yongbyon_rate + world.other_sites_rate, 1e-9)


def as_signed(world: WorldState) -> WorldState:
    """``world`` with the production outside Yongbyon known when the deal was signed: what the
    deal's Yongbyon steps were worth to the US then, so that a larger hidden programme never
    makes the breach of them look smaller."""
    return replace(world, other_sites_rate=world.sites_at_signing)


def _apply_deliveries(world: WorldState, due: np.ndarray, delivered: np.ndarray, active: np.ndarray) -> None:
    """A freeze (or disablement) once due keeps Yongbyon stopped while it is delivered;
    inspections once due keep inspectors in."""
    stop = [c.INDEX["freeze"], c.INDEX["disablement"]]
    stop_due = active & due[:, stop].any(axis=1)
    stopped = delivered[:, stop].any(axis=1)
    world.yongbyon_running = np.where(stop_due, ~stopped & ~world.yongbyon_dismantled, world.yongbyon_running)
    inspect = c.INDEX["inspections"]
    world.inspected = np.where(active & due[:, inspect], delivered[:, inspect], world.inspected)
    dismantled = delivered[:, c.INDEX["dismantlement"]] & (world.progress[:, c.INDEX["dismantlement"]] >= 1.0)
    world.yongbyon_dismantled |= dismantled
    world.moratorium = (active & delivered[:, c.INDEX["test_moratorium"]]).astype(float)


def _learn_trust(model: DiplomacyModel, world: WorldState, giver_side: int, seen: np.ndarray, kept: np.ndarray) -> None:
    """Observers' trust moves toward the share of due deliveries they saw kept: the allies'
    (at the US's rate) in the DPRK, the DPRK's (at its rate) in each actor on the allied side."""
    allied = [registry.index(cls.key) for cls in registry.on_side("allies")]
    if giver_side == 0:
        pairs = [(observer, DPRK, model.us.dispositions.trust_learning) for observer in allied]
    else:
        pairs = [(DPRK, giver, model.dprk.dispositions.trust_learning) for giver in allied]
    for observer, giver, rate in pairs:
        trust = world.trust[observer, giver]
        world.trust[observer, giver] = np.where(seen, trust + rate * (kept - trust), trust)


def _log_withholding(model: DiplomacyModel, world: WorldState, active, due, keeps, keeping_worth) -> None:
    """A side that stops keeping its commitments, told in the month it starts, with the value of
    keeping them (against withholding) that its choice weighed: below zero a reason, above zero a lapse."""
    if not model.log.record:
        return
    for side, who in (("allies", "the US side"), ("dprk", "the DPRK")):
        row = SIDE[side]
        starts = active & ~keeps[side] & world.keeping[row]
        own = c.IS_DPRK if side == "dprk" else ~c.IS_DPRK
        model.log.add(
            "withholding", "us" if side == "allies" else "dprk", starts & (due & own[None, :]).any(axis=1),
            lambda r, side=side, who=who: (
                f"{who} withholds its deliveries: keeping them is worth {keeping_worth[side][r]:+.2f} to it against withholding"
                + (" (a lapse, not a decision to leave: it builds no case for leaving)" if keeping_worth[side][r] > 0 else "")
            ),
            side=side, keeping_worth=keeping_worth[side],
        )
    world.keeping = np.stack([keeps["dprk"] | ~active, keeps["allies"] | ~active])


def _collapse(model: DiplomacyModel, world: WorldState, reneged: np.ndarray, withdraws: dict, value: dict) -> None:
    if not reneged.any():
        return
    world.talks = np.where(reneged, Talks.COLLAPSED, world.talks).astype(np.int8)
    world.yongbyon_running = np.where(reneged, ~world.yongbyon_dismantled, world.yongbyon_running)
    world.inspected = np.where(reneged, False, world.inspected)
    world.trust[:, :, reneged] *= model.dispositions.world.collapse_trust
    world.rebuff = np.where(reneged, 1.0, world.rebuff)
    beliefs.learn_failure(model, world, reneged, 2.0)
    model.tracker.mark_first(model.tracker.first_collapse, reneged, model.month_index)

    def story(r: int) -> str:
        side = "dprk" if withdraws["dprk"][r] else "allies"
        return (
            f"the deal collapses: {model.negotiator(side).label} withdraws (its surplus from the deal {value[side][r]:+.2f}, "
            f"the other side's shortfall {world.shortfall[1 - SIDE[side]][r]:.2f}, perceived defection "
            f"{world.defection[SIDE[side]][r]:.2f}); Yongbyon restarts, inspectors leave"
        )

    model.log.add(
        "deal_collapsed", "dprk", reneged, story,
        withdrawn_by=lambda r: "dprk" if withdraws["dprk"][r] else "us",
        dprk_surplus=value["dprk"], us_surplus=value["allies"],
        dprk_shortfall=world.shortfall[0], us_shortfall=world.shortfall[1],
        dprk_defection=world.defection[0], us_defection=world.defection[1],
    )
