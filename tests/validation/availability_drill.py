"""drillsim documents that make a k-of-n service of independently failing replicas.

Each replica runs in a zone of its own (placement spreads replicas round-robin over a
region's zones), and each zone has a ``zone-outage`` fault with ``arrivals: {every:
MTBF, gap_from: end}`` and ``lasts: exponential(mean=MTTR)``, ``until: duration``: up
times exponential with mean MTBF alternating with exponential repairs of mean MTTR,
one repair crew per replica (independent repair), or one crew for all of them
(``crew``: shared repair, oldest failure first). The receiver has no escalation
policy, so no responder evacuates or scales anything: health is the faults' alone.
Availability is read from the service's ``ServiceHealthChanged`` records: up while it
is not impaired (a k-of-n service with fewer than k replicas sheds load: errors).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from drillsim.engine.simulation import Simulation
from drillsim.engine.world import IMPAIRED_ERROR_RATE
from drillsim.events import ServiceHealthChanged
from drillsim.io.loader import Drill


def write_k_of_n_drill(
    folder: Path,
    *,
    k: int,
    n: int,
    mtbf_h: float,
    mttr_h: float,
    hours: float,
    crew: str | None = None,
) -> Path:
    """Write the documents of a k-of-n drill into ``folder``; return the scenario. With
    ``crew`` the replicas share one repair crew (``arrivals: {crew: ...}``)."""
    arrivals: dict[str, str] = {"every": f"{mtbf_h:g}h", "gap_from": "end"}
    if crew is not None:
        arrivals["crew"] = crew
    zones = [f"z{i}" for i in range(n)]
    docs: dict[str, dict[str, Any]] = {
        "topology.yaml": {
            "kind": "Topology",
            "version": 1,
            "name": "k-of-n",
            "regions": {"r": {"zones": zones}},
            "services": [
                {
                    "name": "db",
                    "team": "t",
                    "replicas": n,
                    "placement": {"regions": ["r"]},
                    "redundancy": {"mode": "k-of-n", "k": k},
                }
            ],
        },
        "oncall.yaml": {
            "kind": "OnCall",
            "version": 1,
            "people": [{"name": "p", "tz": "UTC"}],
            "escalation_policies": [
                {"name": "unused", "rules": [{"delay": "5m", "targets": [{"user": "p"}]}]}
            ],
        },
        "rules.yaml": {
            "kind": "AlertRules",
            "version": 1,
            "rules": [{"alert": "Errors", "signal": "error_rate", "op": ">", "threshold": 0}],
        },
        "routing.yaml": {
            "kind": "Routing",
            "version": 1,
            "route": {"receiver": "log"},
            "receivers": [{"name": "log"}],
        },
        "scenario.yaml": {
            "kind": "Scenario",
            "version": 1,
            "name": "k-of-n availability",
            "start": "2026-01-05T00:00:00[UTC]",
            "duration": f"{hours:.0f}h",
            "topology": "topology.yaml",
            "oncall": "oncall.yaml",
            "alerting": {"rules": "rules.yaml", "routing": "routing.yaml"},
            "faults": [
                {
                    "type": "zone-outage",
                    "target": {"zone": f"r/{z}"},
                    "arrivals": arrivals,
                    "lasts": f"exponential(mean={mttr_h:g}h)",
                    "until": "duration",
                }
                for z in zones
            ],
        },
    }
    for name, doc in docs.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder / "scenario.yaml"


def write_active_standby_drill(
    folder: Path,
    *,
    mtbf_h: float,
    mttr_h: float,
    switchover_h: float,
    success: float,
    hours: float,
) -> Path:
    """An active-standby service whose two instances crash independently (``target:
    {instance: ...}``, failures counted from repair, one shared repair crew) and fail
    over automatically once per failure (``retry: false``, detection 0s)."""
    path = write_k_of_n_drill(folder, k=1, n=2, mtbf_h=mtbf_h, mttr_h=mttr_h, hours=hours)
    topology = yaml.safe_load((folder / "topology.yaml").read_text())
    topology["services"][0] = {
        "name": "db",
        "team": "t",
        "replicas": 1,
        "placement": {"regions": ["r"], "zones": ["z0"]},
        "redundancy": {
            "mode": "active-standby",
            "standby_region": "r",
            "standby_zone": "z1",
            "switchover": f"{switchover_h * 60:g}m",
            "success": success,
            "automatic": True,
            "detection": "0s",
            "retry": False,
        },
    }
    (folder / "topology.yaml").write_text(yaml.safe_dump(topology, sort_keys=False))
    scenario = yaml.safe_load(path.read_text())
    scenario["faults"] = [
        {
            "name": f"crash-{instance}",
            "type": "crash",
            "target": {"service": "db", "instance": instance},
            "arrivals": {"every": f"{mtbf_h:g}h", "gap_from": "end", "crew": "ops"},
            "lasts": f"exponential(mean={mttr_h:g}h)",
            "until": "duration",
        }
        for instance in ("primary", "standby")
    ]
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def availability(drill: Drill, seed: int, service: str = "db") -> float:
    """Share of the drill during which ``service`` was up (not impaired), from the log."""
    log = Simulation(drill.spec, seed).run().log
    end = drill.spec.scenario.duration
    up_since: float | None = 0.0
    up_total = 0.0
    for rec in log:
        if not isinstance(rec, ServiceHealthChanged) or rec.service != service:
            continue
        up = rec.up == 1 and rec.error_rate <= IMPAIRED_ERROR_RATE
        if up and up_since is None:
            up_since = rec.t
        elif not up and up_since is not None:
            up_total += rec.t - up_since
            up_since = None
    if up_since is not None:
        up_total += end - up_since
    return up_total / end
