"""What ``drillsim run`` writes and prints: result files and the console scorecard."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from drillsim.events import to_jsonl
from drillsim.experiments.kpi_units import summary_interval
from drillsim.experiments.replications import DrillOutcome, long_rows, summarise_replications
from drillsim.io.results import dumps_json
from drillsim.report.markdown import kpi_rows, render_report
from drillsim.report.timeline import timeline_lines


def result_files(
    outcomes: list[DrillOutcome], manifest: dict[str, Any], *, plots: bool
) -> dict[str, str | bytes]:
    """Every file of the results folder, by name."""
    first = outcomes[0]
    files: dict[str, str | bytes] = {
        "manifest.json": dumps_json(manifest),
        "events.jsonl": to_jsonl(first.records),
        "scorecard.json": dumps_json(first.scorecard.to_dict()),
        "report.md": render_report(first.scorecard.to_dict(), first.records),
        "timeline.txt": "\n".join(timeline_lines(first.records)) + "\n",
    }
    if len(outcomes) > 1:
        for o in outcomes[1:]:
            files[f"replications/{o.result.replication:04d}/events.jsonl"] = to_jsonl(o.records)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, ["replication", "seed", "kpi", "value"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(long_rows(outcomes))
        files["runs.csv"] = buf.getvalue()
        files["summary.json"] = dumps_json(summarise_replications(outcomes))
    if plots:
        from drillsim.report.plots import figure_png, health_figure

        fig = health_figure(first.records)
        if fig is not None:
            files["health.png"] = figure_png(fig)
    return files


@contextmanager
def progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar with ETA on stderr for several replications (only on a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("replications"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=total < 2 or not sys.stderr.isatty(),
    )
    with bar:
        task = bar.add_task("run", total=total)
        yield lambda done: bar.update(task, completed=done)


def print_console(outcomes: list[DrillOutcome], seed: int, target: Path) -> None:
    """A rich table: the scorecard (one run) or mean and 95% CI (replications)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, width=110, highlight=False)
    first = outcomes[0]
    if len(outcomes) == 1:
        card = first.scorecard
        table = Table(title=f"{first.records[0]['scenario']} (seed {seed})", title_justify="left")
        table.add_column("KPI")
        table.add_column("value")
        for label, value in kpi_rows(card.kpis):
            table.add_row(label, value)
        console.print(table)
        parts = ", ".join(f"{k} {v:.0f}" for k, v in card.parts.items())
        console.print(f"drill score [bold]{card.score:.1f}[/bold] / 100  ({parts})")
    else:
        summary = summarise_replications(outcomes)
        table = Table(
            title=f"{first.records[0]['scenario']}: {len(outcomes)} replications (seed {seed})",
            title_justify="left",
        )
        for col in ("KPI", "mean", "95% CI", "n"):
            table.add_column(col)
        for name, s in summary.items():
            if s["mean"] is None:
                table.add_row(name, "-", "-", "0")
                continue
            low, high = s["ci_low"], s["ci_high"]
            ci = "-" if low is None or high is None else summary_interval(name, low, high)
            table.add_row(name, f"{s['mean']:.4g}", ci, str(s["n"]))
        console.print(table)
    console.print(f"results: {target}")
