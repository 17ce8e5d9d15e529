"""Responder agents: reached through notification rules, answer pages, own incidents.

A page reaches a person who is present (not on vacation, off sick or on leave: their
pages go to the fallback pool) through their notification rules, one channel after the
other until someone acknowledges. How fast and how reliably they answer depends on what
they are doing by their own local clock (asleep, commuting, in a meeting) and on how
tired they are. A responder works on one incident at a time: later pages wait their
turn, and a primary who already holds incidents brings in the fallback pool. An owner
whose on-call shift ends hands the incident to the next person on call. The work itself
is :mod:`drillsim.engine.work`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import simpy

from drillsim.engine.clock import Clock
from drillsim.engine.contacts import Contact, first_noticed, plan_contacts
from drillsim.engine.incidents import Incident, IncidentDesk
from drillsim.engine.roles import RoleDesk
from drillsim.engine.staffing import Staffing
from drillsim.engine.work import Job, Worker
from drillsim.engine.workload import Workload
from drillsim.engine.world import World
from drillsim.events import (
    EventLog,
    FatigueAssessed,
    IncidentHandedOff,
    PageAcknowledged,
    PageDeclined,
    PageMissed,
    PageNotificationSent,
    PageQueued,
    PageRedirected,
    PageSent,
)
from drillsim.oncall.availability import fatigue_factors, state_on_clock
from drillsim.oncall.clock import local_time, off_hours_on_clock
from drillsim.spec.distributions import Distribution, Uniform
from drillsim.spec.oncall import OnCall, Person
from drillsim.spec.scenario import Action, ActionSpec, ResponderDefaults

_LOOKAHEAD_S = 35 * 86400.0
"""How far ahead an owner's shift end is looked for at once (then looked for again)."""


@dataclass(slots=True)
class Responder:
    """One person's state during the drill."""

    person: Person
    workload: Workload
    busy_with: Incident | None = None
    job: Job | None = None
    waiting: list[Incident] = field(default_factory=list)
    """Incidents whose page they answered while busy, oldest first."""
    handed: list[Job] = field(default_factory=list)
    """Incidents handed to them while busy; taken before waiting pages."""
    schedules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per incident waiting (and only those): the schedules through which they were
    paged for it."""
    resumed: int = 0

    @property
    def holds(self) -> int:
        """Incidents this person works on or has waiting."""
        return (self.busy_with is not None) + len(self.waiting) + len(self.handed)

    def is_waiting(self, incident: Incident) -> bool:
        """Whether ``incident`` is among ``waiting``.

        Looked up by id in ``schedules``, which holds an entry for exactly the waiting
        incidents: ``incident in waiting`` would compare incidents field by field (a
        dataclass ``__eq__``) with every one queued, on every page to a busy person.
        Incident ids are unique, so both answer the same.
        """
        return incident.id in self.schedules


class ResponderPool:
    """Every responder, the pages they receive and the incidents they work."""

    def __init__(
        self,
        env: simpy.Environment,
        oncall: OnCall,
        defaults: ResponderDefaults,
        runbook: dict[Action, ActionSpec],
        world: World,
        desk: IncidentDesk,
        clock: Clock,
        log: EventLog,
        rng_for: Callable[[str], np.random.Generator],
        horizon_s: float = math.inf,
    ) -> None:
        self.env = env
        self.horizon_s = horizon_s
        """Shift ends are looked for no further than the drill's end."""
        self.oncall = oncall
        self.defaults = defaults
        self.clock = clock
        self.log = log
        self.rng_for = rng_for
        window = defaults.fatigue.window
        self.responders = {p.name: Responder(p, Workload(window)) for p in oncall.people}
        self.staff = Staffing(
            {p.name: p for p in oncall.people},
            {s.name: s for s in oncall.schedules},
            defaults.sick_rate,
            defaults.fallback,
            rng_for,
        )
        self.roles = RoleDesk(
            defaults.roles,
            log,
            self.staff.on_call,
            lambda n, at: self.staff.away_reason(n, at) is None,
            lambda n: self.responders[n].busy_with is not None,
        )
        self.worker = Worker(
            env,
            defaults,
            runbook,
            world,
            desk,
            log,
            rng_for,
            self.factors,
            self._release,
            self._hand_over,
        )
        self.policies = {p.name: p for p in oncall.escalation_policies}
        self._policy_schedules: dict[str, tuple[str, ...]] = {}
        self._brought_in: dict[tuple[str, int, int], set[str]] = {}
        """Pool members paged for each (incident, loop, level)."""
        self._responses: dict[tuple[str, str], tuple[float, float, Distribution]] = {}
        """:meth:`_response` by person and state, worked out at the first page."""
        self._walls_now = math.nan
        self._walls: dict[str, datetime] = {}
        """Wall-clock times at ``_walls_now``, by time zone (see :meth:`_wall_clock`)."""

    def _wall_clock(self, now: float, tz: str) -> datetime:
        """``local_time(clock.at(now), tz)``, converted once per instant and time zone:
        the people a level pages at one instant mostly share a zone. Exact: the result
        depends on nothing but the instant and the zone, and is forgotten when the
        instant changes."""
        if now != self._walls_now:
            self._walls_now, self._walls = now, {}
        local = self._walls.get(tz)
        if local is None:
            local = self._walls[tz] = local_time(self.clock.at(now), tz)
        return local

    # ----- pages ---------------------------------------------------------------------

    def page_level(
        self, people: tuple[str, ...], incident: Incident, level: int, loop: int
    ) -> None:
        """Page everyone an escalation level names, at once.

        The fallback pool brings in only people the level does not page itself: a person
        the level names who is also the pool's pick for an absent colleague would
        otherwise be paged twice for one level, and the pool would add nobody.
        """
        for name in people:
            self.page(name, incident, level, loop, people)

    def page(
        self,
        name: str,
        incident: Incident,
        level: int,
        loop: int,
        level_people: tuple[str, ...] = (),
    ) -> None:
        """Page ``name`` for an incident at an escalation level (whose other targets,
        ``level_people``, the fallback pool does not bring in again).

        A person who is away is not paged: the page goes to the fallback pool. A person
        who already holds ``overwhelmed_at`` incidents is paged, and so is the pool.
        Each page draws from its own stream (person, incident, loop, level), so how a
        person answers one page does not depend on which other pages they received:
        adding a responder changes nothing for the others on the same seed.
        """
        at = self.clock.at(self.env.now)
        fallback = self.defaults.fallback
        away = self.staff.away_reason(name, at)
        if away is not None:
            use_pool = fallback is not None and fallback.when_away
            self._redirect(name, incident, level, loop, away, level_people, use_pool)
            return
        r = self.responders[name]
        overwhelmed = fallback is not None and fallback.when_overwhelmed
        overwhelmed = overwhelmed and r.holds >= fallback.overwhelmed_at  # type: ignore[union-attr]
        stream = f"page/{name}/{incident.id}/{loop}/{level}"
        schedules = self._shift_schedules(name, incident, at)
        self._deliver(r, incident, level, loop, stream, schedules)
        if overwhelmed:
            self._redirect(name, incident, level, loop, "overwhelmed", level_people)

    def _redirect(
        self,
        name: str,
        incident: Incident,
        level: int,
        loop: int,
        why: str,
        level_people: tuple[str, ...],
        use_pool: bool = True,
    ) -> None:
        """Record that ``name``'s page goes (also) to the fallback pool, and page the pool
        member picked; with ``use_pool`` off the record says it went to nobody.

        Several pages of one level can come to the pool at once (two people of the level
        away, or two overwhelmed): each brings in a member neither paged by the level
        itself (``level_people``) nor brought in for it already, while there is one.
        When every present member already is, the page goes to one of them again
        without paging them twice (a person targeted twice by one escalation level is
        notified once).
        """
        at = self.clock.at(self.env.now)
        load = lambda n: self.responders[n].holds  # noqa: E731
        pool = self.staff.pool(at) if use_pool else []
        brought = self._brought_in.setdefault((incident.id, loop, level), set())
        to = self.staff.pick(pool, at, load, exclude={name, *level_people} | brought)
        shown = to
        if to is None:  # everyone present is paged already: tell, do not page
            shown = self.staff.pick(pool, at, load, exclude={name})
        self.log.record(
            PageRedirected(t=self.env.now, incident=incident.id, person=name, to=shown, reason=why)
        )
        if to is not None:
            brought.add(to)
            stream = f"fallback/{to}/{incident.id}/{loop}/{level}"
            schedules = tuple(
                s
                for s in (self.defaults.fallback.schedules if self.defaults.fallback else [])
                if to in self.staff.on_call(s, at)
            )
            self._deliver(self.responders[to], incident, level, loop, stream, schedules)

    def _shift_schedules(self, name: str, incident: Incident, at: datetime) -> tuple[str, ...]:
        """The schedules of the incident's policy on which ``name`` is on call now: their
        shift there ending is what hands the incident over."""
        if not self.defaults.handoff.enabled or incident.policy not in self.policies:
            return ()
        if incident.policy not in self._policy_schedules:
            policy = self.policies[incident.policy]
            targets = [t for rule in policy.rules for t in rule.targets]
            for step in getattr(policy, "steps", ()):  # chains of steps name ``notify``
                targets += list(getattr(step, "notify", None) or ())
            named = dict.fromkeys(t.schedule for t in targets if t.schedule is not None)
            self._policy_schedules[incident.policy] = tuple(named)
        return tuple(
            s for s in self._policy_schedules[incident.policy] if name in self.staff.on_call(s, at)
        )

    def factors(self, r: Responder) -> tuple[float, float]:
        """Response-time and error multipliers from the person's recent load (none for a
        vendor: a staffed desk takes turns)."""
        if r.person.vendor is not None or not self.defaults.fatigue.enabled:
            return 1.0, 1.0  # (what fatigue_factors says when disabled, without the load)
        now = self.env.now
        w = r.workload
        return fatigue_factors(self.defaults.fatigue, w.shift_hours(now), w.pages_within(now))

    def _deliver(
        self,
        r: Responder,
        incident: Incident,
        level: int,
        loop: int,
        stream: str,
        schedules: tuple[str, ...],
    ) -> None:
        """Send a page's notifications and decide, now, whether and when it is answered."""
        person, d, now = r.person, self.defaults, self.env.now
        local = self._wall_clock(now, person.tz)  # for both the state and off hours
        state = state_on_clock(person, local)
        w = r.workload
        shift_hours, pages_24h = w.shift_hours(now), w.pages_within(now)
        if person.vendor is not None:
            ack_factor, error_factor = 1.0, 1.0
        else:
            ack_factor, error_factor = fatigue_factors(d.fatigue, shift_hours, pages_24h)
        self.log.record(
            PageSent(
                t=now,
                incident=incident.id,
                person=person.name,
                level=level,
                loop=loop,
                off_hours=off_hours_on_clock(person, local),
                asleep=state == "asleep",
            )
        )
        self.log.record(
            FatigueAssessed(
                t=now,
                incident=incident.id,
                person=person.name,
                state=state,
                pages_24h=pages_24h,
                shift_hours=shift_hours,
                ack_factor=ack_factor,
                error_factor=error_factor,
            )
        )
        w.paged(now)
        rng = self.rng_for(stream)
        miss, slow, ack = self._response(r, state)
        unreachable = rng.random() < min(1.0, miss * error_factor)
        rules = person.notify or d.notify
        contacts = plan_contacts(rules, d.channels, state == "asleep", rng)  # type: ignore[arg-type]
        latency = ack.sample(rng) * slow * ack_factor
        answered = None if unreachable else first_noticed(contacts)
        if answered is None:
            self.log.record(PageMissed(t=now, incident=incident.id, person=person.name))
        self._send_contacts(incident, person.name, contacts, now, 0)
        if answered is not None:
            self._ack_later(r, incident, answered.delivered_s + latency, schedules)

    def _ack_later(
        self, r: Responder, incident: Incident, delay_s: float, schedules: tuple[str, ...]
    ) -> None:
        self.env.timeout(delay_s).callbacks.append(lambda _e: self._try_ack(r, incident, schedules))

    def _response(self, r: Responder, state: str) -> tuple[float, float, Distribution]:
        """(miss chance, latency factor, ack distribution) for the person's state.

        Remembered per person and state: it reads only the person's and the scenario's
        settings, which are immutable models, so the first answer is every answer.
        """
        key = (r.person.name, state)
        found = self._responses.get(key)
        if found is None:
            found = self._responses[key] = self._work_out_response(r, state)
        return found

    def _work_out_response(self, r: Responder, state: str) -> tuple[float, float, Distribution]:
        """What :meth:`_response` remembers."""
        prof, d = r.person.profile, self.defaults
        if r.person.vendor is not None:
            miss = prof.miss if prof.miss is not None else 0.0
            return miss, 1.0, prof.ack or Uniform(0.0, r.person.vendor.response)
        if state == "awake":
            miss, slow = (prof.miss if prof.miss is not None else d.miss), 1.0
        else:
            key = {"asleep": "asleep", "commuting": "commute", "meeting": "meeting"}[state]
            own_miss = getattr(prof, f"{key}_miss")
            own_slow = getattr(prof, f"{key}_ack_factor")
            miss = own_miss if own_miss is not None else getattr(d, f"{key}_miss")
            slow = own_slow or getattr(d, f"{key}_ack_factor")
        return miss, slow, prof.ack or d.ack

    def _send_contacts(
        self,
        incident: Incident,
        name: str,
        contacts: list[Contact],
        paged_s: float,
        i: int,
        due: bool = False,
    ) -> None:
        """Send notification ``i`` of a page made at ``paged_s`` if the incident is still
        open and unacknowledged, then wait for the next one: a chain, so a page answered
        early schedules nothing more. ``due`` marks a call from its own timer (float
        arithmetic may leave ``env.now`` a hair short of the exact instant)."""
        wait = paged_s + contacts[i].sent_s - self.env.now
        if wait > 0 and not due:
            self.env.timeout(wait).callbacks.append(
                lambda _e: self._send_contacts(incident, name, contacts, paged_s, i, True)
            )
            return
        if not incident.is_open or incident.acked.triggered:
            return
        self.log.record(
            PageNotificationSent(
                t=self.env.now,
                incident=incident.id,
                person=name,
                channel=contacts[i].channel,
                delivered_s=paged_s + contacts[i].delivered_s,
            )
        )
        if i + 1 < len(contacts):
            self._send_contacts(incident, name, contacts, paged_s, i + 1)

    # ----- acknowledgement and queueing ------------------------------------------------

    def _try_ack(self, r: Responder, incident: Incident, schedules: tuple[str, ...]) -> None:
        if incident.answer_taken(r.person.name) or not incident.is_open or incident.acked.triggered:
            if r.busy_with is None and (r.waiting or r.handed):
                self._next(r)  # someone else took it: move on to the next waiting page
            return
        if r.busy_with is not None:
            if not r.is_waiting(incident):
                if self._declines(r, incident):
                    return
                r.waiting.append(incident)
                r.schedules[incident.id] = schedules
                self.log.record(
                    PageQueued(
                        t=self.env.now,
                        incident=incident.id,
                        person=r.person.name,
                        queued=len(r.waiting),
                    )
                )
            return
        name = r.person.name
        self.log.record(PageAcknowledged(t=self.env.now, incident=incident.id, person=name))
        incident.owner = name
        incident.acked.succeed(name)
        self.roles.assign(incident, name, self.env.now, self.clock.at(self.env.now))
        self._start(r, Job(incident, self.env.event(), schedules))

    def _declines(self, r: Responder, incident: Incident) -> bool:
        """With ``max_waiting`` set, a busy person whose queue of unacknowledged
        incidents is full declines the page (the M/M/c/K capacity; off by default)."""
        cap = self.defaults.max_waiting
        if cap is None:
            return False
        waiting = sum(1 for i in r.waiting if i.is_open and not i.acked.triggered)
        if waiting < cap:
            return False
        self.log.record(
            PageDeclined(
                t=self.env.now, incident=incident.id, person=r.person.name, waiting=waiting
            )
        )
        return True

    def _start(self, r: Responder, job: Job) -> None:
        """``r`` owns ``job`` from now on: work begins, and their shift is watched."""
        r.busy_with, r.job = job.incident, job
        vendor = r.person.vendor
        if vendor is not None:
            job.blocked = {a for a in self.worker.runbook if a not in vendor.actions}
        r.workload.start(self.env.now)
        self.env.process(self.worker.work(r, job))
        if job.schedules:
            self._watch_shift(r, job)

    def _release(self, r: Responder) -> None:
        """``r`` is done with their incident: take the next handed-over or waiting one."""
        r.workload.stop(self.env.now)
        r.busy_with, r.job = None, None
        self._next(r)

    def _next(self, r: Responder) -> None:
        while r.handed:
            job = r.handed.pop(0)
            if job.incident.is_open:
                self._start(r, job)
                return
        while r.waiting:
            incident = r.waiting.pop(0)
            schedules = r.schedules.pop(incident.id, ())
            if incident.is_open and not incident.acked.triggered:
                r.resumed += 1
                rng = self.rng_for(f"resume/{r.person.name}/{r.resumed}")
                delay = (r.person.profile.ack or self.defaults.ack).sample(rng)
                self._ack_later(r, incident, delay, schedules)
                return

    # ----- hand-offs -----------------------------------------------------------------

    def _watch_shift(self, r: Responder, job: Job) -> None:
        """Hand the incident over the moment the owner's shift ends.

        The owner's schedules are asked when their people next change (exactly, from the
        schedules' own handoffs, windows and overrides; no polling); at that instant, if
        the owner is on none of them and someone else is, the incident passes to them.
        The schedules are asked at that exact instant, not at ``env.now``, which float
        arithmetic may leave a hair before it.
        """

        def arm(at: datetime) -> None:
            within = min(self.horizon_s - self._offset(at), _LOOKAHEAD_S)
            changes = [
                t for s in job.schedules if (t := self.staff.next_change(s, at, within)) is not None
            ]
            if changes:
                moment = min(changes)
                delay = max(0.0, self._offset(moment) - self.env.now)
                self.env.timeout(delay).callbacks.append(lambda _e: check(moment))

        def check(at: datetime) -> None:
            if r.job is not job or not job.incident.is_open or job.handoff.triggered:
                return
            name = r.person.name
            on = {s: self.staff.on_call(s, at) for s in job.schedules}
            if not any(name in people for people in on.values()):
                nxt = [n for people in on.values() for n in people if n != name]
                successor = self.staff.pick(nxt, at, lambda n: 0, exclude={name})
                if successor is not None:
                    job.successor, job.reason = successor, "shift-end"
                    job.handoff.succeed()
                    return
            arm(at)

        arm(self.clock.at(self.env.now))

    def _offset(self, at: datetime) -> float:
        """Seconds from the drill's start to ``at``."""
        return at.timestamp() - self.clock.start.timestamp()

    def _hand_over(self, r: Responder, job: Job) -> bool:
        """Pass ``job`` to its successor (picked now for a vendor's blocked action);
        False, with the request cleared, when nobody can take it."""
        incident, name, at = job.incident, r.person.name, self.clock.at(self.env.now)
        successor = job.successor
        if job.reason == "not-allowed":
            candidates = [
                n for n in self.staff.pool(at) if self.responders[n].person.vendor is None
            ]
            successor = self.staff.pick(candidates, at, lambda n: self.responders[n].holds, {name})
        if successor is None or not incident.is_open:
            job.handoff, job.successor, job.reason = self.env.event(), None, ""
            return False
        rng = self.rng_for(f"handoff/{incident.id}/{job.part + 1}")
        lost = self.defaults.handoff.context_loss.sample(rng)
        self.log.record(
            IncidentHandedOff(
                t=self.env.now,
                incident=incident.id,
                person=name,
                to=successor,
                reason=job.reason,
                context_loss_s=lost,
            )
        )
        incident.owner = successor
        self.roles.owner_changed(incident, successor, self.env.now)
        taker = self.responders[successor]
        schedules = tuple(s for s in job.schedules if successor in self.staff.on_call(s, at))
        nxt = Job(incident, self.env.event(), schedules, job.attempts, lost, job.part + 1)
        if taker.busy_with is None:
            self._start(taker, nxt)
        else:
            taker.handed.append(nxt)
        self._release(r)
        return True
