"""What differs between the Mesa versions the project supports (3.3 on Python 3.11, 3.5 on 3.12+)."""

from __future__ import annotations

import inspect
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
