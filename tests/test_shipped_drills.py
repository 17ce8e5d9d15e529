"""Every drill shipped in scenarios/ validates, runs and tells a complete story."""

from __future__ import annotations

from pathlib import Path

import pytest

import drillsim

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_there_are_shipped_drills() -> None:
    """The README's starter and its siblings are present."""
    names = {p.name for p in SCENARIOS}
    assert {"orders-db-failover.yaml", "night-zone-outage.yaml", "bad-deploy-storm.yaml"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_drill_runs(path: Path) -> None:
    """The drill loads without warnings, detects its faults and pages somebody."""
    drill = drillsim.load_scenario(path)
    assert drill.warnings == ()
    kpis = drillsim.run(drill).scorecard.kpis
    assert kpis["faults"] >= 1 and kpis["faults_detected"] >= 1
    assert kpis["pages"] >= 1 and kpis["incidents"] >= 1
