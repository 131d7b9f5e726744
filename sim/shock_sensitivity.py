"""How much each case's observed outcomes depend on the date and size of each of its shocks.

For every case with an ``observed:`` block and every shock with an ``id``, the case is run
again with that one shock moved earlier and later (``SHIFTS`` months, skipping dates outside
the case) and, where the shock has a size (``trust_factor``, ``other_sites_rate``, ``level``),
at a smaller and a larger one (``SCALES`` times the file's, within the key's limits). Each
variant is a ``--set shocks.ID.KEY=VALUE`` what-if run with the same seed as the case as
shipped, so replica r of both shares its random numbers: each change of an outcome is a
paired difference with a 95% interval (``stats.compare_outcomes``), beside the share of
replications inside the observed band. A report, like ``fidelity``: the model never reads
``observed:``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim import calendar
from sim.fidelity import observed_cases
from sim.runner import simulate
from sim.scenario import SIZE_BOUNDS, Scenario, ScenarioSource
from sim.stats import compare_outcomes, happened

SHIFTS = (-6, -3, 3, 6)
"""Months each shock is moved by."""
SCALES = (0.5, 1.5)
"""Factors each shock's size is multiplied by (a range: both ends)."""


@dataclass(frozen=True)
class Variant:
    """One shock changed in one way, as ``--set`` what-ifs."""

    shock: str
    change: str
    value: str
    overrides: tuple[str, ...]

    @property
    def label(self) -> str:
        """``date -6 (2002-04)``, ``trust_factor x0.5 (0.15)``."""
        return f"{self.change} ({self.value})"


@dataclass
class VariantResult:
    """One variant's paired change of each observed outcome, and its share inside each band."""

    variant: Variant
    changes: dict[str, dict[str, float | None]]
    inside: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {"shock": self.variant.shock, "variant": self.variant.label, "set": list(self.variant.overrides),
                "outcomes": {name: {**self.changes[name], "share_inside": self.inside[name]} for name in self.inside}}


@dataclass
class CaseSensitivity:
    """One case: its outcomes as shipped and each variant's changes."""

    name: str
    title: str
    bands: dict[str, str]
    shipped_mean: dict[str, float]
    shipped_inside: dict[str, float]
    variants: list[VariantResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        shipped = {name: {"band": self.bands[name], "mean": _finite(self.shipped_mean[name]), "share_inside": self.shipped_inside[name]}
                   for name in self.bands}
        return {"name": self.name, "title": self.title, "shipped": shipped,
                "variants": [v.as_dict() for v in self.variants], "skipped": self.skipped}


def variants(scenario: Scenario) -> list[Variant]:
    """Each shock with an id moved by ``SHIFTS`` (within the case) and scaled by ``SCALES``, in file order."""
    found = []
    for shock in scenario.shocks:
        if not shock.id:
            continue
        for shift in SHIFTS:
            month = shock.date + shift
            if scenario.start <= month <= scenario.end:
                date = calendar.format_month(month)
                found.append(Variant(shock.id, f"date {shift:+d}", date, (f"shocks.{shock.id}.date={date}",)))
        for key, (low, high) in SIZE_BOUNDS.items():
            value = getattr(shock, key, None)
            if value is None or key not in shock.model_fields_set:  # a size the file leaves at its default is no size to vary
                continue
            for scale in SCALES:
                scaled = _scaled(value, scale, low, high)
                if scaled != value:
                    text = _text(scaled)
                    found.append(Variant(shock.id, f"{key} x{scale:g}", text, (f"shocks.{shock.id}.{key}={text}",)))
    return found


def _scaled(value: float | tuple[float, float], scale: float, low: float, high: float) -> float | tuple[float, float]:
    """``value`` (or both ends of a range) times ``scale``, within ``low`` to ``high``, to 3 decimals."""
    def one(v: float) -> float:
        return round(min(high, max(low, v * scale)), 3)
    return (one(value[0]), one(value[1])) if isinstance(value, tuple) else one(value)


def _text(value: float | tuple[float, float]) -> str:
    return f"[{value[0]:g}, {value[1]:g}]" if isinstance(value, tuple) else f"{value:g}"


def case_sensitivity(path: str | Path, replicas: int = 100, seed: int = 0,
                     overrides: tuple[str, ...] | list[str] = (), point: bool = False) -> CaseSensitivity:
    """One case as shipped (with ``overrides``) and each of its shock variants, all with ``seed``."""
    source = ScenarioSource(path)
    scenario = source.load(overrides)
    shipped = _outcomes(scenario, replicas, seed, point)
    bands = scenario.observed
    result = CaseSensitivity(scenario.name, scenario.title, {n: b.describe() for n, b in bands.items()},
                             {n: _mean(n, shipped[n], scenario.months) for n in bands},
                             {n: float(scenario.inside(n, shipped[n]).mean()) for n in bands},
                             skipped=[f"shocks.{i}" for i, s in enumerate(scenario.shocks) if not s.id])
    for variant in variants(scenario):
        moved = source.load([*overrides, *variant.overrides])
        values = _outcomes(moved, replicas, seed, point)
        changes = compare_outcomes({n: shipped[n] for n in bands}, {n: values[n] for n in bands}, scenario.months)
        inside = {n: float(moved.inside(n, values[n]).mean()) for n in bands}
        result.variants.append(VariantResult(variant, changes, inside))
    return result


def shock_sensitivity(paths: list[Path] | None = None, replicas: int = 100, seed: int = 0,
                      overrides: tuple[str, ...] | list[str] = (), point: bool = False) -> list[CaseSensitivity]:
    """``case_sensitivity`` of each case (default: every shipped case with an ``observed:`` block)."""
    return [case_sensitivity(path, replicas, seed, overrides, point) for path in (paths if paths is not None else observed_cases())]


def _outcomes(scenario: Scenario, replicas: int, seed: int, point: bool) -> dict[str, np.ndarray]:
    return simulate(scenario, replicas=replicas, seed=seed, record_events=0, record_series=False, point=point).outcomes


def _mean(name: str, values: np.ndarray, horizon: int) -> float:
    """The mean of an outcome; a ``months_to_X`` over the replications in which X happened (NaN if none)."""
    came = happened(name, values, horizon)
    return float(np.asarray(values, dtype=float)[came].mean()) if came.any() else float("nan")


def _finite(value: float) -> float | None:
    """``value``, or None for NaN (a ``months_to_X`` where X never happened): JSON has no NaN."""
    return None if np.isnan(value) else value
