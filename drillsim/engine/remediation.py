"""Runbook actions and what they do to the world: restart, rollback, failover, scale,
evacuate, shed-load (drop a retry storm's queued requests). A responder process calls
:func:`begin`, waits the action's duration, then :func:`complete`; the effect on health
follows from the model, never by decree.

A failover only switches an active-standby service whose active instance is down while
the other is up, and never while a switch is already under way: two responders failing
over the same database do not flip it back and forth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from drillsim.spec.scenario import Action, ActionSpec
from drillsim.spec.topology import ActiveStandby

if TYPE_CHECKING:
    from drillsim.engine.world import ActiveFault, World


def action_plan(
    world: World,
    action: str,
    service: str,
    runbook: dict[Action, ActionSpec],
    rng: np.random.Generator,
) -> tuple[float, bool]:
    """Duration and outcome of an action, drawn now (failover uses the service's own
    switchover time and success probability)."""
    red = world.topology.service(service).redundancy if world.has_service(service) else None
    if action == "failover" and isinstance(red, ActiveStandby):
        return red.switchover, bool(rng.random() < red.success)
    spec = runbook[action]  # type: ignore[index]  # action is one of Action's values
    return spec.duration.sample(rng), bool(rng.random() < spec.success)


def _switch_targets(
    world: World, action: str, service: str, fault: ActiveFault | None
) -> list[str]:
    if action == "failover":
        return [service] if world.needs_failover(service) else []
    if action == "evacuate" and fault is not None:
        return [s for s in fault.services if world.needs_failover(s)]
    return []


def begin(world: World, action: str, service: str, fault: ActiveFault | None) -> list[str]:
    """Start an action; returns the services whose switchover it started (they are down
    until it completes)."""
    switching = _switch_targets(world, action, service, fault)
    with world.batch():
        for s in switching:
            world.start_switchover(s)
    return switching


def complete(
    world: World,
    action: str,
    service: str,
    success: bool,
    by: str,
    fault: ActiveFault | None,
    switching: list[str],
) -> bool:
    """Apply a finished action; returns whether it changed anything (``effective``).

    Every change happens in one batch, so health is re-evaluated once.
    """
    with world.batch():
        for s in switching:
            world.finish_switchover(s, success, by)
        if not success:
            return False
        effective = bool(switching)
        if action == "evacuate" and fault is not None:
            for s in fault.services:
                if not world.is_active_standby(s) and world.scale_out(s, by):
                    effective = True
        if action == "scale" and world.scale_out(service, by):
            effective = True
        if action == "shed-load" and world.shed_load(service, by):
            effective = True
        # faults_fixed_by already skips fixed-duration faults and other remedies; an
        # evacuation ends the outage itself only if it is not fixed-duration either.
        if action == "evacuate" and fault is not None:
            fixed = [fault] if fault.spec.ends != "duration" else []
        else:
            fixed = world.faults_fixed_by(action, service)
        for f in fixed:
            if action == "failover" and f.spec.type != "partition":
                continue  # the broken instance stays broken; the service runs on the other one
            if world.clear(f.id, by):
                effective = True
        return effective
