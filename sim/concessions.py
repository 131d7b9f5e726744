"""The issue space: everything a package can contain, who can give it, and how it is delivered.

Items follow ``DESIGN.md`` ("Offers are packages over a shared issue space") and the deals in
``history/cases.md``: the 1994 freeze for fuel oil and light-water reactors, the 2007
shutdown and disablement for fuel oil, the 2019 offer of Yongbyon for partial relief.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Side = Literal["dprk", "allies"]


@dataclass(frozen=True)
class Item:
    """One concession.

    ``lead_months``: months after signing before delivery starts under action-for-action.
    ``duration``: months it takes to deliver (one-off items) or 0 for a continuing item
    that is delivered every month while the deal lasts (a freeze, fuel oil).
    ``scales_with``: the state its value depends on: ``pressure`` (relief is worth what
    sanctions cost), ``capability`` (giving up a larger arsenal costs more), ``tension``
    (an assurance is worth more the more insecure the DPRK is), ``provocation`` (a test moratorium
    is worth the chance of the tests and launches it stops) or ``none``.
    ``relief_share``: the share of sanctions pressure a relief item lifts.
    """

    name: str
    side: Side
    lead_months: int
    duration: int
    scales_with: Literal["pressure", "capability", "tension", "provocation", "none"] = "none"
    description: str = ""
    relief_share: float = 0.0

    @property
    def continuing(self) -> bool:
        return self.duration == 0


CATALOGUE: tuple[Item, ...] = (
    # What the DPRK can give.
    Item("test_moratorium", "dprk", 0, 0, "provocation", "no nuclear test or long-range launch"),
    Item("freeze", "dprk", 1, 0, description="freeze of the Yongbyon reactor and plants"),
    Item("inspections", "dprk", 1, 0, description="IAEA inspectors monitoring the facilities"),
    Item("disablement", "dprk", 3, 9, "capability", "disable reactor, reprocessing, fuel plant"),
    Item("dismantlement", "dprk", 6, 18, "capability", "dismantle all of Yongbyon"),
    Item("declaration", "dprk", 3, 6, description="full declaration of all programmes"),
    Item("denuclearization", "dprk", 12, 36, "capability", "weapons and fissile material out"),
    Item("remains", "dprk", 0, 2, description="repatriation of US soldiers' remains"),
    # What the United States and its partners can give.
    Item("fuel_oil", "allies", 3, 0, description="heavy fuel oil shipments"),
    Item("lwr", "allies", 24, 96, description="two light-water reactors (KEDO)"),
    Item("food_aid", "allies", 1, 6, description="food aid"),
    Item("partial_relief", "allies", 1, 0, "pressure", "lifting the civilian-economy sanctions", relief_share=0.5),
    Item("full_relief", "allies", 1, 0, "pressure", "lifting all sanctions", relief_share=1.0),
    Item("security_assurance", "allies", 0, 1, "tension", "assurance against attack"),
    Item("peace_declaration", "allies", 1, 6, "tension", "end-of-war declaration or treaty"),
    Item("exercise_suspension", "allies", 0, 0, "tension", "suspension of joint exercises"),
    Item("normalisation", "allies", 12, 36, description="diplomatic normalisation"),
    Item("terror_delisting", "allies", 3, 1, description="removal from the terrorism list"),
    Item("china_aid", "allies", 0, 0, description="Chinese aid or relaxed enforcement"),
    Item("inter_korean", "allies", 1, 0, description="inter-Korean economic projects"),
    Item("japan_aid", "allies", 6, 24, description="Japanese aid, tied to the abduction issue"),
)

NAMES: tuple[str, ...] = tuple(item.name for item in CATALOGUE)
INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}
BY_NAME: dict[str, Item] = {item.name: item for item in CATALOGUE}
N_ITEMS = len(CATALOGUE)

IS_DPRK = np.array([item.side == "dprk" for item in CATALOGUE])
IS_CONTINUING = np.array([item.continuing for item in CATALOGUE])
LEAD = np.array([item.lead_months for item in CATALOGUE], dtype=float)
DURATION = np.array([item.duration for item in CATALOGUE], dtype=float)
SCALES_WITH_PRESSURE = np.array([item.scales_with == "pressure" for item in CATALOGUE])
SCALES_WITH_CAPABILITY = np.array([item.scales_with == "capability" for item in CATALOGUE])
SCALES_WITH_TENSION = np.array([item.scales_with == "tension" for item in CATALOGUE])
SCALES_WITH_PROVOCATION = np.array([item.scales_with == "provocation" for item in CATALOGUE])
RELIEF_SHARE = np.array([item.relief_share for item in CATALOGUE])


def mask(names: list[str] | tuple[str, ...]) -> np.ndarray:
    """Boolean vector over the catalogue with ``names`` set."""
    out = np.zeros(N_ITEMS, dtype=bool)
    for name in names:
        out[INDEX[name]] = True
    return out


def items_in(package: np.ndarray) -> list[str]:
    """The names of the items in a boolean package vector."""
    return [name for name, on in zip(NAMES, package, strict=True) if on]


def describe(package: np.ndarray) -> str:
    """``'freeze, inspections for fuel_oil, lwr'`` for a boolean package vector."""
    gives = [n for n, on, d in zip(NAMES, package, IS_DPRK, strict=True) if on and d]
    gets = [n for n, on, d in zip(NAMES, package, IS_DPRK, strict=True) if on and not d]
    return f"{', '.join(gives) or 'nothing'} for {', '.join(gets) or 'nothing'}"
