"""The threshold/for sweep: same seeds for every pair, so the directions are exact."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from drillsim.cli.main import cli
from drillsim.experiments.sensitivity import sweep_rule
from drillsim.io.loader import Drill

MINI_SCENARIO = Path(__file__).parent / "data" / "mini" / "scenario.yaml"


def test_longer_for_detects_later_and_fires_less_noise(mini_drill: Drill) -> None:
    """Raising for: never detects earlier, never misses fewer faults, never adds false alerts."""
    rows = sweep_rule(mini_drill.spec, "HighErrorRate", ["5%"], [0.0, 120.0, 900.0], 3, 4)
    detect = [r.detection_s for r in rows]
    assert all(a is not None for a in detect)
    assert detect == sorted(detect)  # type: ignore[type-var]
    assert [r.undetected for r in rows] == sorted(r.undetected for r in rows)
    assert [r.false_alerts for r in rows] == sorted((r.false_alerts for r in rows), reverse=True)


def test_sensitivity_cli_prints_rows_as_json() -> None:
    """One row per (threshold, for) pair; an unknown rule is a clean error."""
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "sensitivity",
            str(MINI_SCENARIO),
            "--rule",
            "HighErrorRate",
            "--thresholds",
            "5%,50%",
            "--for",
            "0,2m",
            "--replications",
            "2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["threshold"], r["for_s"]) for r in rows] == [
        ("5%", 0.0),
        ("5%", 120.0),
        ("50%", 0.0),
        ("50%", 120.0),
    ]
    bad = runner.invoke(
        cli, ["sensitivity", str(MINI_SCENARIO), "--rule", "Nope", "--thresholds", "5%"]
    )
    assert bad.exit_code == 1 and "no rule 'Nope'" in bad.stderr
