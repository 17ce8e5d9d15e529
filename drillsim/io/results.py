"""Write a run's results folder atomically, and read one back.

Everything is written into a temporary sibling folder first and renamed into place, so
an interrupted run leaves nothing half-made, and an existing folder is only replaced
when it is itself a drillsim results folder (it has a manifest.json).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from drillsim.errors import ConfigError, DrillsimError, Issue


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dumps_json(data: Any) -> str:
    """Pretty, key-sorted JSON with a trailing newline (stable bytes)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def check_target(target: Path) -> None:
    """Refuse a results folder that cannot be written or would overwrite user data.

    Raises:
        DrillsimError: ``target`` exists and is not a drillsim results folder, or a parent
            of it is a file.
    """
    if target.exists() and not (
        target.is_dir() and ((target / "manifest.json").is_file() or not any(target.iterdir()))
    ):
        raise DrillsimError(
            f"{target}: exists and is not a drillsim results folder; refusing to overwrite it\n"
            "    choose another --out, or remove the folder yourself"
        )
    for parent in target.parents:
        if parent.exists() and not parent.is_dir():
            raise DrillsimError(
                f"{target}: {parent} is a file, not a folder\n    choose another --out"
            )


def unused_folder(target: Path) -> Path:
    """``target``, or ``target-2``, ``target-3`` ... if it is taken (runs in one second)."""
    candidate, k = target, 1
    while candidate.exists():
        k += 1
        candidate = target.with_name(f"{target.name}-{k}")
    return candidate


def write_results(target: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative name -> content) as the folder ``target``, atomically.

    Raises:
        DrillsimError: the folder cannot be written (see :func:`check_target`, or the
            disk refused).
    """
    check_target(target)
    try:
        return _write_atomically(target, files)
    except OSError as exc:
        raise DrillsimError(f"{target}: cannot write results ({exc.strerror or exc})") from None


def _write_atomically(target: Path, files: dict[str, str | bytes]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, content in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_events(results_dir: Path) -> list[dict[str, Any]]:
    """The events of a results folder (events.jsonl), as plain records."""
    from drillsim.events import read_jsonl

    path = results_dir / "events.jsonl"
    if not path.is_file():
        raise ConfigError(
            [
                Issue(
                    str(results_dir),
                    0,
                    0,
                    "",
                    "no events.jsonl here",
                    "give a folder written by `drillsim run`",
                )
            ]
        )
    try:
        return read_jsonl(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(
            [Issue(str(path), exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")]
        ) from None


def write_file(target: Path, content: bytes) -> Path:
    """Write one file atomically (a temporary file beside it, then renamed into place).

    Raises:
        DrillsimError: the file cannot be written.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DrillsimError(f"{target}: cannot write ({exc.strerror or exc})") from None
    return target
