"""drillsim: simulated incident-response fire drills.

The library API mirrors the CLI::

    drill = drillsim.load_scenario("scenarios/orders-db-failover.yaml")
    outcome = drillsim.run(drill, seed=7)
    print(outcome.scorecard.score)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pathlib import Path

    from drillsim.experiments.replications import DrillOutcome
    from drillsim.experiments.sweep_runner import SweepOutcome
    from drillsim.io.loader import Drill


def load_scenario(path: str | Path) -> Drill:
    """Load and check a scenario with every document it references (ConfigError if bad)."""
    from pathlib import Path

    from drillsim.io.loader import load_drill

    return load_drill(Path(path))


def run(drill: Drill, seed: int | None = None, replication: int = 0) -> DrillOutcome:
    """Simulate and score one replication.

    The seed is the argument, else the scenario's ``seed:``, else freshly drawn (it is in
    the outcome's ``result.seed``, so the run can be repeated).
    """
    from drillsim.experiments.replications import choose_seed, run_drill

    return run_drill(drill.spec, choose_seed(seed, drill.spec), replication)


def sweep(
    path: str | Path,
    out: str | Path,
    *,
    seed: int | None = None,
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
) -> SweepOutcome:
    """Run a Sweep document into the folder ``out`` (``drillsim sweep``, without plots).

    The seed is the argument, else the sweep's ``seed:``, else the base scenario's, else
    drawn; a resumed sweep keeps the seed it started with. ``executor`` is
    ``processes`` (the default), ``sequential`` or ``dask``; a Dask ``scheduler``
    address (``tcp://HOST:PORT``) implies ``dask``, which otherwise starts a LocalCluster.
    The scheduler is reached before the folder is made: an unreachable one raises
    :class:`~drillsim.errors.DrillsimError` and writes nothing.
    """
    from pathlib import Path

    from drillsim.io.sweeps import load_sweep

    loaded = load_sweep(Path(path))
    return _run_experiment(
        loaded, loaded.spec.seed, out, seed, executor, workers, scheduler, resume
    )


def staffing(
    path: str | Path,
    out: str | Path,
    *,
    seed: int | None = None,
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
) -> tuple[SweepOutcome, list[dict[str, Any]]]:
    """Run a StaffingStudy into the folder ``out`` (``drillsim staffing``, without the
    chart): the runner's outcome and the trade-off rows (also in tradeoffs.csv).

    Seeds and executors as for :func:`sweep`.
    """
    from pathlib import Path

    from drillsim.io.results import write_file
    from drillsim.io.staffing import load_study
    from drillsim.io.sweep_results import summary_csv

    loaded = load_study(Path(path))
    rows: list[dict[str, Any]] = []

    def finish(outcome: SweepOutcome) -> None:
        # Before the manifest says complete: complete means every file is written.
        rows.extend(loaded.tradeoffs(outcome))
        write_file(Path(out) / "tradeoffs.csv", summary_csv(rows, tuple(rows[0])))

    outcome = _run_experiment(
        loaded, loaded.spec.seed, out, seed, executor, workers, scheduler, resume, finish
    )
    return outcome, rows


def _run_experiment(
    loaded: Any,
    document_seed: int | None,
    out: str | Path,
    seed: int | None,
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    finish: Any = None,
) -> SweepOutcome:
    """A loaded sweep or study run into ``out``: the seed and executor rules of both."""
    from pathlib import Path

    from drillsim.experiments.dask_executor import connected, described
    from drillsim.experiments.executors import make_executor
    from drillsim.experiments.replications import choose_seed
    from drillsim.experiments.sweep_runner import run_sweep
    from drillsim.io.sweep_results import read_manifest

    if resume:
        root = int(read_manifest(Path(out))["seed"])
    else:
        root = choose_seed(seed if seed is not None else document_seed, loaded.base.spec)
    name = executor or ("dask" if scheduler is not None else "processes")
    with connected(make_executor(name, workers, scheduler=scheduler)) as runner:
        return run_sweep(
            loaded, Path(out), root, runner, resume=resume, extra=described(runner), finish=finish
        )


__all__ = ["__version__", "load_scenario", "run", "staffing", "sweep"]
