"""``drillsim compare`` through click's CliRunner: output, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from drillsim.cli.main import cli

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "mini" / "scenario.yaml"


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


def test_same_file_twice_compares_to_no_difference() -> None:
    """A scenario against itself: every KPI identical, exact, nothing underpowered."""
    result = _invoke("compare", SCENARIO, SCENARIO, "--replications", 3, "--seed", 2, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 3 and data["seed"] == 2
    assert data["common_random_numbers"]["faults_identical"] is True
    tta = data["kpis"]["time_to_acknowledge_mean_s"]
    assert (tta["mean_diff"], tta["test"], tta["n"]) == (0.0, "exact", 3)
    assert data["underpowered"] == []
    assert data["summary"] == "B and A show no clear difference in the headline KPIs."


def test_table_and_summary_on_the_console() -> None:
    result = _invoke("compare", SCENARIO, SCENARIO, "--replications", 2, "--seed", 2)
    assert result.exit_code == 0, result.output
    assert "2 paired replications (seed 2)" in result.stdout
    assert "time_to_acknowledge_mean_s" in result.stdout


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = _invoke("compare", SCENARIO, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_zero_replications_is_a_usage_error() -> None:
    result = _invoke("compare", SCENARIO, SCENARIO, "--replications", 0)
    assert result.exit_code == 2
    assert "--replications" in result.output


def test_invalid_scenario_is_invalid_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Scenario\nversion: 1\nname: x\n")
    result = _invoke("compare", SCENARIO, bad, "--replications", 2)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "bad.yaml" in result.output
