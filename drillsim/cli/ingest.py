"""``drillsim ingest``: replay a recorded alert log through an Alertmanager config."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from drillsim.cli.main import cli
from drillsim.engine.replay import ReplayReport
from drillsim.errors import DrillsimError

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command()
@click.argument("alert_log", type=FILE)
@click.option(
    "--alertmanager",
    "config",
    type=FILE,
    required=True,
    help="alertmanager.yml (or a drillsim Routing document) to replay through.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def ingest(alert_log: Path, config: Path, as_json: bool) -> None:
    """Replay a recorded alert history through a routing config and report what it sends.

    ALERT_LOG holds one payload per line (JSON lines): Alertmanager webhooks or API alerts,
    PagerDuty Events v2, Datadog, CloudWatch via SNS, Grafana, GoAlert or generic JSON, in
    any mix; alerts are replayed at their own times. Lines that cannot be read are
    reported by number and skipped; the rest are replayed.

    \b
    Example:
      drillsim ingest last-month.jsonl --alertmanager new-alertmanager.yml
    """
    from drillsim.cli.routes import load_routing
    from drillsim.engine.replay import replay
    from drillsim.io.normalise import parse_line

    routing, paging = load_routing(config)
    received = datetime.fromtimestamp(alert_log.stat().st_mtime, UTC)
    updates, bad = [], 0
    try:
        text = alert_log.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DrillsimError(f"{alert_log}: not UTF-8 text ({exc.reason})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            updates.extend(parse_line(line, line_number=number, received_at=received))
        except ValueError as exc:
            bad += 1
            reason = str(exc).removeprefix(f"line {number}: ")
            click.echo(f"{alert_log}:{number}: {reason}", err=True)
    report = replay(updates, routing, paging)
    if as_json:
        click.echo(json.dumps({**report.to_dict(), "bad_lines": bad}, indent=2, sort_keys=True))
    else:
        _print(report)
    if bad:
        click.echo(f"{bad} line{'s' if bad != 1 else ''} skipped", err=True)


def _print(report: ReplayReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120, highlight=False)
    console.print(
        f"{report.updates:,} alert updates, {report.alerts:,} distinct alerts, "
        f"{report.deduplicated:,} deduplicated ({report.first} .. {report.last})"
    )
    table = Table(title="per receiver", title_justify="left")
    for col in (
        "receiver",
        "notifications",
        "pages",
        "groups",
        "inhibited",
        "silenced",
        "busiest hour",
    ):
        table.add_column(col)
    for name, r in report.by_receiver.items():
        busiest = r["busiest_hour"]
        when = "-" if busiest is None else f"{busiest['start']} ({busiest['notifications']})"
        table.add_row(
            name,
            str(r["notifications"]),
            str(r["pages"]),
            str(r["groups"]),
            str(r["inhibited"]),
            str(r["silenced"]),
            when,
        )
    console.print(table)
    groups = Table(title="per group", title_justify="left")
    for col in ("group", "receiver", "notifications", "alerts"):
        groups.add_column(col)
    for key, g in report.by_group.items():
        groups.add_row(key, g["receiver"], str(g["notifications"]), str(g["alerts"]))
    console.print(groups)
