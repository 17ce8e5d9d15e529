"""A whole GoAlert setup (users, schedules, rotations, escalation policies) as an
OnCall document.

GoAlert speaks GraphQL (``graphql2/schema.graphql`` and ``graphql2/graph/*.graphqls``);
drillsim reads the answer (its ``data``, or the same object without ``data``) to::

    query {
      users(first: 100) { nodes { id name } }
      schedules(input: { first: 100 }) { nodes {
        id name timeZone
        targets {
          target { id type name }
          rules { start end weekdayFilter target { id type name } }
        }
        temporarySchedules { start end shifts { userID user { id name } start end } }
      } }
      rotations(input: { first: 100 }) { nodes {
        id name timeZone start type shiftLength
        activeUserIndex userIDs users { id name } nextHandoffTimes(num: 1)
      } }
      userOverrides(input: { first: 100 }) { nodes {
        start end addUserID removeUserID addUser { id name } removeUser { id name }
        target { id type name }
      } }
      escalationPolicies(input: { first: 100 }) { nodes {
        id name repeat
        steps { stepNumber delayMinutes multiAck targets { id type name } }
      } }
      services(input: { first: 100 }) { nodes { id name escalationPolicyID } }
    }

* ``users``: ``name`` names the person (else the ``id``), as the schedule importer
  names them. GoAlert keeps no time zone for a user, so each person takes the zone of
  the first schedule naming them (else UTC), with a warning. ``email``, ``role`` and
  ``isFavorite`` are skipped quietly.
* ``schedules`` (or one ``schedule``), ``rotations`` and ``userOverrides``: read by
  :mod:`drillsim.io.importers.goalert`; an override belongs to the schedule its
  ``target`` names.
* ``escalationPolicies``: each is a policy named by its ``name``, of ``rules`` with
  ``empty_levels: wait`` (GoAlert still waits out a step whose targets have nobody on
  call) and ``loops: repeat + 1`` (``repeat`` -1, forever, and anything above 9 run 10
  passes, with a warning). Steps in ``stepNumber`` order, each a rule:

  - ``delayMinutes`` is the rule's ``delay`` (per-rule: GoAlert waits it after
    notifying the step, then moves on);
  - ``multiAck: true`` (GoAlert's newer multi-ack steps, in
    ``graphql2/graph/escalationpolicy.graphqls``) is ``multi_ack: true``;
  - ``targets`` of ``type`` ``user`` page the user, ``schedule`` the schedule's
    on-call users (a schedule not in ``schedules`` is an error), ``rotation`` the
    rotation's current user: a rotation is not a drillsim schedule on its own, so it
    becomes a schedule of one layer named after it (``"<name> (rotation)"`` if a
    schedule already has that name), on its own clock. Other target types (Slack
    channels, webhooks, ...) are left out, with a warning naming the type.

  A step left with no targets still waits: its delay is added to the step before it
  (the next step pages at the same time); a first step's delay is added to the last
  step's, so passes after the first keep their timing, and the first pass pages that
  much sooner; a warning says which. A policy without any target drillsim simulates is
  left out, with a warning.
* ``services``: drillsim routes alerts to escalation policies through its routing
  receivers, so services are not imported; one warning lists each service's policy,
  the name to give the receiver's ``escalation_policy``.

Ids, ``stepNumber``, ``description``, ``isFavorite``, ``assignedTo``, ``labels`` and
``notices`` are skipped quietly; any other field is a warning naming it
(``'<key>': not simulated; ignored``), ``actions`` (the destinations replacing
``targets``) included. A policy named twice is an error at its line.
"""

from __future__ import annotations

from typing import Any

from drillsim.io.importers.goalert import import_goalert_rotations, import_goalert_schedules
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
from drillsim.io.importers.schedule_reader import Problems
from drillsim.io.yamlsource import PathKey, Source

__all__ = ["import_goalert_oncall", "is_goalert_oncall"]

TOOL = "goalert"
_BODY_KEYS = {
    "users",
    "schedules",
    "schedule",
    "rotations",
    "userOverrides",
    "escalationPolicies",
    "services",
}
_QUIET = {"id", "__typename"}
_USER_QUIET = _QUIET | {"email", "role", "isFavorite"}
_POLICY_KEYS = {"name", "repeat", "steps"}
_POLICY_QUIET = _QUIET | {"description", "isFavorite", "assignedTo", "labels", "notices"}
_STEP_KEYS = {"delayMinutes", "targets", "multiAck"}
_STEP_QUIET = _QUIET | {"stepNumber", "escalationPolicy"}
_MAX_LOOPS = 10


def _body(data: Any) -> tuple[Any, PathKey]:
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        return data["data"], ("data",)
    return data, ()


def is_goalert_oncall(data: Any) -> bool:
    """Whether ``data`` is a GoAlert GraphQL answer listing ``escalationPolicies``."""
    if not isinstance(data, dict) or "kind" in data:
        return False
    body, _ = _body(data)
    return isinstance(body, dict) and page_list(body.get("escalationPolicies")) is not None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Export(Problems):
    """Reads one answer; errors and warnings collect on it (see Problems)."""

    def __init__(self, source: Source) -> None:
        super().__init__(source)
        self.body, self.top = _body(source.data)
        self.user_names: dict[str, str] = {}  # user id -> drillsim name
        self.schedule_names: dict[str, str] = {}  # schedule id -> drillsim name
        self.rotations: dict[str, tuple[str, PathKey]] = {}  # id -> (schedule, target)
        self.named: dict[str, PathKey] = {}  # people steps page -> first reference

    def users(self) -> list[ListedUser]:
        out = []
        for raw, path in items(self.body, "users", self.top):
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                self.error(path, "expected a user with an 'id'")
                continue
            self.unknown_keys(raw, path, {"name"}, _USER_QUIET)
            name = raw.get("name")
            key = "name" if isinstance(name, str) and name else "id"
            self.user_names[raw["id"]] = raw[key]
            out.append(ListedUser(raw[key], None, (*path, key)))
        return out

    def read_schedules(self) -> list[tuple[dict[str, Any], PathKey]]:
        """The imported schedules with their paths; ids learnt for lookup."""
        if "schedule" in self.body:
            raw = [(self.body["schedule"], (*self.top, "schedule"))]
        elif "schedules" in self.body:
            raw = items(self.body, "schedules", self.top)
        else:
            return []
        imported = import_schedules(self, lambda: import_goalert_schedules(self.source))
        return pair_schedules(raw, imported, self.schedule_names)

    def policy(self, raw: Any, path: PathKey) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.error(path, "expected an escalation policy")
            return None
        self.unknown_keys(raw, path, _POLICY_KEYS, _POLICY_QUIET)
        errors = len(self.issues)
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            self.error((*path, "name"), "an escalation policy needs a name")
        loops = self.loops(raw.get("repeat", 0), (*path, "repeat"))
        steps = sorted(items(raw, "steps", path), key=_step_number)
        read = [(self.step(step, where), where) for step, where in steps]
        if len(self.issues) > errors:
            return None
        rules: list[dict[str, Any]] = []
        delays: list[int] = []
        lead = 0
        for n, ((rule, minutes), where) in enumerate(read, start=1):
            if rule is not None:
                rules.append(rule)
                delays.append(minutes)
            elif rules:
                delays[-1] += minutes
                self.warn(
                    (*where, "targets"),
                    f"step {n} pages nobody drillsim simulates: its {span(minutes * 60)} "
                    "wait is added to the step before it",
                )
            else:
                lead += minutes
                self.warn(
                    (*where, "targets"),
                    f"step {n} pages nobody drillsim simulates: its {span(minutes * 60)} "
                    "wait is added to the last step's, so the first pass pages that much "
                    "sooner and later passes keep their timing",
                )
        if not rules:
            self.warn(
                (*path, "name"), f"policy {name!r} pages nobody drillsim simulates; not imported"
            )
            return None
        delays[-1] += lead
        timed = [
            {"delay": span(minutes * 60)} | rule
            for rule, minutes in zip(rules, delays, strict=True)
        ]
        policy: dict[str, Any] = {"name": name, "empty_levels": "wait", "rules": timed}
        return policy | ({"loops": loops} if loops > 1 else {})

    def loops(self, repeat: Any, path: PathKey) -> int:
        if not _whole(repeat):
            self.error(path, "needs a whole number (GoAlert allows 0..5)")
            return 1
        if repeat < 0 or repeat + 1 > _MAX_LOOPS:
            why = "repeats forever" if repeat < 0 else f"repeats {repeat} times"
            self.warn(path, f"'repeat': {why}; drillsim runs at most {_MAX_LOOPS} passes")
            return _MAX_LOOPS
        return int(repeat) + 1

    def step(self, raw: Any, path: PathKey) -> tuple[dict[str, Any] | None, int]:
        """(the rule without its delay, or None if it pages nobody; its delay in minutes)."""
        if not isinstance(raw, dict):
            self.error(path, "expected an escalation policy step")
            return None, 0
        self.unknown_keys(raw, path, _STEP_KEYS, _STEP_QUIET)
        given = raw.get("delayMinutes")
        minutes = given if isinstance(given, int) and _whole(given) else 0
        if not 1 <= minutes <= 9000:
            self.error((*path, "delayMinutes"), "needs whole minutes 1..9000")
        targets = [
            t for raw_t, where in items(raw, "targets", path) if (t := self.target(raw_t, where))
        ]
        if "targets" not in raw:
            self.error(path, "a step needs 'targets' (add targets { id type name } to the query)")
        if not targets:
            return None, minutes
        rule: dict[str, Any] = {"targets": targets}
        if raw.get("multiAck") is True:
            rule["multi_ack"] = True
        return rule, minutes

    def target(self, raw: Any, path: PathKey) -> dict[str, str] | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            self.error(path, "expected a target { id type name }")
            return None
        self.unknown_keys(raw, path, {"type", "name"}, _QUIET)
        kind, ident, label = raw.get("type"), raw["id"], raw.get("name")
        if kind == "user":
            name = self.user_names.get(ident) or (label if isinstance(label, str) else "") or ident
            self.named.setdefault(name, (*path, "id"))
            return {"user": name}
        if kind == "schedule":
            if ident not in self.schedule_names:
                self.error(
                    (*path, "id"),
                    f"schedule {ident!r} is not in 'schedules'",
                    "add it to the query's schedules { nodes { ... } }",
                )
                return None
            return {"schedule": self.schedule_names[ident]}
        if kind == "rotation":
            if ident not in self.rotations:
                name = label if isinstance(label, str) and label else ident
                taken = set(self.schedule_names.values())
                name = f"{name} (rotation)" if name in taken else name
                self.rotations[ident] = (name, (*path, "id"))
            return {"schedule": self.rotations[ident][0]}
        self.warn(
            (*path, "type"),
            f"'type': {kind!r} targets are not simulated; this target is left out",
        )
        return None

    def rotation_schedules(self) -> list[tuple[dict[str, Any], PathKey]]:
        """The rotations steps target, each a one-layer schedule, with the path of the
        first target naming it."""
        if not self.rotations:
            return []
        wanted = dict(self.rotations)
        imported = import_schedules(self, lambda: import_goalert_rotations(self.source, wanted))
        if imported is None:
            return []
        where = dict(self.rotations.values())
        return [(s, where[s["name"]]) for s in imported.schedules]


def _step_number(step: tuple[Any, PathKey]) -> tuple[int, int]:
    raw, path = step
    number = raw.get("stepNumber") if isinstance(raw, dict) else None
    order = path[-1] if isinstance(path[-1], int) else 0
    return (number if isinstance(number, int) else order, order)


def import_goalert_oncall(source: Source) -> OnCallImport:
    """The OnCall document of a GoAlert answer; ConfigError lists every problem found."""
    export = _Export(source)
    body, top = export.body, export.top
    if top:
        export.unknown_keys(source.data, (), {"data"})
    aliased = {k for k, v in body.items() if isinstance(v, dict) and "shiftLength" in v}
    export.unknown_keys(body, top, _BODY_KEYS, aliased)
    listed = export.users()
    schedules = export.read_schedules()
    policies, named = [], []
    by_id: dict[str, str] = {}
    for raw, path in items(body, "escalationPolicies", top):
        policy = export.policy(raw, path)
        if policy is not None:
            policies.append(policy)
            if isinstance(raw.get("id"), str):
                by_id[raw["id"]] = policy["name"]
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            named.append((raw["name"], (*path, "name")))
    rotations = export.rotation_schedules()
    _services(export, body, top, by_id)
    unique_names(export, named, "escalation policy")
    every = schedules + rotations
    unique_names(export, [(s["name"], (*p, "name")) for s, p in schedules], "schedule")
    # Rotation schedules are named apart from schedules above; two rotations may share
    # a name, though.
    unique_names(export, [(s["name"], p) for s, p in rotations], "rotation")
    people = build_people(export, listed, every, export.named)
    return finish(
        export, TOOL, people, [s for s, _ in every], policies, (*top, "escalationPolicies")
    )


def _services(export: Problems, body: dict[str, Any], top: PathKey, by_id: dict[str, str]) -> None:
    """One warning: services are not imported; it lists each one's policy."""
    found = items(body, "services", top)
    if "services" not in body:
        return
    pairs = [
        f"{raw.get('name')!r} -> {by_id[raw['escalationPolicyID']]!r}"
        for raw, _ in found
        if isinstance(raw, dict) and raw.get("escalationPolicyID") in by_id
    ]
    hint = (
        "give each routing receiver the escalation_policy its service uses: " + ", ".join(pairs)
        if pairs
        else "give each routing receiver an imported escalation_policy"
    )
    export.warn((*top, "services"), "'services': not simulated; ignored", hint)


IMPORTERS.append((TOOL, is_goalert_oncall, import_goalert_oncall))
