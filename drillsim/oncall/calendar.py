"""Calendar-event layers: RFC 5545 events (DTSTART, DTEND, RRULE) as on-call shifts.

An iCal feed (PagerDuty's and Grafana OnCall's exports, or a team calendar) describes
on-call time as events that may repeat. Recurrences are expanded on the wall clock of
the schedule's zone, as RFC 5545 does for a DTSTART with a TZID; each occurrence lasts
as long as the first (DTEND - DTSTART, in real time) and starts at the first instant
the wall clock reaches its local start (:mod:`drillsim.oncall.wallclock`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from drillsim.oncall.clock import zone
from drillsim.oncall.wallclock import wall_ts
from drillsim.spec.schedules import CalendarEvent

__all__ = ["event_covers", "occurrences"]

# How many occurrences before an instant are checked: one covers it unless events are
# longer than their repeat period, which two cover.
_LOOKBACK = 2


def _local_ts(tz: str, local: datetime) -> int:
    return wall_ts(tz, local.toordinal(), local.hour * 60 + local.minute) + local.second


@lru_cache(maxsize=1024)
def _rule(rule: str, local_start: datetime) -> rrule:
    parsed = rrulestr(rule, dtstart=local_start, cache=True)
    assert isinstance(parsed, rrule)  # an RRULE value, not a set
    return parsed


def _local_start(event: CalendarEvent, tz: str) -> datetime:
    return event.start.astimezone(zone(tz)).replace(tzinfo=None)


def event_covers(event: CalendarEvent, tz: str, ts: float) -> bool:
    """Whether an occurrence of ``event`` covers the instant ``ts``."""
    length = event.end.timestamp() - event.start.timestamp()
    start = event.start.timestamp()
    if event.rrule is None:
        return start <= ts < start + length
    if ts < start:
        return False
    local = datetime.fromtimestamp(ts, zone(tz)).replace(tzinfo=None)
    rule = _rule(event.rrule, _local_start(event, tz))
    moment = local
    for _ in range(_LOOKBACK):
        occurrence = rule.before(moment, inc=True)
        if occurrence is None:
            return False
        begin = _local_ts(tz, occurrence)
        if begin <= ts < begin + length:
            return True
        moment = occurrence - timedelta(seconds=1)
    return False


def occurrences(event: CalendarEvent, tz: str, lo: float, hi: float) -> Iterator[tuple[int, int]]:
    """(start, end) UTC seconds of the occurrences overlapping ``[lo, hi)``."""
    length = int(event.end.timestamp() - event.start.timestamp())
    if event.rrule is None:
        start = int(event.start.timestamp())
        if start < hi and start + length > lo:
            yield start, start + length
        return
    rule = _rule(event.rrule, _local_start(event, tz))
    lo_local = datetime.fromtimestamp(lo - length - 2 * 86400, zone(tz)).replace(tzinfo=None)
    hi_local = datetime.fromtimestamp(hi + 2 * 86400, zone(tz)).replace(tzinfo=None)
    for occurrence in rule.between(lo_local, hi_local, inc=True):
        begin = _local_ts(tz, occurrence)
        if begin < hi and begin + length > lo:
            yield begin, begin + length
