"""Quantal-response (logistic) choice, the one way every actor decides.

Each decision compares a value with an alternative; the probability of taking it is
``1 / (1 + exp(-(value - alternative) / temperature))`` (McKelvey and Palfrey's logit
quantal response). All draws come from the model's seeded generator.
"""

from __future__ import annotations

import numpy as np


def logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0)))


def choose(rng: np.random.Generator, margin: np.ndarray, temperature: float) -> np.ndarray:
    """Draw one yes/no decision per replica; ``margin`` > 0 favours yes."""
    margin = np.asarray(margin, dtype=float)
    return rng.random(margin.shape) < logistic(margin / temperature)
