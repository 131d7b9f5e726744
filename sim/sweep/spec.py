"""What a sweep is: its specification, the grid and range strings, and the points of its design.

A sweep varies what-if keys (the ``--set`` paths: ``china.stance``, ``us.precondition``,
``dprk.sanctions_pain``) over a full grid or a SALib sample, runs each point ``reps`` times,
and keeps fixed what-ifs (``set``) the same at every point. Everything is checked here, before
any work starts: each key exists, no grid or range is empty, every value of every point passes
the scenario schema. Errors are one line naming the flag or the file, line and key.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, ValidationError, ValidationInfo, field_validator

from sim.errors import UserError
from sim.limits import MAX_REPS, MAX_SEED
from sim.scenario import ScenarioError, ScenarioSource, WhatIfError, override_target, parse_value
from sim.yamlfile import YAMLProblem, check_number, parse, read_text

Kind = Literal["grid", "sobol", "morris"]
MAX_POINTS = 1_000_000
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LINSPACE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*:\s*(\d+)\s*$")
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*$")
_KEY = re.compile(r"^[a-z_]+(\.[a-z_0-9]+)+$")


class SpecError(UserError):
    """A bad sweep specification, told in one line."""


# ---------------------------------------------------------------- strings: KEY=VALUES, KEY=LOW:HIGH


def split_assignment(text: str, flag: str) -> tuple[str, str]:
    """``KEY=REST`` into its key and the rest, or a one-line error naming ``flag``."""
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not _KEY.match(key):
        raise SpecError(f"{flag} {text}: expected ACTOR.KEY=..., e.g. china.stance=0:1:5")
    return key, rest


def grid_values(text: str) -> list[tuple[Any, str]]:
    """The values of one grid axis as (value, text for ``--set``) pairs.

    ``LOW:HIGH:COUNT`` gives COUNT evenly spaced numbers from LOW to HIGH (both included);
    anything else is a comma list whose items are read as ``--set`` values are.
    """
    match = _LINSPACE.match(text)
    if match:
        low, high, count = check_number(float(match.group(1))), check_number(float(match.group(2))), int(match.group(3))
        if count < 1:
            raise ValueError(f"{text!r} asks for {count} points: the grid is empty")
        if count > MAX_POINTS:
            raise ValueError(f"{text!r} asks for {count:,} points, more than {MAX_POINTS:,}")
        if count > 1 and low == high:
            raise ValueError(f"{text!r} is an empty range: LOW equals HIGH")
        return _distinct(text, [(v, repr(v)) for v in linspace(low, high, count)])
    if ":" in text:
        raise ValueError(f"{text!r}: expected LOW:HIGH:COUNT (e.g. 0:1:11) or a comma list")
    items = [item.strip() for item in text.split(",")]
    if not text.strip():
        raise ValueError("no values: the grid is empty")
    if any(not item for item in items):
        raise ValueError(f"{text!r} has an empty item")
    return _distinct(text, [(parse_value(item), item) for item in items])


def _distinct(text: str, pairs: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    seen: set[str] = set()
    for _, item in pairs:
        if item in seen:
            raise ValueError(f"{text!r} gives the value {item} twice")
        seen.add(item)
    return pairs


def linspace(low: float, high: float, count: int) -> list[float]:
    """``count`` evenly spaced floats, rounded to 12 significant digits (0.3, not 0.30000000000000004)."""
    return [float(f"{x:.12g}") for x in np.linspace(low, high, count).tolist()]


def range_bounds(text: str) -> tuple[float, float]:
    """``LOW:HIGH`` as two floats with LOW below HIGH."""
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"{text!r}: expected LOW:HIGH, e.g. 0:1")
    low, high = check_number(float(match.group(1))), check_number(float(match.group(2)))
    if not low < high:
        raise ValueError(f"{text!r} is an empty range: LOW must be below HIGH")
    return low, high


def value_text(value: Any) -> str:
    """A YAML value from a spec file written as ``--set`` would read it back."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    return yaml.safe_dump([value], default_flow_style=True, width=math.inf).strip()[1:-1]


# ---------------------------------------------------------------- the spec file


class _Strict(BaseModel):
    """Unknown keys are errors; numbers must be numbers (``true`` is not 1), and finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class LinearAxis(_Strict):
    low: StrictFloat
    high: StrictFloat
    count: StrictInt = Field(ge=1, le=MAX_POINTS)


class SampleSpec(_Strict):
    """A SALib sample over ranges: Sobol (Saltelli) or Morris."""

    method: Literal["sobol", "morris"]
    n: StrictInt = Field(ge=1, le=MAX_POINTS, description="base sample size: Sobol N (a power of 2) or Morris trajectories")
    ranges: dict[str, tuple[float, float] | str]
    second_order: StrictBool = Field(False, description="Sobol: second-order indices too (N*(2D+2) points, not N*(D+2))")
    levels: StrictInt = Field(4, ge=2, le=64, description="Morris: grid levels")

    @field_validator("second_order")
    @classmethod
    def _second_order_is_sobol(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("method") != "sobol":
            raise ValueError("applies to a Sobol sample only; Morris screening has no second-order indices")
        return value


class SweepSpec(_Strict):
    """A sweep: the scenario, a grid or a sample, fixed what-ifs, replications and the seed."""

    scenario: str | None = None
    grid: dict[str, list[Any] | str | LinearAxis] = Field(default_factory=dict)
    sample: SampleSpec | None = None
    set: list[str] = Field(default_factory=list)
    reps: StrictInt = Field(100, ge=1, le=MAX_REPS)
    seed: StrictInt = Field(0, ge=0, le=MAX_SEED)
    chunk_reps: StrictInt = Field(10_000, ge=1, le=MAX_REPS)
    outcomes: list[str] = Field(default_factory=list)
    out: str | None = None


@dataclass
class Origin:
    """Where a piece of the spec came from, for error messages."""

    file: Path | None = None
    lines: dict[tuple, int] = field(default_factory=dict)

    def where(self, *loc: Any, flag: str = "", text: str = "") -> str:
        if self.file is None:
            return f"{flag} {text}".strip()
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self.lines:
                return f"{self.file}:{self.lines[loc[:cut]]}: {'.'.join(str(p) for p in loc)}"
        return f"{self.file}: {'.'.join(str(p) for p in loc)}"


def read_spec_file(path: str | Path) -> tuple[SweepSpec, Origin]:
    """Read and validate a YAML sweep spec (``sim.yamlfile``); errors name file, line and key."""
    path = Path(path)
    text = read_text(path, "spec file", SpecError)
    try:
        _, data, lines = parse(text)
    except YAMLProblem as problem:
        raise SpecError(f"{path}:{problem.line or 1}: {problem}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}:1: a sweep spec must be a mapping of keys")
    origin = Origin(path, lines)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as error:
        loc, message, got = _told(error)
        raise SpecError(f"{origin.where(*loc)}: {message}{got}") from None
    if spec.scenario is not None:
        spec.scenario = str(path.parent / spec.scenario)
    if spec.out is not None:
        spec.out = str(path.parent / spec.out)
    return spec, origin


def _told(error: ValidationError) -> tuple[tuple, str, str]:
    """What to tell of a spec that fails its schema: the key path, the problem in words, and
    ``" (got VALUE)"`` when the value given was a plain one (else "")."""
    # of a union's errors, the one from the member the input was meant for (not "not a list")
    errors = [e for e in error.errors() if not e["type"].endswith("_type")] or error.errors()
    problem = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(p for p in problem["loc"] if not _union_tag(p))
    message, got = problem["msg"].removeprefix("Value error, "), ""
    if problem["type"] == "extra_forbidden":
        message = "unknown key"
    elif problem["type"] == "missing":
        message = "missing required key"
    elif "input" in problem and not isinstance(problem["input"], dict):
        got = f" (got {problem['input']!r})"
    return loc, message, got


SAMPLE_FLAGS = {"n": "--n", "levels": "--levels", "second_order": "--second-order"}
"""The sample's keys that a command-line flag gives (or overrides in a spec file)."""


def sample_spec(given: dict[str, Any], flags: dict[str, Any]) -> SampleSpec:
    """A sample from ``given`` (a spec file's, already checked, or the command line's method and
    ranges) with the values of ``SAMPLE_FLAGS`` flags over it, every value checked by the schema
    as a spec file's is; a bad flag is told as ``--levels 1: ...`` (``flags``: key to value)."""
    try:
        return SampleSpec.model_validate({**given, **flags})
    except ValidationError as error:
        loc, message, got = _told(error)
        key = loc[0] if loc else None
        if key in flags:
            raise SpecError(f"{SAMPLE_FLAGS[key]} {flags[key]}: {message}") from None
        raise SpecError(f"{'.'.join(('sample', *map(str, loc)))}: {message}{got}") from None


def _union_tag(part: Any) -> bool:
    """Whether a pydantic error location part names a union member (``str``, ``tuple[float, float]``)."""
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "LinearAxis"))


# ---------------------------------------------------------------- the design


@dataclass
class Axis:
    """One varied key: its values at each point come from a grid or a sample."""

    key: str
    where: str
    values: list[Any] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    bounds: tuple[float, float] | None = None
    integer: bool = False


@dataclass
class Design:
    """The points of a sweep: which what-ifs each point adds to the fixed ones."""

    kind: Kind
    axes: list[Axis]
    fixed: list[str]
    values: list[tuple]
    texts: list[tuple[str, ...]]
    problem: dict | None = None
    sample: np.ndarray | None = None
    second_order: bool = False
    levels: int = 4
    _types: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def keys(self) -> list[str]:
        return [axis.key for axis in self.axes]

    def __len__(self) -> int:
        return len(self.values)

    def overrides(self, point: int) -> list[str]:
        return [*self.fixed, *(f"{k}={t}" for k, t in zip(self.keys, self.texts[point], strict=True))]

    def column_type(self, key: str) -> str:
        """The table type of a key's column: int64, float64, bool or string."""
        if key not in self._types:
            index = self.keys.index(key)
            seen = {type(p[index]) for p in self.values}
            kinds = {"bool": {bool}, "int64": {int}, "float64": {int, float}}
            self._types[key] = next((kind for kind, types in kinds.items() if seen <= types), "string")
        return self._types[key]

    def column_value(self, key: str, point: int) -> Any:
        value = self.values[point][self.keys.index(key)]
        kind = self.column_type(key)
        if kind == "string":
            return value if isinstance(value, str) else value_text(value)
        return float(value) if kind == "float64" else value


def is_integer_key(key: str) -> bool:
    """Whether a what-if key holds a whole number (sampled values are then rounded)."""
    from sim.actors import actor_classes
    from sim.dispositions import WorldDispositions
    from sim.scenario import StartState

    target = override_target(key)
    if target[0] == "state":
        model, name, depth = StartState, target[1], 2
    elif target[:2] == ("dispositions", "world"):
        model, name, depth = WorldDispositions, target[2], 3
    else:
        cls = actor_classes()[target[1]]
        model, name, depth = (cls.Policy if target[0] == "actors" else cls.Dispositions), target[2], 3
    info = model.model_fields.get(name)
    return info is not None and len(target) == depth and info.annotation is int


def build_design(spec: SweepSpec, origin: Origin, source: ScenarioSource) -> Design:
    """The points of the sweep, every one checked against the scenario schema."""
    if spec.grid and spec.sample is not None:
        raise SpecError(f"{origin.where('sample', flag='--sample', text=spec.sample.method)}: give a grid or a sample, not both")
    if not spec.grid and spec.sample is None:
        raise SpecError("nothing to sweep: give --grid KEY=VALUES, --sample sobol|morris with --range KEY=LOW:HIGH, or --spec FILE")
    for item in spec.set:
        _check(source, [item], f"{origin.where('set', flag='--set', text=item)}")
    axes = _grid_axes(spec, origin) if spec.grid else _range_axes(spec, origin)
    seen: set[str] = {item.partition("=")[0].strip() for item in spec.set}
    for axis in axes:
        _check_key(axis)
        if axis.key in seen:
            raise SpecError(f"{axis.where}: {axis.key} is set twice (in the sweep and as a fixed what-if)")
        seen.add(axis.key)
        axis.integer = is_integer_key(axis.key)
        if axis.bounds is not None:
            for bound in axis.bounds:
                _check(source, [*spec.set, f"{axis.key}={_num_text(bound, axis.integer)}"], axis.where)
        else:
            if axis.integer:
                axis.texts = [_num_text(v, True) if isinstance(v, float) and v.is_integer() else t
                              for v, t in zip(axis.values, axis.texts, strict=True)]
                axis.values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in axis.values]
            for text in axis.texts:
                _check(source, [*spec.set, f"{axis.key}={text}"], axis.where)
    if spec.grid:
        planned = math.prod(len(axis.values) for axis in axes)
    elif spec.sample.method == "sobol":
        planned = spec.sample.n * ((2 if spec.sample.second_order else 1) * len(axes) + 2)
    else:
        planned = spec.sample.n * (len(axes) + 1)
    if planned > MAX_POINTS:
        raise SpecError(f"the design would have {planned:,} points, more than {MAX_POINTS:,}")
    design = _grid(spec, axes) if spec.grid else _sample(spec, axes, origin)
    if len(design) > MAX_POINTS:
        raise SpecError(f"the design has {len(design):,} points, more than {MAX_POINTS:,}")
    for point in range(len(design)):
        shown = ", ".join(f"{k}={t}" for k, t in zip(design.keys, design.texts[point], strict=True))
        _check(source, design.overrides(point), f"point {point} ({shown})")
    return design


def _grid_axes(spec: SweepSpec, origin: Origin) -> list[Axis]:
    axes = []
    for key, raw in spec.grid.items():
        where = origin.where("grid", key, flag="--grid", text=f"{key}={raw if isinstance(raw, str) else ''}".rstrip("="))
        try:
            if isinstance(raw, str):
                pairs = grid_values(raw)
            elif isinstance(raw, LinearAxis):
                pairs = grid_values(f"{raw.low!r}:{raw.high!r}:{raw.count}")
            else:
                if not raw:
                    raise ValueError("no values: the grid is empty")
                pairs = _distinct(str(raw), [(v, value_text(v)) for v in raw])
        except ValueError as error:
            raise SpecError(f"{where}: {error}") from None
        axes.append(Axis(key, where, [v for v, _ in pairs], [t for _, t in pairs]))
    return axes


def _range_axes(spec: SweepSpec, origin: Origin) -> list[Axis]:
    sample = spec.sample
    assert sample is not None
    if not sample.ranges:
        raise SpecError(f"{origin.where('sample', 'ranges', flag='--sample', text=sample.method)}: "
                        "no ranges: give --range KEY=LOW:HIGH for each parameter")
    axes = []
    for key, raw in sample.ranges.items():
        where = origin.where("sample", "ranges", key, flag="--range", text=f"{key}={raw if isinstance(raw, str) else ''}")
        try:
            bounds = range_bounds(raw if isinstance(raw, str) else f"{raw[0]!r}:{raw[1]!r}")
        except ValueError as error:
            raise SpecError(f"{where}: {error}") from None
        axes.append(Axis(key, where, bounds=bounds))
    if sample.method == "sobol" and sample.n & (sample.n - 1):
        raise SpecError(f"{origin.where('sample', 'n', flag='--n', text=str(sample.n))}: "
                        f"Sobol sampling needs N to be a power of 2 (e.g. {1 << max(0, sample.n.bit_length() - 1)})")
    return axes


def _grid(spec: SweepSpec, axes: list[Axis]) -> Design:
    points = list(itertools.product(*(range(len(a.values)) for a in axes)))
    values = [tuple(a.values[i] for a, i in zip(axes, p, strict=True)) for p in points]
    texts = [tuple(a.texts[i] for a, i in zip(axes, p, strict=True)) for p in points]
    return Design("grid", axes, list(spec.set), values, texts)


def _sample(spec: SweepSpec, axes: list[Axis], origin: Origin) -> Design:
    import warnings

    sample = spec.sample
    assert sample is not None
    problem = {"num_vars": len(axes), "names": [a.key for a in axes], "bounds": [list(a.bounds or ()) for a in axes]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sample.method == "sobol":
            from SALib.sample import sobol

            x = sobol.sample(problem, sample.n, calc_second_order=sample.second_order, seed=spec.seed)
        else:
            from SALib.sample import morris

            if len(axes) < 2:
                raise SpecError(f"{origin.where('sample', 'ranges', flag='--sample', text='morris')}: Morris needs two or more ranges")
            x = morris.sample(problem, sample.n, num_levels=sample.levels, seed=spec.seed)
    for column, axis in enumerate(axes):
        if axis.integer:
            x[:, column] = np.rint(x[:, column])
    values = [tuple(int(v) if a.integer else float(v) for a, v in zip(axes, row, strict=True)) for row in x.tolist()]
    texts = [tuple(_num_text(v, a.integer) for a, v in zip(axes, row, strict=True)) for row in values]
    return Design(sample.method, axes, list(spec.set), values, texts, problem, x,
                  second_order=sample.second_order, levels=sample.levels)


def _num_text(value: float, integer: bool) -> str:
    return str(int(round(value))) if integer else repr(float(value))


def _check_key(axis: Axis) -> None:
    if axis.key.split(".")[0] == "shocks":
        raise SpecError(f"{axis.where}: shocks cannot be swept (an axis is an actor's policy or disposition, state.KEY "
                        f"or world.KEY); a shock can only be fixed at every point, e.g. --set {axis.key}=VALUE")
    try:
        override_target(axis.key)
    except WhatIfError as error:
        raise SpecError(f"{axis.where}: {error.problem}") from None


def _check(source: ScenarioSource, overrides: list[str], where: str) -> None:
    try:
        source.load(overrides)
    except WhatIfError as error:
        raise SpecError(f"{where}: {error.override}: {error.problem}") from None
    except ScenarioError as error:
        raise SpecError(f"{where}: {error}") from None


def assignments(texts: list[str], flag: str) -> dict[str, str]:
    """``KEY=VALUE`` flags as a mapping; a key given twice is an error."""
    out: dict[str, str] = {}
    for text in texts:
        key, value = split_assignment(text, flag)
        if key in out:
            raise SpecError(f"{flag} {text}: {key} is given twice; give all its values in one {flag}")
        out[key] = value
    return out
