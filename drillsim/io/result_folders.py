"""Which existing folder ``drillsim run --out`` or ``drillsim compare --out`` may replace.

Both write their results folder whole and rename it into place, so an existing folder at
``--out`` is deleted. That is only safe when the folder is nobody's but the command's:

- it is empty, or
- it is a previous result of the *same* command: its ``manifest.json`` is a JSON object
  whose ``kind`` names that command (``Run``, ``Compare``), and every file and folder in
  it is one that command writes.

Anything else is refused before any work is done: a sweep's folder (``kind: Sweep``; its
runs.csv and incidents.csv took hours), a project that happens to hold a manifest.json,
a results folder with the user's notes added. Sweeps never replace a folder at all
(:func:`drillsim.io.sweep_results.start_folder`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.errors import DrillsimError

MANIFEST = "manifest.json"
HINT = "choose another --out, or remove the folder yourself"
SHOWN = 5
"""Foreign entries named in the error; the rest are counted."""


@dataclass(frozen=True, slots=True)
class ResultKind:
    """What one command writes into its results folder, as full-match regexes of paths
    relative to the folder (``/``-separated)."""

    kind: str
    """The manifest's ``kind``."""
    command: str
    files: tuple[str, ...]
    folders: tuple[str, ...] = ()
    legacy_keys: frozenset[str] = frozenset()
    """Keys that identify a manifest written before manifests named their kind."""

    def writes_file(self, relative: str) -> bool:
        """Whether the command writes a file at ``relative``."""
        return any(re.fullmatch(p, relative) for p in self.files)

    def writes_folder(self, relative: str) -> bool:
        """Whether the command creates a folder at ``relative``."""
        return any(re.fullmatch(p, relative) for p in self.folders)

    def wrote(self, manifest: Any) -> bool:
        """Whether a manifest's content says this command wrote it."""
        if not isinstance(manifest, dict):
            return False
        if "kind" in manifest:
            return bool(manifest["kind"] == self.kind)
        return bool(self.legacy_keys) and self.legacy_keys <= manifest.keys()


RUN_FILES = (
    r"manifest\.json", r"events\.jsonl", r"scorecard\.json", r"report\.md", r"timeline\.txt",
    r"health\.png", r"runs\.csv", r"summary\.json", r"replications/\d{4,}/events\.jsonl",
    r"weekly\.csv", r"weekly_people\.csv", r"weekly\.png",
)  # fmt: skip

RUN = ResultKind(
    "Run",
    "drillsim run",
    files=RUN_FILES,
    folders=(r"replications", r"replications/\d{4,}"),
    legacy_keys=frozenset({"run_id", "seed", "replications", "inputs", "versions"}),
)
"""``drillsim run`` (drillsim.cli.output.result_files and weekly_output.weekly_files)."""

COMPARE = ResultKind(
    "Compare",
    "drillsim compare",
    files=(r"manifest\.json", r"comparison\.json", r"comparison\.md", r"pairs\.csv"),
)
"""``drillsim compare --out`` (drillsim.cli.compare._write_folder)."""


def check_target(target: Path, kind: ResultKind) -> None:
    """Refuse a results folder that cannot be written or that is not ``kind``'s to replace.

    Raises:
        DrillsimError: ``target`` exists and is neither empty nor a previous result of
            ``kind`` holding only its files, or a parent of it is a file.
    """
    for parent in target.parents:
        if parent.exists() and not parent.is_dir():
            raise DrillsimError(
                f"{target}: {parent} is a file, not a folder\n    choose another --out"
            )
    if not os.path.lexists(target):
        return
    if target.is_symlink() or not target.is_dir():
        raise DrillsimError(f"{target}: exists and is not a folder; refusing to overwrite it")
    if not any(target.iterdir()):
        return
    why = _not_replaceable(target, kind)
    if why:
        raise DrillsimError(f"{target}: {why}; refusing to overwrite it\n    {HINT}")


def _not_replaceable(target: Path, kind: ResultKind) -> str:
    """Why the non-empty folder ``target`` is not a result of ``kind`` ("" if it is)."""
    manifest = target / MANIFEST
    if manifest.is_symlink() or not manifest.is_file():
        return f"exists and is not a drillsim results folder (no {MANIFEST})"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return f"its {MANIFEST} is not one `{kind.command}` wrote (not readable JSON)"
    if not kind.wrote(data):
        other = data.get("kind") if isinstance(data, dict) else None
        said = f"kind {other!r}" if isinstance(other, str) else "no drillsim kind"
        return f"its {MANIFEST} is not one `{kind.command}` wrote ({said})"
    foreign = _foreign_entries(target, kind)
    if foreign:
        more = f" and {len(foreign) - SHOWN} more" if len(foreign) > SHOWN else ""
        return f"holds what `{kind.command}` does not write ({', '.join(foreign[:SHOWN])}{more})"
    return ""


def _foreign_entries(target: Path, kind: ResultKind, prefix: str = "") -> list[str]:
    """Entries under ``target`` the command does not write, sorted (a folder once, with a
    trailing ``/``). Symbolic links are never the command's."""
    foreign: list[str] = []
    with os.scandir(target) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            relative = prefix + entry.name
            if entry.is_symlink():
                foreign.append(relative)
            elif entry.is_dir():
                if kind.writes_folder(relative):
                    foreign += _foreign_entries(Path(entry.path), kind, relative + "/")
                else:
                    foreign.append(relative + "/")
            elif not (entry.is_file() and kind.writes_file(relative)):
                foreign.append(relative)
    return foreign
