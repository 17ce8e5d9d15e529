"""Incident urgency (PagerDuty): high urgency escalates, low urgency notifies the first
level only.

Decided once, when the incident opens, from the policy's ``urgency`` setting, the
alerts' ``severity`` label and, with support hours, the instant.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from drillsim.spec.escalation import SupportHours, SupportHoursUrgency, UrgencyLevel

__all__ = ["in_support_hours", "incident_urgency", "severity_urgency"]

_HIGH_SEVERITIES = frozenset({"critical", "error"})
_LOW_SEVERITIES = frozenset({"warning", "info"})


def severity_urgency(severity: str | None) -> str:
    """PagerDuty's severity-based urgency for an event severity.

    ``critical`` and ``error`` are high, ``warning`` and ``info`` low (PagerDuty "Dynamic
    Notifications"). An event without a severity is high, as in PagerDuty; so is any
    other value (PagerDuty accepts only the four, and a severity someone set is not
    silently demoted). Case and surrounding blanks are ignored.
    """
    if severity is None:
        return "high"
    return "low" if severity.strip().lower() in _LOW_SEVERITIES else "high"


def in_support_hours(hours: SupportHours, at: datetime) -> bool:
    """Whether ``at`` falls in the support hours, on their own wall clock.

    A span that wraps midnight belongs to the day it started on (a Friday 22:00-06:00
    span covers Saturday 03:00), as PagerDuty's fixed-time-per-day hours are read.
    """
    local = at.astimezone(ZoneInfo(hours.tz))
    minute = local.hour * 60 + local.minute
    start, end = hours.hours
    if start < end:
        day = local.weekday() if start <= minute < end else None
    elif minute >= start:
        day = local.weekday()
    elif minute < end:
        day = (local.weekday() - 1) % 7
    else:
        day = None
    return day is not None and day in hours.days


def incident_urgency(
    setting: UrgencyLevel | SupportHoursUrgency | None, severity: str | None, at: datetime
) -> tuple[str, str]:
    """The urgency of an incident opening at ``at`` and why: (``high``/``low``, reason).

    Args:
        setting: the policy's ``urgency`` (None: always high).
        severity: the ``severity`` label the opening alerts share (Alertmanager's
            CommonLabels.severity), None if absent or not shared.
        at: when the incident opened (aware).
    """
    if setting is None:
        return "high", "default"
    level: str = setting if isinstance(setting, str) else ""
    where = ""
    if isinstance(setting, SupportHoursUrgency):
        inside = in_support_hours(setting.support_hours, at)
        level = setting.during if inside else setting.outside
        where = "during support hours" if inside else "outside support hours"
    if level == "severity-based":
        shown = severity if severity is not None else "none"
        reason = f"severity {shown}"
        level = severity_urgency(severity)
    else:
        reason = "constant"
    return level, f"{reason}, {where}" if where else reason
