"""`drillsim sweep` through click's CliRunner: outputs, bad input and resume's usage."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from click.testing import CliRunner, Result

from drillsim.cli.main import cli
from drillsim.experiments.sweep import KPIS

SWEEPS = Path(__file__).resolve().parents[1] / "data" / "sweeps"
PNG = b"\x89PNG\r\n\x1a\n"


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


def test_sweep_writes_rows_summary_and_plots(tmp_path: Path) -> None:
    """The folder holds runs.csv, incidents.csv, summary.csv, the manifest and two PNGs;
    the table prints every arm."""
    out = tmp_path / "s"
    result = _invoke("sweep", SWEEPS / "grid.yaml", "--out", out, "--executor", "sequential")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "incidents.csv",
        "kpis.png",
        "manifest.json",
        "runs.csv",
        "summary.csv",
        "tta_ecdf.png",
    ]
    assert (out / "kpis.png").read_bytes()[:8] == PNG
    assert (out / "tta_ecdf.png").read_bytes()[:8] == PNG
    with (out / "runs.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 * 2 * len(KPIS)
    assert {r["seed"] for r in rows} == {"3"}
    with (out / "summary.csv").open(newline="") as f:
        assert len(list(csv.DictReader(f))) == 4 * len(KPIS)
    with (out / "incidents.csv").open(newline="") as f:
        incidents = list(csv.DictReader(f))
    per_replication = Counter((i["arm"], i["replication"]) for i in incidents)
    counted = {
        (r["arm"], r["replication"]): float(r["value"]) for r in rows if r["kpi"] == "incidents"
    }
    assert incidents and all(per_replication[k] == n for k, n in counted.items())
    acked = [float(i["time_to_acknowledge_s"]) for i in incidents if i["time_to_acknowledge_s"]]
    assert acked and all(t >= 0 for t in acked)
    assert "group_wait=1m crash_at=1h" in result.stdout
    assert f"results: {out}" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["s"]  # no temporary files left


def test_seed_option_overrides_the_sweeps(tmp_path: Path) -> None:
    """--seed is the root seed of every row."""
    out = tmp_path / "s"
    result = _invoke(
        "sweep", SWEEPS / "grid.yaml", "--out", out, "--seed", 9, "--executor", "sequential",
        "--no-plots",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "runs.csv").read_text().splitlines()[1].split(",")[2] == "9"
    assert not (out / "kpis.png").exists()


def test_a_bad_sweep_exits_1_with_a_located_message(tmp_path: Path) -> None:
    """Zero replications: exit 1, file:line:col, nothing written."""
    bad = tmp_path / "bad.yaml"
    text = (SWEEPS / "grid.yaml").read_text().replace("replications: 2", "replications: 0")
    bad.write_text(text.replace("../mini", str(SWEEPS.parent / "mini")))
    result = _invoke("sweep", bad, "--out", tmp_path / "s")
    assert result.exit_code == 1
    assert ":4:15: replications: must be greater than or equal to 1" in result.stderr
    assert not (tmp_path / "s").exists()


def test_resume_needs_out_and_a_folder_is_never_overwritten(tmp_path: Path) -> None:
    """--resume without --out is a usage error (2); a second fresh sweep into a finished
    sweep's folder is refused (1)."""
    assert _invoke("sweep", SWEEPS / "grid.yaml", "--resume").exit_code == 2
    out = tmp_path / "s"
    args = ("sweep", SWEEPS / "grid.yaml", "--out", out, "--executor", "sequential", "--no-plots")
    assert _invoke(*args).exit_code == 0
    again = _invoke(*args)
    assert again.exit_code == 1
    assert "exists and is not empty" in again.stderr
    resumed = _invoke(*args, "--resume")
    assert resumed.exit_code == 0, resumed.output


def test_validate_checks_every_arm() -> None:
    """`drillsim validate` loads a sweep with each arm's drill."""
    result = _invoke("validate", SWEEPS / "escalation.yaml")
    assert result.exit_code == 0, result.output
    assert "3 arms x 3 replications over 2 parameters" in result.stdout


def test_the_shipped_example_sweep_validates() -> None:
    """scenarios/sweeps/escalation-delay.yaml (the --help example) is a valid sweep."""
    example = SWEEPS.parents[2] / "scenarios" / "sweeps" / "escalation-delay.yaml"
    result = _invoke("validate", example)
    assert result.exit_code == 0, result.output
    assert "6 arms x 20 replications over 2 parameters" in result.stdout
