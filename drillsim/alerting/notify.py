"""When a group flush actually notifies: Alertmanager's dedup-stage decision.

Every ``group_interval`` tick flushes the group, but a receiver only hears about it when
the notification log says something changed or the repeat interval has passed
(``notify/dedup_stage.go`` ``needsUpdate``). Getting this exactly right is what makes a
simulated storm as quiet, or as noisy, as the real one.
"""

from __future__ import annotations

from collections.abc import Hashable, Set
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "ALL_ALERTS_RESOLVED",
    "FIRST_NOTIFICATION",
    "NEW_ALERTS_ADDED",
    "REPEAT_INTERVAL_ELAPSED",
    "SOME_ALERTS_RESOLVED",
    "NotifyEntry",
    "NotifyReason",
    "needs_update",
]

NotifyReason = Literal[
    "first notification",
    "new alerts added",
    "some alerts resolved",
    "all alerts resolved",
    "repeat interval elapsed",
]
"""The webhook ``notification_reason`` values (``notify.NotifyReason.String``)."""

FIRST_NOTIFICATION: Final = "first notification"
NEW_ALERTS_ADDED: Final = "new alerts added"
SOME_ALERTS_RESOLVED: Final = "some alerts resolved"
ALL_ALERTS_RESOLVED: Final = "all alerts resolved"
REPEAT_INTERVAL_ELAPSED: Final = "repeat interval elapsed"


@dataclass(frozen=True, slots=True)
class NotifyEntry:
    """The last notification-log entry for one (group key, receiver integration).

    Attributes:
        firing: identities of the alerts that were firing in that notification.
        resolved: identities of the alerts that were resolved in it.
        timestamp_s: when it was logged (Alertmanager logs the time *after* sending).
    """

    firing: frozenset[Hashable]
    resolved: frozenset[Hashable]
    timestamp_s: float


def needs_update(
    entry: NotifyEntry | None,
    firing: Set[Hashable],
    resolved: Set[Hashable],
    repeat_s: float,
    now_s: float,
    send_resolved: bool,
) -> NotifyReason | None:
    """Whether a flush notifies, and why (``DedupStage.needsUpdate``).

    Checked in Alertmanager's order: no previous entry (notify only if something
    fires); a firing alert not in the last notification (a "first" one again if the
    last notification had nothing firing); nothing firing any more (notify once, even
    with ``send_resolved`` off, so the log forgets the firing alerts); newly resolved
    alerts when ``send_resolved``; finally the repeat interval, compared strictly, so a
    repeat due exactly at a tick waits for the next tick.

    Args:
        entry: the last log entry for this group and integration, or None.
        firing: identities of the group's firing alerts at this flush.
        resolved: identities of its resolved alerts at this flush.
        repeat_s: the route's ``repeat_interval``.
        now_s: the flush time.
        send_resolved: the integration's ``send_resolved`` setting.

    Returns:
        The ``notification_reason`` string, or None when nothing is sent.
    """
    if entry is None:
        return FIRST_NOTIFICATION if firing else None
    if not firing <= entry.firing:
        return NEW_ALERTS_ADDED if entry.firing else FIRST_NOTIFICATION
    if not firing:
        return ALL_ALERTS_RESOLVED if entry.firing else None
    if send_resolved and not resolved <= entry.resolved:
        return SOME_ALERTS_RESOLVED
    if entry.timestamp_s < now_s - repeat_s:
        return REPEAT_INTERVAL_ELAPSED
    return None
