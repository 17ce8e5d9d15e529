"""Fault occurrences: when each fault starts, what it hits and how long it lasts.

Every start time and every duration is drawn up front from the fault's own stream, so
two drills on one seed face the identical faults whatever their responders do (common
random numbers); responders can only end a fault earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from drillsim.engine.layout import TopologyLayout
from drillsim.engine.renewals import Unit, plan_outages
from drillsim.engine.scheduler import Scheduler
from drillsim.engine.streams import RandomStreams
from drillsim.engine.world import ActiveFault, World
from drillsim.events import DeployStarted, EventLog, FaultInjected
from drillsim.spec.scenario import Fault
from drillsim.spec.topology import Topology


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A planned fault: id, spec, directly hit services, start and (optional) length."""

    id: str
    spec: Fault
    services: tuple[str, ...]
    start_s: float
    lasts_s: float | None
    zone: tuple[str, str] | None
    region: str | None
    label: str


def fault_name(fault: Fault, index: int) -> str:
    """The fault's own name, or one made from its type and target."""
    if fault.name:
        return fault.name
    t = fault.target
    target = (
        t.service or t.zone or t.region or (f"tier{t.tier}" if t.tier else t.team) or str(index)
    )
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{fault.type}-{target}")


def unique_fault_names(faults: list[Fault]) -> list[str]:
    """Each fault's name; unnamed faults get one made from type and target, made unique
    against every other name (given or made)."""
    given = {f.name for f in faults if f.name}
    used: set[str] = set()
    out = []
    for index, fault in enumerate(faults):
        name = fault_name(fault, index)
        if not fault.name:
            candidate, k = name, 1
            while candidate in used or candidate in given:
                k += 1
                candidate = f"{name}-{k}"
            name = candidate
        used.add(name)
        out.append(name)
    return out


Target = tuple[str, tuple[str, ...], tuple[str, str] | None, str | None]
"""One target of a fault: its label, the services it hits, and its zone or region."""


@dataclass(frozen=True, slots=True)
class TargetedFault:
    """A fault with its unique name and every target it hits."""

    base: str
    fault: Fault
    targets: tuple[Target, ...]


def target_faults(
    faults: list[Fault], topology: Topology, layout: TopologyLayout
) -> list[TargetedFault]:
    """Each fault's name and targets: a pure function of the scenario, the topology and
    where its replicas sit, so a drill computes it once for all its replications."""
    return [
        TargetedFault(base, fault, tuple(_expand_target(fault, topology, layout)))
        for base, fault in zip(unique_fault_names(faults), faults, strict=True)
    ]


def plan_faults(
    targeted: list[TargetedFault], streams: RandomStreams, horizon_s: float
) -> list[Occurrence]:
    """Every fault occurrence of the drill, in start order.

    Each (fault, target) pair draws its start times and its durations from two streams of
    its own, so adding a service to a tier, or lengthening the drill, changes nobody
    else's faults.
    """
    plans: list[Occurrence] = []
    units: list[Unit] = []
    for base, fault, targets in ((t.base, t.fault, t.targets) for t in targeted):
        if fault.arrivals is not None and fault.arrivals.spread == "rotate":
            plans += _rotating(base, fault, targets, streams, horizon_s)
            continue
        for label, services, zone, region in targets:
            if fault.arrivals is not None and fault.arrivals.gap_from == "end":
                units.append(Unit(base, label, fault, services, zone, region))
                continue
            starts = _start_times(
                fault, streams.generator(f"fault/{base}/{label}/starts"), horizon_s
            )
            if not starts:
                continue  # most targets stay well within a week: no durations to draw
            lasting = streams.generator(f"fault/{base}/{label}/lasts")
            for k, start in enumerate(starts, start=1):
                lasts = fault.lasts.sample(lasting) if fault.lasts is not None else None
                suffix = f"@{label}" if fault.target.tier or fault.target.team else ""
                occ_id = f"{base}{suffix}" + (f"#{k}" if fault.arrivals else "")
                plans.append(Occurrence(occ_id, fault, services, start, lasts, zone, region, label))
    for o in plan_outages(units, streams, horizon_s):
        u = o.unit
        suffix = f"@{u.label}" if u.fault.target.tier or u.fault.target.team else ""
        plans.append(
            Occurrence(
                f"{u.base}{suffix}#{o.number}",
                u.fault,
                u.services,
                o.start_s,
                o.lasts_s,
                u.zone,
                u.region,
                u.label,
            )
        )
    plans.sort(key=lambda o: (o.start_s, o.id))
    return plans


def _rotating(
    base: str,
    fault: Fault,
    targets: tuple[Target, ...],
    streams: RandomStreams,
    horizon_s: float,
) -> list[Occurrence]:
    """``spread: rotate``: one Poisson stream for the whole target, arrival k hitting
    the k-th matching service in turn (validation: one incident per arrival)."""
    if not targets:
        return []
    starts = _start_times(fault, streams.generator(f"fault/{base}/rotate/starts"), horizon_s)
    if not starts:
        return []
    lasting = streams.generator(f"fault/{base}/rotate/lasts")
    out = []
    for k, start in enumerate(starts, start=1):
        label, services, zone, region = targets[(k - 1) % len(targets)]
        lasts = fault.lasts.sample(lasting) if fault.lasts is not None else None
        out.append(
            Occurrence(f"{base}@{label}#{k}", fault, services, start, lasts, zone, region, label)
        )
    return out


def _expand_target(fault: Fault, topology: Topology, layout: TopologyLayout) -> list[Target]:
    t = fault.target
    if t.service is not None:
        return [(t.service, (t.service,), None, None)]
    if t.zone is not None:
        region, zone = t.zone.split("/", 1)
        return [(t.zone, layout.services_in(region, zone), (region, zone), None)]
    if t.region is not None:
        return [(t.region, layout.services_in(t.region), None, t.region)]
    chosen = [
        s.name
        for s in topology.services
        if (t.tier is not None and s.tier == t.tier) or (t.team is not None and s.team == t.team)
    ]
    return [(name, (name,), None, None) for name in chosen]


def _start_times(fault: Fault, rng: np.random.Generator, horizon_s: float) -> list[float]:
    """Fixed start, or Poisson arrivals up to the horizon (drawn in batches of 64: the
    n-th gap is the n-th draw whatever the horizon)."""
    if fault.at is not None:
        return [fault.at]
    assert fault.arrivals is not None
    times: list[float] = []
    t = fault.arrivals.after
    while True:
        for gap in rng.exponential(fault.arrivals.every, size=64):
            t += float(gap)
            if t >= horizon_s:
                return times
            times.append(t)


class FaultInjector:
    """Starts planned occurrences at their time and ends those that end by themselves."""

    def __init__(self, sched: Scheduler, world: World, log: EventLog) -> None:
        self.sched = sched
        self.world = world
        self.log = log

    def schedule(self, plans: list[Occurrence]) -> None:
        """Arrange every occurrence's start (and self-ending) on the simulation clock."""
        for occ in plans:
            self.sched.at(occ.start_s, self._start, occ)

    def _start(self, occ: Occurrence) -> None:
        now = self.sched.env.now
        spec = occ.spec
        if spec.type == "bad-deploy":
            for s in occ.services:
                self.log.record(DeployStarted(t=now, service=s, version=spec.version or "next"))
        self.log.record(
            FaultInjected(
                t=now,
                fault=occ.id,
                type=spec.type,
                target=occ.label,
                services=occ.services,
                ends=spec.ends,
                remedy=spec.remedy_action,
            )
        )
        self.world.inject(ActiveFault(occ.id, spec, occ.services, now, occ.zone, occ.region))
        if occ.lasts_s is not None:
            by = "duration" if spec.ends == "duration" else "self-heal"
            self.sched.after(occ.lasts_s, self.world.clear, occ.id, by)
