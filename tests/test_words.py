"""Outcomes in words for students: units, intervals in range, nothing where nothing happened."""

from __future__ import annotations

import numpy as np

from sim import words
from sim.outcomes import OUTCOMES


def test_every_outcome_has_a_name_with_words_not_identifiers():
    for name in [*OUTCOMES, "missile_launches_2019"]:
        shown = words.name(name)
        assert "_" not in shown and shown[0].isupper(), shown


def test_no_event_reads_as_words_not_the_horizon_month():
    never = np.full(50, 25)
    assert words.value("months_to_agreement", never, 24) == "no agreement in any run"
    assert words.value("months_to_collapse", np.array([25]), 24) == "no collapse"
    some = np.array([3, 5, 25, 25])
    assert words.value("months_to_agreement", some, 24).startswith("4.0 (")  # over the runs with one


def test_a_single_run_has_no_interval_and_a_share_reads_yes_or_no():
    assert words.value("nuclear_tests", np.array([2]), 24) == "2"
    assert words.value("peak_tension", np.array([0.512]), 24) == "0.51"
    assert words.name("agreement_signed", runs=1) == "Agreement signed"
    assert words.value("agreement_signed", np.array([True]), 24) == "yes"
    text, _ = words.change("agreement_signed", np.array([True]), np.array([False]), (24, 24))
    assert text == "-100 points"


def test_intervals_stay_in_range_and_never_read_minus_zero():
    rare = np.zeros(200)
    rare[0] = 1
    text = words.value("nuclear_tests", rare, 108)
    low = float(text.split("(")[1].split(" to ")[0])
    assert low >= 0 and "-0.0" not in text
    tension = np.array([0.99, 1.0, 0.98, 1.0])
    high = float(words.value("peak_tension", tension, 24).split(" to ")[1].rstrip(")"))
    assert high <= 1.0
    diff, _ = words.change("nuclear_tests", rare, np.zeros(200), (108, 108))
    assert "-0.0 " not in diff + " " and not diff.startswith("-0.0")


def test_shares_and_their_changes_read_in_the_same_form():
    a, b = np.array([True] * 80 + [False] * 20), np.array([True] * 20 + [False] * 80)
    assert words.value("agreement_signed", a, 24).startswith("80% (")
    text, clear = words.change("agreement_signed", a, b, (24, 24))
    assert text.startswith("-60 points (") and clear
    assert words.value("walkouts", np.full(10, 4), 24) == "4.0 in every run"
