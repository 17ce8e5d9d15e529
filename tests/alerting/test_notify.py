"""The dedup-stage decision, against Alertmanager's needsUpdate and acceptance timelines."""

from __future__ import annotations

from drillsim.alerting.notify import NotifyEntry, needs_update


def entry(firing: set[str], resolved: set[str], at: float) -> NotifyEntry:
    """A notification-log entry written at ``at``."""
    return NotifyEntry(frozenset(firing), frozenset(resolved), at)


def test_no_entry_notifies_only_when_something_fires() -> None:
    """A new group notifies if it has a firing alert; a resolved-only group never does."""
    assert needs_update(None, {"a"}, set(), 60, 10, True) == "first notification"
    assert needs_update(None, set(), {"a"}, 60, 10, True) is None


def test_alert_resolved_within_group_wait_is_never_notified() -> None:
    """An alert that fires and resolves before the first flush produces no notification."""
    assert needs_update(None, set(), {"a"}, 3600, 30, send_resolved=True) is None


def test_new_firing_alert_is_added() -> None:
    """A firing alert missing from the last notification triggers "new alerts added"."""
    last = entry({"a"}, set(), 0)
    assert needs_update(last, {"a", "b"}, set(), 3600, 300, True) == "new alerts added"


def test_firing_again_after_all_resolved_is_a_first_notification() -> None:
    """After an all-resolved notification, a firing alert counts as a first one again."""
    last = entry(set(), {"a"}, 0)
    assert needs_update(last, {"a"}, set(), 3600, 300, True) == "first notification"


def test_all_resolved_notifies_even_without_send_resolved() -> None:
    """Everything resolved notifies regardless of send_resolved, to clear the log."""
    last = entry({"a", "b"}, set(), 0)
    assert needs_update(last, set(), {"a", "b"}, 3600, 300, False) == "all alerts resolved"
    assert needs_update(last, set(), {"a", "b"}, 3600, 300, True) == "all alerts resolved"


def test_nothing_firing_before_or_now_is_silent() -> None:
    """No firing alerts now and none in the last notification: nothing to say."""
    last = entry(set(), {"a"}, 0)
    assert needs_update(last, set(), {"a", "b"}, 3600, 300, True) is None


def test_some_resolved_depends_on_send_resolved() -> None:
    """A newly resolved alert notifies only when the integration sends resolved alerts."""
    last = entry({"a", "b"}, set(), 0)
    assert needs_update(last, {"a"}, {"b"}, 3600, 300, True) == "some alerts resolved"
    assert needs_update(last, {"a"}, {"b"}, 3600, 300, False) is None


def test_alerts_vanishing_without_resolving_do_not_notify() -> None:
    """A firing alert that disappears (e.g. became inhibited) is not news by itself."""
    last = entry({"a", "b"}, set(), 0)
    assert needs_update(last, {"a"}, set(), 3600, 300, True) is None


def test_repeat_comparison_is_strict() -> None:
    """Exactly repeat_interval after the last notification is not yet a repeat."""
    last = entry({"a"}, set(), 100)
    assert needs_update(last, {"a"}, set(), 60, 160, True) is None
    assert needs_update(last, {"a"}, set(), 60, 160.001, True) == "repeat interval elapsed"


def flush_sequence(
    ticks: list[float], firing_at: dict[float, set[str]], repeat_s: float
) -> list[tuple[float, str]]:
    """Run needs_update over flush ticks, logging each notification as nflog would."""
    last: NotifyEntry | None = None
    sent: list[tuple[float, str]] = []
    for t in ticks:
        firing = firing_at[t]
        reason = needs_update(last, firing, set(), repeat_s, t, True)
        if reason is not None:
            sent.append((t, reason))
            last = entry(firing, set(), t)
    return sent


def test_batching_timeline() -> None:
    """TestBatching (alertmanager test/with_api_v2/acceptance/send_test.go): gw 1s, gi 1s,
    ri 4.9s; alerts at 1.1 and 1.7, three more at 3.3; notifications ~2, ~4, repeat ~9."""
    ticks = [round(2.1 + k, 1) for k in range(9)]  # group created at 1.1, ticks every 1s
    firing_at = {t: {"a1", "a2"} if t < 3.3 else {"a1", "a2", "a3", "a4", "a5"} for t in ticks}
    assert flush_sequence(ticks, firing_at, 4.9) == [
        (2.1, "first notification"),
        (4.1, "new alerts added"),
        (9.1, "repeat interval elapsed"),
    ]


def test_repeat_interval_rounds_up_to_the_next_group_interval_tick() -> None:
    """With the defaults (5m ticks, 4h repeat) a quiet group re-notifies every 4h05m."""
    ticks = [30.0 + 300.0 * k for k in range(100)]
    sent = flush_sequence(ticks, {t: {"a"} for t in ticks}, 4 * 3600.0)
    assert [t - 30.0 for t, _ in sent[:3]] == [0.0, 4 * 3600.0 + 300.0, 2 * (4 * 3600.0 + 300.0)]
