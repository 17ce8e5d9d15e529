"""Fixtures for the differential tests: the reference ``amtool`` and drillsim's CLI.

An external tool or folder the tests need is *optional locally* (its tests skip, saying
why) but *required in CI*: when the ``CI`` environment variable is set, a missing amtool
or fixture folder fails the tests instead, so a broken CI image cannot turn the
differential suite into a row of silent skips.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from labelgen import amtool_label_args
from skipping import locate_tool, unavailable

REPO = Path(__file__).resolve().parents[2]
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
# amtool is one short Go process per label set; one more worker than CPUs hides the
# process start-up. DIFFERENTIAL_AMTOOL_WORKERS overrides.
AMTOOL_WORKERS = int(
    os.environ.get("DIFFERENTIAL_AMTOOL_WORKERS") or min(4, (os.cpu_count() or 1) + 1)
)
# A process that lives 20 ms does not need a garbage collector.
AMTOOL_ENV = {**os.environ, "GOGC": "off"}


@dataclass(frozen=True)
class Amtool:
    """The ``amtool`` binary, run as a subprocess with the output decoded as UTF-8."""

    path: str
    version: str

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [self.path, *args], capture_output=True, check=False, timeout=60, env=AMTOOL_ENV
        )

    def check_config(self, config: Path) -> subprocess.CompletedProcess[bytes]:
        """``amtool check-config F``: exit status 0 iff amtool accepts the file."""
        return self.run("check-config", str(config))

    def routes_show(self, config: Path) -> bytes:
        """``amtool config routes`` stdout, exactly (warnings go to stderr)."""
        done = self.run("config", "routes", f"--config.file={config}")
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout

    def routes_test(self, config: Path, labels: Mapping[str, str]) -> str:
        """The receivers ``amtool config routes test`` prints for one label set."""
        done = self.run(
            "config", "routes", "test", f"--config.file={config}", *amtool_label_args(labels)
        )
        out = done.stdout.decode()
        assert done.returncode == 0 and out.endswith("\n") and out.count("\n") == 1, (
            f"amtool failed on {dict(labels)!r}: rc={done.returncode} stdout={out!r} "
            f"stderr={done.stderr.decode(errors='replace')!r}"
        )
        return out[:-1]

    def routes_test_many(self, config: Path, label_sets: Sequence[Mapping[str, str]]) -> list[str]:
        """One amtool call per label set, ``AMTOOL_WORKERS`` at a time, in input order."""
        with ThreadPoolExecutor(max_workers=AMTOOL_WORKERS) as pool:
            return list(pool.map(lambda labels: self.routes_test(config, labels), label_sets))


def locate_amtool() -> Amtool:
    """``$AMTOOL`` or ``amtool`` on PATH, checked by running ``amtool --version``."""
    path, text = locate_tool("amtool", "AMTOOL", "Debian: apt-get install prometheus-alertmanager")
    found = re.search(r"version (\S+)", text)
    if found is None:
        unavailable(f"{path} --version did not report a version: {text.strip()!r}")
    return Amtool(path, found.group(1))


@pytest.fixture(scope="session")
def amtool_locator() -> Callable[[], Amtool]:
    """:func:`locate_amtool` itself, so a test can check the skip-or-fail policy."""
    return locate_amtool


@pytest.fixture(scope="session")
def amtool() -> Amtool:
    """The reference implementation: skipped locally when absent, a failure under CI."""
    return locate_amtool()


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """``../shared/fixtures`` next to the repository (real third-party configs)."""
    if not SHARED_FIXTURES.is_dir():
        unavailable(f"third-party fixture folder {SHARED_FIXTURES} is missing")
    return SHARED_FIXTURES


@dataclass(frozen=True)
class CliOutcome:
    returncode: int
    stdout: bytes
    stderr: bytes


class DrillsimCli:
    """The ``drillsim`` command: in process through click's ``CliRunner`` (fast, for the
    per-tree checks), or as a real subprocess of this interpreter (end to end)."""

    def invoke(self, *args: str, stdin: bytes | None = None) -> CliOutcome:
        import drillsim.cli.commands
        import drillsim.cli.routes  # noqa: F401  (register the commands, as main() does)
        from drillsim.cli.main import cli

        result = CliRunner().invoke(cli, list(args), input=stdin, prog_name="drillsim")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliOutcome(result.exit_code, result.stdout_bytes, result.stderr_bytes)

    def run(self, *args: str, stdin: bytes | None = None) -> CliOutcome:
        code = "from drillsim.cli.main import main; main()"
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            input=stdin,
            capture_output=True,
            check=False,
            timeout=600,
        )
        return CliOutcome(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def drillsim_cli() -> DrillsimCli:
    return DrillsimCli()
