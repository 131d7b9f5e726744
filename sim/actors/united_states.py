"""The United States: sets preconditions for talks, leads the allied side of a negotiation,
answers provocations with exercises and sanctions.

Encodes ``history/cases.md``: the 1994 freeze-for-fuel-oil deal (action for action), the
Obama precondition of denuclearisation steps before talks (seed article 004), the Hanoi
position "no relief before full denuclearisation" (seed article 000: Washington "flatly
refused to lift any sanctions unless the North agreed to fully denuclearize"), the 2021
offer "anywhere, anytime without preconditions" with sanctions kept (seed article 000).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sim.actors.base import Actor, NegotiatorDispositions, NegotiatorPolicy, disposition

if TYPE_CHECKING:
    from sim.actors.dprk import Provocations
    from sim.state import WorldState

Precondition = Literal["none", "moratorium", "freeze", "denuclearization_steps"]
"""What the DPRK must already have done before the US will talk: nothing; no nuclear test
or long-range launch for six months; Yongbyon frozen; frozen under inspection."""

Sequencing = Literal["disarm_first", "action_for_action", "relief_first"]
"""Who delivers first: the DPRK disarms before relief; both step by step ("action for
action", 2007); or relief before disarmament."""

Format = Literal["bilateral", "summit", "six_party"]


class USPolicy(NegotiatorPolicy):
    precondition: Precondition = Field("none", description="what the DPRK must have done before talks")
    sanctions: float = Field(0.3, ge=0, le=1, description="unilateral US sanctions level")
    verification: float = Field(0.5, ge=0, le=1, description="intrusiveness of verification demanded")
    sequencing: Sequencing = Field("action_for_action", description="who delivers first: disarm_first, action_for_action, relief_first")
    format: Format = Field("bilateral", description="bilateral, summit (leaders) or six_party (China chairs)")
    exercises: float = Field(0.5, ge=0, le=1, description="scale of joint exercises")
    rhetoric: float = Field(0.3, ge=0, le=1, description="hostility of public rhetoric")
    china_inducement: float = Field(0.0, ge=0, le=1, description="what the US offers China for enforcing sanctions (trade, THAAD)")


class USDispositions(NegotiatorDispositions):
    # the outside option (sim/outside_option.py)
    threat_weight: float = disposition(0.2, 5, "cost of DPRK capability in the status quo; what limiting it is worth",
                                       "seed article 000: ICBMs able to reach the US mainland")
    crisis_aversion: float = disposition(0.1, 5, "worth lost to the risk of a crisis at full tension; what a deal's calm gives",
                                         "Fearon (1995): costs of conflict widen the bargaining range; the 1994 crisis")
    pressure_cost: float = disposition(0, 1, "share of the leverage of sanctions that maintaining them costs the US and its allies",
                                       "seed article 000: sanctions enforcement strains relations with China")
    # answers to provocations (coercion phase)
    sanctions_response: float = disposition(0, 1, "sanctions added after a nuclear test", "history/cases.md: measures after each test")
    exercise_response: float = disposition(0, 1, "exercises added after a test or launch", "history/cases.md 3: 'the largest ever' (2016)")
    exercise_tension: float = disposition(0, 1, "exercises added at full tension: the allies' side of the security dilemma",
                                          "Jervis (1978) security dilemma")


class UnitedStates(Actor):
    """Leads the allied side: its offers, demands and sequencing shape every package."""

    key = "us"
    label = "the US"
    Policy = USPolicy
    Dispositions = USDispositions
    side = "allies"

    def respond(self, world: WorldState, provocations: Provocations) -> None:
        """Joint exercises stepped up after a test or launch and with tension (the allies' side of
        the security dilemma; none while suspended under a deal), and unilateral sanctions after a test."""
        test, launch = provocations.nuclear_test.astype(float), provocations.long_range.astype(float)
        w = self.model.dispositions.world
        base = max(self.policy.exercises, 0.0)
        suspended = world.delivering("exercise_suspension")
        bump = self.dispositions.exercise_response * (test + launch) + self.dispositions.exercise_tension * world.tension
        world.exercises = np.where(suspended, 0.0, np.clip(base + w.exercise_memory * (world.exercises - base) + bump, 0, 1))
        world.unilateral[self.key] = np.minimum(1.0, world.unilateral[self.key] + self.dispositions.sanctions_response * test)
