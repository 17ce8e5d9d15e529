"""Run a loaded sweep (or staffing study) into its results folder: fresh, or resumed
from its runs.csv.

The plan (arms with their values, root seed, input checksums) goes into the manifest
first; rows (and each replication's incidents, to incidents.csv) are appended as
replications finish; at the end runs.csv and incidents.csv are rewritten in canonical
order (arm as the sweep lists them, replication, KPI) so the bytes do not
depend on the executor or the worker count, and summary.csv is written. Ctrl-C (or any
stop) keeps every finished replication: --resume runs only the missing ones.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from drillsim.errors import DrillsimError
from drillsim.experiments.executors import Executor, Failure, Hook, Work
from drillsim.experiments.resume_check import check_resumable, input_checksums
from drillsim.experiments.sweep import SUMMARY_COLUMNS, Job, Measures, jobs_for, summarise
from drillsim.io.loader import Document
from drillsim.io.results import write_file
from drillsim.io.sweep_results import (
    IncidentRow,
    Row,
    RunsLog,
    read_incidents,
    read_manifest,
    read_rows,
    rewrite_incidents,
    rewrite_rows,
    start_folder,
    summary_csv,
    write_manifest,
)
from drillsim.spec.drill import DrillSpec

Progress = Callable[[int, int], None]
"""Called with (replications done, replications in the sweep) after each one."""

Finish = Callable[["SweepOutcome"], None]
"""Writes a command's own files from a finished sweep (its plots, a trade-off table)."""


class ExperimentArm(Protocol):
    """One arm as the runner needs it."""

    @property
    def name(self) -> str:
        """The arm's name in rows and tables."""
        ...

    @property
    def values(self) -> dict[str, Any]:
        """What the arm sets, for the manifest."""
        ...

    @property
    def spec(self) -> DrillSpec:
        """The arm's validated drill."""
        ...


class Experiment(Protocol):
    """Arms run on the same seeded replications: a Sweep, or a StaffingStudy."""

    @property
    def kind(self) -> str:
        """The document kind, recorded in the manifest."""
        ...

    @property
    def replications(self) -> int:
        """Replications per arm."""
        ...

    @property
    def experiment_arms(self) -> Sequence[ExperimentArm]:
        """The arms, in the document's order."""
        ...

    @property
    def measures(self) -> Measures:
        """What each replication yields as rows."""
        ...

    @property
    def document(self) -> Document[Any]:
        """The experiment's own document (one of :meth:`sources`), whose
        ``replications:`` alone may change between a run and its ``--resume``."""
        ...

    def sources(self) -> dict[str, Path]:
        """Every input file by role (checksummed in the manifest)."""
        ...


class SweepInterrupted(DrillsimError):  # noqa: N818  (a stop, not an error)
    """The sweep stopped early (Ctrl-C); finished replications are kept."""


@dataclass(slots=True)
class SweepOutcome:
    """A finished sweep: its rows in canonical order, the summary, and any failures."""

    target: Path
    arms: list[str]
    seed: int
    replications: int
    rows: list[Row]
    summary: list[dict[str, Any]]
    failures: list[Failure] = field(default_factory=list)
    incidents: list[IncidentRow] = field(default_factory=list)
    """Every incident of every replication, with its times (incidents.csv)."""


def plan(loaded: Experiment, seed: int) -> dict[str, Any]:
    """What is swept, as the manifest records it (and --resume checks it again)."""
    return {
        "kind": loaded.kind,
        "seed": seed,
        "replications": loaded.replications,
        "arms": [{"name": a.name, "values": a.values} for a in loaded.experiment_arms],
        "inputs": input_checksums(
            loaded.sources(), loaded.document.path, loaded.document.source.data
        ),
    }


def run_sweep(
    loaded: Experiment,
    target: Path,
    seed: int,
    executor: Executor,
    *,
    resume: bool = False,
    progress: Progress | None = None,
    hook: Hook | None = None,
    extra: dict[str, Any] | None = None,
    finish: Finish | None = None,
) -> SweepOutcome:
    """Run every missing (arm, replication) and write the folder; ``finish`` writes the
    caller's own files (plots, a trade-off table) before the manifest says complete.

    Raises:
        SweepInterrupted: stopped by Ctrl-C, while replications ran or after; the rows
            of finished replications stay, and the manifest says ``complete: false``
            until every file is written, so --resume finishes the folder.
        DrillsimError: the folder cannot be written, or --resume does not match it.
    """
    started = time.time()
    arms = loaded.experiment_arms
    names = [a.name for a in arms]
    index = {name: i for i, name in enumerate(names)}
    reps = loaded.replications
    kpis = loaded.measures.names
    manifest = {**plan(loaded, seed), **(extra or {}), "complete": False}
    if resume:
        check_resumable(read_manifest(target), manifest, target)
        kept = _whole_replications(read_rows(target), len(kpis))
        finished_reps = {(r.arm, r.replication) for r in kept}
        rewrite_incidents(
            target, [i for i in read_incidents(target) if (i.arm, i.replication) in finished_reps]
        )
        rewrite_rows(target, kept)
        write_manifest(target, manifest)
    else:
        start_folder(target, manifest)
        kept = []
    done = {(index[r.arm], r.replication) for r in kept if r.arm in index}
    jobs = jobs_for(len(names), reps, done)
    total = len(names) * reps
    finished = len(done)
    failures: list[Failure] = []
    work = Work(tuple(a.spec for a in arms), tuple(names), seed, hook, loaded.measures)
    running = True
    try:
        log = RunsLog(target)
        outcomes = executor.run(work, jobs)
        try:
            if progress is not None:
                progress(finished, total)
            for _job, result in outcomes:
                if isinstance(result, Failure):
                    failures.append(result)
                else:
                    log.append(result.rows, result.incidents)
                    finished += 1
                if progress is not None:
                    progress(finished, total)
        finally:
            close = getattr(outcomes, "close", None)
            if close is not None:
                close()
            log.close()
        running = False
        rows = _canonical(read_rows(target), index, kpis)
        rewrite_rows(target, rows)
        incidents = sorted(read_incidents(target), key=lambda i: (index[i.arm], i.replication))
        rewrite_incidents(target, incidents)
        summary = summarise(rows, names, kpis)
        write_file(target / "summary.csv", summary_csv(summary, SUMMARY_COLUMNS))
        outcome = SweepOutcome(target, names, seed, reps, rows, summary, failures, incidents)
        if finish is not None:
            finish(outcome)
        manifest.update(
            complete=not failures,
            failures=[
                {"arm": names[f.job.arm], "replication": f.job.replication, "reason": f.reason}
                for f in sorted(failures, key=lambda f: f.job)
            ],
            wall_time_s=round(time.time() - started, 3),
        )
        write_manifest(target, manifest)
    except KeyboardInterrupt:
        raise SweepInterrupted(_interrupted(finished, total, target, running=running)) from None
    return outcome


def _interrupted(finished: int, total: int, target: Path, *, running: bool) -> str:
    """What Ctrl-C left: how many replications, and how --resume goes on."""
    kept = f"interrupted: {finished} of {total} replications kept in {target}"
    if running:
        return f"{kept}\n    add --resume to continue where it stopped"
    return (
        f"{kept}, before the summary and other results were all written\n"
        "    add --resume to write them (finished replications do not run again)"
    )


def _whole_replications(rows: list[Row], kpis: int) -> list[Row]:
    """Rows of replications that have every KPI (a disk that filled up mid-write could
    leave the first lines of one)."""
    count = Counter((r.arm, r.replication) for r in rows)
    return [r for r in rows if count[(r.arm, r.replication)] == kpis]


def _canonical(rows: list[Row], index: dict[str, int], kpis: Sequence[str]) -> list[Row]:
    order = {kpi: i for i, kpi in enumerate(kpis)}
    return sorted(rows, key=lambda r: (index[r.arm], r.replication, order[r.kpi]))


__all__ = ["Experiment", "Job", "SweepInterrupted", "SweepOutcome", "plan", "run_sweep"]
