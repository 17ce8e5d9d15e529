"""Monitors fire and resolve on the Prometheus evaluation grid.

A health change at time c is seen by the first scrape at or after c, then by the first
evaluation at or after that scrape; the alert fires at the first evaluation at least
``for`` after the condition was first seen true.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import drillsim
from drillsim.engine.monitors import last_grid, next_grid, render_annotation
from drillsim.engine.simulation import Simulation
from drillsim.io.loader import Drill


def test_grid_helpers() -> None:
    """next_grid and last_grid find phase + k*step around a time, inclusive."""
    assert next_grid(10.0, 3.0, 15.0) == 18.0
    assert next_grid(18.0, 3.0, 15.0) == 18.0
    assert last_grid(17.9, 3.0, 15.0) == 3.0
    assert last_grid(18.0, 3.0, 15.0) == 18.0


def test_annotation_templates() -> None:
    """``$labels.x`` and ``$value`` are filled in."""
    text = render_annotation("{{ $labels.service }} at {{ $value }}", {"service": "db"}, 0.25)
    assert text == "db at 0.25"


@pytest.mark.parametrize("seed", range(6))
def test_fire_time_is_exact(mini_drill: Drill, seed: int) -> None:
    """The ServiceDown alert fires exactly where the grid arithmetic says."""
    sim = Simulation(mini_drill.spec, seed)
    records = sim.run().log.as_dicts()
    inst = next(i for i in sim.monitors.by_service["orders-db"] if i.rule.alert == "ServiceDown")
    change = next(
        r["t"]
        for r in records
        if r["kind"] == "ServiceHealthChanged" and r["service"] == "orders-db"
    )
    scrape = next_grid(change, inst.scrape_phase, 15.0)
    seen = next_grid(scrape, inst.eval_phase, 30.0)
    fired = next(
        r["t"]
        for r in records
        if r["kind"] == "AlertFired"
        and r["labels"]["service"] == "orders-db"
        and r["alert"] == "ServiceDown"
    )
    assert fired == pytest.approx(seen + 30.0 * math.ceil(60.0 / 30.0))


def test_a_blip_shorter_than_for_never_fires(vary: Callable[..., Drill]) -> None:
    """An outage that ends before ``for`` elapses leaves no alert for its service."""

    def blip(doc: dict[str, Any]) -> None:
        doc["faults"] = [
            {
                "name": "blip",
                "type": "crash",
                "target": {"service": "recommendations"},
                "at": "5m",
                "until": "duration",
                "lasts": "20s",
            }
        ]

    records = drillsim.run(vary(scenario=blip), seed=1).records
    assert not [r for r in records if r["kind"] == "AlertFired"]
