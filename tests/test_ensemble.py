"""Dispositions per replica: the same values per replica as one replica at a time, draws from the
seeded generator, what-ifs that hold in every replica, and a strict ensemble file."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim import negotiation
from sim.calibration import AT_LEAST, FITTED, PARAMETERS, TIED, Posterior, draw_prior
from sim.dispositions import calibrated_values
from sim.ensemble import ENSEMBLE_FILE, Ensemble, read, write
from sim.errors import UserError
from sim.model import DiplomacyModel
from sim.outside_option import status_quo
from sim.scenario import load_scenario
from sim.valuation import surplus
from tests.conftest import AGREED_FRAMEWORK, HANOI

VARIED = {
    "dprk.sanctions_pain": np.array([0.5, 2.0, 4.0]),
    "dprk.audience_cost": np.array([0.1, 1.0, 1.9]),
    "dprk.verification_aversion": np.array([0.0, 2.5, 5.0]),
    "dprk.talk_benefit": np.array([-0.5, 0.0, 0.6]),
    "us.crisis_aversion": np.array([0.2, 1.0, 3.0]),
    "world.belief_temperature": np.array([0.1, 0.5, 1.5]),
    "world.deal_calm": np.array([0.1, 0.5, 0.9]),
}


def _one_at_a_time(replica: int) -> DiplomacyModel:
    scenario = load_scenario(HANOI)
    overrides: dict[str, dict[str, float]] = {}
    for name, values in VARIED.items():
        section, key = name.split(".")
        overrides.setdefault(section, {})[key] = float(values[replica])
    return DiplomacyModel(scenario.model_copy(update={"dispositions": overrides}), replicas=1, rng=0, record_events=0)


def test_values_per_replica_equal_each_replica_valued_alone():
    model = DiplomacyModel(HANOI, replicas=3, rng=0, record_events=0, per_replica=VARIED)
    for _ in range(4):
        model.step()
    world, lads, ctx = model.world, negotiation.ladders(model), model.negotiation_context()
    some = np.array([0, 2])
    together = negotiation.talks_values(model, world.rows(some), lads, ctx)
    for place, replica in enumerate(some):
        alone = _one_at_a_time(int(replica))
        view = world.rows(np.array([replica]))
        view.index = None  # the single-replica model's whole world
        expected = negotiation.talks_values(alone, view, lads, ctx)
        for side in ("dprk", "allies"):
            assert together[side][place] == pytest.approx(expected[side][0])
            grid = lads[side].grid
            assert surplus(model, world.rows(some), side, grid, ctx)[place] == pytest.approx(surplus(alone, view, side, grid, ctx)[0])
            assert status_quo(model, world, side)[replica] == pytest.approx(status_quo(alone, view, side)[0])


def test_the_varied_dispositions_change_the_values():
    model = DiplomacyModel(HANOI, replicas=3, rng=0, record_events=0, per_replica=VARIED)
    for _ in range(4):
        model.step()
    values = negotiation.talks_values(model, model.world.rows(np.arange(3)), negotiation.ladders(model), model.negotiation_context())
    assert len(set(np.round(values["dprk"], 9))) == 3


def _ensemble(sets: int = 5) -> Ensemble:
    pain = np.linspace(0.5, 4.0, sets)
    lesson = np.linspace(0.5, 4.5, sets)
    return Ensemble(("dprk.sanctions_pain", "world.failure_lesson"), np.column_stack([pain, lesson]), np.full(sets, 1 / sets))


def test_each_replica_draws_a_set_from_the_seeded_generator():
    ensemble = _ensemble()
    a = DiplomacyModel(AGREED_FRAMEWORK, replicas=200, rng=4, ensemble=ensemble, record_events=0)
    b = DiplomacyModel(AGREED_FRAMEWORK, replicas=200, rng=4, ensemble=ensemble, record_events=0)
    assert np.array_equal(a.drawn_sets, b.drawn_sets)
    assert set(a.drawn_sets) == set(range(5))  # 200 draws of 5 equally weighted sets reach each
    pain = a.dprk.dispositions.sanctions_pain
    assert np.array_equal(pain, ensemble.values[a.drawn_sets, 0])
    assert np.array_equal(a.run().outcomes()["months_to_collapse"], b.run().outcomes()["months_to_collapse"])


def test_a_what_if_holds_in_every_replica():
    scenario = load_scenario(AGREED_FRAMEWORK, ["dprk.sanctions_pain=1.5"])
    model = DiplomacyModel(scenario, replicas=50, rng=0, ensemble=_ensemble(), record_events=0)
    assert model.dprk.dispositions.sanctions_pain == 1.5
    assert isinstance(model.dispositions.world.failure_lesson, np.ndarray)


def test_weights_decide_the_draws():
    ensemble = Ensemble(("dprk.sanctions_pain",), np.array([[1.0], [3.0]]), np.array([0.9, 0.1]))
    drawn = ensemble.draw(np.random.default_rng(0), 10_000)
    assert 0.88 < (drawn == 0).mean() < 0.92


def _calibrated(sets: int = 50, seed: int = 0) -> Ensemble:
    """An ensemble as the calibration makes one: prior draws over the fitted dispositions, ties appended."""
    particles = draw_prior(np.random.default_rng(seed), PARAMETERS, sets)
    return Posterior(tuple(p.name for p in PARAMETERS), particles, np.linspace(1, 2, sets), np.zeros(sets)).ensemble()


def _with_both_columns_of_the_ordering(ensemble: Ensemble) -> Ensemble:
    """``ensemble`` with a column for each disposition of ``AT_LEAST`` it lacks (one not fitted),
    at its value in ``dispositions.yaml``: the prior's draws keep the ordering against that value."""
    point = calibrated_values()
    names, values = ensemble.names, ensemble.values
    for name in dict.fromkeys([*AT_LEAST, *AT_LEAST.values()]):
        if name not in names:
            section, key = name.split(".")
            names, values = (*names, name), np.column_stack([values, np.full(len(values), float(point[section][key]))])
    return Ensemble(names, values, ensemble.weights)


def test_the_file_round_trips(tmp_path):
    path = tmp_path / "posterior.csv"
    ensemble = _calibrated()
    write(ensemble, path)
    again = read(path)
    assert again.names == ensemble.names
    assert np.allclose(again.values, ensemble.values, rtol=1e-4) and np.allclose(again.weights, ensemble.weights, rtol=1e-5)


def test_what_the_calibration_writes_keeps_its_ties_and_orderings_when_rounded(tmp_path):
    """``write`` rounds to 5 significant digits: a tie stays a tie and an ordering met by a hair
    (here an aversion 1e-9 above the pain, and one equal to it) is still met, so the shipped
    posterior and the folds ``--save-folds`` writes read back."""
    ensemble = _with_both_columns_of_the_ordering(_calibrated(200, seed=1))
    (higher, lower), = AT_LEAST.items()
    values = ensemble.values.copy()
    values[0, ensemble.names.index(higher)] = values[0, ensemble.names.index(lower)] + 1e-9
    values[1, ensemble.names.index(higher)] = values[1, ensemble.names.index(lower)]
    write(Ensemble(ensemble.names, values, ensemble.weights), tmp_path / "fold.csv")
    assert len(read(tmp_path / "fold.csv")) == 200
    assert set(read(ENSEMBLE_FILE).names) == {*FITTED, *TIED}


def _shipped_lines(sets: int = 3) -> list[list[str]]:
    """The header and the first ``sets`` sets of the shipped posterior, cell by cell."""
    with ENSEMBLE_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[: sets + 1]


def _cells(*changes: tuple[int, str, str]) -> Callable[[list[list[str]]], None]:
    """An edit of the lines: each (line, column name, new text); line 1 is the header."""
    def edit(lines: list[list[str]]) -> None:
        header = list(lines[0])
        for line, name, text in changes:
            lines[line - 1][header.index(name)] = text
    return edit


def _drop(*names: str) -> Callable[[list[list[str]]], None]:
    def edit(lines: list[list[str]]) -> None:
        keep = [j for j, name in enumerate(lines[0]) if name not in names]
        lines[:] = [[line[j] for j in keep] for line in lines]
    return edit


def _repeat(name: str) -> Callable[[list[list[str]]], None]:
    """The column ``name`` again at the end, the same values."""
    def edit(lines: list[list[str]]) -> None:
        j = lines[0].index(name)
        for line in lines:
            line.append(line[j])
    return edit


def _append(name: str, text: str, *changes: tuple[int, str, str]) -> Callable[[list[list[str]]], None]:
    """A column ``name`` at the end, ``text`` in every set, then the ``changes`` of ``_cells``."""
    def edit(lines: list[list[str]]) -> None:
        lines[0].append(name)
        for line in lines[1:]:
            line.append(text)
        _cells(*changes)(lines)
    return edit


def _written(path: Path, lines: list[list[str]]) -> Path:
    """``path`` holding ``lines`` as CSV, as ``write`` lays a file out."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)
    return path


def _shorten(line: int) -> Callable[[list[list[str]]], None]:
    def edit(lines: list[list[str]]) -> None:
        del lines[line - 1][1:]
    return edit


WEIGHT = "weight"
COLUMNS = 1 + len(FITTED) + len(TIED)
"""The shipped posterior's columns: the weight, each fitted disposition, each tied one."""


@pytest.mark.parametrize(("edit", "message"), [
    (_cells((1, WEIGHT, "pain")), ":1: a posterior ensemble starts with a header line"),
    (_cells((1, "dprk.launch_rate", "dprk.launch_rote")), ":1: dprk.launch_rote: not a behavioural disposition"),
    (_cells((3, "dprk.launch_rate", "99")), ":3: dprk.launch_rate: 99 is outside its bounds"),
    (_cells((2, "dprk.launch_rate", "two")), ":2: dprk.launch_rate: 'two' is not a number"),
    (_shorten(2), f":2: 1 values for {COLUMNS} columns"),
    (_cells((2, WEIGHT, "0"), (3, WEIGHT, "0"), (4, WEIGHT, "0")), "the weights sum to zero"),
    (_cells((2, WEIGHT, "-1")), ":2: weight: -1 is outside its bounds 0 to inf"),
    (_cells((1, "dprk.push_tension", "world.proof_months")), ":1: world.proof_months: shared by every replica"),
    # weights: finite, and a finite sum
    (_cells((3, WEIGHT, "inf")), ":3: weight: 'inf' is not a finite number"),
    (_cells((2, WEIGHT, "nan")), ":2: weight: 'nan' is not a finite number"),
    (_cells((2, WEIGHT, "1e308"), (3, WEIGHT, "1e308"), (4, WEIGHT, "1e308")),
     ":3: weight: the weights up to this line sum past the largest float"),
    (_cells((4, "us.stay_bias", "-inf")), ":4: us.stay_bias: '-inf' is not a finite number"),
    # every disposition the calibration fits or ties, each in one column
    (_drop("dprk.launch_rate", "us.audience_cost"), ":1: no column for dprk.launch_rate, us.audience_cost: "),
    (_drop(*FITTED[1:], *TIED), f":1: no column for {', '.join(FITTED[1:])}, {', '.join(TIED)}: "),
    (_repeat("dprk.launch_rate"), f":1: dprk.launch_rate: named twice in the header (columns 7 and {COLUMNS + 1})"),
    # the calibration's ties and orderings
    (_cells((3, "dprk.audience_cost", "1"), (3, "us.audience_cost", "1.5")),
     ":3: us.audience_cost: 1.5 is not dprk.audience_cost's 1; the calibration sets them equal"),
    # an ordered disposition the calibration does not fit may still have a column, and is checked
    (_append("dprk.sanctions_pain", "2", (2, "dprk.verification_aversion", "1.9999")),
     ":2: dprk.verification_aversion: 1.9999 is below dprk.sanctions_pain's 2; the calibration's prior keeps it at least that"),
])
def test_a_bad_ensemble_file_is_named_with_its_line_and_key(tmp_path, edit, message):
    lines = _shipped_lines()
    edit(lines)
    path = _written(tmp_path / "posterior.csv", lines)
    with pytest.raises(UserError) as caught:
        read(path)
    assert str(path) in str(caught.value) and message in str(caught.value), str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_ordering_is_checked_where_the_file_has_both_columns(tmp_path):
    """The pain from sanctions is not fitted (``UNPINNED``), so the shipped posterior has no column
    for it and the ordering is the prior's floor on the aversion; a file that adds the column
    reads, and the ordering holds against it."""
    (higher, lower), = AT_LEAST.items()
    assert lower not in read(ENSEMBLE_FILE).names
    lines = _shipped_lines()
    _append(lower, "2")(lines)
    path = _written(tmp_path / "posterior.csv", lines)
    ensemble = read(path)
    assert ensemble.names[-1] == lower and np.all(ensemble.values[:, ensemble.names.index(higher)] >= 2)


def test_a_file_with_only_weights_is_refused(tmp_path):
    path = tmp_path / "posterior.csv"
    path.write_text("weight\n1\n")
    with pytest.raises(UserError, match=f":1: no column for {FITTED[0]}, "):
        read(path)


def test_blank_lines_at_the_end_are_ignored_and_others_refused(tmp_path):
    text = ENSEMBLE_FILE.read_text(encoding="utf-8")
    path = tmp_path / "posterior.csv"
    path.write_text(text + "\n\r\n", encoding="utf-8")
    again, shipped = read(path), read(ENSEMBLE_FILE)
    assert again.names == shipped.names and np.array_equal(again.values, shipped.values)
    assert np.array_equal(again.weights, shipped.weights)
    header, first, *rest = text.splitlines()
    path.write_text("\n".join([header, first, "", *rest]) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=f":3: 0 values for {COLUMNS} columns"):
        read(path)


@pytest.mark.parametrize(("per_replica", "message"), [
    ({"dprk.sanctions_pane": np.ones(3)}, "not a behavioural disposition"),
    ({"world.collapse_trust": np.ones(3) * 0.5}, "shared by every replica"),
    ({"dprk.sanctions_pain": np.ones(1)}, "not one value for each of 3 replicas"),
])
def test_dispositions_given_per_replica_are_checked(per_replica, message):
    with pytest.raises(ValueError, match=message):
        DiplomacyModel(HANOI, replicas=3, rng=0, per_replica=per_replica)
