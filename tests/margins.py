"""Directional tests run at the margin: a public case with one lever set where an outcome is
nearest an even chance, so that a change of disposition can show (far from the margin a
decision is all but certain whichever way a disposition moves). They run at the point
(``--point``): one disposition set for every replica, one lever moved, so that the change seen is
the lever's and not a difference between sets drawn from the posterior."""

from __future__ import annotations

from sim.runner import simulate

SEED = 5
SMALL_DEAL = [
    "us.sequencing=action_for_action",
    "us.offers=[security_assurance, partial_relief]",
    "us.demands=[dismantlement, test_moratorium, declaration]",
    "us.required=[dismantlement, test_moratorium]",
    "us.verification=0.5",
]
"""Hanoi with the US dropping 'full denuclearisation first' for action for action with partial
relief: Yongbyon with US experts present and a written test halt for the civilian sanctions
(the case's own counterfactual)."""


def share(case, outcome: str, overrides: list[str], reps: int = 200) -> float:
    return float(simulate(case, replicas=reps, seed=SEED, overrides=overrides, record_events=0, point=True,
                          record_series=False).outcomes[outcome].mean())


def at_the_margin(case, outcome: str, what_if: list[str], lever: str, low: float, high: float, steps: int = 8) -> list[str]:
    """``what_if`` with ``lever`` set where the case's ``outcome`` is nearest an even chance (bisection).

    Directional tests are run there, where a change can show: far from the margin a decision is
    all but certain whichever way a disposition moves."""
    at = {v: share(case, outcome, [*what_if, f"{lever}={v:.4f}"]) for v in (low, high)}
    assert (at[low] - 0.5) * (at[high] - 0.5) < 0, f"{lever} from {low} to {high} does not cross the margin: {at}"
    rising = at[high] > at[low]
    for _ in range(steps):
        mid = (low + high) / 2
        above = share(case, outcome, [*what_if, f"{lever}={mid:.4f}"]) > 0.5
        low, high = (low, mid) if above == rising else (mid, high)
    return [*what_if, f"{lever}={(low + high) / 2:.4f}"]
