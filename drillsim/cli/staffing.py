"""``drillsim staffing``: a rotation staffed several ways, on the same seeded outages."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from drillsim.cli.main import cli
from drillsim.errors import DrillsimError

EXECUTORS = ("processes", "sequential")


@cli.command()
@click.argument("study_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder (default: results/<study>-s<seed>-<time>/; required with --resume).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Root seed (default: the study's, else the scenario's, else drawn).",
)
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    default="processes",
    show_default=True,
    help="Local worker processes, or everything in this process.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes (default: every core this process may use).",
)
@click.option(
    "--resume", is_flag=True, help="Continue the interrupted study in --out (only missing runs)."
)
@click.option("--plots/--no-plots", default=True, show_default=True, help="Write the Pareto chart.")
def staffing(
    study_file: Path,
    out: Path | None,
    seed: int | None,
    executor: str,
    workers: int | None,
    resume: bool,
    plots: bool,
) -> None:
    """Compare ways to staff a rotation: head count and shape against speed, load and cost.

    Every option replays the same seeded outages (common random numbers). Writes runs.csv
    and summary.csv like a sweep, tradeoffs.csv (per option: p90 time to acknowledge of
    the rotation's incidents, pages and night pages per person per week, cost per week,
    each with its 95% CI; whether it meets the targets and is Pareto-optimal) and
    pareto.png. Ctrl-C keeps finished replications; --resume continues.

    \b
    Example:
      drillsim staffing scenarios/studies/payments-staffing.yaml --out results/staffing
    """
    from drillsim.cli import output
    from drillsim.experiments.executors import make_executor
    from drillsim.experiments.replications import choose_seed
    from drillsim.experiments.staffing import tradeoffs
    from drillsim.experiments.sweep_runner import SweepInterrupted, run_sweep
    from drillsim.io.results import write_file
    from drillsim.io.staffing import load_study
    from drillsim.io.sweep_results import read_manifest, summary_csv

    if resume and out is None:
        raise click.UsageError("--resume needs --out: the folder of the study to continue")
    started = datetime.now(UTC)
    loaded = load_study(study_file)
    for warning in sorted(set(loaded.base.warnings)):
        click.echo(warning.render(), err=True)
    if resume:
        assert out is not None
        recorded = int(read_manifest(out)["seed"])
        if seed is not None and seed != recorded:
            raise DrillsimError(f"{out}: this study runs on seed {recorded}, not --seed {seed}")
        root_seed = recorded
    else:
        root_seed = choose_seed(seed if seed is not None else loaded.spec.seed, loaded.base.spec)
    target = out or _default_folder(study_file, root_seed, started)
    runner = make_executor(executor, workers)
    extra = {"executor": runner.name, "started_at": started.isoformat(), "argv": sys.argv[1:]}
    try:
        with output.progress(len(loaded.arms) * loaded.replications) as advance:
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
    rows = tradeoffs(outcome.summary, outcome.arms, loaded.spec.targets)
    write_file(target / "tradeoffs.csv", summary_csv(rows, tuple(rows[0])))
    if plots:
        from drillsim.report.staffing_plots import pareto_png

        write_file(target / "pareto.png", pareto_png(rows, loaded.spec.cost.currency))
    _print_tradeoffs(rows, loaded, root_seed)
    click.echo(f"results: {target}")
    if outcome.failures:
        for f in outcome.failures:
            click.echo(
                f"error: option {outcome.arms[f.job.arm]!r} replication {f.job.replication} "
                f"failed twice: {f.reason}",
                err=True,
            )
        raise DrillsimError(
            f"{len(outcome.failures)} replications failed; the other rows stand\n"
            "    --resume retries the failed ones"
        )


def _default_folder(study_file: Path, seed: int, started: datetime) -> Path:
    from drillsim.cli.commands import _slug
    from drillsim.io.results import unused_folder

    run_id = f"{_slug(study_file.stem)}-s{seed}-{started.strftime('%Y%m%dT%H%M%SZ')}"
    return unused_folder(Path("results") / run_id)


def _mean_ci(row: dict[str, Any], kpi: str, scale: float = 1.0, digits: int = 1) -> str:
    mean, lo, hi = row[kpi], row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"]
    if mean is None:
        return "-"
    text = f"{mean * scale:.{digits}f}"
    if lo is not None and hi is not None:
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
            _mean_ci(r, "rotation_tta_p90_s", 1 / 60),
            _mean_ci(r, "pages_per_person_week", digits=2),
            _mean_ci(r, "night_pages_per_person_week", digits=2),
            _mean_ci(r, "max_pages_per_person_week", digits=1),
            _mean_ci(r, "cost_per_week", digits=0),
            _mean_ci(r, "rotation_unacknowledged", digits=2),
        ]
        if targets:
            cells.append("yes" if r["meets_targets"] else "no")
        cells.append("*" if r["pareto"] else "")
        table.add_row(*cells)
    Console(file=sys.stdout, width=160, highlight=False).print(table)
