"""A person's local clock: asleep, working hours, off hours.

Pure functions over aware datetimes. Responders live in their own time zone, so the
engine asks "is alice asleep now?" with a simulation instant, and the answer must
follow alice's wall clock (DST included), not the scenario's.

Daily spans ``(start_min, end_min)`` are local minutes after midnight, ``end``
exclusive. ``start < end`` is an ordinary span within one day; ``start >= end`` wraps
past midnight, and the part after midnight belongs to the day on which the span
*started* (a Friday 18:00-09:00 span covers Saturday 02:00). ``start == end`` is read
as a full 24-hour span starting at ``start``, the only reading under which a written
span is never silently empty.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from drillsim.spec.oncall import Person

__all__ = [
    "in_span",
    "is_asleep",
    "is_off_hours",
    "is_working_hours",
    "local_time",
    "minute_of_day",
    "off_hours_on_clock",
    "span_start_offset",
    "zone",
]

_WORKDAYS = frozenset(range(5))  # Monday..Friday, datetime.weekday() numbering


@cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, cached.

    ``ZoneInfo(name)`` has its own cache, but the constructor call still costs more
    than a dict hit; :func:`drillsim.oncall.on_call` runs for every page.
    """
    return ZoneInfo(name)


def local_time(at: datetime, tz: str) -> datetime:
    """``at`` seen on the wall clock of ``tz``.

    Raises:
        ValueError: if ``at`` is naive; a naive instant has no place on the timeline,
            and guessing a zone would silently shift every schedule.
    """
    if at.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {at.isoformat()}")
    return at.astimezone(zone(tz))


def minute_of_day(local: datetime) -> int:
    """Wall-clock minutes after midnight of a local datetime (seconds truncated).

    Truncating keeps ``[start, end)`` spans exact: 08:59:59 is still before 09:00.
    """
    return local.hour * 60 + local.minute


def span_start_offset(minute: int, span: tuple[int, int]) -> int | None:
    """How many days ago the occurrence of ``span`` containing ``minute`` started.

    Args:
        minute: local minute of day, 0..1439.
        span: ``(start, end)`` local minutes; wraps past midnight when ``start >= end``.

    Returns:
        ``0`` if ``minute`` lies in the span that started today, ``1`` if it lies in the
        after-midnight tail of the span that started yesterday, ``None`` if outside.
        Weekday restrictions need this, because a night span belongs to the day it
        started on.
    """
    start, end = span
    if start < end:
        return 0 if start <= minute < end else None
    if minute >= start:
        return 0
    if minute < end:
        return 1
    return None


def in_span(minute: int, span: tuple[int, int]) -> bool:
    """Whether a local minute of day lies in a daily span (wrapping past midnight)."""
    return span_start_offset(minute, span) is not None


def is_asleep(person: Person, at: datetime) -> bool:
    """Whether ``person`` is asleep at ``at``, by their local wall clock.

    Sleep is every night, weekends included, so only the minute of day matters.
    """
    return in_span(minute_of_day(local_time(at, person.tz)), person.sleeps)


def is_working_hours(person: Person, at: datetime) -> bool:
    """Whether ``at`` is within ``person``'s working hours, Monday to Friday, locally.

    A ``works`` span that wraps midnight (a night shift) counts by the day it started
    on: a Friday 22:00-06:00 shift still covers Saturday 03:00.
    """
    return not off_hours_on_clock(person, local_time(at, person.tz))


def is_off_hours(person: Person, at: datetime) -> bool:
    """Whether ``at`` is outside ``person``'s working hours (evenings, nights, weekends).

    Pages off hours cost more (responder load) even when the person is awake.
    """
    return off_hours_on_clock(person, local_time(at, person.tz))


def off_hours_on_clock(person: Person, local: datetime) -> bool:
    """:func:`is_off_hours` when ``person``'s wall clock reads ``local`` (their
    :func:`local_time`): a caller that already has it converts the instant once."""
    offset = span_start_offset(minute_of_day(local), person.works)
    return offset is None or (local.weekday() - offset) % 7 not in _WORKDAYS
