"""Where a sweep's jobs run: in this process, or in local worker processes.

An executor takes the sweep's work (arm drills, names, root seed) and a list of jobs and
yields each job's outcome as it finishes, in any order; rows depend only on the job, so
the order never changes the results. Every executor retries a job that failed (its
worker died, or it raised) once, then reports it as a :class:`Failure` and carries on.
The Dask executor (:mod:`drillsim.experiments.dask_executor`, an optional extra)
implements the same :class:`Executor` protocol on a cluster.

The process executor manages its own spawn-safe workers (one pipe each) instead of a
``ProcessPoolExecutor``: when a worker dies the parent knows exactly which job it held,
so only that job is retried, and Ctrl-C stops the workers without tracebacks from them
(they are spawned with SIGINT ignored, so even one still starting up stays quiet).
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from drillsim.errors import DrillsimError
from drillsim.experiments.sweep import SWEEP_MEASURES, Job, JobResult, Measures, run_job
from drillsim.spec.drill import DrillSpec

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: Attempts per job: the first run and one retry.
ATTEMPTS = 2

Hook = Callable[[Job, int], None]
"""Called in the worker before a job's attempt (1, 2): tests inject faults with it."""


@dataclass(frozen=True, slots=True)
class Work:
    """What every worker needs, sent once per worker: the arms' drills, names, root seed,
    and what to measure in each replication."""

    drills: tuple[DrillSpec, ...]
    names: tuple[str, ...]
    seed: int
    hook: Hook | None = field(default=None, compare=False)
    measures: Measures = SWEEP_MEASURES

    def run(self, job: Job, attempt: int) -> JobResult:
        """One attempt at one job."""
        if self.hook is not None:
            self.hook(job, attempt)
        return run_job(self.drills, self.names, self.seed, job, self.measures)


@dataclass(frozen=True, slots=True)
class Failure:
    """A job that failed every attempt, and why the last one did."""

    job: Job
    reason: str


Outcome = tuple[Job, JobResult | Failure]


class Executor(Protocol):
    """Runs jobs, yielding each outcome as it finishes (closing the iterator stops it)."""

    name: str

    def run(self, work: Work, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Every job's rows, or its Failure, as they finish."""
        ...


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class SequentialExecutor:
    """Every job in this process, in the given order (debugging, small sweeps)."""

    name = "sequential"

    def run(self, work: Work, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Each job in turn; an exception is retried once, then reported."""
        for job in jobs:
            reason = ""
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    rows = work.run(job, attempt)
                except Exception as exc:
                    reason = _describe(exc)
                    continue
                yield job, rows
                break
            else:
                yield job, Failure(job, reason)


def _serve(conn: Connection) -> None:
    """A worker's life: take the sweep's Work, then (job, attempt) after (job, attempt),
    sending back (job, rows or error text); stop on None. Ctrl-C is the parent's
    business: the worker starts with SIGINT ignored (see :func:`_sigint_ignored`) and
    keeps it so."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    work: Work = conn.recv()
    # Everything alive now (imported modules, the arms' drills) lives as long as the
    # worker: freeze it out of the collector, so full collections walk only what the
    # replications allocate (the Dask workers measured ~20% on the same preload).
    gc.freeze()
    while True:
        message = conn.recv()
        if message is None:
            return
        job, attempt = message
        try:
            result: JobResult | str = work.run(job, attempt)
        except Exception as exc:
            result = _describe(exc)
        conn.send((job, result))


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while a worker process is spawned, so that the worker inherits
    SIG_IGN and a Ctrl-C during its start-up (interpreter, imports, unpickling, half a
    second or more) cannot raise KeyboardInterrupt in it and print a traceback. The
    window is only the spawn itself: the Work is sent afterwards. A Ctrl-C inside it is
    held (blocked) rather than lost, and reaches this process once it ends. Only the
    main thread can change signal handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    mask = getattr(signal, "pthread_sigmask", None)  # not on Windows
    held = mask(signal.SIG_BLOCK, {signal.SIGINT}) if mask is not None else None
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
        if mask is not None and held is not None:
            mask(signal.SIG_SETMASK, held)


def _send(conn: Connection, message: Any) -> None:
    """Send to a worker; one that already died is found by its EOF, where its job (if
    any) is retried, so a broken pipe here is not an error of its own."""
    with suppress(BrokenPipeError, ConnectionResetError):
        conn.send(message)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: tuple[Job, int] | None = None


class ProcessExecutor:
    """Jobs on local worker processes (spawned, so safe on every platform)."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()

    def run(self, work: Work, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Jobs handed out one at a time to idle workers; a dead worker's job is retried
        once on a fresh worker, then reported."""
        import multiprocessing
        from multiprocessing.connection import wait

        ctx = multiprocessing.get_context("spawn")
        queue: deque[tuple[Job, int]] = deque((job, 1) for job in jobs)
        live: dict[Connection, _Worker] = {}
        ran_any = False
        early_deaths = 0

        def start() -> _Worker:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child,), daemon=True)
            with _sigint_ignored():
                proc.start()
            child.close()
            worker = live[parent] = _Worker(proc, parent)
            return worker

        def hand_out(worker: _Worker) -> None:
            worker.job = queue.popleft() if queue else None
            _send(worker.conn, worker.job)
            if worker.job is None:
                del live[worker.conn]
                worker.process.join()

        try:
            # Every worker is spawned before any is sent the Work (which waits until
            # that worker has started up and reads it): they start up side by side.
            started = [start() for _ in range(min(self.workers, len(queue)))]
            for worker in started:
                _send(worker.conn, work)
            for worker in started:
                hand_out(worker)
            while live:
                for ready in wait(list(live)):
                    worker = live[cast("Connection", ready)]
                    conn = worker.conn
                    assert worker.job is not None
                    job, attempt = worker.job
                    result: JobResult | str
                    try:
                        _, result = conn.recv()
                    except (EOFError, OSError):
                        result = f"worker died (exit code {_exit_code(worker)})"
                        del live[conn]
                        conn.close()
                        early_deaths += not ran_any
                        if early_deaths > self.workers + ATTEMPTS:
                            raise DrillsimError(
                                f"every worker process died before finishing a job ({result})\n"
                                "    workers re-import the calling script (spawn): is it "
                                "importable? --executor sequential runs without workers"
                            ) from None
                        if attempt < ATTEMPTS or queue:
                            replacement = start()
                            _send(replacement.conn, work)
                        else:
                            replacement = None
                    else:
                        replacement = worker
                    if isinstance(result, str):
                        if attempt < ATTEMPTS:
                            queue.appendleft((job, attempt + 1))
                        else:
                            yield job, Failure(job, result)
                    else:
                        ran_any = True
                        yield job, result
                    if replacement is not None:
                        hand_out(replacement)
        finally:
            for worker in live.values():
                worker.process.terminate()
            for worker in live.values():
                worker.process.join()
                worker.conn.close()


def _exit_code(worker: _Worker) -> int | None:
    worker.process.join(timeout=5)
    code: int | None = worker.process.exitcode
    return code


def make_executor(
    name: str, workers: int | None = None, *, scheduler: str | None = None
) -> Executor:
    """The executor called ``name`` (``processes``, ``sequential`` or ``dask``).

    ``scheduler`` (a Dask scheduler's address) is for ``dask`` only; ``dask`` without
    one starts a LocalCluster of ``workers`` processes.

    Raises:
        DrillsimError: ``dask`` without the ``distributed`` package installed.
    """
    if scheduler is not None and name != "dask":
        raise ValueError(f"a scheduler address is for the dask executor, not {name!r}")
    if name == "sequential":
        return SequentialExecutor()
    if name == "processes":
        return ProcessExecutor(workers)
    if name == "dask":
        from drillsim.experiments.dask_executor import DaskExecutor

        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown executor {name!r}")
