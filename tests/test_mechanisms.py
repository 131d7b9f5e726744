"""One test per mechanism, each against a case computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim import calendar, capability, coercion, concessions, implementation, negotiation, preconditions, shocks, tension, valuation
from sim.actors.dprk import Provocations
from sim.choice import choose, logistic
from sim.model import DiplomacyModel
from sim.scenario import IntelligenceShock
from sim.state import DPRK, SIDE, US, Talks, WorldState
from sim.stats import compare_outcomes, difference, paired_difference, summarize, summarize_outcomes, wilson
from tests.conftest import AGREED_FRAMEWORK, HANOI


def model_of(path=HANOI, replicas=1, overrides=()) -> DiplomacyModel:
    return DiplomacyModel(scenario=path, replicas=replicas, rng=0, overrides=list(overrides), record_series=False)


# -------------------------------------------------------------- clock, choice, statistics


def test_months_round_trip():
    assert calendar.parse_month("1994-10") == 1994 * 12 + 9
    assert calendar.format_month(calendar.parse_month("2019-02")) == "2019-02"
    with pytest.raises(ValueError):
        calendar.parse_month("2019-13")


def test_logit_choice():
    assert logistic(0.0) == pytest.approx(0.5)
    assert logistic(np.log(3.0)) == pytest.approx(0.75)
    u = np.random.default_rng(0).random(20000)
    assert choose(u, np.full(20000, 5.0), 0.1).all()
    assert not choose(u, np.full(20000, -5.0), 0.1).any()
    share = choose(u, np.zeros(20000), 0.1).mean()
    assert 0.48 < share < 0.52


def test_wilson_interval_and_summaries():
    low, high = wilson(0.5, 100)
    assert (low, high) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    s = summarize(np.array([True, False, True, True]))
    assert s["mean"] == 0.75 and 0.0 < s["ci_low"] < 0.75 < s["ci_high"] <= 1.0
    s = summarize(np.array([1.0, 2.0, 3.0, 4.0]))
    assert s["mean"] == 2.5 and s["median"] == 2.5
    assert 1.0 <= s["ci_low"] < 2.5 < s["ci_high"] <= 4.0  # a bootstrap interval stays within the values
    assert summarize(np.array([1.0, 2.0, 3.0, 4.0])) == s  # and is the same every time
    d = difference(np.array([0.0, 0.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    assert d["diff"] == 0.5


def test_intervals_never_leave_their_range():
    """Issue 9: no '[-0.07, 0.53]' freeze months, no 95% interval for a single run, no
    'month 25' for a deal that never came."""
    rare = np.zeros(300)
    rare[:3] = 1.0  # three runs in 300 with one freeze month
    s = summarize(rare)
    assert s["ci_low"] >= 0.0 and s["ci_high"] <= 1.0
    big = np.r_[np.zeros(2990), np.ones(10)]  # above the bootstrap's size: the normal interval, clipped
    s = summarize(big)
    assert s["ci_low"] >= 0.0
    assert summarize(np.array([7.0]))["ci_low"] == summarize(np.array([7.0]))["ci_high"] == 7.0
    horizon = 24
    months = np.array([3, 5, horizon + 1, horizon + 1])
    out = summarize_outcomes({"months_to_agreement": months, "walkouts": np.array([0, 1, 2, 1])}, horizon)
    assert out["months_to_agreement"]["mean"] == 4.0 and out["months_to_agreement"]["happened"] == 0.5
    never = summarize_outcomes({"months_to_agreement": np.full(4, horizon + 1)}, horizon)["months_to_agreement"]
    assert never["mean"] is None and never["happened"] == 0.0
    diff = compare_outcomes({"walkouts": np.array([0, 1, 2, 1])}, {"walkouts": np.array([1, 1, 2, 2])}, horizon)
    assert diff["walkouts"]["diff"] == 0.5
    # a difference of shares stays within -1 and 1 (a compare once printed -0.90 [-1.01, -0.79])
    signed, unsigned = np.ones(30), np.r_[np.zeros(27), np.ones(3)]
    for change in (paired_difference(signed, unsigned), difference(signed, unsigned)):
        assert -1.0 <= change["ci_low"] < change["diff"] < change["ci_high"] <= 1.0, change


def test_paired_intervals_keep_their_width_and_say_how_many_pairs():
    """Every pair differing alike (5 runs signed against 5 not) still leaves a wide interval for the
    difference of shares (Newcombe 1998, method 10; with no association, phi = 0, by hand); one pair
    has no interval; a months_to_X difference says over how many pairs it was taken."""
    yes, no = np.ones(5, dtype=bool), np.zeros(5, dtype=bool)
    d = paired_difference(yes, no)
    (l1, _), (_, u2) = wilson(1.0, 5), wilson(0.0, 5)
    assert d["diff"] == -1.0 and d["ci_low"] == -1.0 and d["pairs"] == 5
    assert d["ci_high"] == pytest.approx(-1.0 + np.hypot(u2, 1.0 - l1))
    assert -0.5 < d["ci_high"] < -0.3
    mixed = paired_difference(np.r_[np.ones(30), np.zeros(20)].astype(bool), np.r_[np.ones(20), np.zeros(30)].astype(bool))
    assert mixed["diff"] == pytest.approx(-0.2)
    assert -1.0 <= mixed["ci_low"] < mixed["diff"] < mixed["ci_high"] <= 1.0
    assert paired_difference(np.array([3.0]), np.array([5.0])) == {"diff": 2.0, "ci_low": None, "ci_high": None, "pairs": 1}
    horizon = 10
    waits = compare_outcomes({"months_to_agreement": np.array([2, 3, 11, 11])}, {"months_to_agreement": np.array([4, 11, 11, 5])}, horizon)
    assert waits["months_to_agreement"] == {"diff": 2.0, "ci_low": None, "ci_high": None, "pairs": 1}
    assert summarize_outcomes({"months_to_agreement": np.array([4, 11, 11, 11])}, horizon)["months_to_agreement"]["ci_low"] is None


# -------------------------------------------------------------- the issue space and valuation


PROOF = 12.0
"""Months a continuing commitment must hold under one-sided sequencing, in these hand-computed cases."""


def test_describe_package():
    package = concessions.mask(["freeze", "inspections", "fuel_oil", "lwr"])
    assert concessions.describe(package) == "freeze, inspections for fuel_oil, lwr"


def test_schedule_by_sequencing():
    package = concessions.mask(["dismantlement", "full_relief"])[None, :]
    relief, dismantle = concessions.INDEX["full_relief"], concessions.INDEX["dismantlement"]
    # action for action: each at its own lead time
    start = valuation.schedule(package, "action_for_action", PROOF)
    assert start[0, relief] == 1 and start[0, dismantle] == 6
    # disarm first: relief only once dismantlement (lead 6, 18 months) is done
    assert valuation.schedule(package, "disarm_first", PROOF)[0, relief] == 24
    # relief first: dismantlement waits until relief (from month 1) has held a proof period
    assert valuation.schedule(package, "relief_first", PROOF)[0, dismantle] == 1 + PROOF
    # disarm first with a freeze only: fuel oil once the freeze (month 1) has held a proof period
    freeze_for_oil = concessions.mask(["freeze", "fuel_oil"])[None, :]
    oil = concessions.INDEX["fuel_oil"]
    assert valuation.schedule(freeze_for_oil, "disarm_first", PROOF)[0, oil] == 1 + PROOF
    assert valuation.schedule(freeze_for_oil, "action_for_action", PROOF)[0, oil] == concessions.LEAD[oil]


def test_commitment_problem_per_item():
    """What arrives after one's own first costly delivery rests on trust; what comes before is secured."""
    model = model_of()
    package = concessions.mask(["dismantlement", "partial_relief"])[None, :]
    relief = concessions.INDEX["partial_relief"]

    def at_risk(sequencing: str) -> float:
        ctx = valuation.Context(sequencing, 0.5, 0.5, 0.0, PROOF)
        full, risky, _ = valuation._weights(model, "dprk", package, valuation.schedule(package, sequencing, PROOF), ctx)
        return risky[0, relief] / full[0, relief]

    assert at_risk("disarm_first") == 1.0  # relief only after dismantlement: all on trust
    assert at_risk("action_for_action") == 0.0  # relief (month 1) before dismantlement starts (month 6)
    assert at_risk("relief_first") == 0.0


def test_dprk_surplus_by_hand():
    """Freeze (month 1) for fuel oil (from month 3), action for action, trust 0.4: fuel oil rests on trust."""
    model = model_of(AGREED_FRAMEWORK, overrides=["state.trust.dprk_us=0.4"])
    world = model.world
    d = model.dprk.dispositions
    ctx = valuation.Context("action_for_action", 0.4, 0.5, 0.0, PROOF)
    package = concessions.mask(["freeze", "fuel_oil"])[None, :]
    fuel_lead = concessions.BY_NAME["fuel_oil"].lead_months
    discount = model.dispositions.world.discount_per_year ** (fuel_lead / 12)
    calm = model.dispositions.world.deal_calm * d.security_fear * world.tension[0]  # any deal eases tension
    expected = 0.4 * d.values["fuel_oil"] * discount - d.costs["freeze"] + calm
    assert valuation.surplus(model, world, "dprk", package, ctx)[0, 0] == pytest.approx(expected)
    # the same package, valued for one replica's deal, agrees
    world.deal[:] = package
    world.schedule[:] = valuation.schedule(package, "action_for_action", PROOF)
    assert valuation.deal_surplus(model, world, "dprk", ctx)[0] == pytest.approx(expected)


def test_relief_is_worth_what_sanctions_cost():
    model = model_of(replicas=2)
    world = model.world
    world.pressure = np.array([0.2, 0.8])
    ctx = valuation.Context("relief_first", 0.0, 0.5, 0.0, PROOF)
    package = concessions.mask(["partial_relief"])[None, :]
    value = valuation.surplus(model, world, "dprk", package, ctx)[:, 0]
    discount = model.dispositions.world.discount_per_year ** (1 / 12)
    d = model.dprk.dispositions
    worth = d.values["partial_relief"] + d.sanctions_pain * concessions.BY_NAME["partial_relief"].relief_share
    calm = model.dispositions.world.deal_calm * d.security_fear * world.tension
    assert value == pytest.approx(np.array([0.2, 0.8]) * worth * discount + calm)


def test_yongbyon_is_worth_less_when_other_sites_enrich():
    model = model_of(AGREED_FRAMEWORK, replicas=2)
    world = model.world
    world.other_sites_rate = np.array([0.0, 3.6])  # Yongbyon 1.2: a quarter of production
    ctx = valuation.Context("disarm_first", 0.4, 0.5, 0.0, PROOF)
    package = concessions.mask(["freeze"])[None, :]
    calm = model.dispositions.world.deal_calm * model.us.dispositions.crisis_aversion * world.tension
    value = valuation.surplus(model, world, "allies", package, ctx)[:, 0] - calm
    assert value[1] == pytest.approx(value[0] / 4)


def test_verification_beyond_the_limit_costs_the_dprk():
    model = model_of()
    package = concessions.mask(["inspections"])[None, :]
    within = valuation.surplus(model, model.world, "dprk", package, valuation.Context("action_for_action", 0.5, 0.5, 0.0, PROOF))
    beyond = valuation.surplus(model, model.world, "dprk", package, valuation.Context("action_for_action", 0.9, 0.5, 0.0, PROOF))
    assert (within - beyond)[0, 0] == pytest.approx(0.4 * model.dprk.dispositions.verification_aversion)


# -------------------------------------------------------------- negotiation protocol


def test_what_goes_beyond_a_mandate():
    """Asking a side for what it has not offered, or leaving out a demand it requires, goes
    beyond its mandate: it costs its audience cost to accept (a choice, not a wall)."""
    us = negotiation.ladder("allies", ["fuel_oil", "lwr"], ["freeze", "inspections"], ["freeze"], opening=1)
    asks_lwr = concessions.mask(["freeze", "lwr"])
    asks_relief = concessions.mask(["freeze", "partial_relief"])
    no_freeze = concessions.mask(["inspections", "lwr"])
    assert us.beyond(np.array([asks_lwr, asks_relief, no_freeze])).tolist() == [False, True, True]


def test_concession_ladder():
    offers, demands = ["fuel_oil", "lwr", "normalisation"], ["freeze", "inspections", "declaration"]
    lad = negotiation.ladder("allies", offers, demands, required=["freeze"], opening=1)
    described = [concessions.describe(row) for row in lad.packages]
    assert described == [
        "freeze, inspections, declaration for fuel_oil",
        "freeze, inspections, declaration for fuel_oil, lwr",
        "freeze, inspections for fuel_oil, lwr",
        "freeze, inspections for fuel_oil, lwr, normalisation",
        "freeze for fuel_oil, lwr, normalisation",
    ]


def test_ladders_and_givers_follow_a_policy_change():
    """Both ladders and who delivers each item are built once per set of policies, and again as soon
    as a shock replaces a policy (a new offer is on the table the month it is made)."""
    model = model_of(AGREED_FRAMEWORK)
    first = negotiation.ladders(model)
    assert negotiation.ladders(model) is first
    assert not first["allies"].mandate[concessions.INDEX["partial_relief"]]
    japan_row = list(model.actors).index("japan")
    assert japan_row not in implementation.givers(model)
    model.us.set_policy(offers=[*model.us.policy.offers, "partial_relief"])
    model.japan.set_policy(offers=["japan_aid"])
    changed = negotiation.ladders(model)
    assert changed is not first and changed["allies"].mandate[concessions.INDEX["partial_relief"]]
    assert implementation.givers(model)[concessions.INDEX["japan_aid"]] == japan_row


def test_preconditions_read_what_the_other_side_visibly_did():
    model = model_of(AGREED_FRAMEWORK, replicas=2)
    world = model.world
    world.yongbyon_running = np.array([False, True])
    assert preconditions.met(model, world)["allies"].tolist() == [True, False]  # the US asks for a freeze
    model.dprk.set_policy(precondition="denuclearization_off_agenda")
    assert preconditions.met(model, world)["dprk"].tolist() == [True, True]  # AF's agenda has no denuclearisation
    model.us.set_policy(demands=["freeze", "denuclearization"])
    assert not preconditions.met(model, world)["dprk"].any()
    # the 'hostile policy' is read from exercises and US sanctions, never from the US's offers
    model.dprk.set_policy(precondition="hostile_policy_end")
    world.exercises = np.array([0.1, 0.6])
    world.unilateral["us"] = np.array([0.3, 0.3])
    assert preconditions.met(model, world)["dprk"].tolist() == [True, False]
    model.us.set_policy(offers=["partial_relief", "exercise_suspension"])
    assert preconditions.met(model, world)["dprk"].tolist() == [True, False]


def test_boulware_concedes_later_than_a_conceder():
    model = model_of()
    lad = negotiation.ladders(model)["allies"]
    model.world.months_in_talks = np.array([negotiation.patience_months(model) / 2])
    levels = {}
    for strategy in ("boulware", "linear", "conceder"):
        model.us.set_policy(strategy=strategy)
        levels[strategy] = negotiation.concession_level(model, model.world, "allies", lad)[0]
    assert levels["boulware"] <= levels["linear"] <= levels["conceder"]
    assert levels["boulware"] < levels["conceder"]


# -------------------------------------------------------------- capability, coercion, tension, shocks


def test_capability_grows_stops_and_falls():
    model = model_of(AGREED_FRAMEWORK, replicas=3)
    world = model.world
    world.yongbyon_rate = 12.0
    world.other_sites_rate = np.zeros(3)
    world.yongbyon_running = np.array([True, False, False])
    world.material, world.warheads = np.full(3, 5.0), np.full(3, 5.0)
    world.assembly_rate = 120.0
    # replica 2: verified denuclearisation under way, half done after this month
    i = concessions.INDEX["denuclearization"]
    world.talks[2] = Talks.IMPLEMENTATION
    world.deal[2, i] = True
    world.inspected[2] = True
    world.progress[2, i] = 1.0 / 36.0  # the first month's share delivered
    capability.grow(world)
    assert world.material[0] == pytest.approx(6.0) and world.warheads[0] == pytest.approx(6.0)
    assert world.material[1] == pytest.approx(5.0)
    assert world.material[2] == pytest.approx(5.0 * (1 - 1 / 36))


def test_sanctions_pressure_by_hand():
    model = model_of(replicas=2)
    world = model.world
    world.enforcement = np.array([0.5, 0.0])
    world.un_level = np.array([1.0, 1.0])
    world.unilateral = {"us": np.array([0.3, 0.3]), "rok": np.zeros(2), "japan": np.zeros(2)}
    share = model.dispositions.world.china_trade_share
    expected = [share * 0.5 + (1 - share) * 1.0, (1 - share) * 1.0]
    assert coercion.sanctions_pressure(model, world) == pytest.approx(expected)


def test_china_consent_falls_with_rivalry_and_rises_after_a_test():
    model = model_of(replicas=4000)
    world = model.world
    ones = np.ones(4000)
    world.rivalry = np.zeros(4000)
    after_test = model.china.consents_to_resolution(world, ones, 0 * ones).mean()
    no_test = model.china.consents_to_resolution(world, 0 * ones, 0 * ones).mean()
    world.rivalry = np.ones(4000)
    rivalry = model.china.consents_to_resolution(world, ones, 0 * ones).mean()
    assert after_test > no_test and after_test > rivalry


def test_tension_by_hand():
    model = model_of(replicas=2)
    world = model.world
    w = model.dispositions.world
    world.tension = np.array([0.5, 0.5])
    world.exercises = np.zeros(2)
    world.talks = np.array([Talks.NO_CONTACT, Talks.TALKS], dtype=np.int8)
    test = Provocations(np.array([0, 0]), np.array([False, False]), np.array([True, False]))
    tension.update(model, world, test)
    rhetoric = w.tension_from_rhetoric * model.us.policy.rhetoric
    calm = model.rok.dispositions.engagement_calm  # Hanoi: South Korea engages
    assert world.tension[0] == pytest.approx(w.tension_memory * 0.5 + w.tension_per_test + rhetoric - calm)
    assert world.tension[1] == pytest.approx(w.tension_memory * 0.5 + rhetoric - calm - w.calm_from_talks)
    assert world.crisis_hazard[0] > world.crisis_hazard[1]


def test_intelligence_shock_cuts_trust_and_reveals_enrichment():
    model = model_of(AGREED_FRAMEWORK, replicas=2)
    world = model.world
    world.trust[US, DPRK] = np.array([0.8, 0.4])
    shock = IntelligenceShock(kind="intelligence", date="1995-01", actor="us", toward="dprk", trust_factor=0.25, other_sites_rate=2.0)
    model.shocks_by_month = {world.month: [shock]}
    shocks.apply(model, world)
    assert world.trust[US, DPRK] == pytest.approx([0.2, 0.1])
    assert world.other_sites_rate == pytest.approx([2.0, 2.0])


def _agreed_framework_a_year_in(*overrides: str) -> tuple[DiplomacyModel, WorldState, np.ndarray]:
    """The Agreed Framework a year in, over 400 replicas: the model, its world and where the deal
    is in force (signed within the first year in most replicas)."""
    model = model_of(AGREED_FRAMEWORK, replicas=400, overrides=overrides)
    for _ in range(12):
        model.step()
    world = model.world
    in_force = world.talks == Talks.IMPLEMENTATION
    assert in_force.sum() >= 100
    return model, world, in_force


def _deal_in_force(monkeypatch, *overrides: str):
    """The Agreed Framework a year in (the deal signed in most replicas), with the DPRK valuing
    the deal well (no reasons of its own to leave), no decay of a case, no allowance for noise
    and no review."""
    from sim import implementation

    bare_case = ("world.defection_decay=0", "world.breach_allowance=0", "world.review_rate=0.05")
    model, world, in_force = _agreed_framework_a_year_in(*bare_case, *overrides)
    real_surplus = implementation.deal_surplus
    monkeypatch.setattr(implementation, "deal_surplus",
                        lambda model, world, side, ctx: real_surplus(model, world, side, ctx) + (5.0 if side == "dprk" else 0.0))
    world.shortfall[:] = 0.0
    world.keeping_loss[:] = 0.0
    world.defection[:] = 1.0
    world.breach[:] = 1.0
    return model, world, in_force


def test_deliveries_better_than_expected_weaken_the_case_built_by_the_other_side(monkeypatch):
    """A US that delivers everything to a DPRK expecting half to be late lowers the case the US's
    conduct had built; summing only the months worse than expected, it would stay
    (``implementation.build_case``)."""
    from sim import implementation

    model, world, in_force = _deal_in_force(monkeypatch, "us.stay_bias=2")  # the US keeps its side
    model.us.policy.follow_through = 1.0
    world.trust[DPRK, :] = 0.5
    world.deal_month[:] = world.month - 24  # every item of the deal is due, unless it waits on proof of a freeze
    implementation.implement(model, world)
    still = in_force & (world.talks == Talks.IMPLEMENTATION)
    # a month with US deliveries due is one the DPRK learns from: its trust in the US moves
    observed = still & (world.trust[DPRK, US] != 0.5)
    assert observed.sum() >= 30
    case = world.defection[SIDE["dprk"]]
    # none rises; it falls by the surprise (nothing late against half expected) wherever US
    # deliveries were due, and stays where none was
    assert case[observed] == pytest.approx(0.5)
    assert case[still & ~observed] == pytest.approx(1.0)


def test_a_month_with_nothing_due_is_no_evidence(monkeypatch):
    """With nothing due from the US, the DPRK's case for leaving stays as it was: no surprise,
    good or bad, from deliveries that were never owed."""
    from sim import implementation

    model, world, in_force = _deal_in_force(monkeypatch)
    world.trust[DPRK, :] = 0.5
    world.schedule[:] = 10_000  # nothing falls due
    implementation.implement(model, world)
    still = in_force & (world.talks == Talks.IMPLEMENTATION)
    assert world.defection[SIDE["dprk"]][still] == pytest.approx(1.0)


def test_the_deal_left_this_month_restrains_nothing_next_month(monkeypatch):
    """The month a deal collapses, the DPRK's restraint under it and any moratorium end with it:
    the next month's provocations answer the rebuff, not a deal no longer in force."""
    from sim import implementation

    model, world, in_force = _deal_in_force(monkeypatch, "world.review_rate=1")
    world.defection[:] = 50.0  # past any tolerance: the deal collapses at this month's review
    implementation.implement(model, world)
    left = in_force & (world.talks == Talks.COLLAPSED)
    assert left.sum() >= 100
    assert (world.deal_kept[left] == 0.0).all() and (world.moratorium[left] == 0.0).all()


def test_a_deal_kept_for_the_reluctance_to_renege_restrains_like_a_valued_one(monkeypatch):
    """Restraint follows the DPRK's choice to keep a deal, not the sign of its surplus alone: a
    deal worth a little less than no deal, kept because reneging costs more (``stay_bias``), holds
    launches back; one worth less than the reluctance to renege does not (``sim/implementation.py``;
    2007-2008: no launch while the six-party deal was kept)."""
    from sim import implementation

    model, world, in_force = _agreed_framework_a_year_in("dprk.stay_bias=0.5")
    real_surplus = implementation.deal_surplus
    kept = {}
    for dprk_surplus in (-0.2, -0.8):
        def surplus(model, world, side, ctx, dprk_surplus=dprk_surplus):
            worth = real_surplus(model, world, side, ctx)
            return np.full_like(worth, dprk_surplus) if side == "dprk" else worth

        monkeypatch.setattr(implementation, "deal_surplus", surplus)
        world.shortfall[:] = 0.0
        implementation.implement(model, world)
        kept[dprk_surplus] = world.deal_kept[in_force]
    temperature = model.dispositions.world.choice_temperature
    assert kept[-0.2] == pytest.approx(logistic(0.3 / temperature))  # kept: worth +0.3 against withholding
    assert kept[-0.8] == pytest.approx(logistic(-0.3 / temperature))
    assert (kept[-0.2] > 0.5).all() and (kept[-0.8] < 0.5).all()


def test_provocations_fall_under_a_deal_the_dprk_keeps():
    model = model_of(replicas=20000, overrides=("dprk.restraint_deal=1",))  # a restraint the sample can resolve
    world = model.world
    free = model.dprk.choose_provocations(world).short_range.mean()
    world.deal_kept = np.ones(20000)
    restrained = model.dprk.choose_provocations(world).short_range.mean()
    assert restrained < free * np.exp(-model.dprk.dispositions.restraint_deal) * 1.2


def test_only_a_shortfall_beyond_what_was_expected_builds_a_case_for_leaving():
    """A late delivery the DPRK expected (its trust in the US already low) adds nothing to its
    case for leaving; the same shortfall from a partner it trusted does (``sim/implementation.py``)."""
    from sim import implementation

    def dprk_case(trust_in_us: float) -> float:
        model, world, in_force = _agreed_framework_a_year_in("us.stay_bias=2")  # the US means to keep the deal
        model.us.policy.follow_through = 0.0  # from now on every US delivery is late
        world.trust[DPRK, US] = trust_in_us
        world.shortfall[:] = 0.0
        world.defection[:] = 0.0
        world.breach[:] = 0.0
        world.deal_month[:] = world.month - 24  # every item of the deal is due
        implementation.implement(model, world)
        return float(world.defection[0][in_force].mean())

    # with every US delivery late, what the DPRK perceives is its shortfall beyond 1 - trust
    expected, surprised = dprk_case(0.0), dprk_case(1.0)
    assert expected < 0.02 < surprised, (expected, surprised)


def _us_view_of_dprk_shortfall(found: float, known: float, with_moratorium: bool = False,
                               inspectors: bool = True) -> tuple[float, float, float]:
    """One month of the Agreed Framework's deal in force, every DPRK step delivered, with
    ``found`` warheads' worth a year of production outside Yongbyon of which ``known`` was known
    at signing: the breach share, the DPRK's recent shortfall as the US sees it, Yongbyon's rate.
    Without ``inspectors`` the deal holds no inspections and none are in."""
    from sim import implementation

    model, world, in_force = _agreed_framework_a_year_in()
    if with_moratorium:  # a deal that also holds a step outside Yongbyon
        world.deal[:, concessions.INDEX["test_moratorium"]] = True
        world.schedule[:, concessions.INDEX["test_moratorium"]] = 0.0
        world.test_stake[:] = 0.5
    if not inspectors:
        world.deal[:, concessions.INDEX["inspections"]] = False
        world.inspected[:] = False
    world.sites_at_signing[:] = known
    world.other_sites_rate[:] = found
    world.trust[US, DPRK] = 1.0
    world.shortfall[:] = 0.0
    world.defection[:] = 0.0
    model.dprk.policy.follow_through = 1.0
    share = float(implementation.circumvented(world)[0])
    implementation.implement(model, world)
    return share, float(world.shortfall[0][in_force].mean()), world.yongbyon_rate


def test_enrichment_found_after_signing_is_a_shortfall_of_the_freeze_but_known_sites_are_not():
    """Production outside Yongbyon that was unknown when the deal was signed makes the delivered
    freeze a shortfall the US sees (the DPRK's recent shortfall), in proportion to the production
    it leaves running; sites known at signing are the deal's own limit
    (``implementation.circumvented``)."""
    none_share, none_seen, _ = _us_view_of_dprk_shortfall(0.0, 0.0)
    found_share, found_seen, yongbyon = _us_view_of_dprk_shortfall(2.0, 0.0)
    known_share, known_seen, _ = _us_view_of_dprk_shortfall(2.0, 2.0)
    assert none_share == 0.0 and known_share == 0.0
    assert found_share == pytest.approx(2.0 / (yongbyon + 2.0))
    assert found_seen > 0.05 and found_seen > 5 * max(none_seen, known_seen), (none_seen, found_seen, known_seen)


def test_enrichment_found_by_intelligence_is_seen_in_full_without_inspectors():
    """Inspectors make the DPRK's own shortfall at Yongbyon observable (``world.unseen_weight``
    without them); production found elsewhere is intelligence's finding, not theirs, and is seen
    in full either way."""
    _, with_inspectors, _ = _us_view_of_dprk_shortfall(2.0, 0.0)
    _, without, _ = _us_view_of_dprk_shortfall(2.0, 0.0, inspectors=False)
    assert with_inspectors > 0.05
    assert without == pytest.approx(with_inspectors, rel=0.05), (with_inspectors, without)


def _dprk_view_of_a_new_demand(monkeypatch, demand: float, at_signing: float, nothing_due: bool = False) -> tuple[float, float, float]:
    """The Agreed Framework a year in (the DPRK accepts verification up to 0.5) with the US side
    delivering in full, the deal signed under a US verification demand of ``at_signing`` and the
    US now demanding ``demand``: the share the DPRK sees taken back, and after one month its
    recent view of the US side's shortfall and its case from the US side's conduct, where the deal
    is in force. Both sides value the deal well (each keeps it). ``nothing_due`` puts every allied
    delivery off past the month. No allowance for noise: the case is the month's surprise itself."""
    from sim import implementation

    model, world, in_force = _agreed_framework_a_year_in("world.breach_allowance=0")
    monkeypatch.setattr(implementation, "deal_surplus", lambda model, world, side, ctx: valuation.deal_surplus(model, world, side, ctx) + 5)
    for actor in model.actors.values():
        actor.policy.follow_through = 1.0
    if nothing_due:
        world.schedule[:, ~concessions.IS_DPRK] = 10_000.0
    world.verification_at_signing[:] = at_signing
    model.us.policy.verification = demand
    world.trust[DPRK, US] = 1.0  # it expects the US side to deliver everything
    world.shortfall[:] = 0.0
    world.breach[:] = 0.0
    share = float(implementation.rewritten(world, model.negotiation_context())[0])
    implementation.implement(model, world)
    return share, float(world.shortfall[1][in_force].mean()), float(world.breach[0][in_force].mean())


def test_a_demand_beyond_the_signed_terms_is_a_shortfall_of_the_other_side(monkeypatch):
    """Verification demanded beyond both the DPRK's limit and what the US asked at signing is seen by
    the DPRK as the US side taking back part of the deal (seed article 004: "unilaterally demanded
    tough new verification procedures"), in proportion to how far it goes beyond; a demand the deal
    was signed under, or one the DPRK accepts, is none (``implementation.rewritten``)."""
    none_share, none_seen, none_case = _dprk_view_of_a_new_demand(monkeypatch, 0.4, 0.4)
    new_share, new_seen, new_case = _dprk_view_of_a_new_demand(monkeypatch, 0.9, 0.4)
    signed_share, signed_seen, _ = _dprk_view_of_a_new_demand(monkeypatch, 0.9, 0.9)
    within_share, within_seen, _ = _dprk_view_of_a_new_demand(monkeypatch, 0.45, 0.4)
    assert none_share == signed_share == within_share == 0.0
    assert new_share == pytest.approx((0.9 - 0.5) / 0.9)
    assert new_seen > 0.05 and new_seen > 5 * max(none_seen, signed_seen, within_seen), (none_seen, new_seen, signed_seen, within_seen)
    assert new_case > none_case + 0.05, (none_case, new_case)


def test_a_demand_beyond_the_signed_terms_is_evidence_with_nothing_due(monkeypatch):
    """A month with no allied delivery due says nothing of how the US side delivers, but a new
    demand is the US side's own act: it builds the DPRK's case all the same."""
    _, none_seen, none_case = _dprk_view_of_a_new_demand(monkeypatch, 0.4, 0.4, nothing_due=True)
    _, new_seen, new_case = _dprk_view_of_a_new_demand(monkeypatch, 0.9, 0.4, nothing_due=True)
    assert none_seen == 0.0 and none_case == 0.0
    assert new_seen > 0.05 and new_case > 0.05, (new_seen, new_case)


def test_a_larger_hidden_programme_is_never_a_smaller_breach():
    """With a step outside Yongbyon in the deal too, the breach grows with the production found:
    the Yongbyon steps keep the worth they had at signing (``implementation.as_signed``)."""
    seen = [_us_view_of_dprk_shortfall(found, 0.0, with_moratorium=True)[1] for found in (0.5, 2.0, 8.0, 50.0)]
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False)), seen


def test_a_test_moratorium_is_worth_the_provocations_it_stops():
    """The US values a test moratorium, and the DPRK counts its cost, by the chance of a test or
    long-range launch within a year on the path without a deal (``DPRK.provocation_chance``)."""
    model = model_of(HANOI, replicas=2)
    world = model.world
    world.months_since_test[:] = 48.0
    world.tests_done[:] = np.array([0.0, 6.0])  # a programme still to test, and one done testing
    chance = model.dprk.provocation_chance(world)
    assert 0.0 <= chance[1] < chance[0] <= 1.0
    model.dprk.choose_provocations(world)  # sets the month's stake, which valuations read
    assert world.test_stake == pytest.approx(chance)
    ctx = model.negotiation_context()
    moratorium = concessions.mask(["test_moratorium"])[None, :]
    us_worth = valuation.surplus(model, world, "allies", moratorium, ctx)[:, 0]
    dprk_cost = valuation.surplus(model, world, "dprk", moratorium, ctx)[:, 0]
    # worth more to the US, and costlier to the DPRK, where more testing is at stake
    assert us_worth[0] > us_worth[1]
    assert dprk_cost[0] < dprk_cost[1]


def test_a_loss_that_has_just_begun_builds_the_case_for_leaving_slowly(monkeypatch):
    """A side's own reason to leave (keeping the deal worth less to it than withholding) is
    weighed over recent months like the other's shortfall (``world.shortfall_memory``): in the
    first month of a loss only ``1 - shortfall_memory`` of it counts, and more in the next, so a
    new demand does not date the collapse (``sim/implementation.py``)."""
    from sim import implementation

    model, world, in_force = _agreed_framework_a_year_in("world.review_rate=0.05")
    real_surplus = implementation.deal_surplus

    def dprk_loses(model, world, side, ctx):
        worth = real_surplus(model, world, side, ctx)
        return np.full_like(worth, -3.0) if side == "dprk" else worth

    monkeypatch.setattr(implementation, "deal_surplus", dprk_loses)
    world.shortfall[:] = 0.0
    world.defection[:] = 0.0
    world.keeping_loss[:] = 0.0
    memory = model.dispositions.world.shortfall_memory
    loss = 3.0 - model.dprk.dispositions.stay_bias  # the US's shortfall is nil this month
    implementation.implement(model, world)
    first = world.keeping_loss[SIDE["dprk"]][in_force]
    assert first == pytest.approx((1 - memory) * loss)
    still = in_force & (world.talks == Talks.IMPLEMENTATION)
    implementation.implement(model, world)
    second = world.keeping_loss[SIDE["dprk"]][still]
    assert (second >= (1 - memory**2) * loss - 1e-9).all()  # the loss counts more as it lasts
    assert (second > first[0] + 1e-6).all()


@pytest.mark.parametrize("pessimism", [0.0, 1.0, 3.0])
def test_going_back_to_talks_that_failed_costs_the_audience_cost_as_far_as_the_failure_taught(pessimism):
    """Before any failure talking costs no audience cost; after one, going back costs the side's
    own audience cost times the prospects the failure took away (``negotiation.talks_values``,
    Fearon 1994)."""
    def dprk_value(audience_cost: float) -> np.ndarray:
        model = model_of(HANOI, replicas=1, overrides=(f"dprk.audience_cost={audience_cost}",))
        world = model.world
        world.pessimism[SIDE["dprk"]] = pessimism
        world.pressure_at_failure[SIDE["dprk"]] = world.pressure  # no news since the failure
        return negotiation.talks_values(model, world, negotiation.ladders(model), model.negotiation_context())["dprk"]

    lost_prospects = 1.0 - 2.0 * logistic(-pessimism)
    free, costly = dprk_value(0.0), dprk_value(1.5)
    assert free - costly == pytest.approx(1.5 * lost_prospects)
    if pessimism > 0:
        assert costly < free
