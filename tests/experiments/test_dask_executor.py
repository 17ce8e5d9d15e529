"""The Dask executor: a LocalCluster sweep equals the sequential one byte for byte, a
scheduler is reached before any folder is made, and jobs that raise or kill their worker
are retried once, then reported while the other rows stand.

One LocalCluster of 2 workers (started by the executor itself) serves the whole module;
the CLI tests reach it by its address, as a user reaches a remote scheduler.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

pytest.importorskip("distributed")  # a guard only: the test extra installs it

import drillsim
from drillsim.cli.main import cli
from drillsim.errors import DrillsimError
from drillsim.experiments.dask_executor import DaskExecutor
from drillsim.experiments.executors import Failure, SequentialExecutor, make_executor
from drillsim.experiments.sweep import Job
from drillsim.experiments.sweep_runner import run_sweep
from drillsim.io.sweeps import LoadedSweep, load_sweep

SWEEPS = Path(__file__).resolve().parents[1] / "data" / "sweeps"


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[DaskExecutor]:
    """A connected Dask executor on its own LocalCluster of 2 single-threaded workers."""
    with DaskExecutor(2) as executor:
        yield executor


@pytest.fixture(scope="module")
def escalation() -> LoadedSweep:
    """Three arms of the mini drill (first escalation delay, rotation) x 3 replications."""
    return load_sweep(SWEEPS / "escalation.yaml")


@pytest.fixture(scope="module")
def sequential(escalation: LoadedSweep, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The escalation sweep's folder, run sequentially."""
    target = tmp_path_factory.mktemp("seq") / "sweep"
    run_sweep(escalation, target, 11, SequentialExecutor())
    return target


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


def test_a_local_cluster_sweep_equals_the_sequential_one(
    tmp_path: Path, escalation: LoadedSweep, sequential: Path, dask_cluster: DaskExecutor
) -> None:
    """runs.csv and summary.csv are byte-identical: rows depend only on the job."""
    outcome = run_sweep(escalation, tmp_path / "d", 11, dask_cluster)
    assert outcome.failures == []
    for name in ("runs.csv", "summary.csv"):
        assert (tmp_path / "d" / name).read_bytes() == (sequential / name).read_bytes()


def test_the_cli_runs_on_a_scheduler_and_the_manifest_records_it(
    tmp_path: Path, sequential: Path, dask_cluster: DaskExecutor
) -> None:
    """--scheduler alone means --executor dask; the manifest names the scheduler."""
    address = dask_cluster.address
    assert address is not None
    out = tmp_path / "s"
    result = _invoke(
        "sweep", SWEEPS / "escalation.yaml", "--out", out, "--scheduler", address, "--no-plots"
    )
    assert result.exit_code == 0, result.output
    assert (out / "runs.csv").read_bytes() == (sequential / "runs.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["executor"], manifest["scheduler"]) == ("dask", address)


def test_the_python_api_takes_a_scheduler(tmp_path: Path, dask_cluster: DaskExecutor) -> None:
    """`drillsim.sweep(..., scheduler=...)` runs on that cluster."""
    outcome = drillsim.sweep(SWEEPS / "grid.yaml", tmp_path / "s", scheduler=dask_cluster.address)
    assert outcome.failures == []
    assert json.loads((tmp_path / "s" / "manifest.json").read_text())["executor"] == "dask"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_fails_before_any_folder(tmp_path: Path) -> None:
    """Exit 1 with a clear message, and no results folder."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    out = tmp_path / "s"
    result = _invoke("sweep", SWEEPS / "escalation.yaml", "--out", out, "--scheduler", address)
    assert result.exit_code == 1
    assert f"error: cannot reach the Dask scheduler at {address}" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("executor", ["sequential", "processes"])
def test_a_scheduler_with_a_local_executor_is_a_usage_error(executor: str) -> None:
    """--scheduler is for --executor dask (or none); anything else is exit 2."""
    result = _invoke(
        "sweep", SWEEPS / "escalation.yaml", "--executor", executor,
        "--scheduler", "tcp://127.0.0.1:8786",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--scheduler runs on a Dask cluster" in result.stderr


def test_workers_with_the_sequential_executor_is_a_usage_error(tmp_path: Path) -> None:
    """One replication at a time has no pool to size: exit 2 before any work."""
    out = tmp_path / "s"
    result = _invoke(
        "sweep", SWEEPS / "escalation.yaml", "--executor", "sequential", "--workers", "3",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--executor sequential runs one replication at a time" in result.stderr
    assert not out.exists()


def test_without_distributed_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The extra is optional: asking for it without it installed is a clear error."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(DrillsimError, match=r"pip install 'drillsim\[dask\]'"):
        make_executor("dask")


def fail(job: Job, attempt: int, victim: Job, attempts: int) -> None:
    """Fault injection: ``victim`` raises on its first ``attempts`` attempts."""
    if job == victim and attempt <= attempts:
        raise RuntimeError(f"boom on attempt {attempt}")


def die(job: Job, attempt: int, victim: Job, log: Path) -> None:
    """Fault injection: the worker running ``victim`` dies, every attempt (each noted in
    ``log`` first)."""
    if job == victim:
        with log.open("a") as f:
            f.write(f"{attempt}\n")
        os._exit(7)


def test_a_job_that_raises_once_succeeds_on_its_retry(
    tmp_path: Path, escalation: LoadedSweep, sequential: Path, dask_cluster: DaskExecutor
) -> None:
    """Attempt 2 runs (the hook sees it) and the sweep's rows are complete."""
    hook = functools.partial(fail, victim=Job(1, 1), attempts=1)
    outcome = run_sweep(escalation, tmp_path / "s", 11, dask_cluster, hook=hook)
    assert outcome.failures == []
    assert (tmp_path / "s" / "runs.csv").read_bytes() == (sequential / "runs.csv").read_bytes()


def test_a_job_that_raises_twice_is_reported_and_the_rest_stand(
    tmp_path: Path, escalation: LoadedSweep, sequential: Path, dask_cluster: DaskExecutor
) -> None:
    """The last attempt's exception is the reason; every other replication's rows are there."""
    hook = functools.partial(fail, victim=Job(1, 1), attempts=2)
    outcome = run_sweep(escalation, tmp_path / "s", 11, dask_cluster, hook=hook)
    assert outcome.failures == [Failure(Job(1, 1), "RuntimeError: boom on attempt 2")]
    expected = [
        line
        for line in (sequential / "runs.csv").read_text().splitlines()
        if not line.startswith("slow,1,")
    ]
    assert (tmp_path / "s" / "runs.csv").read_text().splitlines() == expected


def test_a_job_whose_worker_dies_twice_is_reported_and_the_rest_stand(
    tmp_path: Path, escalation: LoadedSweep, sequential: Path, dask_cluster: DaskExecutor
) -> None:
    """Dask's own re-run after a death is off in the executor's cluster, so the job runs
    exactly twice; the workers restart and every other replication's rows are there."""
    log = tmp_path / "attempts"
    hook = functools.partial(die, victim=Job(1, 1), log=log)
    outcome = run_sweep(escalation, tmp_path / "s", 11, dask_cluster, hook=hook)
    assert log.read_text() == "1\n2\n"
    assert [f.job for f in outcome.failures] == [Job(1, 1)]
    assert outcome.failures[0].reason.startswith("worker died")
    expected = [
        line
        for line in (sequential / "runs.csv").read_text().splitlines()
        if not line.startswith("slow,1,")
    ]
    assert (tmp_path / "s" / "runs.csv").read_text().splitlines() == expected
