"""Runbook actions and what they do to the world: restart, rollback, failover, scale,
evacuate. A process calls :func:`perform`; the effect on health follows from the model.
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
    red = world.topology.service(service).redundancy if service in world.model.names else None
    if action == "failover" and isinstance(red, ActiveStandby):
        return red.switchover, bool(rng.random() < red.success)
    spec = runbook[action]  # type: ignore[index]  # action is one of Action's values
    return spec.duration.sample(rng), bool(rng.random() < spec.success)


def begin(world: World, action: str, service: str) -> None:
    """Side effects at the start of an action (a failover takes the service down)."""
    if action == "failover" and world.is_active_standby(service):
        world.start_switchover(service)


def complete(
    world: World, action: str, service: str, success: bool, by: str, fault: ActiveFault | None
) -> bool:
    """Apply a finished action; returns whether it changed anything (``effective``)."""
    if action == "failover" and world.is_active_standby(service):
        world.finish_switchover(service, success)
    if not success:
        return False
    effective = action == "failover" and world.is_active_standby(service)
    if action == "evacuate" and fault is not None:
        for s in fault.services:
            if world.is_active_standby(s):
                world.start_switchover(s)
                world.finish_switchover(s, True)
                effective = True
            elif world.scale_out(s):
                effective = True
    if action == "scale" and world.scale_out(service):
        effective = True
    targets = [fault] if fault is not None and action == "evacuate" else None
    fixed = targets if targets is not None else world.faults_fixed_by(action, service)
    for f in fixed:
        if action == "failover" and f.spec.type != "partition":
            continue  # the broken instance stays broken; the service now runs on the other one
        if f.spec.remedy_action == action and f.spec.ends != "duration" and world.clear(f.id, by):
            effective = True
    return effective
