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
    ActionCompleted,
    AlertFired,
    FaultCleared,
    FaultInjected,
    IncidentOpened,
    IncidentResolved,
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
    shedding: bool = False,
) -> Path:
    """Write the five documents of a retry-storm drill; return the scenario's path.

    The closed form describes a storm nobody touches, so unless ``shedding`` the
    responder's ``shed-load`` never works (success 0: tried, changes nothing).

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
            "runbook": {
                "shed-load": {"duration": "fixed(30s)", "success": 1.0 if shedding else 0.0}
            },
        },
    }
    for name, doc in docs.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder / "scenario.yaml"


STUCK_THRESHOLD_S = {40.0: 3.0, 60.0: 1.9}
"""D* by hand, trigger at 20 req/s (level mu c T = 20) with R = 3.

lam 40: the queue grows at 20/s and reaches 20 at 1 s; the first retries leave 1 s later
(a = 2, +60/s: 40 queued at 2 s), the second at 2 s (a = 3, +100/s: 100 = mu T at 3 s).
With the capacity back after D > 3 s, more than mu T is queued and a = 3 already makes
120 > 100 attempts/s: stuck. Before 3 s less than mu T is queued: it drains. D* = 3 s.
lam 60: 20 queued at 0.5 s (+40/s), retries from 1.5 s (a = 2, 60 queued, +100/s): 100
queued at 1.9 s, and a = 2 makes 120 > 100 attempts/s at full capacity. D* = 1.9 s."""


def attempts_per_request(record: ServiceHealthChanged, lam: float) -> float:
    """Attempts per request read from the log: saturation = lam a / (mu c), c = 1."""
    return record.saturation * MU / lam


def fluid_path(
    lam: float, d: float, amplified: float = R + 1, *, cancel: bool = False
) -> dict[str, float | bool]:
    """anchors.md §4.2's model as a fluid, solved segment by segment with the trigger
    [60 s, 60 s + d]: the reference the engine is checked against (written as a plain
    march over breakpoints, without SimPy or engine code).

    Under mu c T the queue moves at lam - mu c; from mu c T on, a retry generation
    leaves every T (a = 1 + k, capped at ``amplified``) and the queue moves at
    lam a - mu c; under mu c T again the retries stop. Returns the queue at the trigger's
    end, whether it ends stuck (over mu T and growing at a = ``amplified``), the instant it
    got there and the queue then, the slope afterwards, the instant it is empty again
    (inf while stuck) and the seconds spent capped (``cancel``: error 1 - mu c / lam).
    """
    end = TRIGGER_AT + d
    t, q, k = TRIGGER_AT, 0.0, 0
    next_timeout: float | None = None
    out: dict[str, float | bool] = {"q_end": 0.0, "capped_s": 0.0}
    for _ in range(1000):
        served = MU * (SHARE if t < end else 1.0)
        level = served * T
        a = 1.0 if k == 0 else min(1.0 + k, amplified)
        rate = lam * a - served
        near = abs(q - level) <= 1e-9 * level
        if not ((q > level and not near) or (near and rate > 0)):  # under the level
            k, next_timeout, rate = 0, None, lam - served
            if q <= 1e-9 and rate < 0:
                q, rate = 0.0, 0.0  # an empty queue stays empty
        elif cancel:
            rate = 0.0 if lam >= served else lam - served
        elif k == 0 and next_timeout is None:
            next_timeout = t + T
        over = k > 0 or next_timeout is not None or (cancel and rate == 0.0)
        if t >= end and q <= 1e-9 and rate <= 0:
            return {**out, "stuck": False, "slope": 0.0, "empty_at": t}
        if t >= end and k > 0 and a == amplified and rate > 0:
            return {
                **out,
                "stuck": True,
                "slope": rate,
                "since": t,
                "q_since": q,
                "empty_at": math.inf,
            }
        stops = [end] if t < end else []
        if next_timeout is not None and (k == 0 or 1.0 + k < amplified):
            stops.append(next_timeout)
        if rate > 0 and not over:
            stops.append(t + (level - q) / rate)
        if rate < 0:
            stops.append(t + (q - (level if over else 0.0)) / -rate)
        t_next = min(stops)
        if cancel and over and rate == 0.0:
            out["capped_s"] = float(out["capped_s"]) + t_next - t
        q, t = q + rate * (t_next - t), t_next
        if t == end:
            out["q_end"] = q
        if next_timeout is not None and t >= next_timeout:
            k += 1
            next_timeout = t + T if 1.0 + k < amplified else None
    raise AssertionError("no steady state")


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
        (40.0, 2.0, None, 300.0),  # §4.2 measured P(stuck) 0 at 2 s, 0.1 at 2.5 s
        (40.0, 2.5, None, 300.0),
        (60.0, 1.5, None, 300.0),  # §4.2 measured P(stuck) 0.1 at 1.5 s
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
    """lam 40 for 1.9 s: no request fails (the queue passes mu c T at 1 s, but the
    capacity is back before the first timeout at 2 s); with cancellation and 10 s, half
    the requests fail (20 of 40 req/s served) from when the queue holds mu c T, 1 s into
    the trigger, to its end: 4.5 error-seconds."""
    assert fluid_path(40.0, 1.9)["empty_at"] < 70.0
    assert error_seconds(write_storm_drill(tmp_path, lam=40.0, lasts="fixed(1.9s)"), 11) == 0.0
    cancel = tmp_path / "cancel"
    cancel.mkdir()
    path = write_storm_drill(cancel, lam=40.0, lasts="fixed(10s)", clients=CANCEL)
    expected = fluid_path(40.0, 10.0, cancel=True)["capped_s"]
    assert expected == pytest.approx(9.0)
    assert error_seconds(path, 12) == pytest.approx(0.5 * expected, rel=REL)


@pytest.mark.parametrize("lam", sorted(STUCK_THRESHOLD_S))
def test_the_thresholds_by_hand_agree_with_the_fluid_path(lam: float) -> None:
    """D* as derived by hand: just over it the reference path sticks, just under it the
    queue drains."""
    threshold = STUCK_THRESHOLD_S[lam]
    assert fluid_path(lam, threshold + 1e-3)["stuck"]
    assert not fluid_path(lam, threshold - 1e-3)["stuck"]


@pytest.mark.parametrize(
    ("lam", "d", "clients", "seconds"),
    [
        (40.0, 3.5, None, 300.0),  # §4.2 measured P(stuck) 0.8 at 3.5 s, 1 from 4 s
        (40.0, 4.0, None, 300.0),
        (40.0, 5.0, None, 300.0),
        (40.0, 6.0, None, 300.0),  # anchors.md §8.7: D >= 6 s stays stuck, slope 60/s
        (40.0, 8.0, None, 300.0),
        (40.0, 10.0, None, 300.0),
        (60.0, 2.0, None, 300.0),  # §4.2 measured P(stuck) 1 from 2 s
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
    since, q_since = float(expected["since"]), float(expected["q_since"])
    assert got["q"][t1] == pytest.approx(q_since + expected["slope"] * (t1 - since), rel=REL)
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
    threshold = STUCK_THRESHOLD_S[lam]
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
    p = 1.0 - math.exp(-2.0 * math.exp(-STUCK_THRESHOLD_S[40.0] / 2.0))
    se = math.sqrt(p * (1 - p) / len(seeds))
    assert abs(stuck / len(seeds) - p) < 3 * se, (stuck / len(seeds), p, se)


def test_a_responder_sheds_the_load_of_a_storm_that_outlived_its_trigger(
    tmp_path: Path,
) -> None:
    """With no fault left to repair, the paged responder finds the storm and runs the
    runbook's shed-load on the stuck service: the queue empties at that instant and, as
    lam = 40 < mu, the service is healthy from then on (the fluid model's recovery),
    and the incident is resolved as fixed. Without shedding the same drill stays stuck."""
    path = write_storm_drill(
        tmp_path, lam=40.0, lasts="fixed(6s)", seconds=6 * 3600.0, shedding=True
    )
    log = Simulation(drillsim.load_scenario(path).spec, 31).run().log
    done = [r for r in log if isinstance(r, ActionCompleted) and r.action == "shed-load"]
    assert done and done[0].service == "api" and done[0].success and done[0].effective
    shed_at = done[0].t
    health = api_health(log)
    after = [r for r in health if r.t >= shed_at]
    assert after[0].t == shed_at and after[0].error_rate == 0.0
    assert after[-1].error_rate == 0.0 and after[-1].saturation == pytest.approx(40.0 / MU)
    assert any(r.error_rate == 1.0 for r in health if r.t < shed_at)  # it was stuck before
    resolved = [r for r in log if isinstance(r, IncidentResolved)]
    assert resolved and resolved[-1].t >= shed_at

    unattended = tmp_path / "unattended"
    unattended.mkdir()
    path = write_storm_drill(unattended, lam=40.0, lasts="fixed(6s)", seconds=6 * 3600.0)
    log = Simulation(drillsim.load_scenario(path).spec, 31).run().log
    assert api_health(log)[-1].error_rate == 1.0
    assert not any(isinstance(r, ActionCompleted) and r.effective for r in log)
