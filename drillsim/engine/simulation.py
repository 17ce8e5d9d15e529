"""The composition root: one Simulation assembles the world of a drill and runs it.

Everything is built in a stable order (scenario order or sorted names), every component
takes its own named random stream, and the only output is the event log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import simpy

from drillsim.alerting.matchers import parse_matchers
from drillsim.alerting.routing import build_route_tree
from drillsim.alerting.silences import Silence
from drillsim.engine.clock import Clock
from drillsim.engine.faults import FaultInjector, plan_faults, target_faults
from drillsim.engine.impact import ImpactMeter
from drillsim.engine.incidents import Incident, IncidentDesk
from drillsim.engine.layout import layout_of
from drillsim.engine.monitors import AlertState, MonitorSet, alert_series
from drillsim.engine.paging import PolicyBook, run_escalation
from drillsim.engine.pipeline import AlertPipeline, known_routes
from drillsim.engine.responders import ResponderPool
from drillsim.engine.scheduler import Scheduler
from drillsim.engine.streams import RandomStreams
from drillsim.engine.traffic import TrafficCurve
from drillsim.engine.world import World
from drillsim.events import DrillEnded, DrillStarted, EventLog
from drillsim.oncall.machine import RoundRobin
from drillsim.spec.drill import DrillSpec
from drillsim.spec.scenario import Scenario

T = TypeVar("T")


def silences_of(scenario: Scenario) -> list[Silence]:
    """The scenario's silences and maintenance windows as Alertmanager silences."""
    silences = [
        Silence(parse_matchers(s.matchers), s.starts, s.ends, s.created_by, s.comment, f"s{i}")
        for i, s in enumerate(scenario.silences, start=1)
    ]
    silences += [
        Silence(parse_matchers(m.matchers()), m.starts, m.ends, "maintenance", m.comment, f"m{i}")
        for i, m in enumerate(scenario.maintenance, start=1)
    ]
    return silences


@dataclass(frozen=True, slots=True)
class RunResult:
    """A finished drill: its seed, replication number and event log."""

    seed: int
    replication: int
    log: EventLog
    sim_events: int


class Simulation:
    """A drill ready to run: ``Simulation(drill.spec, seed).run()``."""

    def __init__(self, drill: DrillSpec, seed: int, replication: int = 0) -> None:
        self.drill = drill
        self.seed = seed
        self.replication = replication
        scenario = drill.scenario
        topology = drill.topology
        self.horizon_s = scenario.duration
        self.env = simpy.Environment()
        self.sched = Scheduler(self.env)
        self.clock = Clock(scenario.start)
        self.log = EventLog()
        self.streams = RandomStreams(seed, replication)
        self._rotations = RoundRobin()
        """Whose turn it is on round-robin escalation levels."""
        self._policies = PolicyBook(drill.oncall)
        rng = self.streams.generator
        self.traffic = {
            s.name: TrafficCurve(s.traffic, self.clock, topology.tz)
            for s in topology.services
            if s.traffic is not None
        }
        layout = self._compiled("layout", lambda: layout_of(topology))
        self.world = World(self.sched, layout, self.log, rng("world/auto-failover"))
        self.impact = ImpactMeter(self.world, self.traffic, self.log)
        targeted = self._compiled(
            "fault targets", lambda: target_faults(scenario.faults, topology, layout)
        )
        self.faults = plan_faults(targeted, self.streams, self.horizon_s)
        self.desk = IncidentDesk(
            self.env,
            self.world,
            drill.routing,
            scenario.severity,
            self.log,
            self._escalate,
            scenario.correlation,
        )
        series = self._compiled("series", lambda: alert_series(drill.rules, topology))
        self.monitors = MonitorSet(
            self.sched,
            self.world,
            drill.rules,
            topology,
            series,
            rng,
            self.streams.fraction,
            self._on_alert,
            self.horizon_s,
        )
        root = self._compiled("routes", lambda: build_route_tree(drill.routing.route))
        self.pipeline = AlertPipeline(
            self.sched,
            drill.routing,
            root,
            self.log,
            self.clock,
            self.desk.incident_for,
            self.desk.deliver,
            self.monitors.annotations_for,
            self._compiled("silences", lambda: silences_of(drill.scenario)),
            self.monitors.resent_at,
            self._compiled(
                "series routes",
                lambda: known_routes(root, ((s.fingerprint, s.labels) for s in series)),
            ),
        )
        self.responders = ResponderPool(
            self.env,
            drill.oncall,
            scenario.responders,
            scenario.runbook,
            self.world,
            self.desk,
            self.clock,
            self.log,
            rng,
            self.horizon_s,
        )
        FaultInjector(self.sched, self.world, self.log).schedule(self.faults)

    def _compiled(self, key: str, build: Callable[[], T]) -> T:
        """Something derived from the documents alone, built once per drill."""
        if key not in self.drill.compiled:
            self.drill.compiled[key] = build()
        return self.drill.compiled[key]

    def _on_alert(self, alert: AlertState, firing: bool) -> None:
        self.pipeline.receive(alert, firing)

    def _escalate(self, incident: Incident) -> None:
        self.env.process(
            run_escalation(
                self.env,
                incident,
                self._policies,
                self.clock,
                self.log,
                self.responders.page_level,
                resolve=self.desk.resolve,
                rotations=self._rotations,
            )
        )

    def _started(self) -> DrillStarted:
        scenario, topology = self.drill.scenario, self.drill.topology
        services = []
        for s in topology.services:
            curve = self.traffic.get(s.name)
            daily = curve.mean_daily_requests() if curve else 0.0
            services.append(
                {
                    "name": s.name,
                    "team": s.team,
                    "tier": s.tier,
                    "slo_availability": s.slo.availability,
                    "slo_window_s": s.slo.window,
                    "budget_requests": (1.0 - s.slo.availability) * daily * s.slo.window / 86400.0,
                }
            )
        people = [{"name": p.name, "tz": p.tz} for p in self.drill.oncall.people]
        return DrillStarted(
            t=0.0,
            scenario=scenario.name,
            seed=self.seed,
            replication=self.replication,
            start=self.clock.start.isoformat(),
            tz=getattr(self.clock.start.tzinfo, "key", "UTC"),
            duration_s=self.horizon_s,
            services=tuple(services),
            people=tuple(people),
        )

    def run(self) -> RunResult:
        """Run to the scenario's horizon and return the event log."""
        self.log.record(self._started())
        self.env.run(until=self.horizon_s)
        self.impact.close(self.horizon_s)
        self.monitors.finish(self.horizon_s)
        self.log.record(DrillEnded(t=self.horizon_s, alert_posts=self.monitors.posts))
        # SimPy numbers every scheduled event; the next id is the count so far.
        events = next(self.env._eid)
        return RunResult(self.seed, self.replication, self.log, events)
