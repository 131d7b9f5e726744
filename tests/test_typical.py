"""One typical story: the same replication in ``run --narrate``, the app and the report, whatever ``--reps`` is."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim import typical
from sim.narrate import month_lines
from tests.conftest import AGREED_FRAMEWORK, HANOI


def _story_lines(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if "a typical run of 200" in line or "run of 200" in line)
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start:end]


def _words(lines) -> str:  # noqa: ANN001
    return " ".join(" ".join(lines).split())


def test_the_typical_run_is_nearest_the_median_and_the_unusual_one_furthest():
    outcomes = {name: np.zeros(5) for name in typical.MAIN}
    outcomes["walkouts"] = np.array([0.0, 4, 5, 6, 40])
    outcomes["freeze_months"] = np.array([0.0, 10, 10, 10, 0])
    assert typical.pick(outcomes) == 2 and typical.pick(outcomes, "unusual") == 4
    assert typical.pick(outcomes, 3) == 3
    with pytest.raises(ValueError):
        typical.pick(outcomes, 5)


def test_the_story_does_not_change_with_reps(cli):
    stories = []
    for reps in (1, 3):
        result = cli("run", AGREED_FRAMEWORK, "--reps", reps, "--narrate")
        assert result.code == 0, result.err
        stories.append(_story_lines(result.out))
    assert stories[0] == stories[1]
    choice = typical.choose(AGREED_FRAMEWORK, 0)
    assert stories[0][0].endswith(f"a typical run of 200 (run {choice.replica}, seed 0)")


def test_the_story_is_the_same_in_run_the_app_and_the_report(cli, tmp_path):
    pytest.importorskip("solara")
    from sim import app

    model = app.ClassroomModel(case=HANOI.stem, seed=4, china_stance="low (0.25)")
    assert model.what_ifs == ["china.stance=0.25"]
    result = cli("run", HANOI, "--reps", 2, "--narrate", "--seed", 4, "--set", "china.stance=0.25")
    printed = _story_lines(result.out)
    assert printed[0].endswith(model.choice.label) and len(printed) > 3
    model.run()
    told = month_lines(model.told, replica=model.choice.replica)
    assert _words(printed[1:]) == _words(f"{date}: {text}" for date, text in told)  # the terminal wraps long lines
    page = tmp_path / "r.html"
    assert cli("report", HANOI, "-o", page, "--reps", 3, "--seed", 4, "--set", "china.stance=0.25").code == 0
    html = page.read_text()
    assert f"The story of {model.choice.label}" in html
    items = re.findall(r"<li><b>([0-9-]+)</b> ([^<]*)</li>", html)
    import html as html_module

    assert [(d, html_module.unescape(t)) for d, t in items] == told


def test_a_student_can_ask_for_an_unusual_run_or_one_by_number(cli):
    unusual = cli("run", HANOI, "--reps", 1, "--narrate", "--story", "unusual")
    assert "the most unusual run of 200" in unusual.out
    chosen = cli("run", HANOI, "--reps", 1, "--narrate", "--story", "17")
    assert "run 17 of 200 (seed 0), chosen by number" in chosen.out
    bad = cli("run", HANOI, "--narrate", "--story", "200")
    assert bad.code == 2 and bad.err.count("\n") == 1


def test_the_json_story_names_its_replication(cli):
    import json

    result = cli("run", HANOI, "--reps", 2, "--narrate", "--json")
    payload = json.loads(result.out)
    choice = typical.choose(HANOI, 0)
    assert payload["story_replication"] == choice.replica and payload["story_label"] == choice.label
    assert payload["story"] and {event["replica"] for event in payload["story"]} == {choice.replica}
    assert payload["replications"] == 2 and "agreement_signed" in payload["outcomes"]


def test_recording_the_story_does_not_change_the_run():
    told, choice = typical.tell(AGREED_FRAMEWORK, 1)
    pool = typical._pool_outcomes(told.scenario, 1)
    for name in typical.MAIN:
        assert np.array_equal(told.outcomes[name], pool[name]), name
