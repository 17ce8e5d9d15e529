"""Prometheus's sends to Alertmanager: the closed forms against a literal replay of its loop.

The oracle steps a rule's evaluations one by one and applies ``rules/alerting.go`` as
written: Eval's state machine (pending, firing, resolved, deleted after the 15-minute
retention or replaced by a new pending alert), then ``needsSending`` for every alert in
the active set. The closed forms in :mod:`drillsim.alerting.resend` must give the same
send times for every condition sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.alerting.resend import (
    RESOLVED_RETENTION_S,
    firing_sends,
    next_resend,
    resend_step,
    resolved_resends,
)


@dataclass
class _PromAlert:
    state: str  # pending | firing | inactive
    active_at: float
    fired_at: float = 0.0
    resolved_at: float | None = None
    last_sent_at: float = float("-inf")


def prometheus_sends(
    conditions: list[bool], eval_s: float, for_s: float, resend_s: float
) -> list[tuple[float, str]]:
    """(time, state) of every send of one label set's alert, evaluation by evaluation."""
    alert: _PromAlert | None = None
    sends = []
    for i, cond in enumerate(conditions):
        ts = i * eval_s
        if cond:
            if alert is None or alert.state == "inactive":
                alert = _PromAlert("pending", ts)  # replaces a resolved one
            if alert.state == "pending" and ts - alert.active_at >= for_s:
                alert.state, alert.fired_at = "firing", ts
        elif alert is not None:
            assert alert.resolved_at is None or alert.state == "inactive"
            if alert.state == "pending" or (
                alert.resolved_at is not None and ts - alert.resolved_at > RESOLVED_RETENTION_S
            ):
                alert = None
            elif alert.state != "inactive":
                alert.state, alert.resolved_at = "inactive", ts
        if alert is None or alert.state == "pending":
            continue
        resolved_since_sent = alert.resolved_at is not None and (
            alert.resolved_at > alert.last_sent_at
        )
        if resolved_since_sent or alert.last_sent_at + resend_s < ts:
            alert.last_sent_at = ts
            sends.append((ts, alert.state))
    return sends


def closed_form_sends(
    conditions: list[bool], eval_s: float, for_s: float, resend_s: float
) -> list[tuple[float, str]]:
    """The same sends from drillsim's closed forms, given when alerts fire and resolve."""
    step = resend_step(eval_s, resend_s)
    end = len(conditions) * eval_s
    sends: list[tuple[float, str]] = []
    pending_since = fired = None
    for i, cond in enumerate([*conditions, False]):
        ts = i * eval_s
        if cond and pending_since is None and fired is None:
            pending_since = ts
            # A new pending alert ends the re-sends of a resolved one.
            sends = [(t, s) for t, s in sends if not (s == "inactive" and t >= ts)]
        if cond and fired is None and ts - pending_since >= for_s:
            fired = ts
        if not cond:
            if fired is not None:
                count = firing_sends(fired, ts, step)
                sends += [(fired + k * step, "firing") for k in range(count)]
                if ts < end:
                    sends.append((ts, "inactive"))
                    t: float | None = ts
                    while (t := next_resend(ts, step, t)) is not None:
                        sends.append((t, "inactive"))
                    # the count up to any instant agrees with the times
                    mid = ts + 400.0
                    count = sum(1 for t2, s in sends if s == "inactive" and ts < t2 < mid)
                    assert resolved_resends(ts, step, mid) == count
            pending_since = fired = None
    return sorted((t, s) for t, s in sends if t < end)


@pytest.mark.parametrize(
    ("eval_s", "resend_s", "step"),
    [(60, 60, 120), (30, 60, 90), (15, 60, 75), (120, 60, 120), (60, 0, 60), (20, 60, 80)],
)
def test_resend_step_is_the_first_evaluation_strictly_after_the_delay(
    eval_s: float, resend_s: float, step: float
) -> None:
    """With Prometheus's defaults (1m, 1m) a firing alert is re-sent every two minutes."""
    assert resend_step(eval_s, resend_s) == step


def test_a_resolved_alert_is_resent_for_fifteen_minutes() -> None:
    """Defaults: the resolution, then re-sends 2, 4, ... 14 minutes later (7 of them)."""
    assert resolved_resends(0.0, 120.0, 10_000.0) == 7
    assert next_resend(0.0, 120.0, 0.0) == 120.0
    assert next_resend(0.0, 120.0, 120.0) == 240.0
    assert next_resend(0.0, 120.0, 839.0) == 840.0
    assert next_resend(0.0, 120.0, 840.0) is None
    # at 15 minutes the alert is still kept (deleted only when *more* than 15m old) but
    # not due: its last send was 1 minute earlier, exactly the delay, not more.
    sends = prometheus_sends([True] * 3 + [False] * 20, 60.0, 0.0, 60.0)
    assert [t for t, s in sends if s == "inactive"] == [180.0 + 120.0 * k for k in range(8)]


def test_firing_sends_count_from_the_firing_evaluation() -> None:
    """Fired at 0 and resolved at 600 with a 120 s step: sends at 0, 120, ... 480."""
    assert firing_sends(0.0, 600.0, 120.0) == 5
    assert firing_sends(0.0, 601.0, 120.0) == 6
    assert firing_sends(10.0, 10.0, 120.0) == 0


@settings(max_examples=300, deadline=None)
@given(
    conditions=st.lists(st.booleans(), min_size=1, max_size=80),
    eval_s=st.sampled_from([15.0, 20.0, 30.0, 60.0, 120.0]),
    for_evals=st.integers(min_value=0, max_value=3),
    resend_s=st.sampled_from([0.0, 30.0, 60.0, 90.0, 120.0]),
)
def test_closed_forms_equal_prometheus_loop(
    conditions: list[bool], eval_s: float, for_evals: int, resend_s: float
) -> None:
    """Every send time and state equals a literal replay of Prometheus's evaluation loop."""
    for_s = for_evals * eval_s
    assert closed_form_sends(conditions, eval_s, for_s, resend_s) == prometheus_sends(
        conditions, eval_s, for_s, resend_s
    )
