"""Pydantic models of every input document. Pure: no simpy, no file I/O.

Each document kind is a model with ``kind:`` and ``version:`` fields; :data:`KINDS` maps
the ``kind`` value to its model, which is also what ``drillsim schema`` publishes.
"""

from __future__ import annotations

from pydantic import BaseModel

from drillsim.spec.alerting import AlertRule, AlertRules, Receiver, Route, Routing
from drillsim.spec.oncall import EscalationPolicy, Layer, OnCall, Person, Schedule
from drillsim.spec.scenario import Fault, Scenario
from drillsim.spec.staffing import StaffingStudy
from drillsim.spec.sweep import Sweep
from drillsim.spec.topology import Dependency, Service, Topology

KINDS: dict[str, type[BaseModel]] = {
    "Scenario": Scenario,
    "Topology": Topology,
    "OnCall": OnCall,
    "AlertRules": AlertRules,
    "Routing": Routing,
    "Sweep": Sweep,
    "StaffingStudy": StaffingStudy,
}

__all__ = [
    "KINDS",
    "AlertRule",
    "AlertRules",
    "Dependency",
    "EscalationPolicy",
    "Fault",
    "Layer",
    "OnCall",
    "Person",
    "Receiver",
    "Route",
    "Routing",
    "Scenario",
    "Schedule",
    "Service",
    "StaffingStudy",
    "Sweep",
    "Topology",
]
