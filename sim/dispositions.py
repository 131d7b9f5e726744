"""Dispositions: one calibrated set of preferences and reaction strengths for every scenario.

The values live in ``sim/dispositions.yaml`` (written by the calibration, read here); a
scenario file cannot set them, a what-if can with ``--set dprk.sanctions_pain=1.5``. The schema
has one block per registered actor (``sim/actors/registry.py``); an actor the file does not
calibrate brings its own values (``Actor.default_dispositions``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from sim.actors import registry
from sim.actors.base import Actor, Record

DISPOSITIONS_FILE = Path(__file__).with_name("dispositions.yaml")


class WorldDispositions(Record):
    """Constants of the world rather than of one actor."""

    choice_temperature: float = Field(gt=0, le=1, description="logit temperature of every decision")
    discount_per_year: float = Field(gt=0, le=1, description="worth of a delivery one year later")
    china_trade_share: float = Field(ge=0, le=1, description="DPRK trade with China (about 0.9)")
    resolution_step: float = Field(ge=0, le=1, description="sanctions added by one UN resolution")
    tension_memory: float = Field(ge=0, le=1, description="monthly persistence of tension")
    tension_per_test: float = Field(ge=0, le=1)
    tension_per_long_range: float = Field(ge=0, le=1)
    tension_per_launch: float = Field(ge=0, le=1, description="per short-range launch")
    tension_from_exercises: float = Field(ge=0, le=1)
    tension_from_rhetoric: float = Field(ge=0, le=1)
    calm_from_talks: float = Field(ge=0, le=1)
    calm_from_deal: float = Field(ge=0, le=1)
    crisis_threshold: float = Field(ge=0, le=1, description="tension at which the crisis hazard is half its peak")
    crisis_peak: float = Field(ge=0, le=1, description="monthly crisis hazard at extreme tension")
    exercise_memory: float = Field(ge=0, le=1)
    patience_months: float = Field(gt=0, le=60, description="months a side takes to reach its last concession")
    cooldown_months: int = Field(ge=0, le=60, description="months after a walkout before talks can reopen")
    relationship_bonus: float = Field(ge=0, le=1, description="worth of talks reopened within a year of the last")


class Dispositions(Record):
    """The world's constants, and one block per registered actor (``dispositions_schema()``)."""

    world: WorldDispositions


def dispositions_schema() -> type[Dispositions]:
    """``Dispositions`` with a field per registered actor, holding its ``Dispositions`` record."""
    return registry.schema("Dispositions", Dispositions, _actor_fields)  # type: ignore[return-value]


def _actor_fields(classes: tuple[type[Actor], ...]) -> dict[str, tuple[type, object]]:
    return {cls.key: (cls.Dispositions, ...) for cls in classes}


@cache
def calibrated_values() -> dict[str, Any]:
    """The calibrated values as plain data (read once)."""
    with DISPOSITIONS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def with_overrides(overrides: dict[str, dict[str, Any]] | None = None) -> Dispositions:
    """The calibrated dispositions with what-if ``overrides`` (``{"dprk": {"sanctions_pain": 1}}``)."""
    data = {section: dict(values) for section, values in calibrated_values().items()}
    for key, cls in registry.actor_classes().items():
        if key not in data:
            data[key] = cls.default_dispositions()
    for section, changes in (overrides or {}).items():
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data[section].get(key), dict):
                data[section][key] = {**data[section][key], **value}
            else:
                data[section][key] = value
    return dispositions_schema().model_validate(data)
