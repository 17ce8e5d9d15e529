"""``drillsim staffing``: a rotation staffed several ways, on the same seeded outages."""

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
@click.argument("study_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@experiment_options("study")
def staffing(
    study_file: Path,
    out: Path | None,
    seed: int | None,
    replications: int | None,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    plots: bool,
) -> None:
    """Compare ways to staff a rotation: head count and shape against speed, load and cost.

    Every option replays the same seeded outages (common random numbers). Writes runs.csv
    and summary.csv like a sweep, tradeoffs.csv (per option: p90 time to acknowledge of
    the rotation's incidents, pages and night pages per person per week, cost per week,
    each with its 95% CI; whether it meets the targets and is Pareto-optimal) and
    pareto.png. Ctrl-C keeps finished replications; --resume continues, and extends the
    study when replications: (or --replications) was raised.

    \b
    Example:
      drillsim staffing scenarios/sweeps/payment-path-staffing.yaml --out results/staffing
    """
    from drillsim.io.results import write_file
    from drillsim.io.staffing import load_study
    from drillsim.io.sweep_results import summary_csv

    settings = Settings(out, seed, executor, workers, scheduler, resume, replications)
    check_usage(settings, "study")
    loaded = settle_replications(load_study(study_file), settings)
    warnings = list(loaded.base.warnings)
    if loaded.spec.horizon is not None:
        from drillsim.io.horizon_checks import horizon_warnings

        warnings += horizon_warnings(loaded.base, loaded.horizon_s, "study horizon")
    rows: list[dict[str, Any]] = []

    def finish(outcome: SweepOutcome) -> None:
        """tradeoffs.csv and pareto.png, before the manifest says complete."""
        rows.extend(loaded.tradeoffs(outcome))
        write_file(outcome.target / "tradeoffs.csv", summary_csv(rows, tuple(rows[0])))
        if plots:
            from drillsim.report.staffing_plots import pareto_png

            png = pareto_png(rows, loaded.spec.cost.currency)
            write_file(outcome.target / "pareto.png", png)

    outcome, root_seed = run_experiment(
        loaded,
        study_file,
        settings,
        base=loaded.base.spec,
        document_seed=loaded.spec.seed,
        noun="study",
        warnings=warnings,
        finish=finish,
    )
    _print_tradeoffs(rows, loaded, root_seed)
    click.echo(f"results: {outcome.target}")
    report_failures(outcome, "option")


def _with_ci(
    row: dict[str, Any], kpi: str, scale: float = 1.0, digits: int = 1, *, ends: bool = False
) -> str:
    """A value with its 95% interval: ``8.9 ±1.9`` (a t-interval, symmetric), or with
    ``ends`` ``8.7 (7.9-9.8)`` (a bootstrap interval, which need not be)."""
    value, lo, hi = row[kpi], row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"]
    if value is None:
        return "-"
    text = f"{value * scale:.{digits}f}"
    if lo is not None and hi is not None:
        if ends:
            text += f" ({lo * scale:.{digits}f}-{hi * scale:.{digits}f})"
        else:
            text += f" ±{(hi - lo) / 2 * scale:.{digits}f}"
    return text


def _print_tradeoffs(rows: list[dict[str, Any]], loaded: Any, seed: int) -> None:
    """The trade-off table: one row per option, means with their 95% CI."""
    from rich.console import Console
    from rich.table import Table

    currency = loaded.spec.cost.currency
    table = Table(
        title=f"{loaded.summary()} (seed {seed}); means ± 95% CI half-width",
        title_justify="left",
    )
    columns = [
        "option",
        "people",
        "p90 ack (min)",
        "pooled p90 (95% CI)",
        "pages/person/wk",
        "night pages/person/wk",
        "most pages/wk",
        f"cost/wk{f' ({currency})' if currency else ''}",
        "unacked/run",
    ]
    targets = rows[0]["meets_targets"] is not None
    if targets:
        columns.append("meets targets")
    columns.append("Pareto")
    for col in columns:
        table.add_column(col, justify="left" if col == "option" else "right")
    for r in rows:
        cells = [
            r["option"],
            f"{r['head_count']:.0f}" if r["head_count"] is not None else "-",
            _with_ci(r, "rotation_tta_p90_s", 1 / 60),
            _with_ci(r, "rotation_tta_p90_pooled_s", 1 / 60, ends=True),
            _with_ci(r, "pages_per_person_week", digits=2),
            _with_ci(r, "night_pages_per_person_week", digits=2),
            _with_ci(r, "max_pages_per_person_week", digits=1),
            _with_ci(r, "cost_per_week", digits=0),
            _with_ci(r, "rotation_unacknowledged", digits=2),
        ]
        if targets:
            cells.append("yes" if r["meets_targets"] else "no")
        cells.append("*" if r["pareto"] else "")
        table.add_row(*cells)
    Console(file=sys.stdout, width=190, highlight=False).print(table)
