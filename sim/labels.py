"""Words for the classroom: one human label per item, measure, outcome and policy value.

The model names things as identifiers (``fuel_oil``, ``partial_relief``); narration, charts,
the report and the app show these labels instead (state series are labelled in
``sim.model.SERIES``). Every item of ``sim.concessions`` has
one here (a test checks it).
"""

from __future__ import annotations

import re

ITEMS: dict[str, str] = {
    # What the DPRK can give.
    "test_moratorium": "a halt to nuclear and long-range tests",
    "freeze": "a freeze of Yongbyon",
    "inspections": "IAEA inspections",
    "disablement": "disabling Yongbyon's plants",
    "dismantlement": "dismantling Yongbyon",
    "declaration": "a full declaration of its programmes",
    "denuclearization": "complete denuclearisation",
    "remains": "returning US soldiers' remains",
    # What the United States and its partners can give.
    "fuel_oil": "fuel oil",
    "lwr": "two light-water reactors",
    "food_aid": "food aid",
    "partial_relief": "partial sanctions relief",
    "full_relief": "lifting all sanctions",
    "security_assurance": "a security assurance",
    "peace_declaration": "an end-of-war declaration",
    "exercise_suspension": "suspending joint exercises",
    "normalisation": "diplomatic normalisation",
    "terror_delisting": "removal from the terrorism list",
    "china_aid": "Chinese aid",
    "inter_korean": "inter-Korean projects",
    "japan_aid": "Japanese aid",
}

PANELS: dict[str, tuple[str, ...]] = {
    "Tension": ("tension", "crisis_hazard"),
    "DPRK capability": ("material", "warheads"),
    "Sanctions pressure": ("pressure", "enforcement"),
    "Trust": ("trust_dprk_us", "trust_us_dprk"),
}
"""The four chart panels of the classroom and the series drawn in each (labels in ``sim.model.SERIES``)."""

OUTCOMES: dict[str, str] = {
    "talks_opened": "Talks opened",
    "months_to_talks": "Months to first talks",
    "agreement_signed": "Agreement signed",
    "months_to_agreement": "Months to agreement",
    "freeze_months": "Months Yongbyon frozen",
    "inspection_months": "Months with inspectors",
    "collapsed": "Deal collapsed",
    "months_to_collapse": "Months to collapse",
    "walkouts": "Walkouts",
    "nuclear_tests": "Nuclear tests",
    "long_range_launches": "Long-range launches",
    "missile_launches": "Ballistic missile launches",
    "unsc_resolutions": "New UN sanctions resolutions",
    "peak_tension": "Highest tension",
    "crisis_months": "Months with a crisis",
    "warheads_end": "Warheads at the end",
    "sanctions_pressure_mean": "Mean sanctions pressure",
}

POLICY_VALUES: dict[str, str] = {
    "none": "none",
    "moratorium": "a test moratorium first",
    "freeze": "a freeze first",
    "denuclearization_steps": "denuclearisation steps first",
    "denuclearization_off_agenda": "denuclearisation off the agenda",
    "hostile_policy_end": "an end to 'hostile policy' first",
    "disarm_first": "disarm first",
    "action_for_action": "action for action",
    "relief_first": "relief first",
    "bilateral": "bilateral",
    "summit": "leaders' summit",
    "six_party": "six-party",
    "engagement": "engagement",
    "pressure": "pressure",
    "boulware": "hold out (Boulware)",
    "linear": "steady",
    "conceder": "concede early",
    "tit_for_tat": "tit for tat",
}


def item(name: str) -> str:
    """The label of item ``name`` (the name itself, spaced, if unknown)."""
    return ITEMS.get(name, name.replace("_", " "))


def outcome(name: str) -> str:
    """``missile_launches_2019`` reads 'Ballistic missile launches in 2019'."""
    match = re.fullmatch(r"missile_launches_(\d{4})", name)
    if match:
        return f"Ballistic missile launches in {match.group(1)}"
    return OUTCOMES.get(name, name.replace("_", " ").capitalize())


def policy_value(value: object) -> str:
    return POLICY_VALUES.get(str(value), str(value).replace("_", " "))


def and_list(words: list[str]) -> str:
    """``['a', 'b', 'c']`` reads 'a, b and c'."""
    if not words:
        return "nothing"
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


def items(names: list[str] | tuple[str, ...]) -> str:
    return and_list([item(n) for n in names])
