"""Helpers for the whole-setup importer tests: read an export, run the mini drill on it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

import drillsim
from drillsim.io.importers.oncall_exports import OnCallImport, import_oncall_export
from drillsim.io.yamlsource import parse_text

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def export_text(export: dict[str, Any]) -> str:
    """The export as the API would print it (two-space JSON): stable line numbers."""
    return json.dumps(export, indent=2) + "\n"


def import_text(text: str, name: str = "export.json") -> OnCallImport:
    """Import an export's text with whichever importer recognises it."""
    source, issues = parse_text(text, name)
    assert source is not None and not issues
    return import_oncall_export(source)


def rendered(result: OnCallImport) -> list[str]:
    """The warnings as the CLI prints them."""
    return [w.render() for w in result.warnings]


def pages_in_mini_drill(tmp_path: Path, text: str, policy: str) -> list[str]:
    """The people paged when the mini drill's ``oncall:`` is the export and its receiver
    names ``policy``; the drill's warnings must include the export's."""
    drill_dir = tmp_path / "d"
    shutil.copytree(MINI, drill_dir)
    (drill_dir / "export.json").write_text(text)
    scenario = drill_dir / "scenario.yaml"
    doc = yaml.safe_load(scenario.read_text())
    doc["oncall"] = "export.json"
    scenario.write_text(yaml.safe_dump(doc, sort_keys=False))
    routing = drill_dir / "routing.yaml"
    doc = yaml.safe_load(routing.read_text())
    doc["receivers"][0]["escalation_policy"] = policy
    routing.write_text(yaml.safe_dump(doc, sort_keys=False))
    drill = drillsim.load_scenario(scenario)
    assert any(w.file.endswith("export.json") for w in drill.warnings)
    records = drillsim.run(drill, seed=7).records
    return [r["person"] for r in records if r["kind"] == "PageSent"]
