"""Fidelity: every case with an ``observed:`` block against the record it comes from.

For each case and each observed band (``history/cases.md``), the share of replications whose
outcome falls inside the band, with the model's median and 10-90% interval. A case passes
when every band holds in at least half of the replications and the modal agreement and
collapse outcomes match the record where the case has such a band (issue 3). Only this
check reads ``observed:``; the model never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.ensemble import Ensemble
from sim.runner import simulate
from sim.scenario import Band, Scenario, load_scenario
from sim.stats import summarize_outcomes

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
PASS_SHARE = 0.5
"""A band must hold in at least this share of replications."""
MODAL = ("agreement_signed", "collapsed")
"""Binary outcomes whose modal value must match the record."""


@dataclass
class BandFit:
    """One observable of one case: the band and what the model gave."""

    outcome: str
    band: Band
    share_inside: float
    median: float | None
    p10: float | None
    p90: float | None
    mean: float | None
    happened: float | None = None
    """For a ``months_to_X``: the share of replications in which X happened, over which the
    median, percentiles and mean are taken (``None`` where it never did)."""

    def as_dict(self) -> dict[str, Any]:
        out = {"band": self.band.describe(), "share_inside": self.share_inside, "median": self.median,
               "p10": self.p10, "p90": self.p90, "mean": self.mean}
        return out if self.happened is None else {**out, "happened": self.happened}


@dataclass
class CaseFit:
    """One case: its bands and whether it passes."""

    name: str
    title: str
    replicas: int = 0
    bands: list[BandFit] = field(default_factory=list)
    modal_ok: dict[str, bool] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(b.share_inside >= PASS_SHARE for b in self.bands) and all(self.modal_ok.values())

    @property
    def score(self) -> float:
        """The proper score of the record under the model: mean over bands of (1 - share inside)^2
        (0 when every replication falls inside every band; a coin flip's is 0.25)."""
        return float(proper_score(np.array([b.share_inside for b in self.bands]))) if self.bands else float("nan")

    @property
    def log_score(self) -> float | None:
        """Mean over the yes/no bands of -log P(what happened), in nats (log 2 = 0.69 is a coin
        flip's), the share smoothed as (k + 1/2) / (n + 1) so a share of 0 stays finite."""
        binary = [b for b in self.bands if b.band.equals is not None]
        if not binary:
            return None
        n = max(self.replicas, 1)
        return float(np.mean([-np.log((b.share_inside * n + 0.5) / (n + 1)) for b in binary]))

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "pass": self.passed, "score": self.score, "log_score": self.log_score,
                "modal_ok": self.modal_ok, "observables": {b.outcome: b.as_dict() for b in self.bands}}


def observed_cases(directory: str | Path = SCENARIO_DIR) -> list[Path]:
    """Every scenario file in ``directory`` that has an ``observed:`` block, by name."""
    paths = []
    for path in sorted(Path(directory).glob("*.yaml")):
        scenario = load_scenario(path) if _mentions_observed(path) else None
        if scenario is not None and scenario.observed:
            paths.append(path)
    return paths


def _mentions_observed(path: Path) -> bool:
    return any(line.startswith("observed:") for line in path.read_text(encoding="utf-8").splitlines())


def proper_score(shares: np.ndarray) -> np.ndarray:
    """Mean over bands (the first axis) of (1 - share of replications inside)^2: a case's score,
    and the calibration's distance of each particle (``shares`` (bands, particles))."""
    return ((1.0 - shares) ** 2).mean(axis=0)


def fit_case(scenario: Scenario, outcomes: dict[str, np.ndarray]) -> CaseFit:
    """Score one case's outcomes (arrays over replications) against its bands."""
    fit = CaseFit(scenario.name, scenario.title, len(next(iter(outcomes.values()))))
    for name, band in scenario.observed.items():
        values = outcomes[name]
        s = summarize_outcomes({name: values}, scenario.months)[name]
        fit.bands.append(BandFit(name, band, float(scenario.inside(name, values).mean()), s["median"], s["p10"], s["p90"], s["mean"],
                                 s.get("happened")))
        if name in MODAL and band.equals is not None:
            share_true = float(np.asarray(outcomes[name], dtype=bool).mean())
            fit.modal_ok[name] = (share_true > 0.5) == bool(band.equals)
    return fit


def fidelity(paths: list[Path] | None = None, replicas: int = 300, seed: int = 0,
             overrides: tuple[str, ...] | list[str] = (), point: bool = False, ensemble: Ensemble | None = None) -> list[CaseFit]:
    """Run each case (the same ``seed`` for each) and score it against its record: with the
    posterior ensemble (``ensemble``, by default the shipped one), or the point (``point``)."""
    fits = []
    for path in paths if paths is not None else observed_cases():
        scenario = load_scenario(path, overrides)
        run = simulate(scenario, replicas=replicas, seed=seed, record_events=0, record_series=False, point=point, ensemble=ensemble)
        fits.append(fit_case(scenario, run.outcomes))
    return fits
