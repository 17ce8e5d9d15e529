"""Write a run's results folder atomically, and read one back.

Everything is written into a temporary sibling folder first and renamed into place, so
an interrupted run leaves nothing half-made, and an existing folder is only replaced
when it is a previous result of the same command holding nothing else
(:mod:`drillsim.io.result_folders`).
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
from drillsim.io.result_folders import ResultKind, check_target


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dumps_json(data: Any) -> str:
    """Pretty, key-sorted JSON with a trailing newline (stable bytes)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def unused_folder(target: Path) -> Path:
    """``target``, or ``target-2``, ``target-3`` ... if it is taken (runs in one second)."""
    candidate, k = target, 1
    while candidate.exists():
        k += 1
        candidate = target.with_name(f"{target.name}-{k}")
    return candidate


def write_results(target: Path, files: dict[str, str | bytes], kind: ResultKind) -> Path:
    """Write ``files`` (relative name -> content) as the folder ``target``, atomically,
    replacing a previous result of ``kind`` there.

    Raises:
        DrillsimError: the folder cannot be written (see :func:`check_target`, or the
            disk refused).
        ValueError: ``files`` names a file ``kind`` does not list (a bug: the next run
            would refuse to replace this folder).
    """
    unlisted = sorted(name for name in files if not kind.writes_file(name))
    if unlisted:
        raise ValueError(f"{kind.command} writes files its ResultKind does not list: {unlisted}")
    check_target(target, kind)  # again: the folder may have changed during the run
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
            _replace(target, tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _replace(target: Path, new: Path) -> None:
    """Swap the folder ``new`` in for ``target``. The old folder moves into a fresh
    temporary sibling (never a fixed name, which could be someone's folder), and comes
    back if the swap fails."""
    holder = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    old = holder / target.name
    try:
        os.replace(target, old)
    except BaseException:
        holder.rmdir()
        raise
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)  # should this fail too, the old folder stays in holder
        holder.rmdir()
        raise
    shutil.rmtree(holder, ignore_errors=True)


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
