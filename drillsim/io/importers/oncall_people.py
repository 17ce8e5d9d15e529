"""The people of an imported on-call setup: everyone the export lists or names.

Exports name people three ways: in their users list, in schedules and in escalation
policies. drillsim pages only people it knows (``OnCall.people``), so every user the
export lists becomes a person (the scenario's fallback pool and roles may name them
even if no rotation does), and so does everyone a schedule or policy names without
listing them. A person's time zone drives their sleep and working hours, so where the
export gives none the importer says which one it assumed: the zone of the first
schedule that names them (where they most likely live), else UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drillsim.io.importers.schedule_reader import Problems, people_of
from drillsim.io.yamlsource import PathKey

__all__ = ["ListedUser", "build_people"]


@dataclass(frozen=True, slots=True)
class ListedUser:
    """A user of the export's users list: drillsim name, time zone (None when the
    export gives none or an unknown one), and the path of the key naming them."""

    name: str
    tz: str | None
    path: PathKey


def build_people(
    problems: Problems,
    listed: list[ListedUser],
    schedules: list[tuple[dict[str, Any], PathKey]],
    named: dict[str, PathKey],
) -> list[dict[str, Any]]:
    """Person dicts: the listed users in order, then everyone else named, sorted.

    Args:
        problems: where the time-zone warnings go.
        listed: the export's users.
        schedules: the imported schedule dicts, each with the path of its source.
        named: people escalation policies name, each with the path of the first
            reference (where a warning about them points).
    """
    zones: dict[str, tuple[str, str, PathKey]] = {}  # person -> (tz, schedule, path)
    for schedule, path in schedules:
        for person in people_of([schedule]):
            zones.setdefault(person, (schedule["tz"], schedule["name"], path))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for user in listed:
        if user.name in seen:
            continue
        seen.add(user.name)
        tz = user.tz or _assumed(problems, user.name, zones, user.path, "has no time zone")
        out.append({"name": user.name, "tz": tz})
    others = {**{p: zones[p][2] for p in zones}, **named}
    for name in sorted(set(others) - seen):
        where = named.get(name, zones[name][2] if name in zones else ())
        tz = _assumed(problems, name, zones, where, "is not in the users list")
        out.append({"name": name, "tz": tz})
    return out


def _assumed(
    problems: Problems,
    name: str,
    zones: dict[str, tuple[str, str, PathKey]],
    where: PathKey,
    why: str,
) -> str:
    """The zone assumed for ``name``, with a warning at ``where`` saying so."""
    if name in zones:
        tz, schedule, _ = zones[name]
        problems.warn(where, f"user {name!r} {why}; {tz} assumed (schedule {schedule!r})")
        return tz
    problems.warn(where, f"user {name!r} {why}; UTC assumed")
    return "UTC"
