"""iCalendar (RFC 5545) schedules in and out, through the ``icalendar`` package.

Import: every VEVENT becomes a calendar event of a schedule layer. Who is on call is
read as PagerDuty's and Grafana OnCall's feeds write it: the ATTENDEE (its CN, else the
part of the address before ``@``), else the SUMMARY (without an "On call:" prefix).
A SUMMARY starting ``[L<n>]`` sets the event's level, as Grafana OnCall reads
priorities; events of one level form one layer, and the highest covering level wins.
RRULE, DTSTART with TZID, DTEND or DURATION are honoured; RDATE, EXDATE and recurrence
overrides (RECURRENCE-ID) are not simulated and are reported as warnings.

Export: the final schedule over a window, one VEVENT per shift, with deterministic UIDs
and DTSTAMP, so the same schedule and window give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from drillsim.errors import ConfigError, Issue
from drillsim.oncall.rotation import Shift
from drillsim.spec.schedules import Schedule

__all__ = ["export_ical", "import_ical"]

_LEVEL = re.compile(r"^\s*\[L(\d+)\]\s*")
_PREFIX = re.compile(r"^\s*on[- ]call\s*:\s*", re.IGNORECASE)
_UNSIMULATED = ("RDATE", "EXDATE", "RECURRENCE-ID")


def _person(event: Any) -> str | None:
    attendee = event.get("ATTENDEE")
    if isinstance(attendee, list):
        attendee = attendee[0] if attendee else None
    if attendee is not None:
        cn = getattr(attendee, "params", {}).get("CN")
        if cn:
            return str(cn).strip()
        address = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:")
        return address.split("@")[0].strip() or None
    summary = str(event.get("SUMMARY", ""))
    name = _PREFIX.sub("", _LEVEL.sub("", summary)).strip()
    return name or None


def _warning(file: str, where: str, message: str) -> Issue:
    return Issue(file, 1, 1, where, message, severity="warning")


def _aware(value: Any, tz: str) -> datetime:
    from drillsim.oncall.clock import zone

    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone(tz))
    if isinstance(value, date):  # an all-day event starts at local midnight
        return datetime(value.year, value.month, value.day, tzinfo=zone(tz))
    raise ValueError(f"not a date or time: {value!r}")


def import_ical(path: Path, tz: str | None = None) -> tuple[Schedule, list[Issue]]:
    """One schedule from an .ics file, plus warnings for what is not simulated.

    Raises:
        ConfigError: the file is not iCalendar, or no event names anybody.
    """
    import icalendar

    file = str(path)
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except (ValueError, IndexError, KeyError) as exc:
        raise ConfigError([Issue(file, 1, 1, "", f"not an iCalendar file: {exc}")]) from None
    zone_name = tz or str(calendar.get("X-WR-TIMEZONE", "") or "") or "UTC"
    name = str(calendar.get("X-WR-CALNAME", "") or "") or path.stem
    warnings: list[Issue] = []
    by_level: dict[int, list[dict[str, Any]]] = {}
    for n, event in enumerate(calendar.walk("VEVENT")):
        where = f"VEVENT[{n}]"
        for key in _UNSIMULATED:
            if key in event:
                warnings.append(_warning(file, where, f"{key} is not simulated; ignored"))
        person = _person(event)
        start: Any = event.decoded("DTSTART") if "DTSTART" in event else None
        if person is None or start is None:
            warnings.append(_warning(file, where, "names nobody or has no DTSTART; skipped"))
            continue
        begin = _aware(start, zone_name)
        if "DTEND" in event:
            end = _aware(event.decoded("DTEND"), zone_name)
        elif "DURATION" in event:
            end = begin + event.decoded("DURATION")
        else:  # RFC 5545: a date lasts one day, a date-time no time at all
            end = begin + (timedelta(days=1) if not isinstance(start, datetime) else timedelta())
        if end <= begin:
            warnings.append(_warning(file, where, "ends at or before its start; skipped"))
            continue
        rule = event.get("RRULE")
        level_match = _LEVEL.match(str(event.get("SUMMARY", "")))
        level = int(level_match.group(1)) if level_match else 0
        by_level.setdefault(level, []).append(
            {
                "start": begin.isoformat(),
                "end": end.isoformat(),
                "rrule": rule.to_ical().decode() if rule is not None else None,
                "users": [person],
            }
        )
    if not by_level:
        raise ConfigError([Issue(file, 1, 1, "", "no VEVENT names anybody on call")])
    layers = [
        {"name": f"L{level}", "level": level, "events": events}
        for level, events in sorted(by_level.items())
    ]
    try:
        schedule = Schedule.model_validate({"name": name, "tz": zone_name, "layers": layers})
    except ValueError as exc:
        raise ConfigError([Issue(file, 1, 1, "", f"cannot use its events: {exc}")]) from None
    return schedule, warnings


def export_ical(schedules: list[tuple[Schedule, list[Shift]]], stamp: datetime) -> bytes:
    """The final schedules as one calendar: a VEVENT per shift, one ATTENDEE per person.

    ``stamp`` is every event's DTSTAMP (the window's start), so output is reproducible.
    """
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//drillsim//on-call schedule//EN")
    calendar.add("VERSION", "2.0")
    for schedule, shifts in schedules:
        for shift in shifts:
            event = icalendar.Event()
            people = ", ".join(shift.users)
            key = f"{schedule.name}|{shift.start.isoformat()}|{people}".encode()
            event.add("UID", hashlib.sha256(key).hexdigest()[:32] + "@drillsim")
            event.add("DTSTAMP", stamp.astimezone(UTC))
            event.add("DTSTART", shift.start.astimezone(UTC))
            event.add("DTEND", shift.end.astimezone(UTC))
            event.add("SUMMARY", f"On call: {people} ({schedule.name})")
            for person in shift.users:
                attendee = icalendar.vCalAddress(f"mailto:{person}@drillsim.invalid")
                attendee.params["CN"] = icalendar.vText(person)
                event.add("ATTENDEE", attendee, encode=False)
            calendar.add_component(event)
    return bytes(calendar.to_ical())
