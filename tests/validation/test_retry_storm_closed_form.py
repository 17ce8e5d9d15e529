"""Retry storms and metastable failures against anchors.md §4.2's closed form
(docs/validation.md §5).

The model, said in drillsim's own documents: one service ``api`` with ``capacity_rps:
100`` (mu), flat traffic of ``lam`` requests per second, and callers with ``clients:
{timeout: 1s, retries: 3}`` that do not cancel timed-out attempts. The trigger is a
``capacity-loss`` fault of 80% (capacity to 20 req/s) at 60 s for D seconds (``until:
duration``). The backlog model is fluid and exact between events, so the checks of the
band, the stuck state, its slope and its amplification are equalities up to float
rounding (tolerance 1e-6 relative), and the threshold is checked where it is random: with
exponential trigger lengths, P(stuck) = exp(-D*/mean) within 3 standard errors over
independent seeds.

Closed form (fluid, amplification starting when the wait at the current capacity
reaches the timeout): during the trigger the queue grows at lam - mu c until it holds
mu c T, then at lam (R+1) - mu c; at the trigger's end it is stuck iff it holds more than
mu T and lam (R+1) > mu, and then grows at lam (R+1) - mu with R + 1 attempts a request
and no goodput.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

import drillsim
from drillsim.engine.simulation import Simulation
from drillsim.events import (
    AlertFired,
    FaultCleared,
    FaultInjected,
    IncidentOpened,
    ServiceHealthChanged,
)

MU = 100.0
T = 1.0
R = 3
SHARE = 0.2  # capacity left during the trigger
TRIGGER_AT = 60.0
REL = 1e-6


def write_storm_drill(
    folder: Path,
    *,
    lam: float,
    lasts: str | None,
    seconds: float = 300.0,
    clients: dict[str, Any] | None = None,
    arrivals: dict[str, Any] | None = None,
) -> Path:
    """Write the five documents of a retry-storm drill; return the scenario's path.

    ``lasts`` is the trigger's length (``fixed(6s)``, ``exponential(mean=2s)``; None: no
    trigger, written as a loss of 0% since a scenario needs a fault); ``arrivals``
    replaces the single trigger at 60 s by Poisson ones.
    """
    fault: dict[str, Any] = {
        "name": "trigger",
        "type": "capacity-loss",
        "capacity": 1.0 - SHARE if lasts is not None else 0.0,
        "target": {"service": "api"},
        "lasts": lasts or "fixed(1s)",
        "until": "duration",
    }
    if arrivals is None:
        fault["at"] = f"{TRIGGER_AT:g}s"
    else:
        fault["arrivals"] = arrivals
    docs: dict[str, dict[str, Any]] = {
        "topology.yaml": {
            "kind": "Topology",
            "version": 1,
            "name": "storm",
            "regions": {"r": {"zones": ["a"]}},
            "services": [
                {
                    "name": "api",
                    "team": "t",
                    "tier": 1,
                    "replicas": 1,
                    "traffic": {"rps": lam},
                    "capacity_rps": MU,
                    "clients": clients
                    if clients is not None
                    else {"timeout": f"{T:g}s", "retries": R},
                }
            ],
        },
        "oncall.yaml": {
            "kind": "OnCall",
            "version": 1,
            "people": [{"name": "ana", "tz": "UTC"}],
            "escalation_policies": [
                {"name": "team", "rules": [{"delay": "30m", "targets": [{"user": "ana"}]}]}
            ],
        },
        "rules.yaml": {
            "kind": "AlertRules",
            "version": 1,
            "scrape_interval": "15s",
            "evaluation_interval": "15s",
            "rules": [
                {
                    "alert": "Errors",
                    "signal": "error_rate",
                    "op": ">",
                    "threshold": 0.5,
                    "for": "1m",
                }
            ],
        },
        "routing.yaml": {
            "kind": "Routing",
            "version": 1,
            "route": {"receiver": "pager", "group_by": ["service"]},
            "receivers": [{"name": "pager", "escalation_policy": "team"}],
        },
        "scenario.yaml": {
            "kind": "Scenario",
            "version": 1,
            "name": "retry storm",
            "start": "2026-01-05T00:00:00[UTC]",
            "duration": f"{seconds:g}s",
            "topology": "topology.yaml",
            "oncall": "oncall.yaml",
            "alerting": {"rules": "rules.yaml", "routing": "routing.yaml"},
            "faults": [fault],
        },
    }
    for name, doc in docs.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder / "scenario.yaml"


def stuck_threshold_s(lam: float, amplified: float = R + 1) -> float:
    """Trigger length D* beyond which the fluid queue is stuck (inf: never).

    The queue reaches mu c T after t1 = mu c T / (lam - mu c) and then grows at
    lam A - mu c; stuck iff it holds more than mu T at the trigger's end.
    """
    served = MU * SHARE
    if lam * amplified <= MU or lam <= served:
        return math.inf
    t1 = served * T / (lam - served)
    return t1 + (MU * T - served * T) / (lam * amplified - served)


def attempts_per_request(record: ServiceHealthChanged, lam: float) -> float:
    """Attempts per request read from the log: saturation = lam a / (mu c), c = 1."""
    return record.saturation * MU / lam


def fluid_path(
    lam: float, d: float, amplified: float = R + 1, *, cancel: bool = False
) -> dict[str, float | bool]:
    """The closed-form fluid path of anchors.md §4.2's model, trigger [60 s, 60 s + d].

    Returns the queue at the trigger's end, whether it is stuck, the slope afterwards
    (while stuck) and the instant the queue is empty again (inf while stuck).
    """
    served, level = MU * SHARE, MU * SHARE * T
    end = TRIGGER_AT + d
    if lam <= served:
        q_end = 0.0
    else:
        t1 = level / (lam - served)
        if d <= t1:
            q_end = (lam - served) * d
        elif cancel:
            q_end = level
        else:
            q_end = level + (lam * amplified - served) * (d - t1)
    slope = lam * amplified - MU
    if q_end > MU * T and not cancel:
        if slope > 0:
            return {"q_end": q_end, "stuck": True, "slope": slope, "empty_at": math.inf}
        back_at_level = end + (q_end - MU * T) / -slope
        return {
            "q_end": q_end,
            "stuck": False,
            "slope": 0.0,
            "empty_at": back_at_level + MU * T / (MU - lam),
        }
    return {"q_end": q_end, "stuck": False, "slope": 0.0, "empty_at": end + q_end / (MU - lam)}


def api_health(log: Any) -> list[ServiceHealthChanged]:
    return [r for r in log if isinstance(r, ServiceHealthChanged) and r.service == "api"]


def measure(path: Path, seed: int, lam: float, probes: tuple[float, float]) -> dict[str, Any]:
    """What a run says about the storm: the backlog slope between the probes, attempts per
    request and goodput from the last health record, when the queue was last empty."""
    drill = drillsim.load_scenario(path)
    sim = Simulation(drill.spec, seed)
    backlog = sim.world.backlogs["api"]
    seen: dict[float, float] = {}
    for t in probes:
        sim.sched.at(t, lambda t=t: seen.__setitem__(t, backlog.at(sim.env.now)))
    log = sim.run().log
    health = api_health(log)
    t0, t1 = probes
    healthy = [r.t for r in health if r.error_rate == 0.0 and r.saturation == lam / MU]
    if not health:  # the queue never formed: healthy throughout
        health = [
            ServiceHealthChanged(
                t=0.0,
                service="api",
                error_rate=0.0,
                latency_s=0.1,
                up=1,
                saturation=lam / MU,
                causes=(),
            )
        ]
        healthy = [0.0]
    last = health[-1]
    return {
        "slope": (seen[t1] - seen[t0]) / (t1 - t0),
        "q": seen,
        "attempts": attempts_per_request(last, lam),
        "goodput": lam * (1.0 - last.error_rate),
        "max_error": max(r.error_rate for r in health),
        "empty_at": healthy[-1] if healthy and last.t == healthy[-1] else math.inf,
        "alerts": [r for r in log if isinstance(r, AlertFired)],
        "incidents": [r for r in log if isinstance(r, IncidentOpened)],
    }


def error_seconds(path: Path, seed: int) -> float:
    """Integral of the api's error rate over the drill (from the log's health records)."""
    drill = drillsim.load_scenario(path)
    log = Simulation(drill.spec, seed).run().log
    health = api_health(log)
    end = drill.spec.scenario.duration
    times = [r.t for r in health] + [end]
    return sum(r.error_rate * (t1 - r.t) for r, t1 in zip(health, times[1:], strict=True))


BUDGET = {"timeout": "1s", "retries": R, "retry_budget": "10%"}
CANCEL = {"timeout": "1s", "retries": R, "cancel": True}


@pytest.mark.parametrize(
    ("lam", "d", "clients", "seconds"),
    [
        (20.0, 0.0, None, 300.0),  # anchors.md §4.2: lam 20 < mu/(R+1) recovers always
        (20.0, 10.0, None, 300.0),
        (20.0, 30.0, None, 300.0),
        (40.0, 1.0, None, 300.0),  # §8.7: lam 40, 1 s recovers
        (24.5, 60.0, None, 3000.0),  # just below the band: drains at 2/s, then recovers
        (40.0, 10.0, BUDGET, 300.0),  # a 10% retry budget: lam 40 no longer sticks
        (90.0, 20.0, BUDGET, 3000.0),  # ... nor lam 90 < mu / 1.1
        (40.0, 10.0, CANCEL, 300.0),  # cancelling timed-out attempts removes the sustain
    ],
)
def test_outside_the_band_every_trigger_is_recovered_from_on_time(
    tmp_path: Path, lam: float, d: float, clients: dict[str, Any] | None, seconds: float
) -> None:
    """The queue is empty again exactly when the closed form says (1e-6 relative), and the
    service ends healthy, one request one attempt."""
    path = write_storm_drill(
        tmp_path,
        lam=lam,
        lasts=f"fixed({d:g}s)" if d else None,
        seconds=seconds,
        clients=clients,
    )
    amplified = 1.1 if clients is BUDGET else R + 1.0
    cancel = clients is CANCEL
    expected = fluid_path(lam, d, amplified, cancel=cancel) if d else {"empty_at": 0.0}
    got = measure(path, 100 + int(lam * 10 + d), lam, (seconds - 60.0, seconds - 1.0))
    assert expected["empty_at"] < seconds - 60.0
    assert got["empty_at"] == pytest.approx(expected["empty_at"], rel=REL)
    assert got["attempts"] == pytest.approx(1.0, rel=REL)
    assert got["goodput"] == pytest.approx(lam, rel=REL)
    assert got["slope"] == 0.0 and got["q"][seconds - 1.0] == 0.0


def test_the_only_errors_of_a_recovered_trigger_are_its_own(tmp_path: Path) -> None:
    """lam 40, 1 s: no request fails (the queue reaches mu c T just as the capacity comes
    back); with cancellation and 10 s, half the requests fail (20 of 40 req/s served)
    from when the queue holds mu c T, 1 s into the trigger, to its end: 4.5 error-seconds."""
    assert error_seconds(write_storm_drill(tmp_path, lam=40.0, lasts="fixed(1s)"), 11) == 0.0
    cancel = tmp_path / "cancel"
    cancel.mkdir()
    path = write_storm_drill(cancel, lam=40.0, lasts="fixed(10s)", clients=CANCEL)
    assert error_seconds(path, 12) == pytest.approx(0.5 * (10.0 - 1.0), rel=REL)


@pytest.mark.parametrize(
    ("lam", "d", "clients", "seconds"),
    [
        (40.0, 6.0, None, 300.0),  # anchors.md §8.7: D >= 6 s stays stuck, slope 60/s
        (40.0, 8.0, None, 300.0),
        (40.0, 10.0, None, 300.0),
        (60.0, 3.0, None, 300.0),  # §4.2: slope 140/s
        (25.5, 60.0, None, 3000.0),  # just above mu/(R+1) = 25: stuck, slope 2/s
        (92.0, 20.0, BUDGET, 3000.0),  # with a 10% budget the band is mu/1.1 < lam < mu
    ],
)
def test_inside_the_band_a_long_trigger_leaves_a_metastable_storm(
    tmp_path: Path, lam: float, d: float, clients: dict[str, Any] | None, seconds: float
) -> None:
    """Long after the trigger ended the backlog grows at lam A - mu, each request makes A
    attempts (R + 1, or 1.1 with the budget) and none succeeds; the error alert fires,
    blamed on the trigger, and opens an incident (1e-6 relative)."""
    path = write_storm_drill(
        tmp_path, lam=lam, lasts=f"fixed({d:g}s)", seconds=seconds, clients=clients
    )
    amplified = 1.1 if clients is BUDGET else R + 1.0
    expected = fluid_path(lam, d, amplified)
    assert expected["stuck"]
    t0, t1 = seconds - 60.0, seconds - 1.0
    got = measure(path, 200 + int(lam * 10 + d), lam, (t0, t1))
    assert got["slope"] == pytest.approx(lam * amplified - MU, rel=REL)
    end = TRIGGER_AT + d
    assert got["q"][t1] == pytest.approx(
        expected["q_end"] + expected["slope"] * (t1 - end), rel=REL
    )
    assert got["attempts"] == pytest.approx(amplified, rel=REL)
    assert got["goodput"] == 0.0
    assert got["empty_at"] == math.inf
    fired = [a for a in got["alerts"] if a.t > end]
    assert fired and all(a.faults == ("trigger",) for a in fired)
    assert got["incidents"]


@pytest.mark.parametrize(
    ("lam", "mean_s", "seeds"),
    [(40.0, 2.0, range(5000, 6000)), (60.0, 1.0, range(6000, 7000))],
)
def test_the_stuck_threshold_with_random_trigger_lengths(
    tmp_path: Path, lam: float, mean_s: float, seeds: range
) -> None:
    """Trigger lengths exponential(mean): a seed is stuck at the end exactly when its
    trigger outlasted D* (exact path, every seed), so P(stuck) = exp(-D*/mean), within
    3 standard errors over independent seeds (seeds of its own per check)."""
    path = write_storm_drill(tmp_path, lam=lam, lasts=f"exponential(mean={mean_s:g}s)")
    threshold = stuck_threshold_s(lam)
    drill = drillsim.load_scenario(path)
    stuck = []
    for seed in seeds:
        log = Simulation(drill.spec, seed).run().log
        health = api_health(log)
        verdict = bool(health) and health[-1].error_rate == 1.0
        started = [r.t for r in log if isinstance(r, FaultInjected)]
        ended = [r.t for r in log if isinstance(r, FaultCleared)]
        assert verdict == (ended[0] - started[0] > threshold), seed
        stuck.append(verdict)
    p = math.exp(-threshold / mean_s)
    share = sum(stuck) / len(stuck)
    se = math.sqrt(p * (1 - p) / len(stuck))
    assert abs(share - p) < 3 * se, (share, p, se)


@pytest.mark.slow
def test_poisson_triggers_over_two_hours(tmp_path: Path) -> None:
    """Capacity losses arriving as a Poisson stream (every 1 h on average, exponential
    lengths of mean 2 s) over 2 h at lam 40: each trigger alone sticks the service with
    probability p = exp(-D*/2 s), so P(stuck by the end) = 1 - exp(-2 p); overlapping
    triggers (a few seconds in an hour) shift that by well under 0.01. 3 SE over 2,000
    seeds of its own."""
    path = write_storm_drill(
        tmp_path,
        lam=40.0,
        lasts="exponential(mean=2s)",
        arrivals={"every": "1h"},
        seconds=7200.0,
    )
    drill = drillsim.load_scenario(path)
    stuck = 0
    seeds = range(7000, 9000)
    for seed in seeds:
        health = api_health(Simulation(drill.spec, seed).run().log)
        stuck += bool(health) and health[-1].error_rate == 1.0
    p = 1.0 - math.exp(-2.0 * math.exp(-stuck_threshold_s(40.0) / 2.0))
    se = math.sqrt(p * (1 - p) / len(seeds))
    assert abs(stuck / len(seeds) - p) < 3 * se, (stuck / len(seeds), p, se)
