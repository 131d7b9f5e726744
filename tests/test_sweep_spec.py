"""The sweep spec: grid and range strings, spec files, the design's points, and its checks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import ScenarioSource, load_scenario
from sim.sweep.execute import chunk_seed, plan
from sim.sweep.spec import (
    Origin,
    SampleSpec,
    SpecError,
    SweepSpec,
    build_design,
    grid_values,
    is_integer_key,
    linspace,
    range_bounds,
    read_spec_file,
    value_text,
)

ROOT = Path(__file__).resolve().parent.parent
HANOI = ROOT / "scenarios" / "hanoi_2019.yaml"


@pytest.fixture(scope="module")
def hanoi() -> ScenarioSource:
    return ScenarioSource(HANOI)


# ---------------------------------------------------------------- strings


def test_linspace_grid_includes_both_ends_and_rounds() -> None:
    values = [v for v, _ in grid_values("0:1:11")]
    assert values == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert [t for _, t in grid_values("0:1:3")] == ["0.0", "0.5", "1.0"]


def test_comma_grid_keeps_the_text_and_reads_values_as_set_does() -> None:
    assert grid_values("disarm_first, action_for_action") == [("disarm_first", "disarm_first"), ("action_for_action", "action_for_action")]
    assert grid_values("0.2,0.8") == [(0.2, "0.2"), (0.8, "0.8")]


@pytest.mark.parametrize("text", ["", "0:1:0", "a,,b", "0:1", "0.5:0.5:3", "x:y:z"])
def test_bad_grid_strings_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        grid_values(text)


@pytest.mark.parametrize("text", ["1:1", "1:0", "0", "a:b", ""])
def test_bad_ranges_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        range_bounds(text)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=100, deadline=None)
@given(low=finite, high=finite, count=st.integers(min_value=2, max_value=200))
def test_linspace_grid_property(low: float, high: float, count: int) -> None:
    text = f"{low!r}:{high!r}:{count}"
    try:
        pairs = grid_values(text)
    except ValueError as error:
        # refused only for equal ends, or when rounding would make two points the same
        assert low == high or ("twice" in str(error) and len(set(linspace(low, high, count))) < count)
        return
    values = [v for v, _ in pairs]
    assert len(values) == count
    assert math.isclose(values[0], low, rel_tol=1e-11, abs_tol=1e-9)
    assert math.isclose(values[-1], high, rel_tol=1e-11, abs_tol=1e-9)
    steps = np.diff(values)
    assert np.all(steps > 0) if high > low else np.all(steps < 0)
    assert all(float(t) == v for v, t in pairs), "the --set text reads back as the same number"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True), min_size=1, max_size=8))
def test_comma_grid_property(items: list[str]) -> None:
    text = ",".join(items)
    if len(set(items)) < len(items):
        with pytest.raises(ValueError, match="twice"):
            grid_values(text)
        return
    assert [t for _, t in grid_values(text)] == items


@settings(max_examples=100, deadline=None)
@given(low=finite, high=finite)
def test_range_property(low: float, high: float) -> None:
    text = f"{low!r}:{high!r}"
    if low < high:
        assert range_bounds(text) == (low, high)
    else:
        with pytest.raises(ValueError):
            range_bounds(text)


def test_value_text_reads_back_through_set() -> None:
    from sim.scenario import parse_value

    for value in [0.25, 3, True, "freeze", ["fuel_oil", "lwr"]]:
        assert parse_value(value_text(value)) == value


# ---------------------------------------------------------------- the design


def test_grid_design_is_the_full_product_and_points_load(hanoi: ScenarioSource) -> None:
    spec = SweepSpec(grid={"us.sequencing": "disarm_first,action_for_action", "china.stance": "0:1:3"}, set=["us.precondition=none"])
    design = build_design(spec, Origin(), hanoi)
    assert len(design) == 6
    assert design.values[:3] == [("disarm_first", 0.0), ("disarm_first", 0.5), ("disarm_first", 1.0)]
    assert design.overrides(4) == ["us.precondition=none", "us.sequencing=action_for_action", "china.stance=0.5"]
    scenario = hanoi.load(design.overrides(4))
    assert scenario.actors.us.sequencing == "action_for_action" and scenario.actors.china.stance == 0.5
    assert design.column_type("china.stance") == "float64" and design.column_type("us.sequencing") == "string"


def test_scenario_source_builds_what_load_scenario_builds(hanoi: ScenarioSource) -> None:
    overrides = ["china.stance=0.2", "dprk.sanctions_pain=1.5"]
    assert hanoi.load(overrides) == load_scenario(HANOI, overrides)
    assert hanoi.load() == load_scenario(HANOI)


def test_sobol_design_is_seeded_and_within_bounds(hanoi: ScenarioSource) -> None:
    ranges = {"china.stance": (0.0, 1.0), "us.verification": (0.3, 1.0)}
    spec = SweepSpec(sample=SampleSpec(method="sobol", n=8, ranges=ranges), seed=3)
    first, again = build_design(spec, Origin(), hanoi), build_design(spec, Origin(), hanoi)
    assert len(first) == 8 * (2 + 2)
    assert first.values == again.values
    other = build_design(spec.model_copy(update={"seed": 4}), Origin(), hanoi)
    assert other.values != first.values
    x = np.array(first.values)
    assert x[:, 0].min() >= 0.0 and x[:, 0].max() <= 1.0 and x[:, 1].min() >= 0.3 and x[:, 1].max() <= 1.0


def test_integer_keys_are_rounded_in_samples(hanoi: ScenarioSource) -> None:
    assert is_integer_key("us.opening_offers") and not is_integer_key("china.stance")
    spec = SweepSpec(sample=SampleSpec(method="morris", n=4, ranges={"us.opening_offers": (1.0, 3.0), "china.stance": (0.0, 1.0)}))
    design = build_design(spec, Origin(), hanoi)
    assert all(isinstance(v[0], int) and 1 <= v[0] <= 3 for v in design.values)
    assert design.column_type("us.opening_offers") == "int64"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (SweepSpec(grid={"china.stanse": "0:1:3"}), ["--grid china.stanse=0:1:3", "did you mean 'stance'"]),
        (SweepSpec(grid={"china.stance": "0:1.5:4"}), ["--grid china.stance=0:1.5:4", "less than or equal to 1"]),
        (SweepSpec(grid={"china.stance": "0:1:0"}), ["--grid china.stance=0:1:0", "empty"]),
        (SweepSpec(grid={"us.precondition": "none,denuclearization_first"}), ["us.precondition", "denuclearization_first"]),
        (SweepSpec(sample=SampleSpec(method="sobol", n=8, ranges={"china.stance": "1:0"})), ["--range", "empty range"]),
        (SweepSpec(sample=SampleSpec(method="sobol", n=8, ranges={"china.stance": "0:2"})), ["--range", "less than or equal to 1"]),
        (SweepSpec(sample=SampleSpec(method="sobol", n=10, ranges={"china.stance": "0:1"})), ["power of 2"]),
        (SweepSpec(sample=SampleSpec(method="sobol", n=8, ranges={})), ["no ranges"]),
        (SweepSpec(), ["nothing to sweep"]),
        (SweepSpec(grid={"china.stance": "0:1:3"}, set=["china.stance=0.2"]), ["set twice"]),
        (SweepSpec(grid={"china.stance": "0:1:3"}, set=["china.stanse=0.2"]), ["did you mean"]),
    ],
)
def test_bad_designs_get_one_line_naming_the_key(hanoi: ScenarioSource, spec: SweepSpec, words: list[str]) -> None:
    with pytest.raises(SpecError) as caught:
        build_design(spec, Origin(), hanoi)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_a_point_that_breaks_a_cross_key_rule_is_found_up_front(hanoi: ScenarioSource) -> None:
    # warheads may not exceed material: each value alone is fine, one combination is not
    spec = SweepSpec(grid={"state.material": "30,45", "state.warheads": "25,40"})
    with pytest.raises(SpecError, match=r"point 1 \(state.material=30, state.warheads=40\).*warheads cannot exceed material"):
        build_design(spec, Origin(), hanoi)


# ---------------------------------------------------------------- spec files


def test_shipped_spec_files_are_valid(hanoi: ScenarioSource) -> None:
    for path in sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")):
        spec, origin = read_spec_file(path)
        assert spec.scenario is not None and Path(spec.scenario).is_file()
        assert len(build_design(spec, origin, ScenarioSource(spec.scenario))) > 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("scenario: ../s.yaml\ngrid:\n  china.stanse: [0, 1]\n", ["spec.yaml:3: grid.china.stanse", "did you mean"]),
        ("grid:\n  china.stance: [0, 1]\nrepz: 3\n", ["spec.yaml:3: repz", "unknown key"]),
        ("grid:\n  china.stance: [0, 1]\nreps: 0\n", ["spec.yaml:3: reps", "greater than or equal to 1"]),
        ("grid:\n  china.stance: []\n", ["spec.yaml:2: grid.china.stance", "empty"]),
        ("grid:\n  china.stance: [0.5, 3]\n", ["spec.yaml:2: grid.china.stance", "less than or equal to 1"]),
        ("sample:\n  method: sobol\n  n: 8\n  ranges:\n    china.stance: [1, 0]\n",
         ["spec.yaml:5: sample.ranges.china.stance", "empty range"]),
        ("sample:\n  method: latin\n  n: 8\n  ranges: {}\n", ["spec.yaml:2: sample.method"]),
        ("sample:\n  method: sobol\n  n: 8\n  ranges:\n    china.stance: [0, abc]\n",
         ["spec.yaml:5: sample.ranges.china.stance.1", "valid number"]),
        ("grid:\n  china.stance: {low: 0, high: 1, cnt: 3}\n", ["spec.yaml:2: grid.china.stance.cnt", "unknown key"]),
        ("grid:\n  shocks.us_2001.date: 2001-01,2001-06\n", ["spec.yaml:2: grid.shocks.us_2001.date", "shocks cannot be swept"]),
        ("sample:\n  method: morris\n  n: 2\n  levels: 1\n  ranges:\n    china.stance: [0, 1]\n    us.verification: [0, 1]\n",
         ["spec.yaml:4: sample.levels", "greater than or equal to 2 (got 1)"]),
        ("grid: [\n", ["spec.yaml", "broken YAML"]),
        ("- a\n- b\n", ["must be a mapping"]),
    ],
)
def test_bad_spec_files_name_file_line_and_key(tmp_path: Path, hanoi: ScenarioSource, text: str, words: list[str]) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        spec, origin = read_spec_file(path)
        build_design(spec, origin, hanoi)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


# ---------------------------------------------------------------- chunks and seeds


def test_chunks_cover_every_replication_once() -> None:
    chunks = list(plan(points=3, reps=25, chunk_reps=10))
    assert [c.index for c in chunks] == list(range(9))
    for point in range(3):
        mine = [c for c in chunks if c.point == point]
        covered = [r for c in mine for r in range(c.first, c.first + c.reps)]
        assert covered == list(range(25))


def test_chunk_seeds_depend_on_seed_and_index_only() -> None:
    seeds = [chunk_seed(7, i) for i in range(1000)]
    assert len(set(seeds)) == 1000
    assert seeds == [chunk_seed(7, i) for i in range(1000)]
    assert chunk_seed(8, 0) != chunk_seed(7, 0)


def test_finished_chunk_models_are_freed(hanoi: ScenarioSource) -> None:
    import gc

    from sim.model import DiplomacyModel
    from sim.sweep.execute import Chunk, Task, run_chunk

    def live() -> int:
        gc.collect()
        return sum(isinstance(o, DiplomacyModel) for o in gc.get_objects())

    before = live()
    scenario = hanoi.load()
    for index in range(3):
        run_chunk(Task(Chunk(index, 0, 0, 5), scenario, index))
    assert live() == before, "a finished model is still referenced (Mesa 3.3's Agent._ids)"
