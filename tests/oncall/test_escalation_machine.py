"""The escalation engine's vendor flags, one test per behaviour it pins.

The engine is a pure state machine (:mod:`drillsim.oncall.machine`); these tests drive it
with a small clock of their own (:func:`drive`): acknowledgements, closes and alerts at
given instants, exactly as the SimPy process would observe them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from drillsim.oncall.machine import (
    AutoResolve,
    Await,
    Decision,
    DeclareIncident,
    Done,
    Escalation,
    Exhausted,
    Observation,
    Page,
    Paused,
    ResolveIncident,
    Retrigger,
    RoundRobin,
    TimedOut,
)
from drillsim.oncall.program import compile_policy
from drillsim.spec.oncall import OnCall

UTC = ZoneInfo("UTC")
MONDAY_3AM = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
MIN = 60.0


def oncall(*policies: dict[str, Any]) -> OnCall:
    """People alice..erin; ``day`` has erin on call 09:00-17:00 UTC only; ``team`` has
    alice, bob and carol on call together (three layers of the same level)."""
    return OnCall.model_validate(
        {
            "kind": "OnCall",
            "version": 1,
            "people": [{"name": n} for n in ("alice", "bob", "carol", "dana", "erin")],
            "schedules": [
                {
                    "name": "day",
                    "tz": "UTC",
                    "layers": [
                        {
                            "rotation": "daily",
                            "handoff": "09:00",
                            "users": ["erin"],
                            "hours": "09:00-17:00",
                        }
                    ],
                },
            ],
            "escalation_policies": list(policies),
        }
    )


@dataclass
class Script:
    """What happens to the incident, at given seconds after it opened."""

    acks: dict[str, float] = field(default_factory=dict)
    """person -> when their answer arrives (they acknowledge if allowed)."""
    close_at: float | None = None
    alerts: list[float] = field(default_factory=lambda: [0.0])
    horizon: float = 24 * 3600.0


def drive(
    policy: dict[str, Any],
    script: Script | None = None,
    *,
    urgency: str = "high",
    rotations: RoundRobin | None = None,
    start: datetime = MONDAY_3AM,
) -> list[tuple[float, Decision]]:
    """Run one incident's escalation to the end; every decision but waits, with its time."""
    script = script or Script()
    doc = oncall(policy)
    machine = Escalation(
        compile_policy(doc.escalation_policies[0]), doc, start, 0.0, urgency, rotations
    )
    now, acked, owner, closed = 0.0, False, None, False
    answered: set[tuple[str, float]] = set()
    out: list[tuple[float, Decision]] = []

    def answer(t: float, person: str) -> None:
        nonlocal acked, owner
        answered.add((person, t))
        if acked:
            if machine.joins(person):
                out.append((t, Page((person,), -1, -1)))  # a join, marked level -1
        elif person == owner or machine.may_ack(person):
            acked, owner = True, person

    for _ in range(10_000):
        obs = Observation(now, acked, closed, owner, [a for a in script.alerts if a <= now])
        decision = machine.next(obs)
        if isinstance(decision, Retrigger):
            acked = False
        if isinstance(decision, AutoResolve | ResolveIncident):
            closed = True
        if not isinstance(decision, Await | Done):
            out.append((now, decision))
            continue
        pending = sorted(
            (t, p) for p, t in script.acks.items() if t >= now and (p, t) not in answered
        )
        if isinstance(decision, Done):
            out.append((now, decision))
            for t, person in pending:  # answers after the process ended (multi-ack joins)
                if not closed:
                    answer(t, person)
            return out
        # the next thing to happen: the wait's end, an answer, a close, an alert
        times = [now + decision.timeout_s] if decision.timeout_s is not None else []
        times += [t for t, _ in pending]
        if script.close_at is not None and script.close_at >= now:
            times.append(script.close_at)
        if decision.on_alerts:
            times += [a for a in script.alerts if a > now]
        if not times or min(times) > script.horizon:
            out.append((now, Done()))
            return out
        now = min(times)
        if script.close_at is not None and now >= script.close_at:
            closed = True
        for t, person in pending:
            if t == now:
                answer(t, person)
    raise AssertionError("the escalation did not end")


def pages(trace: list[tuple[float, Decision]]) -> list[tuple[float, tuple[str, ...], int, int]]:
    """(minute, people, level, loop) of each page."""
    return [
        (t / MIN, d.people, d.level, d.loop)
        for t, d in trace
        if isinstance(d, Page) and d.level >= 0
    ]


def kinds(trace: list[tuple[float, Decision]]) -> list[tuple[float, str]]:
    return [(t / MIN, type(d).__name__) for t, d in trace]


PD = {
    "name": "pd",
    "rules": [
        {"delay": "10m", "targets": [{"schedule": "day"}]},
        {"delay": "15m", "targets": [{"user": "dana"}]},
    ],
    "loops": 2,
}


# ----- PagerDuty -----------------------------------------------------------------------


def test_pagerduty_levels_wait_their_own_delay_and_loop_passes() -> None:
    """Per-rule delays: each level waits its delay; ``loops: 2`` runs the rules twice and
    the escalation is exhausted after the last level's delay (at 0, 10, 25, 35, 50 min),
    here in the daytime when erin is on call."""
    trace = drive(PD, start=datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    assert pages(trace) == [
        (0.0, ("erin",), 0, 0),
        (10.0, ("dana",), 1, 0),
        (25.0, ("erin",), 0, 1),
        (35.0, ("dana",), 1, 1),
    ]
    assert kinds(trace)[-2:] == [(50.0, "Exhausted"), (50.0, "Done")]
    assert [(t / MIN, d.level, d.loop) for t, d in trace if isinstance(d, TimedOut)] == [
        (10.0, 0, 0),
        (25.0, 1, 0),
        (35.0, 0, 1),
        (50.0, 1, 1),
    ]


def test_pagerduty_skips_a_level_with_nobody_on_call() -> None:
    """``empty_levels: skip`` (the default for per-rule rules): at 03:00 nobody is on the
    day schedule, so dana (level 1) is paged at once, and each pass takes 15 minutes."""
    trace = drive(PD)
    assert pages(trace) == [(0.0, ("dana",), 1, 0), (15.0, ("dana",), 1, 1)]
    assert kinds(trace)[-2] == (30.0, "Exhausted")


def test_acknowledgement_stops_the_escalation() -> None:
    """An acknowledgement ends the escalation: no further page, no timeout record."""
    trace = drive(PD, Script(acks={"dana": 4 * MIN}))
    assert pages(trace) == [(0.0, ("dana",), 1, 0)]
    assert kinds(trace) == [(0.0, "Page"), (4.0, "Done")]


def test_round_robin_hands_each_incident_to_the_next_person() -> None:
    """``assignment: round-robin`` pages one of the level's people, the next one each
    time the level pages, across incidents (PagerDuty round_robin)."""
    policy = {
        "name": "rr",
        "rules": [
            {
                "delay": "5m",
                "targets": [{"user": "alice"}, {"user": "bob"}, {"user": "carol"}],
                "assignment": "round-robin",
            }
        ],
        "loops": 2,
    }
    turns = RoundRobin()
    first = [p[1] for p in pages(drive(policy, rotations=turns))]
    second = [p[1] for p in pages(drive(policy, rotations=turns))]
    assert first == [("alice",), ("bob",)]
    assert second == [("carol",), ("alice",)]


def test_everyone_is_the_default_assignment() -> None:
    """Without ``assignment`` every target of the level is paged."""
    policy = {
        "name": "all",
        "rules": [{"delay": "5m", "targets": [{"user": "alice"}, {"user": "bob"}]}],
    }
    assert pages(drive(policy)) == [(0.0, ("alice", "bob"), 0, 0)]


def test_ack_timeout_retriggers_and_starts_over_renotifying_the_acker() -> None:
    """``ack_timeout: 30m``: alice acknowledges at 2 min and does not resolve; at 32 min
    the incident is triggered again, the policy starts from its first level, and alice
    is re-notified first; unanswered, the policy escalates to dana 10 minutes later."""
    policy = {
        "name": "ack",
        "rules": [
            {"delay": "10m", "targets": [{"user": "alice"}]},
            {"delay": "10m", "targets": [{"user": "dana"}]},
        ],
        "ack_timeout": "30m",
    }
    trace = drive(policy, Script(acks={"alice": 2 * MIN}, horizon=70 * MIN))
    assert pages(trace)[:2] == [(0.0, ("alice",), 0, 0), (32.0, ("alice",), 0, 1)]
    retriggers = [(t / MIN, d.person, d.after_s) for t, d in trace if isinstance(d, Retrigger)]
    assert retriggers == [(32.0, "alice", 1800.0)]
    # unanswered after the re-trigger: the policy escalates to dana at 42 minutes
    assert pages(trace)[2] == (42.0, ("dana",), 1, 1)


def test_auto_resolve_closes_an_open_incident() -> None:
    """``auto_resolve: 4h``: an incident still open 4 hours after it opened is resolved,
    acknowledged or not."""
    policy = {**PD, "auto_resolve": "4h"}
    trace = drive(policy, Script(acks={"dana": 60.0}))
    assert kinds(trace) == [(0.0, "Page"), (240.0, "AutoResolve"), (240.0, "Done")]


def test_low_urgency_pages_the_first_level_only() -> None:
    """Low urgency never escalates: the first level that reaches someone is paged and
    nothing else happens (no timeout, no exhaustion)."""
    trace = drive(PD, urgency="low")
    assert kinds(trace) == [(0.0, "Page"), (0.0, "Done")]
    assert pages(trace) == [(0.0, ("dana",), 1, 0)]


def test_ack_by_current_level_unassigns_earlier_levels() -> None:
    """``ack_by: current-level``: once level 1 is paged, level 0's alice may no longer
    acknowledge; with the default ``anyone-paged`` she still may."""
    policy = {
        "name": "reassign",
        "rules": [
            {"delay": "5m", "targets": [{"user": "alice"}]},
            {"delay": "5m", "targets": [{"user": "bob"}]},
        ],
        "ack_by": "current-level",
    }
    late = Script(acks={"alice": 7 * MIN})
    assert kinds(drive(policy, late))[-2:] == [(10.0, "Exhausted"), (10.0, "Done")]
    cumulative = {**policy, "ack_by": "anyone-paged"}
    assert kinds(drive(cumulative, late))[-1] == (7.0, "Done")


# ----- Opsgenie ------------------------------------------------------------------------

OG = {
    "name": "og",
    "delays": "from-start",
    "rules": [
        {"delay": "0m", "targets": [{"user": "alice"}]},
        {"delay": "5m", "targets": [{"user": "bob"}]},
        {"delay": "10m", "targets": [{"user": "carol"}], "condition": "not-closed"},
    ],
}


def test_opsgenie_delays_count_from_the_start() -> None:
    """``delays: from-start``: rules with delays 5, 10, 15 min page at 5, 10 and 15 min
    after the alert; as per-rule (PagerDuty) dwell times the same delays page at 0, 5
    and 15 min."""
    delays = ["5m", "10m", "15m"]
    rules = [dict(r, delay=d) for r, d in zip(OG["rules"], delays, strict=True)]
    assert [p[0] for p in pages(drive({**OG, "rules": rules}))] == [5.0, 10.0, 15.0]
    per_rule = {**OG, "delays": "per-rule", "rules": rules}
    assert [p[0] for p in pages(drive(per_rule))] == [0.0, 5.0, 15.0]
    assert [p[0] for p in pages(drive(OG))] == [0.0, 5.0, 10.0]


def test_opsgenie_if_not_closed_pages_after_an_acknowledgement() -> None:
    """Alice acknowledges at 1 minute: bob's if-not-acked rule (5 min) no longer pages,
    carol's if-not-closed rule (10 min) still does."""
    trace = drive(OG, Script(acks={"alice": 1 * MIN}))
    assert pages(trace) == [(0.0, ("alice",), 0, 0), (10.0, ("carol",), 2, 0)]
    assert not any(isinstance(d, TimedOut | Exhausted) for _, d in trace)


def test_opsgenie_repeat_waits_after_the_last_rule() -> None:
    """``loops: 2`` with ``repeat_wait: 10m``: the second pass starts 10 minutes after the
    last rule paged (at 20 minutes), its rules again at 0, 5, 10 minutes from there."""
    policy = {**OG, "loops": 2, "repeat_wait": "10m"}
    assert [p[0] for p in pages(drive(policy))] == [0.0, 5.0, 10.0, 20.0, 25.0, 30.0]


def test_from_start_rules_wait_on_a_level_with_nobody_on_call() -> None:
    """From-start rules keep their offsets: an empty level pages nobody and the next
    rule still pages at its own time (empty_levels defaults to wait)."""
    policy = {
        "name": "og2",
        "delays": "from-start",
        "rules": [
            {"delay": "0m", "targets": [{"schedule": "day"}]},
            {"delay": "5m", "targets": [{"user": "bob"}]},
        ],
    }
    assert pages(drive(policy)) == [(5.0, ("bob",), 1, 0)]


# ----- Grafana OnCall ------------------------------------------------------------------


def test_grafana_bare_wait_is_five_minutes_and_notify_next_rotates() -> None:
    """A bare ``wait`` waits 5 minutes; a round-robin notify step pages the next person
    each time (notify_person_next_each_time); ``repeat`` restarts from step 0."""
    policy = {
        "name": "chain",
        "steps": [
            {"notify": [{"user": "alice"}, {"user": "bob"}], "assignment": "round-robin"},
            "wait",
            {"repeat": 2},
        ],
    }
    assert pages(drive(policy)) == [
        (0.0, ("alice",), 0, 0),
        (5.0, ("bob",), 0, 1),
        (10.0, ("alice",), 0, 2),
    ]


def test_grafana_repeat_is_at_most_five_times() -> None:
    """A bare ``repeat`` restarts the chain at most 5 times: six passes in all."""
    policy = {"name": "chain", "steps": [{"notify": [{"user": "alice"}]}, {"wait": "1m"}, "repeat"]}
    assert [p[0] for p in pages(drive(policy))] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_grafana_time_condition_pauses_until_the_window_opens() -> None:
    """``continue_if_time: 09:00-17:00`` (UTC) at 03:00: the chain pauses until 09:00
    (360 minutes later), then pages."""
    policy = {
        "name": "chain",
        "steps": [{"continue_if_time": "09:00-17:00"}, {"notify": [{"user": "alice"}]}],
    }
    trace = drive(policy)
    paused = [(t, d) for t, d in trace if isinstance(d, Paused)]
    assert paused == [(0.0, Paused(0, "outside 09:00-17:00 UTC", 360 * MIN))]
    assert pages(trace) == [(360.0, ("alice",), 0, 0)]
    inside = drive(policy, start=datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    assert pages(inside) == [(0.0, ("alice",), 0, 0)]


def test_grafana_alert_count_condition_waits_for_enough_alerts() -> None:
    """``continue_if_alerts: {at_least: 3, within: 10m}``: with alerts at 0, 4 and 12
    minutes the window never holds three; the third in 10 minutes arrives at 13."""
    policy = {
        "name": "chain",
        "steps": [
            {"continue_if_alerts": {"at_least": 3, "within": "10m"}},
            {"notify": [{"user": "alice"}]},
        ],
    }
    trace = drive(policy, Script(alerts=[0.0, 4 * MIN, 12 * MIN, 13 * MIN]))
    assert pages(trace) == [(13.0, ("alice",), 0, 0)]


def test_grafana_resolve_and_declare_incident_steps() -> None:
    """``declare_incident`` declares (severity given or the incident's); ``resolve``
    resolves the alert group."""
    policy = {
        "name": "chain",
        "steps": [
            {"notify": [{"user": "alice"}]},
            {"declare_incident": {"severity": "SEV1"}},
            "wait",
            "resolve",
        ],
    }
    assert kinds(drive(policy)) == [
        (0.0, "Page"),
        (0.0, "DeclareIncident"),
        (5.0, "TimedOut"),
        (5.0, "ResolveIncident"),
        (5.0, "Done"),
    ]
    assert DeclareIncident("SEV1") in [d for _, d in drive(policy)]


# ----- GoAlert -------------------------------------------------------------------------


def test_goalert_waits_out_an_empty_step() -> None:
    """``empty_levels: wait`` (GoAlert): at 03:00 the day schedule is empty, yet step 0
    still waits its 10 minutes before dana is paged; PagerDuty's skip pages her at once."""
    goalert = {**PD, "empty_levels": "wait", "loops": 1}
    assert pages(drive(goalert)) == [(10.0, ("dana",), 1, 0)]
    assert pages(drive({**PD, "loops": 1})) == [(0.0, ("dana",), 1, 0)]


def test_goalert_multi_ack_lets_everyone_on_the_step_answer() -> None:
    """``multi_ack``: alice acknowledges first and the escalation stops; bob, paged by the
    same step, still answers (he joins) instead of being silenced. Without multi-ack his
    answer is dropped."""
    policy = {
        "name": "ga",
        "rules": [
            {"delay": "5m", "targets": [{"user": "alice"}, {"user": "bob"}], "multi_ack": True},
            {"delay": "5m", "targets": [{"user": "dana"}]},
        ],
    }
    script = Script(acks={"alice": 1 * MIN, "bob": 3 * MIN})
    joins = [
        (t / MIN, d.people) for t, d in drive(policy, script) if isinstance(d, Page) and d.level < 0
    ]
    assert joins == [(3.0, ("bob",))]
    plain = {**policy, "rules": [dict(r, multi_ack=False) for r in policy["rules"]]}
    assert not [d for _, d in drive(plain, script) if isinstance(d, Page) and d.level < 0]
