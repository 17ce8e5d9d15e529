"""``python -m drillsim`` and ``python -m drillsim.cli.main`` run the CLI, exit code and all.

Both used to do nothing and exit 0 (no ``__main__.py``; no ``__main__`` block), so a
script calling them believed every command had succeeded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ("drillsim", "drillsim.cli.main")


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("module", ENTRIES)
def test_help_prints_usage_and_exits_0(module: str) -> None:
    done = _run(module, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: drillsim [OPTIONS] COMMAND [ARGS]...")
    assert "run" in done.stdout and "sweep" in done.stdout  # the commands are registered
    assert done.stderr == ""  # no runpy warning about a module imported before it ran


@pytest.mark.parametrize("module", ENTRIES)
def test_a_bad_command_exits_2(module: str) -> None:
    done = _run(module, "no-such-command")
    assert done.returncode == 2
    assert "No such command 'no-such-command'" in done.stderr


@pytest.mark.parametrize("module", ENTRIES)
def test_invalid_input_exits_1(module: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Scenario\n")
    done = _run(module, "validate", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and str(bad.name) in done.stderr
