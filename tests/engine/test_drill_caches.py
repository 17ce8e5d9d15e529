"""What the engine keeps between calls, or works out once per drill, is what it would
compute afresh: the clock's last ISO text, the routes and targets shared by a drill's
replications, each escalation policy's program, and an incident's open flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import drillsim
from drillsim.engine.clock import Clock
from drillsim.engine.faults import target_faults
from drillsim.engine.incidents import Incident
from drillsim.engine.paging import PolicyBook
from drillsim.engine.pipeline import routes_for
from drillsim.engine.simulation import Simulation
from drillsim.oncall.program import compile_policy

SCENARIOS = sorted((Path(__file__).parent.parent.parent / "scenarios").glob("*.yaml"))


def _iso(start: datetime, t_s: float) -> str:
    """Alertmanager's time text written out field by field (not the way Clock.iso
    builds it), milliseconds truncated."""
    d = start.astimezone(UTC) + timedelta(seconds=t_s)
    return (
        f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
        f".{d.microsecond // 1000:03d}Z"
    )


def test_clock_iso_kept_answer_is_the_fresh_one() -> None:
    start = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    clock = Clock(start)
    for t_s in (0.0, 0.0, 59.9996, 59.9996, 3600.25, 0.0, 1e6, 1e6, 0.0005):
        assert clock.iso(t_s) == _iso(start, t_s)


def test_known_routes_and_fault_targets_match_a_fresh_computation() -> None:
    for path in SCENARIOS:
        spec = drillsim.load_scenario(path).spec
        sim = Simulation(spec, 1)
        root = sim.pipeline.root
        for inst in (i for group in sim.monitors.by_service.values() for i in group):
            assert sim.pipeline._routes[inst.fingerprint] == routes_for(root, inst.labels)
        targeted = target_faults(spec.scenario.faults, spec.topology, sim.world.layout)
        assert targeted == spec.compiled["fault targets"]
        for t in targeted:
            for _label, services, zone, region in t.targets:
                if zone is not None:
                    assert services == sim.world.services_in(*zone)
                elif region is not None:
                    assert services == sim.world.services_in(region)


def _run_keeping_incidents(sim: Simulation) -> list[Incident]:
    """Run the drill; every incident it opened (the desk keeps only the open ones)."""
    opened: list[Incident] = []
    escalate = sim.desk.escalate

    def keep(incident: Incident) -> None:
        opened.append(incident)
        escalate(incident)

    sim.desk.escalate = keep
    sim.run()
    return opened


def test_incident_open_flag_follows_its_closed_event() -> None:
    for path in SCENARIOS:
        sim = Simulation(drillsim.load_scenario(path).spec, 3)
        opened = _run_keeping_incidents(sim)
        assert opened and len(opened) == sim.desk.opened
        for incident in opened:
            assert incident.is_open == (not incident.closed.triggered)


def test_each_policy_is_compiled_once_and_as_a_fresh_compile_would() -> None:
    for path in SCENARIOS:
        oncall = drillsim.load_scenario(path).spec.oncall
        book = PolicyBook(oncall)
        for policy in oncall.escalation_policies:
            found, program = book.get(policy.name)
            assert found is policy
            assert program == compile_policy(policy)
            assert book.get(policy.name)[1] is program  # kept, not compiled again
