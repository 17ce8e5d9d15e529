"""The layers keep their promises: spec is pure, pure modules never import simpy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "drillsim"


def loaded_after(module: str) -> set[str]:
    """Top-level modules imported by importing ``module`` in a fresh interpreter."""
    code = f"import sys, {module}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_spec_loads_no_engine_plotting_or_cli() -> None:
    """``import drillsim.spec`` pulls in neither simpy, matplotlib nor click."""
    assert not {"simpy", "matplotlib", "click"} & loaded_after("drillsim.spec")


def test_pure_layers_do_not_import_simpy() -> None:
    """Alerting, on-call and scoring are pure functions, testable without an engine."""
    for module in ("drillsim.alerting", "drillsim.oncall", "drillsim.scoring.kpis"):
        assert "simpy" not in loaded_after(module), module


def test_no_global_randomness_in_the_package() -> None:
    """Nothing uses the stdlib random module or numpy's legacy global generator."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert "import random" not in text, path
        assert "np.random.seed" not in text and "np.random.rand" not in text, path
