"""Fault types, noise, failover outcomes, sleepy responders and the severity matrix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import drillsim
from drillsim.io.loader import Drill


def kinds(records: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Records of one kind."""
    return [r for r in records if r["kind"] == kind]


def faults(*specs: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A scenario edit replacing the faults."""

    def edit(doc: dict[str, Any]) -> None:
        doc["faults"] = list(specs)

    return edit


def test_region_outage_fails_the_database_over(vary: Callable[..., Drill]) -> None:
    """A region outage takes down what runs there; evacuation moves the database out."""
    drill = vary(
        scenario=faults(
            {
                "name": "eu-dark",
                "type": "region-outage",
                "target": {"region": "eu-west"},
                "at": "5m",
                "until": "duration",
                "lasts": "4h",
            }
        )
    )
    rec = drillsim.run(drill, seed=1).records
    injected = kinds(rec, "FaultInjected")[0]
    assert set(injected["services"]) == {"web", "orders", "recommendations", "orders-db"}
    db = [r for r in kinds(rec, "ServiceHealthChanged") if r["service"] == "orders-db"]
    assert db[0]["up"] == 0 and db[-1]["up"] == 1 and db[-1]["t"] < 4 * 3600


def test_partition_cuts_one_dependency_until_rerouted(vary: Callable[..., Drill]) -> None:
    """A partition fails the caller only, and a failover (re-route) ends it."""
    drill = vary(
        scenario=faults(
            {
                "name": "cut",
                "type": "partition",
                "target": {"service": "orders"},
                "dependency": "orders-db",
                "at": "5m",
            }
        )
    )
    rec = drillsim.run(drill, seed=2).records
    last = {r["service"]: r for r in kinds(rec, "ServiceHealthChanged")}
    hit = [r for r in kinds(rec, "ServiceHealthChanged") if r["t"] == 300.0]
    assert [r["service"] for r in hit] == ["orders"] and hit[0]["error_rate"] == 1.0
    assert all(r["service"] != "orders-db" for r in kinds(rec, "ServiceHealthChanged"))
    assert kinds(rec, "FaultCleared")[0]["by"] != "self-heal"
    assert last["orders"]["error_rate"] == 0.0


def test_capacity_loss_and_latency_are_scaled_away(vary: Callable[..., Drill]) -> None:
    """Capacity loss overloads a service until scaled; a latency fault shows in p99."""
    drill = vary(
        scenario=faults(
            {
                "name": "half",
                "type": "capacity-loss",
                "target": {"service": "orders"},
                "capacity": "80%",
                "at": "5m",
            },
        )
    )
    rec = drillsim.run(drill, seed=3).records
    orders = [r for r in kinds(rec, "ServiceHealthChanged") if r["service"] == "orders"]
    assert orders[0]["error_rate"] > 0.5 and orders[0]["saturation"] > 1
    assert any(r["action"] == "scale" and r["success"] for r in kinds(rec, "ActionCompleted"))
    assert orders[-1]["error_rate"] == 0.0


def test_false_positive_spikes_fire_only_when_longer_than_for(vary: Callable[..., Drill]) -> None:
    """Spikes on a healthy service fire as false positives, unless shorter than ``for:``."""

    def noisy(lasts: str) -> Callable[[dict[str, Any]], None]:
        def edit(doc: dict[str, Any]) -> None:
            doc["rules"][1]["false_positives"] = {"every": "1h", "lasts": lasts}

        return edit

    quiet = faults(
        {"name": "late", "type": "crash", "target": {"service": "recommendations"}, "at": "5h50m"}
    )
    long = drillsim.run(vary(rules=noisy("5m..10m"), scenario=quiet), seed=4).records
    fps = [r for r in kinds(long, "AlertFired") if r["false_positive"]]
    assert len(fps) >= 2 and all(not r["faults"] for r in fps)
    short = drillsim.run(vary(rules=noisy("10s..50s"), scenario=quiet), seed=4).records
    assert not [r for r in kinds(short, "AlertFired") if r["false_positive"]]


def test_flapping_refires_the_same_alert(vary: Callable[..., Drill]) -> None:
    """Dips under the threshold during a long outage resolve and re-fire one alert series."""

    def flappy(doc: dict[str, Any]) -> None:
        doc["rules"][1]["flapping"] = {"every": "20m", "lasts": "3m..6m"}
        doc["rules"][1]["for"] = "30s"

    long_fault = faults(
        {
            "name": "long",
            "type": "error-rate",
            "target": {"service": "recommendations"},
            "rate": "50%",
            "at": "5m",
            "until": "duration",
            "lasts": "4h",
        }
    )
    rec = drillsim.run(vary(rules=flappy, scenario=long_fault), seed=5).records
    fired = [r for r in kinds(rec, "AlertFired") if r["labels"]["service"] == "recommendations"]
    assert len(fired) >= 3 and len({r["fingerprint"] for r in fired}) == 1


def test_a_failover_that_never_succeeds_leaves_the_service_down(vary: Callable[..., Drill]) -> None:
    """With zero switchover success the database never recovers and nothing is mitigated."""

    def doomed(doc: dict[str, Any]) -> None:
        db = next(s for s in doc["services"] if s["name"] == "orders-db")
        db["redundancy"]["success"] = 0.0

    rec = drillsim.run(vary(topology=doomed), seed=6).records
    tries = [r for r in kinds(rec, "ActionCompleted") if r["action"] == "failover"]
    assert tries and not any(r["success"] for r in tries)
    db = [r for r in kinds(rec, "ServiceHealthChanged") if r["service"] == "orders-db"]
    assert db[-1]["up"] == 0
    assert not kinds(rec, "IncidentMitigated")


def test_asleep_responders_miss_pages_as_configured(vary: Callable[..., Drill]) -> None:
    """With asleep_miss 100%, every page to someone asleep is missed; awake ones are not."""

    def sleepy(doc: dict[str, Any]) -> None:
        doc["responders"] = {"asleep_miss": "100%", "miss": "0%"}

    rec = drillsim.run(vary(scenario=sleepy), seed=7).records
    missed = {(r["incident"], r["person"]) for r in kinds(rec, "PageMissed")}
    for page in kinds(rec, "PageSent"):
        assert ((page["incident"], page["person"]) in missed) == page["asleep"]


def test_severity_matrix_can_be_overridden(vary: Callable[..., Drill]) -> None:
    """A scenario's own severity rules replace the default matrix."""

    def house(doc: dict[str, Any]) -> None:
        doc["severity"] = [
            {"severity": "P1", "max_tier": 1, "min_error_rate": "50%"},
            {"severity": "P3"},
        ]

    rec = drillsim.run(vary(scenario=house), seed=8).records
    assert {r["severity"] for r in kinds(rec, "IncidentOpened")} == {"P1"}


def test_topology_correlation_folds_the_storm_into_one_incident(
    vary: Callable[..., Drill],
) -> None:
    """With correlation on, alerts on the crashed database's dependents join its incident."""

    def correlate(doc: dict[str, Any]) -> None:
        doc["correlation"] = {"by": "topology", "window": "10m"}

    plain = drillsim.run(vary(), seed=9).scorecard.kpis
    folded_run = drillsim.run(vary(scenario=correlate), seed=9)
    folded = folded_run.scorecard.kpis
    assert plain["incidents"] > 1 and plain["duplicate_incidents"] >= 1
    assert folded["incidents"] == 1 and folded["duplicate_incidents"] == 0
    assert folded["pages"] < plain["pages"]
    joined = kinds(folded_run.records, "AlertsCorrelated")
    assert joined and {r["incident"] for r in joined} == {"inc-0001"}


def test_maintenance_windows_spare_critical_alerts(vary: Callable[..., Drill]) -> None:
    """Planned work silences a service's warnings but its critical alerts still page,
    unless the window explicitly includes them."""

    def warn_and_crash(doc: dict[str, Any]) -> None:
        doc["faults"] = [
            {
                "name": "db",
                "type": "crash",
                "target": {"service": "orders-db"},
                "at": "10m",
                "remedy": "failover",
            }
        ]

    def rules(doc: dict[str, Any]) -> None:
        doc["rules"][1]["labels"] = {"severity": "warning"}  # HighErrorRate: a warning

    def window(include_critical: bool) -> Callable[[dict[str, Any]], None]:
        def edit(doc: dict[str, Any]) -> None:
            warn_and_crash(doc)
            doc["maintenance"] = [
                {
                    "services": ["orders-db", "orders", "web"],
                    "starts": "0",
                    "ends": "6h",
                    "include_critical": include_critical,
                }
            ]

        return edit

    spared = drillsim.run(vary(scenario=window(False), rules=rules), seed=3).records
    opened = {r["title"].split(" on ")[0] for r in kinds(spared, "IncidentOpened")}
    assert opened == {"ServiceDown"}  # critical still pages; the warnings are silenced
    assert (
        drillsim.run(vary(scenario=window(False), rules=rules), seed=3).scorecard.kpis[
            "alerts_silenced"
        ]
        == 3
    )
    everything = drillsim.run(vary(scenario=window(True), rules=rules), seed=3).records
    assert not kinds(everything, "IncidentOpened")


def test_time_window_grouping_joins_the_receivers_open_incident(
    vary: Callable[..., Drill],
) -> None:
    """PagerDuty-style time grouping: notifications to one receiver within the window
    join its open incident; a short window leaves later ones to open their own."""

    def grouping(window: str) -> Callable[[dict[str, Any]], None]:
        def edit(doc: dict[str, Any]) -> None:
            doc["correlation"] = {"by": "time", "window": window}

        return edit

    wide = drillsim.run(vary(scenario=grouping("30m")), seed=9).scorecard.kpis
    narrow = drillsim.run(vary(scenario=grouping("10s")), seed=9).scorecard.kpis
    assert wide["incidents"] == 1
    assert narrow["incidents"] > 1
