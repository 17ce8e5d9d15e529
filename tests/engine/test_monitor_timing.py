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
from drillsim.scoring.kpis import compute_kpis
from drillsim.spec.durations import parse_duration


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


@pytest.mark.parametrize(("resend_delay", "step"), [("1m", 90.0), ("0s", 30.0), ("2m", 150.0)])
@pytest.mark.parametrize("gap", ["5m", "40m"])
def test_alert_posts_count_prometheus_resends(
    vary: Callable[..., Drill], resend_delay: str, step: float, gap: str
) -> None:
    """Posts = sends while firing (every ``step``) + the resolution + its re-sends.

    Two crashes of 15 minutes, ``gap`` apart; rules evaluated every 30 s, so the step is
    the first multiple of 30 s strictly longer than the resend delay. A resolved alert is
    re-sent every step while at most 15 minutes old, the drill still runs, and no new
    pending alert of its series has taken its place (one does 5 minutes later: its
    ``for`` before it fires again).
    """
    rules_for = {"ServiceDown": 60.0, "HighErrorRate": 120.0}

    def crashes(doc: dict[str, Any]) -> None:
        second = 25 * 60 + parse_duration(gap)
        doc["faults"] = [
            {
                "name": f"crash-{n}",
                "type": "crash",
                "target": {"service": "recommendations"},
                "at": f"{at}s",
                "until": "duration",
                "lasts": "15m",
            }
            for n, at in enumerate((600, second))
        ]

    def resend(doc: dict[str, Any]) -> None:
        doc["resend_delay"] = resend_delay

    records = drillsim.run(vary(scenario=crashes, rules=resend), seed=3).records
    end = records[-1]["t"]
    runs: dict[str, list[list[float]]] = {}
    for r in records:
        if r["kind"] == "AlertFired":
            runs.setdefault(r["fingerprint"], []).append([r["t"], r["alert"]])
        elif r["kind"] == "AlertResolved":
            runs[r["fingerprint"]][-1].append(r["t"])
    assert runs and all(len(i) == 2 for i in runs.values())  # each fired twice
    expected = 0
    for instances in runs.values():
        for n, (fired, name, resolved) in enumerate(instances):
            stop = end
            if n + 1 < len(instances):  # the next alert's pending start
                stop = instances[n + 1][0] - rules_for[name]
            t = fired
            while t < resolved:  # sends while firing
                expected, t = expected + 1, t + step
            t = resolved
            while t - resolved <= 900.0 and t < stop:  # the resolution and its re-sends
                expected, t = expected + 1, t + step
    assert records[-1]["alert_posts"] == expected
    kpis = compute_kpis(records)
    assert kpis["alert_posts"] == expected
    assert kpis["alert_posts_deduplicated"] == expected - 4 * len(runs)
