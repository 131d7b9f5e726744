"""Scenario files: the schema, the loader, and ``--set`` what-ifs.

A case file extends a base file (``extends: base.yaml``), sets the start state, each actor's
policy and scheduled exogenous shocks, and an ``observed:`` block that only the checks read.
Every error names the file, the line and the key path (and the nearest valid key), in one
line; a problem a ``--set`` causes names the ``--set``. YAML is read by ``sim.yamlfile``
(``yaml.SafeLoader``, bounded, no repeated keys, finite numbers only); ``extends:`` reads
only files within the scenario's own folder tree.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError, ValidationInfo, field_validator, model_validator

from sim import calendar, outcomes
from sim.actors import registry
from sim.actors.base import Actor, Record
from sim.dispositions import WorldDispositions, with_overrides
from sim.errors import UserError, printable
from sim.item_rules import item_problems
from sim.stats import happened
from sim.yamlfile import YAMLProblem, parse, parse_scalar, read_text


def _registered(key: str) -> str:
    if key not in registry.actor_keys():
        raise ValueError(f"Input should be {_choices(registry.actor_keys())}")
    return key


def _choices(keys: typing.Sequence[str]) -> str:
    quoted = [repr(k) for k in keys]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


Month = Annotated[int, BeforeValidator(calendar.parse_month)]
ActorKey = Annotated[str, AfterValidator(_registered)]
"""The key of a registered actor."""
MAX_MONTHS = 600


class ScenarioError(UserError):
    """A problem with a scenario or a what-if, told in one line."""


class WhatIfError(ScenarioError):
    """A problem with a ``--set`` what-if: ``override`` is the ``--set`` text (or several joined
    by `` --set ``), ``problem`` what is wrong with it. Reads ``--set OVERRIDE: PROBLEM``."""

    def __init__(self, override: str, problem: str) -> None:
        super().__init__(f"--set {override}: {problem}")
        self.override = override
        self.problem = problem


@dataclass(frozen=True)
class SetBy:
    """Where a key's value came from when a ``--set`` gave it (in place of a file and line)."""

    override: str


class At(ValueError):
    """A validator's complaint about one key below the record it checks (``("end",)``), so the
    message names that key and its line rather than the record's."""

    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(message)
        self.loc = loc


class StartState(Record):
    """The world when the scenario opens (``history/cases.md``, "Start state")."""

    material: float = Field(ge=0, le=500, description="fissile material, in warheads' worth")
    warheads: float = Field(ge=0, le=500, description="assembled warheads")
    yongbyon_running: bool = Field(description="Yongbyon reactor and plants operating")
    inspected: bool = Field(False, description="IAEA inspectors present")
    yongbyon_rate: float = Field(ge=0, le=50, description="warheads' worth a year while Yongbyon runs")
    other_sites_rate: float = Field(0.0, ge=0, le=50, description="warheads' worth a year from sites outside Yongbyon")
    assembly_rate: float = Field(6.0, ge=0, le=50, description="warheads assembled a year at most")
    tests_done: int = Field(0, ge=0, le=20, description="nuclear tests before the start")
    months_since_test: int = Field(0, ge=0, le=600, description="months since the last nuclear test (600: never)")
    missile_maturity: float = Field(0.2, ge=0, le=1, description="0: untested long-range missiles; 1: proven")
    months_since_long_range: int = Field(0, ge=0, le=600, description="months since the last long-range launch")
    launches_last_year: int = Field(0, ge=0, le=200, description="ballistic launches in the year before the start")
    months_since_talks: int = Field(0, ge=0, le=600, description="months since the last talks or deal in force")
    un_sanctions: float = Field(0.0, ge=0, le=1, description="UN sanctions in force (0: none, 1: all of 2017's)")
    rivalry: float = Field(0.2, ge=0, le=1, description="US-China rivalry")
    tension: float = Field(0.3, ge=0, le=1, description="tension on the peninsula (0 calm, 1 brink of war)")
    trust: dict[str, float] = Field(default_factory=dict, description="'dprk_us': the DPRK's trust in the US")

    @model_validator(mode="after")
    def _check(self) -> StartState:
        if self.warheads > self.material:
            raise At(("warheads",), f"warheads cannot exceed material ({self.warheads:g} > {self.material:g})")
        for pair, value in self.trust.items():
            parts = pair.split("_")
            if len(parts) != 2 or not all(p in registry.actor_keys() for p in parts) or parts[0] == parts[1]:
                raise At(("trust", pair), f"trust key {pair!r} must be 'truster_trusted', e.g. 'dprk_us'")
            if not 0.0 <= value <= 1.0:
                raise At(("trust", pair), f"trust {pair} = {value} must be between 0 and 1")
        return self


def _policy(key: str) -> type[Record]:
    return registry.actor_classes()[key].Policy


class Actors(Record):
    """Each registered actor's policy record, one field per actor (``actors_schema()``)."""

    @model_validator(mode="after")
    def _check_items(self) -> Actors:
        for key in registry.actor_keys():
            for loc, message in item_problems(key, getattr(self, key)):
                raise At((key, *loc), message)
        return self


def actors_schema() -> type[Actors]:
    """``Actors`` with a field per registered actor, holding its ``Policy`` record."""
    return registry.schema("Actors", Actors, _policy_fields)  # type: ignore[return-value]


def _policy_fields(classes: tuple[type[Actor], ...]) -> dict[str, tuple[type, object]]:
    return {cls.key: (cls.Policy, ...) for cls in classes}


MAX_WINDOW = 120
"""A shock's date is uncertain by at most this many months either way."""
WINDOW_HELP = "months either side of date: the month is drawn per replica, uniformly, within the case's span"
POLICY_IS_SHARED = (
    "a policy is held by the actor once for all replicas (actor.set_policy), so it cannot change in "
    "different months, or to different values, in different replicas; give one date and one value, "
    "and compare dates with --set shocks.ID.date=YYYY-MM or fidelity --shock-sensitivity"
)
"""Why a policy shock has no window and no range."""
SIZE_BOUNDS: dict[str, tuple[float, float]] = {"trust_factor": (0.0, 2.0), "other_sites_rate": (0.0, 50.0), "level": (0.0, 1.0)}
"""Shock magnitudes that may be a range ``[low, high]``, drawn per replica, and their limits."""
UNCERTAIN_SIZES = tuple(SIZE_BOUNDS)


def _is_range(value: Any) -> bool:
    """Two numbers, ``[low, high]``."""
    numbers = isinstance(value, list | tuple) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    return numbers and len(value) == 2


def Amount(low: float, high: float) -> Any:  # noqa: N802 - a type factory, read as a type
    """A shock's magnitude from ``low`` to ``high``: one number, or a range ``[a, b]`` (a tuple once
    read) from which each replica draws its own, uniformly."""

    def check(value: Any) -> float | tuple[float, float]:
        if isinstance(value, list | tuple):
            if not _is_range(value):
                raise ValueError(f"a range is two numbers [low, high], got {list(value)!r}")
            a, b = (float(v) for v in value)
            if a > b:
                raise ValueError(f"range [{a:g}, {b:g}]: low is above high")
            for v in (a, b):
                if not low <= v <= high:
                    raise ValueError(f"range [{a:g}, {b:g}]: {v:g} is outside {low:g} to {high:g}")
            return (a, b)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("expected a number or a range [low, high]")
        if not low <= value <= high:
            raise ValueError(f"must be from {low:g} to {high:g}")
        return float(value)

    return Annotated[Union[float, tuple[float, float]], BeforeValidator(check)]


class PolicyShock(Record):
    """A new policy for one actor: a change of administration, a new stance, a new patron."""

    kind: Literal["policy"]
    id: str = Field("", description="a name for what-ifs: --set shocks.ID=off removes the shock")
    date: Month
    window: int | None = Field(None, description="not allowed on a policy shock (see POLICY_IS_SHARED)")
    actor: ActorKey
    set: dict[str, Any]
    note: str = ""
    source: str = ""

    @field_validator("window")
    @classmethod
    def _no_window(cls, window: int | None) -> int | None:
        if window is not None:
            raise ValueError(f"a policy shock cannot have a window: {POLICY_IS_SHARED}")
        return window

    @field_validator("set")
    @classmethod
    def _check_keys(cls, changes: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        actor = info.data.get("actor")
        if actor is None:
            return changes
        policy = _policy(actor)
        for key in changes:
            if key not in policy.model_fields:
                raise At((key,), f"{actor} has no policy key {key!r}{_hint(key, policy.model_fields)}")
            if _is_range(changes[key]) and policy.model_fields[key].annotation in (float, int):
                raise At((key,), f"a policy shock takes one value, not a range: {POLICY_IS_SHARED}")
        try:
            changed = policy.model_validate({**policy().model_dump(), **changes})
        except ValidationError as error:
            problem = error.errors()[0]
            raise At(tuple(problem["loc"]), problem["msg"].removeprefix("Value error, ")) from None
        for loc, message in item_problems(actor, changed):
            if loc[0] in changes:
                raise At(loc, message)
        return changes


class IntelligenceShock(Record):
    """An intelligence finding: one actor's trust in another changes, and what it reveals of
    the DPRK's programme (enrichment outside Yongbyon) becomes known."""

    kind: Literal["intelligence"]
    id: str = Field("", description="a name for what-ifs: --set shocks.ID=off removes the shock")
    date: Month
    window: int = Field(0, ge=0, le=MAX_WINDOW, description=WINDOW_HELP)
    actor: ActorKey
    toward: ActorKey
    trust_factor: Amount(*SIZE_BOUNDS["trust_factor"]) = Field(
        1.0, description="trust is multiplied by this at once (or a range [low, high]); by default trust follows what the finding shows",
    )
    other_sites_rate: Amount(*SIZE_BOUNDS["other_sites_rate"]) | None = Field(
        None, description="revealed enrichment outside Yongbyon, warheads' worth a year (or a range)",
    )
    note: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> IntelligenceShock:
        if self.toward == self.actor:
            raise At(("toward",), f"an actor's trust in itself does not change; give another actor than {self.actor!r}")
        if self.trust_factor == 1.0 and self.other_sites_rate is None:
            raise At(("trust_factor",), "this finding changes nothing: give trust_factor (other than 1) or other_sites_rate")
        return self


class RivalryShock(Record):
    """A change in US-China rivalry (THAAD, the "war drive" of seed article 000)."""

    kind: Literal["rivalry"]
    id: str = Field("", description="a name for what-ifs: --set shocks.ID=off removes the shock")
    date: Month
    window: int = Field(0, ge=0, le=MAX_WINDOW, description=WINDOW_HELP)
    level: Amount(*SIZE_BOUNDS["level"]) = Field(description="the rivalry it moves to (or a range [low, high])")
    note: str = ""
    source: str = ""


Shock = Annotated[Union[PolicyShock, IntelligenceShock, RivalryShock], Field(discriminator="kind")]


def is_uncertain(shock: PolicyShock | IntelligenceShock | RivalryShock) -> bool:
    """Whether ``shock`` has a window or a range, so each replica draws its date or size."""
    return bool(getattr(shock, "window", 0)) or any(isinstance(getattr(shock, key, None), tuple) for key in UNCERTAIN_SIZES)


def possible_months(shock: PolicyShock | IntelligenceShock | RivalryShock, start: int, end: int) -> range:
    """The months ``shock`` may fall in: its date give or take its window, within ``start`` to ``end``."""
    window = getattr(shock, "window", None) or 0
    return range(max(start, shock.date - window), min(end, shock.date + window) + 1)


class Band(Record):
    """An observed outcome band from ``history/cases.md``; only the checks read it."""

    min: float | None = None
    max: float | None = None
    equals: bool | None = None
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> Band:
        if self.equals is None and self.min is None and self.max is None:
            raise ValueError("a band needs min, max or equals")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    def contains(self, values: np.ndarray) -> np.ndarray:
        """Which of ``values`` fall inside the band."""
        values = np.asarray(values, dtype=float)
        inside = np.ones(values.shape, dtype=bool)
        if self.equals is not None:
            inside &= values == float(self.equals)
        if self.min is not None:
            inside &= values >= self.min
        if self.max is not None:
            inside &= values <= self.max
        return inside

    def describe(self) -> str:
        if self.equals is not None:
            return "yes" if self.equals else "no"
        low = "" if self.min is None else f"{self.min:g}"
        high = "" if self.max is None else f"{self.max:g}"
        return f"[{low}, {high}]"


def _check_band_can_hold(name: str, band: Band, months: int) -> None:
    """A band the outcome can never fall in would fail every run for a reason that is no model's:
    a yes/no outcome takes ``equals``, a count or a duration takes ``min``/``max`` within what it can be."""
    where = ("observed", name)
    if name in outcomes.BINARY and band.equals is None:
        raise At(where, f"{name} is yes or no: give equals: true or equals: false, not min or max")
    if name not in outcomes.BINARY and band.equals is not None:
        raise At(where, f"{name} is a number: give min and/or max, not equals")
    if band.max is not None and band.max < 0:
        raise At(where, f"max {band.max:g} is below 0: no run can fall in the band")
    if name.startswith("months_to_") and band.min is not None and band.min > months:
        raise At(where, f"min {band.min:g} is beyond the horizon ({months} months): no run can fall in the band")


class Counterfactual(Record):
    """A documented what-if: ``--set`` changes and the direction theory expects."""

    name: str
    question: str
    set: list[str]
    expect: dict[str, Literal["up", "down"]]
    why: str = ""


class Scenario(Record):
    """A case. Its ``actors`` block follows the registered actors: validate with
    ``scenario_schema()`` (``load_scenario`` does)."""

    extends: str | None = None
    name: str = ""
    title: str
    period: str = ""
    summary: str = ""
    sources: list[str] = Field(default_factory=list)
    start: Month
    end: Month
    state: StartState
    actors: Actors
    shocks: list[Shock] = Field(default_factory=list)
    observed: dict[str, Band] = Field(default_factory=dict)
    counterfactuals: list[Counterfactual] = Field(default_factory=list)
    history: list[str] = Field(default_factory=list, description="what happened, for the classroom")
    dispositions: dict[str, dict[str, Any]] = Field(default_factory=dict, description="what-if changes only")

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        if self.end <= self.start:
            raise At(("end",), f"end {calendar.format_month(self.end)} must be after start {calendar.format_month(self.start)}")
        if self.end - self.start > MAX_MONTHS:
            raise At(("end",), f"the horizon is longer than {MAX_MONTHS} months")
        first, last = calendar.year_of(self.start), calendar.year_of(self.end)
        known = outcomes.outcome_names(first, last)
        ids = [shock.id for shock in self.shocks]
        for index, shock_id in enumerate(ids):
            if shock_id and shock_id in ids[:index]:
                raise At(("shocks", index, "id"), f"shock id {shock_id!r} is repeated (also shocks.{ids.index(shock_id)})")
        for name, band in self.observed.items():
            if name not in known:
                raise At(("observed", name), f"observed outcome {name!r} is unknown{_hint(name, known)}")
            _check_band_can_hold(name, band, self.months)
        return self

    @property
    def months(self) -> int:
        return self.end - self.start + 1

    def inside(self, outcome: str, values: np.ndarray) -> np.ndarray:
        """Which replications' ``outcome`` falls inside its observed band. A ``months_to_X`` holds only
        where X happened within the horizon: a run in which it never came (``horizon + 1``) is inside
        no band of its month, whatever the band's bounds."""
        return self.observed[outcome].contains(values) & happened(outcome, values, self.months)


def scenario_schema() -> type[Scenario]:
    """``Scenario`` with ``actors`` holding a policy for each registered actor."""
    return registry.schema("Scenario", Scenario, _actors_field)  # type: ignore[return-value]


def _actors_field(classes: tuple[type[Actor], ...]) -> dict[str, tuple[type, object]]:
    return {"actors": (actors_schema(), ...)}


def _hint(key: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ---------------------------------------------------------------- loading


def load_scenario(path: str | Path, overrides: typing.Sequence[str] = ()) -> Scenario:
    """Read, merge with its base, apply ``--set`` what-ifs, and validate a scenario file."""
    return ScenarioSource(path).load(overrides)


class ScenarioSource:
    """A scenario file read once, from which many what-ifs are built (a sweep's points).

    ``ScenarioSource(path).load(overrides)`` is exactly ``load_scenario(path, overrides)``
    without reading and parsing the YAML files again. The file alone (with its counterfactuals'
    what-ifs) is validated on the first load, so a later problem is the ``--set``'s own.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._data, self._lines = _read_with_base(self.path, seen=(), root=self.path.resolve().parent)
        self._data.pop("extends", None)
        self._base: Scenario | None = None

    def load(self, overrides: typing.Sequence[str] = ()) -> Scenario:
        if self._base is None:
            self._base = _build(self.path, copy.deepcopy(self._data), dict(self._lines), ())
            _check_counterfactuals(self._base, self.path, self._data, self._lines)
        if not overrides:
            return self._base.model_copy(deep=True)
        try:
            return _build(self.path, copy.deepcopy(self._data), dict(self._lines), overrides)
        except WhatIfError:
            raise
        except ScenarioError as error:
            raise _blame_set(error, overrides) from None


def _blame_set(error: ScenarioError, overrides: typing.Sequence[str]) -> WhatIfError:
    """A problem in the file that only appears with ``--set`` (a shock moved out of the horizon by
    a changed end): blamed on the ``--set``, without the file's line."""
    return WhatIfError(printable(" --set ".join(overrides)), _without_place(str(error)))


def _without_place(message: str) -> str:
    """A message without its leading ``file:line: ``."""
    return re.sub(r"^.*?:\d+: ", "", message, count=1)


def _check_counterfactuals(scenario: Scenario, path: Path, data: dict, lines: dict) -> None:
    """Each documented what-if's ``set:`` strings, validated together as ``--set`` would be."""
    for index, counterfactual in enumerate(scenario.counterfactuals):
        try:
            _build(path, copy.deepcopy(data), dict(lines), counterfactual.set)
        except ScenarioError as error:
            loc: tuple = ("counterfactuals", index, "set")
            message = _without_place(str(error))
            if isinstance(error, WhatIfError):
                message = str(error)
                for position, text in enumerate(counterfactual.set):
                    if error.override in (text, printable(text), text.partition("=")[0].strip()):
                        loc, message = (*loc, position), f"{text}: {error.problem}"
                        break
            where = _where(loc, lines, path)
            dotted = ".".join(str(p) for p in loc)
            raise ScenarioError(f"{where[0]}:{where[1]}: {dotted}: {message}") from None


def _build(path: Path, data: dict, lines: dict, overrides: typing.Sequence[str]) -> Scenario:
    for arg in overrides:
        _apply_override(data, lines, arg)
    try:
        scenario = scenario_schema().model_validate(data)
    except ValidationError as error:
        raise _explain(error, lines, path) from None
    try:
        with_overrides(scenario.dispositions)
    except ValidationError as error:
        raise _explain(error, lines, path, prefix=("dispositions",)) from None
    scenario.name = scenario.name or path.stem
    for index, shock in enumerate(scenario.shocks):
        if not scenario.start <= shock.date <= scenario.end:
            where = lines.get(("shocks", index, "date"), (path, 0))
            problem = (f"{calendar.format_month(shock.date)} is outside the horizon "
                       f"{calendar.format_month(scenario.start)} to {calendar.format_month(scenario.end)}")
            if isinstance(where[0], SetBy):
                raise WhatIfError(where[0].override, problem)
            raise ScenarioError(f"{where[0]}:{where[1]}: shocks.{index}.date: {problem}")
    return scenario


def _read_with_base(path: Path, seen: tuple[Path, ...], root: Path) -> tuple[dict, dict]:
    """The file's data merged over its base, and the (file, line) of every key path."""
    if path.resolve() in seen:
        raise ScenarioError(f"{path}: 'extends' loops back to itself")
    text = read_text(path, "scenario file", ScenarioError)
    try:
        _, data, key_lines = parse(text)
    except YAMLProblem as problem:
        raise ScenarioError(f"{path}:{problem.line or 1}: {problem}") from None
    if data is None:
        raise ScenarioError(f"{path}: the file is empty")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}:1: a scenario must be a mapping of keys, not {type(data).__name__}")
    lines = {key: (path, line) for key, line in key_lines.items()}
    if "dispositions" in data:
        raise ScenarioError(
            f"{path}:{key_lines.get(('dispositions',), 1)}: dispositions: dispositions are calibrated once for all cases; "
            "change one for a what-if with --set, e.g. --set dprk.sanctions_pain=1.5"
        )
    base_name = data.get("extends")
    if base_name is None:
        return data, lines
    line = key_lines[("extends",)]
    if not isinstance(base_name, str) or not base_name.strip():
        raise ScenarioError(f"{path}:{line}: extends: expected a file name")
    base_path = path.parent / base_name
    if Path(base_name).is_absolute() or not base_path.resolve().is_relative_to(root):
        raise ScenarioError(f"{path}:{line}: extends: {base_name!r} is outside the scenario's folder {root}; "
                            "a base file must be in the same folder or below it")
    if not base_path.is_file():
        raise ScenarioError(f"{path}:{line}: extends: no base file {base_name!r} beside this file")
    base, base_lines = _read_with_base(base_path, (*seen, path.resolve()), root)
    return _merge(base, data), {**base_lines, **lines}


def _merge(base: dict, case: dict) -> dict:
    """Case values over base values; mappings merge key by key, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in case.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _explain(error: ValidationError, lines: dict, path: Path, prefix: tuple = ()) -> str:
    """One line for the first problem pydantic found: where, which key, what is wrong."""
    problem = error.errors()[0]
    raised = (problem.get("ctx") or {}).get("error")
    loc = _data_path((*prefix, *problem["loc"], *(raised.loc if isinstance(raised, At) else ())))
    where = _where(loc, lines, path)
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    message = problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        valid = _valid_keys(loc[:-1])
        message = f"unknown key{_hint(str(loc[-1]), valid)}"
    elif problem["type"] == "missing":
        message = "missing required key"
    if "input" in problem and problem["type"] not in ("extra_forbidden", "missing") and not isinstance(problem["input"], dict):
        message += f" (got {problem['input']!r})"
    if isinstance(where[0], SetBy):
        return WhatIfError(where[0].override, message)
    return ScenarioError(f"{where[0]}:{where[1]}: {dotted}: {message}")


def _data_path(loc: tuple) -> tuple:
    """Drop the union tags pydantic adds for discriminated shocks (``shocks.0.policy.actor``)."""
    if len(loc) > 2 and loc[0] == "shocks" and loc[2] in ("policy", "intelligence", "rivalry"):
        return (*loc[:2], *loc[3:])
    return loc


def _where(loc: tuple, lines: dict, path: Path) -> tuple[Path | str | SetBy, int]:
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return (path, 1)


def _valid_keys(loc: tuple) -> list[str]:
    """Field names of the record at ``loc`` in the scenario schema."""
    model: Any = scenario_schema()
    for part in loc:
        model = _child_type(model, part)
        if model is None:
            return []
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _child_type(model: Any, part: Any) -> Any:
    if isinstance(model, type) and issubclass(model, BaseModel):
        field = model.model_fields.get(str(part))
        return None if field is None else _unwrap(field.annotation)
    origin = typing.get_origin(model)
    if origin in (list, tuple):
        return _unwrap(typing.get_args(model)[0])
    if origin is dict:
        return _unwrap(typing.get_args(model)[1])
    return None


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


# ---------------------------------------------------------------- what-ifs

_OVERRIDE = re.compile(r"^(?P<path>[a-z_]+(\.[a-z_0-9]+)+)=(?P<value>.*)$")


def parse_value(text: str) -> Any:
    """A ``--set`` value: YAML scalars and lists (``0.5``, ``1e3``, ``none``, ``[a, b]``, ``a,b``).

    Raises ``ValueError`` for a value YAML reads but the model cannot take (``.nan``, ``1e400``)."""
    value = parse_scalar(text) if text.strip() else ""
    if isinstance(value, str) and "," in value:
        value = [part.strip() for part in value.split(",") if part.strip()]
    return value


def override_target(dotted: str) -> tuple[str, ...]:
    """Where ``actor.key`` lives in the scenario data: a policy key, a disposition, or the state."""
    head, *rest = dotted.split(".")
    if head == "state":
        if rest[0] not in StartState.model_fields:
            raise WhatIfError(dotted, f"the start state has no key {rest[0]!r}{_hint(rest[0], StartState.model_fields)}")
        return ("state", *rest)
    if head == "world":
        if rest[0] not in WorldDispositions.model_fields:
            raise WhatIfError(dotted, f"no world disposition {rest[0]!r}{_hint(rest[0], WorldDispositions.model_fields)}")
        return ("dispositions", "world", *rest)
    if head not in registry.actor_keys():
        choices = (*registry.actor_keys(), "state", "world")
        raise WhatIfError(dotted, f"no actor {head!r}{_hint(head, choices)}; actors are {', '.join(registry.actor_keys())}")
    cls = registry.actor_classes()[head]
    key = rest[0]
    if key in cls.Policy.model_fields:
        return ("actors", head, *rest)
    if key in cls.Dispositions.model_fields:
        return ("dispositions", head, *rest)
    known = [*cls.Policy.model_fields, *cls.Dispositions.model_fields]
    raise WhatIfError(dotted, f"{head} has no policy or disposition {key!r}{_hint(key, known)}")


def _apply_override(data: dict, lines: dict, arg: str) -> None:
    match = _OVERRIDE.match(arg.strip())
    arg = printable(arg)
    if not match:
        raise WhatIfError(arg, "expected actor.key=value, e.g. us.precondition=none")
    if match.group("path").startswith("shocks."):
        try:
            value = parse_value(match.group("value"))
        except ValueError as error:
            raise WhatIfError(arg, f"{error}") from None
        _switch_shock(data, lines, arg, match.group("path").removeprefix("shocks."), value)
        return
    target = override_target(match.group("path"))
    try:
        value = parse_value(match.group("value"))
    except ValueError as error:
        raise WhatIfError(arg, f"{error}") from None
    node = data
    for part in target[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise WhatIfError(arg, f"{part} is not a mapping")
    last = target[-1]
    if isinstance(value, str) and value.startswith(("+", "-")) and isinstance(node.get(last), list):
        item = value[1:]
        if value[0] == "-":
            if item not in node[last]:  # a typo would otherwise run the scenario unchanged
                raise WhatIfError(arg, f"{item!r} is not in the list ({', '.join(map(str, node[last])) or 'empty'})")
            node[last] = [x for x in node[last] if x != item]
        elif item not in node[last]:
            node[last] = [*node[last], item]
    elif isinstance(value, list) and isinstance(node.get(last), list) and any(str(v).startswith("+") for v in value):
        node[last] = [*node[last], *(str(v).lstrip("+") for v in value if str(v).lstrip("+") not in node[last])]
    else:
        node[last] = [value] if _expects_list(target) and isinstance(value, str) and value else value
    lines[target] = (SetBy(arg), 0)
    for depth in range(1, len(target)):
        lines.setdefault(target[:depth], (SetBy(arg), 0))


def _switch_shock(data: dict, lines: dict, arg: str, shock_id: str, value: Any) -> None:
    """``--set shocks.ID=off``: a what-if without one scheduled shock (say the 2001 change of
    administration); ``on`` keeps it. ``--set shocks.ID.KEY=VALUE`` changes one key of the shock
    (``date``, ``window``, ``trust_factor``...). Shocks are named by their ``id``."""
    shocks = data.get("shocks") or []
    ids = [s.get("id", "") if isinstance(s, dict) else "" for s in shocks]
    shock_id, _, key = shock_id.partition(".")
    if shock_id not in ids:
        known = ", ".join(i for i in ids if i) or "none"
        raise WhatIfError(arg, f"no shock with id {shock_id!r}{_hint(shock_id, ids)}; shock ids are: {known}")
    if key:
        _set_shock_key(shocks[ids.index(shock_id)], lines, arg, (ids.index(shock_id), key), value)
        return
    if value is True or value == "on":
        return
    if value is not False and value != "off":
        raise WhatIfError(arg, f"a shock is switched with 'off' or 'on', got {value!r}")
    data["shocks"] = [s for s in shocks if not (isinstance(s, dict) and s.get("id", "") == shock_id)]


def _set_shock_key(shock: dict, lines: dict, arg: str, where: tuple[int, str], value: Any) -> None:
    """One key of one shock changed by ``--set shocks.ID.KEY=VALUE`` (validated with the scenario)."""
    index, key = where
    if key in ("kind", "id") or "." in key:
        raise WhatIfError(arg, "a shock's kind and id are not what-ifs; switch it off with shocks.ID=off")
    shock[key] = value
    lines[("shocks", index, key)] = (SetBy(arg), 0)


def _expects_list(target: tuple[str, ...]) -> bool:
    if target[0] != "actors" or len(target) != 3:
        return False
    field = _policy(target[1]).model_fields.get(target[2])
    return field is not None and typing.get_origin(_unwrap(field.annotation)) is list
