"""Templates for the on-call shapes teams ask about most, as complete OnCall documents.

Each returns plain data (what ``drillsim oncall template`` prints as YAML): the people,
the schedules and an escalation policy that pages them, so "what if we moved to
follow-the-sun" starts from a runnable document rather than a blank page.

* ``primary-secondary``: one rotation and its shadow, the secondary being the person
  who is primary next (``offset: 1``); the policy pages the primary, then the secondary.
* ``follow-the-sun``: the day cut into equal windows in UTC, one per region in the order
  given, each region rotating its own people weekly inside its window (UTC windows do
  not move with any region's DST: the usual contract between regions).
* ``business-hours``: a business-hours rotation (Monday-Friday) layered over an
  after-hours rotation that covers everything else (PagerDuty's two-layer pattern).
"""

from __future__ import annotations

from typing import Any

__all__ = ["TEMPLATES", "business_hours", "follow_the_sun", "primary_secondary"]


def _doc(
    people: dict[str, str], schedules: list[dict[str, Any]], rules: list[str]
) -> dict[str, Any]:
    return {
        "kind": "OnCall",
        "version": 1,
        "people": [{"name": name, "tz": tz} for name, tz in people.items()],
        "schedules": schedules,
        "escalation_policies": [
            {
                "name": "default",
                "rules": [{"delay": "15m", "targets": [{"schedule": s}]} for s in rules],
                "loops": 2,
            }
        ],
    }


def primary_secondary(
    users: list[str], tz: str = "UTC", handoff: str = "mon 09:00", rotation: str = "weekly"
) -> dict[str, Any]:
    """A primary rotation and a secondary one turn ahead of it."""
    if len(users) < 2:
        raise ValueError("a primary and a secondary need at least two people")
    layer = {"rotation": rotation, "handoff": handoff, "users": users}
    schedules = [
        {"name": "primary", "tz": tz, "layers": [layer]},
        {"name": "secondary", "tz": tz, "layers": [{**layer, "offset": 1}]},
    ]
    return _doc(dict.fromkeys(users, tz), schedules, ["primary", "secondary"])


def follow_the_sun(
    regions: list[tuple[str, list[str]]], handoff: str = "mon 09:00"
) -> dict[str, Any]:
    """Regions (time zone, people) sharing the day in equal UTC windows, in order."""
    if len(regions) < 2:
        raise ValueError("follow-the-sun needs at least two regions")
    if 1440 % len(regions):
        raise ValueError("the regions must split the day into whole minutes")
    window = 1440 // len(regions)
    layers, people = [], {}
    for i, (tz, users) in enumerate(regions):
        if not users:
            raise ValueError(f"region {tz} has nobody")
        start = i * window
        opens = f"{start // 60:02d}:{start % 60:02d}"
        layers.append(
            {
                "name": tz.split("/")[-1].lower().replace("_", "-"),
                "rotation": "weekly",
                "handoff": handoff,
                "users": users,
                "level": 0,
                "restrictions": [{"start": opens, "duration": f"{window}m"}],
            }
        )
        people.update(dict.fromkeys(users, tz))
    schedules = [{"name": "follow-the-sun", "tz": "UTC", "layers": layers}]
    return _doc(people, schedules, ["follow-the-sun"])


def business_hours(
    day_users: list[str],
    night_users: list[str],
    tz: str = "UTC",
    hours: str = "09:00-17:00",
    handoff: str = "mon 09:00",
) -> dict[str, Any]:
    """Business hours (Monday-Friday ``hours``) over an always-on after-hours layer."""
    if not day_users or not night_users:
        raise ValueError("business hours and after hours each need people")
    layers = [
        {"name": "after-hours", "rotation": "weekly", "handoff": handoff, "users": night_users},
        {
            "name": "business-hours",
            "rotation": "weekly",
            "handoff": handoff,
            "users": day_users,
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "hours": hours,
        },
    ]
    people = dict.fromkeys([*day_users, *night_users], tz)
    return _doc(people, [{"name": "support", "tz": tz, "layers": layers}], ["support"])


TEMPLATES = ("primary-secondary", "follow-the-sun", "business-hours")
