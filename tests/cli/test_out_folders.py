"""``run --out`` and ``compare --out`` replace only a previous result of the same command.

Both write their folder whole and rename it into place. They used to replace any folder
with a manifest.json at its top: a sweep's results, or a project holding a manifest.json
and its source, were deleted without a word.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from drillsim.cli.main import cli

DATA = Path(__file__).resolve().parents[1] / "data"
SCENARIO = DATA / "mini" / "scenario.yaml"
REFUSED = "refusing to overwrite it\n    choose another --out, or remove the folder yourself"


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


def _run(out: Path, *more: str | int) -> Result:
    return _invoke("run", SCENARIO, "--seed", 1, "--no-plots", "--out", out, *map(str, more))


def _compare(out: Path) -> Result:
    return _invoke("compare", SCENARIO, SCENARIO, "--replications", 2, "--seed", 1, "--out", out)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path beside and under ``folder`` with its bytes (None for a folder): a
    refused command must leave no temporary sibling either."""
    return {
        str(p.relative_to(folder.parent)): p.read_bytes() if p.is_file() else None
        for p in folder.parent.rglob("*")
    }


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished sweep's results folder (runs.csv, incidents.csv, summary.csv, manifest)."""
    out = tmp_path_factory.mktemp("sweep") / "results"
    sweep = DATA / "sweeps" / "grid.yaml"
    result = _invoke("sweep", sweep, "--out", out, "--executor", "sequential", "--no-plots")
    assert result.exit_code == 0, result.output
    return out


def _refused_intact(result: Result, folder: Path, before: dict[str, bytes | None]) -> None:
    assert result.exit_code == 1, result.output
    assert f"error: {folder}: " in result.stderr and REFUSED in result.stderr
    assert "Traceback" not in result.output
    assert _snapshot(folder) == before  # nothing touched, no temporary folder left


def test_a_sweeps_folder_is_refused_by_run_and_compare(sweep_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "delay"
    shutil.copytree(sweep_folder, folder)
    before = _snapshot(folder)
    assert {"runs.csv", "incidents.csv", "summary.csv"} <= {p.name for p in folder.iterdir()}
    for result in (_run(folder), _compare(folder)):
        _refused_intact(result, folder, before)
        assert "manifest.json is not one" in result.stderr and "(kind 'Sweep')" in result.stderr


def test_a_foreign_folder_with_a_manifest_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "web-app"
    (folder / "src").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"name": "web-app", "start_url": "/"}\n')
    (folder / "src" / "main.js").write_text("console.log('mine')\n")
    before = _snapshot(folder)
    for result in (_run(folder), _compare(folder)):
        _refused_intact(result, folder, before)
        assert "(no drillsim kind)" in result.stderr


def test_a_result_with_the_users_files_added_is_refused(tmp_path: Path) -> None:
    """The manifest is the command's, but the folder now holds more than it writes."""
    folder = tmp_path / "run"
    assert _run(folder).exit_code == 0
    (folder / "notes.md").write_text("what we learnt\n")
    (folder / "extra").mkdir()
    before = _snapshot(folder)
    _refused_intact(_run(folder), folder, before)
    assert "holds what `drillsim run` does not write (extra/, notes.md)" in _run(folder).stderr


def test_one_command_does_not_replace_the_others_result(tmp_path: Path) -> None:
    ran, compared = tmp_path / "ran", tmp_path / "compared"
    assert _run(ran).exit_code == 0 and _compare(compared).exit_code == 0
    before = _snapshot(ran)  # both: they are siblings
    _refused_intact(_compare(ran), ran, before)
    _refused_intact(_run(compared), compared, before)


def test_a_rerun_replaces_its_own_previous_result(tmp_path: Path) -> None:
    """The allowed case: the same command's folder, nothing added. A sibling named like
    the old swap folder (``.run.old``) is someone's, and is left alone."""
    folder = tmp_path / "run"
    assert _run(folder, "--replications", 2).exit_code == 0
    assert (folder / "replications" / "0001" / "events.jsonl").is_file()
    sibling = tmp_path / ".run.old"
    sibling.mkdir()
    (sibling / "keep.txt").write_text("keep")
    result = _run(folder)
    assert result.exit_code == 0, result.output
    assert not (folder / "replications").exists() and not (folder / "runs.csv").exists()
    assert json.loads((folder / "manifest.json").read_text())["kind"] == "Run"
    assert (sibling / "keep.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.old", "run"]
    compared = tmp_path / "compared"
    assert _compare(compared).exit_code == 0
    assert _compare(compared).exit_code == 0


def test_a_run_written_before_manifests_named_their_kind_is_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    assert _run(folder).exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["kind"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = _run(folder)
    assert result.exit_code == 0, result.output
    assert json.loads((folder / "manifest.json").read_text())["kind"] == "Run"
