"""Weekly series from a hand-written 15-day log with known answers."""

from __future__ import annotations

from typing import Any

import pytest

from drillsim.scoring.kpis import IncidentFacts
from drillsim.scoring.weekly import COLUMNS, repeat_incidents, weekly_people, weekly_rows

D = 86400.0


def _fault(t: float, fault: str, service: str) -> dict[str, Any]:
    return {"kind": "FaultInjected", "t": t, "fault": fault, "services": [service]}


def _incident(
    t: float, inc: str, service: str, faults: list[str], person: str, off_hours: bool
) -> list[dict[str, Any]]:
    """An alert about ``faults`` opening incident ``inc`` and paging ``person``."""
    return [
        {"kind": "AlertFired", "t": t, "fingerprint": f"a-{inc}", "faults": faults},
        {"kind": "NotificationSent", "t": t, "incident": inc, "firing": [f"a-{inc}"]},
        {"kind": "IncidentOpened", "t": t, "incident": inc, "severity": "SEV2",
         "services": [service]},
        _page(t, inc, person, off_hours),
    ]  # fmt: skip


def _page(t: float, inc: str, person: str, off_hours: bool) -> dict[str, Any]:
    return {"kind": "PageSent", "t": t, "incident": inc, "person": person, "off_hours": off_hours}


def _ack(t: float, inc: str) -> dict[str, Any]:
    return {"kind": "PageAcknowledged", "t": t, "incident": inc, "person": "x"}


def _resolved(t: float, inc: str) -> dict[str, Any]:
    return {"kind": "IncidentResolved", "t": t, "incident": inc, "reason": "fixed", "by": "x"}


def log() -> list[dict[str, Any]]:
    """Week 1: db fails twice (f1 opens two incidents, f2 a repeat); week 2: db again
    (a repeat) and a noise incident on db; day 15 (a 1-day block): cache fails."""
    records: list[dict[str, Any]] = [
        {
            "kind": "DrillStarted",
            "t": 0.0,
            "scenario": "s",
            "start": "2026-01-05T00:00:00+00:00",
            "duration_s": 15 * D,
            "people": [],
        },
        _fault(1 * D, "f1", "db"),
        *_incident(1 * D + 200, "I1", "db", ["f1"], "alice", True),
        *_incident(1 * D + 300, "I2", "web", ["f1"], "bob", False),
        _ack(1 * D + 500, "I1"),
        _ack(1 * D + 900, "I2"),
        _resolved(1 * D + 3800, "I1"),
        _fault(6 * D, "f2", "db"),
        *_incident(6 * D + 100, "I3", "db", ["f2"], "alice", True),
        _ack(6 * D + 160, "I3"),
        _resolved(6 * D + 1000, "I3"),
        _fault(9 * D, "f3", "db"),
        *_incident(9 * D + 50, "I4", "db", ["f3"], "carol", False),
        _page(9 * D + 60, "I4", "alice", True),
        _ack(9 * D + 650, "I4"),
        _resolved(9 * D + 2050, "I4"),
        *_incident(10 * D, "I5", "db", [], "alice", True),
        _ack(10 * D + 120, "I5"),
        _resolved(10 * D + 200, "I5"),
        _fault(14 * D + 3600, "f4", "cache"),
        *_incident(14 * D + 3700, "I6", "cache", ["f4"], "dana", False),
    ]
    return sorted(records, key=lambda r: r["t"])


def test_weekly_rows_of_a_known_log() -> None:
    rows = weekly_rows(log())
    assert [list(r) for r in rows] == [list(COLUMNS)] * 3
    assert rows[0] == {
        "week": 1, "from_date": "2026-01-05", "days": 7.0, "faults": 2, "incidents": 3,
        "repeat_incidents": 1, "acknowledged": 3, "tta_mean_s": 320.0, "tta_p90_s": 540.0,
        "resolved": 2, "ttr_mean_s": 2400.0, "ttr_p90_s": pytest.approx(3520.0),
        "pages": 3, "off_hours_pages": 2, "people_paged": 2, "max_pages_per_person": 2,
        "max_off_hours_pages_per_person": 2,
    }  # fmt: skip
    assert rows[1] == {
        "week": 2, "from_date": "2026-01-12", "days": 7.0, "faults": 1, "incidents": 2,
        "repeat_incidents": 1, "acknowledged": 2, "tta_mean_s": 360.0, "tta_p90_s": 552.0,
        "resolved": 1, "ttr_mean_s": 2050.0, "ttr_p90_s": 2050.0,
        "pages": 3, "off_hours_pages": 2, "people_paged": 2, "max_pages_per_person": 2,
        "max_off_hours_pages_per_person": 2,
    }  # fmt: skip
    assert rows[2] == {
        "week": 3, "from_date": "2026-01-19", "days": 1.0, "faults": 1, "incidents": 1,
        "repeat_incidents": 0, "acknowledged": 0, "tta_mean_s": None, "tta_p90_s": None,
        "resolved": 0, "ttr_mean_s": None, "ttr_p90_s": None,
        "pages": 1, "off_hours_pages": 0, "people_paged": 1, "max_pages_per_person": 1,
        "max_off_hours_pages_per_person": 0,
    }  # fmt: skip


def test_weekly_people_of_a_known_log() -> None:
    assert weekly_people(log()) == [
        {"week": 1, "person": "alice", "pages": 2, "off_hours_pages": 2},
        {"week": 1, "person": "bob", "pages": 1, "off_hours_pages": 0},
        {"week": 2, "person": "alice", "pages": 2, "off_hours_pages": 2},
        {"week": 2, "person": "carol", "pages": 1, "off_hours_pages": 0},
        {"week": 3, "person": "dana", "pages": 1, "off_hours_pages": 0},
    ]


def _inc(id_: str, opened: float, faults: list[str]) -> IncidentFacts:
    return IncidentFacts(id_, opened, "SEV2", ["web"], faults=faults)


def test_a_repeat_is_within_seven_days_on_a_hit_service_with_a_new_fault() -> None:
    """Exactly 7 days later is not a repeat; a shared fault is one outage; a fault on
    another service is not the same service failing; noise neither repeats nor counts."""
    hit = {"f1": ("db",), "f2": ("db",), "f3": ("db",), "f4": ("cache",), "f5": ("db",)}
    incidents = [
        _inc("a", 0.0, ["f1"]),
        _inc("b", 100.0, ["f1"]),  # same fault: not a repeat
        _inc("c", 7 * D, ["f2"]),  # 7 days after a: not within; 7d - 100s after b: repeat
        _inc("n", 8 * D, []),  # noise
        _inc("d", 14 * D + 100, ["f3"]),  # 7d + 100s after c: not a repeat
        _inc("e", 14 * D + 200, ["f4"]),  # cache: not a repeat
        _inc("f", 15 * D, ["f5"]),  # d a day ago: repeat
    ]
    assert repeat_incidents(incidents, hit) == {"c", "f"}


def test_the_weekly_module_is_pure() -> None:
    """Like kpis.py: importing it loads neither simpy nor matplotlib."""
    import subprocess
    import sys

    code = "import sys, drillsim.scoring.weekly; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {m.split(".")[0] for m in out.stdout.split()}
    assert not {"simpy", "matplotlib"} & loaded
