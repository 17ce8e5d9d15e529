"""The owner's work on an incident: investigate, act from the runbook, verify, resolve.

The work can change hands: at a shift change, or when a vendor may not carry out the
action the incident needs. It only changes hands between steps (a running action is
finished first), and the newcomer catches up (context loss) instead of investigating
from scratch; the count of hypotheses tried goes with the incident.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import simpy

from drillsim.engine import remediation
from drillsim.engine.incidents import Incident, IncidentDesk
from drillsim.engine.world import ActiveFault, World
from drillsim.events import (
    ActionCompleted,
    ActionNotAllowed,
    ActionStarted,
    EventLog,
    HypothesisFormed,
)
from drillsim.spec.scenario import Action, ActionSpec, ResponderDefaults

if TYPE_CHECKING:
    from drillsim.engine.responders import Responder

ProcessGenerator = simpy.events.ProcessGenerator
MAX_ATTEMPTS = 4
WATCH_INTERVAL_S = 900.0


@dataclass(slots=True)
class Job:
    """One owner's spell of work on an incident."""

    incident: Incident
    handoff: simpy.Event
    """Triggered when the owner must pass the incident on (see ``reason``)."""
    schedules: tuple[str, ...] = ()
    """Schedules the owner answers for: their shift ending hands the incident over."""
    attempts: int = 0
    context_loss_s: float = 0.0
    part: int = 0
    """0 for the first owner, then 1, 2 ... after each hand-off (names its stream)."""
    successor: str | None = None
    reason: str = ""
    blocked: set[str] = field(default_factory=set)
    """Actions this owner may not carry out (a vendor's contract)."""


class Worker:
    """Runs the owners' work processes; the pool decides who owns what."""

    def __init__(
        self,
        env: simpy.Environment,
        defaults: ResponderDefaults,
        runbook: dict[Action, ActionSpec],
        world: World,
        desk: IncidentDesk,
        log: EventLog,
        rng_for: Callable[[str], np.random.Generator],
        factors: Callable[[Responder], tuple[float, float]],
        release: Callable[[Responder], None],
        hand_over: Callable[[Responder, Job], bool],
    ) -> None:
        self.env = env
        self.defaults = defaults
        self.runbook = runbook
        self.world = world
        self.desk = desk
        self.log = log
        self.rng_for = rng_for
        self.factors = factors
        self.release = release
        self.hand_over = hand_over

    def work(self, r: Responder, job: Job) -> ProcessGenerator:
        """Investigate (or catch up), act until the incident's services are well, wrap up,
        resolve.

        Waits on: investigation (time-boxed) or context loss, actions, verification and
        watching, each cut short when the incident is mitigated or closed, or when the
        owner must hand it over; then the wrap-up.
        Records: HypothesisFormed, ActionNotAllowed, ActionStarted/Completed,
        IncidentResolved (and, through the pool, IncidentHandedOff).
        Ends: when the incident is resolved (by this owner or another path), or handed over.
        """
        d, name, incident = self.defaults, r.person.name, job.incident
        suffix = f"/{job.part}" if job.part else ""
        rng = self.rng_for(f"work/{incident.id}{suffix}")
        skilled = any(s in r.person.skills for s in incident.services)
        slow = 1.0 if skilled else d.unskilled_factor
        investigate = r.person.profile.investigate or d.investigate

        def think(factor: float = 1.0) -> simpy.Event:
            tired = self.factors(r)[0]
            spent = min(investigate.sample(rng) * slow * factor * tired, d.investigation_timebox)
            done = self.env.timeout(spent)
            return done | incident.mitigated_event | incident.closed | job.handoff

        if job.context_loss_s > 0:
            yield self.env.timeout(job.context_loss_s) | incident.closed | job.handoff
        else:
            yield think()
        if job.handoff.triggered and self.hand_over(r, job):
            return
        if not incident.faults and not self.desk.hurt(incident):
            self.desk.resolve(incident, name, "no action needed")
            self.release(r)
            return
        while incident.is_open:
            while incident.is_open and self.desk.hurt(incident):
                fault = self._root_fault(incident)
                storms = [] if fault is not None else self.world.storms_behind(incident.services)
                if (fault is None and not storms) or job.attempts >= MAX_ATTEMPTS:
                    watch = self.env.timeout(WATCH_INTERVAL_S)
                    yield watch | incident.mitigated_event | incident.closed | job.handoff
                    if job.handoff.triggered and self.hand_over(r, job):
                        return
                    continue
                if fault is not None:
                    service, action, correct = self._hypothesis(r, rng, job, fault, skilled)
                else:  # a retry storm that outlived its trigger: shed its load
                    service, action, correct = storms[0], "shed-load", True
                self.log.record(
                    HypothesisFormed(
                        t=self.env.now,
                        incident=incident.id,
                        person=name,
                        service=service,
                        correct=correct,
                    )
                )
                if action in job.blocked:
                    self.log.record(
                        ActionNotAllowed(
                            t=self.env.now,
                            incident=incident.id,
                            person=name,
                            action=action,
                            service=service,
                        )
                    )
                    job.reason = "not-allowed"
                    if self.hand_over(r, job):
                        return
                    job.attempts = MAX_ATTEMPTS  # nobody to pass it to: watch from now on
                    continue
                target = fault if correct else None
                yield from self._act(rng, name, incident, service, action, target)
                job.attempts += 1
                verified = self.env.timeout(d.verify.sample(rng))
                yield verified | incident.mitigated_event | incident.closed | job.handoff
                if job.handoff.triggered and self.hand_over(r, job):
                    return
                if not correct:
                    yield think(0.5)
                    if job.handoff.triggered and self.hand_over(r, job):
                        return
            yield self.env.timeout(d.wrap_up.sample(rng)) | incident.closed | job.handoff
            if job.handoff.triggered and incident.is_open and self.hand_over(r, job):
                return
            if not self.desk.hurt(incident):
                break  # still well after the wrap-up: done
        self.desk.resolve(incident, name, "fixed")
        self.release(r)

    def _act(
        self,
        rng: np.random.Generator,
        name: str,
        incident: Incident,
        service: str,
        action: str,
        target: ActiveFault | None,
    ) -> Generator[simpy.Event, object, None]:
        """Carry out a runbook action on ``service`` (``target`` is the fault it ends when
        the hypothesis was right); never cut short, so the world stays consistent."""
        now, inc = self.env.now, incident.id
        duration, success = remediation.action_plan(self.world, action, service, self.runbook, rng)
        self.log.record(
            ActionStarted(t=now, incident=inc, person=name, action=action, service=service)
        )
        switching = remediation.begin(self.world, action, service, target)
        yield self.env.timeout(duration)
        effective = remediation.complete(
            self.world, action, service, success, name, target, switching
        )
        self.log.record(
            ActionCompleted(
                t=self.env.now,
                incident=inc,
                person=name,
                action=action,
                service=service,
                success=success,
                effective=effective,
            )
        )

    def _root_fault(self, incident: Incident) -> ActiveFault | None:
        """The earliest active fault behind the incident's alerts, else behind the present
        state of its services (what a responder finds by looking at them)."""
        active = self.world.active
        found = [active[f] for f in incident.faults if f in active]
        if not found:
            behind = {f for s in incident.services for f in self.world.causes[s]}
            found = [active[f] for f in sorted(behind) if f in active]
        return min(found, key=lambda f: (f.started_s, f.id)) if found else None

    def _hypothesis(
        self,
        r: Responder,
        rng: np.random.Generator,
        job: Job,
        fault: ActiveFault,
        skilled: bool,
    ) -> tuple[str, str, bool]:
        """Pick a suspect: the root cause, or (misled by symptom alerts, more often when
        tired) a symptom service."""
        d, incident = self.defaults, job.incident
        roots = set(fault.services)
        alerts = list(incident.alerts.values())
        symptom = [a.service for a in alerts if a.service not in roots]
        share = len(symptom) / len(alerts) if alerts else 0.0
        p_wrong = (d.wrong_base + d.wrong_per_symptom_share * share) * (1.0 if skilled else 1.5)
        p_wrong *= self.factors(r)[1]
        p_wrong = min(0.9, p_wrong) * 0.5**job.attempts
        if symptom and rng.random() < p_wrong:
            suspect = sorted(set(symptom))[int(rng.integers(len(set(symptom))))]
            return suspect, "restart", False
        if fault.zone is not None or fault.region is not None:
            where = "/".join(fault.zone) if fault.zone else str(fault.region)
            return where, fault.spec.remedy_action, True
        impaired = [s for s in fault.services if self.world.impaired(s)]
        return (impaired or list(fault.services))[0], fault.spec.remedy_action, True
