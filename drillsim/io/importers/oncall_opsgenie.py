"""A whole Opsgenie on-call setup (users, schedules, escalations) as an OnCall document.

Opsgenie has no single export; its REST API answers one question at a time. drillsim
reads one JSON object holding the answers side by side::

    {"users": [...],        GET /v2/users                (or its body, {"data": [...]})
     "schedules": [...],    GET /v2/schedules?expand=rotation, with each schedule's
                            overrides in its "overrides" list
     "escalations": [...]}  GET /v2/escalations

* ``users``: ``username`` names the person (as the schedule importer names
  participants; ``id`` maps ids to it), ``timeZone`` is their time zone; ``fullName``,
  ``role``, ``blocked``, ``verified``, ``createdAt``, ``locale``, ``userAddress``,
  ``tags``, ``details``, ``skypeUsername`` are skipped quietly. A user a schedule or an
  escalation names but the list lacks is a person too, with the zone of the first
  schedule naming them (else UTC) and a warning.
* ``schedules``: read by :mod:`drillsim.io.importers.opsgenie` (cumulative rotations,
  restrictions, overrides); a schedule is referred to by ``id`` or ``name``.
* ``escalations``: each is a policy named by its ``name`` with ``delays: from-start``:
  Opsgenie fires each rule ``delay`` after the alert was created
  (``reference/formats.md`` §3.1), so rules are sorted by delay, which keeps that
  meaning exactly. Rule fields:

  - ``delay`` ``{timeAmount, timeUnit}``: ``timeUnit`` minutes (the default), hours
    or days; a missing delay is 0.
  - ``condition`` ``if-not-acked`` (the default) or ``if-not-closed`` (``condition:
    not-closed``: the rule still pages once the alert is acknowledged).
  - ``recipient`` ``{type, id, name, username}``: a ``user`` (by ``username``, else
    its ``id`` through ``users``) or a ``schedule`` (by ``id``, else ``name``; one not
    in ``schedules`` is an error). A ``team`` recipient is not simulated (drillsim has
    no teams): the rule is skipped, with a warning.
  - ``notifyType`` ``default`` pages the recipient. ``next`` and ``previous`` page a
    schedule's next or previous on-call user: drillsim pages a copy of the schedule
    with every rotation one turn ahead (``"<name> (next)"``) or behind
    (``"<name> (previous)"``), without its overrides, with a warning. ``users``,
    ``admins``, ``random``, ``all`` choose among a team's members; on a user or a
    schedule they are paged as with ``default``, with a warning.

  ``repeat``: ``count`` repeats (default 1) after ``waitInterval`` minutes are
  ``loops: count + 1`` and ``repeat_wait`` (at most 10 passes, with a warning);
  ``resetRecipientStates`` and ``closeAlertAfterAll`` set to true are warnings.
  An escalation whose every rule is skipped pages nobody: it is left out, with a
  warning. ``id``, ``description`` and ``ownerTeam`` are skipped quietly.

Any other field is a warning naming it (``'<key>': not simulated; ignored``); a
schedule or escalation named twice, an unknown condition, notifyType, recipient type
or time unit are errors at their line.
"""

from __future__ import annotations

from typing import Any

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
from drillsim.io.importers.opsgenie import import_opsgenie_schedules
from drillsim.io.importers.schedule_reader import Problems, known_zone
from drillsim.io.yamlsource import PathKey, Source

__all__ = ["import_opsgenie_oncall", "is_opsgenie_oncall"]

TOOL = "opsgenie"
_TOP_KEYS = {"users", "schedules", "escalations"}
_USER_KEYS = {"username", "timeZone"}
_USER_QUIET = {
    "id",
    "fullName",
    "role",
    "blocked",
    "verified",
    "createdAt",
    "locale",
    "userAddress",
    "tags",
    "details",
    "skypeUsername",
}
_ESCALATION_KEYS = {"name", "rules", "repeat"}
_ESCALATION_QUIET = {"id", "description", "ownerTeam"}
_RULE_KEYS = {"condition", "notifyType", "delay", "recipient"}
_RECIPIENT_KEYS = {"type", "id", "name", "username"}
_REPEAT_KEYS = {"waitInterval", "count", "resetRecipientStates", "closeAlertAfterAll"}
_UNIT_S = {"minutes": 60, "hours": 3600, "days": 86400}
_CONDITIONS = {"if-not-acked": "not-acked", "if-not-closed": "not-closed"}
_TEAM_TYPES = ("users", "admins", "random", "all")
_MAX_LOOPS = 10


def is_opsgenie_oncall(data: Any) -> bool:
    """Whether ``data`` is an Opsgenie setup: ``escalations`` whose items have ``rules``."""
    if not isinstance(data, dict) or "kind" in data:
        return False
    found = page_list(data.get("escalations"))
    return found is not None and all(isinstance(e, dict) and "rules" in e for e in found[0])


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Export(Problems):
    """Reads one export; errors and warnings collect on it (see Problems)."""

    def __init__(self, source: Source) -> None:
        super().__init__(source)
        self.user_names: dict[str, str] = {}  # user id -> username
        self.schedule_names: dict[str, str] = {}  # schedule id or name -> drillsim name
        self.schedules: dict[str, dict[str, Any]] = {}  # drillsim name -> schedule
        self.derived: dict[str, dict[str, Any]] = {}  # "<name> (next)" -> schedule
        self.named: dict[str, PathKey] = {}  # people rules page -> first reference

    def users(self) -> list[ListedUser]:
        out = []
        for raw, path in items(self.source.data, "users", ()):
            if not isinstance(raw, dict):
                self.error(path, "expected a user object")
                continue
            self.unknown_keys(raw, path, _USER_KEYS, _USER_QUIET)
            username, ident = raw.get("username"), raw.get("id")
            name = username if isinstance(username, str) and username else ident
            if not isinstance(name, str) or not name:
                self.error(path, "a user needs 'username' or 'id'")
                continue
            if isinstance(ident, str):
                self.user_names[ident] = name
            tz = raw.get("timeZone")
            if tz is not None and not known_zone(tz):
                self.error((*path, "timeZone"), f"unknown time zone {tz!r}")
                tz = None
            key = "username" if name == username else "id"
            out.append(ListedUser(name, tz, (*path, key)))
        return out

    def read_schedules(self) -> list[tuple[dict[str, Any], PathKey]]:
        """The imported schedules with their paths; ids and names learnt for lookup."""
        data = self.source.data
        if "schedules" not in data:
            return []
        if page_list(data["schedules"]) is None:
            self.error(("schedules",), "expected a list of schedules")
            return []
        raw = items(data, "schedules", ())
        imported = import_schedules(
            self, lambda: import_opsgenie_schedules(self.source, ("schedules",))
        )
        out = pair_schedules(raw, imported, self.schedule_names, ("name", "id"))
        for schedule, _path in out:
            self.schedules[schedule.get("name", "")] = schedule
        return out

    def escalation(self, raw: Any, path: PathKey) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.error(path, "expected an escalation object")
            return None
        self.unknown_keys(raw, path, _ESCALATION_KEYS, _ESCALATION_QUIET)
        errors = len(self.issues)
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            self.error((*path, "name"), "an escalation needs a name")
        rules = raw.get("rules")
        if not isinstance(rules, list):
            self.error((*path, "rules"), "expected a list of rules")
            rules = []
        made = [r for j, rule in enumerate(rules) if (r := self.rule(rule, (*path, "rules", j)))]
        loops, wait_s = self.repeat(raw.get("repeat"), (*path, "repeat"))
        if len(self.issues) > errors:
            return None
        if not made:
            self.warn(
                (*path, "rules"),
                f"escalation {name!r} pages nobody drillsim simulates; not imported",
            )
            return None
        made.sort(key=lambda pair: pair[0])  # offsets from the alert's creation
        policy: dict[str, Any] = {"name": name, "delays": "from-start"}
        policy["rules"] = [rule for _, rule in made]
        if loops > 1:
            policy |= {"loops": loops, "repeat_wait": span(wait_s)}
        return policy

    def rule(self, raw: Any, path: PathKey) -> tuple[float, dict[str, Any]] | None:
        if not isinstance(raw, dict):
            self.error(path, "expected an escalation rule")
            return None
        self.unknown_keys(raw, path, _RULE_KEYS)
        errors = len(self.issues)
        condition = raw.get("condition", "if-not-acked")
        if condition not in _CONDITIONS:
            self.error(
                (*path, "condition"),
                f"unknown condition {condition!r}",
                "if-not-acked or if-not-closed",
            )
        notify = raw.get("notifyType", "default")
        if notify not in ("default", "next", "previous", *_TEAM_TYPES):
            self.error(
                (*path, "notifyType"),
                f"unknown notifyType {notify!r}",
                "default, next, previous, users, admins, random or all",
            )
        delay_s = self.delay(raw.get("delay"), (*path, "delay"))
        if len(self.issues) > errors:
            return None
        target = self.recipient(raw.get("recipient"), (*path, "recipient"), notify)
        if target is None:
            return None
        rule: dict[str, Any] = {"delay": span(delay_s), "targets": [target]}
        if condition == "if-not-closed":
            rule["condition"] = "not-closed"
        return delay_s, rule

    def delay(self, raw: Any, path: PathKey) -> float:
        if raw is None:
            return 0.0
        if not isinstance(raw, dict):
            self.error(path, "expected {timeAmount, timeUnit}")
            return 0.0
        self.unknown_keys(raw, path, {"timeAmount", "timeUnit"})
        amount, unit = raw.get("timeAmount", 0), raw.get("timeUnit", "minutes")
        if not _whole(amount) or amount < 0:
            self.error((*path, "timeAmount"), "needs a whole number >= 0")
            return 0.0
        if unit not in _UNIT_S:
            self.error((*path, "timeUnit"), f"unknown time unit {unit!r}", "minutes, hours or days")
            return 0.0
        return float(amount * _UNIT_S[unit])

    def recipient(self, raw: Any, path: PathKey, notify: str) -> dict[str, str] | None:
        if not isinstance(raw, dict):
            self.error(path, "expected a recipient like {type: schedule, id: ...}")
            return None
        self.unknown_keys(raw, path, _RECIPIENT_KEYS)
        kind, notify_path = raw.get("type"), (*path[:-1], "notifyType")
        if kind == "team":
            self.warn(
                (*path, "type"),
                "'type': team recipients are not simulated (drillsim "
                "has no teams); this rule is skipped",
            )
            return None
        if kind == "user":
            name = self.user(raw, path)
            if name is not None and notify != "default":
                self.warn(
                    notify_path,
                    f"'notifyType': {notify!r} does not apply to a user "
                    "recipient; the user is paged as with default",
                )
            return None if name is None else {"user": name}
        if kind == "schedule":
            schedule = self.schedule_ref(raw, path)
            if schedule is None:
                return None
            if notify in ("next", "previous"):
                return {"schedule": self.shifted(schedule, notify, notify_path)}
            if notify != "default":
                self.warn(
                    notify_path,
                    f"'notifyType': {notify!r} chooses among a team's "
                    "members; the schedule's on-call users are paged, as with default",
                )
            return {"schedule": schedule}
        self.error((*path, "type"), f"unknown recipient type {kind!r}", "user, schedule or team")
        return None

    def user(self, raw: dict[str, Any], path: PathKey) -> str | None:
        username, ident = raw.get("username"), raw.get("id")
        if isinstance(username, str) and username:
            name = username
        elif isinstance(ident, str) and ident:
            name = self.user_names.get(ident, ident)
        else:
            self.error(path, "a user recipient needs 'username' or 'id'")
            return None
        self.named.setdefault(name, (*path, "username" if name == username else "id"))
        return name

    def schedule_ref(self, raw: dict[str, Any], path: PathKey) -> str | None:
        for key in ("id", "name"):
            value = raw.get(key)
            if isinstance(value, str) and value in self.schedule_names:
                return self.schedule_names[value]
        key = "id" if "id" in raw else "name"
        shown = raw.get(key)
        self.error(
            (*path, key),
            f"schedule {shown!r} is not in 'schedules'",
            "add the schedule (GET /v2/schedules/{id}?expand=rotation) to 'schedules'",
        )
        return None

    def shifted(self, name: str, notify: str, path: PathKey) -> str:
        """A copy of schedule ``name`` one turn ahead (next) or behind (previous)."""
        derived = f"{name} ({notify})"
        self.warn(
            path,
            f"'notifyType': {notify!r} pages the {notify} on-call user of "
            f"schedule {name!r}: drillsim pages {derived!r}, a copy with every "
            f"rotation one turn {'ahead' if notify == 'next' else 'behind'}, "
            "without its overrides",
        )
        base = self.schedules.get(name)
        if derived not in self.derived and base is not None:
            step = 1 if notify == "next" else -1
            layers = [
                layer | {"offset": (layer.get("offset", 0) + step) % len(layer["users"])}
                for layer in base["layers"]
            ]
            self.derived[derived] = {"name": derived, "tz": base["tz"], "layers": layers}
        return derived

    def repeat(self, raw: Any, path: PathKey) -> tuple[int, float]:
        """(passes, seconds between passes)."""
        if raw is None:
            return 1, 0.0
        if not isinstance(raw, dict):
            self.error(path, "expected {waitInterval, count, ...}")
            return 1, 0.0
        self.unknown_keys(raw, path, _REPEAT_KEYS)
        wait, count = raw.get("waitInterval", 0), raw.get("count", 1)
        if not _whole(wait) or wait < 0:
            self.error((*path, "waitInterval"), "needs whole minutes >= 0")
        if not _whole(count) or count < 0:
            self.error((*path, "count"), "needs a whole number >= 0")
        if not _whole(wait) or not _whole(count):
            return 1, 0.0
        if count + 1 > _MAX_LOOPS:
            self.warn(
                (*path, "count"),
                f"'count': {count} repeats; drillsim runs at most "
                f"{_MAX_LOOPS} passes ({_MAX_LOOPS - 1} repeats)",
            )
        for key in ("resetRecipientStates", "closeAlertAfterAll"):
            if raw.get(key) is True:
                self.warn((*path, key), f"{key!r}: not simulated; ignored")
        return min(count + 1, _MAX_LOOPS), float(wait * 60)


def import_opsgenie_oncall(source: Source) -> OnCallImport:
    """The OnCall document of an Opsgenie setup; ConfigError lists every problem found."""
    export = _Export(source)
    export.unknown_keys(source.data, (), _TOP_KEYS)
    listed = export.users()
    schedules = export.read_schedules()
    policies: list[dict[str, Any]] = []
    named_policies: list[tuple[str, PathKey]] = []
    for raw, path in items(source.data, "escalations", ()):
        policy = export.escalation(raw, path)
        if policy is not None:
            policies.append(policy)
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            named_policies.append((raw["name"], (*path, "name")))
    unique_names(export, named_policies, "escalation")
    unique_names(export, [(s["name"], (*p, "name")) for s, p in schedules], "schedule")
    every = [s for s, _ in schedules] + list(export.derived.values())
    people = build_people(export, listed, schedules, export.named)
    return finish(export, TOOL, people, every, policies, ("escalations",))


IMPORTERS.append((TOOL, is_opsgenie_oncall, import_opsgenie_oncall))
