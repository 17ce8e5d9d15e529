"""drillsim documents that make the on-call team an M/M/c (or M/M/c/K) queue.

Incidents arrive as a Poisson stream: one crash fault with ``arrivals: {spread:
rotate}`` hits ``SERVICES`` services in turn, so each arrival meets a healthy service
(its last crash was about ``SERVICES`` arrivals ago) and opens an incident of its own.
Alerts fire at the first 1-second evaluation after the crash and notify at once
(``group_wait: 0s``), so an incident opens within about 2 s of its fault: Poisson
arrivals shifted by a bounded jitter that is 1/1800 of a mean service time.

Everything that would add time is switched off through scenario settings: no
notification delay, no acknowledgement delay, no misses, no fatigue, no hand-offs
(the policy targets users, not schedules), no wrong hypotheses, no skills penalty,
instant and certain restarts, no verification or wrap-up. What is left is the
investigation, ``exponential(mean=1/mu)``: the handling time. All ``c`` responders are
paged together; one who is busy queues the page, and when free takes the oldest waiting
incident nobody acknowledged, which makes the queue a shared FIFO one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from drillsim.engine.simulation import Simulation
from drillsim.events import IncidentOpened, PageAcknowledged, PageDeclined
from drillsim.io.loader import Drill

SERVICES = 48


def write_queue_drill(
    folder: Path,
    *,
    servers: int,
    arrival_gap_min: float,
    service_mean_min: float,
    hours: float,
    max_waiting: int | None = None,
    services: int = SERVICES,
    self_heal_h: float | None = None,
) -> Path:
    """Write the five documents of an M/M/c (M/M/c/K with ``max_waiting = K - c``)
    drill into ``folder``; return the scenario's path."""
    names = [f"s{i:03d}" for i in range(services)]
    people = [f"r{i}" for i in range(servers)]
    responders: dict[str, Any] = {
        "ack": "fixed(0s)",
        "miss": 0.0,
        "asleep_miss": 0.0,
        "asleep_ack_factor": 1.0,
        "notify": [{"channel": "push"}],
        "channels": {"push": {"delivery": "0s"}},
        "fatigue": {"enabled": False},
        "handoff": {"enabled": False},
        "investigate": f"exponential(mean={service_mean_min:g}m)",
        "investigation_timebox": "100000h",
        "unskilled_factor": 1.0,
        "wrong_base": 0.0,
        "wrong_per_symptom_share": 0.0,
        "verify": "fixed(0s)",
        "wrap_up": "fixed(0s)",
    }
    if max_waiting is not None:
        responders["max_waiting"] = max_waiting
    docs: dict[str, dict[str, Any]] = {
        "topology.yaml": {
            "kind": "Topology",
            "version": 1,
            "name": "queue",
            "regions": {"r": {"zones": ["a"]}},
            "services": [{"name": s, "team": "t", "tier": 1, "replicas": 1} for s in names],
        },
        "oncall.yaml": {
            "kind": "OnCall",
            "version": 1,
            "people": [{"name": n, "tz": "UTC"} for n in people],
            "escalation_policies": [
                {
                    "name": "team",
                    "loops": 1,
                    "rules": [{"delay": "1000h", "targets": [{"user": n} for n in people]}],
                }
            ],
        },
        "rules.yaml": {
            "kind": "AlertRules",
            "version": 1,
            "scrape_interval": "1s",
            "evaluation_interval": "1s",
            "rules": [{"alert": "Down", "signal": "up", "op": "<", "threshold": 1}],
        },
        "routing.yaml": {
            "kind": "Routing",
            "version": 1,
            "route": {
                "receiver": "pager",
                "group_by": ["service"],
                "group_wait": "0s",
                "group_interval": "1s",
            },
            "receivers": [{"name": "pager", "escalation_policy": "team"}],
        },
        "scenario.yaml": {
            "kind": "Scenario",
            "version": 1,
            "name": "on-call as a queue",
            "start": "2026-01-05T00:00:00[UTC]",
            "duration": f"{hours:g}h",
            "topology": "topology.yaml",
            "oncall": "oncall.yaml",
            "alerting": {"rules": "rules.yaml", "routing": "routing.yaml"},
            "responders": responders,
            "runbook": {"restart": {"duration": "fixed(0s)", "success": 1.0}},
            "faults": [
                {
                    "type": "crash",
                    "target": {"tier": 1},
                    "arrivals": {"every": f"{arrival_gap_min:g}m", "spread": "rotate"},
                    "until": "repaired",
                }
            ],
        },
    }
    if self_heal_h is not None:
        fault = docs["scenario.yaml"]["faults"][0]
        fault["lasts"] = f"fixed({self_heal_h:g}h)"
        fault["until"] = "self-heal"
    for name, doc in docs.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder / "scenario.yaml"


def incident_waits(drill: Drill, seed: int, warm_up_s: float) -> tuple[list[float], int]:
    """Waits (s) of the incidents opened after ``warm_up_s`` and acknowledged, and how
    many of those incidents were blocked (every page declined: never acknowledged)."""
    log = Simulation(drill.spec, seed).run().log
    opened: dict[str, float] = {}
    acked: dict[str, float] = {}
    declined: dict[str, int] = {}
    for rec in log:
        if isinstance(rec, IncidentOpened):
            opened[rec.incident] = rec.t
        elif isinstance(rec, PageAcknowledged) and rec.incident not in acked:
            acked[rec.incident] = rec.t
        elif isinstance(rec, PageDeclined):
            declined[rec.incident] = declined.get(rec.incident, 0) + 1
    waits = [acked[i] - t for i, t in opened.items() if t >= warm_up_s and i in acked]
    blocked = sum(
        1 for i, t in opened.items() if t >= warm_up_s and i not in acked and declined.get(i)
    )
    return waits, blocked
