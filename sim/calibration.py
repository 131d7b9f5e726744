"""The calibration: a posterior over the dispositions, by ABC-SMC on the observed records.

Approximate Bayesian computation with sequential Monte Carlo, in its replenishment form
(Drovandi and Pettitt 2011): a population of disposition sets (*particles*) is drawn from the
prior (uniform within each disposition's bounds, ``docs/dispositions.md``, where it keeps the
orderings of ``AT_LEAST``), each is run on every case with an ``observed:`` block, and the
population is refined generation by generation: the threshold falls to the median distance, the
particles above it are replaced by copies of those below, and the copies move by
Metropolis-Hastings steps that stay under the threshold. The distance of a particle is the
proper score the fidelity check reports: the mean over cases of the mean over bands of
(1 - share of its replications inside the band)^2.

The model runs thousands of particles at once: each particle's dispositions are the
per-replica values of a block of replicas (``DiplomacyModel(per_replica=...)``), so one model
run evaluates a whole batch. Batches are chunks of the sweep's machinery
(``sim/sweep/execute.py``): the same local worker pool or Dask cluster, the same seeding (a
chunk's seed depends on the calibration seed and the chunk's place alone), so a calibration
gives the same posterior on one worker, two, or a cluster. ``docs/calibration.md`` says why this
and not pyabc's per-particle samplers.

The result is a posterior ensemble, ``sim/posterior.csv`` (``sim/ensemble.py``), and its best
particle (``best_particle``), which ``--write`` puts into ``sim/dispositions.yaml`` as the point
that ``--point`` runs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration_settings import Settings
from sim.dispositions import DISPOSITIONS_FILE, Entry, calibrated_values, catalogue
from sim.ensemble import Ensemble
from sim.fidelity import observed_cases, proper_score
from sim.scenario import Scenario, load_scenario
from sim.sweep.execute import Chunk, Executor, InProcess, Task

FITTED: tuple[str, ...] = (
    "world.choice_temperature", "world.patience_months",
    "dprk.test_logit", "dprk.need_weight", "dprk.test_material", "dprk.launch_rate", "dprk.launch_capability",
    "dprk.launch_saturation", "dprk.push_pressure",
    "dprk.push_rebuff", "dprk.push_tension", "dprk.restraint_engagement",
    "dprk.verification_aversion", "dprk.stay_bias", "dprk.audience_cost",
    "world.defection_tolerance",
    "us.stay_bias",
    "china.consent_base",
)
"""The dispositions the calibration infers, each with a uniform prior within its bounds (and the
orderings of ``AT_LEAST``); the others keep the documented values in ``sim/dispositions.yaml``
(a point prior)."""

UNPINNED: tuple[str, ...] = (
    "dprk.push_leverage", "dprk.push_ignored", "dprk.ignored_months", "dprk.rebuff_memory", "dprk.restraint_talks",
    "dprk.restraint_deal", "dprk.sanctions_pain", "dprk.talk_benefit", "us.talk_benefit", "us.crisis_aversion",
    "world.shortfall_memory", "world.review_rate", "world.defection_decay", "world.breach_allowance", "world.deal_calm",
    "world.failure_lesson", "world.belief_memory", "china.consent_per_test",
)
"""Dispositions the six cases do not pin, so not fitted: each keeps the midpoint of its bounds.
Fitted with the others (35 in all, the calibration of 2026-12-03), each but ``breach_allowance``
(added since) kept a 5-95% posterior range wider than half its prior's, and each prior's midpoint
lay inside that range (``belief_memory`` and ``rebuff_memory`` within the wider bounds of then). A disposition
the record cannot pin, drawn from its prior in every replication, widens every prediction, the
left-out case's above all, with nothing in the record to centre it; its midpoint is the value
that assumes nothing beyond its documented bounds."""

PARAMETERS: tuple[Entry, ...] = tuple({entry.name: entry for entry in catalogue()}[name] for name in FITTED)

TIED: dict[str, str] = {"us.audience_cost": "dprk.audience_cost"}
"""Dispositions the calibration does not fit on their own but sets equal to a fitted one, in
every particle. The US's audience cost is the DPRK's: one cost to a leader of backing down in
public, whichever side (Fearon 1994). Fitted apart, only the Hanoi summit pinned the US's (its
walkout over a deal beyond its mandate); with Hanoi left out it fell to its prior's low end
(0.26-1.23, 10-90%) and the US signed there in half the runs."""


def with_tied(names: tuple[str, ...], values: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """``names`` and the columns of ``values`` (..., D) with each tied disposition appended, a copy
    of the column it is tied to."""
    tied = [(name, names.index(source)) for name, source in TIED.items() if source in names and name not in names]
    columns = [values[..., j] for _, j in tied]
    return (*names, *(name for name, _ in tied)), np.concatenate([values, np.stack(columns, axis=-1)], axis=-1) if tied else values

AT_LEAST: dict[str, str] = {"dprk.verification_aversion": "dprk.sanctions_pain"}
"""Orderings in the prior: each disposition is at least the one it names in every particle (the
prior's density is zero elsewhere). The DPRK's cost of verification beyond its limit is at least
its pain from sanctions, from a record outside the six cases: in 1993 it refused the IAEA's
special inspections of two undeclared sites (Board resolution GOV/2636, 1993-02-25), announced
its withdrawal from the NPT (1993-03-12) and was found in non-compliance and referred to the
Security Council (1993-04-01) rather than accept them: about half a unit of verification beyond
what it accepted (a freeze monitored, not undeclared sites) against about half of full sanctions
pressure (the measures a referral could bring, short of the 2016-2017 resolutions). Both halves
are judgments, and a smaller share of full pressure would give a weaker ordering. It was added
after the leave-one-out validation showed that only the six-party case informs the aversion (left
out, that case met it at its prior), so that case's left-out score no longer tests it out of
sample. With the pain from sanctions not fitted (``UNPINNED``), the ordering is a floor on the
aversion at the pain's value in ``dispositions.yaml``, the midpoint of its bounds."""


def within_prior(names: tuple[str, ...], values: np.ndarray) -> np.ndarray:
    """Whether each row of ``values`` (N, D) over ``names`` keeps the prior's orderings
    (``AT_LEAST``); a tied disposition follows its source, and one neither fitted nor tied keeps
    its value in ``dispositions.yaml``."""
    names, values = with_tied(names, values)
    point = calibrated_values()

    def column(name: str) -> np.ndarray:
        if name in names:
            return values[:, names.index(name)]
        section, key = name.split(".")
        return np.full(len(values), float(point[section][key]))

    ok = np.ones(len(values), dtype=bool)
    for higher, lower in AT_LEAST.items():
        ok &= column(higher) >= column(lower)
    return ok


PRIOR_ROUNDS = 100
"""Rounds of uniform draws ``draw_prior`` makes before it calls the orderings impossible to meet."""


def draw_prior(rng: np.random.Generator, parameters: tuple[Entry, ...], count: int) -> np.ndarray:
    """``count`` draws (count, D) from the prior: uniform within each disposition's bounds, kept
    where they respect its orderings (``AT_LEAST``)."""
    names = tuple(p.name for p in parameters)
    low, high = np.array([p.low for p in parameters]), np.array([p.high for p in parameters])
    kept, total = [], 0
    for _ in range(PRIOR_ROUNDS):
        batch = low + (high - low) * rng.random((count, len(parameters)))
        kept.append(batch[within_prior(names, batch)])
        total += len(kept[-1])
        if total >= count:
            return np.concatenate(kept)[:count]
    raise ValueError(f"the prior's orderings ({', '.join(f'{a} >= {b}' for a, b in AT_LEAST.items())}) leave almost no "
                     f"room within the bounds: {total} of {count} draws kept in {PRIOR_ROUNDS} rounds")


TARGET_ACCEPTANCE = 0.2
"""The random walk's scale adapts toward this share of accepted moves (about Roberts, Gelman and
Gilks's 0.234), halving at most each generation: near the end few long steps stay under the
threshold, and a walk that never moves leaves copies of the same particle."""
RIDGE = 1e-6
"""Added to the random walk's variances: where every particle kept shares one value of a
disposition (copies of one particle), the walk still has a direction to move in, if only a short one."""
CHUNK_REPLICAS = 6000
"""Replicas per chunk of a batch (particles times replications): large enough that the model's
per-month work in Python is shared by many replicas (a particle cost about a quarter less in
chunks of 4,000 to 11,000 than of 2,000), small enough to keep two workers busy."""


@dataclass
class Generation:
    threshold: float
    accepted: int
    proposed: int
    """Moves proposed (generation 0: prior draws)."""
    measured: int
    """Particle runs in all: the moves measured (not those the prior's orderings or its ratio
    rejected) and the population measured again."""
    seconds: float


@dataclass
class Posterior:
    """The result: particles (P, D) over ``names`` with weights (P,) and their distances."""

    names: tuple[str, ...]
    particles: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    generations: list[Generation] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def simulations(self) -> int:
        return sum(g.measured for g in self.generations)

    def ensemble(self) -> Ensemble:
        names, values = with_tied(self.names, self.particles)
        return Ensemble(names, values, self.weights / self.weights.sum())

    def mean(self) -> np.ndarray:
        return self.weights @ self.particles / self.weights.sum()


# ---------------------------------------------------------------- the distance to the record


class Distance:
    """Runs batches of particles on the observed cases and scores each against its records."""

    def __init__(self, paths: Sequence[Path], settings: Settings, seed: int, executor: Executor | None = None,
                 parameters: tuple[Entry, ...] = PARAMETERS) -> None:
        self.scenarios: list[Scenario] = [load_scenario(p) for p in paths]
        if not self.scenarios:
            raise ValueError("no case to calibrate on")
        self.settings, self.seed, self.parameters = settings, seed, parameters
        self.executor = executor or InProcess()
        self.batches = 0

    def __call__(self, particles: np.ndarray) -> np.ndarray:
        """The distance (N,) of each particle (N, D): mean over cases of mean over bands of (1 - share inside)^2."""
        reps = self.settings.replicas
        names, values = with_tied(tuple(p.name for p in self.parameters), particles)
        per_replica = {name: np.repeat(values[:, j], reps) for j, name in enumerate(names)}
        total, step = len(particles) * reps, max(CHUNK_REPLICAS // reps, 1) * reps  # a chunk holds whole particles
        tasks, slots = [], {}
        for case, scenario in enumerate(self.scenarios):
            for first in range(0, total, step):
                size = min(step, total - first)
                seed = np.random.SeedSequence(self.seed, spawn_key=(self.batches, case, first)).generate_state(1)[0]
                chunk = Chunk(len(tasks), case, first, size)
                slots[chunk.index] = (case, first, size)
                tasks.append(Task(chunk, scenario, int(seed), {k: v[first:first + size] for k, v in per_replica.items()}))
        missed = np.zeros((len(self.scenarios), len(particles)))
        for chunk, outcomes in self.executor.run(tasks, tag="calibration"):
            case, first, size = slots[chunk.index]
            inside = np.stack([self.scenarios[case].inside(name, outcomes[name]) for name in self.scenarios[case].observed])
            share = inside.reshape(len(inside), size // reps, reps).mean(axis=2)  # (bands, particles in the chunk)
            missed[case, first // reps:(first + size) // reps] = proper_score(share)
        self.batches += 1
        return missed.mean(axis=0)


# ---------------------------------------------------------------- ABC-SMC


def abc_smc(distance: Distance, settings: Settings, seed: int,
            progress: Callable[[str], None] | None = None) -> Posterior:
    """The posterior population, by replenishment ABC-SMC (Drovandi and Pettitt 2011).

    Generation 0 draws ``prior_draws * population`` particles from the prior and keeps the
    best ``population``. Each later generation measures every particle again (a particle's
    distance is a noisy estimate: a lucky one would otherwise stick), lowers the threshold to the
    median of those distances (never above the last threshold), drops the particles above it,
    resamples as many from those below, and moves each resampled
    particle by a few Metropolis-Hastings steps that target the prior restricted to distances
    under the threshold (a Gaussian random walk on the logit scale with Roberts, Gelman and
    Gilks's 2.38^2 / D times the kept particles' variances, scaled toward ``TARGET_ACCEPTANCE``;
    a proposal the prior's ratio rejects is rejected before the model runs, Picchini 2014),
    as many steps as it takes for most to move once at the last generation's acceptance rate. The population stays equally
    weighted. It stops after ``generations`` or when fewer than ``min_acceptance`` of the moves
    are accepted. Every draw comes from one generator seeded by ``seed``."""
    began = time.perf_counter()
    say = progress or (lambda _message: None)
    rng = np.random.default_rng(seed)
    params = distance.parameters
    low, high = np.array([p.low for p in params]), np.array([p.high for p in params])
    n, dims = settings.population, len(params)

    start = time.perf_counter()
    names = tuple(p.name for p in params)
    drawn = draw_prior(rng, params, settings.prior_draws * n)
    d = np.concatenate([distance(drawn[i:i + settings.batch]) for i in range(0, len(drawn), settings.batch)])
    best = np.argsort(d, kind="stable")[:n]
    z, d = _to_logit(drawn[best], low, high), d[best]
    history = [Generation(float(d.max()), n, len(drawn), len(drawn), time.perf_counter() - start)]
    say(f"generation 0: threshold {d.max():.4f}, the best {n} of {len(drawn)} prior draws, {history[-1].seconds:.0f} s")

    moves, scale = 3, 1.0
    for t in range(1, settings.generations + 1):
        start = time.perf_counter()
        # every particle measured afresh (a distance is a noisy estimate: a lucky draw must not
        # stick), then the threshold falls to the median, and those above it are replaced
        d = distance(_from_logit(z, low, high))
        threshold = min(float(np.median(d)), history[-1].threshold)
        keep = np.flatnonzero(d <= threshold)
        dropped = n - len(keep)
        if len(keep) < 2:
            say(f"generation {t}: fewer than two particles under {threshold:.4f} when measured again; stopping")
            break
        walk = walk_covariance(z[keep]) * scale * 2.38**2 / dims + RIDGE * np.eye(dims)
        parents = rng.choice(keep, size=dropped)
        moving, moving_d = z[parents].copy(), d[parents].copy()
        accepted = proposed = measured = 0
        for _ in range(moves):
            for first in range(0, dropped, settings.batch):
                rows = slice(first, min(first + settings.batch, dropped))
                here = moving[rows]
                proposal = here + rng.multivariate_normal(np.zeros(dims), walk, size=len(here), method="cholesky")
                values = _from_logit(proposal, low, high)
                # early rejection (Picchini 2014): the acceptance draw comes before the model runs,
                # so a proposal the prior's ratio rejects, or one outside its orderings, is never measured
                log_ratio = _log_prior_logit(proposal) - _log_prior_logit(here)
                allowed = within_prior(names, values) & (np.log(rng.random(len(here))) < log_ratio)
                d_new = np.full(len(here), np.inf)
                if allowed.any():
                    d_new[allowed] = distance(values[allowed])
                measured += int(allowed.sum())
                ok = d_new <= threshold
                moving[rows] = np.where(ok[:, None], proposal, here)
                moving_d[rows] = np.where(ok, d_new, moving_d[rows])
                accepted += int(ok.sum())
                proposed += len(here)
        z, d = np.concatenate([z[keep], moving]), np.concatenate([d[keep], moving_d])
        rate = accepted / max(proposed, 1)
        history.append(Generation(threshold, accepted, proposed, measured + n, time.perf_counter() - start))
        say(f"generation {t}: threshold {threshold:.4f}, {moves} moves, {rate:.0%} of {proposed} accepted, {history[-1].seconds:.0f} s")
        if rate < settings.min_acceptance:
            break
        moves = int(np.clip(np.ceil(np.log(0.01) / np.log1p(-min(rate, 0.99))), 1, settings.max_moves))
        scale *= float(np.clip(rate / TARGET_ACCEPTANCE, 0.5, 2.0))  # bolder steps when most pass, shorter when few do
    particles = _from_logit(z, low, high)
    return Posterior(tuple(p.name for p in params), particles, np.full(n, 1.0 / n), d, history, time.perf_counter() - began)


def walk_covariance(z: np.ndarray) -> np.ndarray:
    """The shape of the random walk's steps (D, D) from the particles kept (N, D) on the logit
    scale: their variances, and no correlations. Under a distance blind to the particles, a walk
    with the kept particles' correlations in 18 dimensions drew the population toward the middle of
    the ranges (more the fewer particles: about 100 kept, as in the tests, or 300, as in the
    calibration's population of 600); a covariance as noisy but estimated from
    an independent draw of the prior did not, so the pull came from the walk's dependence on the
    population it moves, which its correlations carry most of."""
    return np.diag(np.var(z, axis=0, ddof=1))


EDGE = 1e-6
"""How close to a bound a particle may come on the logit scale (a share of the range)."""


def _to_logit(values: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Dispositions within their bounds as logits of their place in the range: the random walk
    moves there, so every proposal stays within the bounds (a uniform prior's support)."""
    unit = np.clip((values - low) / (high - low), EDGE, 1.0 - EDGE)
    return np.log(unit) - np.log1p(-unit)


def _from_logit(z: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return low + (high - low) / (1.0 + np.exp(-z))


def _log_prior_logit(z: np.ndarray) -> np.ndarray:
    """The uniform prior's log density on the logit scale (the logistic density, per dimension)."""
    return -(np.logaddexp(0.0, z) + np.logaddexp(0.0, -z)).sum(axis=1)


def best_particle(posterior: Posterior, paths: Sequence[Path], seed: int, executor: Executor | None = None,
                  candidates: int = 20, replicas: int = 50) -> np.ndarray:
    """The point ``--point`` runs: of the ``candidates`` particles nearest the record, the one
    whose distance, measured again with ``replicas`` replications per case, is lowest. (The
    posterior mean of a spread-out posterior need not fit at all.)"""
    order = np.argsort(posterior.distances, kind="stable")[:candidates]
    again = Distance(paths, Settings(replicas=replicas), seed + 1, executor)(posterior.particles[order])
    return posterior.particles[order[int(np.argmin(again))]]


def case_name(text: str) -> str:
    """A case as the user named it (``hanoi_2019`` or ``scenarios/hanoi_2019.yaml``) by its name."""
    return Path(text).stem if text.endswith(".yaml") else text


def cases(leave_out: str | None = None, flag: str = "--leave-out") -> list[Path]:
    """The observed cases, without the one named ``leave_out`` (its name, ``hanoi_2019``, or its file,
    ``scenarios/hanoi_2019.yaml``); ``flag`` is the option that named it, for the message."""
    paths = observed_cases()
    if leave_out is None:
        return paths
    kept = [p for p in paths if p.stem != case_name(leave_out)]
    if len(kept) == len(paths):
        from sim.errors import UserError

        raise UserError(f"{flag} {leave_out}: no such case; cases are: {', '.join(p.stem for p in paths)}")
    return kept


def calibrate(paths: Sequence[Path], settings: Settings | None = None, seed: int = 0, executor: Executor | None = None,
              progress: Callable[[str], None] | None = None) -> Posterior:
    """ABC-SMC on the cases ``paths``."""
    settings = settings or Settings()
    return abc_smc(Distance(paths, settings, seed, executor), settings, seed, progress)


# ---------------------------------------------------------------- the point and writing back


def current_vector(parameters: tuple[Entry, ...] = PARAMETERS) -> np.ndarray:
    """The values in ``dispositions.yaml`` now, in the order of ``parameters``."""
    values = calibrated_values()
    return np.array([float(values[p.path[0]][p.path[1]]) for p in parameters])


def overrides_for(vector: np.ndarray, parameters: tuple[Entry, ...] = PARAMETERS) -> dict[str, dict[str, Any]]:
    """The vector as what-if overrides (``{"dprk": {"test_logit": -7.0}}``)."""
    out: dict[str, dict[str, Any]] = {}
    for p, value in zip(parameters, vector, strict=True):
        out.setdefault(p.path[0], {})[p.path[1]] = float(value)
    return out


_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_][A-Za-z_0-9]*):(?P<space>\s*)(?P<value>[^#\s][^#]*?)?(?P<comment>\s*#.*)?$")


def write_values(vector: np.ndarray, parameters: tuple[Entry, ...] = PARAMETERS,
                 path: Path = DISPOSITIONS_FILE) -> None:
    """Write values into ``dispositions.yaml`` line by line, keeping comments and order."""
    names, values = with_tied(tuple(p.name for p in parameters), np.asarray(vector, dtype=float))
    targets = {tuple(name.split(".")): float(v) for name, v in zip(names, values, strict=True)}
    lines = path.read_text(encoding="utf-8").splitlines()
    stack: list[tuple[int, str]] = []
    written = set()
    for n, line in enumerate(lines):
        match = _LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        indent = len(match.group("indent"))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key_path = (*(k for _, k in stack), match.group("key"))
        if match.group("value") is None:
            stack.append((indent, match.group("key")))
            continue
        if key_path in targets:
            comment = match.group("comment") or ""
            lines[n] = f"{match.group('indent')}{match.group('key')}: {_number(targets[key_path])}{comment}"
            written.add(key_path)
    missing = set(targets) - written
    if missing:
        raise KeyError(f"not in {path.name}: {', '.join('.'.join(m) for m in sorted(missing))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    calibrated_values.cache_clear()


def _number(value: float) -> str:
    return f"{value:.4g}"
