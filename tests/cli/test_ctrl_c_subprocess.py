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


def _drillsim(*args: str | Path, python_flags: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """``python -m drillsim ARGS`` (the console script's code) in its own process group."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, *python_flags, "-m", "drillsim", *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _first_worker(parent: int, deadline: float) -> int | None:
    """The pid of a worker process ``parent`` spawned, seen as soon as it exists (still
    starting up: its interpreter, then drillsim's imports), or None (not Linux, or
    none appeared before ``deadline``)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    while time.monotonic() < deadline:
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                spawned = b"spawn_main" in (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent and spawned:
                return int(entry.name)
        time.sleep(0.002)
    return None


def _ignores_sigint(pid: int) -> bool:
    """Whether process ``pid`` has SIGINT ignored (Linux's /proc/PID/status SigIgn)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1)
    raise AssertionError(f"no SigIgn in /proc/{pid}/status")


def test_ctrl_c_while_workers_start_up_exits_130_quietly_and_resumes(tmp_path: Path) -> None:
    """A worker ignores SIGINT from the moment it exists (so a Ctrl-C during its start-up
    cannot raise KeyboardInterrupt in it); interrupted then, the sweep exits 130 with no
    traceback, says how many replications it kept, and --resume ends with the rows of an
    uninterrupted sweep."""
    reference = tmp_path / "reference"
    run_sweep(load_sweep(SWEEPS / "escalation.yaml"), reference, 11, SequentialExecutor())
    out = tmp_path / "s"
    args = ("sweep", SWEEPS / "escalation.yaml", "--out", out, "--no-plots")
    proc = _drillsim(*args, "--workers", "2")
    try:
        worker = _first_worker(proc.pid, time.monotonic() + 15)
        if worker is not None:
            assert _ignores_sigint(worker), "a worker starts up with SIGINT live"
        time.sleep(0.2)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Traceback" not in err, err
    assert proc.returncode == 130, err
    assert "replications kept in" in err and "add --resume" in err, err
    resumed = CliRunner().invoke(cli, [*map(str, args), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert (out / "runs.csv").read_bytes() == (reference / "runs.csv").read_bytes()


def test_ctrl_c_while_the_command_line_is_imported(tmp_path: Path) -> None:
    """Interrupted while importing the command line (half a second of imports, before
    any command runs): one line, exit 130, no traceback."""
    # -X importtime reports each import as it completes: the first of click's (nothing
    # but the command line imports click) says the interpreter's own start-up is over
    # and drillsim's imports are under way, whatever the machine's load. A fixed sleep
    # sometimes fell inside the interpreter's start-up on a busy machine.
    proc = _drillsim("validate", SWEEPS / "escalation.yaml", python_flags=("-X", "importtime"))
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.rsplit("|", 1)[-1].strip().startswith("click"):
            break
    os.killpg(proc.pid, signal.SIGINT)
    _, rest = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the command finished before the interrupt")
    err = "\n".join(x for x in rest.splitlines() if not x.startswith("import time:"))
    assert "Traceback" not in err, err
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted"
