"""``drillsim sensitivity``: pick an alert threshold and ``for:`` with numbers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from drillsim.cli.group import cli
from drillsim.errors import DrillsimError
from drillsim.spec.durations import format_duration, parse_duration


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@cli.command()
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rule", "alert", required=True, help="The alert rule to vary (its name).")
@click.option("--thresholds", required=True, help="Comma-separated, e.g. 1%,5%,10%.")
@click.option(
    "--for", "fors", default="0,1m,5m", show_default=True, help="Comma-separated durations."
)
@click.option("--replications", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def sensitivity(
    scenario: Path,
    alert: str,
    thresholds: str,
    fors: str,
    replications: int,
    seed: int,
    as_json: bool,
) -> None:
    """Sweep one rule's threshold and for: detection delay against noise pages.

    Every pair runs the same seeds, so differences come from the rule, not from luck.

    \b
    Example:
      drillsim sensitivity scenarios/bad-deploy-storm.yaml --rule ElevatedErrorRate \\
          --thresholds 1%,2%,5% --for 0,2m,5m --replications 20
    """
    from drillsim.experiments.sensitivity import sweep_rule
    from drillsim.io.loader import load_drill

    drill = load_drill(scenario)
    if alert not in {r.alert for r in drill.spec.rules.rules}:
        known = ", ".join(sorted({r.alert for r in drill.spec.rules.rules}))
        raise DrillsimError(f"no rule {alert!r} in this drill\n    rules: {known}")
    try:
        fors_s = [parse_duration(f) for f in _split(fors)]
        values: list[float | str] = [
            float(t) if t.replace(".", "", 1).isdigit() else t for t in _split(thresholds)
        ]
        rows = sweep_rule(drill.spec, alert, values, fors_s, seed, replications)
    except ValueError as exc:
        raise click.UsageError(str(exc).splitlines()[0]) from None
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{alert}: {replications} replications per row (seed {seed})", title_justify="left"
    )
    for col in (
        "threshold",
        "for",
        "time to detect",
        "missed faults",
        "false alerts",
        "noise pages",
    ):
        table.add_column(col)
    for r in rows:
        detect = "-" if r.detection_s is None else format_duration(round(r.detection_s))
        table.add_row(
            str(r.threshold),
            format_duration(r.for_s),
            detect,
            f"{r.undetected:.2f}",
            f"{r.false_alerts:.2f}",
            f"{r.noise_pages:.2f}",
        )
    Console(width=110, highlight=False).print(table)
