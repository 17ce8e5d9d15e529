"""The ``OnCall`` document: people, rotations (schedules) and escalation policies.

Who is on call at an instant is computed by :mod:`drillsim.oncall`; this module only
describes the documents.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from drillsim.spec.durations import parse_clock
from drillsim.spec.types import (
    DistributionSpec,
    Fraction,
    Name,
    PositiveDurationS,
    SpecModel,
    TimeZoneName,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def _to_span(value: Any) -> tuple[int, int]:
    """``"23:00-07:00"`` -> (1380, 420) minutes; may wrap past midnight."""
    if not isinstance(value, str):
        raise ValueError(f'expected a time span like "23:00-07:00", got {value!r}')
    m = _SPAN_RE.match(value)
    if not m:
        raise ValueError(f"cannot parse {value!r} as a time span like 23:00-07:00")
    return parse_clock(m.group(1)), parse_clock(m.group(2))


ClockSpan = Annotated[
    tuple[int, int],
    BeforeValidator(_to_span),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$"}),
]
"""A daily span of local time as (start, end) minutes, written ``"23:00-07:00"``."""


def _to_handoff(value: Any) -> tuple[int | None, int]:
    """``"mon 09:00"`` -> (0, 540); ``"09:00"`` -> (None, 540)."""
    if not isinstance(value, str):
        raise ValueError(f'expected a handoff like "mon 09:00", got {value!r}')
    parts = value.strip().lower().split()
    if len(parts) == 1:
        return None, parse_clock(parts[0])
    if len(parts) == 2 and parts[0][:3] in WEEKDAYS:
        return WEEKDAYS.index(parts[0][:3]), parse_clock(parts[1])
    raise ValueError(f'cannot parse {value!r} as a handoff like "mon 09:00"')


Handoff = Annotated[
    tuple[int | None, int],
    BeforeValidator(_to_handoff),
    WithJsonSchema({"type": "string", "description": '"mon 09:00" (weekly) or "09:00"'}),
]


def _to_weekdays(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ValueError("expected a list of weekdays like [mon, tue]")
    out = []
    for item in value:
        text = str(item).strip().lower()[:3]
        if text not in WEEKDAYS:
            raise ValueError(f"unknown weekday {item!r}; use mon, tue, wed, thu, fri, sat, sun")
        out.append(WEEKDAYS.index(text))
    return tuple(sorted(set(out)))


Weekdays = Annotated[
    tuple[int, ...],
    BeforeValidator(_to_weekdays),
    WithJsonSchema({"type": "array", "items": {"type": "string", "enum": list(WEEKDAYS)}}),
]


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
