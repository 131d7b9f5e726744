"""The posterior ensemble: weighted disposition sets from the calibration, one drawn per replica.

The calibration (``sim/calibration.py``, ``docs/calibration.md``) does not pick one best set of
dispositions; it keeps a few hundred, each with a weight, that together say what the record
allows. ``sim/posterior.csv`` holds them: a ``weight`` column, then one column per fitted
disposition (``world.choice_temperature``, ``dprk.sanctions_pain`` ...). A run draws one set per
replica from the model's seeded generator, so its intervals include what the model does not
know; ``--point`` runs the single set in ``sim/dispositions.yaml`` instead (the posterior's best
particle, written by the same calibration).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from sim.dispositions import catalogue
from sim.errors import UserError

ENSEMBLE_FILE = Path(__file__).with_name("posterior.csv")
SHARED = frozenset({"world.discount_per_year", "world.proof_months", "world.deterrence_scale", "world.collapse_trust",
                    "china.mediation_trust"})
"""Dispositions every replica shares: they enter weights the model computes once per policy, or
scale state held for every pair of actors at once."""


@dataclass(frozen=True)
class Ensemble:
    """Disposition sets (P, D) over the dispositions ``names``, with weights (P,) summing to 1."""

    names: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.weights)

    def draw(self, rng: np.random.Generator, replicas: int) -> np.ndarray:
        """The set each replica runs with (R,), drawn by weight from ``rng``."""
        return rng.choice(len(self), size=replicas, p=self.weights)

    def columns(self, rows: np.ndarray, without: set[str] = frozenset()) -> dict[str, np.ndarray]:
        """Each disposition's value in the sets ``rows``, by name, leaving out ``without``."""
        return {name: self.values[rows, j] for j, name in enumerate(self.names) if name not in without}

    def mean(self) -> np.ndarray:
        """The weighted mean of each disposition (D,)."""
        return self.weights @ self.values

    def quantiles(self, shares: list[float]) -> np.ndarray:
        """Each disposition's weighted quantiles (len(shares), D): the first value whose weight
        below and at it reaches each share."""
        out = np.empty((len(shares), len(self.names)))
        for j in range(len(self.names)):
            order = np.argsort(self.values[:, j], kind="stable")
            out[:, j] = self.values[order, j][np.searchsorted(np.cumsum(self.weights[order]), shares)]
        return out


def read(path: Path = ENSEMBLE_FILE) -> Ensemble:
    """The ensemble in ``path``, checked: known dispositions, each in one column, every one the
    calibration fits (and ties), finite values within their bounds, the calibration's ties and
    orderings kept in every set, and finite weights >= 0 with a finite positive sum. Blank lines
    at the end are ignored."""
    from sim import calibration  # here, not above: sim.calibration imports this module

    bounds = {entry.name: (entry.low, entry.high) for entry in catalogue()}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as problem:
        raise UserError(f"{path}: cannot read the posterior ensemble ({problem.strerror or type(problem).__name__})") from None
    while rows and not rows[-1]:  # blank lines at the end only; one between sets is still refused
        rows.pop()
    if len(rows) < 2 or not rows[0] or rows[0][0] != "weight":
        raise UserError(f"{path}:1: a posterior ensemble starts with a header line 'weight,<disposition>,...' and has one set per line")
    names = tuple(rows[0][1:])
    column_of: dict[str, int] = {}
    for column, name in enumerate(names, start=2):
        if name in column_of:
            raise UserError(f"{path}:1: {name}: named twice in the header (columns {column_of[name]} and {column})")
        column_of[name] = column
        if name not in bounds:
            raise UserError(f"{path}:1: {name}: not a behavioural disposition (see docs/dispositions.md)")
        if name in SHARED:
            raise UserError(f"{path}:1: {name}: shared by every replica, it cannot vary in an ensemble")
    ties, orderings = calibration.TIED, calibration.AT_LEAST
    needed = dict.fromkeys([*calibration.FITTED, *ties, *ties.values()])
    missing = [name for name in needed if name not in column_of]
    if missing:
        raise UserError(f"{path}:1: no column for {', '.join(missing)}: an ensemble gives every disposition the "
                        "calibration fits or ties (FITTED and TIED in sim/calibration.py)")
    table = np.empty((len(rows) - 1, len(rows[0])))
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise UserError(f"{path}:{line}: {len(row)} values for {len(rows[0])} columns")
        for j, (key, text) in enumerate(zip(rows[0], row, strict=True)):
            try:
                value = float(text)
            except ValueError:
                raise UserError(f"{path}:{line}: {key}: {text!r} is not a number") from None
            if not np.isfinite(value):
                raise UserError(f"{path}:{line}: {key}: {text!r} is not a finite number")
            low, high = bounds.get(key, (0.0, np.inf))
            if not low <= value <= high:
                raise UserError(f"{path}:{line}: {key}: {value:g} is outside its bounds {low:g} to {high:g}")
            table[line - 2, j] = value
        numbers, cells = table[line - 2], dict(zip(rows[0], row, strict=True))
        for tied, source in ties.items():
            if numbers[column_of[tied] - 1] != numbers[column_of[source] - 1]:
                raise UserError(f"{path}:{line}: {tied}: {cells[tied]} is not {source}'s {cells[source]}; the calibration "
                                "sets them equal in every set (TIED in sim/calibration.py)")
        for higher, lower in orderings.items():
            if higher in column_of and lower in column_of and numbers[column_of[higher] - 1] < numbers[column_of[lower] - 1]:
                raise UserError(f"{path}:{line}: {higher}: {cells[higher]} is below {lower}'s {cells[lower]}; the "
                                "calibration's prior keeps it at least that (AT_LEAST in sim/calibration.py)")
    weights = table[:, 0]
    with np.errstate(over="ignore"):  # told below, in one line
        total, running = weights.sum(), np.cumsum(weights)
    if not np.isfinite(total):
        past = ~np.isfinite(running)
        line = int(np.argmax(past)) + 2 if past.any() else len(weights) + 1
        raise UserError(f"{path}:{line}: weight: the weights up to this line sum past the largest float; scale them all down")
    if total <= 0:
        raise UserError(f"{path}: the weights sum to zero")
    return Ensemble(names, table[:, 1:], weights / total)


def check_per_replica(per_replica: dict[str, np.ndarray], replicas: int) -> dict[str, np.ndarray]:
    """Dispositions given per replica, checked: known, free to vary, one value per replica."""
    known = {entry.name for entry in catalogue()}
    for name, values in per_replica.items():
        if name not in known:
            raise ValueError(f"per_replica: {name!r} is not a behavioural disposition")
        if name in SHARED:
            raise ValueError(f"per_replica: {name} is shared by every replica")
        if np.shape(values) != (replicas,):
            raise ValueError(f"per_replica: {name} has shape {np.shape(values)}, not one value for each of {replicas} replicas")
    return per_replica


@cache
def shipped() -> Ensemble:
    """The ensemble the calibration wrote (``sim/posterior.csv``), read once."""
    return read(ENSEMBLE_FILE)


def chosen(point: bool) -> Ensemble | None:
    """The shipped ensemble, or ``None`` for the point (``--point``)."""
    return None if point else shipped()


def write(ensemble: Ensemble, path: Path = ENSEMBLE_FILE) -> None:
    """Save ``ensemble`` as CSV (values to 5 significant digits), the way ``read`` reads it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["weight", *ensemble.names])
        for weight, row in zip(ensemble.weights, ensemble.values, strict=True):
            out.writerow([f"{weight:.6g}", *(f"{v:.5g}" for v in row)])
    shipped.cache_clear()
