"""Sweep jobs on a Dask cluster: a LocalCluster it starts, or a running scheduler.

For users who outgrow one machine. ``distributed`` is an optional extra
(``pip install 'drillsim[dask]'``) and is imported only when this executor is made.

What goes over the wire: the :class:`~drillsim.experiments.executors.Work` (the arms'
validated drills, names, root seed) once, as the input of one task that every job task
depends on, so workers copy it from each other and, should every copy be lost with its
workers, the scheduler rebuilds it instead of failing the sweep; then each job is one
small task, ``(job, attempt) -> rows``. Rows depend only on the job, so they are
identical to the other executors' whatever the cluster.

Retries follow the other executors: a job whose task raised or whose worker died is
submitted again once (attempt 2, which the test hook sees), then reported as a
:class:`~drillsim.experiments.executors.Failure`. Dask has its own rule for dead workers
(``distributed.scheduler.allowed-failures``, N): a task errs with ``KilledWorker`` only
once more than N workers died running it, and is silently re-run before that. The
LocalCluster this executor starts sets N to 0, so a job runs at most twice and "retried
once" is literal. A scheduler given by address keeps its own N (default 3): there each
of the two attempts may run up to N + 1 times before it counts as failed here.

Dask also counts a death against every task the dead worker *held*, running or merely
waiting. Each worker thread holds the job it runs and the next one, so it never waits
for a scheduler round trip between jobs (that wait cost about a third of the throughput
of 50 ms jobs on a busy 2-core machine). After the first worker death the executor
holds back to one job per thread, so a later death kills only the job that was running:
a bystander can lose its first attempt to a neighbour's crash, never its retry.
"""

from __future__ import annotations

import gc
import logging
import signal
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from drillsim.errors import DrillsimError
from drillsim.experiments.executors import (
    ATTEMPTS,
    Executor,
    Failure,
    Outcome,
    Work,
    default_workers,
)
from drillsim.experiments.sweep import Job, JobResult

#: Seconds to wait for a scheduler given by address before giving up.
CONNECT_TIMEOUT_S = 10.0

#: Jobs in flight per worker thread until a worker dies: the one it runs and the next,
#: so no thread waits for a scheduler round trip between jobs (see the module docstring).
JOBS_PER_THREAD = 2

#: How often the number of worker threads (the in-flight limit) is asked again, seconds.
CAPACITY_REFRESH_S = 2.0

INSTALL_HINT = "pip install 'drillsim[dask]'"

#: Settings of the LocalCluster this executor starts (see the module docstring).
LOCAL_CONFIG = {
    "distributed.scheduler.allowed-failures": 0,
    # Every worker keeps its copy of the Work: nothing to gain from dropping replicas.
    "distributed.scheduler.active-memory-manager.start": False,
    # Background work that serves the dashboard or balances queues this executor keeps
    # at two jobs a thread anyway: the profiler samples every worker's stack every 10 ms.
    # Off, an idle 2-worker cluster took ~9% of a core instead of ~16%.
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.work-stealing": False,
}


def _require_distributed() -> None:
    """Fail early, with the install command, when the extra is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise DrillsimError(
            "the dask executor needs the 'distributed' package, which is not installed\n"
            f"    {INSTALL_HINT}"
        ) from None


def dask_setup(worker: object) -> None:
    """Run by every worker of the LocalCluster this executor starts (a Dask preload; add
    ``--preload drillsim.experiments.dask_executor`` to ``dask worker`` for the same on a
    cluster of your own).

    Ctrl-C in the terminal reaches the workers too, but it is the sweep's business (it
    cancels the tasks and closes the cluster), so they ignore it rather than print
    tracebacks. And the objects alive once a worker has started (distributed's and
    drillsim's modules) are frozen out of the garbage collector: a replication allocates
    many short-lived objects, and each full collection would otherwise walk that heap
    too, which made replications about 20% slower than in a bare process.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while the LocalCluster spawns its workers: an ignored SIGINT is
    inherited, so they start deaf to it instead of dying mid-import with tracebacks (a
    worker restarted later gets the same from :func:`dask_setup`). Ctrl-C works again
    once the cluster is up, a second or two later."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:  # a handler set outside Python: leave it alone
        yield
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _hold(work: Work) -> Work:
    """The task whose result is the Work every job reads (see the module docstring)."""
    return work


def _attempt(work: Work, job: Job, attempt: int) -> JobResult:
    """One attempt at one job, on a worker."""
    return work.run(job, attempt)


class DaskExecutor:
    """Jobs as tasks on a Dask cluster, two per worker thread in flight (one after a
    worker died).

    Use it as a context manager (or :func:`connected`) to connect before any work, so an
    unreachable scheduler is reported before a results folder exists; :meth:`run` also
    connects by itself and then closes what it opened when it ends.
    """

    name = "dask"

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
    ) -> None:
        """``scheduler`` is an address (``tcp://HOST:PORT``) of a running cluster; without
        one a LocalCluster of ``workers`` single-threaded processes (default: every core
        this process may use) is started.

        Raises:
            DrillsimError: ``distributed`` is not installed.
        """
        _require_distributed()
        if scheduler is not None and workers is not None:
            raise ValueError("workers sets the size of a LocalCluster, not of a scheduler's")
        self.scheduler = scheduler
        self.workers = workers or default_workers()
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self._cluster: Any = None

    def manifest(self) -> dict[str, Any]:
        """What the sweep's manifest records about where it ran."""
        if self.scheduler is not None:
            return {"executor": self.name, "scheduler": self.scheduler}
        return {"executor": self.name, "scheduler": None, "workers": self.workers}

    @property
    def address(self) -> str | None:
        """The scheduler's address while connected (a LocalCluster's is made up at start)."""
        return None if self._client is None else str(self._client.scheduler.address)

    def __enter__(self) -> DaskExecutor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Connect to the scheduler, or start the LocalCluster (no-op when connected).

        Raises:
            DrillsimError: the scheduler cannot be reached, or the cluster cannot start.
        """
        if self._client is not None:
            return
        if self.scheduler is None:
            self._start_local()
        else:
            self._connect(self.scheduler)

    def _start_local(self) -> None:
        import dask
        from distributed import Client, LocalCluster

        try:
            with dask.config.set(LOCAL_CONFIG), _interrupts_ignored():
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    # Failures are reported by the sweep; worker logs would only repeat
                    # them as tracebacks on the terminal.
                    silence_logs=logging.CRITICAL,
                    dashboard_address=":0",  # any free port: 8787 may be taken
                    preload=[__name__],  # runs dask_setup in every worker, restarts too
                )
            self._client = Client(self._cluster, set_as_default=False)
        except Exception as exc:
            self.close()
            raise DrillsimError(
                f"cannot start a Dask LocalCluster of {self.workers} workers: {exc}\n"
                "    --executor processes runs on local worker processes without Dask"
            ) from None

    def _connect(self, address: str) -> None:
        from distributed import Client

        _probe(address, self.connect_timeout_s)
        try:
            self._client = Client(address, timeout=self.connect_timeout_s, set_as_default=False)
        except Exception as exc:
            raise DrillsimError(_unreachable(address, f"{type(exc).__name__}: {exc}")) from None

    def close(self) -> None:
        """Close the client and the LocalCluster this executor started (idempotent)."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def run(self, work: Work, jobs: Sequence[Job]) -> Iterator[Outcome]:
        """Every job's rows, or its Failure, as they finish; closing the iterator cancels
        the outstanding tasks (and closes the connection if this call opened it)."""
        opened_here = self._client is None
        self.start()
        try:
            yield from _Dispatch(self._client, work, jobs).outcomes()
        except Exception as exc:
            if self._client.status == "running":
                raise
            raise DrillsimError(
                f"lost the Dask scheduler at {self.scheduler or 'the LocalCluster'} "
                f"({type(exc).__name__}: {exc})\n"
                "    finished replications are kept: --resume continues the sweep"
            ) from None
        finally:
            if opened_here:
                self.close()


class _Dispatch:
    """One run's bookkeeping: the queue, the tasks in flight, the in-flight limit."""

    def __init__(self, client: Any, work: Work, jobs: Sequence[Job]) -> None:
        from distributed import as_completed

        self.client = client
        self.token = uuid.uuid4().hex[:12]
        self.queue: deque[tuple[Job, int]] = deque((job, 1) for job in jobs)
        self.flying: dict[Any, tuple[Job, int]] = {}
        self.finished = as_completed(loop=client.loop)
        self.work = client.submit(_hold, work, key=f"drillsim-work-{self.token}")
        self.per_thread = JOBS_PER_THREAD
        self.capacity = 1
        self.asked_at = float("-inf")

    def outcomes(self) -> Iterator[Outcome]:
        """Fill the worker threads, then yield each outcome as its task ends."""
        try:
            self.fill()
            for future in self.finished:
                job, attempt = self.flying.pop(future)
                failed = None if future.status == "finished" else _failure(future)
                if failed is not None:
                    self.asked_at = float("-inf")  # a worker may have died: count again
                    if failed.worker_died:
                        self.per_thread = 1  # from now on a death kills no bystander
                    if attempt < ATTEMPTS:
                        self.queue.appendleft((job, attempt + 1))
                self.fill()  # the freed thread gets its next job before the rows travel
                if failed is None:
                    result: JobResult = future.result()
                    future.release()
                    yield job, result
                else:
                    future.release()
                    if attempt == ATTEMPTS:
                        yield job, Failure(job, failed.reason)
        finally:
            self.stop()

    def fill(self) -> None:
        """Submit queued jobs while fewer are in flight than the threads can hold."""
        if not self.flying or time.monotonic() - self.asked_at > CAPACITY_REFRESH_S:
            self.capacity = max(1, sum(self.client.nthreads().values()))
            self.asked_at = time.monotonic()
        while self.queue and len(self.flying) < self.capacity * self.per_thread:
            job, attempt = self.queue.popleft()
            future = self.client.submit(
                _attempt,
                self.work,
                job,
                attempt,
                key=f"drillsim-replication-{job.arm}-{job.replication}-{attempt}-{self.token}",
            )
            self.flying[future] = (job, attempt)
            self.finished.add(future)

    def stop(self) -> None:
        """Cancel what is still queued or running on the cluster (Ctrl-C, an error)."""
        outstanding = [*self.flying, self.work]
        self.flying.clear()
        if self.client.status == "running":
            self.client.cancel(outstanding)


@dataclass(frozen=True, slots=True)
class _Failed:
    reason: str
    worker_died: bool


def _failure(future: Any) -> _Failed:
    """Why a task did not finish (the reason a Failure reports)."""
    from distributed import KilledWorker

    if future.status != "error":
        return _Failed(f"task {future.status} by the Dask cluster", False)
    exc = future.exception()
    if isinstance(exc, KilledWorker):
        worker = getattr(exc.last_worker, "address", None)
        return _Failed(f"worker died ({worker})" if worker else "worker died", True)
    return _Failed(f"{type(exc).__name__}: {exc}", False)


def _probe(address: str, timeout_s: float) -> None:
    """Try a TCP connection to the scheduler first: a wrong port is refused at once,
    where the Dask client would retry until its timeout."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise DrillsimError(
            f"cannot read the Dask scheduler address {address!r}: {exc}\n"
            "    write it as tcp://HOST:PORT (the scheduler's default port is 8786)"
        ) from None
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        raise DrillsimError(_unreachable(address, exc.strerror or str(exc))) from None


def _unreachable(address: str, reason: str) -> str:
    return (
        f"cannot reach the Dask scheduler at {address} ({reason})\n"
        "    is `dask scheduler` running there, with workers? Without --scheduler, "
        "--executor dask starts a LocalCluster on this machine"
    )


@contextmanager
def connected(executor: Executor) -> Iterator[Executor]:
    """Connect a Dask executor for the duration of a sweep, before any work (so an
    unreachable scheduler leaves no results folder) and closed however it ends; other
    executors pass through."""
    if isinstance(executor, DaskExecutor):
        with executor:
            yield executor
    else:
        yield executor


def described(executor: Executor) -> dict[str, Any]:
    """What a sweep's manifest records about its executor (for Dask, the scheduler)."""
    if isinstance(executor, DaskExecutor):
        return executor.manifest()
    return {"executor": executor.name}
