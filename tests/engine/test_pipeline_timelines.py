"""The alert pipeline against Alertmanager's own acceptance timelines (formats.md §1.4).

Alerts are fed at fixed times into a real pipeline on a SimPy clock; the notification
times and contents must be exactly Alertmanager's (send_test.go, inhibit_test.go).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import simpy

from drillsim.alerting.labels import fingerprint
from drillsim.alerting.matchers import parse_matchers
from drillsim.alerting.routing import build_route_tree
from drillsim.alerting.silences import Silence
from drillsim.engine.clock import Clock
from drillsim.engine.monitors import AlertState
from drillsim.engine.pipeline import AlertPipeline, Notification
from drillsim.engine.scheduler import Scheduler
from drillsim.events import EventLog
from drillsim.spec.alerting import AlertRule, Routing


def run(
    routing: dict[str, Any],
    feed: list[tuple[float, str, dict[str, str]]],
    until: float,
    silences: list[Silence] | None = None,
    resend_step: float = 0.0,
) -> list[tuple[float, str, list[str], list[str]]]:
    """Feed ('fire'|'resolve'|'resend', labels) at times.

    Returns (t, reason, firing, resolved) with alerts by name. With ``resend_step``,
    resolved alerts are re-sent by "Prometheus" every step after their resolution."""
    spec = Routing.model_validate({"kind": "Routing", "version": 1, **routing})
    env = simpy.Environment()
    sched = Scheduler(env)
    sent: list[tuple[float, str, list[str], list[str]]] = []

    def deliver(note: Notification) -> None:
        def names(alerts: list[AlertState]) -> list[str]:
            return sorted("/".join(a.labels[k] for k in sorted(a.labels)) for a in alerts)

        sent.append((round(env.now, 6), note.reason, names(note.firing), names(note.resolved)))

    pipeline = AlertPipeline(
        sched,
        spec,
        build_route_tree(spec.route),
        EventLog(),
        Clock(datetime(2026, 1, 5, tzinfo=UTC)),
        lambda note: None,
        deliver,
        lambda a: {},
        silences,
        lambda alert, t_s: resend_step > 0,
    )
    alerts: dict[str, AlertState] = {}
    for t, action, labels in feed:

        def act(action: str = action, labels: dict[str, str] = labels) -> None:
            fp = fingerprint(labels)
            if action == "fire":
                rule = AlertRule(alert=labels["alertname"], signal="up", threshold=1)
                alerts[fp] = AlertState(rule, "svc", labels, fp, env.now)
                pipeline.receive(alerts[fp], True)
            elif action == "resolve":
                alerts[fp].ends_at_s = env.now
                alerts[fp].resend_step_s = resend_step
                alerts[fp].resend_before_s = until
                pipeline.receive(alerts[fp], False)
            else:  # Prometheus re-sends a resolved alert
                pipeline.resend(alerts[fp])

        sched.at(t, act)
    env.run(until=until)
    return sent


def test_batching() -> None:
    """send_test.go TestBatching: batched first notification, a batch of new alerts, a repeat."""
    routing = {
        "route": {
            "receiver": "r",
            "group_by": [],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "4900ms",
        },
        "receivers": [{"name": "r"}],
    }
    feed = [(1.1, "fire", {"alertname": "a1"}), (1.7, "fire", {"alertname": "a2"})]
    feed += [(3.3, "fire", {"alertname": f"a{i}"}) for i in (3, 4, 5)]
    sent = run(routing, feed, until=10.0)
    assert [(t, reason, len(firing)) for t, reason, firing, _ in sent] == [
        (2.1, "first notification", 2),
        (4.1, "new alerts added", 5),
        (9.1, "repeat interval elapsed", 5),
    ]


def test_inhibiting() -> None:
    """send_test.go TestInhibiting: JobDown mutes its zone's InstanceDown until it resolves."""
    routing = {
        "route": {"receiver": "r", "group_by": [], "group_wait": "1s", "group_interval": "1s"},
        "receivers": [{"name": "r"}],
        "inhibit_rules": [
            {
                "source_match": {"alertname": "JobDown"},
                "target_match": {"alertname": "InstanceDown"},
                "equal": ["job", "zone"],
            }
        ],
    }
    test1 = {"alertname": "test1", "job": "testjob", "zone": "aa"}
    down_aa = {"alertname": "InstanceDown", "job": "testjob", "zone": "aa"}
    down_ab = {"alertname": "InstanceDown", "job": "testjob", "zone": "ab"}
    job_aa = {"alertname": "JobDown", "job": "testjob", "zone": "aa"}
    feed = [
        (1.0, "fire", test1),
        (1.0, "fire", down_aa),
        (1.0, "fire", down_ab),
        (2.2, "fire", job_aa),
        (3.6, "resolve", job_aa),
    ]
    sent = run(routing, feed, until=4.5)
    assert sent == [
        (
            2.0,
            "first notification",
            ["InstanceDown/testjob/aa", "InstanceDown/testjob/ab", "test1/testjob/aa"],
            [],
        ),
        (
            3.0,
            "new alerts added",
            ["InstanceDown/testjob/ab", "JobDown/testjob/aa", "test1/testjob/aa"],
            [],
        ),
        (
            4.0,
            "new alerts added",
            ["InstanceDown/testjob/aa", "InstanceDown/testjob/ab", "test1/testjob/aa"],
            ["JobDown/testjob/aa"],
        ),
    ]


def test_silence_holds_back_until_it_expires() -> None:
    """A silence mutes the alert; the first tick after it expires notifies."""
    routing = {
        "route": {"receiver": "r", "group_wait": "1s", "group_interval": "2s"},
        "receivers": [{"name": "r"}],
    }
    silence = Silence(parse_matchers(['alertname="noisy"']), 0.0, 6.0)
    feed = [(1.0, "fire", {"alertname": "noisy"}), (1.0, "fire", {"alertname": "real"})]
    sent = run(routing, feed, until=12.0, silences=[silence])
    assert [(t, firing) for t, _, firing, _ in sent] == [(2.0, ["real"]), (8.0, ["noisy", "real"])]


def test_time_interval_mutes_a_route_at_night() -> None:
    """A route muted 00:00-06:00 UTC sends nothing then; the first tick after 06:00 does."""
    routing = {
        "route": {
            "receiver": "r",
            "group_wait": "30s",
            "group_interval": "5m",
            "mute_time_intervals": ["night"],
        },
        "receivers": [{"name": "r"}],
        "time_intervals": [
            {
                "name": "night",
                "time_intervals": [{"times": [{"start_time": "00:00", "end_time": "06:00"}]}],
            }
        ],
    }
    sent = run(routing, [(3600.0, "fire", {"alertname": "x"})], until=8 * 3600.0)
    assert [t for t, *_ in sent] == [3630.0 + 300.0 * 60]  # 06:00:30, the first tick after 06:00


def test_ingest_merges_resends_by_fingerprint() -> None:
    """Re-sends of a firing alert are deduplicated; a resolution resolves; it can fire again."""
    spec = Routing.model_validate(
        {"kind": "Routing", "version": 1, "route": {"receiver": "r"}, "receivers": [{"name": "r"}]}
    )
    env = simpy.Environment()
    log = EventLog()
    pipeline = AlertPipeline(
        Scheduler(env),
        spec,
        build_route_tree(spec.route),
        log,
        Clock(datetime(2026, 1, 5, tzinfo=UTC)),
        lambda note: None,
        lambda note: None,
        lambda a: {},
    )
    a = {"alertname": "Down", "job": "api"}
    outcomes = [
        pipeline.ingest(dict(a), 0.0),
        pipeline.ingest({"job": "api", "alertname": "Down"}, 0.0),  # same set, other order
        pipeline.ingest(dict(a), 0.0, 0.0),
        pipeline.ingest(dict(a), 0.0, 0.0),
        pipeline.ingest(dict(a), 0.0),
    ]
    assert outcomes == ["fired", "deduplicated", "resolved", "deduplicated", "fired"]
    assert pipeline.deduplicated == 2
    assert [r.kind for r in log] == ["AlertFired", "AlertResolved", "AlertFired"]


def test_resolved() -> None:
    """send_test.go TestResolved: alerts without endsAt resolve after resolve_timeout (10s);
    the flush ticks at 2, 7 (nothing new) and 12 send first and resolved notifications."""
    spec = Routing.model_validate(
        {
            "kind": "Routing",
            "version": 1,
            "route": {"receiver": "r", "group_by": [], "group_wait": "1s", "group_interval": "5s"},
            "receivers": [{"name": "r"}],
        }
    )
    env = simpy.Environment()
    sched = Scheduler(env)
    sent: list[tuple[float, str, int, int]] = []
    pipeline = AlertPipeline(
        sched,
        spec,
        build_route_tree(spec.route),
        EventLog(),
        Clock(datetime(2026, 1, 5, tzinfo=UTC)),
        lambda note: None,
        lambda note: sent.append((env.now, note.reason, len(note.firing), len(note.resolved))),
        lambda a: {},
    )
    for i in range(3):
        sched.at(1.0, pipeline.ingest, {"alertname": "test", "lbl": f"v{i}"}, 1.0, None, None, 10.0)
    env.run(until=20)
    assert sent == [(2.0, "first notification", 3, 0), (12.0, "all alerts resolved", 0, 3)]


def test_resolved_resends_rejoin_live_groups() -> None:
    """A re-sent resolved alert rejoins its live group (Alertmanager's dispatcher inserts
    every post): the next notification lists it as resolved again, and one that did not
    list it makes the re-send worth a notification of its own (DedupStage: resolved set
    not a subset of the last notification's). A destroyed group is not re-created.
    """
    routing = {
        "route": {"receiver": "r", "group_by": [], "group_wait": "1s", "group_interval": "1s"},
        "receivers": [{"name": "r"}],
        "send_resolved": True,
    }
    a, b, c = ({"alertname": name} for name in ("a", "b", "c"))
    feed = [
        (0.0, "fire", a),
        (0.0, "fire", b),
        (1.5, "resolve", b),  # flushed at 2: b resolved
        (2.5, "fire", c),  # flushed at 3: new alert, b not listed
        (3.5, "resend", b),  # flushed at 4: b is resolved news again
        (5.5, "resolve", a),
        (5.5, "resolve", c),  # flushed at 6: all resolved, the group is destroyed
        (6.5, "resend", c),  # no group to rejoin: nothing more is sent
    ]
    sent = run(routing, feed, until=12.0)
    assert sent == [
        (1.0, "first notification", ["a", "b"], []),
        (2.0, "some alerts resolved", ["a"], ["b"]),
        (3.0, "new alerts added", ["a", "c"], []),
        (4.0, "some alerts resolved", ["a", "c"], ["b"]),
        (6.0, "all alerts resolved", [], ["a", "c"]),
    ]


def test_resolved_resends_from_prometheus_rejoin_when_due() -> None:
    """The engine's own re-sends: a group that flushed a resolved alert gets it back at
    Prometheus's next re-send (every 2 s here, from the resolution at 1.5 s)."""
    routing = {
        "route": {"receiver": "r", "group_by": [], "group_wait": "1s", "group_interval": "1s"},
        "receivers": [{"name": "r"}],
        "send_resolved": True,
    }
    a, b, c = ({"alertname": name} for name in ("a", "b", "c"))
    feed = [
        (0.0, "fire", a),
        (0.0, "fire", b),
        (1.5, "resolve", b),  # flushed at 2; re-sent at 3.5, 5.5, ...
        (2.5, "fire", c),
        (5.5, "resolve", a),
        (5.5, "resolve", c),
    ]
    sent = run(routing, feed, until=12.0, resend_step=2.0)
    assert sent == [
        (1.0, "first notification", ["a", "b"], []),
        (2.0, "some alerts resolved", ["a"], ["b"]),
        (3.0, "new alerts added", ["a", "c"], []),
        (4.0, "some alerts resolved", ["a", "c"], ["b"]),  # b re-sent at 3.5
        (6.0, "all alerts resolved", [], ["a", "b", "c"]),  # b re-sent at 5.5
    ]
