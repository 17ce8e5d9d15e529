"""Ctrl-C after the last replication (while the summary and plots are written): the
message says how many replications were kept and how to go on, the manifest says
``complete: false`` until every file is written, and --resume writes what is missing
without running a replication again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner, Result

from drillsim.cli.main import cli
from drillsim.experiments import executors, sweep_runner
from drillsim.experiments.executors import SequentialExecutor
from drillsim.experiments.sweep_runner import SweepInterrupted, run_sweep
from drillsim.io.sweeps import load_sweep
from drillsim.report import sweep_plots

SWEEPS = Path(__file__).resolve().parents[1] / "data" / "sweeps"


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


def _ctrl_c(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise KeyboardInterrupt


def _complete(out: Path) -> bool:
    return bool(json.loads((out / "manifest.json").read_text())["complete"])


def _resume_without_running(monkeypatch: pytest.MonkeyPatch, *args: str | Path) -> Result:
    """--resume with every replication made to fail: it succeeds only if none runs."""
    with monkeypatch.context() as m:
        m.setattr(executors, "run_job", _ctrl_c)
        return _invoke(*args, "--resume")


def _assert_stopped_with_the_count_and_hint(stopped: Result) -> None:
    """Exit 130, how many replications were kept, and how to go on."""
    assert stopped.exit_code == 130
    assert "interrupted: 8 of 8 replications kept in" in stopped.stderr
    assert "add --resume" in stopped.stderr


def test_ctrl_c_while_plotting_leaves_an_incomplete_folder_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped while drawing the second plot: exit 130 with the count and the --resume
    hint, complete: false; --resume draws the plots and runs nothing."""
    out = tmp_path / "s"
    args = ("sweep", SWEEPS / "grid.yaml", "--out", out, "--executor", "sequential")
    with monkeypatch.context() as m:
        m.setattr(sweep_plots, "tta_ecdf_png", _ctrl_c)
        stopped = _invoke(*args)
    _assert_stopped_with_the_count_and_hint(stopped)
    assert "Traceback" not in stopped.output
    assert not (out / "tta_ecdf.png").exists()
    assert not _complete(out)
    runs = (out / "runs.csv").read_bytes()
    resumed = _resume_without_running(monkeypatch, *args)
    assert resumed.exit_code == 0, resumed.output
    assert (out / "tta_ecdf.png").exists() and (out / "kpis.png").exists()
    assert (out / "runs.csv").read_bytes() == runs
    assert _complete(out)


def test_ctrl_c_while_summarising_without_plots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --no-plots, stopped before summary.csv: the same message; --resume writes
    summary.csv without running a replication."""
    out = tmp_path / "s"
    args = ("sweep", SWEEPS / "grid.yaml", "--out", out, "--executor", "sequential", "--no-plots")
    with monkeypatch.context() as m:
        m.setattr(sweep_runner, "summarise", _ctrl_c)
        stopped = _invoke(*args)
    _assert_stopped_with_the_count_and_hint(stopped)
    assert not (out / "summary.csv").exists()
    assert not _complete(out)
    resumed = _resume_without_running(monkeypatch, *args)
    assert resumed.exit_code == 0, resumed.output
    assert (out / "summary.csv").exists()
    assert _complete(out)


def test_the_folder_is_complete_only_after_the_callers_own_files(tmp_path: Path) -> None:
    """The runner marks the folder complete only after the caller's own files (a
    staffing study's tradeoffs.csv; here a finish step that is interrupted); --resume
    runs no replication and calls it again."""
    loaded = load_sweep(SWEEPS / "grid.yaml")
    out = tmp_path / "s"
    with pytest.raises(SweepInterrupted, match=r"8 of 8 replications kept.*\n.*--resume"):
        run_sweep(loaded, out, 3, SequentialExecutor(), finish=_ctrl_c)
    assert (out / "summary.csv").exists()
    assert not _complete(out)
    written: list[int] = []
    run_sweep(
        loaded,
        out,
        3,
        SequentialExecutor(),
        resume=True,
        finish=lambda outcome: written.append(len(outcome.rows)),
        progress=lambda done, _total: written.append(-done),
    )
    assert written == [-8, len((out / "runs.csv").read_text().splitlines()) - 1]
    assert _complete(out)
