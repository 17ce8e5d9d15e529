"""Responder agents: answer pages, then investigate, act from the runbook, verify, resolve.

A responder works on one incident at a time; pages that arrive while busy wait until
the current incident is done. How fast and how reliably a page is answered depends on
the responder's local clock (asleep: slower and more often missed).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from drillsim.engine import remediation
from drillsim.engine.clock import Clock
from drillsim.engine.incidents import Incident, IncidentDesk
from drillsim.engine.world import ActiveFault, World
from drillsim.events import (
    ActionCompleted,
    ActionStarted,
    EventLog,
    HypothesisFormed,
    PageAcknowledged,
    PageMissed,
    PageSent,
)
from drillsim.oncall.clock import is_asleep, is_off_hours
from drillsim.spec.oncall import Person
from drillsim.spec.scenario import Action, ActionSpec, ResponderDefaults

ProcessGenerator = simpy.events.ProcessGenerator
MAX_ATTEMPTS = 4
WATCH_INTERVAL_S = 900.0


@dataclass(slots=True)
class Responder:
    """One person's state during the drill."""

    person: Person
    busy_with: Incident | None = None
    waiting: list[Incident] = field(default_factory=list)
    resumed: int = 0


class ResponderPool:
    """Every responder, the pages they receive and the incidents they work."""

    def __init__(
        self,
        env: simpy.Environment,
        people: list[Person],
        defaults: ResponderDefaults,
        runbook: dict[Action, ActionSpec],
        world: World,
        desk: IncidentDesk,
        clock: Clock,
        log: EventLog,
        rng_for: Callable[[str], np.random.Generator],
    ) -> None:
        self.env = env
        self.defaults = defaults
        self.runbook = runbook
        self.world = world
        self.desk = desk
        self.clock = clock
        self.log = log
        self.rng_for = rng_for
        self.responders = {p.name: Responder(p) for p in people}

    # ----- pages ---------------------------------------------------------------------

    def page(self, name: str, incident: Incident, level: int, loop: int) -> None:
        """Deliver a page; the person answers after a latency, or misses it.

        Each page draws from its own stream (person, incident, loop, level), so how a
        person answers one page does not depend on which other pages they received:
        adding a responder changes nothing for the others on the same seed.
        """
        r = self.responders[name]
        rng = self.rng_for(f"page/{name}/{incident.id}/{loop}/{level}")
        at = self.clock.at(self.env.now)
        asleep = is_asleep(r.person, at)
        self.log.record(
            PageSent(
                t=self.env.now,
                incident=incident.id,
                person=name,
                level=level,
                loop=loop,
                off_hours=is_off_hours(r.person, at),
                asleep=asleep,
            )
        )
        prof, d = r.person.profile, self.defaults
        miss = (
            (prof.asleep_miss if prof.asleep_miss is not None else d.asleep_miss)
            if asleep
            else (prof.miss if prof.miss is not None else d.miss)
        )
        if rng.random() < miss:
            self.log.record(PageMissed(t=self.env.now, incident=incident.id, person=name))
            return
        latency = (prof.ack or d.ack).sample(rng)
        if asleep:
            latency *= prof.asleep_ack_factor or d.asleep_ack_factor
        self._ack_later(r, incident, latency)

    def _try_ack(self, r: Responder, incident: Incident) -> None:
        if not incident.is_open or incident.acked.triggered:
            if r.busy_with is None and r.waiting:
                self._next(r)  # someone else took it: move on to the next waiting page
            return
        if r.busy_with is not None:
            if incident not in r.waiting:
                r.waiting.append(incident)
            return
        self.log.record(
            PageAcknowledged(t=self.env.now, incident=incident.id, person=r.person.name)
        )
        incident.owner = r.person.name
        incident.acked.succeed(r.person.name)
        r.busy_with = incident
        self.env.process(self.work(r, incident))

    def _ack_later(self, r: Responder, incident: Incident, delay_s: float) -> None:
        self.env.timeout(delay_s).callbacks.append(lambda _e: self._try_ack(r, incident))

    def _next(self, r: Responder) -> None:
        r.busy_with = None
        while r.waiting:
            incident = r.waiting.pop(0)
            if incident.is_open and not incident.acked.triggered:
                r.resumed += 1
                rng = self.rng_for(f"resume/{r.person.name}/{r.resumed}")
                delay = (r.person.profile.ack or self.defaults.ack).sample(rng)
                self._ack_later(r, incident, delay)
                return

    # ----- work ----------------------------------------------------------------------

    def work(self, r: Responder, incident: Incident) -> ProcessGenerator:
        """Investigate, act until the incident's services are well, wrap up, resolve.

        Waits on: investigation (time-boxed), actions, verification and watching, each cut
        short when the incident is mitigated or closed; then the wrap-up.
        Records: HypothesisFormed, ActionStarted/Completed, IncidentResolved.
        Ends: when the incident is resolved (by this responder, or by another path).
        """
        d, name = self.defaults, r.person.name
        rng = self.rng_for(f"work/{incident.id}")
        skilled = any(s in r.person.skills for s in incident.services)
        slow = 1.0 if skilled else d.unskilled_factor
        investigate = r.person.profile.investigate or d.investigate

        def think(factor: float = 1.0) -> simpy.Event:
            spent = min(investigate.sample(rng) * slow * factor, d.investigation_timebox)
            return self.env.timeout(spent) | incident.mitigated_event | incident.closed

        yield think()
        if not incident.faults and not self.desk.hurt(incident):
            self.desk.resolve(incident, name, "no action needed")
            self._next(r)
            return
        attempts = 0
        while incident.is_open:
            while incident.is_open and self.desk.hurt(incident):
                fault = self._root_fault(incident)
                if fault is None or attempts >= MAX_ATTEMPTS:
                    watch = self.env.timeout(WATCH_INTERVAL_S)
                    yield watch | incident.mitigated_event | incident.closed
                    continue
                correct = yield from self._act(rng, name, incident, fault, attempts, skilled)
                attempts += 1
                verified = self.env.timeout(d.verify.sample(rng))
                yield verified | incident.mitigated_event | incident.closed
                if not correct:
                    yield think(0.5)
            yield self.env.timeout(d.wrap_up.sample(rng)) | incident.closed
            if not self.desk.hurt(incident):
                break  # still well after the wrap-up: done
        self.desk.resolve(incident, name, "fixed")
        self._next(r)

    def _act(
        self,
        rng: np.random.Generator,
        name: str,
        incident: Incident,
        fault: ActiveFault,
        attempt: int,
        skilled: bool,
    ) -> Generator[simpy.Event, object, bool]:
        """Form a hypothesis and carry out its runbook action; returns whether it was right."""
        service, action, correct = self._hypothesis(rng, incident, fault, attempt, skilled)
        now, inc = self.env.now, incident.id
        self.log.record(
            HypothesisFormed(t=now, incident=inc, person=name, service=service, correct=correct)
        )
        duration, success = remediation.action_plan(self.world, action, service, self.runbook, rng)
        self.log.record(
            ActionStarted(t=now, incident=inc, person=name, action=action, service=service)
        )
        target = fault if correct else None
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
        return correct

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
        rng: np.random.Generator,
        incident: Incident,
        fault: ActiveFault,
        attempt: int,
        skilled: bool,
    ) -> tuple[str, str, bool]:
        """Pick a suspect: the root cause, or (misled by symptom alerts) a symptom service."""
        d = self.defaults
        roots = set(fault.services)
        alerts = list(incident.alerts.values())
        symptom = [a.service for a in alerts if a.service not in roots]
        share = len(symptom) / len(alerts) if alerts else 0.0
        p_wrong = (d.wrong_base + d.wrong_per_symptom_share * share) * (1.0 if skilled else 1.5)
        p_wrong = min(0.9, p_wrong) * 0.5**attempt
        if symptom and rng.random() < p_wrong:
            suspect = sorted(set(symptom))[int(rng.integers(len(set(symptom))))]
            return suspect, "restart", False
        if fault.zone is not None or fault.region is not None:
            where = "/".join(fault.zone) if fault.zone else str(fault.region)
            return where, fault.spec.remedy_action, True
        impaired = [s for s in fault.services if self.world.impaired(s)]
        return (impaired or list(fault.services))[0], fault.spec.remedy_action, True
