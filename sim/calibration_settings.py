"""How hard the calibration works (``sim/calibration.py``): kept apart so that the command line
can show its defaults without importing the model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How hard the calibration works: the defaults are what ``calibrate`` runs."""

    population: int = 600
    """Particles kept in each generation (the ensemble's size)."""
    replicas: int = 6
    """Replications of each particle on each case."""
    generations: int = 40
    """Generations after the first (drawn from the prior)."""
    batch: int = 1000
    """Particles run at a time."""
    prior_draws: int = 8
    """The first generation draws this many times ``population`` from the prior and keeps the best."""
    min_acceptance: float = 0.01
    """Stop when fewer moves than this share are accepted."""
    max_moves: int = 12
    """Metropolis-Hastings steps a resampled particle takes at most in one generation."""
