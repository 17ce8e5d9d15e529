"""GoAlert schedules (the GraphQL API's answer) as drillsim schedules.

GoAlert has no file export; its web UI and API speak GraphQL (``graphql2/schema.graphql``).
drillsim reads the ``data`` of this query (or the same object without ``data``)::

    query ($id: ID!) {
      schedule(id: $id) {
        id name timeZone
        targets {
          target { id type name }
          rules { start end weekdayFilter target { id type name } }
        }
        temporarySchedules { start end shifts { userID user { id name } start end } }
      }
      rotations(input: { first: 100 }) {
        nodes {
          id name timeZone start type shiftLength
          activeUserIndex userIDs users { id name } nextHandoffTimes(num: 1)
        }
      }
      userOverrides(input: { scheduleID: $id, first: 100 }) {
        nodes { start end addUserID removeUserID addUser { id name } removeUser { id name } }
      }
    }

``rotations`` may also be a list, or each rotation an aliased ``rotation(id: ...)``
field of ``data``; ``rotations`` and ``userOverrides`` may sit inside ``schedule``. A
whole setup's answer (:mod:`drillsim.io.importers.oncall_goalert`) lists
``schedules { nodes { ... } }`` instead of one ``schedule``; a ``userOverrides`` node
beside several schedules belongs to the one its ``target { id }`` names.
Semantics (``schedule/rule/rule.go``, ``schedule/rotation/rotation.go``,
``override/override.go``, ``schedule/temporaryschedule.go``):

* **Rules are additive**: every active rule's target (a user, or a rotation's current
  user) is on call together, so each rule is a layer of level 0. A rule is active on
  the days its ``weekdayFilter`` (7 booleans from Sunday) enables, from ``start`` to
  ``end`` (past midnight when ``end`` is earlier; all day when they are equal; always
  when they are equal and every day is enabled).
* A rotation hands off every ``shiftLength`` hours, days, weeks or months at
  ``start``'s wall-clock time in its ``timeZone`` (monthly: Go's ``AddDate``). Its
  position is state: ``users[activeUserIndex]`` holds the turn that ends at
  ``nextHandoffTimes[0]``, which anchors the turn order exactly; without
  ``nextHandoffTimes``, ``users[0]`` is taken to hold the turn at ``start``, with a
  warning. A rotation in another zone becomes a layer with that ``tz``, handing off
  on its own clock. A rule's windows are on the schedule's clock, though, and a layer
  keeps one clock: a rule with windows over a rotation whose clock drifts from the
  schedule's (DST) keeps the windows exact and the handoffs on the schedule's clock,
  with a warning.
* ``userOverrides`` add (``addUserID``), remove (``removeUserID``) or replace (both).
* ``temporarySchedules`` replace the whole schedule, overrides included, by their
  fixed ``shifts`` between ``start`` and ``end``.

Users are named by ``name`` where the answer gives one, else by id. Ids, favourites,
labels, notification rules and the computed ``shifts`` are skipped quietly; any other
field drillsim does not simulate is a warning naming it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from drillsim.io.importers.schedule_reader import (
    WEEKDAYS,
    ImportedSchedules,
    Problems,
    clock,
    instant,
    known_zone,
    same_clock,
)
from drillsim.io.yamlsource import PathKey, Source

__all__ = ["import_goalert_schedules", "is_goalert_schedules"]

_QUIET = {"id", "__typename", "description", "isFavorite", "labels"}
_SCHEDULE_KEYS = {
    "name",
    "timeZone",
    "targets",
    "temporarySchedules",
    "rotations",
    "userOverrides",
}
_SCHEDULE_QUIET = _QUIET | {"assignedTo", "onCallNotificationRules", "shifts", "target"}
_ROTATION_KEYS = {
    "name",
    "timeZone",
    "start",
    "type",
    "shiftLength",
    "activeUserIndex",
    "userIDs",
    "users",
    "nextHandoffTimes",
}
_OVERRIDE_KEYS = {"start", "end", "addUserID", "removeUserID", "addUser", "removeUser"}
_RULE_KEYS = {"start", "end", "weekdayFilter", "target"}
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_TYPES = ("hourly", "daily", "weekly", "monthly")
_SUNDAY_FIRST = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _body(data: Any) -> Any:
    return data.get("data") if isinstance(data, dict) and "data" in data else data


def is_goalert_schedules(data: Any) -> bool:
    """Whether ``data`` looks like GoAlert's GraphQL answer for a schedule."""
    body = _body(data)
    schedule = body.get("schedule") if isinstance(body, dict) else None
    return isinstance(schedule, dict) and ("timeZone" in schedule or "targets" in schedule)


class _Reader(Problems):
    def __init__(self, source: Source) -> None:
        super().__init__(source)
        self.names: dict[str, str] = {}

    def learn_names(self, obj: Any, key: str = "") -> None:
        """Ids to names from every user object the answer spells out."""
        if isinstance(obj, dict):
            is_user = key in ("user", "users", "addUser", "removeUser") or obj.get("type") == "user"
            if is_user and isinstance(obj.get("id"), str) and isinstance(obj.get("name"), str):
                self.names[obj["id"]] = obj["name"]
            for k, value in obj.items():
                self.learn_names(value, k)
        elif isinstance(obj, list):
            for value in obj:
                self.learn_names(value, key)

    def user(self, ident: Any, ref: Any, path: PathKey) -> str | None:
        if isinstance(ref, dict) and isinstance(ref.get("name"), str) and ref["name"]:
            return str(ref["name"])
        if isinstance(ident, str) and ident:
            return self.names.get(ident, ident)
        self.error(path, "needs a user id")
        return None

    def schedule(
        self,
        obj: dict[str, Any],
        path: PathKey,
        rotations: dict[str, tuple[dict[str, Any], PathKey]],
        raw_overrides: list[tuple[Any, PathKey]],
    ) -> dict[str, Any] | None:
        self.unknown_keys(obj, path, _SCHEDULE_KEYS, _SCHEDULE_QUIET)
        tz = obj.get("timeZone", "UTC")
        if not known_zone(tz):
            self.error((*path, "timeZone"), f"unknown time zone {tz!r}")
            return None
        layers = []
        for i, target in enumerate(obj.get("targets") or []):
            where = (*path, "targets", i)
            rules = target.get("rules") if isinstance(target, dict) else None
            if not isinstance(rules, list):
                self.error(where, "a schedule target needs 'rules'")
                continue
            for k, rule in enumerate(rules):
                layer = self.rule(rule, (*where, "rules", k), target.get("target"), tz, rotations)
                if layer is not None:
                    layers.append(layer)
        overrides = [
            o for raw, where in raw_overrides if (o := self.override(raw, where)) is not None
        ]
        temporary = [
            t
            for i, raw in enumerate(obj.get("temporarySchedules") or [])
            if (t := self.temporary(raw, (*path, "temporarySchedules", i))) is not None
        ]
        if not layers and not self.issues:
            self.error((*path, "targets"), "no rule puts anyone on call")
            return None
        out: dict[str, Any] = {"name": str(obj.get("name") or "goalert"), "tz": tz}
        out["layers"] = layers
        if overrides:
            out["overrides"] = overrides
        if temporary:
            out["temporary"] = temporary
        return out

    def rule(
        self,
        obj: Any,
        path: PathKey,
        owner: Any,
        tz: str,
        rotations: dict[str, tuple[dict[str, Any], PathKey]],
    ) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.error(path, "expected a schedule rule")
            return None
        self.unknown_keys(obj, path, _RULE_KEYS, _QUIET | {"scheduleID"})
        windows = self.windows(obj, path)
        target = obj.get("target") or owner
        kind = target.get("type") if isinstance(target, dict) else None
        if windows is None or windows == "never":
            return None
        base: dict[str, Any] = {"level": 0} | ({"restrictions": windows} if windows else {})
        if kind == "user":
            who = self.user(target.get("id"), target, (*path, "target"))
            return None if who is None else base | {"rotation": "daily", "users": [who]}
        if kind == "rotation":
            ident = target.get("id")
            found = rotations.get(ident) if isinstance(ident, str) else None
            if found is None:
                self.error(
                    (*path, "target"),
                    f"rotation {ident!r} is not in the answer's rotations",
                    "add rotations { nodes { ... } } to the query (see drillsim's GoAlert docs)",
                )
                return None
            rotation = self.rotation(*found, tz, masked=bool(windows))
            return None if rotation is None else base | rotation
        self.error((*path, "target"), f"a rule targets a user or a rotation, not {kind!r}")
        return None

    def windows(self, obj: dict[str, Any], path: PathKey) -> list[dict[str, Any]] | str | None:
        """Restriction windows of a rule; [] for always, "never" for no day enabled."""
        ends = []
        for key in ("start", "end"):
            m = _CLOCK.match(str(obj.get(key, "")))
            if not m:
                self.error((*path, key), 'needs a clock time like "09:00"')
                return None
            ends.append(int(m.group(1)) * 60 + int(m.group(2)))
        days = obj.get("weekdayFilter")
        if (
            not isinstance(days, list)
            or len(days) != 7
            or not all(d in (True, False) for d in days)
        ):
            self.error((*path, "weekdayFilter"), "needs 7 true/false values, Sunday first")
            return None
        start, end = ends
        if not any(days):
            return "never"
        if all(days) and start == end:
            return []
        length = (end - start) % 1440 or 1440
        return [
            {"start": f"{_SUNDAY_FIRST[d]} {clock(start)}", "duration": f"{length}m"}
            for d in range(7)
            if days[d]
        ]

    def rotation(
        self, obj: dict[str, Any], path: PathKey, tz: str, masked: bool
    ) -> dict[str, Any] | None:
        """The rotation as a layer (without the rule's windows, which ``masked`` says it
        has)."""
        from drillsim.oncall.clock import zone

        kind, length = obj.get("type"), obj.get("shiftLength", 1)
        start, rtz = instant(obj.get("start")), obj.get("timeZone", tz)
        ok = True
        if kind not in _TYPES:
            self.error((*path, "type"), f"unknown rotation type {kind!r}", ", ".join(_TYPES))
            ok = False
        if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 9000:
            self.error((*path, "shiftLength"), "needs a whole number 1..9000")
            ok = False
        if start is None:
            self.error((*path, "start"), "needs a time with a UTC offset")
            ok = False
        if not known_zone(rtz):
            self.error((*path, "timeZone"), f"unknown time zone {rtz!r}")
            ok = False
        users = self.rotation_users(obj, path)
        if not ok or users is None or start is None:
            return None
        own = rtz != tz and not masked  # a layer on the rotation's own clock
        if masked and not same_clock(rtz, tz, start):
            self.warn(
                (*path, "timeZone"),
                f"handoffs kept on {tz}'s clock (the schedule's, which a rule's windows over "
                f"this rotation need), not {rtz}'s: an hour off while only one of them is on "
                "summer time",
            )
        local = start.astimezone(zone(rtz if own else tz)).replace(tzinfo=None)
        at = clock(local.hour * 60 + local.minute)
        layer: dict[str, Any] = {
            "name": str(obj.get("name") or obj.get("id")),
            "rotation": kind,
            "every": length,
            "handoff": f"{WEEKDAYS[local.weekday()]} {at}" if kind == "weekly" else at,
            "start": local.date().isoformat(),
            "users": users,
        } | ({"tz": rtz} if own else {})
        layer["offset"] = self.position(obj, path, layer, tz)
        return layer

    def rotation_users(self, obj: dict[str, Any], path: PathKey) -> list[str] | None:
        ids, refs = obj.get("userIDs"), obj.get("users")
        if isinstance(refs, list) and refs:
            named = [self.user(r.get("id"), r, (*path, "users", i)) for i, r in enumerate(refs)]
        elif isinstance(ids, list):
            named = [self.user(x, None, (*path, "userIDs", i)) for i, x in enumerate(ids)]
        else:
            self.error(path, "a rotation needs 'users' or 'userIDs'")
            return None
        users = [u for u in named if u is not None]
        if len(users) != len(named):
            return None
        if not users:
            return None  # nobody to rotate: the rule puts nobody on call
        return users

    def position(self, obj: dict[str, Any], path: PathKey, layer: dict[str, Any], tz: str) -> int:
        """The ``offset`` that gives users[activeUserIndex] the turn ending at the next
        handoff GoAlert reported."""
        from drillsim.oncall.rotation import turn_at
        from drillsim.spec.schedules import Layer

        count = len(layer["users"])
        active = obj.get("activeUserIndex", 0)
        if not isinstance(active, int) or isinstance(active, bool) or not 0 <= active < count:
            self.error((*path, "activeUserIndex"), f"needs a whole number 0..{count - 1}")
            return 0
        handoffs = obj.get("nextHandoffTimes")
        if not handoffs:
            if count > 1:
                self.warn(
                    (*path, "activeUserIndex"),
                    "without 'nextHandoffTimes' the current turn is unknown: users[0] is "
                    "taken to hold the turn at 'start'",
                    "add nextHandoffTimes(num: 1) to the query",
                )
            return 0
        nxt = instant(handoffs[0]) if isinstance(handoffs, list) else None
        if nxt is None:
            self.error((*path, "nextHandoffTimes"), "needs times with a UTC offset")
            return 0
        current = turn_at(Layer.model_validate(layer), tz, nxt - timedelta(seconds=1))
        if current.end.timestamp() != nxt.timestamp():
            whose = "its own" if "tz" in layer else "the schedule's"
            self.warn(
                (*path, "nextHandoffTimes"),
                f"{handoffs[0]} is no handoff of this rotation on {whose} clock; "
                "the turn containing it is taken as the current one",
            )
        return (active - current.index) % count

    def override(self, obj: Any, path: PathKey) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.error(path, "expected a user override")
            return None
        self.unknown_keys(obj, path, _OVERRIDE_KEYS, _QUIET | {"target"})
        window = self.window(obj, path)
        out: dict[str, Any] = {}
        for key, ident, ref in (
            ("add", "addUserID", "addUser"),
            ("remove", "removeUserID", "removeUser"),
        ):
            if obj.get(ident) or obj.get(ref):
                out[key] = self.user(obj.get(ident), obj.get(ref), (*path, ident))
        if not out:
            self.error(path, "an override needs 'addUserID' and/or 'removeUserID'")
            return None
        if window is None or None in out.values():
            return None
        return window | out

    def window(self, obj: dict[str, Any], path: PathKey) -> dict[str, str] | None:
        start, end = instant(obj.get("start")), instant(obj.get("end"))
        for key, value in (("start", start), ("end", end)):
            if value is None:
                self.error((*path, key), "needs a time with a UTC offset")
        if start is None or end is None:
            return None
        return {"start": start.isoformat(), "end": end.isoformat()}

    def temporary(self, obj: Any, path: PathKey) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.error(path, "expected a temporary schedule")
            return None
        self.unknown_keys(obj, path, {"start", "end", "shifts"}, _QUIET)
        window = self.window(obj, path)
        shifts = []
        for i, raw in enumerate(obj.get("shifts") or []):
            where = (*path, "shifts", i)
            if not isinstance(raw, dict):
                self.error(where, "expected a shift")
                continue
            self.unknown_keys(
                raw, where, {"userID", "user", "start", "end"}, _QUIET | {"truncated"}
            )
            times = self.window(raw, where)
            who = self.user(raw.get("userID"), raw.get("user"), (*where, "userID"))
            if times is not None and who is not None:
                shifts.append(times | {"user": who})
        return None if window is None else window | {"shifts": shifts}


def _listed(owner: dict[str, Any], key: str, base: PathKey) -> list[tuple[Any, PathKey]]:
    """Items of a connection (``{nodes: [...]}``) or a plain list, with their paths."""
    value = owner.get(key)
    if isinstance(value, dict) and isinstance(value.get("nodes"), list):
        return [(v, (*base, key, "nodes", i)) for i, v in enumerate(value["nodes"])]
    if isinstance(value, list):
        return [(v, (*base, key, i)) for i, v in enumerate(value)]
    return []


def _schedules(body: dict[str, Any], top: PathKey) -> list[tuple[Any, PathKey]]:
    """The answer's ``schedule``, or each of its ``schedules`` (a whole setup's query)."""
    if "schedule" in body:
        return [(body["schedule"], (*top, "schedule"))]
    return _listed(body, "schedules", top)


def _rotations(
    body: dict[str, Any],
    top: PathKey,
    schedules: list[tuple[Any, PathKey]],
    reader: _Reader,
) -> dict[str, tuple[dict[str, Any], PathKey]]:
    """Every rotation the answer spells out, by id: listed beside or inside a schedule,
    or aliased (``r1: rotation(id: "...") { ... }``)."""
    aliased = [
        (value, (*top, alias))
        for alias, value in body.items()
        if isinstance(value, dict) and "shiftLength" in value
    ]
    inside = [
        r for s, where in schedules if isinstance(s, dict) for r in _listed(s, "rotations", where)
    ]
    rotations: dict[str, tuple[dict[str, Any], PathKey]] = {}
    for rot, path in _listed(body, "rotations", top) + inside + aliased:
        if isinstance(rot, dict) and isinstance(rot.get("id"), str):
            rotations[rot["id"]] = (rot, path)
            reader.unknown_keys(rot, path, _ROTATION_KEYS, _QUIET)
    return rotations


def _answer(source: Source) -> tuple[_Reader, dict[str, Any], PathKey]:
    data = source.data
    reader = _Reader(source)
    reader.learn_names(data)
    body, top = (data["data"], ("data",)) if "data" in data else (data, ())
    return reader, body, top


def import_goalert_schedules(source: Source) -> ImportedSchedules:
    """The schedules in a GoAlert GraphQL answer (``schedule``, or every node of
    ``schedules``); ConfigError lists every problem found.

    With several schedules, a ``userOverrides`` node beside them belongs to the
    schedule its ``target`` names.
    """
    reader, body, top = _answer(source)
    schedules = _schedules(body, top)
    rotations = _rotations(body, top, schedules, reader)
    beside = _listed(body, "userOverrides", top)
    owners = {s.get("id") for s, _ in schedules if isinstance(s, dict)}
    if len(schedules) > 1:
        for raw, where in beside:
            if _target_id(raw) not in owners:
                reader.warn((*where, "target"), "names no schedule of the answer; override ignored")
    made = []
    for schedule, where in schedules:
        if not isinstance(schedule, dict):
            reader.error(where, "expected a schedule object")
            continue
        mine = (
            beside
            if len(schedules) == 1
            else [(o, p) for o, p in beside if _target_id(o) == schedule.get("id")]
        )
        overrides = _listed(schedule, "userOverrides", where) + mine
        one = reader.schedule(schedule, where, rotations, overrides)
        if one is not None:
            made.append(one)
    return reader.result(made)


def _target_id(override: Any) -> Any:
    target = override.get("target") if isinstance(override, dict) else None
    return target.get("id") if isinstance(target, dict) else None


def import_goalert_rotations(
    source: Source, wanted: dict[str, tuple[str, PathKey]]
) -> ImportedSchedules:
    """Rotations an escalation step targets directly, each as a schedule of one layer.

    A GoAlert step may page a rotation's current user without any schedule; drillsim
    pages schedules, so each becomes one named as ``wanted`` maps its id
    (``id -> (schedule name, path of the target naming it)``), kept on the rotation's
    own clock. A rotation the answer does not spell out is an error at that target.
    """
    reader, body, top = _answer(source)
    rotations = _rotations(body, top, _schedules(body, top), reader)
    made = []
    for ident, (name, referred) in wanted.items():
        if ident not in rotations:
            reader.error(
                referred,
                f"rotation {ident!r} is not in the answer's rotations",
                "add rotations { nodes { ... } } to the query (see drillsim's GoAlert docs)",
            )
            continue
        obj, path = rotations[ident]
        tz = obj.get("timeZone", "UTC")
        errors = len(reader.issues)
        layer = reader.rotation(obj, path, tz if known_zone(tz) else "UTC", masked=False)
        if layer is not None:
            made.append({"name": name, "tz": tz, "layers": [layer]})
        elif len(reader.issues) == errors:
            reader.error(
                referred,
                f"rotation {ident!r} has nobody in it, so this target pages nobody",
                "add users to the rotation or remove the target",
            )
    return reader.result(made)
