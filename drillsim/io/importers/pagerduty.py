"""PagerDuty schedules (REST JSON, or the CloudFormation resource form) as drillsim schedules.

Accepted shapes: ``GET /schedules/{id}`` (``{"schedule": {...}}``), ``GET /schedules``
(``{"schedules": [...]}``), a bare schedule object, and the CloudFormation
``PagerDuty::Schedules::Schedule`` properties (PascalCase: ``ScheduleLayers``,
``RotationVirtualStart`` ...). Semantics (``reference/formats.md`` §2.2):

* ``schedule_layers`` come highest priority first (the API's order), so the first layer
  gets the highest level: it wins wherever it covers, lower layers show through its gaps;
* a layer's turn 0 starts at ``rotation_virtual_start`` and lasts
  ``rotation_turn_length_seconds``; whole weeks, days or hours become a weekly, daily or
  hourly rotation handing off at the virtual start's local time (kept across DST, as
  PagerDuty does); other lengths are errors;
* ``start`` / ``end`` bound the layer; ``daily_restriction`` / ``weekly_restriction``
  (``start_day_of_week`` 1 = Monday) become restriction windows in the schedule's zone;
* ``overrides`` (embedded, or a ``GET /schedules/{id}/overrides`` body merged in) replace
  everyone for their window;
* users are named by the schedule's ``users`` list (``name`` or ``summary``), else by id.

Derived fields (``rendered_*``, ``final_schedule``, ``overrides_subschedule``) are read by
nobody and skipped quietly; anything else drillsim does not simulate is a warning
naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from drillsim.errors import ConfigError, Issue
from drillsim.io.importers.locate import error_at, warning_at
from drillsim.io.yamlsource import PathKey, Source

__all__ = [
    "PagerDutySchedules",
    "get_field",
    "import_pagerduty_schedules",
    "is_pagerduty_schedules",
    "read_pagerduty_schedules",
    "snake_case",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DERIVED = {
    "rendered_schedule_entries",
    "rendered_coverage_percentage",
    "final_schedule",
    "overrides_subschedule",
    "html_url",
    "self",
    "summary",
    "type",
    "id",
    "description",
    "escalation_policies",
    "teams",
}
_LAYER_KEYS = {
    "name",
    "start",
    "end",
    "rotation_virtual_start",
    "rotation_turn_length_seconds",
    "users",
    "restrictions",
}
_SCHEDULE_KEYS = {"name", "time_zone", "schedule_layers", "overrides", "users"}


def snake_case(key: str) -> str:
    """A CloudFormation PascalCase key in the REST API's snake_case (``NumLoops`` ->
    ``num_loops``); snake_case keys are unchanged."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def get_field(obj: Any, key: str) -> tuple[Any, str | None]:
    """``obj[key]`` in REST snake_case or CloudFormation PascalCase: (value, actual key);
    (None, None) when absent or when ``obj`` is not a mapping."""
    if not isinstance(obj, dict):
        return None, None
    for actual in obj:
        if isinstance(actual, str) and snake_case(actual) == key:
            return obj[actual], actual
    return None, None


def is_pagerduty_schedules(data: Any) -> bool:
    """Whether ``data`` looks like PagerDuty schedule JSON (any accepted shape)."""
    if not isinstance(data, dict):
        return False
    if "schedule" in data or "schedules" in data:
        return True
    return get_field(data, "schedule_layers")[0] is not None


@dataclass(frozen=True, slots=True)
class PagerDutySchedules:
    """Schedules as drillsim documents' data, the people they name, and warnings."""

    schedules: list[dict[str, Any]]
    people: list[str]
    warnings: list[Issue]


def _clock(text: Any) -> int | None:
    if not isinstance(text, str) or not re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        return None
    hours, minutes = (int(p) for p in text.split(":")[:2])
    return hours * 60 + minutes


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.issues: list[Issue] = []
        self.warnings: list[Issue] = []
        self.names: dict[str, str] = {}

    def error(self, path: PathKey, message: str, hint: str = "") -> None:
        self.issues.append(error_at(self.source, path, message, hint))

    def unknown_keys(self, obj: dict[str, Any], path: PathKey, known: set[str]) -> None:
        for key in obj:
            snake = snake_case(str(key))
            if snake not in known and snake not in _DERIVED:
                self.warnings.append(
                    warning_at(self.source, (*path, key), f"{key!r}: not simulated; ignored")
                )

    def user(self, ref: Any, path: PathKey) -> str | None:
        """A user reference (``{"user": {"id"}}``, ``{"id"}`` ...) as a person's name."""
        inner, key = get_field(ref, "user")
        if inner is not None and key is not None:
            ref, path = inner, (*path, key)
        ident, _ = get_field(ref, "id")
        if not isinstance(ident, str) or not ident:
            self.error(path, "a user reference needs an 'id'")
            return None
        return self.names.get(ident, ident)

    def schedule(
        self, obj: Any, path: PathKey, extra: list[tuple[Any, PathKey]] | None = None
    ) -> dict[str, Any] | None:
        """One schedule; ``extra`` are overrides found outside it, each with its path."""
        if not isinstance(obj, dict):
            self.error(path, "expected a schedule object")
            return None
        self.unknown_keys(obj, path, _SCHEDULE_KEYS)
        users, _ = get_field(obj, "users")
        for entry in users if isinstance(users, list) else []:
            ident, _ = get_field(entry, "id")
            name = get_field(entry, "name")[0] or get_field(entry, "summary")[0]
            if isinstance(ident, str) and isinstance(name, str):
                self.names.setdefault(ident, name)  # a name given beforehand wins
        tz, tz_key = get_field(obj, "time_zone")
        name, _ = get_field(obj, "name")
        layers_raw, layers_key = get_field(obj, "schedule_layers")
        if not isinstance(layers_raw, list) or not layers_raw:
            self.error(path, "a schedule needs 'schedule_layers' (at least one)")
            return None
        zone = tz if isinstance(tz, str) else "UTC"
        layers = []
        count = len(layers_raw)
        for i, raw in enumerate(layers_raw):
            layer = self.layer(raw, (*path, layers_key or "schedule_layers", i), zone)
            if layer is not None:
                layer["level"] = count - i  # the API lists the highest layer first
                layers.append(layer)
        overrides = []
        raw_overrides, key = get_field(obj, "overrides")
        located = [
            (raw, (*path, key or "overrides", i))
            for i, raw in enumerate(raw_overrides if isinstance(raw_overrides, list) else [])
        ]
        for raw, where in located + (extra or []):
            start, end = _when(get_field(raw, "start")[0]), _when(get_field(raw, "end")[0])
            who = self.user(raw, where)
            if start is None or end is None:
                self.error(where, "an override needs 'start' and 'end' with a UTC offset")
            elif who is not None:
                overrides.append({"start": start.isoformat(), "end": end.isoformat(), "user": who})
        return {
            "name": str(name or "pagerduty"),
            "tz": zone if tz_key else "UTC",
            "layers": layers,
            "overrides": overrides,
        }

    def layer(self, obj: Any, path: PathKey, zone: str) -> dict[str, Any] | None:
        from drillsim.oncall.clock import zone as zone_info

        if not isinstance(obj, dict):
            self.error(path, "expected a schedule layer")
            return None
        self.unknown_keys(obj, path, _LAYER_KEYS)
        virtual, vkey = get_field(obj, "rotation_virtual_start")
        length, lkey = get_field(obj, "rotation_turn_length_seconds")
        anchor = _when(virtual)
        if anchor is None:
            self.error((*path, vkey or "rotation_virtual_start"), "needs a time with a UTC offset")
            return None
        if not isinstance(length, int) or length <= 0:
            self.error((*path, lkey or "rotation_turn_length_seconds"), "needs whole seconds > 0")
            return None
        try:
            local = anchor.astimezone(zone_info(zone))
        except (KeyError, ValueError):
            self.error(path, f"unknown time zone {zone!r}")
            return None
        clock = f"{local.hour:02d}:{local.minute:02d}"
        layer: dict[str, Any] = {"start": local.date().isoformat()}
        if length % (7 * 86400) == 0:
            layer |= {"rotation": "weekly", "every": length // (7 * 86400)}
            layer["handoff"] = f"{WEEKDAYS[local.weekday()]} {clock}"
        elif length % 86400 == 0:
            layer |= {"rotation": "daily", "every": length // 86400, "handoff": clock}
        elif length % 3600 == 0:
            layer |= {"rotation": "hourly", "every": length // 3600, "handoff": clock}
        else:
            self.error(
                (*path, lkey or "rotation_turn_length_seconds"),
                f"a turn of {length} s is not whole hours; drillsim rotates by hours, days, "
                "weeks or months",
            )
            return None
        name, _ = get_field(obj, "name")
        if isinstance(name, str):
            layer["name"] = name
        for bound, key in (("from", "start"), ("until", "end")):
            value, actual = get_field(obj, key)
            if value is None:
                continue
            moment = _when(value)
            if moment is None:
                self.error((*path, actual or key), "needs a time with a UTC offset")
            else:
                layer[bound] = moment.isoformat()
        users_raw, ukey = get_field(obj, "users")
        users = [
            u
            for i, ref in enumerate(users_raw if isinstance(users_raw, list) else [])
            if (u := self.user(ref, (*path, ukey or "users", i))) is not None
        ]
        if not users:
            self.error(path, "a layer needs 'users' (at least one)")
            return None
        layer["users"] = users
        restrictions, rkey = get_field(obj, "restrictions")
        windows = []
        for i, raw in enumerate(restrictions if isinstance(restrictions, list) else []):
            window = self.restriction(raw, (*path, rkey or "restrictions", i))
            if window is not None:
                windows.append(window)
        if windows:
            layer["restrictions"] = windows
        return layer

    def restriction(self, obj: Any, path: PathKey) -> dict[str, Any] | None:
        kind, _ = get_field(obj, "type")
        start = _clock(get_field(obj, "start_time_of_day")[0])
        duration, _ = get_field(obj, "duration_seconds")
        if start is None or not isinstance(duration, int) or duration <= 0:
            self.error(
                path, "a restriction needs 'start_time_of_day' HH:MM:SS and 'duration_seconds'"
            )
            return None
        clock = f"{start // 60:02d}:{start % 60:02d}"
        if kind == "daily_restriction":
            return {"start": clock, "duration": f"{duration}s"}
        if kind == "weekly_restriction":
            day, _ = get_field(obj, "start_day_of_week")
            if not isinstance(day, int) or not 1 <= day <= 7:
                self.error(path, "a weekly restriction needs 'start_day_of_week' 1..7 (1 = Monday)")
                return None
            return {"start": f"{WEEKDAYS[day - 1]} {clock}", "duration": f"{duration}s"}
        self.error(
            path, f"unknown restriction type {kind!r}", "daily_restriction or weekly_restriction"
        )
        return None


def import_pagerduty_schedules(source: Source) -> PagerDutySchedules:
    """Every schedule in a PagerDuty JSON file; ConfigError lists every problem found."""
    data = source.data
    found: list[tuple[Any, PathKey]] = []
    if "schedule" in data:
        found.append((data["schedule"], ("schedule",)))
    elif "schedules" in data and isinstance(data["schedules"], list):
        found += [(s, ("schedules", i)) for i, s in enumerate(data["schedules"])]
    else:
        found.append((data, ()))
    extra: list[tuple[Any, PathKey]] = []
    raw = data.get("overrides") if ("schedule" in data) else None
    if isinstance(raw, list) and not (
        isinstance(data["schedule"], dict) and "overrides" in data["schedule"]
    ):
        extra = [(o, ("overrides", i)) for i, o in enumerate(raw)]  # a GET .../overrides body
    return read_pagerduty_schedules(source, [(obj, path, extra) for obj, path in found])


def read_pagerduty_schedules(
    source: Source,
    found: list[tuple[Any, PathKey, list[tuple[Any, PathKey]]]],
    names: dict[str, str] | None = None,
) -> PagerDutySchedules:
    """Schedules from objects already located in ``source``: (schedule, its path, overrides
    found outside it with their paths), as a whole on-call export holds them.

    ``names`` maps user ids to people's names (a file's ``users`` list); it is shared, not
    copied, and gains the names the schedules' own ``users`` lists give, so the caller
    names the same people the schedules do. ConfigError lists every problem found.
    """
    reader = _Reader(source)
    if names is not None:
        reader.names = names
    schedules = []
    for obj, path, extra in found:
        schedule = reader.schedule(obj, path, extra)
        if schedule is not None:
            schedules.append(schedule)
    if reader.issues:
        raise ConfigError(reader.issues)
    people = sorted(
        {u for s in schedules for layer in s["layers"] for u in layer["users"]}
        | {o["user"] for s in schedules for o in s["overrides"]}
    )
    return PagerDutySchedules(schedules, people, reader.warnings)
