"""A real Ctrl-C on a real ``drillsim sweep``: SIGINT to the whole process group (as a
terminal sends it), while the worker processes are still starting up. No traceback
from any process, exit code 130, and the folder resumes to an uninterrupted sweep's
rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import drillsim
from drillsim.cli.main import cli
from drillsim.experiments.executors import SequentialExecutor
from drillsim.experiments.sweep_runner import run_sweep
from drillsim.io.sweeps import load_sweep

SWEEPS = Path(__file__).resolve().parents[1] / "data" / "sweeps"
ROOT = Path(drillsim.__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")


def _drillsim(*args: str | Path) -> subprocess.Popen[str]:
    """``python -m drillsim ARGS`` (the console script's code) in its own process group."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "drillsim", *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _ctrl_c(proc: subprocess.Popen[str], when: Path, delay: float) -> tuple[int, str]:
    """SIGINT to the process group ``delay`` seconds after ``when`` exists; (exit, stderr)."""
    deadline = time.monotonic() + 15
    while not when.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err


def test_ctrl_c_while_workers_start_up_exits_130_quietly_and_resumes(tmp_path: Path) -> None:
    """Interrupted 0.3 s after the folder appears (two workers importing drillsim), the
    sweep says how many replications it kept; --resume ends with the reference rows."""
    reference = tmp_path / "reference"
    run_sweep(load_sweep(SWEEPS / "escalation.yaml"), reference, 11, SequentialExecutor())
    out = tmp_path / "s"
    args = ("sweep", SWEEPS / "escalation.yaml", "--out", out, "--no-plots")
    proc = _drillsim(*args, "--workers", "2")
    code, err = _ctrl_c(proc, out / "manifest.json", 0.3)
    assert "Traceback" not in err, err
    assert code == 130, err
    assert "replications kept in" in err and "add --resume" in err, err
    resumed = CliRunner().invoke(cli, [*map(str, args), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert (out / "runs.csv").read_bytes() == (reference / "runs.csv").read_bytes()


def test_ctrl_c_while_the_command_line_is_imported(tmp_path: Path) -> None:
    """Interrupted while importing the command line (half a second of imports, before
    any command runs): one line, exit 130, no traceback."""
    proc = _drillsim("validate", SWEEPS / "escalation.yaml")
    time.sleep(0.25)  # past the interpreter's own start-up, inside drillsim's imports
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the command finished before the interrupt")
    assert "Traceback" not in err, err
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted"
