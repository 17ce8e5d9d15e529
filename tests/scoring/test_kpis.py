"""KPIs and the drill score from a hand-written event log with known answers."""

from __future__ import annotations

from typing import Any

import pytest

from drillsim.engine.incidents import severity_for
from drillsim.scoring.kpis import compute_kpis, summarise
from drillsim.scoring.scorecard import DEFAULT_TARGETS, score, sub_score
from drillsim.spec.scenario import DEFAULT_SEVERITY, KpiTarget, Scoring


def log() -> list[dict[str, Any]]:
    """A drill with one fault, two incidents (one for the fault, one false positive)."""
    svc = [
        {
            "name": "db",
            "team": "d",
            "tier": 1,
            "slo_availability": 0.999,
            "slo_window_s": 2592000,
            "budget_requests": 1000.0,
        }
    ]
    return [
        {
            "kind": "DrillStarted",
            "t": 0,
            "scenario": "s",
            "seed": 1,
            "replication": 0,
            "start": "2026-01-01T00:00:00+00:00",
            "tz": "UTC",
            "duration_s": 7200,
            "services": svc,
            "people": [],
        },
        {
            "kind": "FaultInjected",
            "t": 100,
            "fault": "f1",
            "type": "crash",
            "target": "db",
            "services": ["db"],
            "ends": "repaired",
            "remedy": "restart",
        },
        {
            "kind": "AlertFired",
            "t": 190,
            "alert": "Down",
            "fingerprint": "a1",
            "labels": {},
            "annotations": {},
            "starts_at": "",
            "faults": ["f1"],
            "false_positive": False,
        },
        {
            "kind": "AlertFired",
            "t": 200,
            "alert": "Noise",
            "fingerprint": "a2",
            "labels": {},
            "annotations": {},
            "starts_at": "",
            "faults": [],
            "false_positive": True,
        },
        {
            "kind": "IncidentOpened",
            "t": 220,
            "incident": "i1",
            "group_key": "g1",
            "receiver": "r",
            "policy": "p",
            "severity": "SEV1",
            "services": ["db"],
            "title": "",
        },
        {
            "kind": "NotificationSent",
            "t": 220,
            "receiver": "r",
            "group_key": "g1",
            "reason": "first notification",
            "firing": ["a1"],
            "resolved": [],
            "incident": "i1",
        },
        {
            "kind": "PageSent",
            "t": 220,
            "incident": "i1",
            "person": "ann",
            "level": 0,
            "loop": 0,
            "off_hours": True,
            "asleep": True,
        },
        {
            "kind": "IncidentOpened",
            "t": 230,
            "incident": "i2",
            "group_key": "g2",
            "receiver": "r",
            "policy": "p",
            "severity": "SEV4",
            "services": ["db"],
            "title": "",
        },
        {
            "kind": "NotificationSent",
            "t": 230,
            "receiver": "r",
            "group_key": "g2",
            "reason": "first notification",
            "firing": ["a2"],
            "resolved": [],
            "incident": "i2",
        },
        {
            "kind": "PageSent",
            "t": 230,
            "incident": "i2",
            "person": "ann",
            "level": 0,
            "loop": 0,
            "off_hours": False,
            "asleep": False,
        },
        {"kind": "PageAcknowledged", "t": 520, "incident": "i1", "person": "ann"},
        {"kind": "EscalationTimedOut", "t": 830, "incident": "i2", "level": 0, "loop": 0},
        {
            "kind": "HypothesisFormed",
            "t": 700,
            "incident": "i1",
            "person": "ann",
            "service": "x",
            "correct": False,
        },
        {
            "kind": "ActionCompleted",
            "t": 900,
            "incident": "i1",
            "person": "ann",
            "action": "restart",
            "service": "db",
            "success": False,
            "effective": False,
        },
        {
            "kind": "ImpactAccrued",
            "t": 1900,
            "service": "db",
            "since": 100,
            "failed_requests": 250.0,
            "user_minutes": 30.0,
        },
        {"kind": "IncidentMitigated", "t": 1900, "incident": "i1", "by": "ann"},
        {"kind": "IncidentResolved", "t": 2500, "incident": "i1", "by": "ann", "reason": "fixed"},
        {"kind": "DrillEnded", "t": 7200},
    ]


def test_kpis_from_a_known_log() -> None:
    """Every KPI follows its documented definition on the hand-made log."""
    k = compute_kpis(log())
    assert k["time_to_detect_s"]["mean"] == 90
    assert k["time_to_acknowledge_s"]["mean"] == 300
    assert k["time_to_acknowledge_censored_s"]["mean"] == (300 + (7200 - 230)) / 2
    assert k["time_to_mitigate_s"]["mean"] == 1800
    assert k["time_to_resolve_s"]["mean"] == 2400
    assert k["failed_requests"] == 250 and k["slo_budget_burned"] == 0.25
    assert k["pages"] == 2 and k["off_hours_pages"] == 1 and k["asleep_pages"] == 1
    assert k["noise_ratio"] == 0.5
    assert k["escalations"] == 1 and k["wrong_hypotheses"] == 1 and k["failed_actions"] == 1
    assert k["incidents_unacknowledged"] == 1 and k["incidents_unresolved"] == 1
    assert k["false_positive_alerts"] == 1 and k["notifications_per_incident"] == 1


def test_summarise_quantiles() -> None:
    """Median and p90 interpolate linearly, as numpy's default does."""
    s = summarise([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert s["median"] == 5.5 and s["p90"] == pytest.approx(9.1) and s["mean"] == 5.5
    assert summarise([])["mean"] is None


def test_sub_score_is_linear_between_good_and_bad() -> None:
    """100 at good, 0 at bad, halfway in the middle; a missing value depends on misses."""
    t = KpiTarget(good=10, bad=30)
    assert sub_score(5, t, False) == 100 and sub_score(20, t, False) == 50
    assert sub_score(40, t, False) == 0
    assert sub_score(None, t, False) == 100 and sub_score(None, t, True) == 0


def test_score_weights_parts() -> None:
    """The drill score is the weight-averaged sub-scores."""
    k = compute_kpis(log())
    card = score(k, Scoring(weights={"customer_impact": 1.0, "noise": 3.0}))
    impact = sub_score(25.0, DEFAULT_TARGETS["customer_impact"], True)
    noise = sub_score(50.0, DEFAULT_TARGETS["noise"], True)
    assert card.score == pytest.approx(round((impact + 3 * noise) / 4, 2))


def test_default_severity_matrix() -> None:
    """Tier-1 outages are SEV1; tier-2 partial errors SEV3; nothing visible SEV4."""
    rules = list(DEFAULT_SEVERITY)
    assert severity_for(rules, 1, 1.0) == "SEV1"
    assert severity_for(rules, 1, 0.05) == "SEV2"
    assert severity_for(rules, 2, 0.05) == "SEV3"
    assert severity_for(rules, 3, 0.0) == "SEV4"


def test_the_notification_may_precede_the_incident_it_opens() -> None:
    """The engine logs a notification, then the incident it opens: KPIs are the same."""
    records = log()
    engine_order = []
    for r in records:
        if r["kind"] == "NotificationSent" and engine_order[-1]["kind"] == "IncidentOpened":
            engine_order.insert(len(engine_order) - 1, r)
        else:
            engine_order.append(r)
    assert [r["kind"] for r in engine_order][4:6] == ["NotificationSent", "IncidentOpened"]
    a, b = compute_kpis(records), compute_kpis(engine_order)
    assert a == b and b["time_to_mitigate_s"]["count"] == 1 and b["noise_ratio"] == 0.5
