"""The policy for tests that need a real tool: skip locally, fail in CI."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail when ``CI`` is set (a CI job must not skip these silently)."""
    if "CI" in os.environ:
        pytest.fail(f"{reason} (the CI environment variable is set, so this fails)", False)
    pytest.skip(reason)
