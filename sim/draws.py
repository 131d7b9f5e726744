"""Each month's random numbers: a counter-based stream per decision and month.

Every chance event reads its uniforms from a stream of its own, keyed by the run's seed, the
month and the decision's name (``SITES``), one uniform per replica (or per replica and item)
from a Philox generator (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3": a
counter-based generator gives independent streams by key, with nothing to carry over). So a
replica's draws depend on its own row alone: not on how many replicas run beside it, nor on
what the others do. A what-if that changes one replica's path leaves every other replica's
path as it was (common random numbers, the condition of a paired comparison), and replica r of
a run of ten is replica r of a run of ten thousand.

A decision not taken in a month (no talks, no deal in force) draws nothing and shifts nothing;
an actor's vote on a UN resolution has a stream keyed by the actor, so that registering an
actor changes no other draw. Counts are drawn by inverting their distribution at a uniform
(``poisson``), never by a sampler that uses a varying number of uniforms.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import special

SITES: frozenset[str] = frozenset({
    "talks.wants.dprk", "talks.wants.allies", "talks.accepts.dprk", "talks.accepts.allies", "talks.walks.dprk", "talks.walks.allies",
    "deal.keeps.dprk", "deal.keeps.allies", "deal.reviews.dprk", "deal.reviews.allies", "deal.delivers",
    "provocation.short_range", "provocation.long_range", "provocation.test", "crisis",
})
"""The decisions of the step protocol that draw; besides these, ``veto.KEY`` for each actor's
vote on a UN resolution."""


def veto_site(actor_key: str) -> str:
    """An actor's vote on a UN resolution."""
    return f"veto.{actor_key}"


class MonthDraws:
    """The uniforms of the month for every replica, by decision name."""

    def __init__(self, rng: np.random.Generator, replicas: int) -> None:
        self.key = int(rng.spawn(1)[0].integers(2**63))
        """The run's key, from a child of the model's seeded generator (``Generator.spawn``): what the
        generator drew before (one ensemble set per replica) leaves it as it is."""
        self.replicas = replicas
        self.month = 0
        self._bits = np.random.Philox(key=[self.key, 0])
        self._generator = np.random.Generator(self._bits)
        self._drawn: dict[str, np.ndarray] = {}

    def start_month(self, month_index: int) -> None:
        """Move to ``month_index`` (months counted from the case's start)."""
        if month_index != self.month:
            self.month, self._drawn = month_index, {}

    def uniform(self, site: str, items: int | None = None) -> np.ndarray:
        """The month's uniforms of decision ``site``: (R,), or (R, items); the same within a month."""
        if site not in SITES and not (site.startswith("veto.") and len(site) > len("veto.")):
            raise KeyError(f"no random draw named {site!r}; the sites are {', '.join(sorted(SITES))} and veto.ACTOR")
        if site not in self._drawn:
            # the stream of (run, month, site): Philox's key, its counter from zero
            state = self._bits.state
            state["state"]["key"][1] = (self.month << 33) | (1 + zlib.crc32(site.encode()))
            state["state"]["counter"][:] = 0
            state["buffer_pos"], state["has_uint32"] = 4, 0
            self._bits.state = state
            self._drawn[site] = self._generator.random((self.replicas,) if items is None else (self.replicas, items))
        drawn = self._drawn[site]
        if (items is None and drawn.ndim != 1) or (items is not None and drawn.shape[1:] != (items,)):
            raise ValueError(f"{site!r} was drawn with another shape this month: {drawn.shape}")
        return drawn


SUMMED_BELOW = 10.0
"""Rates below this are inverted by summing the terms (fast for the few terms they need); higher
ones by a search on the distribution function."""


def poisson(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Poisson counts with mean ``rate`` at uniforms ``u``: the least k whose cumulative
    probability reaches u, so that one uniform gives one count whatever the rate (inversion,
    Devroye 1986, X.3). ``scipy.stats.poisson.ppf`` gives the same counts, some 50 times slower
    at the rates of a case (4.2 s against 0.08 s for 108 months of 10,000 replicas at rates
    below 3, on the 2-core machine of 2026-12-04, a calibration running beside)."""
    u = np.asarray(u, dtype=float)
    rate = np.broadcast_to(np.asarray(rate, dtype=float), u.shape)
    count = np.zeros(u.shape, dtype=np.int64)
    low = rate < SUMMED_BELOW
    count[low] = _summing(u[low], rate[low])
    count[~low] = _searching(u[~low], rate[~low])
    return count


def _summing(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """The inverse by adding terms e^-r r^k / k! until their sum reaches u (1-D arrays)."""
    term = np.exp(-rate)
    cumulative = term.copy()
    count = np.zeros(u.shape, dtype=np.int64)
    searching = np.flatnonzero(u > cumulative)  # most replicas stop at 0 or 1: work on the rest only
    k = 0
    while searching.size:
        k += 1
        term[searching] *= rate[searching] / k
        before = cumulative[searching]
        cumulative[searching] += term[searching]
        count[searching] = k
        # a term that no longer adds to the sum ends the search (u within rounding of 1): waiting
        # for the term to underflow to 0 gave 219 at u = 1 - 2^-53 and a rate of 2.75
        searching = searching[(u[searching] > cumulative[searching]) & (cumulative[searching] > before)]
    return count


def _searching(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """The inverse by stepping from the Cornish-Fisher guess to the least k with
    ``scipy.special.pdtr(k, rate) >= u`` (1-D arrays): one or two steps at most rates."""
    z = special.ndtri(u)
    guess = np.nan_to_num(rate + np.sqrt(rate) * z + (z * z - 1.0) / 6.0, nan=0.0, posinf=0.0, neginf=0.0)
    count = np.floor(np.clip(guess, 0.0, None))
    up = special.pdtr(count, rate) < u
    while up.any():
        count = np.where(up, count + 1.0, count)
        up &= special.pdtr(count, rate) < u
    down = (count > 0) & (special.pdtr(count - 1.0, rate) >= u)
    while down.any():
        count = np.where(down, count - 1.0, count)
        down &= (count > 0) & (special.pdtr(count - 1.0, rate) >= u)
    return count.astype(np.int64)
