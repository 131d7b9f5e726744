"""One calibration for every case: the shared dispositions fitted to all observed records.

A documented subset of ``sim/dispositions.yaml`` (``PARAMETERS``: preferences, reaction
strengths, trust dynamics, provocation rates) is fitted against every case with an
``observed:`` block together; no case has values of its own. The objective is the mean over
cases of

    mean over bands of (1 - share inside)  +  2 * mean over bands of max(0, 0.6 - share inside)
    +  1 for each wrong modal agreement or collapse outcome,

so a band that holds in most replications costs little, a band about to fail costs more, and
a deal signed where history has none (or none where it has one) costs most. Each case runs
with its own fixed seed (common random numbers), so the objective is a deterministic function
of the parameters. The optimiser is a seeded random search inside the bounds followed by a
shrinking coordinate search, all draws from one ``numpy`` generator seeded by the caller.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.dispositions import DISPOSITIONS_FILE, Entry, calibrated_values, catalogue
from sim.fidelity import CaseFit, fit_case, observed_cases
from sim.model import DiplomacyModel
from sim.scenario import Scenario, load_scenario

MARGIN_SHARE = 0.6
"""Bands below this share of replications inside cost extra: a fit should pass with room."""
MODAL_PENALTY = 1.0


Parameter = Entry
"""One fitted disposition: where it lives in ``dispositions.yaml`` (``("dprk", "test_logit")`` or
``("us", "values", "test_moratorium")``), its bounds, what it is and its source."""


FITTED: tuple[str, ...] = (
    "world.choice_temperature", "world.patience_months", "world.failure_lesson", "world.belief_memory", "world.deal_calm",
    "dprk.test_logit", "dprk.need_weight", "dprk.test_material", "dprk.launch_rate", "dprk.launch_capability",
    "dprk.launch_saturation", "dprk.push_ignored", "dprk.ignored_months", "dprk.push_pressure", "dprk.push_leverage",
    "dprk.push_rebuff", "dprk.rebuff_memory", "dprk.push_exercises", "dprk.push_tension", "dprk.restraint_engagement",
    "dprk.restraint_talks", "dprk.restraint_deal", "dprk.verification_aversion", "dprk.stay_bias", "dprk.audience_cost",
    "world.defection_tolerance", "world.review_rate", "dprk.sanctions_pain",
    "us.crisis_aversion", "us.stay_bias", "us.talk_benefit", "dprk.talk_benefit",
    "china.consent_base", "china.consent_per_test",
)
"""The dispositions the calibration fits, each within its prior bounds (``sim.dispositions.catalogue``)."""


def _fitted_parameters() -> tuple[Parameter, ...]:
    entries = {entry.name: entry for entry in catalogue()}
    items = (Parameter(("us", "values", "test_moratorium"), 0.05, 0.5, "US worth of a test moratorium",
                       "history/cases.md 4: the 2018 test halt was the US's first demand at Singapore"),)
    return tuple(entries[n] for n in FITTED) + items


PARAMETERS: tuple[Parameter, ...] = _fitted_parameters()


def current_vector(parameters: tuple[Parameter, ...] = PARAMETERS) -> np.ndarray:
    """The values in ``dispositions.yaml`` now, in the order of ``parameters``."""
    values = calibrated_values()
    out = []
    for p in parameters:
        node: Any = values
        for part in p.path:
            node = node[part]
        out.append(float(node))
    return np.array(out)


def overrides_for(vector: np.ndarray, parameters: tuple[Parameter, ...] = PARAMETERS) -> dict[str, dict[str, Any]]:
    """The vector as what-if overrides (``{"dprk": {"test_logit": -7.0}}``)."""
    out: dict[str, dict[str, Any]] = {}
    for p, value in zip(parameters, vector, strict=True):
        node = out.setdefault(p.path[0], {})
        for part in p.path[1:-1]:
            node = node.setdefault(part, {})
        node[p.path[-1]] = float(value)
    return out


class Objective:
    """The calibration objective over a fixed set of cases, replications and seeds."""

    def __init__(self, paths: list[Path] | None = None, replicas: int = 150, seed: int = 0,
                 parameters: tuple[Parameter, ...] = PARAMETERS) -> None:
        self.scenarios: list[Scenario] = [load_scenario(p) for p in (paths if paths is not None else observed_cases())]
        self.replicas, self.seed, self.parameters = replicas, seed, parameters
        self.evaluations = 0

    def fits(self, vector: np.ndarray) -> list[CaseFit]:
        overrides = overrides_for(np.asarray(vector, dtype=float), self.parameters)
        out = []
        for index, scenario in enumerate(self.scenarios):
            case = scenario.model_copy(update={"dispositions": overrides})
            model = DiplomacyModel(case, replicas=self.replicas, rng=self.seed + index, record_events=0, record_series=False)
            out.append(fit_case(scenario, model.run().outcomes()))
        self.evaluations += 1
        return out

    def __call__(self, vector: np.ndarray) -> float:
        return score(self.fits(vector))


def score(fits: list[CaseFit]) -> float:
    """The objective for the given case fits (lower is better; 0 is every band always held)."""
    total = 0.0
    for fit in fits:
        shares = np.array([b.share_inside for b in fit.bands])
        total += float((1.0 - shares).mean() + 2.0 * np.maximum(0.0, MARGIN_SHARE - shares).mean())
        total += MODAL_PENALTY * sum(not ok for ok in fit.modal_ok.values())
    return total / max(len(fits), 1)


@dataclass
class Result:
    start: np.ndarray
    start_objective: float
    best: np.ndarray
    best_objective: float
    evaluations: int
    seconds: float


def calibrate(objective: Objective, samples: int = 80, rounds: int = 3, seed: int = 0,
              start: np.ndarray | None = None, progress: Callable[[str], None] | None = None) -> Result:
    """Seeded random search in a box around the start, then a shrinking coordinate search.

    Never returns anything worse than the start: the start is the first point evaluated."""
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    params = objective.parameters
    low = np.array([p.low for p in params])
    high = np.array([p.high for p in params])
    x0 = np.clip(current_vector(params) if start is None else np.asarray(start, dtype=float), low, high)
    f0 = objective(x0)
    best, fbest = x0.copy(), f0
    say = progress or (lambda _message: None)
    say(f"start: objective {f0:.4f}")
    width = 0.25 * (high - low)
    for i in range(samples):
        candidate = np.clip(best + rng.normal(0.0, 1.0, len(best)) * width * rng.random(len(best)), low, high)
        value = objective(candidate)
        if value < fbest:
            best, fbest = candidate, value
            say(f"sample {i + 1}: objective {fbest:.4f}")
    step = 0.15 * (high - low)
    for r in range(rounds):
        for j in rng.permutation(len(best)):
            for sign in (1.0, -1.0):
                candidate = best.copy()
                candidate[j] = np.clip(candidate[j] + sign * step[j], low[j], high[j])
                if candidate[j] == best[j]:
                    continue
                value = objective(candidate)
                if value < fbest:
                    best, fbest = candidate, value
                    say(f"round {r + 1}, {params[j].name}: objective {fbest:.4f}")
                    break
        step = step / 2.0
    return Result(x0, f0, best, fbest, objective.evaluations, time.perf_counter() - began)


# ---------------------------------------------------------------- writing back

_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_][A-Za-z_0-9]*):(?P<space>\s*)(?P<value>[^#\s][^#]*?)?(?P<comment>\s*#.*)?$")


def write_values(vector: np.ndarray, parameters: tuple[Parameter, ...] = PARAMETERS,
                 path: Path = DISPOSITIONS_FILE) -> None:
    """Write fitted values into ``dispositions.yaml`` line by line, keeping comments and order."""
    targets = {p.path: float(v) for p, v in zip(parameters, vector, strict=True)}
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
