"""What the Opsgenie, Grafana OnCall and GoAlert schedule importers share.

Each importer turns another tool's JSON into schedule dicts that
:class:`drillsim.spec.schedules.Schedule` accepts. They report problems the same way
the PagerDuty importer does: every error at ``file:line:col`` of the offending value,
every field drillsim does not simulate as a warning at its key, all problems at once.
This module holds that bookkeeping and the few conversions all three need (instants
with offsets, wall-clock times, whether two time zones keep the same clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from drillsim.errors import ConfigError, Issue
from drillsim.io.importers.locate import error_at, warning_at
from drillsim.io.yamlsource import PathKey, Source

__all__ = [
    "ImportedSchedules",
    "Problems",
    "clock",
    "instant",
    "known_zone",
    "people_of",
    "same_clock",
    "wall",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class ImportedSchedules:
    """Schedules as drillsim documents' data, the people they name, and warnings."""

    schedules: list[dict[str, Any]]
    people: list[str]
    warnings: list[Issue]


class Problems:
    """Located errors and warnings collected while reading one source."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.issues: list[Issue] = []
        self.warnings: list[Issue] = []

    def error(self, path: PathKey, message: str, hint: str = "") -> None:
        """An error at the value under ``path``."""
        self.issues.append(error_at(self.source, path, message, hint))

    def warn(self, path: PathKey, message: str, hint: str = "") -> None:
        """A warning at the key ``path`` ends with (once, however often it is found)."""
        issue = warning_at(self.source, path, message, hint)
        if issue not in self.warnings:
            self.warnings.append(issue)

    def unknown_keys(
        self,
        obj: dict[str, Any],
        path: PathKey,
        known: set[str],
        quiet: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """Warn about every key that is neither read (``known``) nor harmless (``quiet``)."""
        for key in obj:
            if key not in known and key not in quiet:
                self.warn((*path, key), f"{key!r}: not simulated; ignored")

    def result(self, schedules: list[dict[str, Any]]) -> ImportedSchedules:
        """The schedules read, or ConfigError listing every problem found."""
        if self.issues:
            raise ConfigError(self.issues)
        return ImportedSchedules(schedules, people_of(schedules), self.warnings)


def people_of(schedules: list[dict[str, Any]]) -> list[str]:
    """Everyone the schedule dicts name, sorted."""
    found: set[str] = set()
    for s in schedules:
        for layer in s["layers"]:
            for group in layer.get("users", []):
                found.update([group] if isinstance(group, str) else group)
            for event in layer.get("events", []):
                found.update(event["users"])
        for o in s.get("overrides", []):
            found.update(o[k] for k in ("user", "add", "remove") if o.get(k))
        for t in s.get("temporary", []):
            found.update(shift["user"] for shift in t["shifts"])
    return sorted(found)


def instant(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 instant with an offset (``Z`` included), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def wall(value: Any) -> datetime | None:
    """A naive wall-clock time ``yyyy-MM-ddTHH:mm:ss`` (Grafana OnCall's form), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    return moment


def clock(minutes: int) -> str:
    """Minutes after midnight as ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _offsets(tz: str, around: datetime) -> list[float]:
    from drillsim.oncall.clock import zone

    zi = zone(tz)
    base = around.astimezone(UTC)
    out = []
    for week in range(-53, 54):
        offset = (base + timedelta(weeks=week)).astimezone(zi).utcoffset()
        out.append(offset.total_seconds() if offset is not None else 0.0)
    return out


def same_clock(tz_a: str, tz_b: str, around: datetime) -> bool:
    """Whether two zones' clocks differ by a constant within a year of ``around``.

    Then a handoff kept on one zone's wall clock is also kept on the other's, and a
    layer evaluated in the schedule's zone reproduces a rotation kept in its own.
    """
    if tz_a == tz_b:
        return True
    gaps = {a - b for a, b in zip(_offsets(tz_a, around), _offsets(tz_b, around), strict=True)}
    return len(gaps) == 1


def known_zone(tz: Any) -> bool:
    """Whether ``tz`` names an IANA time zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(tz, str) or not tz:
        return False
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
