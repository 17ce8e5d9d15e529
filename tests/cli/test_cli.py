"""The command line through click's CliRunner: help, outputs and exit codes (0/1/2/3)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import drillsim
from drillsim.cli.main import cli

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
SCENARIO = MINI / "scenario.yaml"
KINDS = ("Scenario", "Topology", "OnCall", "AlertRules", "Routing", "Sweep", "StaffingStudy")
RESULT_FILES = ("manifest.json", "events.jsonl", "scorecard.json", "report.md", "timeline.txt")


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@pytest.fixture(scope="module")
def mini_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder from one plain run of the mini drill (seed 1, no plots)."""
    out = tmp_path_factory.mktemp("cli") / "run"
    result = _invoke("run", SCENARIO, "--seed", 1, "--out", out, "--no-plots")
    assert result.exit_code == 0, result.output
    return out


def _all_commands(group: click.Group = cli, prefix: str = "") -> list[str]:
    """Every command and subcommand path, e.g. 'run', 'routes', 'routes test'."""
    out = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        out.append(path)
        if isinstance(command, click.Group):
            out += _all_commands(command, f"{path} ")
    return out


def test_the_commands_are_the_documented_ones() -> None:
    """The CLI offers exactly the commands the README documents."""
    assert _all_commands() == [
        "alerts",
        "compare",
        "ingest",
        "oncall",
        "oncall show",
        "oncall template",
        "oncall who",
        "routes",
        "routes show",
        "routes test",
        "run",
        "schema",
        "sensitivity",
        "staffing",
        "sweep",
        "timeline",
        "validate",
    ]


@pytest.mark.parametrize("flag", ["-h", "--help"])
@pytest.mark.parametrize("command", ["", *_all_commands()])
def test_every_command_answers_help(command: str, flag: str) -> None:
    """The group and each command print a usage line and exit 0 for -h and --help."""
    args = [*command.split(), flag]
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: drillsim {command}".rstrip())
    if command and command not in ("routes", "oncall"):
        assert "Example:" in result.output


def test_version_prints_the_package_version() -> None:
    """`--version` names the program and its version."""
    result = _invoke("--version")
    assert result.exit_code == 0
    assert result.output == f"drillsim, version {drillsim.__version__}\n"


def test_run_writes_every_result_file(mini_results: Path) -> None:
    """A run writes the manifest, event log, scorecard, report and timeline."""
    for name in RESULT_FILES:
        assert (mini_results / name).is_file(), name
    manifest = json.loads((mini_results / "manifest.json").read_text())
    assert manifest["seed"] == 1
    assert set(manifest["inputs"]) == {"scenario", "topology", "oncall", "rules", "routing"}
    first = json.loads((mini_results / "events.jsonl").read_text().splitlines()[0])
    assert first["kind"] == "DrillStarted"
    assert not (mini_results / "health.png").exists()
    assert [p.name for p in mini_results.parent.iterdir()] == ["run"]  # no temp folder left


def test_run_with_plots_writes_health_png(tmp_path: Path) -> None:
    """Without --no-plots the run also writes the health plot as a PNG."""
    out = tmp_path / "run"
    result = _invoke("run", SCENARIO, "--seed", 1, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "health.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_json_prints_the_scorecard(tmp_path: Path) -> None:
    """`--json` prints the scorecard as valid JSON with a score."""
    result = _invoke(
        "run", SCENARIO, "--seed", 1, "--out", tmp_path / "run", "--no-plots", "--json"
    )
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert 0 <= card["score"] <= 100
    assert card == json.loads((tmp_path / "run" / "scorecard.json").read_text())


def test_replications_write_runs_csv_and_a_ci_per_kpi(tmp_path: Path) -> None:
    """`--replications 3` writes long-format runs.csv and summary.json with a CI per KPI."""
    out = tmp_path / "run"
    result = _invoke("run", SCENARIO, "--seed", 1, "--out", out, "--no-plots", "--replications", 3)
    assert result.exit_code == 0, result.output
    with (out / "runs.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["replication", "seed", "kpi", "value"]
    assert {r["replication"] for r in rows} == {"0", "1", "2"}
    summary = json.loads((out / "summary.json").read_text())
    assert "score" in summary
    kpis = {r["kpi"] for r in rows}
    assert kpis <= set(summary)
    for name, stats in summary.items():
        assert {"mean", "ci_low", "ci_high", "n"} <= set(stats), name


def test_fail_under_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    """`--fail-under 101` is refused by click with exit 2 before anything runs."""
    out = tmp_path / "run"
    result = _invoke("run", SCENARIO, "--out", out, "--fail-under", 101)
    assert result.exit_code == 2
    assert "--fail-under" in result.stderr and "0<=x<=100" in result.stderr
    assert not out.exists()


def test_fail_under_not_met_exits_3_with_a_message(tmp_path: Path) -> None:
    """A drill scoring below `--fail-under 100` exits 3 and says by how much."""
    result = _invoke(
        "run",
        SCENARIO,
        "--seed",
        1,
        "--out",
        tmp_path / "run",
        "--no-plots",
        "--json",
        "--fail-under",
        100,
    )
    score = json.loads(result.stdout)["score"]
    assert score < 100
    assert result.exit_code == 3
    _no_traceback(result)
    assert result.stderr == f"drill score {score:.1f} is below --fail-under 100\n"


def test_out_refuses_a_folder_that_is_not_a_results_folder(tmp_path: Path) -> None:
    """`--out` at an existing folder holding other files exits 1 and leaves them alone."""
    out = tmp_path / "mine"
    out.mkdir()
    precious = out / "notes.txt"
    precious.write_text("keep me\n")
    result = _invoke("run", SCENARIO, "--seed", 1, "--out", out, "--no-plots")
    assert result.exit_code == 1
    _no_traceback(result)
    assert "exists and is not a drillsim results folder" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert precious.read_text() == "keep me\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_validate_good_files_prints_one_ok_line_each() -> None:
    """`validate` on the five good documents exits 0 with one `ok:` line per file."""
    files = sorted(MINI.glob("*.yaml"))
    result = _invoke("validate", *files)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(files) == 5
    assert all(line.startswith("ok: ") for line in lines)
    assert "scenario 'Orders database primary crashes at night'" in result.stdout


def test_schema_out_writes_one_schema_per_kind(tmp_path: Path) -> None:
    """`schema --out DIR` writes a loadable JSON Schema for every document kind."""
    result = _invoke("schema", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{k}.schema.json" for k in KINDS)
    for kind in KINDS:
        with (tmp_path / f"{kind}.schema.json").open() as f:
            doc = json.load(f)
        assert doc["title"] == kind
        assert "kind" in doc["properties"]


def test_schema_without_out_prints_every_kind() -> None:
    """`schema` alone prints all schemas as one JSON object keyed by kind."""
    result = _invoke("schema")
    assert result.exit_code == 0
    assert sorted(json.loads(result.stdout)) == sorted(KINDS)


def test_timeline_tells_the_story_of_a_run(mini_results: Path) -> None:
    """`timeline` on a results folder prints the run, acknowledgements included."""
    result = _invoke("timeline", mini_results)
    assert result.exit_code == 0, result.output
    assert "drill 'Orders database primary crashes at night' started" in result.stdout
    assert any("acknowledges" in line for line in result.stdout.splitlines())


def test_timeline_without_an_event_log_is_an_input_error(tmp_path: Path) -> None:
    """`timeline` on a folder without events.jsonl exits 1 with a message, no traceback."""
    result = _invoke("timeline", tmp_path)
    assert result.exit_code == 1
    _no_traceback(result)
    assert f"{tmp_path}: no events.jsonl here" in result.stderr
    assert "give a folder written by `drillsim run`" in result.stderr


def test_a_missing_scenario_path_is_a_usage_error(tmp_path: Path) -> None:
    """`run` on a path that does not exist is rejected by click with exit 2."""
    result = _invoke("run", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_ctrl_c_exits_130_without_a_traceback_or_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during a run (here: while the drill simulates) says so and exits 130, and
    leaves no results folder, half-written or otherwise."""
    from drillsim.engine.simulation import Simulation

    def interrupted(self: Simulation) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Simulation, "run", interrupted)
    out = tmp_path / "r"
    result = _invoke("run", SCENARIO, "--seed", 1, "--out", out)
    assert result.exit_code == 130
    assert "interrupted" in result.output and "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
