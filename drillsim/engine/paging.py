"""Escalation: page each level's targets until someone acknowledges.

One process per incident. The pure parts (the unrolled ladder, who a level pages at an
instant) live in :mod:`drillsim.oncall`.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from drillsim.engine.clock import Clock
from drillsim.engine.incidents import Incident
from drillsim.events import EscalationExhausted, EscalationTimedOut, EventLog
from drillsim.oncall.escalation import escalation_steps, resolve_targets
from drillsim.spec.oncall import OnCall

ProcessGenerator = simpy.events.ProcessGenerator


def run_escalation(
    env: simpy.Environment,
    incident: Incident,
    oncall: OnCall,
    clock: Clock,
    log: EventLog,
    page: Callable[[str, Incident, int, int], None],
) -> ProcessGenerator:
    """Page the policy's levels in order, looping, until the incident is acknowledged.

    Waits on: the incident's ``acked`` or ``closed`` event, or the level's delay.
    Records: EscalationTimedOut per unanswered level, EscalationExhausted at the end.
    Ends: on acknowledgement, on resolution, or when every loop has passed.
    """
    policy = next(p for p in oncall.escalation_policies if p.name == incident.policy)
    for step in escalation_steps(policy):
        people = resolve_targets(step.rule, clock.at(env.now), oncall)
        for person in people:
            page(person, incident, step.level, step.loop)
        if not people:
            continue  # nobody on call at this level: skip it, as PagerDuty does
        yield incident.acked | incident.closed | env.timeout(step.delay_s)
        if incident.acked.triggered or not incident.is_open:
            return
        log.record(
            EscalationTimedOut(t=env.now, incident=incident.id, level=step.level, loop=step.loop)
        )
    if incident.is_open and not incident.acked.triggered:
        log.record(EscalationExhausted(t=env.now, incident=incident.id))
