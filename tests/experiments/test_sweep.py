"""Sweeps: arms loaded by path, common random numbers, executors that agree, resume,
dead workers and located errors."""

from __future__ import annotations

import functools
import os
import textwrap
from pathlib import Path

import pytest

from drillsim.errors import ConfigError, DrillsimError
from drillsim.experiments.executors import Failure, ProcessExecutor, SequentialExecutor, Work
from drillsim.experiments.replications import run_drill
from drillsim.experiments.sweep import KPIS, Job, JobResult, jobs_for, quantile, summarise
from drillsim.experiments.sweep_runner import SweepInterrupted, run_sweep
from drillsim.io.loader import display_name
from drillsim.io.sweep_results import Row, read_rows
from drillsim.io.sweeps import LoadedSweep, load_sweep

SWEEPS = Path(__file__).resolve().parents[1] / "data" / "sweeps"
MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


@pytest.fixture(scope="module")
def escalation() -> LoadedSweep:
    """Three arms: first escalation delay 5m / 20m, and 5m with a one-person rotation."""
    return load_sweep(SWEEPS / "escalation.yaml")


@pytest.fixture(scope="module")
def reference_folder(escalation: LoadedSweep, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The escalation sweep run sequentially, uninterrupted."""
    target = tmp_path_factory.mktemp("ref") / "sweep"
    run_sweep(escalation, target, 11, SequentialExecutor())
    return target


@pytest.fixture(scope="module")
def reference(reference_folder: Path) -> bytes:
    """runs.csv of the uninterrupted sweep."""
    return (reference_folder / "runs.csv").read_bytes()


@pytest.fixture(scope="module")
def reference_incidents(reference_folder: Path) -> bytes:
    """incidents.csv of the uninterrupted sweep."""
    return (reference_folder / "incidents.csv").read_bytes()


def test_arms_carry_their_values_into_the_documents(escalation: LoadedSweep) -> None:
    """Each arm's drill has its own delay and rotation; the rest is the base drill."""
    assert [a.name for a in escalation.arms] == ["fast", "slow", "alice-only"]
    delays = [a.drill.spec.oncall.escalation_policies[0].rules[0].delay for a in escalation.arms]
    assert delays == [300.0, 1200.0, 300.0]
    users = [a.drill.spec.oncall.schedules[0].layers[0].users for a in escalation.arms]
    assert users == [["alice", "bob"], ["alice", "bob"], ["alice"]]


def test_a_grid_is_every_combination_named_by_its_values() -> None:
    """Two parameters of two values each: four arms, first parameter slowest."""
    loaded = load_sweep(SWEEPS / "grid.yaml")
    assert [a.name for a in loaded.arms] == [
        "group_wait=10s crash_at=10m",
        "group_wait=10s crash_at=1h",
        "group_wait=1m crash_at=10m",
        "group_wait=1m crash_at=1h",
    ]
    assert [a.drill.spec.routing.route.group_wait for a in loaded.arms] == [10, 10, 60, 60]
    assert [a.drill.spec.scenario.faults[0].at for a in loaded.arms] == [600, 3600, 600, 3600]


def test_arms_face_identical_faults_and_alerts(escalation: LoadedSweep) -> None:
    """Common random numbers: arms that differ only in on-call see the same faults and
    alert timeline in every replication, while their acknowledgements differ."""
    fast, slow = escalation.arms[0].drill.spec, escalation.arms[1].drill.spec
    kinds = ("FaultInjected", "AlertFired")
    differ = 0
    for k in range(3):
        a, b = run_drill(fast, 11, k), run_drill(slow, 11, k)
        assert [r for r in a.records if r["kind"] in kinds] == [
            r for r in b.records if r["kind"] in kinds
        ]
        assert any(r["kind"] == "FaultInjected" for r in a.records)
        tta = "time_to_acknowledge_s"
        differ += a.scorecard.kpis[tta]["mean"] != b.scorecard.kpis[tta]["mean"]
    assert differ > 0


def test_runs_csv_is_long_format_in_canonical_order(
    reference: bytes, escalation: LoadedSweep
) -> None:
    """One row per arm, replication and KPI, sorted by arm (as listed), replication, KPI."""
    lines = reference.decode().splitlines()
    assert lines[0] == "arm,replication,seed,kpi,value"
    assert len(lines) == 1 + 3 * 3 * len(KPIS)
    assert lines[1] == f"fast,0,11,score,{lines[1].split(',')[4]}"
    firsts = [line.split(",")[:2] for line in lines[1 :: len(KPIS)]]
    assert firsts == [[arm, str(k)] for arm in ("fast", "slow", "alice-only") for k in range(3)]


def test_the_summary_has_mean_median_p90_and_ci(tmp_path: Path, escalation: LoadedSweep) -> None:
    """summary.csv: per arm and KPI, the statistics of its replications' values."""
    outcome = run_sweep(escalation, tmp_path / "s", 11, SequentialExecutor())
    header = (tmp_path / "s" / "summary.csv").read_text().splitlines()[0]
    assert header == "arm,kpi,n,mean,median,p90,sd,ci_low,ci_high"
    row = next(r for r in outcome.summary if r["arm"] == "slow" and r["kpi"] == "score")
    values = [r.value for r in outcome.rows if r.arm == "slow" and r.kpi == "score"]
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(sum(values) / 3)
    assert row["median"] == sorted(values)[1]
    assert row["ci_low"] < row["mean"] < row["ci_high"]
    manifest = (tmp_path / "s" / "manifest.json").read_text()
    assert '"complete": true' in manifest


def test_quantile_interpolates_linearly() -> None:
    """p90 of 1..11 is 10; median of an even count is the midpoint."""
    assert quantile([float(x) for x in range(1, 12)], 0.9) == 10.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5


def test_summary_counts_only_defined_values() -> None:
    """A KPI undefined in a replication (None) is left out of its n."""
    rows = [Row("a", 0, 1, "score", 10.0), Row("a", 1, 1, "score", None)]
    score = next(r for r in summarise(rows, ["a"]) if r["kpi"] == "score")
    assert (score["n"], score["mean"], score["ci_low"]) == (1, 10.0, None)


def test_jobs_skip_the_done_ones_replication_major() -> None:
    """Missing jobs only, every arm of replication 0 before replication 1."""
    assert jobs_for(2, 2, {(0, 0)}) == [Job(1, 0), Job(0, 1), Job(1, 1)]


def test_processes_give_the_same_rows_as_sequential(
    tmp_path: Path, escalation: LoadedSweep, reference: bytes
) -> None:
    """Two worker processes write byte-identical runs.csv to the sequential executor."""
    run_sweep(escalation, tmp_path / "p", 11, ProcessExecutor(2))
    assert (tmp_path / "p" / "runs.csv").read_bytes() == reference


class _StopAfter:
    """A progress callback that presses Ctrl-C once ``n`` replications are done."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, done: int, total: int) -> None:
        if done >= self.n:
            raise KeyboardInterrupt


@pytest.mark.parametrize("executor", [SequentialExecutor(), ProcessExecutor(2)])
def test_interrupt_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path,
    escalation: LoadedSweep,
    reference: bytes,
    reference_incidents: bytes,
    executor: object,
) -> None:
    """Ctrl-C after 4 replications keeps whole replications; --resume runs the rest
    and ends with exactly the rows and incidents of an uninterrupted sweep, even when a
    replication's incidents were written but its rows were not (a crash between them)."""
    target = tmp_path / "s"
    with pytest.raises(SweepInterrupted, match="replications kept"):
        run_sweep(escalation, target, 11, executor, progress=_StopAfter(4))  # type: ignore[arg-type]
    with (target / "incidents.csv").open("a") as f:
        f.write("slow,8,11,inc-999,SEV1,1.0,2.0,,bob\n")  # replication 8 never finished
    kept = read_rows(target)
    assert len(kept) % len(KPIS) == 0
    assert len(kept) >= 4 * len(KPIS)
    if isinstance(executor, SequentialExecutor):
        assert len(kept) == 4 * len(KPIS)
    assert not (target / "summary.csv").exists()
    assert '"complete": false' in (target / "manifest.json").read_text()
    seen: list[int] = []
    run_sweep(
        escalation,
        target,
        11,
        SequentialExecutor(),
        resume=True,
        progress=lambda done, total: seen.append(done),
    )
    assert seen[0] == len(kept) // len(KPIS)
    assert seen[-1] == 9
    assert (target / "runs.csv").read_bytes() == reference
    assert (target / "incidents.csv").read_bytes() == reference_incidents


def test_resume_drops_a_torn_last_line(
    tmp_path: Path, escalation: LoadedSweep, reference: bytes
) -> None:
    """A final line without its newline (and its replication's other rows) is discarded."""
    target = tmp_path / "s"
    with pytest.raises(SweepInterrupted):
        run_sweep(escalation, target, 11, SequentialExecutor(), progress=_StopAfter(2))
    with (target / "runs.csv").open("ab") as f:
        f.write(b"slow,0,11,score,1")
    run_sweep(escalation, target, 11, SequentialExecutor(), resume=True)
    assert (target / "runs.csv").read_bytes() == reference


def test_resume_refuses_another_seed(tmp_path: Path, escalation: LoadedSweep) -> None:
    """Resuming with other inputs than the sweep started with would mix two sweeps."""
    target = tmp_path / "s"
    with pytest.raises(SweepInterrupted):
        run_sweep(escalation, target, 11, SequentialExecutor(), progress=_StopAfter(1))
    with pytest.raises(DrillsimError, match="the seed changed"):
        run_sweep(escalation, target, 12, SequentialExecutor(), resume=True)


def test_a_fresh_sweep_never_overwrites_a_folder(tmp_path: Path, escalation: LoadedSweep) -> None:
    """An interrupted sweep's folder is refused with a hint to resume it."""
    target = tmp_path / "s"
    with pytest.raises(SweepInterrupted):
        run_sweep(escalation, target, 11, SequentialExecutor(), progress=_StopAfter(1))
    with pytest.raises(DrillsimError, match="add --resume to continue it"):
        run_sweep(escalation, target, 11, SequentialExecutor())


def die(job: Job, attempt: int, victim: Job, attempts: int) -> None:
    """Fault injection: the worker running ``victim`` dies on its first ``attempts``."""
    if job == victim and attempt <= attempts:
        os._exit(7)


def test_a_worker_that_dies_once_is_retried(
    tmp_path: Path, escalation: LoadedSweep, reference: bytes
) -> None:
    """The replication whose worker died runs again; the sweep's rows are complete."""
    hook = functools.partial(die, victim=Job(1, 1), attempts=1)
    outcome = run_sweep(escalation, tmp_path / "s", 11, ProcessExecutor(2), hook=hook)
    assert outcome.failures == []
    assert (tmp_path / "s" / "runs.csv").read_bytes() == reference


def test_a_worker_that_dies_twice_is_reported_and_the_rest_stand(
    tmp_path: Path, escalation: LoadedSweep, reference: bytes
) -> None:
    """After the retry also dies the replication is reported; every other row is there."""
    hook = functools.partial(die, victim=Job(1, 1), attempts=2)
    outcome = run_sweep(escalation, tmp_path / "s", 11, ProcessExecutor(2), hook=hook)
    assert outcome.failures == [Failure(Job(1, 1), "worker died (exit code 7)")]
    expected = [line for line in reference.decode().splitlines() if not line.startswith("slow,1,")]
    assert (tmp_path / "s" / "runs.csv").read_text().splitlines() == expected
    assert '"complete": false' in (tmp_path / "s" / "manifest.json").read_text()
    run_sweep(escalation, tmp_path / "s", 11, SequentialExecutor(), resume=True)
    assert (tmp_path / "s" / "runs.csv").read_bytes() == reference


def fail(job: Job, attempt: int) -> None:
    """Fault injection: every job of arm 0 raises."""
    if job.arm == 0:
        raise RuntimeError("boom")


def test_sequential_reports_a_job_that_raises_twice() -> None:
    """In-process, an exception is retried once, then reported with its message."""
    loaded = load_sweep(SWEEPS / "escalation.yaml")
    work = Work(tuple(a.drill.spec for a in loaded.arms[:2]), ("a", "b"), 11, fail)
    out = list(SequentialExecutor().run(work, [Job(0, 0), Job(1, 0)]))
    assert out[0] == (Job(0, 0), Failure(Job(0, 0), "RuntimeError: boom"))
    assert isinstance(out[1][1], JobResult) and out[1][1].rows


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sweep.yaml"
    head = f"kind: Sweep\nversion: 1\nscenario: {MINI / 'scenario.yaml'}\n"
    path.write_text(head + textwrap.dedent(body))
    return path


def _errors(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_sweep(path)
    return err.value.render().splitlines()


def test_a_path_that_addresses_nothing_is_located_at_the_parameter(tmp_path: Path) -> None:
    """The parameter's line and column in the sweep file, and what was there instead."""
    path = _write(
        tmp_path,
        """\
        replications: 2
        parameters:
          delay:
            oncall: escalation_policies[name=payments].rules[0].delay
        arms:
          grid:
            delay: [5m]
        """,
    )
    assert _errors(path)[:2] == [
        f"{display_name(path)}:7:13: parameters.delay.oncall: addresses nothing in "
        f"{display_name(MINI / 'oncall.yaml')}: escalation_policies has no item with "
        "name='payments'",
        "    names in escalation_policies: storefront",
    ]


def test_a_value_of_the_wrong_type_is_located_at_the_value_naming_the_arm(
    tmp_path: Path,
) -> None:
    """Validation runs on each arm; a bad value is reported where the sweep gives it."""
    path = _write(
        tmp_path,
        """\
        replications: 2
        parameters:
          delay:
            oncall: escalation_policies[name=storefront].rules[0].delay
          users:
            oncall: schedules[name=storefront-primary].layers[0].users
        arms:
          list:
            - {name: ok, delay: 5m}
            - {name: words, delay: 10 minutes}
            - {name: ghost, users: [alice, zed]}
        """,
    )
    assert _errors(path) == [
        f"{display_name(path)}:13:28: arms.list[name='words'].delay: arm 'words': oncall: "
        "escalation_policies[name=storefront].rules[0].delay: cannot parse '10 minutes' as "
        "a duration",
        "    write '10m' (forms like 90s, 15m, 1h30m, 3d)",
        f"{display_name(path)}:14:36: arms.list[name='ghost'].users[1]: arm 'ghost': oncall: "
        "schedules[name=storefront-primary].layers[0].users[1]: unknown person 'zed'",
        "    known people: alice, bob, dana",
        f"2 errors in {display_name(path)}",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "replications: 0\nparameters: {d: {oncall: a.b}}\narms: {grid: {d: [1]}}\n",
            ":4:15: replications: must be greater than or equal to 1",
        ),
        (
            "replications: 1\nparameters: {d: {oncall: a.b}}\narms: {grid: {e: [1]}}\n",
            "arms: unknown parameter 'e' (parameters: d)",
        ),
        (
            "replications: 1\nparameters: {d: {pager: a.b}}\narms: {grid: {d: [1]}}\n",
            "unexpected key 'pager'",
        ),
        (
            "replications: 1\nparameters: {d: {oncall: 'a..b'}}\narms: {grid: {d: [1]}}\n",
            "cannot read '..b' in path 'a..b'",
        ),
    ],
)
def test_bad_sweep_documents_fail_before_any_work(tmp_path: Path, body: str, message: str) -> None:
    """Zero replications, unknown parameters and documents, bad path syntax."""
    assert message in "\n".join(_errors(_write(tmp_path, body)))


@pytest.mark.parametrize(
    ("body", "located", "hint"),
    [
        (
            "replications: 0\nparameters: {d: {oncall: a.b}}\narms: {grid: {d: [1]}}\n",
            ":4:15: replications: must be greater than or equal to 1",
            "use 1 or more",
        ),
        (
            "replications: two\nparameters: {d: {oncall: a.b}}\narms: {grid: {d: [1]}}\n",
            ":4:15: replications: expected an integer, got str 'two'",
            "write a whole number in digits, without quotes, e.g. 3",
        ),
        (
            "replications: 1\nparameters:\n"
            "  users: {oncall: 'schedules[name=storefront-primary].layers[0].users'}\n"
            "arms: {list: [{name: one, users: alice}]}\n",
            ":7:34: arms.list[name='one'].users: arm 'one': oncall: schedules[name=storefront-"
            "primary].layers[0].users: expected a list, got str 'alice'",
            "a list of one is written in brackets: [alice]",
        ),
        (
            "replications: 1\nparameters:\n"
            "  d: {oncall: 'escalation_policies[name=storefront].rulez[0].delay'}\n"
            "arms: {grid: {d: [5m]}}\n",
            ":6:15: parameters.d.oncall: addresses nothing in",
            "keys of escalation_policies[name=storefront]: name, rules, loops (did you mean "
            "'rules'?)",
        ),
    ],
)
def test_every_bad_sweep_value_carries_a_hint_at_the_value(
    tmp_path: Path, body: str, located: str, hint: str
) -> None:
    """The README promises a hint with every problem: these came without one."""
    lines = _errors(_write(tmp_path, body))
    assert located in lines[0]
    assert lines[1] == f"    {hint}"


def die_always(job: Job, attempt: int) -> None:
    """Fault injection: every worker dies on its first job."""
    os._exit(3)


def test_workers_that_never_finish_anything_stop_the_sweep(
    tmp_path: Path, escalation: LoadedSweep
) -> None:
    """When workers die before any job has finished, the sweep stops with a clear error
    instead of spawning two doomed workers per replication."""
    with pytest.raises(DrillsimError, match="every worker process died before finishing a job"):
        run_sweep(escalation, tmp_path / "s", 11, ProcessExecutor(1), hook=die_always)


def test_the_python_api_runs_a_sweep(tmp_path: Path) -> None:
    """`drillsim.sweep(path, out)` runs it with the sweep's own seed."""
    import drillsim

    outcome = drillsim.sweep(SWEEPS / "grid.yaml", tmp_path / "s", executor="sequential")
    assert outcome.seed == 3
    assert len(outcome.rows) == 4 * 2 * len(KPIS)
    assert (tmp_path / "s" / "summary.csv").is_file()


def test_incidents_csv_reads_old_rows_and_refuses_garbage(tmp_path: Path) -> None:
    """A row from before the paged column reads with it empty; a line that is not an
    incident row is an error naming the file and line, not a traceback."""
    from drillsim.io.sweep_results import INCIDENT_COLUMNS, read_incidents

    header = ",".join(INCIDENT_COLUMNS) + "\n"
    (tmp_path / "incidents.csv").write_text(header + "a,0,1,inc-1,SEV2,5.0,60.0,\n")
    (row,) = read_incidents(tmp_path)
    assert (row.incident, row.time_to_acknowledge_s, row.time_to_resolve_s) == ("inc-1", 60.0, None)
    assert row.paged == ""
    (tmp_path / "incidents.csv").write_text(header + "a,zero,1,inc-1,SEV2,5.0,60.0,,x\n")
    with pytest.raises(DrillsimError, match=r"incidents.csv:2: not an incident row"):
        read_incidents(tmp_path)
