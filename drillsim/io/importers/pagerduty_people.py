"""The people of a PagerDuty export: its ``users`` list and everyone else it names.

PagerDuty refers to people by id everywhere (schedule layers, overrides, escalation
targets); drillsim refers by name. The ``users`` list (``GET /users``) gives each id a
name and an IANA time zone. Every listed user becomes a person (a scenario's fallback
pool or roles may name them even if no rotation does), and so does every id named
without being listed, under the id itself. A person's zone drives their sleep and
working hours, so where the export gives none, the importer says what it assumed: the
zone of the first schedule naming them (where they most likely work), else UTC.
"""

from __future__ import annotations

from typing import Any

from drillsim.io.importers.pagerduty import get_field
from drillsim.io.importers.pagerduty_fields import QUIET, ignored
from drillsim.io.importers.rails_zones import iana_zone
from drillsim.io.importers.schedule_reader import Problems, people_of
from drillsim.io.yamlsource import PathKey

__all__ = ["PagerDutyPeople"]

_USER_KEYS = {"name", "time_zone"}
_USER_QUIET = QUIET | {
    "email",
    "avatar_url",
    "color",
    "role",
    "job_title",
    "invitation_sent",
    "billed",
    "teams",
    "locale",
}


class PagerDutyPeople:
    """Ids to names (shared with the schedule reader, which adds the names a
    schedule's own ``users`` list gives), listed users, and where others are named."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.names: dict[str, str] = {}
        self._listed: list[tuple[str, str | None, PathKey]] = []
        self._referenced: dict[str, PathKey] = {}

    def read_users(self, found: list[tuple[Any, PathKey]]) -> None:
        """The ``users`` list: each user's name (``name``, ``summary``, else the id)
        and zone. A name two users share gets the id appended, with a warning."""
        taken: set[str] = set()
        for obj, path in found:
            if not isinstance(obj, dict):
                self.problems.error(path, "expected a user object")
                continue
            ignored(self.problems, obj, path, _USER_KEYS, _USER_QUIET)
            ident, _ = get_field(obj, "id")
            if not isinstance(ident, str) or not ident:
                self.problems.error(path, "a user needs an 'id'")
                continue
            if ident in self.names:
                self.problems.error(path, f"user id {ident!r} is listed twice")
                continue
            label, key = get_field(obj, "name")
            if not label:
                label, key = get_field(obj, "summary")
            name = label if isinstance(label, str) and label else ident
            where = (*path, key or get_field(obj, "id")[1] or "id")  # warnings point here
            if name in taken:
                unique = f"{name} ({ident})"
                self.problems.warn(
                    where, f"another user is also called {name!r}; this one is {unique!r}"
                )
                name = unique
            taken.add(name)
            self.names[ident] = name
            self._listed.append((name, self._zone(obj, path), where))

    def _zone(self, user: dict[str, Any], path: PathKey) -> str | None:
        tz, key = get_field(user, "time_zone")
        if tz is None:
            return None
        zone = iana_zone(tz) if isinstance(tz, str) else None
        if zone is None:
            self.problems.error(
                (*path, key or "time_zone"),
                f"unknown time zone {tz!r}",
                "PagerDuty gives users IANA time zones like Europe/Berlin",
            )
        return zone

    def refer(self, ident: str, path: PathKey) -> str:
        """The name of the user ``ident`` an escalation target at ``path`` names."""
        name = self.names.get(ident, ident)
        self._referenced.setdefault(name, path)
        return name

    def persons(self, schedules: list[tuple[dict[str, Any], PathKey]]) -> list[dict[str, Any]]:
        """Person dicts: listed users in their order, then everyone else named, sorted.

        Args:
            schedules: the imported schedule dicts, each with the path of the key
                naming it (where a warning about its people points).
        """
        zones: dict[str, tuple[str, str, PathKey]] = {}  # person -> (tz, schedule, path)
        for schedule, path in schedules:
            for person in people_of([schedule]):
                zones.setdefault(person, (schedule["tz"], schedule["name"], path))
        out: list[dict[str, Any]] = []
        for name, tz, path in self._listed:
            out.append({"name": name, "tz": tz or self._assumed(name, zones, path, True)})
        listed = {p["name"] for p in out}
        others = {**{p: where for p, (_, _, where) in zones.items()}, **self._referenced}
        for name in sorted(set(others) - listed):
            out.append({"name": name, "tz": self._assumed(name, zones, others[name], False)})
        return out

    def _assumed(
        self,
        name: str,
        zones: dict[str, tuple[str, str, PathKey]],
        where: PathKey,
        listed: bool,
    ) -> str:
        """The zone assumed for ``name``, with a warning at ``where`` saying so."""
        why = "has no time zone" if listed else "is not in the users list"
        if name in zones:
            tz, schedule, _ = zones[name]
            self.problems.warn(where, f"user {name!r} {why}; {tz} assumed (schedule {schedule!r})")
            return tz
        self.problems.warn(where, f"user {name!r} {why}; UTC assumed")
        return "UTC"
