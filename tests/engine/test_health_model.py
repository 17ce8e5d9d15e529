"""The health model: hard and soft dependencies, retries, redundancy and cycles."""

from __future__ import annotations

from typing import Any

import pytest

from drillsim.engine.health import HealthModel, OwnState
from drillsim.spec.topology import Topology


def topo(*services: dict[str, Any]) -> Topology:
    """A one-region topology from service dicts."""
    return Topology.model_validate(
        {
            "kind": "Topology",
            "version": 1,
            "name": "t",
            "regions": {"r": {"zones": ["a", "b"]}},
            "services": [{"team": "t", **s} for s in services],
        }
    )


def test_crash_propagates_along_hard_dependencies_only() -> None:
    """A crashed service fails its hard dependents and only slows its soft ones."""
    m = HealthModel(
        topo(
            {"name": "web", "depends_on": [{"service": "db"}, {"service": "recs", "kind": "soft"}]},
            {"name": "db"},
            {"name": "recs"},
            {"name": "api", "depends_on": [{"service": "recs", "kind": "soft"}]},
        )
    )
    h = m.evaluate({"db": OwnState(crashed=True)})
    assert h["db"].up == 0 and h["db"].error_rate == 1.0
    assert h["web"].error_rate == 1.0 and h["web"].up == 1
    h = m.evaluate({"recs": OwnState(crashed=True)})
    assert h["api"].error_rate == 0.0
    assert h["api"].latency_s > m.healthy["api"].latency_s


def test_retries_turn_partial_errors_into_fewer_failures() -> None:
    """With independent errors e and r retries a caller fails with probability e^(r+1)."""
    m = HealthModel(
        topo({"name": "api", "depends_on": [{"service": "db", "retries": 2}]}, {"name": "db"})
    )
    h = m.evaluate({"db": OwnState(error_rate=0.1)})
    assert h["api"].error_rate == pytest.approx(0.1**3)


def test_losing_replicas_below_k_overloads_the_rest() -> None:
    """A k-of-n service serves alive/k of its load once fewer than k replicas are up."""
    m = HealthModel(topo({"name": "s", "replicas": 4, "redundancy": {"mode": "k-of-n", "k": 3}}))
    assert m.evaluate({"s": OwnState(down_replicas=1)})["s"].error_rate == 0.0
    assert m.evaluate({"s": OwnState(down_replicas=2)})["s"].error_rate == pytest.approx(1 - 2 / 3)
    assert m.evaluate({"s": OwnState(down_replicas=4)})["s"].up == 0


def test_cycles_terminate_and_do_not_sustain_or_amplify_faults() -> None:
    """A healthy cycle stays healthy; a fault in a cycle reaches each member once, not forever."""
    m = HealthModel(
        topo(
            {"name": "a", "depends_on": [{"service": "b"}]},
            {"name": "b", "depends_on": [{"service": "c"}]},
            {"name": "c", "depends_on": [{"service": "a"}]},
        )
    )
    assert all(h.error_rate == 0 for h in m.evaluate({}).values())
    h = m.evaluate({"c": OwnState(error_rate=0.1)})
    assert h["c"].error_rate == pytest.approx(0.1)
    assert h["b"].error_rate == pytest.approx(0.1)
    assert h["a"].error_rate == pytest.approx(0.1)


def test_partition_cuts_one_edge_only() -> None:
    """A partitioned dependency fails its caller while other callers are fine."""
    m = HealthModel(
        topo(
            {"name": "x", "depends_on": [{"service": "db"}]},
            {"name": "y", "depends_on": [{"service": "db"}]},
            {"name": "db"},
        )
    )
    h = m.evaluate({"x": OwnState(partitioned={"db"})})
    assert h["x"].error_rate == 1.0 and h["y"].error_rate == 0.0
