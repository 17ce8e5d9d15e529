"""A sweep's results folder: rows appended as replications finish, never a torn row.

A sweep may run for hours and be interrupted, so unlike ``drillsim run`` its folder
exists while it runs: ``manifest.json`` (``"complete": false`` until the end) says what is
being swept, and ``runs.csv`` grows by whole replications. Each replication's rows are
one ``os.write`` of complete lines on a file opened with ``O_APPEND``: the kernel appends
them in one piece, so a crash leaves whole replications (a reader also drops a final
line without its newline, in case a disk filled up mid-write). Every other file, and
runs.csv's final sorted form, is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.errors import DrillsimError
from drillsim.io.results import dumps_json, write_file

RUNS = "runs.csv"
#: The columns of runs.csv, in order.
COLUMNS = ("arm", "replication", "seed", "kpi", "value")
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of runs.csv: a KPI of one replication of one arm (None: undefined)."""

    arm: str
    replication: int
    seed: int
    kpi: str
    value: float | None


def format_rows(rows: Sequence[Row]) -> bytes:
    """CSV lines of rows (floats in full precision, an undefined KPI as empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in rows:
        value = "" if r.value is None else repr(r.value)
        writer.writerow([r.arm, r.replication, r.seed, r.kpi, value])
    return buf.getvalue().encode("utf-8")


def _header() -> bytes:
    return (",".join(COLUMNS) + "\n").encode("utf-8")


def start_folder(target: Path, manifest: dict[str, Any]) -> None:
    """Create a new sweep folder: the manifest (incomplete) and runs.csv with its header.

    Raises:
        DrillsimError: ``target`` exists and is not empty (a finished or interrupted
            sweep is never overwritten: --resume continues one, --out picks another).
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        interrupted = (target / MANIFEST).is_file() and not read_manifest(target).get("complete")
        hint = (
            "it holds an interrupted sweep: add --resume to continue it"
            if interrupted
            else "choose another --out, or remove the folder yourself"
        )
        raise DrillsimError(
            f"{target}: exists and is not empty; refusing to overwrite it\n    {hint}"
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        write_manifest(target, manifest)
        write_file(target / RUNS, _header())
    except OSError as exc:
        raise DrillsimError(f"{target}: cannot write ({exc.strerror or exc})") from None


def write_manifest(target: Path, manifest: dict[str, Any]) -> None:
    """Write (replace) the manifest atomically."""
    write_file(target / MANIFEST, dumps_json(manifest).encode("utf-8"))


def read_manifest(target: Path) -> dict[str, Any]:
    """The manifest of a sweep folder.

    Raises:
        DrillsimError: there is none, or it is not a sweep's.
    """
    path = target / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise DrillsimError(f"{path}: no readable sweep manifest here") from None
    if not isinstance(data, dict) or data.get("kind") not in ("Sweep", "StaffingStudy"):
        raise DrillsimError(f"{path}: not a sweep's results folder")
    return data


class RunsLog:
    """runs.csv opened for appending whole replications."""

    def __init__(self, target: Path) -> None:
        self.path = target / RUNS
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)

    def append(self, rows: Sequence[Row]) -> None:
        """Append one replication's rows in a single write."""
        data = format_rows(rows)
        written = os.write(self._fd, data)
        if written != len(data):  # pragma: no cover - a full disk
            raise DrillsimError(f"{self.path}: short write ({written} of {len(data)} bytes)")

    def close(self) -> None:
        """Close the file (rows are already on their way to disk)."""
        os.close(self._fd)


def read_rows(target: Path) -> list[Row]:
    """The rows of runs.csv; a final line without its newline is dropped (and cut off
    the file, so appending continues on a line boundary)."""
    path = target / RUNS
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with path.open("r+b") as f:
            f.truncate(end)
    lines = data[:end].decode("utf-8").splitlines()
    reader = csv.reader(lines[1:])
    return [
        Row(arm, int(rep), int(seed), kpi, None if value == "" else float(value))
        for arm, rep, seed, kpi, value in reader
    ]


def rewrite_rows(target: Path, rows: Sequence[Row]) -> None:
    """Replace runs.csv by ``rows`` (sorted by the caller), atomically."""
    write_file(target / RUNS, _header() + format_rows(rows))


def summary_csv(summary: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """summary.csv: one row per arm and KPI."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(columns), lineterminator="\n")
    writer.writeheader()
    for row in summary:
        writer.writerow({k: "" if row[k] is None else row[k] for k in columns})
    return buf.getvalue().encode("utf-8")
