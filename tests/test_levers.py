"""Every lever is live, and no yes/no outcome of a public case is fixed by its inputs alone.

``DESIGN.md`` ("How the model earns trust") and issue 8: a disposition that changes no
outcome anywhere is a broken mechanism, and an outcome that no plausible disposition can move
is scripted by its inputs (a gate no disposition opens, a shock whose month is the outcome's).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from sim.dispositions import Entry, calibrated_values, catalogue
from sim.fidelity import observed_cases
from sim.outcomes import BINARY
from sim.runner import simulate
from sim.scenario import load_scenario
from sim.shock_sensitivity import variants as shock_variants

CASES = observed_cases()
LEVER_REPS = 60
SHARE_REPS = 200
SEED = 3


@cache
def outcomes(case: str, overrides: tuple[str, ...] = (), reps: int = LEVER_REPS) -> dict[str, np.ndarray]:
    return simulate(case, replicas=reps, seed=SEED, overrides=list(overrides), record_events=0, record_series=False).outcomes


def calibrated(entry: Entry) -> float:
    node = calibrated_values()
    for part in entry.path:
        node = node[part]
    return float(node)


def moved_values(entry: Entry) -> list[float]:
    """The calibrated value halved and doubled (kept within the disposition's bounds), then each bound."""
    value = calibrated(entry)
    moved = [float(np.clip(value * f, entry.low, entry.high)) for f in (0.5, 2.0)] + [entry.low, entry.high]
    return [v for v in dict.fromkeys(moved) if v != value]


WHAT_IFS = [(str(case), tuple(cf.set)) for case in CASES for cf in load_scenario(case).counterfactuals]
"""Each case's documented counterfactuals, shipped with it."""
SHOCKS_MOVED = [(str(case), v.overrides) for case in CASES for v in shock_variants(load_scenario(case))]
"""Each case with one shock moved or resized as ``fidelity --shock-sensitivity`` does (the
inputs' own uncertainty): a lever of a mechanism the shocks' record dates leave idle."""


@pytest.mark.parametrize("entry", catalogue(), ids=lambda e: e.name)
def test_every_disposition_changes_some_outcome_of_some_case(entry: Entry):
    # the cases as shipped, then with more replications (a lever acting on rare events needs them),
    # then under their documented what-ifs (a lever of a mechanism the record's cases leave idle),
    # then with each shock moved or resized within the case
    passes = [([(str(c), ()) for c in CASES], LEVER_REPS), ([(str(c), ()) for c in CASES], 5 * LEVER_REPS), (WHAT_IFS, 5 * LEVER_REPS),
              (SHOCKS_MOVED, 5 * LEVER_REPS)]
    for variants, reps in passes:
        for case, what_if in variants:
            base = outcomes(case, what_if, reps)
            for value in moved_values(entry):
                changed = outcomes(case, (*what_if, f"{entry.name}={value:.6g}"), reps)
                if any(not np.array_equal(base[k], changed[k]) for k in base):
                    return
    pytest.fail(f"{entry.name} (halved and doubled within [{entry.low:g}, {entry.high:g}]) changes no outcome of any public case")


CHANGES: tuple[tuple[str, ...], ...] = (
    ("world.choice_temperature=1",),
    ("dprk.audience_cost=0", "us.audience_cost=0"),
    ("dprk.audience_cost=2", "us.audience_cost=2"),
    ("dprk.talk_benefit=1", "us.talk_benefit=1"),
    ("dprk.talk_benefit=-1", "us.talk_benefit=-1"),
    ("dprk.stay_bias=-1", "us.stay_bias=-1"),
    ("dprk.stay_bias=2", "us.stay_bias=2"),
    ("world.defection_tolerance=10",),
    ("world.defection_tolerance=0.1",),
    ("world.failure_lesson=0", "world.belief_memory=0"),
    ("dprk.verification_aversion=0", "dprk.sanctions_pain=5"),
)
"""Changes of dispositions within their bounds, tried in turn: the decisions' temperature,
audience costs, the worth of talking, the reluctance to renege, the tolerance of defection,
the lessons of failure, a DPRK that minds verification less and hurts more under sanctions."""

BINARY_BANDS = [(case, name) for case in CASES for name in load_scenario(case).observed if name in BINARY]


@pytest.mark.parametrize(("case", "outcome"), BINARY_BANDS, ids=lambda v: getattr(v, "stem", v))
def test_no_yes_no_outcome_is_fixed_by_the_inputs(case, outcome):
    base = outcomes(str(case), (), SHARE_REPS)[outcome].mean()
    shares = {}
    for change in CHANGES:
        shares[change] = outcomes(str(case), change, SHARE_REPS)[outcome].mean()
        if abs(shares[change] - base) >= 0.2:
            return
    pytest.fail(f"{case.stem}: {outcome} share {base:.2f} moves less than 0.2 under every change: {shares}")


def test_every_disposition_has_bounds_a_meaning_and_a_source_on_the_docs_page():
    from pathlib import Path

    from sim.dispositions import markdown_table

    assert all(e.low < e.high and e.description and e.source for e in catalogue())
    page = Path(__file__).resolve().parent.parent / "docs" / "dispositions.md"
    assert page.read_text(encoding="utf-8") == markdown_table(), "regenerate: python -m sim.dispositions > docs/dispositions.md"
