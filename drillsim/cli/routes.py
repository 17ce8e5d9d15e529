"""``drillsim routes``: check an Alertmanager routing tree the way ``amtool`` does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from drillsim.cli.group import cli
from drillsim.errors import DrillsimError

if TYPE_CHECKING:
    from drillsim.alerting.routing import RouteNode
    from drillsim.spec.alerting import Routing

CONFIG = click.Path(exists=True, dir_okay=False, path_type=Path)
config_option = click.option(
    "--config",
    "config",
    type=CONFIG,
    required=True,
    help="alertmanager.yml, a drillsim Routing document, or a Secret wrapping one.",
)


@cli.group()
def routes() -> None:
    """Show an Alertmanager routing tree, or test where alerts go (like amtool)."""


@routes.command("test")
@config_option
@click.option(
    "--batch",
    type=click.File("r"),
    help="One JSON object of labels per line ('-' for stdin); one output line each.",
)
@click.option("--verify-receivers", help="Exit 1 unless the receivers are exactly these (a,b).")
@click.argument("labels", nargs=-1)
def routes_test(
    config: Path, batch: IO[str] | None, verify_receivers: str | None, labels: tuple[str, ...]
) -> None:
    """Print the receivers an alert with these labels reaches, in routing order.

    The output is `amtool config routes test`'s: receiver names joined by commas.

    \b
    Example:
      drillsim routes test --config alertmanager.yml service=database severity=critical
      drillsim routes test --config alertmanager.yml --batch labels.jsonl > receivers.txt
    """
    from drillsim.alerting.routing import build_route_tree, receivers_for

    root = build_route_tree(_load(config).route)
    if batch is not None:
        if labels:
            raise click.UsageError("give labels as arguments or --batch, not both")
        _run_batch(root, batch)
        return
    found = ",".join(receivers_for(root, _parse_labels(labels)))
    click.echo(found)
    if verify_receivers is not None and found != verify_receivers:
        click.echo("WARNING: Expected receivers did not match resolved receivers.", err=True)
        raise SystemExit(1)


@routes.command("show")
@config_option
def routes_show(config: Path) -> None:
    """Print the routing tree, as `amtool config routes` does.

    \b
    Example:
      drillsim routes show --config alertmanager.yml
    """
    from drillsim.alerting.routing import build_route_tree
    from drillsim.report.routes import tree_lines

    click.echo("Routing tree:")
    for line in tree_lines(build_route_tree(_load(config).route)):
        click.echo(line)
    click.echo("")


def _load(config: Path) -> Routing:
    return load_routing(config)[0]


def load_routing(config: Path) -> tuple[Routing, frozenset[str]]:
    """The routing model of either file kind, and its paging receivers; warnings about
    ignored keys go to stderr."""
    from drillsim.io.importers.alertmanager import load_alertmanager
    from drillsim.io.loader import load_document

    doc, _issues = load_document(config, expect="Routing")
    if doc is not None:
        routing = doc.model
        return routing, frozenset(r.name for r in routing.receivers if r.escalation_policy)
    imported = load_alertmanager(config)
    for warning in imported.warnings:
        click.echo(warning.render(), err=True)
    return imported.routing, imported.paging_receivers


def _parse_labels(args: tuple[str, ...] | list[str]) -> dict[str, str]:
    out = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep or not name or value.startswith("~"):
            raise click.UsageError(
                f"cannot parse label {arg!r}: labels must be specified as key=value pairs"
            )
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        out[name.strip()] = value
    return out


def _run_batch(root: RouteNode, stream: IO[str]) -> None:
    """One output line per input line; bad lines are reported by number and left empty."""
    from drillsim.alerting.routing import receivers_for

    bad = 0
    out = []
    for number, line in enumerate(stream, start=1):
        try:
            labels = json.loads(line)
            if not isinstance(labels, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
            ):
                raise ValueError("expected a JSON object of string labels")
        except ValueError as exc:
            bad += 1
            click.echo(f"{getattr(stream, 'name', '<batch>')}:{number}: {exc}", err=True)
            out.append("")
            continue
        out.append(",".join(receivers_for(root, labels)))
    click.echo("\n".join(out))
    if bad:
        raise DrillsimError(f"{bad} line{'s' if bad != 1 else ''} could not be read")
