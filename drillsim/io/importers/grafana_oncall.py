"""Grafana OnCall schedules and their on-call shifts (public API JSON) as drillsim schedules.

Accepted shapes (``docs/sources/oncall-api-reference/{schedules,on_call_shifts}.md``):

* ``{"schedule": {...}, "on_call_shifts": [...]}`` — ``GET /api/v1/schedules/{id}/`` beside
  ``GET /api/v1/on_call_shifts/?schedule_id=...``; either may be the paginated list body
  (``{"results": [...]}``), and ``"schedules"`` may hold several schedules;
* a schedule whose ``shifts`` are shift objects rather than ids.

A schedule takes the shifts its ``shifts`` ids name, else those whose ``schedule`` is its
id, else (one schedule) all of them. An optional ``users`` list (``GET /api/v1/users/``)
names users by ``username``; otherwise users are their ids.

OnCall compiles every shift into iCalendar events (``CustomOnCallShift.convert_to_ical``)
and resolves the final schedule from them; this importer builds the same events, as
drillsim calendar layers, so the result follows OnCall's own arithmetic:

* ``single_event``: one event from ``start`` lasting ``duration`` seconds for ``users``;
* ``recurrent_event``: that event repeating by the RRULE ``FREQ``/``INTERVAL``/``BYDAY``/
  ``BYMONTH``/``BYMONTHDAY``/``WKST``/``UNTIL`` built from ``frequency``, ``interval``,
  ``by_day``, ``by_month``, ``by_monthday``, ``week_start`` (default ``SU``), ``until``;
* ``rolling_users``: one event per group of ``rolling_users`` (rotated to start at
  ``start_rotation_from_user_index``), group *k* starting at the *k*-th rotation date
  (the next period's first occurrence of the shift's rule, as OnCall steps it) and
  repeating every ``interval x len(rolling_users)`` periods; occurrences before
  ``rotation_start`` are dropped as OnCall drops them. A ``daily`` rotation limited by
  ``by_day`` hands each group ``interval`` of the selected days in turn, as weekly
  events per (group, day), exactly as OnCall's ``_daily_by_day_to_ical`` does;
* ``override``: events on a level above every shift's (overrides win, OnCall's
  ``_resolve_schedule``), overlapping overrides adding up.

``level`` is the layer's level: the highest covering level decides, equal levels add up.
``start``, ``rotation_start`` and ``until`` are wall-clock times; ``start`` is read in the
shift's ``time_zone`` (default: the schedule's), ``until`` in UTC, as OnCall reads them.
A repeating shift in another zone becomes a layer with that ``tz``, its events expanded
on its own clock (recurring overrides in another zone: a layer of their own on the
overrides' level). iCal schedules
(``ical_url_primary``) are imported from their feed (.ics) instead; ``ical_url_overrides``
is a warning. Ids, teams, Slack settings and ``on_call_now`` are skipped quietly.
"""

from __future__ import annotations

import calendar
import itertools
from datetime import datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr

from drillsim.io.importers.schedule_reader import (
    ImportedSchedules,
    Problems,
    known_zone,
    wall,
)
from drillsim.io.yamlsource import PathKey, Source

__all__ = ["import_grafana_oncall_schedules", "is_grafana_oncall_schedules"]

_TYPES = ("single_event", "recurrent_event", "rolling_users", "override")
_FREQUENCIES = ("hourly", "daily", "weekly", "monthly")
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SCHEDULE_KEYS = {"name", "type", "time_zone", "shifts", "ical_url_overrides"}
_SCHEDULE_QUIET = {
    "id",
    "team_id",
    "slack",
    "on_call_now",
    "enable_web_overrides",
    "users",
    "on_call_shifts",
}
_SHIFT_KEYS = {
    "name",
    "type",
    "level",
    "start",
    "duration",
    "rotation_start",
    "frequency",
    "interval",
    "until",
    "week_start",
    "by_day",
    "by_month",
    "by_monthday",
    "users",
    "rolling_users",
    "start_rotation_from_user_index",
    "time_zone",
}
_SHIFT_QUIET = {"id", "team_id", "schedule", "source"}
# Rotation dates stepped before giving up (an hourly rotation_start years after start).
_MAX_STEPS = 100_000


def _results(value: Any) -> Any:
    return value.get("results") if isinstance(value, dict) and "results" in value else value


def _is_shift(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") in _TYPES


def is_grafana_oncall_schedules(data: Any) -> bool:
    """Whether ``data`` looks like Grafana OnCall schedule and shift JSON."""
    if not isinstance(data, dict):
        return False
    if "on_call_shifts" in data:
        return True
    schedule = data.get("schedule", data)
    shifts = schedule.get("shifts") if isinstance(schedule, dict) else None
    return isinstance(shifts, list) and bool(shifts) and all(_is_shift(s) for s in shifts)


class _Rule:
    """A shift's recurrence, with the wall-clock stepping OnCall's rotations use."""

    def __init__(self, shift: dict[str, Any], until: datetime | None) -> None:
        self.freq: str = shift["frequency"]
        self.interval: int = shift.get("interval") or 1
        self.by_day: list[str] = list(shift.get("by_day") or [])
        self.by_month: list[int] = list(shift.get("by_month") or [])
        self.by_monthday: list[int] = list(shift.get("by_monthday") or [])
        self.week_start = _DAY_CODES.index(shift.get("week_start") or "SU")
        self.until = until

    def text(self, interval: int, **changes: Any) -> str:
        """The RRULE value, with ``changes`` (freq, by_day) applied."""
        parts = [f"FREQ={changes.get('freq', self.freq).upper()}", f"INTERVAL={interval}"]
        by_day = changes.get("by_day", self.by_day)
        if by_day:
            parts.append("BYDAY=" + ",".join(by_day))
        if self.by_month:
            parts.append("BYMONTH=" + ",".join(map(str, self.by_month)))
        if self.by_monthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.by_monthday)))
        parts.append(f"WKST={_DAY_CODES[self.week_start]}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%dT%H%M%S}")
        return ";".join(parts)

    def first_day(self, start: datetime) -> datetime:
        """OnCall moves a start outside ``by_day`` to the first selected day of the week
        (counted from ``week_start``) that follows it."""
        if not self.by_day or _DAY_CODES[start.weekday()] in self.by_day:
            return start
        order = [(self.week_start + i) % 7 for i in range(7)]
        first = next(d for d in order if _DAY_CODES[d] in self.by_day)
        return start + timedelta(days=(first - start.weekday()) % 7)

    def next_date(self, current: datetime, interval: int, freq: str | None = None) -> Any:
        """The next rotation date after ``current`` (``get_rotation_date``), or None past
        ``until``: the first occurrence of the rule from ``current`` in the next period."""
        freq = freq or self.freq
        month_days = calendar.monthrange(current.year, current.month)[1]
        end: datetime | None = None
        if freq == "hourly":
            low = current + timedelta(hours=1)
        elif freq == "daily":
            low = current + timedelta(days=1)
        elif freq == "weekly":
            ahead = 7 - current.weekday() + self.week_start
            ahead = ahead % 7 if ahead > 7 else ahead
            low = current + timedelta(days=ahead + 7 * (interval - 1))
            end = low + timedelta(days=6 - (low.weekday() - self.week_start) % 7)
        else:
            ahead = month_days - current.day + 1
            for i in range(1, interval):
                year, month = divmod(current.year * 12 + current.month - 1 + i, 12)
                ahead += calendar.monthrange(year, month + 1)[1]
            low = current + timedelta(days=ahead)
            end = low + timedelta(days=calendar.monthrange(low.year, low.month)[1] - low.day)
        high = (
            max(end, low + timedelta(days=month_days)) if end else low + timedelta(days=month_days)
        )
        rule = rrulestr(self.text(interval, freq=freq), dtstart=current)
        found = next(iter(rule.between(low, high, inc=True)), None)
        if found is not None and end is not None and found > end:
            found = None
        moment = found if found is not None else low
        if self.until is not None and moment > self.until:
            return None
        return moment


class _Reader(Problems):
    def __init__(self, source: Source) -> None:
        super().__init__(source)
        self.names: dict[str, str] = {}

    def learn_names(self, users: Any) -> None:
        for user in _results(users) or []:
            if isinstance(user, dict) and isinstance(user.get("id"), str):
                name = user.get("username") or user.get("name")
                if isinstance(name, str) and name:
                    self.names[user["id"]] = name

    def person(self, ident: Any, path: PathKey) -> str | None:
        if not isinstance(ident, str) or not ident:
            self.error(path, "expected a user id")
            return None
        return self.names.get(ident, ident)

    def group(self, ids: Any, path: PathKey) -> list[str] | None:
        if not isinstance(ids, list):
            self.error(path, "expected a list of user ids")
            return None
        people = [self.person(x, (*path, i)) for i, x in enumerate(ids)]
        return None if None in people else [p for p in people if p is not None]

    def schedule(
        self, obj: Any, path: PathKey, shifts: list[tuple[Any, PathKey]]
    ) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.error(path, "expected a schedule object")
            return None
        self.unknown_keys(obj, path, _SCHEDULE_KEYS, _SCHEDULE_QUIET | {"ical_url_primary"})
        if obj.get("ical_url_primary"):
            self.error(
                (*path, "ical_url_primary"),
                "an iCal schedule lives in its feed",
                "download the feed and give drillsim the .ics file",
            )
            return None
        if obj.get("ical_url_overrides"):
            self.warn((*path, "ical_url_overrides"), "an overrides feed is not read; ignored")
        tz = obj.get("time_zone") or "UTC"
        if not known_zone(tz):
            self.error((*path, "time_zone"), f"unknown time zone {tz!r}")
            return None
        layers = []
        overrides: dict[str | None, list[dict[str, Any]]] = {}  # by clock (None: the schedule's)
        for raw, where in shifts:
            layer = self.shift(raw, where, tz)
            if layer is None:
                continue
            if raw.get("type") == "override":
                overrides.setdefault(layer.get("tz"), []).extend(layer["events"])
            else:
                layers.append(layer)
        top = max((layer["level"] for layer in layers), default=0) + 1
        for clock_tz, events in overrides.items():
            name = "overrides" if clock_tz is None else f"overrides ({clock_tz})"
            own = {} if clock_tz is None else {"tz": clock_tz}
            layers.append({"name": name, "level": top, "events": events} | own)
        if not layers and not self.issues:
            self.error(path, "no shift puts anyone on call")
            return None
        return {"name": str(obj.get("name") or "grafana-oncall"), "tz": tz, "layers": layers}

    def shift(self, obj: Any, path: PathKey, schedule_tz: str) -> dict[str, Any] | None:
        from drillsim.oncall.clock import zone

        if not _is_shift(obj):
            self.error(path, "expected an on-call shift", f"'type' one of {', '.join(_TYPES)}")
            return None
        self.unknown_keys(obj, path, _SHIFT_KEYS, _SHIFT_QUIET)
        start, duration = wall(obj.get("start")), obj.get("duration")
        tz = obj.get("time_zone") or schedule_tz
        ok = self.check(obj, path)
        if start is None:
            self.error((*path, "start"), 'needs a time like "2020-09-10T08:00:00"')
        if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
            self.error((*path, "duration"), "needs whole seconds > 0")
            ok = False
        if not known_zone(tz):
            self.error((*path, "time_zone"), f"unknown time zone {tz!r}")
            ok = False
        if not ok or start is None or not isinstance(duration, int):
            return None
        until = wall(obj.get("until"))
        if until is not None:  # OnCall reads until in UTC
            until = until.replace(tzinfo=zone("UTC")).astimezone(zone(tz)).replace(tzinfo=None)
        events = self.events(obj, path, start, duration, until)
        if events is None:
            return None
        made = [
            {
                "start": begin.replace(tzinfo=zone(tz)).isoformat(),
                "end": (begin + timedelta(seconds=duration)).replace(tzinfo=zone(tz)).isoformat(),
                "users": users,
            }
            | ({"rrule": rule} if rule else {})
            for begin, rule, users in events
            if users
        ]
        if not made:
            return None
        level = obj.get("level") or 0
        if not isinstance(level, int):
            self.error((*path, "level"), "needs a whole number")
            return None
        # Repeats on its own clock; a single event is the same instants on any clock.
        own = {"tz": tz} if tz != schedule_tz and obj.get("frequency") is not None else {}
        return (
            {"name": str(obj.get("name") or obj.get("id") or "shift"), "level": level}
            | {"events": made}
            | own
        )

    def check(self, obj: dict[str, Any], path: PathKey) -> bool:
        """Recurrence fields' types; located errors for the wrong ones."""
        ok = True
        frequency = obj.get("frequency")
        if frequency is not None and frequency not in _FREQUENCIES:
            self.error((*path, "frequency"), f"unknown frequency {frequency!r}")
            ok = False
        if obj["type"] in ("recurrent_event", "rolling_users") and frequency is None:
            self.error((*path, "frequency"), f"a {obj['type']} shift needs a frequency")
            ok = False
        interval = obj.get("interval")
        if interval is not None and (not isinstance(interval, int) or interval < 1):
            self.error((*path, "interval"), "needs a whole number >= 1")
            ok = False
        for key in ("by_day", "week_start"):
            value = obj.get(key)
            days = value if isinstance(value, list) else [] if value is None else [value]
            if key == "by_day" and value is not None and not isinstance(value, list):
                days = [None]
            if any(d not in _DAY_CODES for d in days):
                self.error((*path, key), "needs iCal weekdays: MO, TU, WE, TH, FR, SA, SU")
                ok = False
        for key, low, high in (("by_month", 1, 12), ("by_monthday", -31, 31)):
            value = obj.get(key)
            if value is not None and not (
                isinstance(value, list)
                and all(isinstance(v, int) and low <= v <= high and v != 0 for v in value)
            ):
                self.error((*path, key), f"needs a list of whole numbers {low}..{high}")
                ok = False
        for key in ("until", "rotation_start"):
            if obj.get(key) is not None and wall(obj.get(key)) is None:
                self.error((*path, key), 'needs a time like "2020-09-10T08:00:00"')
                ok = False
        return ok

    def events(
        self,
        obj: dict[str, Any],
        path: PathKey,
        start: datetime,
        duration: int,
        until: datetime | None,
    ) -> list[tuple[datetime, str | None, list[str]]] | None:
        """(first start, RRULE or None, users) of every event the shift compiles to."""
        kind = obj["type"]
        rolling = kind == "rolling_users" or (kind == "override" and not obj.get("users"))
        if not rolling:
            users = self.group(obj.get("users") or [], (*path, "users"))
            if users is None:
                return None
            rule = _Rule(obj, until) if kind == "recurrent_event" else None
            return [(start, rule.text(rule.interval) if rule else None, users)]
        raw_groups = obj.get("rolling_users")
        if not isinstance(raw_groups, list) or not raw_groups:
            self.error((*path, "rolling_users"), "needs a list of lists of user ids")
            return None
        groups = [self.group(g, (*path, "rolling_users", i)) for i, g in enumerate(raw_groups)]
        if any(g is None for g in groups):
            return None
        first = obj.get("start_rotation_from_user_index") or 0
        if not isinstance(first, int) or not 0 <= first < len(groups):
            self.error((*path, "start_rotation_from_user_index"), f"needs 0..{len(groups) - 1}")
            return None
        queue = [g or [] for g in groups[first:] + groups[:first]]
        if obj.get("frequency") is None:
            return [(start, None, queue[0])]
        rule = _Rule(obj, until)
        begin = rule.first_day(start)
        if rule.freq == "daily" and rule.by_day:
            return _daily_by_day(rule, begin, queue)
        since = wall(obj.get("rotation_start")) or start
        return _rotation(rule, begin, since, queue, path, self)


def _rotation(
    rule: _Rule,
    begin: datetime,
    since: datetime,
    queue: list[list[str]],
    path: PathKey,
    reader: _Reader,
) -> list[tuple[datetime, str | None, list[str]]] | None:
    """Group k's events start at the k-th rotation date on or after ``since``."""
    text = rule.text(rule.interval * len(queue))
    out: list[tuple[datetime, str | None, list[str]]] = []
    current: datetime | None = begin
    for step in range(_MAX_STEPS):
        if current is None or len(out) == len(queue):
            return out
        if current >= since:
            out.append((current, text, queue[step % len(queue)]))
        current = rule.next_date(current, rule.interval)
    reader.error((*path, "rotation_start"), "is too many rotations after 'start'")
    return None


def _daily_by_day(
    rule: _Rule, begin: datetime, queue: list[list[str]]
) -> list[tuple[datetime, str | None, list[str]]]:
    """Each group takes ``interval`` selected days in turn; every (group, day) pair
    becomes a weekly event repeating once the pairs come round again."""
    combos: list[tuple[int, str, int]] = []
    starts: list[datetime] = []
    current: datetime | None = begin
    previous: str | None = None
    for group in itertools.cycle(range(len(queue))):
        seen = False
        for i in range(rule.interval):
            if current is None:  # past until: keep counting pairs for the week interval
                day = (
                    rule.by_day[0]
                    if previous is None
                    else rule.by_day[(rule.by_day.index(previous) + 1) % len(rule.by_day)]
                )
            else:
                day = _DAY_CODES[current.weekday()]
            if (group, day, i) in combos:
                seen = True
                break
            if current is not None:
                if day in rule.by_day:
                    starts.append(current)
                    combos.append((group, day, i))
                    previous = day
                current = rule.next_date(current, 1, freq="daily")
            else:
                combos.append((group, day, i))
                previous = day
        if seen:
            break
    weeks = len(combos) // len(rule.by_day) or 1
    return [
        (start, rule.text(weeks, freq="weekly", by_day=[day]), queue[group])
        for (group, day, _), start in zip(combos, starts, strict=False)
    ]


def _schedules_and_shifts(
    data: dict[str, Any], reader: _Reader
) -> list[tuple[Any, PathKey, list[tuple[Any, PathKey]]]]:
    """Each schedule with its path and its shifts (each with its path)."""
    raw_shifts = data.get("on_call_shifts")
    base: PathKey = (
        ("on_call_shifts", "results") if isinstance(raw_shifts, dict) else ("on_call_shifts",)
    )
    pool = [(s, (*base, i)) for i, s in enumerate(_results(raw_shifts) or [])]
    if "schedules" in data:
        many = data["schedules"]
        key: PathKey = ("schedules", "results") if isinstance(many, dict) else ("schedules",)
        found = [(s, (*key, i)) for i, s in enumerate(_results(many) or [])]
    elif "schedule" in data:
        found = [(data["schedule"], ("schedule",))]
    else:
        found = [(data, ())]
    out = []
    for obj, path in found:
        listed = obj.get("shifts") if isinstance(obj, dict) else None
        if isinstance(listed, list) and listed and all(isinstance(x, dict) for x in listed):
            mine = [(s, (*path, "shifts", i)) for i, s in enumerate(listed)]
        elif isinstance(listed, list) and listed:
            by_id = {s.get("id"): (s, p) for s, p in pool if isinstance(s, dict)}
            mine = []
            for i, ident in enumerate(listed):
                if ident in by_id:
                    mine.append(by_id[ident])
                else:
                    reader.error((*path, "shifts", i), f"shift {ident!r} is not in on_call_shifts")
        else:
            ident = obj.get("id") if isinstance(obj, dict) else None
            mine = [(s, p) for s, p in pool if isinstance(s, dict) and s.get("schedule") == ident]
            if not mine and len(found) == 1:
                mine = pool
        out.append((obj, path, mine))
    return out


def import_grafana_oncall_schedules(source: Source) -> ImportedSchedules:
    """Every schedule in a Grafana OnCall JSON file; ConfigError lists every problem found."""
    reader = _Reader(source)
    reader.learn_names(source.data.get("users"))
    schedules = []
    for obj, path, shifts in _schedules_and_shifts(source.data, reader):
        made = reader.schedule(obj, path, shifts)
        if made is not None:
            schedules.append(made)
    return reader.result(schedules)
