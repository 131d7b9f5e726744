"""Dispositions: one calibrated set of preferences and reaction strengths for every scenario.

The values live in ``sim/dispositions.yaml`` (written by the calibration, read here); a
scenario file cannot set them, a what-if can with ``--set dprk.sanctions_pain=1.5``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from sim.actors.base import Record
from sim.actors.china import ChinaDispositions
from sim.actors.dprk import DPRKDispositions
from sim.actors.japan import JapanDispositions
from sim.actors.south_korea import SouthKoreaDispositions
from sim.actors.united_states import USDispositions

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
    world: WorldDispositions
    us: USDispositions
    dprk: DPRKDispositions
    china: ChinaDispositions
    rok: SouthKoreaDispositions
    japan: JapanDispositions


@cache
def calibrated_values() -> dict[str, Any]:
    """The calibrated values as plain data (read once, as strictly as a scenario file, and checked)."""
    from sim.errors import UserError
    from sim.yamlfile import YAMLProblem, parse, read_text

    try:
        _, data, _ = parse(read_text(DISPOSITIONS_FILE, "dispositions file"))
    except YAMLProblem as problem:
        raise UserError(f"{DISPOSITIONS_FILE}:{problem.line or 1}: {problem}") from None
    try:
        Dispositions.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        dotted = ".".join(str(p) for p in problem["loc"])
        raise UserError(f"{DISPOSITIONS_FILE}: {dotted}: {problem['msg']}") from None
    return data


def with_overrides(overrides: dict[str, dict[str, Any]] | None = None) -> Dispositions:
    """The calibrated dispositions with what-if ``overrides`` (``{"dprk": {"sanctions_pain": 1}}``)."""
    data = {section: dict(values) for section, values in calibrated_values().items()}
    for section, changes in (overrides or {}).items():
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data[section].get(key), dict):
                data[section][key] = {**data[section][key], **value}
            else:
                data[section][key] = value
    return Dispositions.model_validate(data)
