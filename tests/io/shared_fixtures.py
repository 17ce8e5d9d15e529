"""The third-party files in ../shared/fixtures, for import and normaliser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def fixture(name: str) -> Path:
    """A shared third-party fixture; skipped locally when absent, required under CI."""
    path = FIXTURES / name
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"fixture {path} is missing under CI")
        pytest.skip(f"fixture {path} not available")
    return path
