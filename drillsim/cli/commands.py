"""The commands: run, validate, schema, timeline. Each parses options, calls the library,
prints the outcome; nothing here decides anything about drills."""

from __future__ import annotations

import csv
import io
import json
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from drillsim import __version__
from drillsim.cli.group import cli
from drillsim.errors import ConfigError, Issue, ThresholdNotMetError

SCENARIO = click.Path(exists=True, dir_okay=False, path_type=Path)
ALERT_FORMATS = (  # drillsim.io.exporters.alerts.FORMATS (a test checks they agree)
    "alertmanager-v4", "alertmanager-api", "pagerduty-v2", "grafana", "datadog", "cloudwatch",
    "generic",
)  # fmt: skip
MAX_REPLICATIONS = 1000  # every replication's log is kept in memory and written out


@cli.command()
@click.argument("scenario", type=SCENARIO)
@click.option(
    "--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's, else drawn)."
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Results folder (default: results/<run-id>/). An existing one is replaced only if "
    "empty or an earlier `drillsim run` result holding nothing else.",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=MAX_REPLICATIONS),
    default=1,
    show_default=True,
    help=f"Seeded replications (at most {MAX_REPLICATIONS}); mean and 95% CI per KPI.",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    help="Exit 3 if the (mean) drill score is below this.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scorecard as JSON.")
@click.option("--plots/--no-plots", default=True, show_default=True, help="Write PNG plots.")
@click.option(
    "--horizon",
    metavar="DURATION",
    help="Simulate this long instead of the scenario's duration (e.g. 90d); a week or more "
    "also writes weekly.csv.",
)
def run(
    scenario: Path,
    seed: int | None,
    out: Path | None,
    replications: int,
    fail_under: float | None,
    as_json: bool,
    plots: bool,
    horizon: str | None,
) -> None:
    """Run a fire drill and print its scorecard.

    \b
    Example:
      drillsim run scenarios/orders-db-failover.yaml --seed 7
      drillsim run scenarios/bad-deploy-storm.yaml --replications 30 --fail-under 60
      drillsim run scenarios/payments-week.yaml --horizon 90d
    """
    from drillsim.cli import output, weekly_output
    from drillsim.experiments.replications import choose_seed, run_replications
    from drillsim.io.loader import load_drill
    from drillsim.io.result_folders import RUN, check_target
    from drillsim.io.results import unused_folder, write_results

    started = datetime.now(UTC)
    spec = _horizon_of(horizon, drill := load_drill(scenario))
    warnings = list(drill.warnings)
    if horizon is not None:
        from drillsim.io.horizon_checks import horizon_warnings

        warnings = sorted([*warnings, *horizon_warnings(drill, spec.scenario.duration)])
    for warning in warnings:
        click.echo(warning.render(), err=True)
    root_seed = choose_seed(seed, spec)
    run_id = f"{_slug(scenario.stem)}-s{root_seed}-{started.strftime('%Y%m%dT%H%M%SZ')}"
    target = out or unused_folder(Path("results") / run_id)
    check_target(target, RUN)  # before the work, not after it
    with output.progress(replications) as advance:
        outcomes = run_replications(spec, root_seed, replications, advance)
    manifest = _manifest(drill, root_seed, replications, started, target.name)
    files = output.result_files(outcomes, manifest, plots=plots and replications == 1)
    files |= weekly_output.weekly_files(outcomes, plots=plots and replications == 1)
    write_results(target, files, RUN)
    if as_json:
        click.echo(
            files["scorecard.json"] if replications == 1 else files["summary.json"], nl=False
        )
    else:
        output.print_console(outcomes, root_seed, target)
        if replications == 1:
            weekly_output.print_weekly(outcomes[0].records)
    score = (
        outcomes[0].scorecard.score
        if replications == 1
        else sum(o.scorecard.score for o in outcomes) / len(outcomes)
    )
    if fail_under is not None and score < fail_under:
        raise ThresholdNotMetError(f"drill score {score:.1f} is below --fail-under {fail_under:g}")


def _horizon_of(horizon: str | None, drill: Any) -> Any:
    """The drill's spec, over ``--horizon`` when given (a bad duration is a usage error)."""
    if horizon is None:
        return drill.spec
    from drillsim.experiments.horizon import with_horizon
    from drillsim.spec.durations import parse_duration

    try:
        return with_horizon(drill.spec, parse_duration(horizon))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--horizon'") from None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "drill"


def _manifest(
    drill: Any, seed: int, replications: int, started: datetime, run_id: str
) -> dict[str, Any]:
    from importlib.metadata import version

    from drillsim.io.results import sha256_file

    packages = ("simpy", "numpy", "networkx", "pydantic", "pyyaml")
    return {
        "kind": "Run",  # what may replace this folder (drillsim.io.result_folders)
        "run_id": run_id,
        "seed": seed,
        "replications": replications,
        "started_at": started.isoformat(),
        "wall_time_s": round((datetime.now(UTC) - started).total_seconds(), 3),
        "argv": sys.argv[1:],
        "inputs": {
            role: {"path": str(path), "sha256": sha256_file(path)}
            for role, path in drill.sources().items()
        },
        "versions": {
            "drillsim": __version__,
            "python": platform.python_version(),
            **{name: version(name) for name in packages},
        },
    }


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check documents and report every problem at file:line:col.

    A Scenario is checked with every document it references.

    \b
    Example:
      drillsim validate scenarios/*.yaml topologies/shop.yaml
    """
    from drillsim.io.validate import validate_files

    summaries, warnings = validate_files(list(files))
    for warning in warnings:
        click.echo(warning.render(), err=True)
    for line in summaries:
        click.echo(f"ok: {line}")


@cli.command()
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one <kind>.schema.json per document kind into this folder.",
)
def schema(out: Path | None) -> None:
    """Print (or write) the JSON Schema of every document kind.

    Point yaml-language-server at a schema to get completion and checks in an editor.

    \b
    Example:
      drillsim schema --out schemas/
      # in a YAML file: # yaml-language-server: $schema=schemas/Scenario.schema.json
    """
    from drillsim.spec.schema import all_schemas

    schemas = all_schemas()
    if out is None:
        click.echo(json.dumps(schemas, indent=2, sort_keys=True))
        return
    out.mkdir(parents=True, exist_ok=True)
    for kind, doc in schemas.items():
        (out / f"{kind}.schema.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        click.echo(f"wrote {out / f'{kind}.schema.json'}")


@cli.command()
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--health/--no-health", default=True, show_default=True, help="Include service health changes."
)
@click.option("--csv", "as_csv", is_flag=True, help="Print time,actor,event as CSV.")
def timeline(results_dir: Path, health: bool, as_csv: bool) -> None:
    """Print a run's story as a timeline: time, actor, event.

    \b
    Example:
      drillsim timeline results/orders-db-failover-s7-20260314T030000Z
    """
    from drillsim.io.results import read_events
    from drillsim.report.timeline import describe, timeline_lines

    records = read_events(results_dir)
    if not records or records[0].get("kind") != "DrillStarted":
        raise ConfigError(
            [
                Issue(
                    str(results_dir / "events.jsonl"),
                    1,
                    1,
                    "",
                    "not a drillsim event log (no DrillStarted first)",
                )
            ]
        )
    if as_csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["t_s", "actor", "event"])
        for r in records:
            told = describe(r)
            if told and (health or r["kind"] != "ServiceHealthChanged"):
                writer.writerow([f"{r['t']:.3f}", *told])
        click.echo(buf.getvalue(), nl=False)
        return
    for line in timeline_lines(records, health=health):
        click.echo(line)


@cli.command("alerts")
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="alertmanager-v4",
    show_default=True,
    type=click.Choice(ALERT_FORMATS),
    help="Payload format of each line.",
)
def alerts(results_dir: Path, fmt: str) -> None:
    """Print a run's alerts as real payloads, one JSON object per line.

    Each firing and each resolution of the drill becomes one payload, ready for another
    system or for `drillsim ingest`.

    \b
    Example:
      drillsim alerts results/bad-deploy-storm-s31337-… --format pagerduty-v2 > storm.jsonl
    """
    from drillsim.io.exporters.alerts import export_alerts
    from drillsim.io.results import read_events

    for payload in export_alerts(read_events(results_dir), fmt):
        click.echo(json.dumps(payload, sort_keys=True))
