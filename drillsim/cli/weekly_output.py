"""What ``drillsim run`` adds for a drill of a week or more: weekly files and a table."""

from __future__ import annotations

import sys
from typing import Any

from drillsim.experiments.replications import DrillOutcome
from drillsim.scoring.weekly import WEEK_S, weekly_people, weekly_rows

MIN_WEEKLY_S = WEEK_S
"""Shorter drills get no weekly series: one partial week says nothing a scorecard doesn't."""


def weekly_files(outcomes: list[DrillOutcome], *, plots: bool) -> dict[str, str | bytes]:
    """``weekly.csv`` (every replication), ``weekly_people.csv`` and ``weekly.png`` (the
    first replication), or nothing for a drill shorter than a week."""
    first = outcomes[0].records
    if first[0]["duration_s"] < MIN_WEEKLY_S:
        return {}
    from drillsim.report.weekly import weekly_csv, weekly_figure

    rows = [(o.result.replication, weekly_rows(o.records)) for o in outcomes]
    people = weekly_people(first)
    lines = ["week,person,pages,off_hours_pages"]
    lines += [f"{p['week']},{p['person']},{p['pages']},{p['off_hours_pages']}" for p in people]
    files: dict[str, str | bytes] = {
        "weekly.csv": weekly_csv(rows),
        "weekly_people.csv": "\n".join(lines) + "\n",
    }
    if plots:
        from drillsim.report.plots import figure_png

        files["weekly.png"] = figure_png(weekly_figure(rows[0][1], first[0]["scenario"]))
    return files


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value / 60.0:.1f}"


def print_weekly(records: list[dict[str, Any]]) -> None:
    """The weekly series of one run as a table (nothing for a drill under a week)."""
    if records[0]["duration_s"] < MIN_WEEKLY_S:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="per week (7-day blocks from the start; times in minutes)", title_justify="left"
    )
    headers = (
        "week", "from", "incidents", "repeats", "ack mean", "ack p90", "resolve mean",
        "resolve p90", "pages", "off-hours", "most/person",
    )  # fmt: skip
    for col in headers:
        table.add_column(col)
    for r in weekly_rows(records):
        week = str(r["week"]) if r["days"] == 7 else f"{r['week']} ({r['days']:g}d)"
        table.add_row(
            week,
            r["from_date"],
            str(r["incidents"]),
            str(r["repeat_incidents"]),
            _minutes(r["tta_mean_s"]),
            _minutes(r["tta_p90_s"]),
            _minutes(r["ttr_mean_s"]),
            _minutes(r["ttr_p90_s"]),
            str(r["pages"]),
            str(r["off_hours_pages"]),
            str(r["max_pages_per_person"]),
        )
    Console(file=sys.stdout, width=140, highlight=False).print(table)
