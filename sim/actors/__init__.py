"""The five actors, one module each."""

from sim.actors.base import Actor
from sim.actors.china import China
from sim.actors.dprk import DPRK
from sim.actors.japan import Japan
from sim.actors.south_korea import SouthKorea
from sim.actors.united_states import UnitedStates

ACTOR_CLASSES: dict[str, type[Actor]] = {
    cls.key: cls for cls in (UnitedStates, DPRK, China, SouthKorea, Japan)
}
ACTOR_KEYS: tuple[str, ...] = tuple(ACTOR_CLASSES)
ALLIES: tuple[str, ...] = ("us", "rok", "japan", "china")
"""Who can give items on the allied side of a package (China in six-party deals)."""

__all__ = ["ACTOR_CLASSES", "ACTOR_KEYS", "ALLIES", "Actor", "China", "DPRK", "Japan", "SouthKorea", "UnitedStates"]
