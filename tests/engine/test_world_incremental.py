"""The world's incremental bookkeeping matches evaluating everything from scratch.

After every refresh of the shipped drills (faults, failovers, zone outages, scale-outs)
the own states the world kept, and the health it last sent on its way, are the ones a
full evaluation of every active fault gives.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

import drillsim
from drillsim.engine.health import OwnState
from drillsim.engine.simulation import Simulation
from drillsim.engine.world import World

TESTS = Path(__file__).parent.parent
SCENARIOS = sorted((TESTS.parent / "scenarios").glob("*.yaml"))
sys.path.insert(0, str(TESTS / "validation"))  # its drill writers (no package)
from availability_drill import write_active_standby_drill  # noqa: E402
from test_retry_storm_closed_form import write_storm_drill  # noqa: E402


def _dirty(states: dict[str, OwnState]) -> dict[str, OwnState]:
    """Services with something wrong with them (a clean state is the same as none),
    leaving out the backlog's effect (the world adds it after the faults')."""
    clean = OwnState()
    stripped = {n: dataclasses.replace(s, backlog=None) for n, s in states.items()}
    return {n: s for n, s in stripped.items() if s != clean}


def _check(world: World) -> None:
    faults = [world.active[k] for k in sorted(world.active)]
    scratch = _dirty(world.own_states(faults))
    assert _dirty(world._own) == scratch
    if world.backlogs:
        return  # a backlog's effect is no fault's: the kept states carry it
    health = world.model.evaluate(scratch)
    for name, h in health.items():
        assert h.close_to(world._target[name]), name


def _run_checked(path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh = World._refresh
    checked = []

    def checked_refresh(world: World) -> None:
        refresh(world)
        if not world._batching:
            _check(world)
            checked.append(world.now())

    monkeypatch.setattr(World, "_refresh", checked_refresh)
    Simulation(drillsim.load_scenario(path).spec, seed).run()
    assert checked


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_kept_own_states_and_health_match_a_full_evaluation(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run_checked(path, 3, monkeypatch)


def test_an_automatic_failover_that_tries_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instances crash and are repaired by themselves; one failover per failure."""
    path = write_active_standby_drill(
        tmp_path, mtbf_h=10.0, mttr_h=2.0, switchover_h=0.1, success=0.7, hours=2000.0
    )
    _run_checked(path, 5, monkeypatch)


def test_a_retry_storm_with_load_shedding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backlog's own state moves on its own timers, between fault changes."""
    path = write_storm_drill(
        tmp_path, lam=40.0, lasts="fixed(6s)", seconds=6 * 3600.0, shedding=True
    )
    _run_checked(path, 31, monkeypatch)
