"""End-to-end behaviour of the engine on the small drill and its variants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import drillsim
from drillsim.io.loader import Drill


def kinds(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Records of one kind."""
    return [r for r in records if r["kind"] == kind]


def _automatic_failover(topology: dict[str, Any]) -> None:
    """orders-db switches over by itself, 30 s after its primary goes down, always."""
    db = next(s for s in topology["services"] if s["name"] == "orders-db")
    db["redundancy"].update({"automatic": True, "detection": "30s", "success": 1.0})


def _db_errors_at(at: str) -> dict[str, Any]:
    """A 20-minute error fault on orders-db (half the requests fail) starting at ``at``."""
    return {
        "name": "db-errors",
        "type": "error-rate",
        "rate": 0.5,
        "target": {"service": "orders-db"},
        "at": at,
        "lasts": "fixed(20m)",
        "until": "self-heal",
    }


def test_failover_recovers_dependents_through_the_model(mini_drill: Drill) -> None:
    """After the database fails over, orders and web recover in dependency order."""
    rec = drillsim.run(mini_drill, seed=1).records
    failover = next(
        r for r in kinds(rec, "ActionCompleted") if r["action"] == "failover" and r["success"]
    )
    recovered = {
        r["service"]: r["t"]
        for r in kinds(rec, "ServiceHealthChanged")
        if r["t"] >= failover["t"] and r["error_rate"] == 0
    }
    assert recovered["orders-db"] <= recovered["orders"] <= recovered["web"]
    assert recovered["orders"] - recovered["orders-db"] == 2.0  # orders -> db timeout 2s
    assert kinds(rec, "IncidentMitigated")


def test_propagation_delay_follows_dependency_timeouts(mini_drill: Drill) -> None:
    """The crash reaches orders after its 2s timeout and web after 1s x 2 attempts more."""
    rec = drillsim.run(mini_drill, seed=1).records
    down = {}
    for r in kinds(rec, "ServiceHealthChanged"):
        down.setdefault(r["service"], r["t"])
    assert down["orders-db"] == 600.0
    assert down["orders"] == 602.0
    assert down["web"] == 604.0


def test_automatic_failover_needs_no_responder(vary: Callable[..., Drill]) -> None:
    """An automatic active-standby switches over by itself after detection + switchover."""

    rec = drillsim.run(vary(topology=_automatic_failover), seed=2).records
    db = [r for r in kinds(rec, "ServiceHealthChanged") if r["service"] == "orders-db"]
    assert db[0]["t"] == 600.0 and db[0]["up"] == 0
    assert db[1]["t"] == 600.0 + 30 + 180 and db[1]["up"] == 1


def test_cyclic_topology_runs_to_the_end(vary: Callable[..., Drill]) -> None:
    """A dependency cycle through the crashed service does not hang the drill."""

    def cycle(doc: dict[str, Any]) -> None:
        db = next(s for s in doc["services"] if s["name"] == "orders-db")
        db["depends_on"] = [{"service": "orders", "kind": "soft"}]

    rec = drillsim.run(vary(topology=cycle), seed=3).records
    assert rec[-1]["kind"] == "DrillEnded"


def test_bad_deploy_starts_with_a_deploy_and_rollback_ends_it(vary: Callable[..., Drill]) -> None:
    """A bad deploy is preceded by its deploy event and is ended by a rollback."""

    def deploy(doc: dict[str, Any]) -> None:
        doc["faults"] = [
            {
                "name": "v2",
                "type": "bad-deploy",
                "target": {"service": "orders"},
                "at": "5m",
                "rate": "40%",
                "version": "v2.3.1",
            }
        ]

    rec = drillsim.run(vary(scenario=deploy), seed=4).records
    i = next(n for n, r in enumerate(rec) if r["kind"] == "DeployStarted")
    assert rec[i]["version"] == "v2.3.1" and rec[i + 1]["kind"] == "FaultInjected"
    cleared = kinds(rec, "FaultCleared")
    assert cleared and cleared[0]["fault"] == "v2"
    assert any(r["action"] == "rollback" and r["success"] for r in kinds(rec, "ActionCompleted"))


def test_zone_outage_is_evacuated(vary: Callable[..., Drill]) -> None:
    """A fixed-length zone outage hits the services placed there; responders evacuate."""

    def zone(doc: dict[str, Any]) -> None:
        doc["faults"] = [
            {
                "name": "az-a",
                "type": "zone-outage",
                "target": {"zone": "eu-west/a"},
                "at": "5m",
                "until": "duration",
                "lasts": "3h",
            }
        ]

    rec = drillsim.run(vary(scenario=zone), seed=5).records
    injected = kinds(rec, "FaultInjected")[0]
    assert "orders-db" in injected["services"] and "web" in injected["services"]
    assert any(r["action"] == "evacuate" for r in kinds(rec, "ActionStarted"))
    assert kinds(rec, "FaultCleared")[0]["by"] == "duration"


def test_stochastic_arrivals_make_several_occurrences(vary: Callable[..., Drill]) -> None:
    """A fault with arrivals starts many times over a long drill, each with its own id."""

    def arrivals(doc: dict[str, Any]) -> None:
        doc["duration"] = "7d"
        doc["faults"] = [
            {
                "name": "flaky",
                "type": "error-rate",
                "target": {"tier": 1},
                "rate": "20%",
                "arrivals": {"every": "1d"},
                "lasts": "10m..1h",
            }
        ]

    rec = drillsim.run(vary(scenario=arrivals), seed=6).records
    ids = [r["fault"] for r in kinds(rec, "FaultInjected")]
    assert len(ids) > 5 and len(set(ids)) == len(ids)
    assert all("@" in i and "#" in i for i in ids)


def test_a_fault_absorbed_by_failover_is_not_blamed_for_later_trouble(
    vary: Callable[..., Drill],
) -> None:
    """The crashed primary stays crashed after the automatic failover, but the standby
    serves: an error burst on the database hours later is the burst's doing alone, and
    its incident's times count from the burst, not from the crash (the crash used to be
    blamed too, and a 90-day drill's resolve times ran to days)."""

    def burst(doc: dict[str, Any]) -> None:
        doc["faults"][0]["remedy"] = "restart"  # nobody repairs the primary in this drill
        doc["faults"].append(_db_errors_at("3h"))

    rec = drillsim.run(vary(topology=_automatic_failover, scenario=burst), seed=2).records
    db = [r for r in kinds(rec, "ServiceHealthChanged") if r["service"] == "orders-db"]
    assert "db-crash" not in {c["fault"] for c in kinds(rec, "FaultCleared")}  # all drill
    assert db[0]["causes"] == ("db-crash",)  # before the failover: the crash
    assert db[1]["up"] == 1 and db[1]["causes"] == ()  # the standby took over
    during = [r for r in db if r["t"] >= 3 * 3600 and r["error_rate"] > 0]
    assert during and all(r["causes"] == ("db-errors",) for r in during)


def test_a_switchover_under_way_is_the_crashs_doing(vary: Callable[..., Drill]) -> None:
    """The automatic switchover runs 630-810 s. An error fault that starts on the
    database at 700 s changes its state mid-switch: the crash that forced the switch is
    still blamed beside it (the switch downs the service whatever the faults are, so a
    comparison that counted it would find the crash made no difference)."""

    def errors(doc: dict[str, Any]) -> None:
        doc["faults"].append(_db_errors_at("700s"))

    rec = drillsim.run(vary(topology=_automatic_failover, scenario=errors), seed=2).records
    db = [r for r in kinds(rec, "ServiceHealthChanged") if r["service"] == "orders-db"]
    mid_switch = [r for r in db if r["t"] == 700.0]
    assert mid_switch and mid_switch[0]["causes"] == ("db-crash", "db-errors")
