"""The registry of actors: which states the model builds, in which order.

The model, the scenario schema (each actor's ``actors:`` block), the dispositions' schema and
the world state (trust rows, unilateral sanctions) all read the actors from here, so an actor
is one module (its ``Actor`` subclass with its policy and dispositions records) plus its YAML
blocks. ``sim.actors`` registers the five shipped actors in a fixed order; an actor's index in
that order is its row in the per-actor arrays (``WorldState.trust``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import create_model

if TYPE_CHECKING:
    from sim.actors.base import Actor, Record

A = TypeVar("A", bound="type[Actor]")

_ACTORS: dict[str, type[Actor]] = {}


def register(cls: A) -> A:
    """Add an actor class after those registered so far (usable as a decorator)."""
    if cls.key in _ACTORS:
        raise ValueError(f"an actor with key {cls.key!r} is already registered")
    if not (cls.key.isidentifier() and cls.key.islower()) or "_" in cls.key:
        raise ValueError(f"actor key {cls.key!r} must be one lowercase word (trust keys are 'truster_trusted')")
    if cls.side not in (None, "dprk", "allies"):
        raise ValueError(f"actor {cls.key!r}: side must be 'dprk', 'allies' or None, not {cls.side!r}")
    _ACTORS[cls.key] = cls
    return cls


def unregister(key: str) -> None:
    """Remove the actor ``key`` (a test's toy actor); later actors move up one row."""
    del _ACTORS[key]


def actor_classes() -> Mapping[str, type[Actor]]:
    """Every registered actor class by key, in registration order (read-only)."""
    return MappingProxyType(_ACTORS)


def actor_keys() -> tuple[str, ...]:
    return tuple(_ACTORS)


def index(key: str) -> int:
    """The actor's row in the per-actor arrays."""
    return actor_keys().index(key)


def on_side(side: str) -> tuple[type[Actor], ...]:
    """The actors that can give items on ``side`` of a package, the lead negotiator first."""
    return tuple(cls for cls in _ACTORS.values() if cls.side == side)


Fields = Callable[[tuple["type[Actor]", ...]], dict[str, tuple[Any, Any]]]
"""The fields a schema adds for the registered actors: name -> (type, default or ``...``)."""


def schema(name: str, base: type[Record], fields: Fields) -> type[Record]:
    """A subclass of ``base`` with the ``fields`` of the actors registered now (``fields`` a
    module-level function, for pickling). Built once per set of registered actors."""
    return _schema(name, base, fields, tuple(_ACTORS.values()))


@cache
def _schema(name: str, base: type[Record], fields: Fields, classes: tuple[type[Actor], ...]) -> type[Record]:
    model = create_model(name, __base__=base, __module__=base.__module__, **fields(classes))

    def reduce(self: Record, protocol: int) -> tuple:  # a built class is not importable: pickle how to build it
        return _restore, (name, base, fields, self.__getstate__())

    model.__reduce_ex__ = reduce  # type: ignore[method-assign]
    return model


def _restore(name: str, base: type[Record], fields: Fields, state: dict) -> Record:
    """Unpickle a record of a built schema (in a worker process, say), built for the actors registered there."""
    cls = schema(name, base, fields)
    record = cls.__new__(cls)
    record.__setstate__(state)
    return record
