"""People KPIs from a hand-written log: channels, fatigue, burnout, hand-offs, roles."""

from __future__ import annotations

from typing import Any

import pytest

from drillsim.scoring.kpis import burnout_band, people_kpis, role_conflicts

DAY = 86400.0


def started(duration_s: float) -> dict[str, Any]:
    return {
        "kind": "DrillStarted",
        "t": 0.0,
        "scenario": "s",
        "seed": 1,
        "replication": 0,
        "start": "2026-01-05T00:00:00+00:00",
        "tz": "UTC",
        "duration_s": duration_s,
        "services": [],
        "people": [{"name": "ann", "tz": "UTC"}, {"name": "bo", "tz": "UTC"}],
    }


def page(t: float, person: str, incident: str, off_hours: bool) -> list[dict[str, Any]]:
    return [
        {
            "kind": "PageSent",
            "t": t,
            "incident": incident,
            "person": person,
            "level": 0,
            "loop": 0,
            "off_hours": off_hours,
            "asleep": False,
        },
        {
            "kind": "FatigueAssessed",
            "t": t,
            "incident": incident,
            "person": person,
            "state": "awake",
            "pages_24h": int(t // 1000),
            "shift_hours": 0.5,
            "ack_factor": 1.0 + t / 10000,
            "error_factor": 1.0 + t / 20000,
        },
        {
            "kind": "PageNotificationSent",
            "t": t,
            "incident": incident,
            "person": person,
            "channel": "push",
            "delivered_s": t + 5,
        },
    ]


def role(t: float, incident: str, name: str, person: str | None) -> dict[str, Any]:
    return {"kind": "RoleAssigned", "t": t, "incident": incident, "role": name, "person": person}


def test_burnout_bands_follow_pagerduty_2021() -> None:
    """2 per month is good, 7 bad, 19 burn-out."""
    assert [burnout_band(x) for x in (0, 2, 2.1, 6.9, 7, 18.9, 19, 40)] == [
        "good",
        "good",
        "watch",
        "watch",
        "bad",
        "bad",
        "burnout",
        "burnout",
    ]


def test_people_kpis_count_channels_fatigue_and_burnout_over_a_long_run() -> None:
    """14 days; ann has 7 off-hours pages (15 per 30 days: bad), bo one page by day."""
    records = [started(14 * DAY)]
    for k in range(7):
        records += page(1000.0 * (k + 1), "ann", f"inc-{k}", True)
    records += page(500.0, "bo", "inc-9", False)
    records.append(
        {
            "kind": "PageNotificationSent",
            "t": 800.0,
            "incident": "inc-9",
            "person": "bo",
            "channel": "sms",
            "delivered_s": 820.0,
        }
    )
    records.append(
        {"kind": "PageQueued", "t": 900.0, "incident": "inc-9", "person": "bo", "queued": 1}
    )
    out = people_kpis(sorted(records, key=lambda r: r["t"]), 14 * DAY)
    assert out["pages_by_channel"] == {"push": 8, "sms": 1}
    ann, bo = out["people"]["ann"], out["people"]["bo"]
    assert ann["pages"] == 7 and ann["off_hours_pages"] == 7
    assert ann["off_hours_pages_per_month"] == pytest.approx(15.0)
    assert ann["burnout"] == "bad"
    assert ann["fatigue_max"] == pytest.approx(1.7) and ann["fatigue_mean"] == pytest.approx(1.4)
    assert ann["error_factor_max"] == pytest.approx(1.35) and ann["max_pages_24h"] == 7
    assert bo["burnout"] == "good" and bo["queued"] == 1 and out["queued_pages"] == 1


def test_burnout_is_not_judged_on_a_short_drill() -> None:
    """Under 7 days the rate is reported but the band is None."""
    records = [started(DAY), *page(100.0, "ann", "inc-1", True)]
    ann = people_kpis(records, DAY)["people"]["ann"]
    assert ann["off_hours_pages_per_month"] == pytest.approx(30.0) and ann["burnout"] is None


def test_role_conflicts_are_overlapping_holdings_of_one_person() -> None:
    """ann commands inc-1 (100..500) and is the SME of inc-2 (300..end, reassigned to bo at
    400): one conflict 300..400. bo's two roles of inc-2 overlap from 400 to the end."""
    records = [
        started(1000.0),
        role(100.0, "inc-1", "incident-commander", "ann"),
        role(300.0, "inc-2", "subject-matter-expert", "ann"),
        role(300.0, "inc-2", "communications-lead", "bo"),
        role(300.0, "inc-2", "incident-commander", None),
        role(400.0, "inc-2", "subject-matter-expert", "bo"),
        {"kind": "IncidentResolved", "t": 500.0, "incident": "inc-1", "by": "ann", "reason": "x"},
    ]
    assert role_conflicts(records, 1000.0) == [
        {
            "person": "ann",
            "start_s": 300.0,
            "end_s": 400.0,
            "holdings": ["incident-commander@inc-1", "subject-matter-expert@inc-2"],
        },
        {
            "person": "bo",
            "start_s": 400.0,
            "end_s": 1000.0,
            "holdings": ["communications-lead@inc-2", "subject-matter-expert@inc-2"],
        },
    ]
    out = people_kpis(records, 1000.0)
    assert out["role_conflicts"] == 2 and out["roles_unfilled"] == 1
    assert out["people"]["ann"]["roles"] == 2 and out["people"]["bo"]["roles"] == 2


def test_handoffs_and_redirects_are_counted_by_reason() -> None:
    """Two hand-offs (shift-end, not-allowed) and redirects by reason, per person too."""
    records = [
        started(1000.0),
        {
            "kind": "PageRedirected",
            "t": 10.0,
            "incident": "i1",
            "person": "ann",
            "to": "bo",
            "reason": "vacation",
        },
        {
            "kind": "PageRedirected",
            "t": 20.0,
            "incident": "i2",
            "person": "bo",
            "to": None,
            "reason": "overwhelmed",
        },
        {
            "kind": "IncidentHandedOff",
            "t": 30.0,
            "incident": "i1",
            "person": "bo",
            "to": "ann",
            "reason": "shift-end",
            "context_loss_s": 600.0,
        },
        {
            "kind": "IncidentHandedOff",
            "t": 40.0,
            "incident": "i2",
            "person": "ann",
            "to": "bo",
            "reason": "not-allowed",
            "context_loss_s": 300.0,
        },
        {
            "kind": "ActionNotAllowed",
            "t": 40.0,
            "incident": "i2",
            "person": "ann",
            "action": "rollback",
            "service": "api",
        },
    ]
    out = people_kpis(records, 1000.0)
    assert out["handoffs"] == 2
    assert out["handoffs_by_reason"] == {"not-allowed": 1, "shift-end": 1}
    assert out["handoff_context_loss_s"]["mean"] == 450.0
    assert out["redirected_pages"] == {"overwhelmed": 1, "vacation": 1}
    assert out["actions_not_allowed"] == 1
    ann, bo = out["people"]["ann"], out["people"]["bo"]
    assert (ann["away_redirects"], ann["handoffs_out"], ann["handoffs_in"]) == (1, 1, 1)
    assert (bo["fallback_pages"], bo["handoffs_out"], bo["handoffs_in"]) == (1, 1, 1)
