"""Whether a person can be paged, what they are doing, and how tired they are.

Pure functions over people and aware datetimes. The engine asks them for every page:
"is alice away today?", "is she asleep, commuting or in a meeting?", "how much slower
and more error-prone do her last 24 hours make her?".

Precedence of states: a vendor is always ``on-contract`` (a staffed desk with no local
day); otherwise ``asleep`` beats ``commuting`` beats ``meeting`` beats ``awake``.
Commutes and meetings happen on workdays only (Monday to Friday, local).
"""

from __future__ import annotations

import math
from datetime import date, datetime

from drillsim.oncall.clock import in_span, local_time, minute_of_day
from drillsim.spec.people import Person
from drillsim.spec.responders import Fatigue

__all__ = [
    "STATES",
    "absence_on",
    "fatigue_factors",
    "local_date",
    "local_state",
    "state_on_clock",
]

STATES = ("awake", "asleep", "commuting", "meeting", "on-contract")
_WORKDAYS = frozenset(range(5))


def local_date(person: Person, at: datetime) -> date:
    """The calendar date on ``person``'s wall clock at ``at``."""
    return local_time(at, person.tz).date()


def absence_on(person: Person, day: date) -> str | None:
    """The reason ``person`` is away on local ``day`` (vacation, sick, leave), or None.

    When two absences overlap the first listed wins; the validator warns about overlaps.
    """
    for absence in person.away:
        if absence.start <= day <= absence.end:
            return absence.reason
    return None


def local_state(person: Person, at: datetime) -> str:
    """What ``person`` is doing at ``at``: one of :data:`STATES`."""
    if person.vendor is not None:
        return "on-contract"
    return state_on_clock(person, local_time(at, person.tz))


def state_on_clock(person: Person, local: datetime) -> str:
    """:func:`local_state` when ``person``'s wall clock reads ``local`` (their
    :func:`~drillsim.oncall.clock.local_time`): a caller that already has it converts
    the instant once."""
    if person.vendor is not None:
        return "on-contract"
    minute = minute_of_day(local)
    if in_span(minute, person.sleeps):
        return "asleep"
    if local.weekday() in _WORKDAYS:
        # (empty lists, the usual case, are passed over without a generator per page)
        if person.commutes and any(in_span(minute, span) for span in person.commutes):
            return "commuting"
        if person.meetings and any(in_span(minute, span) for span in person.meetings):
            return "meeting"
    return "awake"


def fatigue_factors(spec: Fatigue, shift_hours: float, pages: int) -> tuple[float, float]:
    """Multipliers of response time and of error probabilities for a tired person.

    ``(1 + per_shift_hour) ** shift_hours * (1 + per_page) ** pages``, each capped at
    ``spec.max_factor``; ``(1.0, 1.0)`` when fatigue is disabled.

    Args:
        spec: the scenario's fatigue settings.
        shift_hours: hours spent working incidents within the fatigue window.
        pages: pages received within the window, this one excluded.
    """
    if not spec.enabled:
        return 1.0, 1.0
    cap = spec.max_factor
    return (
        _factor(cap, shift_hours, pages, spec.ack_per_shift_hour, spec.ack_per_page),
        _factor(cap, shift_hours, pages, spec.error_per_shift_hour, spec.error_per_page),
    )


def _factor(cap: float, shift_hours: float, pages: int, per_hour: float, per_page: float) -> float:
    """``(1 + per_hour) ** shift_hours * (1 + per_page) ** pages`` (summed in log space),
    at most ``cap``; a module function rather than a closure made for every page."""
    log = shift_hours * math.log1p(per_hour) + pages * math.log1p(per_page)
    return min(cap, math.exp(log))
