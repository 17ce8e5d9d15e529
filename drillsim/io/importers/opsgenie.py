"""Opsgenie schedules (the Schedule API's JSON) as drillsim schedules.

Accepted shapes: ``GET /v2/schedules/{id}?expand=rotation`` (``{"data": {...}}``),
``GET /v2/schedules?expand=rotation`` (``{"data": [...]}``) and a bare schedule object.
Overrides are read from the schedule's ``overrides`` list (as Grafana OnCall's Opsgenie
migrator reads them) or from a ``GET /v2/schedules/{id}/overrides`` body placed beside
``data`` as ``"overrides"``. Semantics (``reference/formats.md`` §3.1):

* **Rotations are cumulative**: everyone on call in any rotation is on call, so every
  rotation becomes a layer of one level (0).
* A rotation of ``type`` hourly, daily or weekly hands off every ``length`` units at
  ``startDate``'s local time in the schedule's ``timezone`` (kept across DST), starting
  at ``startDate`` and ending at ``endDate``; ``enabled: false`` rotations put nobody
  on call and are skipped.
* ``participants`` rotate in order; a user is named by ``username``, else ``name``,
  else ``id`` (an id another participant spells with a username takes that username).
  A ``none`` participant is a turn nobody holds: an empty group (``[]``) in the
  layer's ``users``, so the rotation keeps turning past it on the wall clock. ``team``
  and ``escalation`` participants are not simulated: their turns are left empty, with
  a warning.
* ``timeRestriction`` ``time-of-day`` (``restriction``: ``startHour``, ``startMin``,
  ``endHour``, ``endMin``; end before start crosses midnight, end equal to start is
  the whole day) and ``weekday-and-time-of-day`` (``restrictions``: also ``startDay``,
  ``endDay``: one span from start day and time to end day and time) mask the rotation
  without stopping it.
* ``overrides`` (``user``, ``startDate``, ``endDate``) replace everyone; with
  ``rotations`` (by ``id`` or ``name``) they replace only those rotations' people.

Identifiers and links (``id``, ``ownerTeam``, ``description``, ``alias``) are read by
nobody and skipped quietly; any other field drillsim does not simulate is a warning
naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drillsim.io.importers.schedule_reader import (
    WEEKDAYS,
    ImportedSchedules,
    Problems,
    clock,
    instant,
    known_zone,
)
from drillsim.io.yamlsource import PathKey, Source

__all__ = ["import_opsgenie_schedules", "is_opsgenie_schedules"]

_SCHEDULE_KEYS = {"name", "timezone", "rotations", "overrides", "enabled"}
_SCHEDULE_QUIET = {"id", "description", "ownerTeam"}
_ROTATION_KEYS = {
    "name",
    "type",
    "length",
    "startDate",
    "endDate",
    "participants",
    "timeRestriction",
    "enabled",
}
_ROTATION_QUIET = {"id"}
_OVERRIDE_KEYS = {"user", "startDate", "endDate", "rotations"}
_OVERRIDE_QUIET = {"alias"}
_UNIT_HOURS = {"hourly": 1, "daily": 24, "weekly": 24 * 7}
_DAYS = {name: i for i, name in enumerate(WEEKDAYS)}


def _body(data: Any) -> Any:
    return data.get("data", data) if isinstance(data, dict) else None


def is_opsgenie_schedules(data: Any) -> bool:
    """Whether ``data`` looks like Opsgenie schedule JSON (any accepted shape)."""
    body = _body(data)
    items = body if isinstance(body, list) else [body]
    return bool(items) and all(
        isinstance(item, dict)
        and isinstance(item.get("rotations"), list)
        and "schedule" not in item
        for item in items
    )


class _Reader(Problems):
    def __init__(self, source: Source) -> None:
        super().__init__(source)
        self.usernames: dict[str, str] = {}

    def learn_names(self, obj: Any) -> None:
        """Map ids to usernames wherever a participant or override spells both."""
        if isinstance(obj, dict):
            ident, name = obj.get("id"), obj.get("username") or obj.get("name")
            is_user = obj.get("type") == "user" or "username" in obj
            if is_user and isinstance(ident, str) and isinstance(name, str) and name:
                self.usernames[ident] = name
            for value in obj.values():
                self.learn_names(value)
        elif isinstance(obj, list):
            for value in obj:
                self.learn_names(value)

    def user(self, ref: Any, path: PathKey) -> str | None:
        if not isinstance(ref, dict):
            self.error(path, "expected a user reference like {type: user, username: ...}")
            return None
        for key in ("username", "name"):
            if isinstance(ref.get(key), str) and ref[key]:
                return str(ref[key])
        ident = ref.get("id")
        if isinstance(ident, str) and ident:
            return self.usernames.get(ident, ident)
        self.error(path, "a user needs 'username', 'name' or 'id'")
        return None

    def schedule(
        self, obj: Any, path: PathKey, extra: tuple[Any, PathKey] | None
    ) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.error(path, "expected a schedule object")
            return None
        self.unknown_keys(obj, path, _SCHEDULE_KEYS, _SCHEDULE_QUIET)
        tz = obj.get("timezone", "UTC")
        if not known_zone(tz):
            self.error((*path, "timezone"), f"unknown time zone {tz!r}")
            return None
        if obj.get("enabled") is False:
            self.warn((*path, "enabled"), "a disabled schedule is imported as if enabled")
        layers: list[dict[str, Any]] = []
        names: dict[str, str] = {}  # rotation id or name -> layer name
        for i, raw in enumerate(obj.get("rotations") or []):
            where = (*path, "rotations", i)
            if isinstance(raw, dict) and raw.get("enabled") is False:
                names[_rotation_name(raw, i)] = ""  # overriding it changes nothing
                continue
            name = _rotation_name(raw, i)
            names[name] = name
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                names[raw["id"]] = name
            layers += self.rotation(raw, where, tz, name)
        if not layers and not self.issues:
            self.error((*path, "rotations"), "no rotation puts anyone on call")
            return None
        overrides: list[dict[str, Any]] = []
        raw_overrides, opath = obj.get("overrides"), (*path, "overrides")
        if raw_overrides is None and extra is not None:
            raw_overrides, opath = extra
        built = {layer["name"] for layer in layers}
        for i, raw in enumerate(raw_overrides if isinstance(raw_overrides, list) else []):
            overrides += self.override(raw, (*opath, i), names, built)
        return {"name": str(obj.get("name") or "opsgenie"), "tz": tz, "layers": layers} | (
            {"overrides": overrides} if overrides else {}
        )

    def rotation(self, obj: Any, path: PathKey, tz: str, name: str) -> list[dict[str, Any]]:
        from drillsim.oncall.clock import zone

        if not isinstance(obj, dict):
            self.error(path, "expected a rotation object")
            return []
        self.unknown_keys(obj, path, _ROTATION_KEYS, _ROTATION_QUIET)
        kind = obj["type"] if isinstance(obj.get("type"), str) else repr(obj.get("type"))
        length = obj.get("length", 1)
        start, end = instant(obj.get("startDate")), instant(obj.get("endDate"))
        ok = True
        if kind not in _UNIT_HOURS:
            self.error(
                (*path, "type"),
                f"unknown rotation type {obj.get('type')!r}",
                "hourly, daily or weekly",
            )
            ok = False
        if not isinstance(length, int) or isinstance(length, bool) or length < 1:
            self.error((*path, "length"), "needs a whole number >= 1")
            ok = False
        if start is None:
            self.error((*path, "startDate"), "needs a time with a UTC offset")
            ok = False
        if obj.get("endDate") is not None and end is None:
            self.error((*path, "endDate"), "needs a time with a UTC offset")
            ok = False
        slots = self.participants(obj.get("participants"), (*path, "participants"))
        windows = self.restriction(obj.get("timeRestriction"), (*path, "timeRestriction"))
        if not ok or slots is None or windows is None or start is None:
            return []
        base: dict[str, Any] = {"name": name, "level": 0, "from": start.isoformat()}
        if end is not None:
            base["until"] = end.isoformat()
        if windows:
            base["restrictions"] = windows
        local = start.astimezone(zone(tz)).replace(tzinfo=None)
        if all(s is None for s in slots):
            self.warn((*path, "participants"), "no user takes a turn; rotation skipped")
            return []
        users: list[str | list[str]] = [s if s is not None else [] for s in slots]
        return [base | _turns(kind, local, length) | {"users": users}]

    def participants(self, raw: Any, path: PathKey) -> list[str | None] | None:
        if not isinstance(raw, list) or not raw:
            self.error(path, "a rotation needs 'participants' (at least one)")
            return None
        slots: list[str | None] = []
        for i, p in enumerate(raw):
            kind = p.get("type") if isinstance(p, dict) else None
            if kind == "user":
                slots.append(self.user(p, (*path, i)))
            elif kind == "none":
                slots.append(None)
            elif kind in ("team", "escalation"):
                self.warn(
                    (*path, i, "type"),
                    f"a {kind} participant is not simulated; its turns are left empty",
                )
                slots.append(None)
            else:
                self.error((*path, i), f"unknown participant type {kind!r}", "user, none, team")
                return None
        return slots

    def restriction(self, raw: Any, path: PathKey) -> list[dict[str, Any]] | None:
        if raw is None:
            return []
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind == "time-of-day":
            span = self.span(raw.get("restriction"), (*path, "restriction"), days=False)
            return None if span is None else ([] if span[1] == 1440 else [_window(*span)])
        if kind == "weekday-and-time-of-day":
            items = raw.get("restrictions")
            if not isinstance(items, list) or not items:
                self.error((*path, "restrictions"), "needs a list of day and time spans")
                return None
            spans = [
                self.span(r, (*path, "restrictions", i), days=True) for i, r in enumerate(items)
            ]
            if any(s is None for s in spans):
                return None
            return [_window(*s) for s in spans if s is not None]
        self.error(
            (*path, "type"),
            f"unknown time restriction type {kind!r}",
            "time-of-day or weekday-and-time-of-day",
        )
        return None

    def span(self, raw: Any, path: PathKey, days: bool) -> tuple[int, int, bool] | None:
        """(start minute of the week or day, length in minutes, weekly)."""
        if not isinstance(raw, dict):
            self.error(path, "expected {startHour, startMin, endHour, endMin}")
            return None
        values = {}
        for key, top in (("startHour", 24), ("startMin", 60), ("endHour", 24), ("endMin", 60)):
            value = raw.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < top:
                self.error((*path, key), f"needs a whole number 0..{top - 1}")
                return None
            values[key] = value
        start = values["startHour"] * 60 + values["startMin"]
        end = values["endHour"] * 60 + values["endMin"]
        if not days:
            return start, (end - start) % 1440 or 1440, False
        for key in ("startDay", "endDay"):
            if str(raw.get(key, "")).lower()[:3] not in _DAYS:
                self.error((*path, key), "needs a weekday like monday")
                return None
        start += _DAYS[str(raw["startDay"]).lower()[:3]] * 1440
        end += _DAYS[str(raw["endDay"]).lower()[:3]] * 1440
        return start, (end - start) % (7 * 1440) or 7 * 1440, True

    def override(
        self, raw: Any, path: PathKey, layers: dict[str, str], built: set[str]
    ) -> list[dict[str, Any]]:
        """Whole-schedule overrides, or one per overridden rotation that puts anyone on
        call (overriding a disabled or empty rotation changes nothing)."""
        if not isinstance(raw, dict):
            self.error(path, "expected an override object")
            return []
        self.unknown_keys(raw, path, _OVERRIDE_KEYS, _OVERRIDE_QUIET)
        start, end = instant(raw.get("startDate")), instant(raw.get("endDate"))
        for key, value in (("startDate", start), ("endDate", end)):
            if value is None:
                self.error((*path, key), "needs a time with a UTC offset")
        ref = raw.get("user")
        if isinstance(ref, dict) and ref.get("type", "user") != "user":
            self.warn((*path, "user"), f"a {ref.get('type')} override is not simulated; skipped")
            return []
        who = self.user(ref, (*path, "user"))
        targets = []
        for i, rot in enumerate(raw.get("rotations") or []):
            target: dict[str, Any] = rot if isinstance(rot, dict) else {}
            name: Any = target.get("id") if target.get("id") in layers else target.get("name")
            if not isinstance(name, str) or name not in layers:
                self.error((*path, "rotations", i), "names no rotation of this schedule")
            else:
                targets.append(layers[name])
        if start is None or end is None or who is None:
            return []
        window = {"start": start.isoformat(), "end": end.isoformat(), "user": who}
        if not raw.get("rotations"):
            return [window]
        return [window | {"layer": t} for t in targets if t in built]


def _rotation_name(raw: Any, index: int) -> str:
    """The layer name of a rotation: its name, else its id, else its position."""
    ref: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return str(ref.get("name") or ref.get("id") or f"rotation {index + 1}")


def _turns(kind: str, local: datetime, every: int) -> dict[str, Any]:
    """Rotation fields for turns of ``every`` units handed off at ``local``'s wall clock."""
    at = clock(local.hour * 60 + local.minute)
    handoff = f"{WEEKDAYS[local.weekday()]} {at}" if kind == "weekly" else at
    return {"rotation": kind, "every": every, "handoff": handoff, "start": local.date().isoformat()}


def _window(start: int, length: int, weekly: bool) -> dict[str, Any]:
    day, minute = divmod(start, 1440)
    at = f"{WEEKDAYS[day]} {clock(minute)}" if weekly else clock(minute)
    return {"start": at, "duration": f"{length}m"}


def import_opsgenie_schedules(source: Source, at: PathKey = ()) -> ImportedSchedules:
    """Every schedule in an Opsgenie JSON file; ConfigError lists every problem found.

    ``at`` is where the schedule JSON sits in the file (a whole on-call export keeps a
    list of schedules under ``schedules``); user ids are named from the whole file.
    """
    data = source.data
    for key in at:
        data = data[key]
    reader = _Reader(source)
    reader.learn_names(source.data)
    wrapped = isinstance(data, dict) and "data" in data
    body = data if isinstance(data, list) else _body(data)
    top: PathKey = (*at, "data") if wrapped else at
    found = (
        [(s, (*top, i)) for i, s in enumerate(body)] if isinstance(body, list) else [(body, top)]
    )
    extra: tuple[Any, PathKey] | None = None
    beside = data.get("overrides") if wrapped else None
    if isinstance(beside, dict) and isinstance(beside.get("data"), list):
        extra = (beside["data"], (*at, "overrides", "data"))
    elif isinstance(beside, list):
        extra = (beside, (*at, "overrides"))
    if extra is not None and len(found) > 1:
        reader.error((*at, "overrides"), "overrides beside several schedules: put them in each one")
        extra = None
    schedules = []
    for obj, path in found:
        made = reader.schedule(obj, path, extra)
        if made is not None:
            schedules.append(made)
    return reader.result(schedules)
