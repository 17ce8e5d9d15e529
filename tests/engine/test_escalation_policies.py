"""The escalation engine inside a drill: each policy feature in the SimPy run, on the
mini drill (orders-db crashes at 03:10 Berlin on Saturday 14 March 2026; every alert is
``severity: critical``; alice is on call, dana is level 1).

The pure decisions are pinned in tests/oncall/test_escalation_machine.py; these tests
check that the process, the incident desk and the responders carry them out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import drillsim
from drillsim.io.loader import Drill

Vary = Callable[..., Drill]


def policy(**fields: Any) -> Callable[[dict[str, Any]], None]:
    """An edit of the OnCall document setting fields of its only policy."""

    def edit(doc: dict[str, Any]) -> None:
        doc["escalation_policies"][0].update(fields)

    return edit


def records(drill: Drill, seed: int = 1) -> list[dict[str, Any]]:
    return drillsim.run(drill, seed=seed).records


def of(recs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in recs if r["kind"] == kind]


def test_ack_timeout_retriggers_at_the_timeout_and_renotifies_the_owner(vary: Vary) -> None:
    """``ack_timeout: 10m``: each re-trigger comes exactly 600 s after the incident's
    latest acknowledgement, and its first page, in the next pass, goes to the owner."""
    outcome = drillsim.run(vary(oncall=policy(ack_timeout="10m")), seed=1)
    recs = outcome.records
    retriggers = of(recs, "IncidentRetriggered")
    assert retriggers
    for r in retriggers:
        acks = [a["t"] for a in of(recs, "PageAcknowledged") if a["incident"] == r["incident"]]
        assert r["t"] == max(t for t in acks if t < r["t"]) + 600.0
        assert r["ack_timeout_s"] == 600.0
        first = next(
            p for p in of(recs, "PageSent") if p["incident"] == r["incident"] and p["t"] == r["t"]
        )
        assert (first["person"], first["level"]) == (r["person"], 0)
    assert outcome.scorecard.kpis["retriggers"] == len(retriggers)
    assert outcome.scorecard.kpis["incidents_retriggered"] == len(
        {r["incident"] for r in retriggers}
    )


def test_auto_resolve_closes_incidents_at_the_timeout(vary: Vary) -> None:
    """``auto_resolve: 20m``: an incident still open 1200 s after it opened is resolved
    then, by ``auto-resolve``; the KPI counts them."""
    outcome = drillsim.run(vary(oncall=policy(auto_resolve="20m")), seed=1)
    recs = outcome.records
    opened = {r["incident"]: r["t"] for r in of(recs, "IncidentOpened")}
    auto = [r for r in of(recs, "IncidentResolved") if r["by"] == "auto-resolve"]
    assert auto
    for r in auto:
        assert r["t"] == opened[r["incident"]] + 1200.0
        assert r["reason"] == "open for 20m"
    for r in of(recs, "IncidentResolved"):
        assert r["t"] <= opened[r["incident"]] + 1200.0
    assert outcome.scorecard.kpis["incidents_auto_resolved"] == len(auto)


def test_warning_alerts_are_low_urgency_and_page_once(vary: Vary) -> None:
    """``urgency: severity-based`` with ``severity: warning`` alerts: every incident is
    low urgency, its first level (alice) is paged once and nothing escalates."""

    def warning(doc: dict[str, Any]) -> None:
        for rule in doc["rules"]:
            rule["labels"]["severity"] = "warning"

    outcome = drillsim.run(vary(oncall=policy(urgency="severity-based"), rules=warning), seed=1)
    recs = outcome.records
    urgencies = of(recs, "IncidentUrgencySet")
    assert len(urgencies) == len(of(recs, "IncidentOpened")) > 0
    assert {(r["urgency"], r["reason"]) for r in urgencies} == {("low", "severity warning")}
    assert [(p["person"], p["level"], p["loop"]) for p in of(recs, "PageSent")] == [
        ("alice", 0, 0)
    ] * len(urgencies)
    assert not of(recs, "EscalationTimedOut") and not of(recs, "EscalationExhausted")
    assert outcome.scorecard.kpis["low_urgency_incidents"] == len(urgencies)


def test_critical_alerts_are_high_urgency(vary: Vary) -> None:
    """The same policy with the mini drill's critical alerts: high urgency, escalating
    as before (the log differs from the default only by the urgency records)."""
    plain = records(vary())
    recs = records(vary(oncall=policy(urgency="severity-based")))
    assert {r["reason"] for r in of(recs, "IncidentUrgencySet")} == {"severity critical"}
    assert [r for r in recs if r["kind"] != "IncidentUrgencySet"] == plain


def test_outside_support_hours_is_low_urgency(vary: Vary) -> None:
    """Support hours 09:00-17:00 Berlin, Monday to Friday; the drill is on a Saturday
    night, so ``outside: low`` applies."""
    hours = {"support_hours": {"tz": "Europe/Berlin", "hours": "09:00-17:00"}}
    recs = records(vary(oncall=policy(urgency=hours)))
    assert {(r["urgency"], r["reason"]) for r in of(recs, "IncidentUrgencySet")} == {
        ("low", "constant, outside support hours")
    }


def test_round_robin_gives_each_incident_to_the_next_person(vary: Vary) -> None:
    """A round-robin level of alice, bob, dana: the incidents' first pages go to them in
    turn, in the order the incidents open."""
    rules = [
        {
            "delay": "10m",
            "targets": [{"user": "alice"}, {"user": "bob"}, {"user": "dana"}],
            "assignment": "round-robin",
        }
    ]
    recs = records(vary(oncall=policy(rules=rules, loops=1)))
    firsts = [
        next(p["person"] for p in of(recs, "PageSent") if p["incident"] == i["incident"])
        for i in of(recs, "IncidentOpened")
    ]
    assert firsts == ["alice", "bob", "dana", "alice"][: len(firsts)]
    assert len(firsts) == 4


def test_a_time_window_step_pauses_until_it_opens(vary: Vary) -> None:
    """A Grafana chain that continues only 09:00-17:00 UTC: the drill starts at 02:00 UTC,
    so every incident pauses until 09:00 UTC (25,200 s), after the drill's 6 hours:
    nobody is paged."""
    steps = [{"continue_if_time": "09:00-17:00"}, {"notify": [{"schedule": "storefront-primary"}]}]

    def chain(doc: dict[str, Any]) -> None:
        doc["escalation_policies"][0] = {"name": "storefront", "steps": steps}

    recs = records(vary(oncall=chain))
    paused = of(recs, "EscalationPaused")
    assert len(paused) == len(of(recs, "IncidentOpened")) > 0
    assert {(p["level"], p["reason"], p["until"]) for p in paused} == {
        (0, "outside 09:00-17:00 UTC", 25200.0)
    }
    assert not of(recs, "PageSent")


def test_policies_with_every_feature_are_deterministic(vary: Vary) -> None:
    """Same seed, same log, with round-robin, multi-ack, current-level acks, ack timeout
    and auto-resolve all in play."""
    fields = {
        "rules": [
            {
                "delay": "5m",
                "targets": [{"user": "alice"}, {"user": "bob"}],
                "multi_ack": True,
            },
            {
                "delay": "5m",
                "targets": [{"user": "dana"}, {"user": "bob"}],
                "assignment": "round-robin",
            },
        ],
        "ack_by": "current-level",
        "ack_timeout": "15m",
        "auto_resolve": "3h",
    }
    drill = vary(oncall=policy(**fields))
    first, second = records(drill, 7), records(drill, 7)
    assert first == second
    assert of(first, "ResponderJoined") and of(first, "IncidentRetriggered")
    for j in of(first, "ResponderJoined"):
        acks = [a for a in of(first, "PageAcknowledged") if a["incident"] == j["incident"]]
        assert acks[0]["t"] <= j["t"] and acks[0]["person"] != j["person"]
