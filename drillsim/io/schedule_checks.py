"""Located checks of schedules: unknown people, clashing overrides, suspicious overrides.

Errors are what no scheduling tool accepts (an unknown person or layer, two temporary
schedules at once, GoAlert overrides adding and removing one person at once); warnings
are what some tools allow but rarely mean (PagerDuty lets overrides overlap, the later
one winning; an override may name someone outside every layer). Every message names the
exact time windows involved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drillsim.errors import Issue
from drillsim.spec.schedules import Override, Schedule

if TYPE_CHECKING:
    from drillsim.io.loader import Document

__all__ = ["schedule_errors", "schedule_warnings"]

Unknown = Callable[[Any, tuple[Any, ...], str, str, Iterable[str]], Issue]
"""Builds an "unknown <what> 'name'" issue with a did-you-mean hint."""


def _window(start: datetime, end: datetime) -> str:
    return f"{start.isoformat()} .. {end.isoformat()}"


def _overlap(a: Override, b: Override) -> tuple[datetime, datetime] | None:
    start, end = max(a.start, b.start), min(a.end, b.end)
    return (start, end) if start < end else None


def schedule_errors(
    doc: Document, index: int, schedule: Schedule, people: set[str], unknown: Unknown
) -> list[Issue]:
    """Errors in schedule ``index`` of an OnCall document (``unknown`` words unknown
    names the way every other reference check does)."""
    base = ("schedules", index)
    issues: list[Issue] = []
    report = unknown

    def check(path: tuple[str | int, ...], name: str) -> None:
        if name not in people:
            issues.append(report(doc, path, "person", name, people))

    for j, layer in enumerate(schedule.layers):
        for k, entry in enumerate(layer.users):
            if isinstance(entry, str):
                check((*base, "layers", j, "users", k), entry)
            else:
                for m, name in enumerate(entry):
                    check((*base, "layers", j, "users", k, m), name)
        for k, event in enumerate(layer.events):
            for m, name in enumerate(event.users):
                check((*base, "layers", j, "events", k, "users", m), name)
    layers = {layer.name for layer in schedule.layers if layer.name is not None}
    for k, o in enumerate(schedule.overrides):
        for key in ("user", "add", "remove"):
            name = getattr(o, key)
            if name is not None:
                check((*base, "overrides", k, key), name)
        if o.layer is not None and o.layer not in layers:
            issues.append(report(doc, (*base, "overrides", k, "layer"), "layer", o.layer, layers))
        for m, other in enumerate(schedule.overrides[:k]):
            both = _overlap(o, other)
            clash = {p for p in (o.add, o.remove) if p} & {
                p for p in (other.add, other.remove) if p
            }
            if both and clash and (o.add in clash) != (other.add in clash):
                issues.append(
                    doc.issue(
                        (*base, "overrides", k),
                        f"adds and removes {clash.pop()!r} at once during "
                        f"{_window(*both)} (with overrides[{m}])",
                        "GoAlert refuses conflicting overrides; shorten one of them",
                    )
                )
    for k, temporary in enumerate(schedule.temporary):
        for m, shift in enumerate(temporary.shifts):
            check((*base, "temporary", k, "shifts", m, "user"), shift.user)
            if shift.start < temporary.start or shift.end > temporary.end:
                issues.append(
                    doc.issue(
                        (*base, "temporary", k, "shifts", m),
                        f"shift {_window(shift.start, shift.end)} is outside its temporary "
                        f"schedule {_window(temporary.start, temporary.end)}",
                        "a temporary schedule's shifts lie within its start and end",
                    )
                )
        for m, earlier in enumerate(schedule.temporary[:k]):
            start, end = max(temporary.start, earlier.start), min(temporary.end, earlier.end)
            if start < end:
                issues.append(
                    doc.issue(
                        (*base, "temporary", k),
                        f"overlaps temporary[{m}] during {_window(start, end)}",
                        "only one temporary schedule can replace the schedule at a time",
                    )
                )
    return issues


def schedule_warnings(doc: Document, index: int, schedule: Schedule) -> list[Issue]:
    """Valid but suspicious: overlapping replacing overrides; overrides naming people
    no layer rotates."""
    base = ("schedules", index)
    rotating = {p for layer in schedule.layers for p in layer.people}
    issues: list[Issue] = []
    for k, o in enumerate(schedule.overrides):
        if o.user is not None and o.user not in rotating:
            issues.append(
                doc.issue(
                    (*base, "overrides", k, "user"),
                    f"{o.user!r} is in no layer of this schedule; on call anyway during "
                    f"{_window(o.start, o.end)}",
                    "PagerDuty allows this; check the name if it was meant to be a layer member",
                )
            )
        if o.remove is not None and o.remove not in rotating:
            issues.append(
                doc.issue(
                    (*base, "overrides", k, "remove"),
                    f"{o.remove!r} is in no layer of this schedule; removing them during "
                    f"{_window(o.start, o.end)} changes nothing",
                )
            )
        for m, other in enumerate(schedule.overrides[:k]):
            both = _overlap(o, other)
            if both and o.user is not None and other.user is not None and o.layer == other.layer:
                issues.append(
                    doc.issue(
                        (*base, "overrides", k),
                        f"overlaps overrides[{m}] during {_window(*both)}; "
                        f"{o.user!r} wins there (the later override)",
                        "PagerDuty allows overlapping overrides; shorten one to be explicit",
                    )
                )
    return [replace(i, severity="warning") for i in issues]
