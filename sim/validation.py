"""Out-of-sample validation: each case scored by a calibration that never saw it.

Leave one case out: calibrate on the other cases (``sim/calibration.py``, the same settings
and seed as the shipped calibration), run the left-out case with that posterior ensemble, and
score it against its record: pass or fail as ``fidelity`` does, the proper score (mean over
bands of (1 - share inside)^2) and the log score of its yes/no outcomes. Beside it, the same
case scored in sample (by the shipped ensemble, fitted on every case). Fit is not truth: the
left-out column is the one that says how far the model carries.

Each fold also names the dispositions the left-out case alone teaches: those whose 5-95%
posterior range, fitted on every case, is under half as wide as without the case, or does not
overlap it. A case that alone pins a mechanism cannot be predicted by the others: what the fold
draws for that disposition is close to its prior. Some cases teach a mechanism only jointly (no
one range narrows by half); for a case that fails left out, ``restored_by`` names, one at a time
and greedily, the dispositions that, taken from the posterior fitted on every case, lower its
score most.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.calibration import PARAMETERS, TIED, Settings, calibrate, cases
from sim.ensemble import Ensemble, shipped, write
from sim.fidelity import CaseFit, fidelity, observed_cases
from sim.sweep.execute import Executor


@dataclass
class Fold:
    """One case: its fit in sample and when left out of the calibration."""

    case: str
    in_sample: CaseFit
    left_out: CaseFit
    seconds: float
    taught: dict[str, dict[str, list[float]]]
    """The dispositions this case alone pins: their 5-95% range fitted on every case (``with``)
    and without this case (``without``)."""
    restored: list[dict] = field(default_factory=list)
    """For a case that fails left out, ``restored_by``: each disposition taken from the posterior
    on every case in turn, with the case's score and pass after it."""

    def as_dict(self) -> dict:
        return {"case": self.case, "seconds": round(self.seconds, 1),
                "in_sample": {"pass": self.in_sample.passed, "score": self.in_sample.score, "log_score": self.in_sample.log_score},
                "left_out": {"pass": self.left_out.passed, "score": self.left_out.score, "log_score": self.left_out.log_score,
                             "share_inside": {b.outcome: b.share_inside for b in self.left_out.bands}},
                "taught": self.taught, "restored_by": self.restored}


def taught_alone(everything: Ensemble, without: Ensemble) -> dict[str, dict[str, list[float]]]:
    """The fitted dispositions whose 5-95% range on every case is under half as wide as without
    one case, or does not overlap it: what that case alone teaches."""
    ranges = {"with": everything.quantiles([0.05, 0.95]), "without": without.quantiles([0.05, 0.95])}
    out = {}
    for entry in PARAMETERS:
        if entry.name not in everything.names or entry.name not in without.names:
            continue
        lo, hi = ranges["with"][:, everything.names.index(entry.name)]
        lo_out, hi_out = ranges["without"][:, without.names.index(entry.name)]
        if (hi - lo) < 0.5 * (hi_out - lo_out) or hi < lo_out or hi_out < lo:
            out[entry.name] = {"with": [float(lo), float(hi)], "without": [float(lo_out), float(hi_out)]}
    return out


TAUGHT_MEANS = ("its 5-95% posterior range on every case under half as wide as without the case, or apart from it; "
                "left out, the case meets it near its prior")
"""What ``taught_alone`` names, in words (for the command's output and the generated docs)."""
RESTORED_MEANS = ("each in turn the disposition that, drawn from the posterior on every case instead of the fold's, "
                  "lowers the left-out case's score most; up to five, until it passes or none lowers it")
"""What ``restored_by`` names, in words (for the command's output and the generated docs)."""


def restored_by(case: Path, everything: Ensemble, without: Ensemble, replicas: int = 300, seed: int = 0, steps: int = 5,
                candidates: tuple[str, ...] | None = None, left_out: CaseFit | None = None) -> list[dict]:
    """What a case that fails left out needs from itself: greedily, the fitted disposition whose
    values drawn from ``everything`` (the posterior on every case) instead of ``without`` (the
    fold's) lowers the case's score most, then the next beside it, up to ``steps`` or until the case
    passes, stopping when no disposition lowers the score. Each fold row takes one whole row of
    ``everything`` (drawn by weight from a generator seeded by ``seed``), so the dispositions taken
    keep their joint posterior. ``left_out``, the case already scored with ``without`` at the same
    ``replicas`` and ``seed``, saves scoring it again. Each step: ``{"disposition", "score", "pass"}``."""
    offered = candidates if candidates is not None else [entry.name for entry in PARAMETERS]
    names = [n for n in offered if n in everything.names and n in without.names and n not in TIED]  # a tie follows its source
    drawn = Ensemble(everything.names, everything.values[everything.draw(np.random.default_rng(seed), len(without))],
                     without.weights)

    def score(taken: list[str]) -> CaseFit:
        return fidelity([case], replicas=replicas, seed=seed, ensemble=taking(without, drawn, taken))[0]

    taken, steps_taken, best = [], [], left_out or score([])
    while len(taken) < steps and not best.passed:
        trials = {name: score([*taken, name]) for name in names if name not in taken}
        name = min(trials, key=lambda n: trials[n].score, default=None)
        if name is None or trials[name].score >= best.score:
            break
        taken.append(name)
        best = trials[name]
        steps_taken.append({"disposition": name, "score": best.score, "pass": best.passed})
    return steps_taken


def taking(without: Ensemble, drawn: Ensemble, names: list[str]) -> Ensemble:
    """``without`` with the columns ``names`` (and any disposition tied to one of them,
    ``calibration.TIED``) taken from ``drawn``, row for row."""
    values = without.values.copy()
    for name in names:
        if name in without.names and name in drawn.names:
            values[:, without.names.index(name)] = drawn.values[:, drawn.names.index(name)]
            for tied in (tied for tied, source in TIED.items() if source == name and tied in without.names):
                values[:, without.names.index(tied)] = drawn.values[:, drawn.names.index(name)]
    return Ensemble(without.names, values, without.weights)


def describe_restored(restored: list[dict], quote: str = "") -> str:
    """``restored_by`` in words: the dispositions in turn, with the score after each, and whether
    the case still fails after the last."""
    if not restored:
        return "none lowers its score"
    steps = ", then ".join(f"{quote}{step['disposition']}{quote} (score {step['score']:.3f}"
                           f"{', passes' if step['pass'] else ''})" for step in restored)
    return steps + ("" if restored[-1]["pass"] else "; it still fails")


def describe_taught(taught: dict[str, dict[str, list[float]]], quote: str = "") -> str:
    """One fold's ``taught`` in words: each disposition (between ``quote`` marks) with its range on
    every case and without the case."""
    return "; ".join(f"{quote}{name}{quote} ({r['with'][0]:.3g} to {r['with'][1]:.3g} with it, "
                     f"{r['without'][0]:.3g} to {r['without'][1]:.3g} without)" for name, r in taught.items())


def cross_validate(settings: Settings | None = None, seed: int = 0, replicas: int = 300, executor: Executor | None = None,
                   only: list[str] | None = None, progress: Callable[[str], None] | None = None,
                   save_to: Path | None = None) -> list[Fold]:
    """Leave each case out in turn (or those named in ``only``); with ``save_to``, each fold's
    posterior ensemble is written there as ``CASE.csv`` (``fidelity --ensemble`` reads it)."""
    import time

    say = progress or (lambda _message: None)
    settings = settings or Settings()
    in_sample = {fit.name: fit for fit in fidelity(replicas=replicas, seed=seed)}
    everything = shipped()
    if save_to is not None:
        save_to.mkdir(parents=True, exist_ok=True)
    folds = []
    for path in observed_cases():
        if only and path.stem not in only:
            continue
        began = time.perf_counter()
        say(f"leaving out {path.stem}")
        posterior = calibrate(cases(path.stem), settings, seed, executor, progress=lambda m: say(f"  {m}"))
        without = posterior.ensemble()
        if save_to is not None:
            write(without, save_to / f"{path.stem}.csv")
        fit = fidelity([path], replicas=replicas, seed=seed, ensemble=without)[0]
        taught = taught_alone(everything, without)
        restored = [] if fit.passed else restored_by(path, everything, without, replicas, seed, left_out=fit)
        folds.append(Fold(path.stem, in_sample[fit.name], fit, time.perf_counter() - began, taught, restored))
        say(f"{path.stem}: {'passes' if fit.passed else 'fails'} left out, score {fit.score:.3f}")
    return folds


def summary(folds: list[Fold]) -> dict:
    """How many cases pass and the mean scores, in sample and left out."""
    def mean(values: list) -> float | None:
        kept = [v for v in values if v is not None]
        return float(np.mean(kept)) if kept else None

    return {
        "cases": len(folds),
        "in_sample": {"passed": sum(f.in_sample.passed for f in folds), "score": mean([f.in_sample.score for f in folds]),
                      "log_score": mean([f.in_sample.log_score for f in folds])},
        "left_out": {"passed": sum(f.left_out.passed for f in folds), "score": mean([f.left_out.score for f in folds]),
                     "log_score": mean([f.left_out.log_score for f in folds])},
    }
