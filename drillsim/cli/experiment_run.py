"""What ``drillsim sweep`` and ``drillsim staffing`` share: their options (folder, seed,
replications, executor, workers, Dask scheduler, resume, plots) and running an
experiment with them.

Both run arms on the same seeded replications through the same runner; only what they
load and what they report differ, so the options, the seed and folder rules, Ctrl-C's
exit code 130 and the failure report are written once, here.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from drillsim.errors import DrillsimError

if TYPE_CHECKING:
    from drillsim.experiments.sweep_runner import Experiment, Finish, SweepOutcome
    from drillsim.io.staffing import LoadedStudy
    from drillsim.io.sweeps import LoadedSweep
    from drillsim.spec.drill import DrillSpec

EXECUTORS = ("processes", "sequential", "dask")
F = TypeVar("F", bound=Callable[..., Any])
L = TypeVar("L", "LoadedSweep", "LoadedStudy")


def experiment_options(noun: str) -> Callable[[F], F]:
    """The options of a command that runs a ``noun`` (sweep, study) into a folder."""

    def decorate(command: F) -> F:
        options = [
            click.option(
                "--out",
                "out",
                type=click.Path(file_okay=False, path_type=Path),
                help=f"Results folder (default: results/<{noun}>-s<seed>-<time>/; required "
                "with --resume).",
            ),
            click.option(
                "--seed",
                type=click.IntRange(min=0),
                help=f"Root seed (default: the {noun}'s, else the scenario's, else drawn).",
            ),
            click.option(
                "--replications",
                type=click.IntRange(min=1),
                help=f"Replications per arm instead of the {noun} file's replications:. With "
                "--resume, a higher count extends the folder (default there: the larger of "
                "the file's and the folder's; never fewer than the folder's).",
            ),
            click.option(
                "--executor",
                type=click.Choice(EXECUTORS),
                default="processes",
                show_default=True,
                help="Local worker processes, everything in this process, or a Dask cluster "
                "(pip install 'drillsim[dask]').",
            ),
            click.option(
                "--workers",
                type=click.IntRange(min=1),
                help="Worker processes, or the workers of dask's LocalCluster (default: every "
                "core this process may use).",
            ),
            click.option(
                "--scheduler",
                metavar="tcp://HOST:PORT",
                help="Run on the Dask cluster of this scheduler instead of a LocalCluster "
                "(implies --executor dask).",
            ),
            click.option(
                "--resume",
                is_flag=True,
                help=f"Continue the interrupted {noun} in --out (only missing runs).",
            ),
            click.option(
                "--plots/--no-plots", default=True, show_default=True, help="Write PNG plots."
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@dataclass(frozen=True, slots=True)
class Settings:
    """The shared options as given on the command line."""

    out: Path | None
    seed: int | None
    executor: str
    workers: int | None
    scheduler: str | None
    resume: bool
    replications: int | None = None


def run_experiment(
    loaded: Experiment,
    source: Path,
    settings: Settings,
    *,
    base: DrillSpec,
    document_seed: int | None,
    noun: str,
    warnings: Any = (),
    finish: Finish | None = None,
) -> tuple[SweepOutcome, int]:
    """Run ``loaded`` with the command line's settings; (outcome, root seed). The seed
    is --seed, else the document's, else ``base``'s scenario's, else drawn. ``finish``
    writes the command's own files (plots ...) before the manifest says complete.

    Exits 130 after Ctrl-C (finished replications kept). Raises DrillsimError for a
    seed that contradicts the folder being resumed, an unusable folder or scheduler.
    """
    from drillsim.cli import output
    from drillsim.experiments.dask_executor import connected, described
    from drillsim.experiments.executors import make_executor
    from drillsim.experiments.replications import choose_seed
    from drillsim.experiments.sweep_runner import SweepInterrupted, run_sweep
    from drillsim.io.sweep_results import read_manifest

    s = settings
    executor = executor_name(s.executor, s.workers, s.scheduler)
    started = datetime.now(UTC)
    for warning in sorted(set(warnings)):
        click.echo(warning.render(), err=True)
    if s.resume:
        assert s.out is not None
        recorded = int(read_manifest(s.out)["seed"])
        if s.seed is not None and s.seed != recorded:
            raise DrillsimError(
                f"{s.out}: this {noun} runs on seed {recorded}, not --seed {s.seed}"
            )
        root_seed = recorded
    else:
        root_seed = choose_seed(s.seed if s.seed is not None else document_seed, base)
    target = s.out or default_folder(source, root_seed, started)
    runner = make_executor(executor, s.workers, scheduler=s.scheduler)
    if executor == "dask":
        quiet_dask()
    extra = {**described(runner), "started_at": started.isoformat(), "argv": sys.argv[1:]}
    try:
        with (
            connected(runner),
            output.progress(len(loaded.experiment_arms) * loaded.replications) as advance,
        ):
            outcome = run_sweep(
                loaded,
                target,
                root_seed,
                runner,
                resume=s.resume,
                progress=lambda done, _total: advance(done),
                extra=extra,
                finish=finish,
            )
    except SweepInterrupted as exc:
        click.echo(str(exc), err=True)
        sys.exit(130)
    return outcome, root_seed


def settle_replications(loaded: L, settings: Settings) -> L:
    """``loaded`` with the replications this run makes: --replications, else the
    document's; when resuming without the flag, never fewer than the folder already
    plans, so a folder extended with --replications resumes without repeating it (a
    --replications below the folder's is refused by the runner: it would drop rows)."""
    from drillsim.io.sweep_results import read_manifest

    count = settings.replications
    if count is None:
        count = loaded.replications
        if settings.resume:
            assert settings.out is not None
            count = max(count, int(read_manifest(settings.out).get("replications", 0)))
    if count == loaded.replications:
        return loaded
    document = loaded.document
    model = document.model.model_copy(update={"replications": count})
    return dataclasses.replace(loaded, document=dataclasses.replace(document, model=model))


def check_usage(settings: Settings, noun: str) -> None:
    """Usage errors found before anything is loaded."""
    if settings.resume and settings.out is None:
        raise click.UsageError(f"--resume needs --out: the folder of the {noun} to continue")
    executor_name(settings.executor, settings.workers, settings.scheduler)


def report_failures(outcome: SweepOutcome, noun: str) -> None:
    """Name each replication that failed twice; exit 1 (the other rows stand)."""
    if not outcome.failures:
        return
    for f in outcome.failures:
        click.echo(
            f"error: {noun} {outcome.arms[f.job.arm]!r} replication {f.job.replication} failed "
            f"twice: {f.reason}",
            err=True,
        )
    raise DrillsimError(
        f"{len(outcome.failures)} replications failed; the other rows stand\n"
        "    --resume retries the failed ones"
    )


def executor_name(executor: str, workers: int | None, scheduler: str | None) -> str:
    """--scheduler means dask; with another --executor, or with --workers (the cluster
    has its own), it is a usage error. So is --workers with the sequential executor,
    which has one worker by definition (it used to be ignored without a word)."""
    if scheduler is None:
        if executor == "sequential" and workers is not None:
            raise click.UsageError(
                "--workers sizes a pool of processes or a local Dask cluster; "
                "--executor sequential runs one replication at a time"
            )
        return executor
    source = click.get_current_context().get_parameter_source("executor")
    if executor != "dask" and source is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError(f"--scheduler runs on a Dask cluster, not --executor {executor}")
    if workers is not None:
        raise click.UsageError(
            "--workers sizes a local pool; a --scheduler's cluster has its own workers"
        )
    return "dask"


def quiet_dask() -> None:
    """Dask's client logs what the sweep reports itself (a dead worker's lost result is
    rescheduled, a retry, a lost scheduler): keep the terminal to drillsim's messages.
    Called once distributed is imported, as its import sets some of its loggers' levels."""
    import logging

    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def default_folder(source: Path, seed: int, started: datetime) -> Path:
    """results/<file stem>-s<seed>-<UTC time>/, or -2, -3 ... if taken."""
    from drillsim.cli.commands import _slug
    from drillsim.io.results import unused_folder

    run_id = f"{_slug(source.stem)}-s{seed}-{started.strftime('%Y%m%dT%H%M%SZ')}"
    return unused_folder(Path("results") / run_id)
