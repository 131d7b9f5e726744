"""Quantal-response (logistic) choice, the one way every actor decides.

Each decision compares a value with an alternative; the probability of taking it is
``1 / (1 + exp(-(value - alternative) / temperature))`` (McKelvey and Palfrey's logit
quantal response). The uniforms come from the month's draws (``sim/draws.py``), one stream per decision.
"""

from __future__ import annotations

import numpy as np


def logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0)))


def choose(u: np.ndarray, margin: np.ndarray, temperature: float) -> np.ndarray:
    """One yes/no decision per replica at its uniform ``u``; ``margin`` > 0 favours yes."""
    return u < logistic(np.asarray(margin, dtype=float) / temperature)
