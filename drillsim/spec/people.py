"""People who can be paged: their time zone, sleep, skills and how they respond."""

from __future__ import annotations

from pydantic import Field

from drillsim.spec.clocktypes import ClockSpan
from drillsim.spec.types import DistributionSpec, Fraction, Name, SpecModel, TimeZoneName


class ResponderProfile(SpecModel):
    """How a person responds; every field falls back to the scenario's defaults."""

    ack: DistributionSpec | None = None
    asleep_ack_factor: float | None = Field(default=None, ge=1)
    miss: Fraction | None = Field(default=None, description="chance to miss a page awake")
    asleep_miss: Fraction | None = Field(default=None, description="chance to miss asleep")
    investigate: DistributionSpec | None = None


class Person(SpecModel):
    """A responder: time zone, sleep, skills and (optionally) their own response profile."""

    name: Name
    tz: TimeZoneName = "UTC"
    sleeps: ClockSpan = (23 * 60, 7 * 60)
    works: ClockSpan = (9 * 60, 18 * 60)
    skills: list[Name] = Field(default=[], description="services this person knows well")
    profile: ResponderProfile = ResponderProfile()
