"""The running topology: active faults, remediation state, and visible service health.

Faults and responder actions change what is wrong with services; the world re-evaluates
the target health of the services such a change can reach (:mod:`drillsim.engine.health`)
and lets each change reach each service after its propagation delay along the dependency
graph. Monitors, incidents and the impact meter subscribe to a service's visible health.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from drillsim.engine.backlog import Backlog, law_of
from drillsim.engine.health import Health, OwnState, capacity_share
from drillsim.engine.layout import TopologyLayout
from drillsim.engine.scheduler import Scheduler
from drillsim.events import EventLog, FaultCleared, ServiceHealthChanged
from drillsim.spec.scenario import Fault
from drillsim.spec.topology import ActiveStandby

IMPAIRED_ERROR_RATE = 0.001
IMPAIRED_LATENCY_FACTOR = 2.0
_CLEAN = OwnState()


@dataclass(slots=True)
class ActiveFault:
    """One occurrence of a fault acting on the topology."""

    id: str
    spec: Fault
    services: tuple[str, ...]
    started_s: float
    zone: tuple[str, str] | None = None
    region: str | None = None
    instance: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Series:
    """A service's visible health (and the faults behind it) as a step function of time."""

    times: list[float] = field(default_factory=list)
    values: list[Health] = field(default_factory=list)
    causes: list[tuple[str, ...]] = field(default_factory=list)


class World:
    """Fault state, remediation state and visible health of every service."""

    def __init__(
        self,
        sched: Scheduler,
        layout: TopologyLayout,
        log: EventLog,
        auto_failover_rng: np.random.Generator,
    ) -> None:
        self.sched = sched
        self.layout = layout
        self.topology = layout.topology
        self.log = log
        self.model = layout.model
        self.active: dict[str, ActiveFault] = {}
        self.failed_over: dict[str, bool] = {}
        self.switching: set[str] = set()
        self.extra_replicas: dict[str, int] = {}
        self.visible: dict[str, Health] = dict(self.model.healthy)
        self.causes: dict[str, tuple[str, ...]] = dict.fromkeys(self.model.names, ())
        self._target: dict[str, Health] = dict(self.model.healthy)
        self._target_causes: dict[str, tuple[str, ...]] = dict(self.causes)
        self._series = {n: _Series([0.0], [h], [()]) for n, h in self.visible.items()}
        self._applied_gen: dict[str, int] = dict.fromkeys(self.model.names, -1)
        self._gen = 0
        self._listeners: dict[str, list[Callable[[str], None]]] = {n: [] for n in self.model.names}
        self._replica_slots = layout.replica_slots
        self._standby = layout.standby
        self._batching = 0
        self._dirty = False
        self._auto_failover_pending: set[str] = set()
        self._own: dict[str, OwnState] = {}
        """Each service's own state as of the last refresh (missing = clean)."""
        self._own_health: dict[str, Health] = {}
        """The health each state in ``_own`` gives its service by itself, worked out
        when the state is stored (states are never changed once stored): a refresh
        needs it for every service it evaluates again, most of which kept their state."""
        self._stale: set[str] = set()
        """Services whose own state may have changed since the last refresh: hit by a
        fault that started or ended, or switched (or started switching) instances."""
        self._sorted_faults: list[ActiveFault] | None = None
        """The active faults in id order; None after a fault started or ended."""
        self._rank = {n: i for i, n in enumerate(self.model.names)}
        """Each service's position in topology order."""
        self.auto_failover_rng = auto_failover_rng
        self._once_services = [
            s.name
            for s in self.topology.services
            if isinstance(s.redundancy, ActiveStandby)
            and s.redundancy.automatic
            and not s.redundancy.retry
        ]
        self._retry_services = [
            (s.name, s.redundancy)
            for s in self.topology.services
            if isinstance(s.redundancy, ActiveStandby)
            and s.redundancy.automatic
            and s.redundancy.retry
        ]
        """Services that fail over by themselves, again after a failed switch (checked
        at every refresh), with their redundancy."""
        self._instance_was_down: dict[str, dict[str, bool]] = {}
        self.last_actor = "self-heal"
        """Who made the latest change that ended or moved around a fault."""
        self.now = lambda: sched.env.now
        self.backlogs: dict[str, Backlog] = {}
        """Request backlogs of the services that declare ``capacity_rps``."""
        for s in self.topology.services:
            law = law_of(s)
            if law is not None:
                self.backlogs[s.name] = Backlog(law, sched, self._refresh, s.name, log.record)
        self._volatile = frozenset(self.backlogs)
        """Services whose own state moves without a mark in ``_stale`` (the backlog
        follows its own timers): evaluated again at every refresh."""

    # ----- queries -------------------------------------------------------------------

    def subscribe(self, service: str, callback: Callable[[str], None]) -> None:
        """Call ``callback(service)`` whenever the service's visible health changes."""
        self._listeners[service].append(callback)

    def health_at(self, service: str, t_s: float) -> Health:
        """Visible health of ``service`` at any time up to now (asked at every monitor
        evaluation, so the series is searched inline)."""
        series = self._series[service]
        return series.values[max(bisect.bisect_right(series.times, t_s) - 1, 0)]

    def causes_at(self, service: str, t_s: float) -> tuple[str, ...]:
        """Faults behind the visible health of ``service`` at any time up to now."""
        series = self._series[service]
        return series.causes[max(bisect.bisect_right(series.times, t_s) - 1, 0)]

    def impaired(self, service: str) -> bool:
        """Customers of the service notice something (errors, down, or twice as slow)."""
        h, ok = self.visible[service], self.model.healthy[service]
        return (
            h.error_rate > IMPAIRED_ERROR_RATE
            or h.up == 0
            or h.latency_s > IMPAIRED_LATENCY_FACTOR * ok.latency_s
        )

    def services_in(self, region: str, zone: str | None = None) -> tuple[str, ...]:
        """Services with a replica or an active-standby instance in the region (or zone)."""
        return self.layout.services_in(region, zone)

    def has_service(self, name: str) -> bool:
        """``name`` is a service of the topology (an evacuation names a zone or region)."""
        return name in self._rank

    def is_active_standby(self, service: str) -> bool:
        """The service fails over between a primary and a standby instance."""
        return service in self._standby

    # ----- changes -------------------------------------------------------------------

    def inject(self, fault: ActiveFault) -> None:
        """Start a fault occurrence (the caller records FaultInjected)."""
        chosen = fault.spec.target.instance
        for s in fault.services:
            if s in self._standby:
                fault.instance[s] = chosen or ("standby" if self.failed_over.get(s) else "primary")
        replaced = self.active.get(fault.id)
        if replaced is not None:
            self._faults_changed(replaced)
        self.active[fault.id] = fault
        self._faults_changed(fault)
        self._refresh()
        self._fail_over_once()

    def clear(self, fault_id: str, by: str) -> bool:
        """End a fault occurrence; False if it had already ended."""
        fault = self.active.pop(fault_id, None)
        if fault is None:
            return False
        self._faults_changed(fault)
        self.last_actor = by
        self.log.record(FaultCleared(t=self.now(), fault=fault_id, by=by))
        self._refresh()
        self._fail_over_once()
        return True

    def faults_fixed_by(self, action: str, service: str) -> list[ActiveFault]:
        """Active faults that ``action`` on ``service`` ends (not fixed-duration ones)."""
        return [
            f
            for f in self.active.values()
            if f.spec.remedy_action == action
            and service in f.services
            and f.spec.ends != "duration"
        ]

    def needs_failover(self, service: str) -> bool:
        """The active instance is down, the other one is not, and no switch is under way."""
        if service not in self._standby or service in self.switching:
            return False
        current = "standby" if self.failed_over.get(service) else "primary"
        other = "primary" if current == "standby" else "standby"
        return self._instance_down(service, current) and not self._instance_down(service, other)

    def start_switchover(self, service: str) -> None:
        """The service is down while it switches between instances."""
        self.switching.add(service)
        self._stale.add(service)
        self._refresh()

    def finish_switchover(self, service: str, success: bool, actor: str) -> None:
        """Switchover ended: on success the other instance is active now.

        An automatic failover that failed is tried again after its detection delay.
        """
        self.switching.discard(service)
        self._stale.add(service)
        if success:
            self.failed_over[service] = not self.failed_over.get(service, False)
            self.last_actor = actor
        self._refresh()
        self._schedule_auto_failover()
        self._fail_over_once()

    def storms_behind(self, services: Iterable[str]) -> list[str]:
        """Services in a retry storm (backlog past the clients' timeout) that are, or that
        hurt, one of ``services``: what a responder finds when no fault is left."""
        wanted = set(services)
        return [
            name
            for name, backlog in sorted(self.backlogs.items())
            if backlog.storming and wanted & self.model.affects[name]
        ]

    def shed_load(self, service: str, actor: str) -> bool:
        """Drop the service's queued requests; True if there were any."""
        backlog = self.backlogs.get(service)
        if backlog is None or not backlog.shed(self.now()):
            return False
        self.last_actor = actor
        self._refresh()
        return True

    def scale_out(self, service: str, actor: str) -> bool:
        """Add replicas in healthy places to replace lost ones; True if that added any."""
        lost = self._lost_replicas(service)
        if lost <= self.extra_replicas.get(service, 0):
            return False
        self.extra_replicas[service] = lost
        self._stale.add(service)
        self.last_actor = actor
        self._refresh()
        return True

    # ----- internals -----------------------------------------------------------------

    def _location(self, service: str, instance: str) -> tuple[str, str] | None:
        if instance == "standby":
            return self._standby[service]
        slots = self._replica_slots[service]
        return slots[0] if slots else None

    def _instance_down(
        self, service: str, instance: str, faults: list[ActiveFault] | None = None
    ) -> bool:
        """Whether an active-standby instance is crashed or sits in an outage."""
        loc = self._location(service, instance)
        for f in self.active.values() if faults is None else faults:
            if service not in f.services:
                continue
            if f.spec.type == "crash" and f.instance.get(service) == instance:
                return True
            if f.spec.type in ("zone-outage", "region-outage") and loc and _in_outage(loc, f):
                return True
        return False

    def _lost_replicas(self, service: str) -> int:
        lost = 0
        for f in self.active.values():
            if service not in f.services or f.spec.type not in ("zone-outage", "region-outage"):
                continue
            lost += sum(1 for slot in self._replica_slots[service] if _in_outage(slot, f))
        return lost

    def own_states(self, faults: list[ActiveFault]) -> dict[str, OwnState]:
        """What is wrong with each service itself, given these faults (in id order),
        evaluated from scratch; a service may be listed with a clean state."""
        names = {s for f in faults for s in f.services}
        names |= self._standby.keys() | self.backlogs.keys() | self.extra_replicas.keys()
        return {n: self._own_state(n, [f for f in faults if n in f.services]) for n in names}

    def _own_state(self, name: str, faults: list[ActiveFault], switching: bool = True) -> OwnState:
        """What is wrong with ``name`` itself, given the faults that hit it (in id order:
        rates combine in that order, so the floats come out the same every time).
        ``switching=False`` leaves a switchover under way out (it downs the service
        whatever the faults are)."""
        own = OwnState()
        standby = name in self._standby
        for f in faults:
            spec = f.spec
            for s in f.services:
                if s != name:
                    continue
                if spec.type == "crash":
                    if not standby:
                        own.crashed = True
                elif spec.type in ("error-rate", "bad-deploy"):
                    rate = spec.rate if spec.rate is not None else 0.25
                    own.error_rate = 1 - (1 - own.error_rate) * (1 - rate)
                    own.added_latency_s += spec.latency or 0.0
                elif spec.type == "latency":
                    own.added_latency_s += spec.latency or 0.0
                elif spec.type == "capacity-loss":
                    own.capacity_lost = 1 - (1 - own.capacity_lost) * (1 - (spec.capacity or 0))
                elif spec.type == "partition" and spec.dependency:
                    own.partitioned.add(spec.dependency)
                elif spec.type in ("zone-outage", "region-outage") and not standby:
                    own.down_replicas += sum(
                        1 for slot in self._replica_slots[s] if _in_outage(slot, f)
                    )
        if standby:
            current = "standby" if self.failed_over.get(name) else "primary"
            switch = switching and name in self.switching
            if switch or self._instance_down(name, current, faults):
                own.active_down = True
        extra = self.extra_replicas.get(name, 0)
        if extra:
            own.extra_replicas = extra
        return own

    def _faults_changed(self, fault: ActiveFault) -> None:
        """A fault started or ended: its services' own state must be evaluated again."""
        self._stale.update(fault.services)
        self._sorted_faults = None

    def _faults(self) -> list[ActiveFault]:
        """The active faults in id order.

        Kept between refreshes: exact because only :meth:`inject` and :meth:`clear`
        change ``active``, and both drop the kept list (:meth:`_faults_changed`).
        """
        if self._sorted_faults is None:
            self._sorted_faults = [self.active[k] for k in sorted(self.active)]
        return self._sorted_faults

    def _update_own_states(self, faults: list[ActiveFault]) -> set[str]:
        """Evaluate again the own state of the services that may have changed; return
        those whose own state did change.

        Incremental and exact: a service's own state depends only on the faults that hit
        it (which mark it stale when they start or end), on which of its instances is
        active and whether a switch is under way (marked where they change), on its extra
        replicas (marked by :meth:`scale_out`, the only place they change) and on its
        backlog (volatile, evaluated every time). An evacuation scales out every service
        of a zone, which then keeps its extra replicas for the rest of the drill:
        evaluating those at every refresh was nine in ten own-state evaluations of the
        50-service drill.
        """
        names = self._stale | self._volatile
        self._stale = set()
        fresh = {n: self._own_state(n, [f for f in faults if n in f.services]) for n in names}
        if self.backlogs:
            self._with_backlogs(fresh, faults)
        changed = set()
        for name, state in fresh.items():
            if state != self._own.get(name, _CLEAN):
                changed.add(name)
                self._own[name] = state
                self._own_health[name] = self.model.own_health(name, state)
        return changed

    def batch(self) -> _Batch:
        """Make several changes at one instant and re-evaluate health once, at the end."""
        return _Batch(self)

    def _refresh(self) -> None:
        """Re-evaluate what changed and send each change on its way to each service.

        Only services whose own state changed, and their dependents, are evaluated again.
        """
        if self._batching:
            self._dirty = True
            return
        self._dirty = False
        faults = self._faults()
        own_changed = self._update_own_states(faults)
        if not own_changed:
            return
        touched = self.model.touched_by(own_changed)
        target = self.model.reevaluate(self._own, touched, self._target, self._own_health)
        causes = self._attribute(faults, target, touched)
        changed = [
            n
            for n in sorted(touched, key=self._rank.__getitem__)
            if not target[n].close_to(self._target[n]) or causes[n] != self._target_causes[n]
        ]
        self._gen += 1
        delays: dict[str, float] = {}
        for source in own_changed:
            for n, d in self.layout.distances_from(source).items():
                if d < delays.get(n, math.inf):
                    delays[n] = d
        arrivals: dict[float, list[tuple[str, Health, tuple[str, ...]]]] = {}
        for name in changed:
            self._target[name] = target[name]
            self._target_causes[name] = causes[name]
            delay = delays.get(name, math.inf)
            delay = 0.0 if delay == math.inf else delay
            arrivals.setdefault(delay, []).append((name, target[name], causes[name]))
        for delay, batch in arrivals.items():
            self.sched.after(delay, self._apply_all, self._gen, batch)
        self._schedule_auto_failover()

    def _with_backlogs(self, states: dict[str, OwnState], faults: list[ActiveFault]) -> None:
        """Tell each backlog its capacity share now, and put its effect into the service's
        own state; remember the faults that cut its capacity while it was non-empty."""
        now = self.now()
        for name, backlog in self.backlogs.items():
            own = states.get(name, _CLEAN)
            backlog.set_share(now, capacity_share(self.topology.service(name), own))
            if backlog.move.phase != "idle" and backlog.share < 1.0:
                hit = [f.id for f in faults if name in f.services and f.id not in backlog.causes]
                backlog.causes = (*backlog.causes, *hit)
            signal = backlog.signal
            if signal is not None and signal.phase != "idle":
                states.setdefault(name, OwnState()).backlog = signal

    def _apply_all(self, gen: int, batch: list[tuple[str, Health, tuple[str, ...]]]) -> None:
        """The services a change reaches at the same instant, in topology order."""
        for name, health, causes in batch:
            self._apply(name, gen, health, causes)

    def _attribute(
        self, faults: list[ActiveFault], target: dict[str, Health], touched: set[str]
    ) -> dict[str, tuple[str, ...]]:
        """Which faults the state of each touched service is due to (ground truth).

        A fault causes a service's state when the service is reached from the fault's
        own (visibly affected) services along dependency edges through services that are
        all visibly affected: the path the damage travelled. A fault whose effect is
        absorbed (say, a lost replica with capacity to spare) causes nothing downstream.

        ``target`` holds the new health of the touched services; every other service
        keeps its health in ``_target``. Only faults whose services can reach a touched
        service are followed: the others add nothing to any touched service.
        """
        result: dict[str, list[str]] = {n: [] for n in touched}
        healthy = self.model.healthy
        dependents = self.layout.dependents_of
        hurt: dict[str, bool] = {}

        def affected(n: str) -> bool:
            if n not in hurt:
                health = target.get(n)
                if health is None:
                    health = self._target[n]
                hurt[n] = not health.close_to(healthy[n])
            return hurt[n]

        roots = [(f.id, f.services) for f in faults]
        if self.backlogs:
            # A retry storm keeps the blame on the fault that triggered it after it ended.
            active = {f.id for f in faults}
            roots += [
                (fid, (name,))
                for name, backlog in self.backlogs.items()
                for fid in backlog.causes
                if fid not in active
            ]
        affects = self.model.affects
        for fid, services in roots:
            for s in services:
                if not affects[s].isdisjoint(touched):
                    break
            else:
                continue  # reaches no touched service
            frontier = [s for s in services if affected(s) and self._contributes(fid, s, faults)]
            seen = set(frontier)
            while frontier:
                n = frontier.pop()
                if n in result and fid not in result[n]:
                    result[n].append(fid)
                for d in dependents[n]:
                    if d not in seen and affected(d):
                        seen.add(d)
                        frontier.append(d)
        return {n: tuple(v) for n, v in result.items()}

    def _contributes(self, fault_id: str, service: str, faults: list[ActiveFault]) -> bool:
        """Whether the fault has a hand in what is wrong with ``service`` itself, one of
        the services it hits: it changes the service's own state on its own, or the
        service's own state would differ without it (two faults each harmless alone,
        together fatal, are both causes; two each fatal alone are too).

        Without this a fault whose effect is absorbed (a crashed primary the standby
        has taken over from) was blamed for whatever else went wrong with its service
        while it lasted, days later: the incident then counted its times from the old
        fault's start. A retry storm's cause (a fault already over) is not in
        ``faults`` and keeps its blame.
        """
        hits = [f for f in faults if service in f.services]
        fault = next((f for f in hits if f.id == fault_id), None)
        if fault is None:
            return True
        own = partial(self._own_state, service, switching=False)  # a switch is the fault's
        if own([fault]) != own([]):
            return True
        if len(hits) == 1:
            return False
        return own(hits) != own([f for f in hits if f is not fault])

    def _apply(self, name: str, gen: int, health: Health, causes: tuple[str, ...]) -> None:
        if gen < self._applied_gen[name]:
            return  # a newer change already reached this service
        self._applied_gen[name] = gen
        old = self.visible[name]
        if old.close_to(health) and self.causes[name] == causes:
            return
        now = self.now()
        self.visible[name] = health
        self.causes[name] = causes
        series = self._series[name]
        if series.times[-1] == now:
            series.values[-1] = health
            series.causes[-1] = causes
        else:
            series.times.append(now)
            series.values.append(health)
            series.causes.append(causes)
        self.log.record(
            ServiceHealthChanged(
                t=now,
                service=name,
                error_rate=health.error_rate,
                latency_s=health.latency_s,
                up=health.up,
                saturation=health.saturation,
                causes=causes,
            )
        )
        for callback in self._listeners[name]:
            callback(name)

    def _schedule_auto_failover(self) -> None:
        for name, red in self._retry_services:
            if self.needs_failover(name) and name not in self._auto_failover_pending:
                self._auto_failover_pending.add(name)
                self.sched.after(red.detection, self._auto_failover, name)

    def _fail_over_once(self) -> None:
        """Automatic failover with ``retry: false`` (the availability chain of anchors.md
        §2.1): one attempt, after detection, when the active instance fails while the
        other is up; no retry after a failed switch; and when an instance is repaired
        while the active one is down, it serves at once (no switchover)."""
        for name in self._once_services:
            current = "standby" if self.failed_over.get(name) else "primary"
            other = "primary" if current == "standby" else "standby"
            down = {i: self._instance_down(name, i) for i in (current, other)}
            before = self._instance_was_down.get(name, {})
            self._instance_was_down[name] = down
            if name in self.switching or not down[current]:
                continue
            if not before.get(current) and not down[other]:
                if name not in self._auto_failover_pending:
                    red = self.topology.service(name).redundancy
                    assert isinstance(red, ActiveStandby)
                    self._auto_failover_pending.add(name)
                    self.sched.after(red.detection, self._auto_failover, name)
            elif before.get(other) and not down[other]:
                self.failed_over[name] = not self.failed_over.get(name, False)
                self._stale.add(name)
                self.last_actor = "repair"
                self._refresh()

    def _auto_failover(self, name: str) -> None:
        self._auto_failover_pending.discard(name)
        if not self.needs_failover(name):
            return
        red = self.topology.service(name).redundancy
        assert isinstance(red, ActiveStandby)
        self.start_switchover(name)
        success = self.auto_failover_rng.random() < red.success
        self.sched.after(red.switchover, self.finish_switchover, name, success, "automation")


class _Batch:
    """The context of :meth:`World.batch` (a plain class: two run per incident, and a
    generator-based context manager costs several times as much)."""

    __slots__ = ("world",)

    def __init__(self, world: World) -> None:
        self.world = world

    def __enter__(self) -> None:
        self.world._batching += 1

    def __exit__(self, *exc: object) -> None:
        world = self.world
        world._batching -= 1
        if not world._batching and world._dirty:
            world._refresh()


def _in_outage(slot: tuple[str, str], fault: ActiveFault) -> bool:
    region, zone = slot
    if fault.region is not None:
        return region == fault.region
    return fault.zone is not None and (region, zone) == fault.zone
