"""An actor is one module: a toy sixth actor (``tests/toy_russia.py``) joins the model from
``tests/`` alone, with its policy in a scenario and its dispositions beside its module, and
no file under ``sim/`` changes."""

from __future__ import annotations

import hashlib
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from sim.actors import actor_classes, actor_keys, register, unregister
from sim.actors.base import Record
from sim.dispositions import with_overrides
from sim.model import DiplomacyModel
from sim.runner import simulate
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_schema
from tests.conftest import ROOT, SCENARIOS
from tests.toy_russia import Russia

FIVE = ("us", "dprk", "china", "rok", "japan")
CASE = "peace_treaty_2016.yaml"  # two nuclear tests: about one resolution passes in the shipped case
REPLICAS = 200
RUSSIA_BLOCK = """\
  russia:
    veto: true
    trade: 0.0
"""


def digest(folder: Path) -> str:
    """One hash of every file's path and bytes under ``folder`` (bytecode caches aside)."""
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@contextmanager
def registered() -> Iterator[None]:
    register(Russia)
    try:
        yield
    finally:
        unregister(Russia.key)


@pytest.fixture
def russia() -> Iterator[None]:
    """Russia registered for one test."""
    with registered():
        yield


def write_case(folder: Path, block: str = RUSSIA_BLOCK) -> Path:
    """The shipped case beside a copy of the shipped base that adds Russia's policy block."""
    base = (SCENARIOS / "base.yaml").read_text(encoding="utf-8")
    assert base.rstrip().endswith("follow_through: 0.9")  # the base's last block is an actor's
    (folder / "base.yaml").write_text(base.rstrip() + "\n" + block, encoding="utf-8")
    return Path(shutil.copy(SCENARIOS / CASE, folder / CASE))


def test_a_case_runs_with_the_toy_actor_and_its_veto_blocks_resolutions(tmp_path: Path) -> None:
    before = digest(ROOT / "sim")
    shipped = simulate(SCENARIOS / CASE, replicas=REPLICAS, seed=0)
    case = write_case(tmp_path)
    with registered():
        vetoed = simulate(case, replicas=REPLICAS, seed=0, record_events=REPLICAS)
        passive = simulate(case, replicas=REPLICAS, seed=0, overrides=["russia.veto=false"])

    assert passive.outcomes["unsc_resolutions"].mean() > 0.9
    assert vetoed.outcomes["unsc_resolutions"].mean() < 0.2
    blocked = [e for e in vetoed.events if e.kind == "un_blocked" and e.actor == "russia"]
    assert blocked and blocked[0].text == "Russia blocks new UN sanctions"
    # a Russia that neither vetoes nor trades changes nothing, draw for draw
    for name, values in shipped.outcomes.items():
        np.testing.assert_array_equal(passive.outcomes[name], values, err_msg=name)
    assert digest(ROOT / "sim") == before


def test_its_dispositions_come_from_beside_its_module_and_take_what_ifs(russia: None, tmp_path: Path) -> None:
    case = write_case(tmp_path)
    model = DiplomacyModel(case, replicas=3)
    toy = model.actors["russia"]
    assert isinstance(toy, Russia) and toy in model.agents
    assert toy.dispositions.consent_base == -6.0  # tests/toy_russia.yaml
    assert model.world.trust.shape == (6, 6, 3)
    willing = simulate(case, replicas=REPLICAS, seed=0, overrides=["russia.consent_base=10"])
    assert willing.outcomes["unsc_resolutions"].mean() > 0.9


def test_an_actor_nothing_calibrates_takes_its_records_defaults() -> None:
    class QuietDispositions(Record):
        consent_base: float = 1.5
        rivalry_effect: float = 0.25

    class Quiet(Russia):
        key = "quiet"
        Dispositions = QuietDispositions
        dispositions_file = None

    register(Quiet)
    try:
        quiet = with_overrides({"quiet": {"rivalry_effect": 3.0}}).quiet
    finally:
        unregister(Quiet.key)
    assert (quiet.consent_base, quiet.rivalry_effect) == (1.5, 3.0)


def test_its_trade_lowers_sanctions_pressure(russia: None, tmp_path: Path) -> None:
    case = write_case(tmp_path)
    closed = simulate(case, replicas=REPLICAS, seed=0)
    trading = simulate(case, replicas=REPLICAS, seed=0, overrides=["russia.trade=0.5"])
    ratio = trading.outcomes["sanctions_pressure_mean"].mean() / closed.outcomes["sanctions_pressure_mean"].mean()
    # half the pressure leaks through Russia's trade; China, fearing collapse less as pressure
    # falls, enforces a little more, so the net cut is a little under half
    assert 0.4 < ratio < 0.75


def test_its_blocks_are_checked_like_any_actor(russia: None, tmp_path: Path) -> None:
    case = write_case(tmp_path, RUSSIA_BLOCK.replace("trade: 0.0", "trade: lots"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(case)
    line = (tmp_path / "base.yaml").read_text().splitlines().index("    trade: lots") + 1
    assert str(caught.value).startswith(f"{tmp_path / 'base.yaml'}:{line}: actors.russia.trade: Input should be a valid number")
    with pytest.raises(ScenarioError, match=r"russia has no policy or disposition 'vetoo' \(did you mean 'veto'\?\)"):
        load_scenario(write_case(tmp_path), ["russia.vetoo=false"])
    missing = write_case(tmp_path, "")
    with pytest.raises(ScenarioError, match=r"actors\.russia: missing required key"):
        load_scenario(missing)


def test_a_scenario_with_the_toy_crosses_to_a_worker_process(russia: None, tmp_path: Path) -> None:
    scenario = load_scenario(write_case(tmp_path))
    again = pickle.loads(pickle.dumps(scenario))
    assert isinstance(again, Scenario) and again == scenario
    assert again.actors.russia.veto is True


def test_registration_leaks_nowhere(tmp_path: Path) -> None:
    assert actor_keys() == FIVE
    five = scenario_schema()
    register(Russia)
    try:
        assert actor_keys() == (*FIVE, "russia")
        assert "russia" in scenario_schema().model_fields["actors"].annotation.model_fields
        with pytest.raises(ValueError, match="already registered"):
            register(Russia)
        with pytest.raises(ValueError, match="one lowercase word"):
            register(type("Ussr", (Russia,), {"key": "soviet_union"}))
    finally:
        unregister(Russia.key)
    assert actor_keys() == FIVE and scenario_schema() is five
    with pytest.raises(ScenarioError, match=r"actors\.russia: unknown key"):
        load_scenario(write_case(tmp_path))
    shipped = load_scenario(SCENARIOS / CASE)
    assert pickle.loads(pickle.dumps(shipped)) == shipped
    assert list(actor_classes()) == list(FIVE)
