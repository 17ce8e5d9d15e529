"""Who is on call at an instant: the final schedule of layers, overrides and temporaries.

Pure functions over :mod:`drillsim.spec.schedules` models and aware datetimes. Turn
arithmetic (DST-keeping handoffs) is in :mod:`drillsim.oncall.turns`, calendar events
in :mod:`drillsim.oncall.calendar`; this module combines them:

1. **A temporary schedule** covering the instant decides alone: the people of its shifts
   that cover it (possibly nobody). Overrides do not apply (GoAlert).
2. **Layers.** A layer covers the instant when it is within ``from``/``until``, inside
   one of its restriction windows (if it has any), and within ``shift`` of its last
   handoff (if set); it then puts its current turn's group on call (a calendar layer:
   the users of every event occurrence covering the instant). Restrictions only mask
   time; the rotation keeps turning underneath, exactly as PagerDuty's do. A window
   belongs to the day (or week) it starts on, so Monday-Friday 18:00-09:00 covers
   Saturday 02:00 (Friday night) but not Sunday 02:00.
3. **Levels.** Of the covering layers, those with the highest level decide; everyone
   they put on call is on call, in layer order. A layer's level defaults to its index,
   so the last covering layer wins (PagerDuty), and layers sharing a level add up
   (Opsgenie, GoAlert).
4. **Overrides**, in list order: one with ``layer`` first replaces that layer's people
   (before levels are compared); then ``user`` replaces everyone (the last such
   override covering the instant wins); then GoAlert's ``remove`` (or ``remove`` +
   ``add``: a swap) map the people on call, and ``add`` appends.

Nobody covers the instant: nobody is on call (an empty list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from drillsim.oncall.calendar import event_covers, occurrences
from drillsim.oncall.clock import local_time, zone
from drillsim.oncall.turns import handoff_ts, turn_index
from drillsim.oncall.wallclock import timestamp, transitions, wall_fold_ts, zone_key
from drillsim.spec.schedules import Layer, Schedule

__all__ = [
    "Shift",
    "Turn",
    "handoff_instant",
    "layer_covers",
    "layer_user_at",
    "layer_users_at",
    "next_change",
    "on_call",
    "shifts",
    "turn_at",
    "who_is_on_call",
]

_DAY_MIN = 1440.0
_WEEK_MIN = 7 * 1440.0


@dataclass(frozen=True, slots=True)
class Shift:
    """A maximal stretch of the final schedule with the same people on call.

    ``start`` and ``end`` share one ``ZoneInfo``, and Python compares and subtracts
    same-zone datetimes by wall clock, ignoring DST: use :attr:`duration_s` (or
    ``.timestamp()``) rather than ``end - start``.

    Attributes:
        users: who is on call, in the schedule's order (never empty).
        start: first instant of the stretch (aware, in the schedule's time zone).
        end: first instant after it (exclusive).
    """

    users: tuple[str, ...]
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
        users: the group on call in this turn.
        start: handoff instant starting the turn (aware, in the schedule's time zone).
        end: next handoff instant (exclusive).
    """

    index: int
    users: tuple[str, ...]
    start: datetime
    end: datetime

    @property
    def duration_s(self) -> float:
        """Length in seconds: 23 or 25 hours for a daily turn spanning a DST change."""
        return self.end.timestamp() - self.start.timestamp()


# ----- compiled forms ------------------------------------------------------------------
#
# who_is_on_call runs for every page; reading timestamps and restriction windows off the
# pydantic models each time costs more than the arithmetic. A schedule is compiled once
# into plain tuples, cached by identity (the cache holds the schedule, so an id is never
# reused while its entry lives; the oldest entries are dropped beyond _PLANS_MAX).

_PLANS_MAX = 4096
_INF = float("inf")


@dataclass(frozen=True, slots=True)
class _LayerPlan:
    layer: Layer
    level: int
    lo: float
    hi: float
    windows: tuple[tuple[int | None, float, float], ...]
    """(weekday or None, start minute, length in minutes)."""
    groups: tuple[tuple[str, ...], ...]
    overrides: tuple[tuple[float, float, str], ...]
    """Overrides of this layer: (start, end, user)."""
    tz: str | None
    """Its own clock, when it has one."""


@dataclass(frozen=True, slots=True)
class _Plan:
    tz: str
    layers: tuple[_LayerPlan, ...]
    temporary: tuple[tuple[float, float, tuple[tuple[str, float, float], ...]], ...]
    overrides: tuple[tuple[float, float, str | None, str | None, str | None], ...]
    """Whole-schedule overrides: (start, end, user, add, remove)."""


_plans: dict[int, tuple[Schedule, _Plan]] = {}
_layer_plans: dict[int, tuple[Layer, _LayerPlan]] = {}


def _layer_plan(layer: Layer, index: int, overrides: tuple = ()) -> _LayerPlan:
    return _LayerPlan(
        layer,
        layer.level if layer.level is not None else index,
        layer.from_.timestamp() if layer.from_ is not None else -_INF,
        layer.until.timestamp() if layer.until is not None else _INF,
        tuple((w.start[0], float(w.start[1]), w.duration / 60) for w in layer.windows),
        layer.groups,
        overrides,
        layer.tz,
    )


def _plan(schedule: Schedule) -> _Plan:
    hit = _plans.get(id(schedule))
    if hit is not None and hit[0] is schedule:
        return hit[1]
    layers = []
    for i, layer in enumerate(schedule.layers):
        own = tuple(
            (o.start.timestamp(), o.end.timestamp(), o.user)
            for o in schedule.overrides
            if o.layer is not None and o.layer == layer.name and o.user is not None
        )
        layers.append(_layer_plan(layer, i, own))
    plan = _Plan(
        schedule.tz,
        tuple(layers),
        tuple(
            (
                t.start.timestamp(),
                t.end.timestamp(),
                tuple((x.user, x.start.timestamp(), x.end.timestamp()) for x in t.shifts),
            )
            for t in schedule.temporary
        ),
        tuple(
            (o.start.timestamp(), o.end.timestamp(), o.user, o.add, o.remove)
            for o in schedule.overrides
            if o.layer is None
        ),
    )
    if len(_plans) >= _PLANS_MAX:
        del _plans[next(iter(_plans))]
    _plans[id(schedule)] = (schedule, plan)
    return plan


def _lone_layer_plan(layer: Layer) -> _LayerPlan:
    hit = _layer_plans.get(id(layer))
    if hit is not None and hit[0] is layer:
        return hit[1]
    plan = _layer_plan(layer, 0)
    if len(_layer_plans) >= _PLANS_MAX:
        del _layer_plans[next(iter(_layer_plans))]
    _layer_plans[id(layer)] = (layer, plan)
    return plan


# ----- masks -------------------------------------------------------------------------


def _in_windows(windows: tuple[tuple[int | None, float, float], ...], local: datetime) -> bool:
    """Whether the wall-clock instant ``local`` falls in one of the daily/weekly windows."""
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    for weekday, start, length in windows:
        if weekday is None:
            if (minute - start) % _DAY_MIN < length:
                return True
        elif ((local.weekday() * _DAY_MIN + minute) - (weekday * _DAY_MIN + start)) % (
            _WEEK_MIN
        ) < length:
            return True
    return False


def _layer_users(plan: _LayerPlan, tz: str, ts: float, local: datetime) -> tuple[str, ...]:
    """Who the layer puts on call at ``ts`` (empty where it does not cover)."""
    if not plan.lo <= ts < plan.hi:
        return ()
    if plan.tz is not None and plan.tz != tz:
        tz, local = plan.tz, datetime.fromtimestamp(ts, zone(plan.tz))
    if plan.windows and not _in_windows(plan.windows, local):
        return ()
    layer = plan.layer
    users: tuple[str, ...]
    if layer.events:
        seen: dict[str, None] = {}
        for event in layer.events:
            if event_covers(event, tz, ts):
                seen.update(dict.fromkeys(event.users))
        users = tuple(seen)
    else:
        n = turn_index(layer, tz, ts, local)
        if layer.shift is not None and ts - handoff_ts(layer, tz, n) >= layer.shift:
            return ()
        users = plan.groups[(n + layer.offset) % len(plan.groups)]
    for start, end, user in plan.overrides if users else ():
        if start <= ts < end:
            users = (user,)
    return users


# ----- the final schedule ------------------------------------------------------------


def _final(schedule: Schedule, ts: float, local: datetime) -> list[str]:
    plan = _plan(schedule)
    for start, end, fixed in plan.temporary:
        if start <= ts < end:
            return list(dict.fromkeys(user for user, lo, hi in fixed if lo <= ts < hi))
    top: int | None = None
    people: list[str] = []
    for layer in plan.layers:
        users = _layer_users(layer, plan.tz, ts, local)
        if not users:
            continue
        if top is None or layer.level > top:
            top, people = layer.level, list(users)
        elif layer.level == top:
            people.extend(users)
    if len(people) > 1:
        people = list(dict.fromkeys(people))
    if plan.overrides:
        return _apply_overrides(plan, ts, people)
    return people


def _apply_overrides(plan: _Plan, ts: float, people: list[str]) -> list[str]:
    active = [o for o in plan.overrides if o[0] <= ts < o[1]]
    if not active:
        return people
    for _start, _end, user, _add, _remove in active:
        if user is not None:
            people = [user]
    mapping = {remove: add for _s, _e, _u, add, remove in active if remove is not None}
    mapped = [mapping.get(p, p) if p in mapping else p for p in people]
    out = [p for p in mapped if p is not None]
    out += [add for _s, _e, _u, add, remove in active if add is not None and remove is None]
    return list(dict.fromkeys(out))


def who_is_on_call(schedule: Schedule, at: datetime) -> list[str]:
    """Everyone on call on ``schedule`` at ``at``, in a stable order (empty in a gap).

    The interface escalation and roles use: a schedule may put several people on call
    at once (Opsgenie's cumulative rotations, GoAlert's additive rules, overrides that
    add someone), so callers never assume one. Called for every page, so it does a
    time-zone conversion, a little arithmetic and cached handoff look-ups per layer.

    Raises:
        ValueError: if ``at`` is naive.
    """
    return _final(schedule, timestamp(at), local_time(at, schedule.tz))


def on_call(schedule: Schedule, at: datetime) -> str | None:
    """The first person :func:`who_is_on_call` names, or None in a gap."""
    people = who_is_on_call(schedule, at)
    return people[0] if people else None


def layer_covers(layer: Layer, tz: str | ZoneInfo, at: datetime) -> bool:
    """Whether ``layer`` puts anyone on call at ``at`` (its masks let it cover)."""
    key = zone_key(tz)
    return bool(_layer_users(_lone_layer_plan(layer), key, timestamp(at), local_time(at, key)))


def layer_users_at(layer: Layer, tz: str | ZoneInfo, at: datetime) -> tuple[str, ...]:
    """Who ``layer`` puts on call at ``at``; empty where it does not cover.

    Raises:
        ValueError: if ``at`` is naive.
    """
    key = zone_key(tz)
    return _layer_users(_lone_layer_plan(layer), key, timestamp(at), local_time(at, key))


def layer_user_at(layer: Layer, tz: str | ZoneInfo, at: datetime) -> str | None:
    """The first person :func:`layer_users_at` names, or None where it does not cover."""
    users = layer_users_at(layer, tz, at)
    return users[0] if users else None


def handoff_instant(layer: Layer, tz: str | ZoneInfo, n: int) -> datetime:
    """The instant of handoff ``n`` (the start of turn ``n``), in ``tz`` (the schedule's;
    a layer with its own ``tz`` hands off on that clock)."""
    key = layer.tz or zone_key(tz)
    return datetime.fromtimestamp(handoff_ts(layer, key, n), zone(key))


def turn_at(layer: Layer, tz: str | ZoneInfo, at: datetime) -> Turn:
    """The rotation turn containing ``at``, ignoring restrictions.

    Raises:
        ValueError: if ``at`` is naive, or the layer is made of calendar events.
    """
    if layer.events:
        raise ValueError("a calendar layer has no turns")
    key = layer.tz or zone_key(tz)
    n = turn_index(layer, key, timestamp(at), local_time(at, key))
    return Turn(
        index=n,
        users=layer.groups[(n + layer.offset) % len(layer.groups)],
        start=handoff_instant(layer, key, n),
        end=handoff_instant(layer, key, n + 1),
    )


# ----- the final schedule over a window ----------------------------------------------


def _breakpoints(schedule: Schedule, start_ts: float, end_ts: float) -> set[int]:
    """Every instant in the window at which the people on call *may* change.

    Between two consecutive points no handoff, DST transition, window edge, event,
    override or temporary schedule begins or ends, so the final schedule is constant.
    Spurious points are harmless (equal neighbours are merged later).
    """
    zi = zone(schedule.tz)
    lo, hi = int(start_ts) - 2 * 86400, int(end_ts) + 2 * 86400
    points = set(transitions(zi, lo, hi))
    home = (
        datetime.fromtimestamp(lo, zi).toordinal(),
        datetime.fromtimestamp(hi, zi).toordinal(),
        datetime.fromtimestamp(start_ts, zi),
    )
    for layer in schedule.layers:
        tz = layer.tz or schedule.tz
        zi = zone(tz)
        first_day, last_day, start_local = home
        if layer.tz:  # a layer on its own clock changes at its own wall-clock times
            points.update(transitions(zi, lo, hi))
            first_day = datetime.fromtimestamp(lo, zi).toordinal()
            last_day = datetime.fromtimestamp(hi, zi).toordinal()
            start_local = datetime.fromtimestamp(start_ts, zi)
        points.update(int(t.timestamp()) for t in (layer.from_, layer.until) if t is not None)
        for event in layer.events:
            for begin, end in occurrences(event, tz, start_ts, end_ts):
                points.update((begin, end))
        if not layer.events:
            n = turn_index(layer, tz, start_ts, start_local)
            while (handoff := handoff_ts(layer, tz, n)) < end_ts:
                points.add(handoff)
                if layer.shift is not None:
                    points.add(int(handoff + layer.shift))
                n += 1
        minutes = {int(w.start[1] + k) for w in layer.windows for k in (0, w.duration / 60)}
        for ordinal in range(first_day, last_day + 1):
            for minute in minutes:
                day, rest = divmod(minute, 1440)
                # Both folds: in an overlap the wall clock crosses the edge twice.
                points.add(wall_fold_ts(zi, ordinal + day, rest, 0))
                points.add(wall_fold_ts(zi, ordinal + day, rest, 1))
    for o in schedule.overrides:
        points.update((int(o.start.timestamp()), int(o.end.timestamp())))
    for t in schedule.temporary:
        points.update((int(t.start.timestamp()), int(t.end.timestamp())))
        for s in t.shifts:
            points.update((int(s.start.timestamp()), int(s.end.timestamp())))
    return points


def next_change(schedule: Schedule, at: datetime, within_s: float) -> datetime | None:
    """The first instant after ``at`` at which the people on call differ from those at
    ``at``, looking no further than ``within_s`` seconds; None if nothing changes.

    Exact (the schedule's own breakpoints, no polling): a responder's shift ends at this
    instant, to the second, whatever the rotation's length or the zone's DST.
    """
    ts = timestamp(at)
    now = _final(schedule, ts, local_time(at, schedule.tz))
    zi = zone(schedule.tz)
    lo, day = ts, 86400.0
    while lo < ts + within_s:
        hi = min(lo + day, ts + within_s)
        for point in sorted(p for p in _breakpoints(schedule, lo, hi) if lo < p <= hi):
            moment = datetime.fromtimestamp(point, zi)
            if _final(schedule, float(point), moment) != now:
                return moment
        lo = hi
    return None


def shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """The final schedule over ``[start, end)`` as merged, contiguous shifts.

    Adjacent stretches with the same people are merged, even across a handoff back to
    the same person. Gaps where nobody is on call produce no shift, so coverage is the
    shifts' total duration over the window. Shifts are clipped to the window.

    Returns:
        Shifts in time order, with start/end in the schedule's time zone; empty if
        ``end <= start``.

    Raises:
        ValueError: if ``start`` or ``end`` is naive.
    """
    start_ts, end_ts = timestamp(start), timestamp(end)
    if end_ts <= start_ts:
        return []
    zi = zone(schedule.tz)
    inner = sorted(p for p in _breakpoints(schedule, start_ts, end_ts) if start_ts < p < end_ts)
    instants = [start.astimezone(zi), *(datetime.fromtimestamp(p, zi) for p in inner)]
    bounds = [start_ts, *inner]
    result: list[Shift] = []
    previous: tuple[str, ...] = ()  # people of the segment just before; () for a gap
    for i, (local, ts) in enumerate(zip(instants, bounds, strict=True)):
        people = tuple(_final(schedule, ts, local))
        seg_end = instants[i + 1] if i + 1 < len(instants) else end.astimezone(zi)
        if people and people == previous:
            result[-1] = Shift(people, result[-1].start, seg_end)
        elif people:
            result.append(Shift(people, local, seg_end))
        previous = people
    return result
