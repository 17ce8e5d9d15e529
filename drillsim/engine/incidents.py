"""Incidents: one per notification group, with a lifecycle and a severity.

The desk turns notifications into incidents (opening, attaching alerts, auto-resolving
an unacknowledged incident when all its alerts resolved) and starts each incident's
escalation. Severity is the first matching rule of the scenario's matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import simpy

from drillsim.engine.monitors import AlertState
from drillsim.engine.pipeline import Notification
from drillsim.engine.world import World
from drillsim.events import (
    AlertsCorrelated,
    EventLog,
    IncidentMitigated,
    IncidentOpened,
    IncidentResolved,
)
from drillsim.spec.alerting import Routing
from drillsim.spec.scenario import Correlation, SeverityRule


@dataclass(slots=True)
class Incident:
    """A live incident: what it is about, who owns it, and its lifecycle events."""

    id: str
    group_key: str
    receiver: str
    policy: str
    opened_s: float
    severity: str
    acked: simpy.Event
    closed: simpy.Event
    mitigated_event: simpy.Event
    alerts: dict[str, AlertState] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    """Services its alerts are about, in first-seen order."""
    faults: list[str] = field(default_factory=list)
    """Faults behind its alerts (ground truth), in first-seen order."""
    owner: str | None = None
    was_hurt: bool = False
    received_s: list[float] = field(default_factory=list)
    """When notifications with firing alerts reached it (Grafana OnCall counts these as
    the alert group's alerts)."""
    alert_arrived: simpy.Event | None = None
    """Set by an escalation waiting for more alerts; succeeds at the next one."""
    answer_hook: Callable[[str], bool] | None = None
    """Set by an escalation whose policy has a say in who may acknowledge (see
    :meth:`answer_taken`)."""
    is_open: bool = field(default=True, init=False)
    """Not yet resolved. Cleared by :meth:`IncidentDesk.resolve` as it triggers
    ``closed``, the only place that does: a plain attribute, because processes ask
    about forty times per incident (a property read ``closed.triggered``, itself a
    property)."""

    def received(self, now_s: float) -> None:
        """Note that a notification with firing alerts reached the incident."""
        self.received_s.append(now_s)
        if self.alert_arrived is not None and not self.alert_arrived.triggered:
            self.alert_arrived.succeed()

    def answer_taken(self, person: str) -> bool:
        """Whether the escalation policy dealt with ``person``'s answer to a page itself.

        True when the answer must not make them the owner: they are no longer assigned
        (``ack_by: current-level``), they joined an acknowledged incident (multi-ack), or
        they acknowledged again the incident they own after it was re-triggered. The
        responder then carries on as if someone else had taken the page.
        """
        return self.answer_hook is not None and self.answer_hook(person)

    def attach(self, alerts: list[AlertState]) -> None:
        """Add (or refresh) alerts, keeping ``services`` and ``faults`` up to date."""
        for a in alerts:
            self.alerts[a.fingerprint] = a
            if a.service not in self.services:
                self.services.append(a.service)
            for f in a.faults:
                if f not in self.faults:
                    self.faults.append(f)

    @property
    def mitigated(self) -> bool:
        """Customer impact from its faults has stopped."""
        return bool(self.mitigated_event.triggered)


def severity_for(rules: list[SeverityRule], tier: int, error_rate: float) -> str:
    """First rule whose tier bound and error-rate floor the incident meets."""
    for rule in rules:
        if tier <= rule.max_tier and error_rate >= rule.min_error_rate:
            return rule.severity
    return rules[-1].severity if rules else "SEV4"


class IncidentDesk:
    """Opens, updates and auto-resolves incidents from notifications."""

    def __init__(
        self,
        env: simpy.Environment,
        world: World,
        routing: Routing,
        severity: list[SeverityRule],
        log: EventLog,
        escalate: Callable[[Incident], None],
        correlation: Correlation | None = None,
    ) -> None:
        self.env = env
        self.correlation = correlation
        self.world = world
        self.severity = severity
        self.log = log
        self.escalate = escalate
        self.policies = {r.name: r.escalation_policy for r in routing.receivers}
        self.by_group: dict[tuple[str, str], Incident] = {}
        self.opened = 0
        """Incidents opened so far (their ids count them). A closed incident is not kept:
        the log holds what happened to it, and a long drill would otherwise carry every
        incident, its SimPy events and alerts to the end, for the garbage collector to
        walk again at every full collection."""
        self._unresolved: dict[str, Incident] = {}
        for name in world.model.names:
            world.subscribe(name, self.on_health_change)

    def incident_for(self, note: Notification) -> str | None:
        """The incident a notification concerns: its group's open one, a correlated one,
        or the one it will open; None for a receiver that pages nobody (asked before
        ``deliver``, so the notification is logged before what it causes)."""
        if self.policies.get(note.receiver) is None:
            return None
        incident = self._existing(note) or (self._correlated(note) if note.firing else None)
        if incident is not None:
            return incident.id
        return self._next_id() if note.firing else None

    def deliver(self, note: Notification) -> None:
        """Act on a notification: open an incident, or update the one it belongs to."""
        policy = self.policies.get(note.receiver)
        if policy is None:
            return  # a receiver that pages nobody opens no incident
        key = (note.receiver, note.group_key)
        incident = self._existing(note)
        if incident is None and note.firing:
            incident = self._correlated(note)
            if incident is not None:
                self.by_group[key] = incident
                self.log.record(
                    AlertsCorrelated(
                        t=self.env.now,
                        incident=incident.id,
                        group_key=note.group_key,
                        services=tuple(dict.fromkeys(a.service for a in note.firing)),
                    )
                )
        if incident is not None:
            incident.attach(note.firing)
            if note.firing:
                incident.received(self.env.now)
            self._check_mitigated(incident)
            if note.reason == "all alerts resolved" and not incident.acked.triggered:
                self.resolve(incident, "alertmanager", "alerts resolved")
        elif note.firing:
            self._open(note, policy, key)

    def _existing(self, note: Notification) -> Incident | None:
        incident = self.by_group.get((note.receiver, note.group_key))
        return incident if incident is not None and incident.is_open else None

    def _correlated(self, note: Notification) -> Incident | None:
        """An open incident, opened within the window, that these alerts belong to: by
        topology (a service they depend on, or the same) or by time (same receiver)."""
        if self.correlation is None:
            return None
        affects = self.world.model.affects
        services = {a.service for a in note.firing}
        horizon = self.env.now - self.correlation.window
        by_time = self.correlation.by == "time"
        for incident in self.open_incidents:
            if incident.opened_s < horizon:
                continue
            if by_time and incident.receiver == note.receiver:
                return incident
            if not by_time and any(services & affects[s] for s in incident.services):
                return incident
        return None

    def _next_id(self) -> str:
        return f"inc-{self.opened + 1:04d}"

    def _open(self, note: Notification, policy: str, key: tuple[str, str]) -> Incident:
        now = self.env.now
        services = list(dict.fromkeys(a.service for a in note.firing))
        tier = min(self.world.topology.service(s).tier for s in services)
        worst = max(self.world.visible[s].error_rate for s in services)
        incident = Incident(
            id=self._next_id(),
            group_key=note.group_key,
            receiver=note.receiver,
            policy=policy,
            opened_s=now,
            severity=severity_for(self.severity, tier, worst),
            acked=self.env.event(),
            closed=self.env.event(),
            mitigated_event=self.env.event(),
        )
        incident.attach(note.firing)
        incident.received(now)
        self.opened += 1
        self._unresolved[incident.id] = incident
        self.by_group[key] = incident
        names = sorted({a.name for a in note.firing})
        title = f"{', '.join(names)} on {', '.join(services[:3])}" + (
            " ..." if len(services) > 3 else ""
        )
        self.log.record(
            IncidentOpened(
                t=now,
                incident=incident.id,
                group_key=note.group_key,
                receiver=note.receiver,
                policy=policy,
                severity=incident.severity,
                services=tuple(services),
                title=title,
            )
        )
        self.escalate(incident)
        self._check_mitigated(incident)
        return incident

    def hurt(self, incident: Incident) -> bool:
        """Any of its services impaired, or still affected by one of its faults."""
        impaired = self.world.impaired
        causes = self.world.causes
        behind = set(incident.faults)
        for s in incident.services:
            if impaired(s) or (behind and not behind.isdisjoint(causes[s])):
                return True
        return False

    def on_health_change(self, service: str) -> None:
        """Track mitigation of open incidents about this service (it can come undone).

        Runs at every visible health change; it reads the open incidents in place (no
        copy), which is safe because checking mitigation never opens or closes one.
        """
        for incident in self._unresolved.values():
            if service in incident.services:
                self._check_mitigated(incident)

    def _check_mitigated(self, incident: Incident) -> None:
        """Record the instant an incident's impact stops; re-arm it if impact returns.

        An incident made only of false positives that never hurt anything is never
        'mitigated': there was nothing to mitigate.
        """
        if not incident.is_open:
            return
        if self.hurt(incident):
            incident.was_hurt = True
            if incident.mitigated:
                incident.mitigated_event = self.env.event()
            return
        if incident.mitigated or not (incident.faults or incident.was_hurt):
            return
        by = self.world.last_actor
        self.log.record(IncidentMitigated(t=self.env.now, incident=incident.id, by=by))
        incident.mitigated_event.succeed()

    @property
    def open_incidents(self) -> list[Incident]:
        """Incidents not yet resolved, oldest first."""
        return list(self._unresolved.values())

    def resolve(self, incident: Incident, by: str, reason: str) -> None:
        """Close the incident (once)."""
        if not incident.is_open:
            return
        del self._unresolved[incident.id]
        incident.is_open = False
        self.log.record(
            IncidentResolved(t=self.env.now, incident=incident.id, by=by, reason=reason)
        )
        incident.closed.succeed()
