"""PagerDuty services as the incident settings of a drillsim escalation policy.

A PagerDuty service is where alerts arrive (drillsim's routing receiver) and it keeps
settings for the incidents it opens; drillsim keeps those on the policy a receiver
names (``reference/formats.md`` §2.3, ``drillsim/spec/escalation.py``):

* ``acknowledgement_timeout`` (seconds; 0 or null: off) -> ``ack_timeout``;
* ``auto_resolve_timeout`` (seconds; 0 or null: off) -> ``auto_resolve``;
* ``incident_urgency_rule``: ``constant`` with ``high`` / ``low`` / ``severity_based``
  -> ``urgency``; ``use_support_hours`` with ``during_support_hours`` and
  ``outside_support_hours`` -> a support-hours urgency over ``support_hours``
  (``fixed_time_per_day``: ``time_zone`` in Rails' names, ``start_time``,
  ``end_time``, ``days_of_week`` 1..7 = Monday..Sunday). Left out: high.

A service without its escalation policy is nothing to drillsim, so the policy
reference (or the embedded policy, with ``include[]=escalation_policies``) is required.
``scheduled_actions``, ``alert_grouping_parameters``,
``auto_pause_notifications_parameters``, ``alert_creation``, ``status``,
``integrations`` and any other field drillsim does not simulate are warnings naming
them. Acknowledgement and auto-resolve timeouts a file leaves out are off, as the REST
API documents for a service created without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from drillsim.io.importers.pagerduty import get_field
from drillsim.io.importers.pagerduty_fields import QUIET, ignored, whole
from drillsim.io.importers.rails_zones import close_rails_names, iana_zone
from drillsim.io.importers.schedule_reader import WEEKDAYS, Problems, clock
from drillsim.io.yamlsource import PathKey
from drillsim.spec.durations import format_duration

__all__ = ["ServiceSettings", "read_service"]

_SERVICE_KEYS = {
    "name",
    "escalation_policy",
    "acknowledgement_timeout",
    "auto_resolve_timeout",
    "incident_urgency_rule",
    "support_hours",
}
_URGENCIES = {"high": "high", "low": "low", "severity_based": "severity-based"}
_HOURS_KEYS = {"type", "time_zone", "start_time", "end_time", "days_of_week"}
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """One service read: name, path, its escalation policy (by id, and the object when
    embedded) and the drillsim policy fields it sets."""

    name: str
    path: PathKey
    policy_id: str | None
    policy_path: PathKey
    embedded: dict[str, Any] | None
    fields: dict[str, Any]


class _ServiceReader:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def service(self, obj: Any, path: PathKey) -> ServiceSettings | None:
        if not isinstance(obj, dict):
            self.problems.error(path, "expected a service object")
            return None
        ignored(self.problems, obj, path, _SERVICE_KEYS, QUIET | {"last_incident_timestamp"})
        ident, _ = get_field(obj, "id")
        label, _ = get_field(obj, "name")
        name = label if isinstance(label, str) and label else ident
        if not isinstance(name, str) or not name:
            self.problems.error(path, "a service needs a 'name'")
            name = None
        reference = self.policy_reference(obj, path)
        fields: dict[str, Any] = {}
        for key, field in (
            ("acknowledgement_timeout", "ack_timeout"),
            ("auto_resolve_timeout", "auto_resolve"),
        ):
            seconds = self.timeout(obj, path, key)
            if seconds:
                fields[field] = format_duration(seconds)
        urgency = self.urgency(obj, path)
        if urgency is not None:
            fields["urgency"] = urgency
        if name is None or reference is None:
            return None
        policy_id, policy_path, embedded = reference
        return ServiceSettings(name, path, policy_id, policy_path, embedded, fields)

    def policy_reference(
        self, obj: dict[str, Any], path: PathKey
    ) -> tuple[str | None, PathKey, dict[str, Any] | None] | None:
        ref, key = get_field(obj, "escalation_policy")
        if not isinstance(ref, dict):
            self.problems.error(
                (*path, key) if key else path,
                "a service needs an 'escalation_policy' ({id, type: escalation_policy_reference})",
            )
            return None
        where = (*path, key or "escalation_policy")
        ident, _ = get_field(ref, "id")
        ident = ident if isinstance(ident, str) and ident else None
        embedded = ref if get_field(ref, "escalation_rules")[1] is not None else None
        if ident is None and embedded is None:
            self.problems.error(where, "an escalation policy reference needs an 'id'")
            return None
        return ident, where, embedded

    def timeout(self, obj: dict[str, Any], path: PathKey, key: str) -> int | None:
        raw, actual = get_field(obj, key)
        if raw is None:
            return None
        seconds = whole(raw)
        if seconds is None or seconds < 0:
            self.problems.error(
                (*path, actual or key), f"must be whole seconds >= 0 (0 or null: off), got {raw!r}"
            )
            return None
        return seconds

    def urgency(self, obj: dict[str, Any], path: PathKey) -> str | dict[str, Any] | None:
        rule, key = get_field(obj, "incident_urgency_rule")
        hours, hkey = get_field(obj, "support_hours")
        if rule is None:
            if hours:
                self.problems.warn((*path, hkey or "support_hours"), _HOURS_UNUSED)
            return None
        where = (*path, key or "incident_urgency_rule")
        if not isinstance(rule, dict):
            self.problems.error(where, "expected an urgency rule object {type, ...}")
            return None
        known = {"type", "urgency", "during_support_hours", "outside_support_hours"}
        ignored(self.problems, rule, where, known)
        kind, _ = get_field(rule, "type")
        if kind == "constant":
            if hours:
                self.problems.warn((*path, hkey or "support_hours"), _HOURS_UNUSED)
            return self.level(rule, where)
        if kind != "use_support_hours":
            self.problems.error(
                where, f"unknown urgency rule type {kind!r}", "constant or use_support_hours"
            )
            return None
        levels = {}
        for side, out in (("during_support_hours", "during"), ("outside_support_hours", "outside")):
            value, actual = get_field(rule, side)
            levels[out] = self.level(value, (*where, actual or side))
        if hkey is None:
            self.problems.error(where, "use_support_hours needs the service's 'support_hours'")
            return None
        span = self.support_hours(hours, (*path, hkey))
        if span is None or None in levels.values():
            return None
        return {"support_hours": span, **levels}

    def level(self, rule: Any, path: PathKey) -> str | None:
        """``{type: constant, urgency}`` as drillsim's urgency level."""
        if not isinstance(rule, dict):
            self.problems.error(path, "expected {type: constant, urgency: high|low|severity_based}")
            return None
        kind, _ = get_field(rule, "type")
        value, key = get_field(rule, "urgency")
        if kind not in (None, "constant") or value not in _URGENCIES:
            self.problems.error(
                (*path, key) if key and kind in (None, "constant") else path,
                f"unknown urgency {value!r}"
                if kind in (None, "constant")
                else f"unknown urgency type {kind!r}",
                "{type: constant, urgency: high|low|severity_based}",
            )
            return None
        return _URGENCIES[value]

    def support_hours(self, obj: Any, path: PathKey) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.problems.error(path, "expected support hours {type, time_zone, start_time, ...}")
            return None
        ignored(self.problems, obj, path, _HOURS_KEYS, set())
        kind, kkey = get_field(obj, "type")
        if kind not in (None, "fixed_time_per_day"):
            self.problems.error(
                (*path, kkey or "type"),
                f"unknown support hours type {kind!r}",
                "fixed_time_per_day",
            )
        tz = self.zone(obj, path)
        start = self.time(obj, path, "start_time")
        end = self.time(obj, path, "end_time")
        days = self.days(obj, path)
        if start is not None and end is not None and start == end:
            self.problems.error(path, "start_time equals end_time: there would be no support hours")
            return None
        if kind not in (None, "fixed_time_per_day") or None in (tz, start, end, days):
            return None
        assert start is not None and end is not None
        return {"tz": tz, "days": days, "hours": f"{clock(start)}-{clock(end)}"}

    def zone(self, obj: dict[str, Any], path: PathKey) -> str | None:
        name, key = get_field(obj, "time_zone")
        if key is None:
            self.problems.error(path, "support hours need a 'time_zone'")
            return None
        zone = iana_zone(name) if isinstance(name, str) else None
        if zone is None:
            close = close_rails_names(name) if isinstance(name, str) else []
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.problems.error(
                (*path, key),
                f"unknown time zone {name!r}",
                hint + "PagerDuty names support-hours zones as Rails does "
                "('Eastern Time (US & Canada)', 'Lima'); an IANA name (America/Lima) also works",
            )
        return zone

    def time(self, obj: dict[str, Any], path: PathKey, key: str) -> int | None:
        """A ``HH:MM:SS`` time of day as minutes (seconds are rounded up, with a warning:
        drillsim counts support hours in whole minutes)."""
        raw, actual = get_field(obj, key)
        where = (*path, actual or key)
        match = _TIME_RE.fullmatch(raw) if isinstance(raw, str) else None
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            self.problems.error(
                where if actual else path, f"{key} needs a time of day HH:MM:SS, got {raw!r}"
            )
            return None
        minutes = int(match[1]) * 60 + int(match[2])
        if match[3] and int(match[3]):
            minutes = (minutes + 1) % (24 * 60)
            self.problems.warn(
                where, f"{raw} rounded up to {clock(minutes)}: drillsim counts whole minutes"
            )
        return minutes

    def days(self, obj: dict[str, Any], path: PathKey) -> list[str] | None:
        raw, key = get_field(obj, "days_of_week")
        numbers = [whole(d) for d in raw] if isinstance(raw, list) else []
        if not numbers or any(n is None or not 1 <= n <= 7 for n in numbers):
            self.problems.error(
                (*path, key) if key else path,
                f"needs days 1..7 (1 = Monday), got {raw!r}",
            )
            return None
        return [WEEKDAYS[n - 1] for n in sorted({n for n in numbers if n is not None})]


_HOURS_UNUSED = "'support_hours': used only by a use_support_hours incident_urgency_rule; ignored"


def read_service(obj: Any, path: PathKey, problems: Problems) -> ServiceSettings | None:
    """One PagerDuty service at ``path``; None (with located errors in ``problems``)
    when it cannot be read."""
    return _ServiceReader(problems).service(obj, path)
