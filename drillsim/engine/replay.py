"""Replay a recorded alert history through a routing configuration.

"What would our new routing have done to last month's alerts?": every alert update is fed
to the pipeline at its own time (firing at ``startsAt``, resolved at ``endsAt``), on a
simulation clock that starts at the first one, and the notifications are counted per
receiver and per group.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import simpy

from drillsim.alerting.routing import build_route_tree
from drillsim.engine.clock import Clock
from drillsim.engine.pipeline import AlertPipeline, Notification
from drillsim.engine.scheduler import Scheduler
from drillsim.events import EventLog
from drillsim.spec.alerting import Routing


class AlertUpdate(Protocol):
    """What the replay needs of a normalised alert (``drillsim.io.normalise``)."""

    @property
    def labels(self) -> Mapping[str, str]: ...  # pragma: no cover

    @property
    def annotations(self) -> Mapping[str, str]: ...  # pragma: no cover

    @property
    def starts_at(self) -> datetime: ...  # pragma: no cover

    @property
    def ends_at(self) -> datetime | None: ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """Counts of what the configuration did with the history."""

    alerts: int
    updates: int
    deduplicated: int
    by_receiver: dict[str, dict[str, Any]]
    by_group: dict[str, dict[str, Any]]
    first: str
    last: str
    records: tuple[dict[str, Any], ...] = ()
    """The replay's own event log (alerts fired, resolved, muted; notifications)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {
            "alerts": self.alerts,
            "updates": self.updates,
            "deduplicated": self.deduplicated,
            "first": self.first,
            "last": self.last,
            "by_receiver": self.by_receiver,
            "by_group": self.by_group,
        }


def replay(
    updates: Iterable[AlertUpdate], routing: Routing, paging: frozenset[str]
) -> ReplayReport:
    """Feed every update at its time; count notifications, pages, mutes, the busiest hour."""
    timeline: list[tuple[datetime, int, AlertUpdate, bool]] = []
    for n, u in enumerate(updates):
        timeline.append((u.starts_at, n, u, False))
        if u.ends_at is not None:
            timeline.append((u.ends_at, n, u, True))
    if not timeline:
        return ReplayReport(0, 0, 0, {}, {}, "", "")
    timeline.sort(key=lambda item: (item[0], item[1], item[3]))
    start = timeline[0][0]
    clock = Clock(start)
    env = simpy.Environment()
    sched = Scheduler(env)
    log = EventLog()
    notes: list[tuple[float, Notification]] = []
    pipeline = AlertPipeline(
        sched,
        routing,
        build_route_tree(routing.route),
        log,
        clock,
        lambda note: None,
        lambda note: notes.append((env.now, note)),
        lambda a: {},
    )
    for moment, _n, u, is_end in timeline:
        at = clock.offset(moment)
        starts = clock.offset(u.starts_at)
        ends = at if is_end else None
        sched.at(at, pipeline.ingest, dict(u.labels), starts, ends, dict(u.annotations))
    last = clock.offset(timeline[-1][0])
    env.run(until=last + _drain(routing))
    return _report(notes, log, pipeline, paging, clock, len(timeline), start, timeline[-1][0])


def _drain(routing: Routing) -> float:
    """Long enough after the last update for every group to flush what it holds."""
    wait = routing.route.group_wait or 30.0
    step = routing.route.group_interval or 300.0
    return wait + 2 * step + 1.0


def _report(
    notes: list[tuple[float, Notification]],
    log: EventLog,
    pipeline: AlertPipeline,
    paging: frozenset[str],
    clock: Clock,
    updates: int,
    first: datetime,
    last: datetime,
) -> ReplayReport:
    muted: dict[str, Counter[str]] = defaultdict(Counter)
    group_receiver = {g.key: g.route.receiver for g in pipeline.groups.values()}
    for _t, note in notes:
        group_receiver[note.group_key] = note.receiver
    for r in log:
        if r.kind == "AlertMuted":
            muted[r.group_key][r.reason] += 1  # type: ignore[attr-defined]
    by_receiver: dict[str, dict[str, Any]] = {}
    by_group: dict[str, dict[str, Any]] = {}
    hours: dict[str, Counter[datetime]] = defaultdict(Counter)
    for t, note in notes:
        rec = by_receiver.setdefault(
            note.receiver,
            {"notifications": 0, "pages": 0, "inhibited": 0, "silenced": 0, "groups": set()},
        )
        rec["notifications"] += 1
        rec["pages"] += int(note.receiver in paging and bool(note.firing))
        rec["groups"].add(note.group_key)
        grp = by_group.setdefault(
            note.group_key, {"receiver": note.receiver, "notifications": 0, "alerts": set()}
        )
        grp["notifications"] += 1
        grp["alerts"].update(a.fingerprint for a in note.firing)
        hours[note.receiver][clock.at(t).replace(minute=0, second=0, microsecond=0)] += 1
    for key, reasons in muted.items():
        receiver = group_receiver.get(key)
        if receiver is None:
            continue
        rec = by_receiver.setdefault(
            receiver,
            {"notifications": 0, "pages": 0, "inhibited": 0, "silenced": 0, "groups": set()},
        )
        rec["inhibited"] += reasons["inhibited"]
        rec["silenced"] += reasons["silenced"]
    for name, rec in by_receiver.items():
        rec["groups"] = len(rec["groups"])
        busiest = max(hours[name].items(), key=lambda kv: (kv[1], -kv[0].timestamp()), default=None)
        rec["busiest_hour"] = (
            None
            if busiest is None
            else {"start": busiest[0].isoformat(), "notifications": busiest[1]}
        )
    for grp in by_group.values():
        grp["alerts"] = len(grp["alerts"])
    return ReplayReport(
        alerts=pipeline.alerts_seen,
        updates=updates,
        deduplicated=pipeline.deduplicated,
        by_receiver=dict(sorted(by_receiver.items())),
        by_group=dict(sorted(by_group.items())),
        first=first.isoformat(),
        last=last.isoformat(),
        records=tuple(log.as_dicts()),
    )
