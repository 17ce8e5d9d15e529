"""The alert pipeline: route alerts, aggregate them into groups, decide notifications.

Alertmanager's dispatcher in event form. Each aggregation group is a record with one
pending timer (group_wait, then a fixed group_interval cadence); a flush asks the pure
``needs_update`` whether the receiver must hear about it. Routing and the notify
decision are pure functions in :mod:`drillsim.alerting`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from drillsim.alerting.inhibit import Inhibitor, InhibitRule
from drillsim.alerting.labels import fingerprint
from drillsim.alerting.notify import NotifyEntry, needs_update
from drillsim.alerting.resend import next_resend
from drillsim.alerting.routing import RouteNode, group_key, match_routes
from drillsim.alerting.silences import Silence, silenced
from drillsim.alerting.timeintervals import NamedIntervals, muted_by_intervals
from drillsim.engine.clock import Clock
from drillsim.engine.monitors import AlertState
from drillsim.engine.scheduler import Scheduler
from drillsim.events import AlertFired, AlertMuted, AlertResolved, EventLog, NotificationSent
from drillsim.spec.alerting import Routing

Routes = tuple[tuple[RouteNode, str], ...]
"""The routes an alert is dispatched to, each with the key of its aggregation group."""


def routes_for(root: RouteNode, labels: dict[str, str]) -> Routes:
    """Where an alert with these labels goes: every matching route and its group key."""
    return tuple((route, group_key(route, labels)) for route in match_routes(root, labels))


def known_routes(
    root: RouteNode, alerts: Iterable[tuple[str, dict[str, str]]]
) -> dict[str, Routes]:
    """The routes of alerts known before the run, by fingerprint (a drill's own alert
    series): a pure function of the route tree and the labels, so computed once per
    drill and copied into each replication's pipeline."""
    return {fp: routes_for(root, labels) for fp, labels in alerts}


@dataclass(slots=True)
class Notification:
    """What a receiver is told by one flush."""

    receiver: str
    group_key: str
    reason: str
    firing: list[AlertState]
    resolved: list[AlertState]


@dataclass(slots=True)
class AggregationGroup:
    """Alerts that share a route and group labels, notified together."""

    key: str
    route: RouteNode
    alerts: dict[str, AlertState] = field(default_factory=dict)
    entry: NotifyEntry | None = None
    first_flush_s: float | None = None
    last_flush_s: float = -math.inf
    next_flush_s: float = math.inf
    timer: int = 0
    muted: dict[str, str] = field(default_factory=dict)
    """Fingerprint -> why it was left out of the last flush (inhibited, silenced ...)."""


class AlertPipeline:
    """Receives alert state changes and emits notifications to ``deliver``."""

    def __init__(
        self,
        sched: Scheduler,
        routing: Routing,
        root: RouteNode,
        log: EventLog,
        clock: Clock,
        incident_for: Callable[[Notification], str | None],
        deliver: Callable[[Notification], None],
        annotate: Callable[[AlertState], dict[str, str]],
        silences: list[Silence] | None = None,
        resent_at: Callable[[AlertState, float], bool] = lambda alert, t_s: False,
        routes: Mapping[str, Routes] | None = None,
    ) -> None:
        self.sched = sched
        self.root = root
        self.send_resolved = routing.send_resolved
        self.inhibitor = Inhibitor(
            InhibitRule.from_config(r.model_dump(exclude_none=True)) for r in routing.inhibit_rules
        )
        self.intervals = NamedIntervals.from_config(
            [t.model_dump() for t in routing.time_intervals]
        )
        self.silences = list(silences or [])
        # Idle groups may sleep until their next possible notification only when nothing
        # but a new or resolved alert of their own can change what they would send.
        self._can_sleep = not (routing.inhibit_rules or self.silences or routing.time_intervals)
        self._may_mute_alerts = bool(routing.inhibit_rules or self.silences)
        """Whether an inhibit rule or a silence could mute an alert (else only a route's
        time intervals can mute a flush)."""
        self.log = log
        self.clock = clock
        self.incident_for = incident_for
        self.deliver = deliver
        self.annotate = annotate
        self.resent_at = resent_at
        self.groups: dict[str, AggregationGroup] = {}
        self._store: dict[str, AlertState] = {}
        self._fingerprints: dict[frozenset[tuple[str, str]], str] = {}
        self.deduplicated = 0
        """Re-sends merged into an alert already firing (or already resolved)."""
        self._routes: dict[str, Routes] = dict(routes or {})
        """Each fingerprint's routes: given for the drill's own series (see
        :func:`known_routes`), worked out on first sight for any other alert."""

    @property
    def alerts_seen(self) -> int:
        """Distinct alerts (fingerprints) received through :meth:`ingest`."""
        return len(self._store)

    def ingest(
        self,
        labels: dict[str, str],
        starts_at_s: float,
        ends_at_s: float | None = None,
        annotations: dict[str, str] | None = None,
        resolve_timeout_s: float | None = None,
    ) -> str:
        """An alert as Alertmanager's API receives it, re-sends included.

        Merged by fingerprint as Alertmanager's alert store does: a re-send of a firing
        alert is deduplicated (counted; a later end time replaces the earlier one); a
        resolved one resolves it; anything else starts a new firing. An end time in the
        future resolves the alert then, unless a re-send moves it; without one, the alert
        ends ``resolve_timeout_s`` after it was received (Alertmanager's resolve_timeout),
        or never when that is None. Returns "fired", "resolved" or "deduplicated".
        """
        now_s = self.sched.env.now
        if ends_at_s is None and resolve_timeout_s is not None:
            ends_at_s = now_s + resolve_timeout_s
        key = frozenset(labels.items())  # a label set, order-free: cheap to hash
        fp = self._fingerprints.get(key)
        if fp is None:
            fp = self._fingerprints[key] = fingerprint(labels)
        now = self.sched.env.now
        resolved = ends_at_s is not None and ends_at_s <= now
        current = self._store.get(fp)
        if current is not None and (current.ends_at_s is None or current.ends_at_s > now):
            if not resolved:
                self.deduplicated += 1
                if ends_at_s is not None:
                    self._expire_at(current, ends_at_s)
                return "deduplicated"
            current.ends_at_s = ends_at_s
            self.receive(current, False)
            return "resolved"
        if resolved:
            if current is not None:
                self.resend(current)
            else:
                self.deduplicated += 1
            return "deduplicated"
        alert = AlertState(
            None, labels.get("service", ""), dict(labels), fp, starts_at_s, annotations=annotations
        )
        self._store[fp] = alert
        self.receive(alert, True)
        if ends_at_s is not None:
            self._expire_at(alert, ends_at_s)
        return "fired"

    def _expire_at(self, alert: AlertState, ends_at_s: float) -> None:
        """Resolve the alert at its end time, unless a re-send moves that time."""
        alert.expires_at_s = ends_at_s
        self.sched.at(ends_at_s, self._expire, alert, ends_at_s)

    def _expire(self, alert: AlertState, ends_at_s: float) -> None:
        if alert.expires_at_s == ends_at_s and alert.ends_at_s is None:
            alert.ends_at_s = ends_at_s
            self.receive(alert, False)

    def resend(self, alert: AlertState) -> None:
        """A resolved alert posted again (Prometheus does for 15 minutes): deduplicated,
        and back in every live group of its own (see :meth:`_rejoin`)."""
        self.deduplicated += 1
        for _route, key in self._routes.get(alert.fingerprint, ()):
            group = self.groups.get(key)
            if group is not None:
                self._rejoin(group, alert)

    def _rejoin(self, group: AggregationGroup, alert: AlertState) -> None:
        """A re-sent resolved alert joins its group again.

        Alertmanager's dispatcher inserts every post into the alert's groups, so a live
        group that already flushed the resolution holds it again: its next notification
        lists it as resolved once more, and is sent if the last one did not list it. A
        destroyed group would be created anew and flush nothing (a resolved-only group is
        never notified), so it is not made.
        """
        if self.groups.get(group.key) is not group or alert.fingerprint in group.alerts:
            return
        group.alerts[alert.fingerprint] = alert
        if group.first_flush_s is not None:
            self._wake(group, self.sched.env.now)

    def _rejoin_if_resent(self, group: AggregationGroup, alert: AlertState) -> None:
        if self.resent_at(alert, self.sched.env.now):
            self._rejoin(group, alert)

    def _await_resend(self, group: AggregationGroup, alert: AlertState, now: float) -> None:
        """The group flushed a resolved alert that Prometheus may re-send: meet the next
        re-send, the only one that can change the group (re-sends it already holds it for
        change nothing). A re-send at the instant of a flush is taken to precede it."""
        assert alert.ends_at_s is not None
        t = next_resend(alert.ends_at_s, alert.resend_step_s, now)
        if t is not None and t < alert.resend_before_s:
            self.sched.at(t, self._rejoin_if_resent, group, alert)

    def receive(self, alert: AlertState, firing: bool) -> None:
        """An alert started firing (``firing``) or resolved: record it, route it, group it."""
        now = self.sched.env.now
        if firing:
            self.log.record(
                AlertFired(
                    t=now,
                    alert=alert.name,
                    fingerprint=alert.fingerprint,
                    labels=alert.labels,
                    annotations=self.annotate(alert),
                    starts_at=self.clock.iso(alert.starts_at_s),
                    faults=alert.faults,
                    false_positive=alert.false_positive,
                )
            )
        else:
            assert alert.ends_at_s is not None
            self.log.record(
                AlertResolved(
                    t=now,
                    alert=alert.name,
                    fingerprint=alert.fingerprint,
                    ends_at=self.clock.iso(alert.ends_at_s),
                )
            )
        self.inhibitor.observe(alert.fingerprint, alert.labels, None if firing else alert.ends_at_s)
        routes = self._routes.get(alert.fingerprint)
        if routes is None:
            routes = self._routes[alert.fingerprint] = routes_for(self.root, alert.labels)
        for route, key in routes:
            group = self.groups.get(key)
            if group is None:
                if not firing:
                    continue  # its group was already flushed and destroyed
                group = self.groups[key] = AggregationGroup(key, route)
                wait = route.group_wait_s
                if alert.starts_at_s + wait < now:
                    wait = 0.0  # old enough for an immediate flush
                self._set_timer(group, now + wait)
            elif group.first_flush_s is not None:
                self._wake(group, now)
            group.alerts[alert.fingerprint] = alert

    def _set_timer(self, group: AggregationGroup, t_s: float) -> None:
        group.timer += 1
        group.next_flush_s = t_s
        self.sched.at(t_s, self._flush, group, group.timer)

    def _wake(self, group: AggregationGroup, now: float) -> None:
        """Something changed: flush at the group's next tick (its cadence never moves)."""
        assert group.first_flush_s is not None
        step = group.route.group_interval_s
        tick = group.first_flush_s + math.ceil((now - group.first_flush_s) / step) * step
        if tick <= group.last_flush_s or tick == now:
            tick += step  # a tick at this very instant was already due before this alert
        if tick < group.next_flush_s:
            self._set_timer(group, tick)

    def _sleep(self, group: AggregationGroup, now: float) -> None:
        """Nothing can change until the repeat interval passes or an alert arrives.

        Alertmanager ticks every group_interval; a tick that sees no change sends
        nothing, so the timer skips straight to the first tick that could repeat.
        """
        assert group.first_flush_s is not None and group.entry is not None
        step = group.route.group_interval_s
        due = group.entry.timestamp_s + group.route.repeat_interval_s
        tick = group.first_flush_s + (math.floor((due - group.first_flush_s) / step) + 1) * step
        while tick <= now:
            tick += step
        self._set_timer(group, tick)

    def _notify(
        self,
        group: AggregationGroup,
        reason: str,
        firing: list[AlertState],
        resolved: list[AlertState],
    ) -> None:
        """Send one notification: log it, then let the receiver act on it."""
        note = Notification(
            group.route.receiver,
            group.key,
            reason,
            sorted(firing, key=lambda a: a.fingerprint),
            sorted(resolved, key=lambda a: a.fingerprint),
        )
        self.log.record(
            NotificationSent(
                t=self.sched.env.now,
                receiver=note.receiver,
                group_key=group.key,
                reason=reason,
                firing=tuple(a.fingerprint for a in note.firing),
                resolved=tuple(a.fingerprint for a in note.resolved),
                incident=self.incident_for(note),
            )
        )
        self.deliver(note)

    def _flush(self, group: AggregationGroup, timer: int) -> None:
        """Flush on the group's timer, then re-arm it or destroy an emptied group."""
        now = self.sched.env.now
        if self.groups.get(group.key) is not group or timer != group.timer:
            return  # a destroyed group, or a timer superseded by an earlier wake-up
        if group.first_flush_s is None:
            group.first_flush_s = now
        group.last_flush_s = now
        group.next_flush_s = math.inf
        firing: list[AlertState] = []
        resolved: list[AlertState] = []
        all_resolved: list[AlertState] = []
        muted = self._muted(group, now)
        for a in group.alerts.values():
            is_resolved = a.ends_at_s is not None and a.ends_at_s <= now
            if is_resolved:
                all_resolved.append(a)
            if a.fingerprint in muted:
                continue  # Alertmanager's mute stages drop it from this flush
            (resolved if is_resolved else firing).append(a)
        if firing or resolved:  # an emptied batch stops the pipeline: nothing is logged
            firing_fps = frozenset(a.fingerprint for a in firing)
            resolved_fps = frozenset(a.fingerprint for a in resolved)
            reason = needs_update(
                group.entry,
                firing_fps,
                resolved_fps,
                group.route.repeat_interval_s,
                now,
                self.send_resolved,
            )
            if reason is not None:
                group.entry = NotifyEntry(firing_fps, resolved_fps, now)
                if firing or self.send_resolved:  # resolved-only without send_resolved: unsent
                    self._notify(group, reason, firing, resolved if self.send_resolved else [])
        for a in all_resolved:
            group.alerts.pop(a.fingerprint, None)
        if not group.alerts:
            del self.groups[group.key]
            return
        for a in all_resolved:
            if a.resend_step_s > 0:
                self._await_resend(group, a, now)
        if self._can_sleep and group.entry is not None:
            self._sleep(group, now)
        else:
            self._set_timer(group, now + group.route.group_interval_s)

    def _muted(self, group: AggregationGroup, now: float) -> dict[str, str]:
        """Alerts of the group left out of this flush, and why (recorded when it starts)."""
        muted: dict[str, str] = {}
        route = group.route
        if route.mute_time_intervals or route.active_time_intervals:
            at = self.clock.at(now)
            if muted_by_intervals(
                route.mute_time_intervals, route.active_time_intervals, self.intervals, at
            ):
                muted = dict.fromkeys(group.alerts, "time-interval")
        if not muted and self._may_mute_alerts:
            for fp, a in group.alerts.items():
                if self.inhibitor.mutes(a.labels, now):
                    muted[fp] = "inhibited"
                elif self.silences and silenced(self.silences, a.labels, now):
                    muted[fp] = "silenced"
        for fp, why in muted.items():
            if group.muted.get(fp) != why:
                self.log.record(AlertMuted(t=now, fingerprint=fp, group_key=group.key, reason=why))
        group.muted = muted
        return muted
