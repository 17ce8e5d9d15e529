"""Escalation: the SimPy process that carries out an incident's escalation policy.

One process per incident. Every decision (who is paged, how long to wait, when a level
timed out, when the incident re-triggers or auto-resolves) is made by the pure state
machine :class:`drillsim.oncall.machine.Escalation`; this process only pages, waits
and writes the records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import simpy

from drillsim.engine.clock import Clock
from drillsim.engine.incidents import Incident
from drillsim.events import (
    EscalationExhausted,
    EscalationPaused,
    EscalationTimedOut,
    EventLog,
    IncidentDeclared,
    IncidentRetriggered,
    IncidentUrgencySet,
    PageAcknowledged,
    ResponderJoined,
)
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
from drillsim.oncall.program import Program, compile_policy
from drillsim.oncall.urgency import incident_urgency
from drillsim.spec.durations import format_duration
from drillsim.spec.escalation import EscalationPolicy
from drillsim.spec.oncall import OnCall

ProcessGenerator = simpy.events.ProcessGenerator
Resolver = Callable[[Incident, str, str], None]


class PolicyBook:
    """The on-call document's escalation policies by name, each compiled once per drill
    (:func:`compile_policy` is pure and its :class:`Program` immutable; an incident
    used to search the list and compile its policy again)."""

    def __init__(self, oncall: OnCall) -> None:
        self.oncall = oncall
        self._by_name = {p.name: p for p in reversed(oncall.escalation_policies)}
        self._programs: dict[str, Program] = {}

    def get(self, name: str | None) -> tuple[EscalationPolicy, Program]:
        """The policy called ``name`` and its program."""
        policy = self._by_name[name]  # type: ignore[index]
        program = self._programs.get(policy.name)
        if program is None:
            program = self._programs[policy.name] = compile_policy(policy)
        return policy, program


def run_escalation(
    env: simpy.Environment,
    incident: Incident,
    policies: PolicyBook,
    clock: Clock,
    log: EventLog,
    page: Callable[[tuple[str, ...], Incident, int, int], None],
    resolve: Resolver | None = None,
    rotations: RoundRobin | None = None,
) -> ProcessGenerator:
    """Carry out the incident's escalation policy until there is nothing left to do.

    Waits on: the incident's ``acked`` or ``closed`` event, a level's delay, a condition
    step's window or the next alert, and the ack-timeout and auto-resolve deadlines.
    Records: EscalationTimedOut per unanswered level, EscalationExhausted at the end of
    the last pass, and, for policies that use them, IncidentUrgencySet, EscalationPaused,
    IncidentRetriggered, ResponderJoined, IncidentDeclared (resolutions through
    ``resolve``).
    Ends: when the incident closes, or when it is acknowledged (or every pass is done)
    and no deadline remains.
    """
    policy, program = policies.get(incident.policy)
    urgency = "high"
    if policy.urgency is not None:
        urgency, why = incident_urgency(policy.urgency, _severity(incident), clock.at(env.now))
        log.record(IncidentUrgencySet(t=env.now, incident=incident.id, urgency=urgency, reason=why))
    oncall = policies.oncall
    machine = Escalation(program, oncall, clock.start, incident.opened_s, urgency, rotations)
    if program.screens_answers:
        incident.answer_hook = partial(_screen, env, incident, log, machine)
    while True:
        decision = machine.next(_observe(env, incident))
        if isinstance(decision, Page):
            page(decision.people, incident, decision.level, decision.loop)
        elif isinstance(decision, Await):
            yield _wake_on(env, incident, decision)
        elif isinstance(decision, Done):
            return
        else:
            _carry_out(env, incident, log, decision, resolve)


def _observe(env: simpy.Environment, incident: Incident) -> Observation:
    return Observation(
        now_s=env.now,
        acked=bool(incident.acked.triggered),
        closed=not incident.is_open,
        owner=incident.owner,
        alerts_s=incident.received_s,
    )


def _wake_on(env: simpy.Environment, incident: Incident, wait: Await) -> simpy.Event:
    """The event an Await waits for (composed as ``acked | closed | timeout``, the order
    the engine has always used, so logs of existing policies stay byte-identical)."""
    event: simpy.Event = incident.acked | incident.closed if wait.on_ack else incident.closed
    if wait.timeout_s is not None:
        event = event | env.timeout(wait.timeout_s)
    if wait.on_alerts:
        incident.alert_arrived = env.event()
        event = event | incident.alert_arrived
    return event


def _carry_out(
    env: simpy.Environment,
    incident: Incident,
    log: EventLog,
    decision: Decision,
    resolve: Resolver | None,
) -> None:
    """Record a decision, or act on the incident as it says."""
    now, inc = env.now, incident.id
    if isinstance(decision, TimedOut):
        log.record(
            EscalationTimedOut(t=now, incident=inc, level=decision.level, loop=decision.loop)
        )
    elif isinstance(decision, Exhausted):
        log.record(EscalationExhausted(t=now, incident=inc))
    elif isinstance(decision, Paused):
        log.record(
            EscalationPaused(
                t=now,
                incident=inc,
                level=decision.level,
                reason=decision.reason,
                until=decision.until_s,
            )
        )
    elif isinstance(decision, Retrigger):
        log.record(
            IncidentRetriggered(
                t=now, incident=inc, person=decision.person, ack_timeout_s=decision.after_s
            )
        )
        incident.acked = env.event()
    elif isinstance(decision, DeclareIncident):
        log.record(
            IncidentDeclared(t=now, incident=inc, severity=decision.severity or incident.severity)
        )
    elif resolve is not None and isinstance(decision, AutoResolve):
        resolve(incident, "auto-resolve", f"open for {format_duration(decision.after_s)}")
    elif resolve is not None and isinstance(decision, ResolveIncident):
        resolve(incident, "escalation", "resolve step")


def _screen(
    env: simpy.Environment, incident: Incident, log: EventLog, machine: Escalation, person: str
) -> bool:
    """The policy's say on an answer to a page (see :meth:`Incident.answer_taken`)."""
    if not incident.is_open:
        return False
    if incident.acked.triggered:
        if machine.joins(person):
            log.record(ResponderJoined(t=env.now, incident=incident.id, person=person))
            return True
        return False
    if incident.owner is not None:
        # Re-triggered while its owner still works on it: an answer acknowledges again
        # (the owner's, or anyone's who may) and the owner carries on; nobody starts over.
        if person == incident.owner or machine.may_ack(person):
            log.record(PageAcknowledged(t=env.now, incident=incident.id, person=person))
            incident.acked.succeed(person)
        return True
    return not machine.may_ack(person)


def _severity(incident: Incident) -> str | None:
    """The ``severity`` label all the incident's alerts share (Alertmanager's
    CommonLabels.severity, what a PagerDuty receiver sends), or None."""
    values = {a.labels.get("severity") for a in incident.alerts.values()}
    return values.pop() if len(values) == 1 else None
