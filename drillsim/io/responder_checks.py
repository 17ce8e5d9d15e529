"""Cross-document checks of the responder model: the people and schedules a scenario's
fallback pool and roles name exist; absences that overlap; roles for severities that
never occur. Located like every other check (see :mod:`drillsim.io.references`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from drillsim.errors import Issue

if TYPE_CHECKING:
    from drillsim.io.loader import Document, Drill


def check_responders(scenario: Document, oncall: Document) -> list[Issue]:
    """Names in ``responders.fallback`` and ``responders.roles`` are people and schedules
    of the on-call document."""
    from drillsim.io.references import _unknown

    spec = scenario.model.responders
    people = {p.name for p in oncall.model.people}
    schedules = {s.name for s in oncall.model.schedules}
    issues: list[Issue] = []

    def names(path: tuple[str | int, ...], given: list[str], what: str, known: set[str]) -> None:
        for j, name in enumerate(given):
            if name not in known:
                issues.append(_unknown(scenario, (*path, j), what, name, known))

    if spec.fallback is not None:
        pool: tuple[str | int, ...] = ("responders", "fallback")
        names((*pool, "people"), spec.fallback.people, "person", people)
        names((*pool, "schedules"), spec.fallback.schedules, "schedule", schedules)
    for i, role in enumerate(spec.roles):
        base: tuple[str | int, ...] = ("responders", "roles", i)
        names((*base, "people"), role.people, "person", people)
        if role.schedule is not None and role.schedule not in schedules:
            path = (*base, "schedule")
            issues.append(_unknown(scenario, path, "schedule", role.schedule, schedules))
    return issues


def responder_warnings(drill: Drill) -> list[Issue]:
    """Valid but suspicious: one person's absences overlap; a role limited to severities
    the scenario's severity matrix never assigns; a vendor allowed no action at all."""
    warnings: list[Issue] = []
    oncall = drill.oncall
    for i, person in enumerate(oncall.model.people):
        spans = sorted(enumerate(person.away), key=lambda e: (e[1].start, e[0]))
        longest = None  # the absence seen so far that ends last
        for k, b in spans:
            if longest is not None and b.start <= longest[1].end:
                j, a = longest
                first, later = sorted((j, k))
                issue = oncall.issue(
                    ("people", i, "away", later),
                    f"overlaps away[{first}] ({a.start.isoformat()}..{a.end.isoformat()} "
                    f"and {b.start.isoformat()}..{b.end.isoformat()})",
                    "the first listed reason counts; merge them or fix the dates",
                )
                warnings.append(replace(issue, severity="warning"))
            if longest is None or b.end > longest[1].end:
                longest = (k, b)
        if person.vendor is not None and not person.vendor.actions:
            issue = oncall.issue(
                ("people", i, "vendor"),
                "the contract allows no runbook action; this vendor can only hand over",
                "list the actions they may carry out, e.g. actions: [restart]",
            )
            warnings.append(replace(issue, severity="warning"))
    scenario = drill.scenario
    severities = {rule.severity for rule in scenario.model.severity}
    for i, role in enumerate(scenario.model.responders.roles):
        for j, severity in enumerate(role.severities):
            if severity not in severities:
                issue = scenario.issue(
                    ("responders", "roles", i, "severities", j),
                    f"no incident is ever {severity!r}; this role is never filled for it",
                    f"severities in use: {', '.join(sorted(severities))}",
                )
                warnings.append(replace(issue, severity="warning"))
    return warnings
