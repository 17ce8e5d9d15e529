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
    assert data["summary"] == "B and A show no clear difference in any KPI."


def test_table_and_summary_on_the_console() -> None:
    result = _invoke("compare", SCENARIO, SCENARIO, "--replications", 2, "--seed", 2)
    assert result.exit_code == 0, result.output
    assert "2 paired replications (seed 2)" in result.stdout
    assert "time to acknowledge" in result.stdout


def test_the_table_speaks_the_sentence_s_units_and_says_when_n_is_too_small() -> None:
    """One replication: singular in the title, no test in any row ("not enough
    replications", not a t-test over one pair), KPIs by their human names (never cut
    off), times in minutes and the error budget in percent, as ``run`` shows them."""
    result = _invoke("compare", SCENARIO, SCENARIO, "--replications", 1, "--seed", 2)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1 paired replication (seed 2)" in out
    assert "not enough" in out and "replications" in out
    assert "time_to_acknowledge" not in out and "…" not in out
    assert "time to" in out and "acknowledge (min)" in out
    assert "(%)" in out  # SLO error budget burned, noise ratio
    rows = [line for line in out.splitlines() if line.startswith("│ score")]
    assert rows and "│ t " not in rows[0] and "t-test" not in rows[0]


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


def test_out_keeps_the_comparison_and_every_pair(tmp_path: Path) -> None:
    """--out writes comparison.json (what --json prints), pairs.csv with each
    replication's A, B and B - A (the paired test's input), comparison.md and a
    manifest with the inputs' checksums."""
    import csv

    out = tmp_path / "cmp"
    args = ("compare", SCENARIO, SCENARIO, "--replications", 3, "--seed", 2)
    result = _invoke(*args, "--out", out)
    assert result.exit_code == 0, result.output
    printed = json.loads(_invoke(*args, "--json").stdout)
    assert json.loads((out / "comparison.json").read_text()) == printed
    with (out / "pairs.csv").open() as f:
        rows = list(csv.DictReader(f))
    kpis = printed["kpis"]
    assert len(rows) == 3 * len(kpis)
    tta = [r for r in rows if r["kpi"] == "time_to_acknowledge_mean_s"]
    assert [r["replication"] for r in tta] == ["0", "1", "2"]
    assert all(r["a"] == r["b"] and float(r["b_minus_a"]) == 0.0 for r in tta)
    mean_a = sum(float(r["a"]) for r in tta) / 3
    assert mean_a == kpis["time_to_acknowledge_mean_s"]["mean_a"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "Compare" and manifest["inputs"]["a"]["sha256"]
    assert "no clear difference" in (out / "comparison.md").read_text()


def test_out_refuses_a_folder_of_user_files_before_any_work(tmp_path: Path) -> None:
    """An --out that holds someone's files is refused up front and left untouched."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = _invoke("compare", SCENARIO, SCENARIO, "--replications", 2, "--out", out)
    assert result.exit_code == 1
    assert "refusing to overwrite" in result.output
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
