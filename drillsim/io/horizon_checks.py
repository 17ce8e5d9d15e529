"""Faults with a fixed ``at:`` that a drill's length leaves out.

One rule, two severities. A scenario (or a sweep arm) whose own ``duration`` ends before a
fault's ``at`` is a mistake: an error, from :func:`drillsim.io.references.check_scenario`.
``drillsim run --horizon`` (or a StaffingStudy's ``horizon:``) shorter than a fault's
``at`` may be on purpose (a quick look at the first minutes), so it is only a warning; but
a silent one ran a failover drill with no failover and scored it 100.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from drillsim.errors import Issue
from drillsim.spec.durations import format_duration

if TYPE_CHECKING:
    from drillsim.io.loader import Document, Drill
    from drillsim.spec.scenario import Fault


def faults_after_end(doc: Document, duration_s: float) -> Iterator[tuple[int, Fault]]:
    """The faults (index, fault) of a scenario whose fixed start is not before
    ``duration_s``: the engine never injects them. Faults with ``arrivals:`` draw their
    starts within the drill, whatever its length, so they never are."""
    for i, fault in enumerate(doc.model.faults):
        if fault.at is not None and fault.at >= duration_s:
            yield i, fault


def horizon_warnings(drill: Drill, horizon_s: float, by: str = "--horizon") -> list[Issue]:
    """A warning per fault that a horizon cuts off, at the fault's ``at:``; ``by`` names
    where the horizon was set (``--horizon``, a StaffingStudy's ``horizon:``)."""
    warnings = []
    horizon = format_duration(horizon_s)
    for i, fault in faults_after_end(drill.scenario, horizon_s):
        start = format_duration(fault.at or 0.0)
        name = repr(fault.name) if fault.name else f"faults[{i}]"
        issue = drill.scenario.issue(
            ("faults", i, "at"),
            f"fault {name} starts at {start}, not before the {horizon} {by} ends; "
            "it is not injected",
            f"give a {by} longer than {start} to include it",
        )
        warnings.append(replace(issue, severity="warning"))
    return warnings
