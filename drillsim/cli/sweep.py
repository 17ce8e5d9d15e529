"""``drillsim sweep``: every arm of a Sweep document on the same seeded replications."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from drillsim.cli.experiment_run import (
    Settings,
    check_usage,
    experiment_options,
    report_failures,
    run_experiment,
    settle_replications,
)
from drillsim.cli.group import cli

if TYPE_CHECKING:
    from drillsim.experiments.sweep_runner import SweepOutcome


@cli.command()
@click.argument("sweep_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@experiment_options("sweep")
def sweep(
    sweep_file: Path,
    out: Path | None,
    seed: int | None,
    replications: int | None,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    plots: bool,
) -> None:
    """Run every arm of a Sweep on the same replications and compare them.

    Every arm replays the same seeds (common random numbers), so arms differ by their
    parameters, not by luck. Writes runs.csv (arm, replication, seed, kpi, value; rows
    appended as replications finish), incidents.csv (every incident's time to acknowledge
    and resolve), summary.csv (mean, median, p90, 95% CI per KPI per arm) and plots.
    Ctrl-C keeps finished replications; --resume continues. Raising replications: in
    the file, or --replications, then --resume extends a sweep (only the new ones run).

    \b
    Example:
      drillsim sweep scenarios/sweeps/escalation-delay.yaml --out results/delay
      drillsim sweep scenarios/sweeps/escalation-delay.yaml --out results/delay --resume
      drillsim sweep scenarios/sweeps/escalation-delay.yaml --out results/delay --resume \\
        --replications 40
      drillsim sweep scenarios/sweeps/escalation-delay.yaml --scheduler tcp://10.0.0.5:8786
    """
    from drillsim.io.sweeps import load_sweep

    settings = Settings(out, seed, executor, workers, scheduler, resume, replications)
    check_usage(settings, "sweep")
    loaded = settle_replications(load_sweep(sweep_file), settings)
    outcome, root_seed = run_experiment(
        loaded,
        sweep_file,
        settings,
        base=loaded.base.spec,
        document_seed=loaded.spec.seed,
        noun="sweep",
        warnings=loaded.base.warnings,
        finish=_write_plots if plots else None,
    )
    _print_summary(outcome.summary, loaded.summary(), root_seed)
    click.echo(f"results: {outcome.target}")
    report_failures(outcome, "arm")


def _write_plots(outcome: SweepOutcome) -> None:
    """kpis.png and tta_ecdf.png, drawn from the folder's rows."""
    from drillsim.io.results import write_file
    from drillsim.report.sweep_plots import kpi_distributions_png, tta_ecdf_png

    write_file(outcome.target / "kpis.png", kpi_distributions_png(outcome.rows, outcome.arms))
    write_file(outcome.target / "tta_ecdf.png", tta_ecdf_png(outcome.incidents, outcome.arms))


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}"


def _print_summary(summary: list[dict[str, Any]], title: str, seed: int) -> None:
    """One table: per KPI, a row per arm with n, mean, median, p90 and the 95% CI."""
    from rich.console import Console
    from rich.table import Table

    from drillsim.experiments.kpi_units import summary_interval

    table = Table(title=f"{title} (seed {seed})", title_justify="left")
    for col in ("KPI", "arm", "n", "mean", "median", "p90", "95% CI"):
        table.add_column(col, justify="right" if col in ("n", "mean", "median", "p90") else "left")
    order = {kpi: i for i, kpi in enumerate(dict.fromkeys(r["kpi"] for r in summary))}
    previous = None
    for row in sorted(summary, key=lambda r: order[r["kpi"]]):
        if previous is not None and row["kpi"] != previous:
            table.add_section()
        ci = (
            "-"
            if row["ci_low"] is None
            else summary_interval(row["kpi"], row["ci_low"], row["ci_high"])
        )
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
