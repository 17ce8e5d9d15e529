"""The ``OnCall`` document: people, schedules and escalation policies.

The parts live in their own modules (:mod:`drillsim.spec.people`,
:mod:`drillsim.spec.schedules`, :mod:`drillsim.spec.escalation`); they are re-exported
here, so ``from drillsim.spec.oncall import Person`` keeps working.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drillsim.spec.clocktypes import WEEKDAYS, ClockSpan, Handoff, Weekdays
from drillsim.spec.escalation import EscalationPolicy, EscalationRule, Target
from drillsim.spec.people import Person, ResponderProfile
from drillsim.spec.schedules import Layer, Schedule
from drillsim.spec.types import SpecModel

__all__ = [
    "WEEKDAYS",
    "ClockSpan",
    "EscalationPolicy",
    "EscalationRule",
    "Handoff",
    "Layer",
    "OnCall",
    "Person",
    "ResponderProfile",
    "Schedule",
    "Target",
    "Weekdays",
]


class OnCall(SpecModel):
    """``kind: OnCall``: who can be paged, when, and how pages escalate."""

    kind: Literal["OnCall"]
    version: Literal[1]
    people: list[Person] = Field(min_length=1)
    schedules: list[Schedule] = []
    escalation_policies: list[EscalationPolicy] = Field(min_length=1)

    def person(self, name: str) -> Person:
        """The person called ``name`` (KeyError if absent)."""
        return {p.name: p for p in self.people}[name]
