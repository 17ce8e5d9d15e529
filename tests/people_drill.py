"""A tiny drill for responder-model tests: services with no dependencies, one "Down"
rule, one alert group per service, and on-call, responders and faults given per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import drillsim
from drillsim.io.loader import Drill


def write_people_drill(
    folder: Path,
    *,
    people: list[dict[str, Any]],
    policy_rules: list[dict[str, Any]],
    faults: list[dict[str, Any]],
    responders: dict[str, Any] | None = None,
    schedules: list[dict[str, Any]] | None = None,
    services: tuple[str, ...] = ("api",),
    start: str = "2026-03-10T10:00:00[UTC]",
    duration: str = "6h",
    loops: int = 1,
) -> Drill:
    """Write the five documents into ``folder`` and load the scenario."""
    docs: dict[str, dict[str, Any]] = {
        "topology.yaml": {
            "kind": "Topology",
            "version": 1,
            "name": "tiny",
            "regions": {"r": {"zones": ["a"]}},
            "services": [{"name": s, "team": "t", "tier": 1, "replicas": 2} for s in services],
        },
        "oncall.yaml": {
            "kind": "OnCall",
            "version": 1,
            "people": people,
            "schedules": schedules or [],
            "escalation_policies": [{"name": "pol", "loops": loops, "rules": policy_rules}],
        },
        "rules.yaml": {
            "kind": "AlertRules",
            "version": 1,
            "rules": [{"alert": "Down", "signal": "up", "op": "<", "threshold": 1}],
        },
        "routing.yaml": {
            "kind": "Routing",
            "version": 1,
            "route": {"receiver": "pager", "group_by": ["service"], "group_wait": "0s"},
            "receivers": [{"name": "pager", "escalation_policy": "pol"}],
        },
        "scenario.yaml": {
            "kind": "Scenario",
            "version": 1,
            "name": "people",
            "start": start,
            "duration": duration,
            "topology": "topology.yaml",
            "oncall": "oncall.yaml",
            "alerting": {"rules": "rules.yaml", "routing": "routing.yaml"},
            "responders": responders or {},
            "faults": faults,
        },
    }
    for name, doc in docs.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return drillsim.load_scenario(folder / "scenario.yaml")


def kinds(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Records of one kind, in log order."""
    return [r for r in records if r["kind"] == kind]
