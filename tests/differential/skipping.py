"""The policy for tests that need a real tool: skip locally, fail in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail when ``CI`` is set (a CI job must not skip these silently)."""
    if "CI" in os.environ:
        pytest.fail(f"{reason} (the CI environment variable is set, so this fails)", False)
    pytest.skip(reason)


def locate_tool(name: str, env_var: str, missing_hint: str) -> tuple[str, str]:
    """``$env_var`` or ``name`` on PATH, and the text its ``--version`` printed.

    Running ``--version`` proves the binary starts here, not merely that a file exists.
    """
    path = os.environ.get(env_var) or shutil.which(name)
    if path is None:
        unavailable(f"{name} not found (set {env_var} or put it on PATH; {missing_hint})")
    try:
        done = subprocess.run([path, "--version"], capture_output=True, timeout=30, check=False)
    except OSError as exc:
        unavailable(f"cannot run {name} at {path}: {exc}")
    text = (done.stdout + done.stderr).decode(errors="replace")
    if done.returncode != 0:
        unavailable(f"{path} --version failed: {text.strip()!r}")
    return path, text
