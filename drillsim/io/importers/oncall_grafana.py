"""A whole Grafana OnCall setup (users, schedules, escalation chains) as an OnCall document.

Grafana OnCall's public API (``/api/v1/``) answers one list at a time; drillsim reads
one JSON object holding the lists side by side, each a plain list or the paginated
body (``{"results": [...]}``)::

    {"users": [...],                GET /api/v1/users/
     "schedules": [...],            GET /api/v1/schedules/
     "on_call_shifts": [...],       GET /api/v1/on_call_shifts/
     "escalation_chains": [...],    GET /api/v1/escalation_chains/
     "escalation_policies": [...]}  GET /api/v1/escalation_policies/

* ``users``: ``username`` names the person (else ``name``, else the ``id``), as the
  schedule importer names them; ``timezone`` is their zone. ``email``, ``slack``,
  ``role``, ``teams``, ``grafana_id``, ``is_phone_number_verified`` are skipped
  quietly. A user a shift or a step names but the list lacks is a person named by
  the id, with the zone of the first schedule naming them (else UTC) and a warning.
* ``schedules`` and ``on_call_shifts``: read by
  :mod:`drillsim.io.importers.grafana_oncall`; a step names a schedule by ``id``.
* ``escalation_chains`` (``id``, ``name``; ``team_id`` skipped): each chain is a policy
  named by its ``name``, written as ``steps``: the chain's ``escalation_policies``
  (by ``escalation_chain_id``) in ``position`` order, each step by its ``type``:

  ======================================  =============================================
  ``wait`` (``duration`` s)               ``{wait: <duration>}``; ``wait`` (5 min) bare
  ``notify_persons``                      ``{notify: [{user: ...}]}`` for
                                          ``persons_to_notify``
  ``notify_person_next_each_time``        the same for ``persons_to_notify_next_each_time``,
                                          ``assignment: round-robin``
  ``notify_on_call_from_schedule``        ``{notify: [{schedule: ...}]}``
  ``notify_if_time_from_to``              ``{continue_if_time: "HH:MM-HH:MM"}`` from
                                          ``notify_if_time_from`` / ``_to`` (UTC)
  ``notify_if_num_alerts_in_window``      ``{continue_if_alerts: {at_least:
                                          num_alerts_in_window, within:
                                          num_minutes_in_window}}``
  ``repeat_escalation``                   ``repeat`` (back to the first step, at most 5
                                          times, as OnCall)
  ``resolve``                             ``resolve``
  ``declare_incident``                    ``{declare_incident: {severity: ...}}``
  ======================================  =============================================

  ``important: true`` (the "important" notification rules) is a warning: drillsim
  pages everyone with their one set of notification rules. ``notify_team_members``,
  ``notify_user_group``, ``notify_whole_channel`` and ``trigger_webhook`` steps are not
  simulated: a warning naming the type, and the step is left out (the chain's waits
  stay, so later steps keep their time). A chain that neither pages anyone nor
  resolves (no steps, or only left-out ones) is left out, with a warning.

Ids and positions are skipped quietly; any other field is a warning naming it
(``'<key>': not simulated; ignored``). A step naming a chain, schedule not in the
export, an unknown step type, a bad duration or time and a chain name given twice
are errors at their line.
"""

from __future__ import annotations

import re
from typing import Any

from drillsim.io.importers.grafana_oncall import import_grafana_oncall_schedules
from drillsim.io.importers.oncall_document import (
    finish,
    import_schedules,
    items,
    page_list,
    pair_schedules,
    span,
    unique_names,
)
from drillsim.io.importers.oncall_exports import IMPORTERS, OnCallImport
from drillsim.io.importers.oncall_people import ListedUser, build_people
from drillsim.io.importers.schedule_reader import Problems, clock, known_zone
from drillsim.io.yamlsource import PathKey, Source

__all__ = ["import_grafana_oncall", "is_grafana_oncall"]

TOOL = "grafana-oncall"
_TOP_KEYS = {
    "users",
    "schedules",
    "schedule",
    "on_call_shifts",
    "escalation_chains",
    "escalation_policies",
}
_USER_KEYS = {"username", "name", "timezone"}
_USER_QUIET = {"id", "grafana_id", "email", "slack", "role", "teams", "is_phone_number_verified"}
_STEP_QUIET = {"id", "escalation_chain_id", "position", "type"}
_STEP_FIELDS: dict[str, set[str]] = {
    "wait": {"duration"},
    "notify_persons": {"persons_to_notify", "important"},
    "notify_person_next_each_time": {"persons_to_notify_next_each_time", "important"},
    "notify_on_call_from_schedule": {"notify_on_call_from_schedule", "important"},
    "notify_if_time_from_to": {"notify_if_time_from", "notify_if_time_to"},
    "notify_if_num_alerts_in_window": {"num_alerts_in_window", "num_minutes_in_window"},
    "repeat_escalation": set(),
    "resolve": set(),
    "declare_incident": {"severity"},
}
_NOT_SIMULATED = {
    "notify_team_members": {"team_to_notify", "important"},
    "notify_user_group": {"group_to_notify", "important"},
    "notify_whole_channel": set(),
    "trigger_webhook": {"action_to_trigger"},
    "trigger_action": {"action_to_trigger"},  # the API's older name for trigger_webhook
}
_PERSONS_KEY = {
    "notify_persons": "persons_to_notify",
    "notify_person_next_each_time": "persons_to_notify_next_each_time",
}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(Z|\+00:00)?$")


def is_grafana_oncall(data: Any) -> bool:
    """Whether ``data`` is a Grafana OnCall setup: it lists ``escalation_chains``."""
    if not isinstance(data, dict) or "kind" in data:
        return False
    return page_list(data.get("escalation_chains")) is not None


def _whole(value: Any, low: int = 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


class _Export(Problems):
    """Reads one export; errors and warnings collect on it (see Problems)."""

    def __init__(self, source: Source) -> None:
        super().__init__(source)
        self.user_names: dict[str, str] = {}  # user id -> drillsim name
        self.schedule_names: dict[str, str] = {}  # schedule id -> drillsim name
        self.named: dict[str, PathKey] = {}  # people steps page -> first reference

    def users(self) -> list[ListedUser]:
        out = []
        for raw, path in items(self.source.data, "users", ()):
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                self.error(path, "expected a user object with an 'id'")
                continue
            self.unknown_keys(raw, path, _USER_KEYS, _USER_QUIET)
            key = next((k for k in ("username", "name") if isinstance(raw.get(k), str)), "id")
            name = raw[key] or raw["id"]
            self.user_names[raw["id"]] = name
            tz = raw.get("timezone")
            if tz is not None and not known_zone(tz):
                self.error((*path, "timezone"), f"unknown time zone {tz!r}")
                tz = None
            out.append(ListedUser(name, tz, (*path, key)))
        return out

    def read_schedules(self) -> list[tuple[dict[str, Any], PathKey]]:
        """The imported schedules with their paths; ids learnt for lookup."""
        data = self.source.data
        if "schedules" in data:
            value = data["schedules"]
            if not isinstance(value, list) and not isinstance(
                value.get("results") if isinstance(value, dict) else None, list
            ):
                self.error(("schedules",), "expected a list of schedules")
                return []
            raw = items(data, "schedules", ())
        elif "schedule" in data:
            raw = [(data["schedule"], ("schedule",))]
        else:
            return []
        imported = import_schedules(self, lambda: import_grafana_oncall_schedules(self.source))
        return pair_schedules(raw, imported, self.schedule_names)

    def chain(self, raw: Any, path: PathKey, steps: list[tuple[Any, PathKey]]) -> Any:
        """The policy of one chain, or None (left out, or errors)."""
        errors = len(self.issues)
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            self.error((*path, "name"), "an escalation chain needs a name")
        made = [s for step, where in steps if (s := self.step(step, where)) is not None]
        if len(self.issues) > errors or not isinstance(name, str):
            return None
        if not any(s == "resolve" or (isinstance(s, dict) and "notify" in s) for s in made):
            self.warn(
                (*path, "name"),
                f"chain {name!r} pages nobody drillsim simulates; not imported",
            )
            return None
        return {"name": name, "steps": made}

    def step(self, raw: Any, path: PathKey) -> Any:
        """One chain step: a drillsim step (a mapping or a bare word), or None."""
        if not isinstance(raw, dict):
            self.error(path, "expected an escalation policy object")
            return None
        kind = raw.get("type")
        given = {k: v for k, v in raw.items() if v is not None}
        if kind in _NOT_SIMULATED:
            self.unknown_keys(given, path, _NOT_SIMULATED[kind], _STEP_QUIET)
            self.warn(
                (*path, "type"), f"'type': {kind!r} steps are not simulated; this step is skipped"
            )
            return None
        if kind not in _STEP_FIELDS:
            self.error(
                (*path, "type"), f"unknown step type {kind!r}", ", ".join(sorted(_STEP_FIELDS))
            )
            return None
        self.unknown_keys(given, path, _STEP_FIELDS[kind], _STEP_QUIET)
        if raw.get("important") is True:
            self.warn(
                (*path, "important"),
                "'important': not simulated; ignored",
                "drillsim pages everyone with their one set of notification rules",
            )
        return self.action(kind, raw, path)

    def action(self, kind: str, raw: dict[str, Any], path: PathKey) -> Any:
        if kind == "wait":
            duration = raw.get("duration")
            if duration is None:
                return "wait"
            if not isinstance(duration, int | float) or isinstance(duration, bool) or duration <= 0:
                self.error((*path, "duration"), "needs seconds > 0")
                return None
            return {"wait": span(duration)}
        if kind in ("notify_persons", "notify_person_next_each_time"):
            key = _PERSONS_KEY[kind]
            targets = self.persons(raw.get(key), (*path, key))
            if not targets:
                return None
            robin = {"assignment": "round-robin"} if kind != "notify_persons" else {}
            return {"notify": targets} | robin
        if kind == "notify_on_call_from_schedule":
            ident, where = raw.get("notify_on_call_from_schedule"), (*path, kind)
            if ident not in self.schedule_names:
                self.error(
                    where,
                    f"schedule {ident!r} is not in 'schedules'",
                    "add it (GET /api/v1/schedules/) with its on_call_shifts",
                )
                return None
            return {"notify": [{"schedule": self.schedule_names[ident]}]}
        if kind == "notify_if_time_from_to":
            return self.window(raw, path)
        if kind == "notify_if_num_alerts_in_window":
            count, minutes = raw.get("num_alerts_in_window"), raw.get("num_minutes_in_window")
            if not _whole(count):
                self.error((*path, "num_alerts_in_window"), "needs a whole number >= 1")
            if not _whole(minutes):
                self.error((*path, "num_minutes_in_window"), "needs whole minutes >= 1")
            if not isinstance(count, int) or not isinstance(minutes, int):
                return None
            return {"continue_if_alerts": {"at_least": count, "within": span(minutes * 60)}}
        if kind == "repeat_escalation":
            return "repeat"
        if kind == "resolve":
            return "resolve"
        severity = raw.get("severity")
        if severity is not None and not isinstance(severity, str):
            self.error((*path, "severity"), "needs a severity name")
            return None
        return {"declare_incident": {"severity": severity} if severity else {}}

    def persons(self, ids: Any, path: PathKey) -> list[dict[str, str]]:
        if not isinstance(ids, list) or not ids:
            self.error(path, "needs a list of user ids")
            return []
        out = []
        for k, ident in enumerate(ids):
            if not isinstance(ident, str) or not ident:
                self.error((*path, k), "expected a user id")
                continue
            name = self.user_names.get(ident, ident)
            self.named.setdefault(name, (*path, k))
            out.append({"user": name})
        return out

    def window(self, raw: dict[str, Any], path: PathKey) -> dict[str, str] | None:
        ends = []
        for key in ("notify_if_time_from", "notify_if_time_to"):
            m = _TIME.match(str(raw.get(key, "")))
            if m is None or int(m.group(3) or 0):
                self.error((*path, key), 'needs a UTC time in whole minutes like "09:00:00Z"')
                return None
            ends.append(int(m.group(1)) * 60 + int(m.group(2)))
        if ends[0] == ends[1]:
            self.error(
                (*path, "notify_if_time_to"),
                "the window is empty (it ends where it starts), so the chain never continues",
            )
            return None
        return {"continue_if_time": f"{clock(ends[0])}-{clock(ends[1])}"}


def _position(step: tuple[Any, PathKey]) -> tuple[float, int]:
    raw, path = step
    position = raw.get("position") if isinstance(raw, dict) else None
    order = path[-1] if isinstance(path[-1], int) else 0
    if isinstance(position, int) and _whole(position, 0):
        return float(position), order
    return float("inf"), order


def import_grafana_oncall(source: Source) -> OnCallImport:
    """The OnCall document of a Grafana OnCall setup; ConfigError lists every problem."""
    export = _Export(source)
    export.unknown_keys(source.data, (), _TOP_KEYS)
    listed = export.users()
    schedules = export.read_schedules()
    chains: dict[Any, tuple[dict[str, Any], PathKey]] = {}
    for raw, path in items(source.data, "escalation_chains", ()):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            export.error(path, "expected an escalation chain with an 'id'")
            continue
        export.unknown_keys(raw, path, {"name"}, {"id", "team_id"})
        chains[raw["id"]] = (raw, path)
    steps: dict[Any, list[tuple[Any, PathKey]]] = {ident: [] for ident in chains}
    for raw, path in items(source.data, "escalation_policies", ()):
        ident = raw.get("escalation_chain_id") if isinstance(raw, dict) else None
        if ident not in chains:
            export.error(
                (*path, "escalation_chain_id"),
                f"escalation chain {ident!r} is not in 'escalation_chains'",
            )
            continue
        steps[ident].append((raw, path))
    policies, named = [], []
    for ident, (raw, path) in chains.items():
        policy = export.chain(raw, path, sorted(steps[ident], key=_position))
        if policy is not None:
            policies.append(policy)
        if isinstance(raw.get("name"), str):
            named.append((raw["name"], (*path, "name")))
    unique_names(export, named, "escalation chain")
    unique_names(export, [(s["name"], (*p, "name")) for s, p in schedules], "schedule")
    people = build_people(export, listed, schedules, export.named)
    return finish(export, TOOL, people, [s for s, _ in schedules], policies, ("escalation_chains",))


IMPORTERS.append((TOOL, is_grafana_oncall, import_grafana_oncall))
