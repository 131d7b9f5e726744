"""The five shipped actors, one module each, registered in a fixed order (their rows in the
per-actor arrays). A new actor is one module calling ``register`` on its ``Actor`` subclass;
see ``docs/model.md``, "Adding an actor"."""

from sim.actors.base import Actor
from sim.actors.china import China
from sim.actors.dprk import DPRK
from sim.actors.japan import Japan
from sim.actors.registry import actor_classes, actor_keys, register, unregister
from sim.actors.south_korea import SouthKorea
from sim.actors.united_states import UnitedStates

for _cls in (UnitedStates, DPRK, China, SouthKorea, Japan):
    register(_cls)

__all__ = ["Actor", "China", "DPRK", "Japan", "SouthKorea", "UnitedStates", "actor_classes", "actor_keys", "register", "unregister"]
