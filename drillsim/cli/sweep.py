"""``drillsim sweep``: every arm of a Sweep document on the same seeded replications."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from drillsim.cli.main import cli
from drillsim.errors import DrillsimError

EXECUTORS = ("processes", "sequential", "dask")


@cli.command()
@click.argument("sweep_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder (default: results/<sweep>-s<seed>-<time>/; required with --resume).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Root seed (default: the sweep's, else the scenario's, else drawn).",
)
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    default="processes",
    show_default=True,
    help="Local worker processes, everything in this process, or a Dask cluster "
    "(pip install 'drillsim[dask]').",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes, or the workers of dask's LocalCluster (default: every core "
    "this process may use).",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Run on the Dask cluster of this scheduler instead of a LocalCluster "
    "(implies --executor dask).",
)
@click.option(
    "--resume", is_flag=True, help="Continue the interrupted sweep in --out (only missing runs)."
)
@click.option("--plots/--no-plots", default=True, show_default=True, help="Write PNG plots.")
def sweep(
    sweep_file: Path,
    out: Path | None,
    seed: int | None,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    plots: bool,
) -> None:
    """Run every arm of a Sweep on the same replications and compare them.

    Every arm replays the same seeds (common random numbers), so arms differ by their
    parameters, not by luck. Writes runs.csv (arm, replication, seed, kpi, value; rows
    appended as replications finish), summary.csv (mean, median, p90, 95% CI per KPI per
    arm) and plots. Ctrl-C keeps finished replications; --resume continues.

    \b
    Example:
      drillsim sweep scenarios/sweeps/escalation-delay.yaml --out results/delay
      drillsim sweep scenarios/sweeps/escalation-delay.yaml --out results/delay --resume
      drillsim sweep scenarios/sweeps/escalation-delay.yaml --scheduler tcp://10.0.0.5:8786
    """
    from drillsim.cli import output
    from drillsim.experiments.dask_executor import connected, described
    from drillsim.experiments.executors import make_executor
    from drillsim.experiments.replications import choose_seed
    from drillsim.experiments.sweep_runner import SweepInterrupted, run_sweep
    from drillsim.io.sweep_results import read_manifest
    from drillsim.io.sweeps import load_sweep

    if resume and out is None:
        raise click.UsageError("--resume needs --out: the folder of the sweep to continue")
    executor = _executor_name(executor, workers, scheduler)
    started = datetime.now(UTC)
    loaded = load_sweep(sweep_file)
    for warning in sorted(set(loaded.base.warnings)):
        click.echo(warning.render(), err=True)
    if resume:
        assert out is not None
        recorded = read_manifest(out)["seed"]
        if seed is not None and seed != recorded:
            raise DrillsimError(f"{out}: this sweep runs on seed {recorded}, not --seed {seed}")
        root_seed = int(recorded)
    else:
        root_seed = choose_seed(seed if seed is not None else loaded.spec.seed, loaded.base.spec)
    target = out or _default_folder(sweep_file, root_seed, started)
    runner = make_executor(executor, workers, scheduler=scheduler)
    if executor == "dask":
        _quiet_dask()
    extra = {
        **described(runner),
        "started_at": started.isoformat(),
        "argv": sys.argv[1:],
    }
    try:
        with (
            connected(runner),
            output.progress(len(loaded.arms) * loaded.spec.replications) as advance,
        ):
            outcome = run_sweep(
                loaded,
                target,
                root_seed,
                runner,
                resume=resume,
                progress=lambda done, _total: advance(done),
                extra=extra,
            )
    except SweepInterrupted as exc:
        click.echo(str(exc), err=True)
        sys.exit(130)
    if plots:
        from drillsim.io.results import write_file
        from drillsim.report.sweep_plots import kpi_distributions_png, tta_ecdf_png

        write_file(target / "kpis.png", kpi_distributions_png(outcome.rows, outcome.arms))
        write_file(target / "tta_ecdf.png", tta_ecdf_png(outcome.rows, outcome.arms))
    _print_summary(outcome.summary, loaded.summary(), root_seed)
    click.echo(f"results: {target}")
    if outcome.failures:
        for f in outcome.failures:
            arm = outcome.arms[f.job.arm]
            click.echo(
                f"error: arm {arm!r} replication {f.job.replication} failed twice: {f.reason}",
                err=True,
            )
        raise DrillsimError(
            f"{len(outcome.failures)} replications failed; the other rows stand\n"
            "    --resume retries the failed ones"
        )


def _executor_name(executor: str, workers: int | None, scheduler: str | None) -> str:
    """--scheduler means dask; with another --executor, or with --workers (the cluster
    has its own), it is a usage error."""
    if scheduler is None:
        return executor
    source = click.get_current_context().get_parameter_source("executor")
    if executor != "dask" and source is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError(f"--scheduler runs on a Dask cluster, not --executor {executor}")
    if workers is not None:
        raise click.UsageError(
            "--workers sizes a local pool; a --scheduler's cluster has its own workers"
        )
    return "dask"


def _quiet_dask() -> None:
    """Dask's client logs what the sweep reports itself (a dead worker's lost result is
    rescheduled, a retry, a lost scheduler): keep the terminal to drillsim's messages.
    Called once distributed is imported, as its import sets some of its loggers' levels."""
    import logging

    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def _default_folder(sweep_file: Path, seed: int, started: datetime) -> Path:
    from drillsim.cli.commands import _slug
    from drillsim.io.results import unused_folder

    run_id = f"{_slug(sweep_file.stem)}-s{seed}-{started.strftime('%Y%m%dT%H%M%SZ')}"
    return unused_folder(Path("results") / run_id)


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}"


def _print_summary(summary: list[dict[str, Any]], title: str, seed: int) -> None:
    """One table: per KPI, a row per arm with n, mean, median, p90 and the 95% CI."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{title} (seed {seed})", title_justify="left")
    for col in ("KPI", "arm", "n", "mean", "median", "p90", "95% CI"):
        table.add_column(col, justify="right" if col in ("n", "mean", "median", "p90") else "left")
    order = {kpi: i for i, kpi in enumerate(dict.fromkeys(r["kpi"] for r in summary))}
    previous = None
    for row in sorted(summary, key=lambda r: order[r["kpi"]]):
        if previous is not None and row["kpi"] != previous:
            table.add_section()
        ci = "-" if row["ci_low"] is None else f"{_fmt(row['ci_low'])} .. {_fmt(row['ci_high'])}"
        table.add_row(
            row["kpi"] if row["kpi"] != previous else "",
            row["arm"],
            str(row["n"]),
            _fmt(row["mean"]),
            _fmt(row["median"]),
            _fmt(row["p90"]),
            ci,
        )
        previous = row["kpi"]
    Console(file=sys.stdout, width=140, highlight=False).print(table)
