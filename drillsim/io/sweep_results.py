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
INCIDENTS = "incidents.csv"
#: The columns of incidents.csv, in order.
INCIDENT_COLUMNS = (
    "arm",
    "replication",
    "seed",
    "incident",
    "severity",
    "opened_s",
    "time_to_acknowledge_s",
    "time_to_resolve_s",
    "paged",
)
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of runs.csv: a KPI of one replication of one arm (None: undefined)."""

    arm: str
    replication: int
    seed: int
    kpi: str
    value: float | None


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One line of incidents.csv: an incident of one replication of one arm, with its
    time to acknowledge and to resolve (None: it never was)."""

    arm: str
    replication: int
    seed: int
    incident: str
    severity: str
    opened_s: float
    time_to_acknowledge_s: float | None
    time_to_resolve_s: float | None
    paged: str = ""
    """Everyone paged for it, names sorted and space-separated."""


def _cell(value: float | None) -> str:
    return "" if value is None else repr(value)


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def format_rows(rows: Sequence[Row]) -> bytes:
    """CSV lines of rows (floats in full precision, an undefined KPI as empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in rows:
        writer.writerow([r.arm, r.replication, r.seed, r.kpi, _cell(r.value)])
    return buf.getvalue().encode("utf-8")


def format_incidents(rows: Sequence[IncidentRow]) -> bytes:
    """CSV lines of incident rows (as :func:`format_rows` writes numbers)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for r in rows:
        writer.writerow(
            [
                r.arm,
                r.replication,
                r.seed,
                r.incident,
                r.severity,
                repr(r.opened_s),
                _cell(r.time_to_acknowledge_s),
                _cell(r.time_to_resolve_s),
                r.paged,
            ]
        )
    return buf.getvalue().encode("utf-8")


def _header(columns: Sequence[str] = COLUMNS) -> bytes:
    return (",".join(columns) + "\n").encode("utf-8")


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
        write_file(target / INCIDENTS, _header(INCIDENT_COLUMNS))
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


class _AppendOnly:
    """A CSV file opened for appending whole replications, one ``os.write`` each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)

    def write(self, data: bytes) -> None:
        written = os.write(self._fd, data)
        if written != len(data):  # pragma: no cover - a full disk
            raise DrillsimError(f"{self.path}: short write ({written} of {len(data)} bytes)")

    def close(self) -> None:
        os.close(self._fd)


class RunsLog:
    """runs.csv and incidents.csv opened for appending whole replications.

    A replication's incidents are written before its rows: runs.csv is what says a
    replication finished, so incidents of one that did not are dropped on --resume.
    """

    def __init__(self, target: Path) -> None:
        self.path = target / RUNS
        self._incidents = _AppendOnly(target / INCIDENTS)
        self._runs = _AppendOnly(self.path)

    def append(self, rows: Sequence[Row], incidents: Sequence[IncidentRow] = ()) -> None:
        """Append one replication: its incidents, then its rows, each in a single write."""
        if incidents:
            self._incidents.write(format_incidents(incidents))
        self._runs.write(format_rows(rows))

    def close(self) -> None:
        """Close the files (rows are already on their way to disk)."""
        self._incidents.close()
        self._runs.close()


def read_rows(target: Path) -> list[Row]:
    """The rows of runs.csv; a final line without its newline is dropped (and cut off
    the file, so appending continues on a line boundary)."""
    return [
        Row(arm, int(rep), int(seed), kpi, _number(value))
        for arm, rep, seed, kpi, value in csv.reader(_complete_lines(target / RUNS))
    ]


def rewrite_rows(target: Path, rows: Sequence[Row]) -> None:
    """Replace runs.csv by ``rows`` (sorted by the caller), atomically."""
    write_file(target / RUNS, _header() + format_rows(rows))


def _complete_lines(path: Path) -> list[str]:
    """The lines of a CSV file after its header, a final line without its newline
    dropped (and cut off the file, so appending continues on a line boundary)."""
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with path.open("r+b") as f:
            f.truncate(end)
    return data[:end].decode("utf-8").splitlines()[1:]


def read_incidents(target: Path) -> list[IncidentRow]:
    """The rows of incidents.csv (none if the folder predates it; a folder from before
    the ``paged`` column reads with it empty).

    Raises:
        DrillsimError: a line that is not an incident row.
    """
    path = target / INCIDENTS
    if not path.is_file():
        return []
    rows = []
    for n, cells in enumerate(csv.reader(_complete_lines(path)), start=2):
        try:
            arm, rep, seed, incident, severity, opened, tta, ttr, *rest = cells
            if len(rest) > 1:
                raise ValueError(f"{len(cells)} columns")
            paged = rest[0] if rest else ""
            rows.append(
                IncidentRow(
                    arm,
                    int(rep),
                    int(seed),
                    incident,
                    severity,
                    float(opened),
                    _number(tta),
                    _number(ttr),
                    paged,
                )
            )
        except ValueError as exc:
            raise DrillsimError(
                f"{path}:{n}: not an incident row ({exc})\n"
                f"    expected the columns {', '.join(INCIDENT_COLUMNS)}"
            ) from None
    return rows


def rewrite_incidents(target: Path, rows: Sequence[IncidentRow]) -> None:
    """Replace incidents.csv by ``rows`` (sorted by the caller), atomically."""
    write_file(target / INCIDENTS, _header(INCIDENT_COLUMNS) + format_incidents(rows))


def summary_csv(summary: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """summary.csv: one row per arm and KPI."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(columns), lineterminator="\n")
    writer.writeheader()
    for row in summary:
        writer.writerow({k: "" if row[k] is None else row[k] for k in columns})
    return buf.getvalue().encode("utf-8")
