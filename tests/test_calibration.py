"""The calibration: a distance that reads the particles, an ABC-SMC that is reproducible on any
number of workers, a posterior whose intervals include what the model does not know, and a
command that writes nothing unless asked."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml

from sim import calibration
from sim.calibration import (
    PARAMETERS,
    Distance,
    Settings,
    _from_logit,
    _to_logit,
    abc_smc,
    best_particle,
    current_vector,
    draw_prior,
    within_prior,
    write_values,
)
from sim.dispositions import DISPOSITIONS_FILE, calibrated_values, catalogue
from sim.ensemble import ENSEMBLE_FILE, shipped
from sim.runner import simulate
from sim.stats import mean_interval
from sim.sweep.execute import LocalPool
from tests.conftest import AGREED_FRAMEWORK, HANOI, PEACE_TREATY, ROOT, run_cli

TWO_CASES = [AGREED_FRAMEWORK, HANOI]
TINY = Settings(population=16, replicas=2, generations=2, batch=16, prior_draws=2, max_moves=2)


def test_the_distance_is_deterministic_for_a_seed_and_reads_the_particles():
    x = np.tile(current_vector(), (3, 1))
    x[1, [p.name for p in PARAMETERS].index("world.choice_temperature")] = 1.0
    x[2, [p.name for p in PARAMETERS].index("dprk.launch_rate")] = 9.0
    a = Distance(TWO_CASES, Settings(replicas=20), seed=3)(x)
    b = Distance(TWO_CASES, Settings(replicas=20), seed=3)(x)
    assert np.array_equal(a, b)
    assert a[2] > a[0]  # nine launches a month at baseline: far outside the record's bands
    assert len(set(a)) == 3
    assert ((a >= 0) & (a <= 1)).all()


def test_the_logit_scale_keeps_every_proposal_within_bounds():
    low, high = np.array([p.low for p in PARAMETERS]), np.array([p.high for p in PARAMETERS])
    x = low + (high - low) * np.random.default_rng(0).random((50, len(PARAMETERS)))
    assert np.allclose(_from_logit(_to_logit(x, low, high), low, high), x)
    wild = _from_logit(np.random.default_rng(1).normal(0, 30, (50, len(PARAMETERS))), low, high)
    assert ((wild >= low) & (wild <= high)).all()


def test_a_tiny_calibration_is_reproducible_and_tightens():
    first = abc_smc(Distance(TWO_CASES, TINY, seed=5), TINY, seed=5)
    again = abc_smc(Distance(TWO_CASES, TINY, seed=5), TINY, seed=5)
    assert np.array_equal(first.particles, again.particles) and np.array_equal(first.distances, again.distances)
    thresholds = [g.threshold for g in first.generations]
    assert thresholds == sorted(thresholds, reverse=True)
    assert np.median(first.distances) <= thresholds[0]  # the population moved toward the record
    low, high = np.array([p.low for p in PARAMETERS]), np.array([p.high for p in PARAMETERS])
    assert ((first.particles >= low) & (first.particles <= high)).all()
    assert within_prior(tuple(p.name for p in PARAMETERS), first.particles).all()  # the moves kept the orderings
    assert first.particles.shape == (TINY.population, len(PARAMETERS))


NAMES = tuple(p.name for p in PARAMETERS)


def test_the_prior_keeps_its_orderings():
    """Uniform draws within the bounds break the ordering in a sizeable share; the prior's never do."""
    low, high = np.array([p.low for p in PARAMETERS]), np.array([p.high for p in PARAMETERS])
    uniform = low + (high - low) * np.random.default_rng(0).random((2000, len(PARAMETERS)))
    assert 0.1 < 1 - within_prior(NAMES, uniform).mean() < 0.9
    drawn = draw_prior(np.random.default_rng(0), PARAMETERS, 2000)
    assert drawn.shape == (2000, len(PARAMETERS)) and ((drawn >= low) & (drawn <= high)).all()
    for higher, lower in calibration.AT_LEAST.items():
        assert (drawn[:, NAMES.index(higher)] >= _lower(drawn, lower)).all()
    assert np.array_equal(drawn, draw_prior(np.random.default_rng(0), PARAMETERS, 2000))


def _lower(drawn: np.ndarray, name: str) -> np.ndarray | float:
    """The column of a fitted disposition, or the documented value of one not fitted."""
    if name in NAMES:
        return drawn[:, NAMES.index(name)]
    section, key = name.split(".")
    return float(calibrated_values()[section][key])


def test_the_prior_is_uniform_on_the_ordered_region():
    """Fitted both, uniform on {0.5 <= sanctions_pain <= verification_aversion <= 5}, a right
    triangle: the aversion's mean is 0.5 + 4.5 * 2/3 = 3.5 and the pain's 0.5 + 4.5 / 3 = 2.0. With
    the pain at its documented value p, the aversion is uniform on [p, 5], its mean (p + 5) / 2. A
    prior that clipped the aversion up to the pain, or swapped them, would give neither."""
    drawn = draw_prior(np.random.default_rng(1), PARAMETERS, 20000)
    aversion = drawn[:, NAMES.index("dprk.verification_aversion")]
    pain = _lower(drawn, "dprk.sanctions_pain")
    if np.ndim(pain):
        assert aversion.mean() == pytest.approx(3.5, abs=0.05) and pain.mean() == pytest.approx(2.0, abs=0.05)
        assert aversion.min() >= 0.5
    else:
        assert aversion.mean() == pytest.approx((pain + 5.0) / 2, abs=0.02) and aversion.min() >= pain
        assert np.mean(aversion < pain + 0.5) == pytest.approx(0.5 / (5.0 - pain), abs=0.02)  # uniform, not piled at the bound


class BlindDistance:
    """A distance blind to the particles: it answers at random from ``rng`` and records in ``seen``
    what it was asked to measure. Under it the ABC-SMC's target is the prior itself."""

    parameters = PARAMETERS

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng, self.seen = rng, []

    def __call__(self, particles: np.ndarray) -> np.ndarray:
        self.seen.append(particles.copy())
        return self.rng.random(len(particles))


def outer_tenths(particles: np.ndarray) -> float:
    """The share of the values in the outer tenths of their ranges: 0.20 under the prior."""
    low, high = (np.array([getattr(p, bound) for p in PARAMETERS]) for bound in ("low", "high"))
    share = (particles - low) / (high - low)
    return float(np.mean((share < 0.1) | (share > 0.9)))


def test_moves_outside_the_ordering_are_never_measured_nor_kept():
    """The ABC-SMC's random walk proposes sets that break the ordering; none reaches the distance
    and none joins the population, and each counts as proposed but not measured."""
    distance = BlindDistance(np.random.default_rng(0))
    settings = Settings(population=60, replicas=1, generations=3, batch=60, prior_draws=2, max_moves=3)
    posterior = abc_smc(distance, settings, seed=4)
    measured = np.concatenate(distance.seen)
    assert within_prior(NAMES, measured).all() and within_prior(NAMES, posterior.particles).all()
    moves = posterior.generations[1:]
    assert sum(g.measured - settings.population for g in moves) < sum(g.proposed for g in moves)  # some were rejected unmeasured
    assert sum(g.measured for g in posterior.generations) == len(measured)


def test_moves_the_prior_rejects_are_not_measured_and_the_walk_keeps_the_prior():
    """Early rejection: the Metropolis-Hastings draw comes before the model runs, so a proposal
    the prior's ratio rejects is never measured (without it, nine in ten proposals were). Under a
    distance blind to the particles the walk must keep the prior over a short run (4 generations):
    uniform within the bounds, a fifth of the values in the outer tenths of their ranges (a walk
    that dropped the prior's ratio on the logit scale piles them at the bounds: about half)."""
    settings = Settings(population=200, replicas=1, generations=4, batch=200, prior_draws=2, max_moves=3)
    posterior = abc_smc(BlindDistance(np.random.default_rng(0)), settings, seed=4)
    moves = posterior.generations[1:]
    assert sum(g.measured - settings.population for g in moves) < 0.6 * sum(g.proposed for g in moves)
    assert 0.12 < outer_tenths(posterior.particles) < 0.3


def outer_tenths_under_a_blind_distance() -> float:
    """The share of the values in the outer tenths of their ranges (0.20 under the prior) after 20
    generations of up to 12 moves with a distance blind to the particles, over four seeds; each
    time, at least nine in ten particles must differ from every other by a hundredth of some range
    (a walk that hardly moves keeps the prior's share in copies of the first generation)."""
    low, high = (np.array([getattr(p, bound) for p in PARAMETERS]) for bound in ("low", "high"))
    settings = Settings(population=200, replicas=1, generations=20, batch=200, prior_draws=2, max_moves=12)
    shares = []
    for seed in range(4):
        particles = abc_smc(BlindDistance(np.random.default_rng(100 + seed)), settings, seed=seed).particles
        assert len(np.unique(np.round((particles - low) / (high - low), 2), axis=0)) >= 0.9 * settings.population
        shares.append(outer_tenths(particles))
    return float(np.mean(shares))


def test_over_many_generations_the_walk_keeps_the_prior():
    assert 0.16 < outer_tenths_under_a_blind_distance() < 0.24


def test_a_walk_with_the_populations_correlations_draws_it_inward(monkeypatch):
    """What docs/calibration.md says of the walk's correlations: with them the outer tenths keep well under 0.20."""
    monkeypatch.setattr(calibration, "walk_covariance", lambda z: np.cov(z.T))
    assert outer_tenths_under_a_blind_distance() < 0.15


def test_an_ordering_that_cannot_be_met_is_an_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(calibration, "AT_LEAST", {"world.choice_temperature": "dprk.ignored_months"})
    with pytest.raises(ValueError, match="leave almost no room"):
        draw_prior(np.random.default_rng(0), PARAMETERS, 100)


def test_an_ordering_against_a_disposition_not_fitted_reads_its_documented_value():
    (higher, lower), = calibration.AT_LEAST.items()
    section, key = lower.split(".")
    documented = float(calibrated_values()[section][key])
    values = np.array([[documented - 0.1], [documented + 0.1]])
    assert within_prior((higher,), values).tolist() == [False, True]


def test_one_worker_and_two_give_the_same_posterior():
    alone = abc_smc(Distance(TWO_CASES, TINY, seed=2), TINY, seed=2)
    pool = LocalPool(2)
    try:
        shared = abc_smc(Distance(TWO_CASES, TINY, seed=2, executor=pool), TINY, seed=2)
    finally:
        pool.close()
    assert np.array_equal(alone.particles, shared.particles)


def test_the_point_is_a_particle_of_the_posterior():
    posterior = abc_smc(Distance(TWO_CASES, TINY, seed=1), TINY, seed=1)
    point = best_particle(posterior, TWO_CASES, seed=1, candidates=4, replicas=4)
    assert any(np.array_equal(point, row) for row in posterior.particles)


def test_the_ensemble_is_wider_than_the_point_where_a_fitted_disposition_decides():
    """The launches of 2015-2016, years without talks, follow the fitted launch rate and drives:
    runs that each draw their own set from the posterior spread wider than runs that all share the
    point. (Hanoi's launches do not show it: there the point's own chance spreads them as wide.)"""
    ensemble = simulate(PEACE_TREATY, replicas=400, seed=0, record_series=False).outcomes["missile_launches"]
    point = simulate(PEACE_TREATY, replicas=400, seed=0, record_series=False, point=True).outcomes["missile_launches"]
    assert np.subtract(*np.percentile(ensemble, [90, 10])) > np.subtract(*np.percentile(point, [90, 10]))
    def width(values: np.ndarray) -> float:
        low, high = mean_interval(values.astype(float))
        return high - low

    assert width(ensemble) > width(point)


def test_the_shipped_ensemble_covers_the_fitted_dispositions_within_bounds():
    ensemble = shipped()
    assert set(ensemble.names) == {p.name for p in PARAMETERS} | set(calibration.TIED)
    for name, source in calibration.TIED.items():
        assert (ensemble.values[:, ensemble.names.index(name)] == ensemble.values[:, ensemble.names.index(source)]).all()
        (actor, key), (source_actor, source_key) = name.split("."), source.split(".")
        assert calibrated_values()[actor][key] == calibrated_values()[source_actor][source_key]
    assert within_prior(ensemble.names, ensemble.values).all()
    assert 100 <= len(ensemble) <= 2000
    assert ensemble.weights.sum() == pytest.approx(1.0)


def test_a_disposition_the_cases_do_not_pin_is_not_fitted_and_keeps_its_midpoint():
    bounds = {entry.name: (entry.low, entry.high) for entry in catalogue()}
    values = calibrated_values()
    for name in calibration.UNPINNED:
        assert name not in calibration.FITTED and name not in calibration.TIED
        section, key = name.split(".")
        assert float(values[section][key]) == pytest.approx(sum(bounds[name]) / 2), name


def test_write_values_keeps_comments_and_other_lines(tmp_path):
    copy = tmp_path / "dispositions.yaml"
    shutil.copy(DISPOSITIONS_FILE, copy)
    before = copy.read_text().splitlines()
    x = current_vector()
    x[0] = 0.625
    write_values(x, path=copy)
    after = copy.read_text().splitlines()
    assert after[0] == before[0] and after[0].startswith("#")
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) <= 1 and len(before) == len(after)
    data = yaml.safe_load(copy.read_text())
    assert data[PARAMETERS[0].path[0]][PARAMETERS[0].path[1]] == 0.625
    calibrated_values.cache_clear()


def test_calibrate_without_write_changes_no_file(monkeypatch):
    monkeypatch.setattr(calibration, "observed_cases", lambda: TWO_CASES)
    monkeypatch.setattr("sim.fidelity.observed_cases", lambda directory=None: TWO_CASES)
    before = DISPOSITIONS_FILE.read_bytes(), ENSEMBLE_FILE.read_bytes()
    result = run_cli("calibrate", "--population", "10", "--particle-reps", "1", "--generations", "1", "--workers", "1",
                     "--check-reps", "5", "--json")
    assert result.code == 0, result.err
    assert (DISPOSITIONS_FILE.read_bytes(), ENSEMBLE_FILE.read_bytes()) == before
    assert '"written": false' in result.out


@pytest.mark.parametrize(("argv", "message"), [
    (("--leave-out", "atlantis_1999"), "--leave-out atlantis_1999: no such case; cases are: agreed_framework_1994"),
    (("--leave-out", "hanoi_2019", "--write"), "--write saves a calibration on every case"),
    (("--population", "3"), "--population: must be from 10 to 100,000, got 3"),
])
def test_bad_calibrate_arguments_are_one_line(argv, message):
    result = run_cli("calibrate", *argv)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err


def test_a_disposition_one_case_alone_pins_is_named():
    """``sim.validation.taught_alone``: narrowed to under half its width by the case, or moved
    apart from where it sits without the case, and nothing else."""
    from sim.ensemble import Ensemble
    from sim.validation import taught_alone

    names = tuple(p.name for p in PARAMETERS[:3])
    rng = np.random.default_rng(0)
    wide = rng.uniform(0.0, 1.0, size=(400, 3))
    narrow = wide.copy()
    narrow[:, 0] = rng.uniform(0.4, 0.5, size=400)  # pinned by the case
    narrow[:, 1] = rng.uniform(0.1, 0.9, size=400)  # a little narrower: not pinned
    weights = np.full(400, 1 / 400)
    taught = taught_alone(Ensemble(names, narrow, weights), Ensemble(names, wide, weights))
    assert list(taught) == [names[0]]
    assert taught[names[0]]["with"][1] - taught[names[0]]["with"][0] < 0.1
    moved = wide.copy()
    moved[:, 2] = rng.uniform(2.0, 3.0, size=400)  # apart from the range without the case
    assert names[2] in taught_alone(Ensemble(names, moved, weights), Ensemble(names, wide, weights))


def test_what_a_failing_case_needs_from_itself_is_named_first():
    """``sim.validation.restored_by``: a fold that lost the DPRK's aversion to verification (set to
    0) fails the six-party case; of a shortlist, taking that disposition back from the posterior on
    every case lowers the score most, so it is named first, and a case that passes needs nothing."""
    from sim.ensemble import Ensemble
    from sim.fidelity import fidelity
    from sim.validation import describe_restored, restored_by

    case = ROOT / "scenarios" / "six_party_2007.yaml"
    everything = shipped()
    values = everything.values.copy()
    values[:, everything.names.index("dprk.verification_aversion")] = 0.0
    lost = Ensemble(everything.names, values, everything.weights)
    before = fidelity([case], replicas=100, seed=0, ensemble=lost)[0]
    assert not before.passed
    shortlist = ("dprk.launch_rate", "dprk.verification_aversion", "world.deal_calm")
    steps = restored_by(case, everything, lost, replicas=100, seed=0, steps=2, candidates=shortlist)
    assert steps[0]["disposition"] == "dprk.verification_aversion"
    assert steps[0]["score"] < before.score - 0.05
    assert all(b["score"] < a["score"] for a, b in zip(steps, steps[1:], strict=False))
    assert describe_restored(steps).startswith("dprk.verification_aversion (score ")
    assert describe_restored(steps).endswith("passes)") == steps[-1]["pass"]
    assert describe_restored([{"disposition": "x", "score": 0.2, "pass": False}]) == "x (score 0.200); it still fails"
    assert restored_by(case, everything, everything, replicas=100, seed=0, candidates=shortlist) == []


def test_the_greedy_search_takes_whole_rows_by_weight_and_stops_when_nothing_helps(monkeypatch):
    """``restored_by`` against a stand-in score (weighted by the fold's weights): |x - y| / 10 +
    |z| / 10, with x and y equal within each row of the full posterior. Taking y, then x, then z
    lowers it; x after y helps only if whole rows are taken; the rows are drawn by the full
    posterior's weights; w, which only raises it, is never taken; nothing passes."""
    from types import SimpleNamespace

    from sim import validation
    from sim.ensemble import Ensemble

    def stand_in(paths, replicas, seed, ensemble):
        x, y, z, w = (ensemble.values[:, ensemble.names.index(n)] for n in ("x", "y", "z", "w"))
        score = float(ensemble.weights @ (np.abs(x - y) / 10 + np.abs(z) / 10 + np.abs(w) / 10))
        return [SimpleNamespace(score=score, passed=False)]

    monkeypatch.setattr(validation, "fidelity", stand_in)
    names = ("x", "y", "z", "w")
    t = np.array([0.0, 1.0] * 1000)  # the full posterior: rows with t = 1 carry 90% of the weight
    everything = Ensemble(names, np.stack([t, t, np.zeros_like(t), np.full_like(t, 9.0)], axis=1), np.where(t == 1.0, 0.9, 0.1) / 1000)
    z = np.where(np.arange(2000) < 1000, 3.0, 0.0)  # the fold: z = 3 on rows with 80% of its weight
    fold = Ensemble(names, np.stack([np.full(2000, 5.0), np.full(2000, -5.0), z, np.zeros(2000)], axis=1),
                    np.where(z > 0, 0.8, 0.2) / 1000)
    steps = validation.restored_by(ROOT / "case.yaml", everything, fold, seed=0, candidates=names)
    assert [s["disposition"] for s in steps] == ["y", "x", "z"]
    assert steps[0]["score"] == pytest.approx((5.0 - 0.9) / 10 + 0.24, abs=0.005)  # |5 - y| with E[y] = 0.9, and z
    assert steps[1]["score"] == pytest.approx(0.24)  # x = y row by row
    assert steps[2]["score"] == pytest.approx(0.0)
    again = validation.restored_by(ROOT / "case.yaml", everything, fold, seed=1, candidates=names)
    assert again[0]["score"] != steps[0]["score"]  # the draw follows the seed


def test_a_disposition_taken_from_another_ensemble_brings_its_tie():
    """``sim.validation.taking``: the columns named come from the other ensemble row for row, a
    tied disposition with its source (the US's audience cost is the DPRK's), the rest stay."""
    from sim.ensemble import Ensemble
    from sim.validation import taking

    names = ("dprk.audience_cost", "dprk.launch_rate", "us.audience_cost")
    mine = Ensemble(names, np.array([[1.0, 2.0, 1.0], [1.5, 3.0, 1.5]]), np.array([0.5, 0.5]))
    other = Ensemble(names, np.array([[0.2, 9.0, 0.2], [0.4, 8.0, 0.4]]), np.array([0.5, 0.5]))
    taken = taking(mine, other, ["dprk.audience_cost"])
    assert taken.values.tolist() == [[0.2, 2.0, 0.2], [0.4, 3.0, 0.4]]
    untied = Ensemble(names[:2], other.values[:, :2], other.weights)  # the tie's column only in the fold: it follows its source
    assert taking(mine, untied, ["dprk.audience_cost"]).values.tolist() == [[0.2, 2.0, 0.2], [0.4, 3.0, 0.4]]
    assert taking(mine, other, []).values.tolist() == mine.values.tolist()


def test_a_tied_disposition_takes_its_sources_value_in_every_particle_and_in_the_file(tmp_path):
    """The US's audience cost is not fitted on its own: each particle, the ensemble and the point
    written to ``dispositions.yaml`` carry the DPRK's (``calibration.TIED``)."""
    assert "us.audience_cost" not in {p.name for p in PARAMETERS}
    low, high = np.array([p.low for p in PARAMETERS]), np.array([p.high for p in PARAMETERS])
    particles = low + (high - low) * np.random.default_rng(3).random((7, len(PARAMETERS)))
    posterior = calibration.Posterior(tuple(p.name for p in PARAMETERS), particles, np.ones(7), np.zeros(7))
    ensemble = posterior.ensemble()
    source = particles[:, [p.name for p in PARAMETERS].index("dprk.audience_cost")]
    assert ensemble.values[:, ensemble.names.index("us.audience_cost")] == pytest.approx(source)
    copy = tmp_path / "dispositions.yaml"
    shutil.copy(DISPOSITIONS_FILE, copy)
    write_values(particles[0], path=copy)
    data = yaml.safe_load(copy.read_text())
    assert data["us"]["audience_cost"] == data["dprk"]["audience_cost"] == pytest.approx(source[0], abs=1e-3)
    calibrated_values.cache_clear()
