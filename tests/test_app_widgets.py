"""The classroom app without a browser: the model behind the controls, the page's widget tree, the CDN proxy."""

from __future__ import annotations

import re
import warnings
from html import unescape

import pytest

pytest.importorskip("solara")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from sim import app, charts, typical, web  # noqa: E402
from sim.commands.app import command  # noqa: E402
from tests.conftest import HANOI  # noqa: E402

HANOI_TITLE = "The Hanoi summit, 2019-2020"

warnings.filterwarnings("ignore", message=".*use_state.*found despite early return.*")


def _shown(rc) -> str:  # noqa: ANN001
    """The text of the HTML blocks of a render, tags removed."""
    html = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _months(rc) -> str:  # noqa: ANN001
    return re.search(r"\d+ of \d+ months simulated", _shown(rc)).group(0)


def test_the_picker_lists_the_cases_but_not_the_base_file():
    assert HANOI_TITLE in app.CASES and app.CASES[HANOI_TITLE] == HANOI
    assert all(path.stem != "base" for path in app.CASES.values())


def test_controls_become_what_ifs():
    model = app.ClassroomModel(case=HANOI_TITLE, us_sequencing="action for action", us_adds="partial sanctions relief",
                               china_stance="low (0.25)", dprk_adds="a freeze of Yongbyon")
    assert "us.sequencing=action_for_action" in model.what_ifs
    assert "china.stance=0.25" in model.what_ifs
    assert model.us.policy.sequencing == "action_for_action"
    assert model.us.policy.offers[-1] == "partial_relief" and "full_relief" in model.us.policy.offers
    assert model.china.policy.stance == 0.25 and "freeze" in model.dprk.policy.offers
    untouched = app.ClassroomModel(case=HANOI_TITLE)
    assert untouched.what_ifs == [] and untouched.us.policy.sequencing == "disarm_first"


def test_an_offer_already_made_is_not_added_twice():
    model = app.ClassroomModel(case=HANOI_TITLE, us_adds="lifting all sanctions")
    assert model.what_ifs == [] and model.us.policy.offers.count("full_relief") == 1


def test_the_app_tells_the_typical_run_and_its_events_only():
    model = app.ClassroomModel(case=HANOI_TITLE, seed=3)
    assert model.choice == typical.choose(HANOI, 3)
    model.run()
    assert model.told and {event.replica for event in model.told} == {model.choice.replica}
    told, choice = typical.tell(HANOI, 3)
    assert [(e.date, e.text) for e in model.told] == [(e.date, e.text) for e in told.events]
    unusual = app.ClassroomModel(case=HANOI_TITLE, seed=3, story="unusual")
    assert unusual.choice.replica == typical.choose(HANOI, 3, which="unusual").replica != choice.replica


def test_chart_rows_follow_the_told_run_with_the_middle_80_percent():
    model = app.ClassroomModel(case=HANOI_TITLE, seed=1)
    for _ in range(6):
        model.step()
    data = model.chart_data()
    tension = [row for row in data["series"] if row["measure"] == "tension"]
    assert [row["date"] for row in tension] == [f"2019-{m:02d}-01" for m in range(1, 8)]
    assert all(row["low"] <= row["high"] for row in tension)
    assert tension[-1]["value"] == round(float(model.world.tension[model.choice.replica]), 4)
    kinds = {event.kind for event in model.told}
    assert {row["event"] for row in data["events"]} == {charts.MARKED[k][0] for k in kinds if k in charts.MARKED}


def test_the_chart_data_carry_the_run_so_the_page_adds_only_new_rows():
    import json

    model = app.ClassroomModel(case=HANOI_TITLE, seed=1)
    before = json.loads(model.chart_json())
    model.step()
    after = json.loads(model.chart_json())
    assert after["run"] == before["run"] and after["series"][: len(before["series"])] == before["series"]
    assert len(after["series"]) == len(before["series"]) + len(before["series"])  # one month more
    assert {k: v for k, v in after.items() if k != "run"} == model.chart_data()
    assert json.loads(app.ClassroomModel(case=HANOI_TITLE, seed=1).chart_json())["run"] != after["run"]  # a new run


def test_every_launch_range_is_marked_and_the_time_axis_is_dated():
    assert {"short_range_launches", "long_range_launch", "nuclear_test"} <= set(charts.MARKED)
    spec = charts.spec(2019 * 12, 2020 * 12 + 11, "a typical run of 200")
    for panel in spec["concat"]:
        for layer in panel["layer"]:
            x = layer["encoding"]["x"]
            assert x["type"] == "temporal" and x["field"] == "date" and x["scale"]["domain"][0]["year"] == 2019


def test_the_page_steps_restarts_on_a_changed_policy_and_resets():
    _, rc = solara.render(app.Page(), handle_error=False)
    assert _months(rc) == "0 of 108 months simulated" and "a typical run of 200" in _shown(rc)
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(3):
        step.click()
    assert _months(rc) == "3 of 108 months simulated"
    rc.find(v.Select, label="Who delivers first").widget.v_model = "relief first"
    assert _months(rc) == "0 of 108 months simulated"
    assert "us.sequencing=relief_first" in _shown(rc)
    step.click()
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _months(rc) == "0 of 108 months simulated" and "us.sequencing=relief_first" in _shown(rc)
    rc.find(v.Select, label="Case").widget.v_model = HANOI_TITLE
    assert _months(rc) == "0 of 24 months simulated"
    assert "What happened in history: 2019-01" in _shown(rc)


def test_the_history_sits_beside_the_run():
    model = app.ClassroomModel(case=HANOI_TITLE)
    text = unescape(re.sub(r"<[^>]+>", " ", app.history_text(model)))
    assert "Trump walks out" in text and "Sources" in text
    assert "disarm first" in text  # the policies in force, in words


def test_the_server_is_local_offline_and_culls_closed_sessions():
    line = command("127.0.0.1", 8765)
    assert line[line.index("--host") + 1] == "127.0.0.1"
    assert "--no-check-version" in line and "--no-open" in line
    from sim.commands.app import SERVER_ENV

    assert SERVER_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert SERVER_ENV["SOLARA_THEME_SHOW_BANNER"] == "False"
    assert SERVER_ENV["SOLARA_KERNEL_CULL_TIMEOUT"].endswith("m")


def test_the_cdn_proxy_never_fetches(monkeypatch, tmp_path):
    import requests
    import solara.server.cdn_helper as cdn_helper

    def no_network(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError(f"a request left the machine: {args}")

    monkeypatch.setattr(requests, "get", no_network)
    assert cdn_helper.fetch_from_cdn is web.refuse_outside
    with pytest.raises(web.NotShipped):
        cdn_helper.get_path(tmp_path, "left-pad@1.3.0/index.js")


def test_the_charts_load_builds_that_are_shipped():
    for path in web.ASSETS.values():
        assert (web.cache_dir() / path).is_file(), path


def test_the_page_holds_still():
    """The page's <head> carries sim/assets/custom.css (no animation, transition or ripple) and
    the buttons have no ripple: animated frames cost thirty browsers on one laptop their CPU."""
    import solara.server.server as server
    import solara.server.settings as settings

    assert str(web.PAGE_ASSETS) in settings.assets.extra_locations
    css = (web.PAGE_ASSETS / "custom.css").read_text()
    assert "animation: none !important" in css and "transition: none !important" in css
    assert server.asset_directories().index(web.PAGE_ASSETS) < len(server.asset_directories()) - 1  # before Solara's own
    assert sorted(p.name for p in web.PAGE_ASSETS.iterdir()) == ["custom.css"]  # nothing else served from there
    _, rc = solara.render(app.Page(), handle_error=False)
    for name in ("Step", "Play", "Reset"):
        assert rc.find(v.Btn, children=[name]).widget.ripple is False


def test_a_broken_case_file_is_left_out_of_the_picker(tmp_path, capsys):
    (tmp_path / "base.yaml").write_text((HANOI.parent / "base.yaml").read_text())
    (tmp_path / "good.yaml").write_text(HANOI.read_text())
    (tmp_path / "broken.yaml").write_text("extends: base.yaml\ntitle: Broken\nactors: {us: {precondition: maybe}}\n")
    found = app.cases(tmp_path)
    assert list(found) == [HANOI_TITLE]
    assert "broken.yaml left out" in capsys.readouterr().err
