"""Shared fixtures: the small drill in tests/data/mini and a way to vary it on disk."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import drillsim
from drillsim.io.loader import Drill

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden files")


@pytest.fixture(scope="session")
def mini_drill() -> Drill:
    """The small orders-db crash drill."""
    return drillsim.load_scenario(MINI / "scenario.yaml")


@pytest.fixture
def vary(tmp_path: Path) -> Callable[..., Drill]:
    """Copy the mini drill to tmp and apply edits: ``vary(scenario=fn, oncall=fn, ...)``.

    Each edit receives the parsed document and mutates it in place.
    """
    files = {
        "scenario": "scenario.yaml",
        "topology": "topology.yaml",
        "oncall": "oncall.yaml",
        "rules": "rules.yaml",
        "routing": "routing.yaml",
    }

    def make(**edits: Callable[[dict[str, Any]], None]) -> Drill:
        target = tmp_path / f"v{len(list(tmp_path.iterdir()))}"
        shutil.copytree(MINI, target)
        for role, edit in edits.items():
            path = target / files[role]
            doc = yaml.safe_load(path.read_text())
            edit(doc)
            path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return drillsim.load_scenario(target / "scenario.yaml")

    return make
