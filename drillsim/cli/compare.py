"""``drillsim compare``: two scenarios on the same seeds, the paired difference per KPI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from drillsim.cli.group import cli

if TYPE_CHECKING:
    from drillsim.experiments.compare import Comparison

SCENARIO = click.Path(exists=True, dir_okay=False, path_type=Path)
MAX_REPLICATIONS = 10_000  # only each replication's KPIs are kept in memory


@cli.command()
@click.argument("a", type=SCENARIO)
@click.argument("b", type=SCENARIO)
@click.option(
    "--replications",
    type=click.IntRange(min=1, max=MAX_REPLICATIONS),
    default=30,
    show_default=True,
    help="Replications per scenario (pairs).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Root seed of both (default: A's scenario seed, else drawn).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write a results folder: comparison.json, comparison.md, pairs.csv, manifest. "
    "An existing one is replaced only if empty or an earlier `drillsim compare` result.",
)
def compare(
    a: Path, b: Path, replications: int, seed: int | None, as_json: bool, out: Path | None
) -> None:
    """Compare scenario B with A on the same outages: B - A per KPI, 95% CI, paired test.

    Replication k of both runs on the same random streams, so the two face the same
    faults; only their set-ups differ. Warns when the replications are too few to detect
    the difference seen (and says how many would be). --out keeps it: comparison.json
    (what --json prints), comparison.md (table and sentence), pairs.csv (each
    replication's A, B and B - A per KPI) and manifest.json (inputs and their sha256).

    \b
    Example:
      drillsim compare scenarios/payments-week.yaml payments-two-tier.yaml --replications 50
    """
    from drillsim.experiments.compare import compare_drills, console_warnings
    from drillsim.experiments.replications import choose_seed
    from drillsim.io.loader import load_drill

    drill_a, drill_b = load_drill(a), load_drill(b)
    for warning in [*drill_a.warnings, *drill_b.warnings]:
        click.echo(warning.render(), err=True)
    if out is not None:
        from drillsim.io.result_folders import COMPARE, check_target

        check_target(out, COMPARE)  # before the work, not after it
    started = datetime.now(UTC)
    root_seed = choose_seed(seed, drill_a.spec)
    from drillsim.cli import output

    with output.progress(replications) as advance:
        result = compare_drills(drill_a.spec, drill_b.spec, root_seed, replications, advance)
    data = result.to_dict()
    if out is not None:
        _write_folder(out, result, data, a, b, started)
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        _print_table(result, a, b)
    if result.fault_mismatches:
        click.echo(
            f"warning: A and B injected different faults in {len(result.fault_mismatches)} of "
            f"{replications} replications (first: {result.fault_mismatches[0]}); the scenarios "
            "differ in their faults, so this is not a like-for-like comparison",
            err=True,
        )
    details = f"each in {out / 'comparison.md'}" if out is not None else "each in --json"
    for note in console_warnings(result.results, details):
        click.echo(f"warning: {note}", err=True)


def _write_folder(
    out: Path, result: Comparison, data: dict[str, Any], a: Path, b: Path, started: datetime
) -> None:
    """The comparison as a results folder, written atomically."""
    import csv
    import io
    import sys

    from drillsim.io.result_folders import COMPARE
    from drillsim.io.results import dumps_json, sha256_file, write_results
    from drillsim.report.compare_report import comparison_markdown

    buf = io.StringIO()
    columns = ["replication", "seed", "kpi", "a", "b", "b_minus_a"]
    writer = csv.DictWriter(buf, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(result.pair_rows())
    manifest = {
        "kind": "Compare",
        "seed": result.seed,
        "replications": result.replications,
        "inputs": {
            role: {"path": str(path), "sha256": sha256_file(path)}
            for role, path in (("a", a), ("b", b))
        },
        "started_at": started.isoformat(),
        "argv": sys.argv[1:],
    }
    write_results(
        out,
        {
            "manifest.json": dumps_json(manifest),
            "comparison.json": dumps_json(data),
            "comparison.md": comparison_markdown(result, a.name, b.name),
            "pairs.csv": buf.getvalue(),
        },
        COMPARE,
    )
    click.echo(f"results: {out}", err=True)


def _print_table(result: Comparison, a: Path, b: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from drillsim.experiments.compare import summary_sentence
    from drillsim.report.compare_report import ROW_COLUMNS, row_cells, title

    console = Console(width=120, highlight=False)
    table = Table(title=title(result, a.name, b.name), title_justify="left")
    for col in ROW_COLUMNS:
        # The KPI's name whole (never "time_to_acknowledge_m…"); numbers may fold.
        table.add_column(col, no_wrap=col in ("KPI", "95% CI (t)"), overflow="fold")
    for name, r in result.results.items():
        table.add_row(*row_cells(name, r))
    console.print(table)
    console.print(summary_sentence(result.results))
