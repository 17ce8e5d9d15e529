"""On-call schedules: rotations of people in layers, in a time zone.

Who is on call at an instant is computed by :mod:`drillsim.oncall.rotation`; this module
only describes the documents.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from drillsim.spec.clocktypes import ClockSpan, Handoff, Weekdays
from drillsim.spec.types import Name, SpecModel, TimeZoneName


class Layer(SpecModel):
    """A rotation of users; a later layer, while it covers the instant, wins."""

    rotation: Literal["daily", "weekly"] = "weekly"
    handoff: Handoff = (0, 9 * 60)
    users: list[Name] = Field(min_length=1)
    start: date = Field(default=date(2024, 1, 1), description="first turn starts here")
    days: Weekdays | None = Field(default=None, description="restrict to these weekdays")
    hours: ClockSpan | None = Field(default=None, description="restrict to these local hours")

    @model_validator(mode="after")
    def _daily_handoff_has_no_weekday(self) -> Layer:
        if self.rotation == "daily" and self.handoff[0] is not None:
            raise ValueError('a daily rotation hands off at a time of day, e.g. "09:00"')
        return self


class Schedule(SpecModel):
    """An on-call schedule in a time zone, made of layers."""

    name: Name
    tz: TimeZoneName = "UTC"
    layers: list[Layer] = Field(min_length=1)
