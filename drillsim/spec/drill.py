"""A drill as the engine sees it: the five validated documents, nothing about files.

The loader (:mod:`drillsim.io.loader`) builds one per scenario; the engine and the
experiments take only this, so they never depend on how documents were read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drillsim.spec.alerting import AlertRules, Routing
from drillsim.spec.oncall import OnCall
from drillsim.spec.scenario import Scenario
from drillsim.spec.topology import Topology


@dataclass(frozen=True, slots=True)
class DrillSpec:
    """Scenario, topology, on-call, alert rules and routing of one drill."""

    scenario: Scenario
    topology: Topology
    oncall: OnCall
    rules: AlertRules
    routing: Routing
    compiled: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What the engine derives from the documents once and shares across replications."""
