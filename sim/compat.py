"""What differs between the Mesa versions the project supports (3.3 on Python 3.11, 3.5 on 3.12+)."""

from __future__ import annotations

import inspect
import itertools
import weakref
from collections.abc import Sequence
from typing import Any

import mesa


def batch_run_seeded(model_cls: type[mesa.Model], parameters: dict[str, Any], seeds: Sequence[int], max_steps: int) -> list[dict]:
    """Mesa's ``batch_run``, one run per seed, in one process.

    Mesa 3.5 seeds runs through its ``rng=`` argument (``iterations`` is deprecated and would
    overwrite a seed passed among the parameters); Mesa 3.3 has no such argument and takes the
    seed as a model parameter.
    """
    common = {"max_steps": max_steps, "number_processes": 1, "display_progress": False}
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        return mesa.batch_run(model_cls, parameters=parameters, rng=list(seeds), **common)
    return mesa.batch_run(model_cls, parameters={**parameters, "rng": list(seeds)}, iterations=1, **common)


class _AgentCounters(weakref.WeakKeyDictionary):
    """Per-model agent id counters that let a finished model be freed."""

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


def free_finished_models() -> None:
    """Let Mesa 3.3 free models nobody uses any more.

    Mesa 3.3 counts agent ids in ``Agent._ids``, a class-level dictionary keyed by the model,
    so every model ever created stays in memory with all its state (about 9 MB for a
    10,000-replica run of the Agreed Framework): a sweep grows by that much a chunk. Mesa 3.5
    has no such dictionary. Holding the counters by weak reference keeps ids the same and
    frees the models. Idempotent.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None and not isinstance(ids, _AgentCounters):
        counters = _AgentCounters()
        for model, counter in list(ids.items()):
            counters[model] = counter
        mesa.Agent._ids = counters
