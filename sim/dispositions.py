"""Dispositions: one calibrated set of preferences and reaction strengths for every scenario.

The values live in ``sim/dispositions.yaml`` (written by the calibration, read here); a
scenario file cannot set them, a what-if can with ``--set dprk.sanctions_pain=1.5``. The schema
has one block per registered actor (``sim/actors/registry.py``); an actor the file does not
calibrate brings its own values (``Actor.default_dispositions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from sim.actors import registry
from sim.actors.base import Actor, Record, disposition

DISPOSITIONS_FILE = Path(__file__).with_name("dispositions.yaml")


class WorldDispositions(Record):
    """Constants of the world rather than of one actor."""

    choice_temperature: float = disposition(0.1, 1, "logit temperature of every negotiating decision (talk, accept, walk out, keep)",
                                            "McKelvey and Palfrey (1995) quantal response; the floor keeps decisions stochastic")
    discount_per_year: float = disposition(0.5, 1, "worth of a delivery one year later", "DESIGN.md: the commitment problem")
    china_trade_share: float = disposition(0, 1, "share of DPRK trade that is with China", "history/cases.md: about nine tenths")
    resolution_step: float = disposition(0, 1, "sanctions added by one UN resolution", "history/cases.md: five resolutions 2016-2017")
    tension_memory: float = disposition(0, 1, "monthly persistence of tension", "DESIGN.md phase 6")
    tension_per_test: float = disposition(0, 1, "tension from a nuclear test", "DESIGN.md phase 6")
    tension_per_long_range: float = disposition(0, 1, "tension from a long-range launch", "DESIGN.md phase 6")
    tension_per_launch: float = disposition(0, 1, "tension from one short-range launch", "DESIGN.md phase 6")
    tension_from_exercises: float = disposition(0, 1, "monthly tension from joint exercises at full scale", "DESIGN.md phase 6")
    tension_from_rhetoric: float = disposition(0, 1, "monthly tension from hostile rhetoric at full hostility", "DESIGN.md phase 6")
    calm_from_talks: float = disposition(0, 1, "monthly tension removed while talks go on", "DESIGN.md phase 6")
    calm_from_deal: float = disposition(0, 1, "monthly tension removed while a deal is in force", "DESIGN.md phase 6")
    crisis_threshold: float = disposition(0, 1, "tension at which the crisis hazard is half its peak", "DESIGN.md phase 6")
    crisis_peak: float = disposition(0, 1, "monthly crisis hazard at extreme tension", "DESIGN.md phase 6")
    crisis_width: float = disposition(0.01, 0.5, "spread of tension over which the crisis hazard rises", "DESIGN.md phase 6")
    exercise_memory: float = disposition(0, 1, "monthly persistence of exercises raised after a provocation", "DESIGN.md phase 3")
    deterrence_scale: float = disposition(1, 100, "warheads at which the deterrent is about two thirds of its full worth",
                                          "a handful of deliverable weapons deter; dozens saturate (seed article 000)")
    deal_calm: float = disposition(0, 1, "share of the tension a deal in force takes away, as both sides value it",
                                   "Fearon (1995): a settlement spares the costs of conflict")
    patience_months: float = disposition(2, 60, "months a side takes to reach its last concession", "Faratin et al. (1998) deadlines")
    summit_patience: float = disposition(0.1, 1, "a summit's deadline as a share of bilateral rounds'",
                                         "history/cases.md 5: Hanoi lasted two days")
    six_party_patience: float = disposition(1, 3, "six-party rounds' deadline as a multiple of bilateral rounds'",
                                            "history/cases.md 2: rounds stretched over months")
    relationship_bonus: float = disposition(0, 1, "worth of talks reopened within a year of the last", "history/cases.md 4-5")
    belief_temperature: float = disposition(0.05, 2, "each side's uncertainty about what the other will accept",
                                            "Fearon (1995): private information about resolve")
    failure_lesson: float = disposition(0, 5, "pessimism (log-odds of the other accepting) learnt from one walkout or collapse",
                                        "a Bayesian shift of a logit belief; history/cases.md: no talks for years after 2008-12")
    belief_memory: float = disposition(0.9, 1, "monthly persistence of that pessimism",
                                       "history/cases.md 2, 5, 6: no talks for years after 2008-12; after Hanoi one "
                                       "round (2019-10), none in 2021-2022: a half-life of at least half a year")
    change_resets: float = disposition(0, 1, "pessimism forgotten when either side changes policy (new leaders, a new offer)",
                                       "history/cases.md: talks reopened under new administrations (2007, 2018)")
    pressure_news: float = disposition(0, 20, "pessimism forgotten per unit of change in sanctions pressure since the failure",
                                       "Fearon (1995): new costs change what a side will accept")
    shortfall_memory: float = disposition(0, 1, "monthly persistence of a side's recent shortfall as the other sees it, "
                                          "and of its own loss from keeping a deal",
                                          "DESIGN.md phase 5")
    defection_decay: float = disposition(0, 1, "monthly decay of a side's own reasons for leaving a deal", "DESIGN.md phase 5")
    breach_allowance: float = disposition(0, 0.4, "monthly surprise in the other's deliveries that builds no case for leaving (noise)",
                                          "Page (1954): the reference value of a cumulative-sum test, half the change it is to find")
    unseen_weight: float = disposition(0, 1, "share of a DPRK shortfall seen without inspectors",
                                       "DESIGN.md: verification makes compliance observable")
    defection_tolerance: float = disposition(0.1, 10, "a side's case for leaving a deal past which it withdraws at its next review",
                                             "DESIGN.md phase 5")
    walkout_gap: float = disposition(0, 2, "deficit of the best offer a side tolerates at its deadline before walking out",
                                     "Hanoi 2019: the US walked out with no zone of agreement (history/cases.md 5)")
    review_rate: float = disposition(0.05, 1, "monthly chance that a government reviews a deal it has a case for leaving",
                                     "history/cases.md: the DPRK quit the talks four months after they failed (2008-12 to 2009-04)")
    proof_months: float = disposition(1, 12, "months a continuing step (a freeze, inspections) is kept before what waits on it starts",
                                      "DESIGN.md: sequencing (disarm-first waits for proof); history/cases.md 5")
    collapse_trust: float = disposition(0, 1, "share of trust left after a deal collapses",
                                        "history/cases.md 1-2: trust after 2002 and 2008")


class Dispositions(Record):
    """The world's constants, and one block per registered actor (``dispositions_schema()``)."""

    world: WorldDispositions


def dispositions_schema() -> type[Dispositions]:
    """``Dispositions`` with a field per registered actor, holding its ``Dispositions`` record."""
    return registry.schema("Dispositions", Dispositions, _actor_fields)  # type: ignore[return-value]


def _actor_fields(classes: tuple[type[Actor], ...]) -> dict[str, tuple[type, object]]:
    return {cls.key: (cls.Dispositions, ...) for cls in classes}


@dataclass(frozen=True)
class Entry:
    """One behavioural disposition: where it lives and what bounds its prior."""

    path: tuple[str, ...]
    low: float
    high: float
    description: str
    source: str

    @property
    def name(self) -> str:
        return ".".join(self.path)


def catalogue() -> list[Entry]:
    """Every behavioural disposition (not an item's value or cost), with its bounds and source."""
    out = []
    for section, info in dispositions_schema().model_fields.items():
        for key, field in info.annotation.model_fields.items():
            extra = field.json_schema_extra
            if isinstance(extra, dict) and "source" in extra:
                out.append(Entry((section, key), float(extra["low"]), float(extra["high"]), field.description or "", str(extra["source"])))
    return out


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
        complete = {key: cls.default_dispositions() for key, cls in registry.actor_classes().items() if key not in (data or {})}
        dispositions_schema().model_validate({**complete, **(data or {})})
    except ValidationError as error:
        problem = error.errors()[0]
        dotted = ".".join(str(p) for p in problem["loc"])
        raise UserError(f"{DISPOSITIONS_FILE}: {dotted}: {problem['msg']}") from None
    return data


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


class Drawn:
    """An actor's (or the world's) dispositions as the model reads them: each field a number
    shared by every replica, or an array over replicas where the run draws it per replica
    from the posterior ensemble (``sim/ensemble.py``).

    Like the rest of the state, a decision valued for a few replicas reads them for those
    few: ``on(world)`` gives the view for the replicas a ``WorldState.rows`` view holds."""

    def __init__(self, record: Record, per_replica: dict[str, np.ndarray] | None = None) -> None:
        self.record = record
        self.per_replica = per_replica or {}
        self.__dict__.update({name: getattr(record, name) for name in type(record).model_fields})
        self.__dict__.update(self.per_replica)
        self._last_view: tuple[Any, Drawn] | None = None

    def on(self, world: Any) -> Drawn:
        """This view for the replicas ``world`` holds (itself when it holds them all)."""
        if world.index is None or not self.per_replica:
            return self
        if self._last_view is not None and self._last_view[0] is world:  # a view is read many times over
            return self._last_view[1]
        view = Drawn(self.record, {name: values[world.index] for name, values in self.per_replica.items()})
        self._last_view = (world, view)
        return view

    def vector(self, table: dict[str, float]) -> np.ndarray:
        return self.record.vector(table)  # type: ignore[attr-defined]

    def model_copy(self, update: dict[str, Any]) -> Drawn:
        """A copy with some fields changed for every replica (a test's or a what-if's)."""
        return Drawn(self.record.model_copy(update=update), {k: v for k, v in self.per_replica.items() if k not in update})


def by_package(value: float | np.ndarray) -> np.ndarray:
    """A disposition (a number, or an array over replicas) shaped to scale a table (R, K) of
    packages: the same for every package, per replica where it is drawn per replica."""
    return np.asarray(value, dtype=float)[..., None]


def drawn(dispositions: Dispositions, per_replica: dict[str, np.ndarray] | None = None) -> dict[str, Drawn]:
    """Each section's ``Drawn`` view; ``per_replica`` maps dotted names to arrays over replicas."""
    by_section: dict[str, dict[str, np.ndarray]] = {}
    for name, values in (per_replica or {}).items():
        section, key = name.split(".")
        by_section.setdefault(section, {})[key] = values
    return {section: Drawn(getattr(dispositions, section), by_section.get(section))
            for section in type(dispositions).model_fields}


def markdown_table() -> str:
    """The catalogue as the Markdown page ``docs/dispositions.md`` (generated; a test keeps it current)."""
    values = calibrated_values()
    lines = [
        "# Dispositions",
        "",
        "Every behavioural number of the model, with its calibrated value, the bounds of its prior",
        "range (the calibration's prior also orders some pairs: `calibration.AT_LEAST`, in",
        "[calibration.md](calibration.md)), what it means and where it comes from. Generated from `sim/dispositions.py` and",
        "`sim/dispositions.yaml` by `python -m sim.dispositions > docs/dispositions.md`; a test fails",
        "if this page and the code disagree. Items' values and costs (what each side puts on each",
        "concession) are in `sim/dispositions.yaml` beside these.",
        "",
        "| disposition | value | bounds | meaning | source |",
        "|---|---|---|---|---|",
    ]
    for entry in catalogue():
        value = values[entry.path[0]][entry.path[1]]
        lines.append(f"| `{entry.name}` | {value:g} | {entry.low:g} to {entry.high:g} | {entry.description} | {entry.source} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
