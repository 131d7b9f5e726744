"""Recent months weighed together: the one way the model remembers a running level.

Exponential smoothing: ``memory`` of what was, the rest of this month's. A side's record of the
other's shortfall and its own loss from keeping a deal (``sim/implementation.py``), the DPRK's
recent launch rate (``sim/coercion.py``) and China's enforcement (``sim/actors/china.py``) are
each weighed so."""

from __future__ import annotations

import numpy as np


def weigh_recent(memory: float | np.ndarray, before: np.ndarray, now: np.ndarray | float) -> np.ndarray:
    """``memory`` of ``before`` and the rest of ``now``."""
    return memory * before + (1 - memory) * now
