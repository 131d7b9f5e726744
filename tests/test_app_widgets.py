"""The classroom app without a browser: the model behind the controls and the widget trees."""

from __future__ import annotations

import re
import warnings
from html import unescape

import pytest

pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")

import ipywidgets  # noqa: E402
import solara  # noqa: E402
from mesa.visualization.utils import force_update  # noqa: E402

from sim import app  # noqa: E402
from sim.commands.app import command  # noqa: E402
from tests.conftest import HANOI  # noqa: E402

HANOI_TITLE = "The Hanoi summit, 2019-2020"

warnings.filterwarnings("ignore", message=".*use_state.*found despite early return.*")


def _shown(rc) -> str:  # noqa: ANN001
    """The text of the HTML blocks of a render, tags removed."""
    html = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_the_picker_lists_the_cases_but_not_the_base_file():
    assert HANOI_TITLE in app.CASES and app.CASES[HANOI_TITLE] == HANOI
    assert all(path.stem != "base" for path in app.CASES.values())
    assert app.model_params()["case"]["values"] == list(app.CASES)


def test_controls_become_what_ifs():
    model = app.ClassroomModel(case=HANOI_TITLE, us_sequencing="action for action", us_adds="partial sanctions relief",
                               china_enforcement="low (0.25)", dprk_adds="a freeze of Yongbyon")
    assert "us.sequencing=action_for_action" in model.what_ifs
    assert "china.enforcement=0.25" in model.what_ifs
    assert model.us.policy.sequencing == "action_for_action"
    assert model.us.policy.offers[-1] == "partial_relief" and "full_relief" in model.us.policy.offers
    assert model.china.policy.enforcement == 0.25 and "freeze" in model.dprk.policy.offers
    untouched = app.ClassroomModel(case=HANOI_TITLE)
    assert untouched.what_ifs == [] and untouched.us.policy.sequencing == "disarm_first"


def test_an_offer_already_made_is_not_added_twice():
    model = app.ClassroomModel(case=HANOI_TITLE, us_adds="lifting all sanctions")
    assert model.what_ifs == [] and model.us.policy.offers.count("full_relief") == 1


def test_same_controls_and_seed_give_the_same_run():
    runs = []
    for _ in range(2):
        model = app.ClassroomModel(case=HANOI_TITLE, seed=7)
        for _ in range(12):
            model.step()
        runs.append([(e.date, e.text) for e in model.log.events])
    assert runs[0] == runs[1] and runs[0]


def test_the_story_and_charts_follow_the_steps():
    model = app.ClassroomModel(case=HANOI_TITLE, seed=1)
    _, story = solara.render(app.Story(model), handle_error=False)
    assert "0 of 24 months simulated" in _shown(story)
    assert "Nothing has happened yet" in _shown(story)
    _, chart = solara.render(app.CHARTS[0][0](model), handle_error=False)
    before = bytes(chart.find(ipywidgets.Image).widget.value)
    for _ in range(12):
        model.step()
    force_update()
    text = _shown(story)
    assert "12 of 24 months simulated (through 2019-12)" in text
    assert "2019-" in text and "Nothing has happened yet" not in text
    after = bytes(chart.find(ipywidgets.Image).widget.value)
    assert after != before


def test_the_history_sits_beside_the_run():
    model = app.ClassroomModel(case=HANOI_TITLE)
    _, rc = solara.render(app.HistoryPanel(model), handle_error=False)
    text = _shown(rc)
    assert "Trump walks out" in text and "Sources" in text
    assert "disarm first" in text  # the policies in force, in words


def test_the_server_is_local_and_offline_by_default():
    line = command("127.0.0.1", 8765)
    assert line[line.index("--host") + 1] == "127.0.0.1"
    assert "--no-check-version" in line and "--no-open" in line
    from sim.commands.app import SERVER_ENV

    assert SERVER_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_a_broken_case_file_is_left_out_of_the_picker(tmp_path, capsys):
    (tmp_path / "base.yaml").write_text((HANOI.parent / "base.yaml").read_text())
    (tmp_path / "good.yaml").write_text(HANOI.read_text())
    (tmp_path / "broken.yaml").write_text("extends: base.yaml\ntitle: Broken\nactors: {us: {precondition: maybe}}\n")
    found = app.cases(tmp_path)
    assert list(found) == [HANOI_TITLE]
    assert "broken.yaml left out" in capsys.readouterr().err
