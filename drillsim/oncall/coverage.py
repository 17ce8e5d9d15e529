"""Coverage and fairness of a final schedule: gaps, and each person's share of the load.

Pure functions over :class:`~drillsim.oncall.rotation.Shift` lists. Time is measured
exactly (real seconds, DST included), never sampled: nights, weekends and holidays are
intersected with shifts as intervals on each person's own wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from drillsim.oncall.clock import zone
from drillsim.oncall.rotation import Shift
from drillsim.oncall.wallclock import wall_ts

__all__ = ["Gap", "Load", "gaps", "load_by_person"]


@dataclass(frozen=True, slots=True)
class Gap:
    """A window in which nobody is on call."""

    start: datetime
    end: datetime

    @property
    def duration_s(self) -> float:
        """Length in real seconds."""
        return self.end.timestamp() - self.start.timestamp()


@dataclass(slots=True)
class Load:
    """One person's on-call time over a window, in seconds."""

    total_s: float = 0.0
    night_s: float = 0.0
    """During their own sleeping hours."""
    weekend_s: float = 0.0
    """On Saturdays and Sundays of their own calendar."""
    holiday_s: float = 0.0
    """On public holidays (of the calendar given)."""
    shifts: int = 0


def gaps(shifts: list[Shift], start: datetime, end: datetime) -> list[Gap]:
    """The windows of ``[start, end)`` no shift covers, in order (shifts as from
    :func:`~drillsim.oncall.rotation.shifts`: ordered, clipped, not overlapping)."""
    out = []
    cursor = start
    for shift in shifts:
        if shift.start.timestamp() > cursor.timestamp():
            out.append(Gap(cursor, shift.start))
        if shift.end.timestamp() > cursor.timestamp():
            cursor = shift.end
    if end.timestamp() > cursor.timestamp():
        out.append(Gap(cursor, end.astimezone(cursor.tzinfo)))
    return out


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _daily(
    tz: str, lo: float, hi: float, span: tuple[int, int] | None, days: Iterable[int] | None
) -> float:
    """Seconds of ``[lo, hi)`` inside a local daily span (or whole local days) on the
    given weekdays (all when None): each day's window on the wall clock of ``tz``."""
    zi = zone(tz)
    first = datetime.fromtimestamp(lo, zi).toordinal() - 1
    last = datetime.fromtimestamp(hi, zi).toordinal()
    wanted = None if days is None else set(days)
    total = 0.0
    for ordinal in range(first, last + 1):
        if wanted is not None and date.fromordinal(ordinal).weekday() not in wanted:
            continue
        if span is None:
            w0, w1 = wall_ts(tz, ordinal, 0), wall_ts(tz, ordinal + 1, 0)
        else:
            begin, finish = span
            length = (finish - begin) % 1440 or 1440
            w0 = wall_ts(tz, ordinal, begin)
            w1 = wall_ts(tz, ordinal + (begin + length) // 1440, (begin + length) % 1440)
        total += _overlap(lo, hi, w0, w1)
    return total


def _on_dates(tz: str, lo: float, hi: float, dates: set[date]) -> float:
    zi = zone(tz)
    first = datetime.fromtimestamp(lo, zi).toordinal()
    last = datetime.fromtimestamp(hi, zi).toordinal()
    total = 0.0
    for ordinal in range(first, last + 1):
        if date.fromordinal(ordinal) in dates:
            total += _overlap(lo, hi, wall_ts(tz, ordinal, 0), wall_ts(tz, ordinal + 1, 0))
    return total


def load_by_person(
    shifts: Iterable[Shift],
    tz_of: dict[str, str],
    sleeps_of: dict[str, tuple[int, int]],
    holidays: set[date] | None = None,
    default_tz: str = "UTC",
) -> dict[str, Load]:
    """Each person's on-call time: total, at night (their ``sleeps`` span), at weekends
    and on ``holidays``, on their own clock (``default_tz`` for people not in ``tz_of``;
    nights default to 23:00-07:00)."""
    out: dict[str, Load] = {}
    for shift in shifts:
        lo, hi = shift.start.timestamp(), shift.end.timestamp()
        for person in shift.users:
            tz = tz_of.get(person, default_tz)
            load = out.setdefault(person, Load())
            load.total_s += hi - lo
            load.shifts += 1
            load.night_s += _daily(tz, lo, hi, sleeps_of.get(person, (23 * 60, 7 * 60)), None)
            load.weekend_s += _daily(tz, lo, hi, None, (5, 6))
            if holidays:
                load.holiday_s += _on_dates(tz, lo, hi, holidays)
    return dict(sorted(out.items()))
