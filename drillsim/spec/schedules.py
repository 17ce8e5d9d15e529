"""On-call schedules: layers of rotations or calendar events, overrides, in a time zone.

One model holds the schedules of every tool drillsim imports, because they differ in
a few explicit choices rather than in kind:

* **Levels.** At an instant, the covering layers with the highest ``level`` decide, and
  everyone they put on call is on call together. A layer's level defaults to its
  position, so a later layer wins (PagerDuty's "higher layer wins", lower layers showing
  through its gaps); give layers one level and they add up (Opsgenie's cumulative
  rotations, GoAlert's additive rules); explicit levels are Grafana OnCall's priorities.
* **Turns.** A rotation hands off every ``every`` hours, days, weeks or months at a
  wall-clock ``handoff`` time in the schedule's zone (GoAlert's and PagerDuty's
  DST-keeping handoffs); a turn belongs to the next group of ``users`` (a name, or a
  list of names on call together: Grafana OnCall's rolling users; ``[]``: a turn nobody
  holds, Opsgenie's "none" participant). A layer may keep its own ``tz`` (GoAlert
  rotations, OnCall shifts in another zone).
* **Masks.** ``restrictions`` (daily or weekly windows), the older ``days``/``hours``
  shorthand, an effective window ``from``/``until``, and ``shift`` (on call only for the
  first part of each turn) hide a layer without stopping its rotation.
* **Calendar events.** A layer may instead be RFC 5545 events (start, end, RRULE), as an
  iCal feed gives them.
* **Overrides** replace everyone (PagerDuty, Opsgenie), one layer's people (Opsgenie's
  rotation overrides), or add / remove / swap one person (GoAlert); **temporary
  schedules** replace the whole schedule for a window (GoAlert).

Who is on call at an instant is computed by :mod:`drillsim.oncall.rotation`; this module
only describes the documents.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from drillsim.spec.clocktypes import ClockSpan, Handoff, Weekdays
from drillsim.spec.types import Name, PositiveDurationS, SpecModel, Timestamp, TimeZoneName

DAY_S = 86400.0
WEEK_S = 7 * DAY_S


class Restriction(SpecModel):
    """A recurring window in which a layer may put people on call.

    ``start: "09:00"`` opens a window every day; ``start: "mon 09:00"`` once a week.
    Windows may cross midnight (or the week's end) and belong to the day they start on.
    """

    start: Handoff
    duration: PositiveDurationS

    @model_validator(mode="after")
    def _fits_its_period(self) -> Restriction:
        period = DAY_S if self.start[0] is None else WEEK_S
        if self.duration > period:
            kind = "a daily" if period == DAY_S else "a weekly"
            raise ValueError(f"{kind} restriction lasts at most {period / 3600:g}h")
        return self


class CalendarEvent(SpecModel):
    """An RFC 5545 event: on call from ``start`` to ``end``, repeating by ``rrule``."""

    start: Timestamp
    end: Timestamp
    rrule: str | None = Field(default=None, description='an RRULE value, e.g. "FREQ=WEEKLY"')
    users: list[Name] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> CalendarEvent:
        if self.end <= self.start:
            raise ValueError("an event ends after it starts")
        if self.rrule is not None:
            from dateutil.rrule import rrulestr

            try:
                rrulestr(self.rrule, dtstart=self.start.replace(tzinfo=None))
            except (ValueError, TypeError) as exc:
                raise ValueError(f"cannot read rrule {self.rrule!r}: {exc}") from None
        return self


class Layer(SpecModel):
    """A rotation of users (or a set of calendar events) that covers part of the time."""

    name: Name | None = None
    events: list[CalendarEvent] = Field(default=[], description="instead of a rotation")
    users: list[Name | list[Name]] = Field(
        default=[],
        validate_default=True,
        description="in turn order; a list of names is on call together, [] nobody",
    )
    rotation: Literal["hourly", "daily", "weekly", "monthly"] = "weekly"
    offset: int = Field(
        default=0, ge=0, description="turn 0 belongs to users[offset] (a secondary: 1)"
    )
    every: int = Field(default=1, ge=1, le=9000, description="turn length in rotation units")
    handoff: Handoff = Field(
        default=(0, 9 * 60), description='"mon 09:00" (weekly) or "09:00"; default 09:00 (mon)'
    )
    start: date = Field(default=date(2024, 1, 1), description="first turn starts here")
    days: Weekdays | None = Field(default=None, description="restrict to these weekdays")
    hours: ClockSpan | None = Field(default=None, description="restrict to these local hours")
    restrictions: list[Restriction] = Field(
        default=[], description="windows the layer covers (all the time when empty)"
    )
    from_: Timestamp | None = Field(default=None, alias="from", description="layer starts")
    until: Timestamp | None = Field(default=None, description="layer ends (exclusive)")
    shift: PositiveDurationS | None = Field(
        default=None, description="on call only for this long from each handoff"
    )
    level: int | None = Field(
        default=None, description="priority; the highest covering level wins (default: order)"
    )
    tz: TimeZoneName | None = Field(
        default=None, description="its own clock for handoffs and windows (default: the schedule's)"
    )

    model_config = {"populate_by_name": True}

    @field_validator("users")
    @classmethod
    def _someone_rotates(
        cls, users: list[str | list[str]], info: ValidationInfo
    ) -> list[str | list[str]]:
        events = info.data.get("events")
        if not users and not events:  # reported like any other empty list
            raise PydanticCustomError(
                "too_short", "a layer rotates somebody", {"min_length": 1, "actual_length": 0}
            )
        if users and events:
            raise ValueError("a layer rotates 'users' or lists calendar 'events', not both")
        if users and all(isinstance(u, list) and not u for u in users):
            raise ValueError("every turn is empty: nobody is ever on call")
        return users

    @model_validator(mode="after")
    def _consistent(self) -> Layer:
        if "handoff" not in self.model_fields_set and self.rotation != "weekly":
            object.__setattr__(self, "handoff", (None, self.handoff[1]))  # 09:00, no weekday
        if self.rotation != "weekly" and self.handoff[0] is not None:
            raise ValueError(f'a {self.rotation} rotation hands off at a time of day, e.g. "09:00"')
        if self.from_ is not None and self.until is not None and self.until <= self.from_:
            raise ValueError("'until' must be after 'from'")
        return self

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        """The turn order: who is on call together in each turn."""
        return tuple((u,) if isinstance(u, str) else tuple(u) for u in self.users)

    @property
    def people(self) -> list[str]:
        """Everyone the layer can put on call, first appearance first."""
        seen: dict[str, None] = {}
        for group in self.groups:
            seen.update(dict.fromkeys(group))
        for event in self.events:
            seen.update(dict.fromkeys(event.users))
        return list(seen)

    @property
    def windows(self) -> list[Restriction]:
        """``restrictions`` plus the ``days``/``hours`` shorthand, as windows."""
        out = list(self.restrictions)
        if self.hours is not None:
            start, end = self.hours
            length = ((end - start) % 1440 or 1440) * 60.0
            for day in self.days if self.days is not None else (None,):
                out.append(Restriction.model_construct(start=(day, start), duration=length))
        elif self.days is not None:
            out += [
                Restriction.model_construct(start=(day, 0), duration=DAY_S) for day in self.days
            ]
        return out


class Override(SpecModel):
    """A change to who is on call during ``[start, end)``.

    ``user`` alone: that person replaces everyone (PagerDuty, Opsgenie); with ``layer``:
    replaces that layer's people only (Opsgenie's rotation override). ``add`` and/or
    ``remove``: GoAlert's add, remove and replace (both: ``add`` takes ``remove``'s place
    while ``remove`` is on call).
    """

    start: Timestamp
    end: Timestamp
    user: Name | None = None
    layer: Name | None = None
    add: Name | None = None
    remove: Name | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Override:
        if self.end <= self.start:
            raise ValueError("an override ends after it starts")
        if (self.user is None) == (self.add is None and self.remove is None):
            raise ValueError("an override has 'user', or 'add' and/or 'remove'")
        if self.layer is not None and self.user is None:
            raise ValueError("'layer' goes with 'user' (who replaces that layer's people)")
        return self

    @property
    def people(self) -> list[str]:
        """Who it names."""
        return [p for p in (self.user, self.add, self.remove) if p is not None]


class FixedShift(SpecModel):
    """One person on call for a fixed window."""

    user: Name
    start: Timestamp
    end: Timestamp

    @model_validator(mode="after")
    def _ordered(self) -> FixedShift:
        if self.end <= self.start:
            raise ValueError("a shift ends after it starts")
        return self


class TemporarySchedule(SpecModel):
    """GoAlert's temporary schedule: during ``[start, end)`` only these shifts count."""

    start: Timestamp
    end: Timestamp
    shifts: list[FixedShift] = []

    @model_validator(mode="after")
    def _ordered(self) -> TemporarySchedule:
        if self.end <= self.start:
            raise ValueError("a temporary schedule ends after it starts")
        return self


class Schedule(SpecModel):
    """An on-call schedule in a time zone: layers, overrides, temporary schedules."""

    name: Name
    tz: TimeZoneName = "UTC"
    layers: list[Layer] = Field(min_length=1)
    overrides: list[Override] = []
    temporary: list[TemporarySchedule] = []

    @property
    def people(self) -> list[str]:
        """Everyone the schedule can put on call, first appearance first."""
        seen: dict[str, None] = {}
        for layer in self.layers:
            seen.update(dict.fromkeys(layer.people))
        for o in self.overrides:
            seen.update(dict.fromkeys(p for p in (o.user, o.add) if p is not None))
        for t in self.temporary:
            seen.update(dict.fromkeys(s.user for s in t.shifts))
        return list(seen)
