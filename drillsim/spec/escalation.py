"""Escalation policies: whom to page, in which order, and how long to wait in between."""

from __future__ import annotations

from pydantic import Field, model_validator

from drillsim.spec.types import Name, PositiveDurationS, SpecModel


class Target(SpecModel):
    """Who an escalation rule notifies: one user or whoever is on call on a schedule."""

    user: Name | None = None
    schedule: Name | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        if (self.user is None) == (self.schedule is None):
            raise ValueError("a target names exactly one of 'user' or 'schedule'")
        return self


class EscalationRule(SpecModel):
    """Notify targets, then wait ``delay`` for an acknowledgement before the next rule."""

    delay: PositiveDurationS
    targets: list[Target] = Field(min_length=1)


class EscalationPolicy(SpecModel):
    """Rules tried in order; the whole ladder repeats ``loops`` times."""

    name: Name
    rules: list[EscalationRule] = Field(min_length=1)
    loops: int = Field(default=1, ge=1, le=10)
