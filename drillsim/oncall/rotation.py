"""Who is on call at an instant: layers, turns, restrictions and the final schedule.

Pure functions over the :mod:`drillsim.spec.oncall` models and aware datetimes.

Semantics (PagerDuty's, see ``reference/formats.md`` §2.2, on drillsim's calendar-based
layer shape):

* **Turns.** A layer hands off at its local wall-clock ``handoff`` time in the
  schedule's time zone, every day (``daily``) or every week on the handoff weekday
  (``weekly``; a weekly handoff written without a weekday hands off on the weekday of
  ``start``). The *anchor* is the first handoff instant on or after local midnight of
  ``start``. Turn ``n`` covers ``[handoff_n, handoff_{n+1})`` and belongs to
  ``users[n mod len(users)]``; instants before the anchor count backwards, so ``n``
  may be negative and the layer is never "not started yet".
* **Calendar counting.** Handoff ``n`` is on local date ``anchor_date + n * period``,
  never at ``anchor + n * 86400 s``: a DST change makes one daily turn 23 or 25 hours
  long instead of moving every later handoff off its wall-clock time.
* **DST edges.** A handoff happens at the *earliest instant at which the local wall
  clock reaches the handoff time* on its date. In a spring-forward gap that is the
  transition itself (Berlin, 29 March 2026: a 02:30 handoff happens at 03:00 CEST),
  the first valid instant after the missing time, not Python's ``fold=0`` reading
  (03:30 CEST), which would hand off half an hour after a clock showing 03:00. In a
  fall-back overlap it is the first occurrence (``fold=0``), so a turn never starts
  twice.
* **Restrictions.** ``days`` keeps only instants whose local weekday is listed;
  ``hours`` keeps only instants whose local minute of day is in ``[start, end)``. A
  span that wraps midnight belongs to the day it started on, so Monday-Friday
  18:00-09:00 covers Saturday 02:00 (Friday night) but not Sunday 02:00 nor Monday
  02:00. Restrictions only mask time; the rotation keeps turning underneath, exactly
  as PagerDuty's restrictions do.
* **Final schedule.** The last layer in the list that covers the instant wins
  (PagerDuty: a higher layer wins); lower layers show through its gaps. If no layer
  covers the instant, nobody is on call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from drillsim.oncall.clock import local_time, minute_of_day, span_start_offset, zone
from drillsim.spec.oncall import Layer, Schedule

__all__ = [
    "Shift",
    "Turn",
    "handoff_instant",
    "layer_covers",
    "layer_user_at",
    "on_call",
    "shifts",
    "turn_at",
    "who_is_on_call",
]

# Offsets are probed every 6 hours when looking for DST transitions: real zones change
# offset at most a few times a year, never twice within 6 hours.
_PROBE_S = 6 * 3600


@dataclass(frozen=True, slots=True)
class Shift:
    """A maximal stretch of the final schedule with one person on call.

    ``start`` and ``end`` share one ``ZoneInfo``, and Python compares and subtracts
    same-zone datetimes by wall clock, ignoring DST: use :attr:`duration_s` (or
    ``.timestamp()``) rather than ``end - start``.

    Attributes:
        user: who is on call.
        start: first instant of the stretch (aware, in the schedule's time zone).
        end: first instant after it (exclusive).
    """

    user: str
    start: datetime
    end: datetime

    @property
    def duration_s(self) -> float:
        """Length in seconds (real elapsed time, DST included), for coverage reports."""
        return self.end.timestamp() - self.start.timestamp()


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of a layer's rotation, restrictions ignored.

    As with :class:`Shift`, use :attr:`duration_s` rather than ``end - start``.

    Attributes:
        index: turn number ``n``; 0 is the turn starting at the anchor, negative before.
        user: ``users[n mod len(users)]``.
        start: handoff instant starting the turn (aware, in the schedule's time zone).
        end: next handoff instant (exclusive).
    """

    index: int
    user: str
    start: datetime
    end: datetime

    @property
    def duration_s(self) -> float:
        """Length in seconds: 23 or 25 hours for a daily turn spanning a DST change."""
        return self.end.timestamp() - self.start.timestamp()


def _zone_key(tz: str | ZoneInfo) -> str:
    return tz if isinstance(tz, str) else tz.key


def _timestamp(at: datetime) -> float:
    if at.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {at.isoformat()}")
    return at.timestamp()


def _offset_s(zi: ZoneInfo, ts: int) -> float:
    offset = datetime.fromtimestamp(ts, zi).utcoffset()
    assert offset is not None  # a ZoneInfo always has an offset
    return offset.total_seconds()


def _first_change(zi: ZoneInfo, lo: int, hi: int) -> int:
    """The first whole second in ``(lo, hi]`` whose UTC offset differs from ``lo``'s.

    tzdata transitions fall on whole seconds, so bisection on integers is exact.
    """
    before = _offset_s(zi, lo)
    if _offset_s(zi, hi) == before:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset_s(zi, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def _wall_fold_ts(zi: ZoneInfo, ordinal: int, minute: int, fold: int) -> int:
    wall = datetime.fromordinal(ordinal) + timedelta(minutes=minute)
    return int(wall.replace(tzinfo=zi, fold=fold).timestamp())


@lru_cache(maxsize=1 << 14)
def _wall_ts(tz: str, ordinal: int, minute: int) -> int:
    """Earliest UTC second at which the wall clock of ``tz`` reaches a local time.

    Cached because every page asks for the same few handoff instants again.

    Args:
        tz: IANA zone name.
        ordinal: local date as ``date.toordinal()``.
        minute: minutes after that local midnight (1440 means the next midnight).
    """
    zi = zone(tz)
    wall = datetime.fromordinal(ordinal) + timedelta(minutes=minute)
    first = int(wall.replace(tzinfo=zi, fold=0).timestamp())
    if datetime.fromtimestamp(first, zi).replace(tzinfo=None) == wall:
        return first  # exists; in an overlap fold=0 is the earlier occurrence
    # In a gap the two folds bracket the transition, which is the first instant whose
    # wall clock reads at or after ``wall``.
    other = _wall_fold_ts(zi, ordinal, minute, 1)
    return _first_change(zi, min(first, other), max(first, other))


def _period_days(layer: Layer) -> int:
    return 1 if layer.rotation == "daily" else 7


def _anchor_ordinal(layer: Layer) -> int:
    """Local date of handoff 0: the first handoff date on or after ``layer.start``."""
    start = layer.start.toordinal()
    weekday = layer.handoff[0]
    if layer.rotation == "daily" or weekday is None:
        return start
    return start + (weekday - layer.start.weekday()) % 7


def _handoff_ts(layer: Layer, tz: str, n: int) -> int:
    return _wall_ts(tz, _anchor_ordinal(layer) + n * _period_days(layer), layer.handoff[1])


def _turn_index(layer: Layer, tz: str, ts: float, local_ordinal: int) -> int:
    """Turn number containing ``ts``, counted on the local calendar.

    The date guess is exact except when ``ts`` is before that day's handoff (or, in a
    zone whose gap swallows midnight, a handoff was pushed onto the next date); the
    loops correct either way, so the result always satisfies
    ``handoff_n <= ts < handoff_{n+1}``.
    """
    n = (local_ordinal - _anchor_ordinal(layer)) // _period_days(layer)
    while ts < _handoff_ts(layer, tz, n):
        n -= 1
    while ts >= _handoff_ts(layer, tz, n + 1):
        n += 1
    return n


def _covers_local(layer: Layer, local: datetime) -> bool:
    days, hours = layer.days, layer.hours
    if hours is None:
        return days is None or local.weekday() in days
    offset = span_start_offset(minute_of_day(local), hours)
    if offset is None:
        return False
    return days is None or (local.weekday() - offset) % 7 in days


def _layer_user(layer: Layer, tz: str, ts: float, local: datetime) -> str | None:
    if not _covers_local(layer, local):
        return None
    n = _turn_index(layer, tz, ts, local.toordinal())
    return layer.users[n % len(layer.users)]


def _final_user(schedule: Schedule, ts: float, local: datetime) -> str | None:
    for layer in reversed(schedule.layers):
        user = _layer_user(layer, schedule.tz, ts, local)
        if user is not None:
            return user
    return None


def layer_covers(layer: Layer, tz: str | ZoneInfo, at: datetime) -> bool:
    """Whether ``layer``'s ``days``/``hours`` restrictions let it cover ``at``.

    Args:
        layer: the layer.
        tz: the schedule's time zone, in which restrictions are read.
        at: any aware datetime.
    """
    return _covers_local(layer, local_time(at, _zone_key(tz)))


def layer_user_at(layer: Layer, tz: str | ZoneInfo, at: datetime) -> str | None:
    """Who ``layer`` puts on call at ``at``, or ``None`` where a restriction masks it.

    Args:
        layer: the layer.
        tz: the schedule's time zone (IANA name or ``ZoneInfo``); handoffs and
            restrictions are wall-clock times there.
        at: any aware datetime.

    Raises:
        ValueError: if ``at`` is naive.
    """
    key = _zone_key(tz)
    return _layer_user(layer, key, _timestamp(at), local_time(at, key))


def on_call(schedule: Schedule, at: datetime) -> str | None:
    """Who is on call on ``schedule`` at ``at``: the last covering layer's user, or None.

    Called for every page, so it does only a time-zone conversion, a little date
    arithmetic and cached handoff look-ups per layer.

    Raises:
        ValueError: if ``at`` is naive.
    """
    return _final_user(schedule, _timestamp(at), local_time(at, schedule.tz))


def who_is_on_call(schedule: Schedule, at: datetime) -> list[str]:
    """Everyone on call on ``schedule`` at ``at``, in a stable order (empty in a gap).

    The interface escalation and roles use: a schedule may put several people on call
    at once (Opsgenie's cumulative rotations, GoAlert's additive rules, overrides that
    add someone), so callers never assume one.

    Raises:
        ValueError: if ``at`` is naive.
    """
    user = on_call(schedule, at)
    return [] if user is None else [user]


def handoff_instant(layer: Layer, tz: str | ZoneInfo, n: int) -> datetime:
    """The instant of handoff ``n`` (the start of turn ``n``), in ``tz``.

    Useful for handoff notifications and for checking the DST rules above.
    """
    key = _zone_key(tz)
    return datetime.fromtimestamp(_handoff_ts(layer, key, n), zone(key))


def turn_at(layer: Layer, tz: str | ZoneInfo, at: datetime) -> Turn:
    """The rotation turn containing ``at``, ignoring restrictions.

    Raises:
        ValueError: if ``at`` is naive.
    """
    key = _zone_key(tz)
    n = _turn_index(layer, key, _timestamp(at), local_time(at, key).toordinal())
    return Turn(
        index=n,
        user=layer.users[n % len(layer.users)],
        start=handoff_instant(layer, key, n),
        end=handoff_instant(layer, key, n + 1),
    )


def _transitions(zi: ZoneInfo, lo: int, hi: int) -> list[int]:
    """UTC offset changes of ``zi`` in ``(lo, hi]``, found by probing and bisection."""
    found = []
    prev, prev_offset = lo, _offset_s(zi, lo)
    while prev < hi:
        nxt = min(prev + _PROBE_S, hi)
        offset = _offset_s(zi, nxt)
        if offset != prev_offset:
            found.append(_first_change(zi, prev, nxt))
        prev, prev_offset = nxt, offset
    return found


def _breakpoints(schedule: Schedule, start_ts: float, end_ts: float, start: datetime) -> set[int]:
    """Every instant in the window at which the final user *may* change.

    Between two consecutive points no handoff happens, no DST transition happens, and
    the wall clock crosses no restriction boundary, so the final user is constant.
    Spurious points are harmless (equal neighbours are merged later).
    """
    tz = schedule.tz
    zi = zone(tz)
    lo, hi = int(start_ts) - 2 * 86400, int(end_ts) + 2 * 86400
    points = set(_transitions(zi, lo, hi))
    first_day = datetime.fromtimestamp(lo, zi).toordinal()
    last_day = datetime.fromtimestamp(hi, zi).toordinal()
    start_ordinal = local_time(start, tz).toordinal()
    for layer in schedule.layers:
        n = _turn_index(layer, tz, start_ts, start_ordinal) + 1
        while (handoff := _handoff_ts(layer, tz, n)) < end_ts:
            points.add(handoff)
            n += 1
        if layer.days is None and layer.hours is None:
            continue
        minutes = {0, *(layer.hours or ())}
        for ordinal in range(first_day, last_day + 1):
            for minute in minutes:
                # Both folds: in an overlap the wall clock crosses the boundary twice.
                points.add(_wall_fold_ts(zi, ordinal, minute, 0))
                points.add(_wall_fold_ts(zi, ordinal, minute, 1))
    return points


def shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """The final schedule over ``[start, end)`` as merged, contiguous shifts.

    Adjacent stretches with the same user are merged, even across a handoff back to
    the same person. Gaps where nobody is on call produce no shift, so coverage is
    the shifts' total duration over the window. Shifts are clipped to the window.

    Args:
        schedule: the schedule.
        start: window start, any aware datetime.
        end: window end (exclusive), any aware datetime.

    Returns:
        Shifts in time order, with start/end in the schedule's time zone; empty if
        ``end <= start``.

    Raises:
        ValueError: if ``start`` or ``end`` is naive.
    """
    start_ts, end_ts = _timestamp(start), _timestamp(end)
    if end_ts <= start_ts:
        return []
    zi = zone(schedule.tz)
    points = _breakpoints(schedule, start_ts, end_ts, start)
    inner = sorted(p for p in points if start_ts < p < end_ts)
    instants = [start.astimezone(zi), *(datetime.fromtimestamp(p, zi) for p in inner)]
    bounds = [start_ts, *inner]
    result: list[Shift] = []
    previous: str | None = None  # user of the segment just before, None for a gap
    for i, (local, ts) in enumerate(zip(instants, bounds, strict=True)):
        user = _final_user(schedule, ts, local)
        seg_end = instants[i + 1] if i + 1 < len(instants) else end.astimezone(zi)
        if user is not None and user == previous:
            result[-1] = Shift(user, result[-1].start, seg_end)
        elif user is not None:
            result.append(Shift(user, local, seg_end))
        previous = user
    return result
