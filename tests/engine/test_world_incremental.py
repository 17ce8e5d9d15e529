"""The world's incremental bookkeeping matches evaluating everything from scratch.

After every refresh of the shipped drills (faults, failovers, zone outages, scale-outs)
the own states the world kept, and the health it last sent on its way, are the ones a
full evaluation of every active fault gives.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import drillsim
from drillsim.engine.health import OwnState
from drillsim.engine.simulation import Simulation
from drillsim.engine.world import World

SCENARIOS = sorted((Path(__file__).parent.parent.parent / "scenarios").glob("*.yaml"))


def _dirty(states: dict[str, OwnState]) -> dict[str, OwnState]:
    """Services with something wrong with them (a clean state is the same as none)."""
    clean = OwnState()
    return {n: s for n, s in states.items() if dataclasses.replace(s, backlog=None) != clean}


def _check(world: World) -> None:
    faults = [world.active[k] for k in sorted(world.active)]
    scratch = _dirty(world.own_states(faults))
    assert _dirty(world._own) == scratch
    health = world.model.evaluate(scratch)
    for name, h in health.items():
        assert h.close_to(world._target[name]), name


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_kept_own_states_and_health_match_a_full_evaluation(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh = World._refresh
    checked = []

    def checked_refresh(world: World) -> None:
        refresh(world)
        if not world._batching:
            _check(world)
            checked.append(world.now())

    monkeypatch.setattr(World, "_refresh", checked_refresh)
    Simulation(drillsim.load_scenario(path).spec, 3).run()
    assert checked
