"""A golden run: the small drill's event log and scorecard, byte for byte.

A change to the engine that changes these files must be deliberate: rerun with
``pytest tests/test_golden.py --update-golden`` and review the diff like code.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

import drillsim
from drillsim.events import to_jsonl
from drillsim.io.loader import Drill
from drillsim.io.results import dumps_json

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("seed", [1, 7])
def test_golden_run(mini_drill: Drill, seed: int, request: pytest.FixtureRequest) -> None:
    """The mini drill's events.jsonl and scorecard.json match the checked-in golden files."""
    outcome = drillsim.run(mini_drill, seed=seed)
    produced = {
        f"mini-seed{seed}.events.jsonl": to_jsonl(outcome.records),
        f"mini-seed{seed}.scorecard.json": dumps_json(outcome.scorecard.to_dict()),
    }
    for name, text in produced.items():
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.write_text(text, encoding="utf-8")
            continue
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(True),
                    text.splitlines(True),
                    f"golden/{name}",
                    "produced",
                    n=1,
                )
            )
            pytest.fail(f"{name} differs from the golden file:\n{diff[:6000]}")
