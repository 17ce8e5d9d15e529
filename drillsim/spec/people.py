"""People who can be paged: their time zone, day, absences, skills and how they respond."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from drillsim.spec.clocktypes import ClockSpan
from drillsim.spec.responders import NotificationRule, check_rules
from drillsim.spec.scenario import Action
from drillsim.spec.types import (
    DistributionSpec,
    Fraction,
    Name,
    PositiveDurationS,
    SpecModel,
    TimeZoneName,
)


class ResponderProfile(SpecModel):
    """How a person responds; every field falls back to the scenario's defaults."""

    ack: DistributionSpec | None = None
    asleep_ack_factor: float | None = Field(default=None, ge=1)
    commute_ack_factor: float | None = Field(default=None, ge=1)
    meeting_ack_factor: float | None = Field(default=None, ge=1)
    miss: Fraction | None = Field(default=None, description="chance to miss a page awake")
    asleep_miss: Fraction | None = Field(default=None, description="chance to miss asleep")
    commute_miss: Fraction | None = Field(default=None, description="chance to miss commuting")
    meeting_miss: Fraction | None = Field(default=None, description="chance to miss in a meeting")
    investigate: DistributionSpec | None = None


class Absence(SpecModel):
    """Whole local days (``start`` to ``end``, both included) a person cannot be paged."""

    start: date
    end: date
    reason: Literal["vacation", "sick", "leave"] = "vacation"

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.end < self.start:
            raise ValueError("an absence ends on or after the day it starts")
        return self


class VendorContract(SpecModel):
    """A vendor or contractor: answers within a contractual response time, around the
    clock, and may only carry out the listed runbook actions."""

    company: str = ""
    response: PositiveDurationS = Field(description="contractual time to acknowledge a page")
    actions: list[Action] = Field(default=[], description="runbook actions they may carry out")


class Person(SpecModel):
    """A responder: time zone, daily rhythm, absences, skills, contact rules, profile."""

    name: Name
    tz: TimeZoneName = "UTC"
    sleeps: ClockSpan = (23 * 60, 7 * 60)
    works: ClockSpan = (9 * 60, 18 * 60)
    commutes: list[ClockSpan] = Field(default=[], description="workday commutes, local time")
    meetings: list[ClockSpan] = Field(default=[], description="workday meetings, local time")
    away: list[Absence] = Field(default=[], description="vacations, sick days, leave")
    skills: list[Name] = Field(default=[], description="services this person knows well")
    notify: list[NotificationRule] | None = Field(
        default=None, description="own notification rules (else the scenario's)"
    )
    vendor: VendorContract | None = None
    profile: ResponderProfile = ResponderProfile()

    @field_validator("notify")
    @classmethod
    def _rules_in_order(cls, value: list[NotificationRule] | None) -> list[NotificationRule] | None:
        return None if value is None else check_rules(value)
