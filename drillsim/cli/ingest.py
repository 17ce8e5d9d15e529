"""``drillsim ingest``: replay a recorded alert log through an Alertmanager config."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from drillsim.cli.group import cli
from drillsim.engine.replay import ReplayReport
from drillsim.errors import DrillsimError
from drillsim.io.normalise import NormalisedAlert
from drillsim.scoring.kpis import alert_outcomes

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
@click.option(
    "--rules",
    type=FILE,
    help="A Prometheus rule file: alerts take their rule's labels (as Prometheus adds them); "
    "alerts with no rule there are left out and counted.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def ingest(alert_log: Path, config: Path, rules: Path | None, as_json: bool) -> None:
    """Replay a recorded alert history through a routing config and report what it sends.

    ALERT_LOG holds one payload per line (JSON lines): Alertmanager webhooks or API alerts,
    PagerDuty Events v2, Datadog, CloudWatch via SNS, Grafana, GoAlert or generic JSON, in
    any mix; alerts are replayed at their own times. Lines that cannot be read are
    reported by number and skipped; the rest are replayed.

    With --rules, the history is replayed as the given rule set would have sent it: each
    alert gets its rule's labels, and alerts whose rule is not in the file are left out
    (and counted per name).

    \b
    Example:
      drillsim ingest last-month.jsonl --alertmanager new-alertmanager.yml
      drillsim ingest last-month.jsonl --alertmanager am.yml --rules new-rules.yaml
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
    left_out: dict[str, int] = {}
    if rules is not None:
        updates, left_out = _apply_rules(updates, rules)
    report = replay(updates, routing, paging)
    outcomes = dict(sorted(Counter(alert_outcomes(list(report.records)).values()).items()))
    if as_json:
        body = {
            **report.to_dict(),
            "bad_lines": bad,
            "left_out_without_rule": left_out,
            "alert_outcomes": outcomes,
        }
        click.echo(json.dumps(body, indent=2, sort_keys=True))
    else:
        _print(report)
        click.echo("alert outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes.items()))
        if left_out:
            shown = ", ".join(f"{name} ({n})" for name, n in sorted(left_out.items()))
            click.echo(f"left out, no rule in {rules}: {shown}")
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


def _apply_rules(
    updates: list[NormalisedAlert], path: Path
) -> tuple[list[NormalisedAlert], dict[str, int]]:
    """Alerts under a rule set: rule labels added (overwriting), rule-less alerts left out."""
    from drillsim.errors import ConfigError
    from drillsim.io.importers.prometheus import rule_labels
    from drillsim.io.loader import display_name
    from drillsim.io.yamlsource import read_source

    source, issues = read_source(path, display_name(path))
    if source is None:
        raise ConfigError(issues)
    by_name = rule_labels(source)
    kept, left_out = [], Counter[str]()
    for u in updates:
        found = by_name.get(u.labels["alertname"])
        if found is None:
            left_out[u.labels["alertname"]] += 1
            continue
        labels, notes = found
        kept.append(
            replace(u, labels={**u.labels, **labels}, annotations={**notes, **u.annotations})
        )
    return kept, dict(left_out)
