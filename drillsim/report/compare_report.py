"""``comparison.md`` of ``drillsim compare --out``, and the table rows the console shares.

Each row shows a KPI by its human name, in the unit the sentence uses (minutes,
percent), with the paired t-test's interval and p-value side by side: one method, so
the row never pairs an interval from one test with a p-value from another. The
Wilcoxon signed-rank p-value stands in its own column, as the check it is.
"""

from __future__ import annotations

from drillsim.experiments.compare import (
    Comparison,
    interval,
    summary_sentence,
    typical_notes,
    underpowered_notes,
)
from drillsim.experiments.kpi_units import heading, shown
from drillsim.experiments.paired_stats import PairedResult

ROW_COLUMNS = (
    "KPI",
    "mean A",
    "mean B",
    "B - A",
    "95% CI (t)",
    "p (t)",
    "Wilcoxon p",
    "n",
    "n for 80% power",
)
NOT_ENOUGH = "not enough replications"
CLIPPED = "*"
"""Marks an interval cut at the KPI's possible range for display (docs/experiments.md)."""


def title(result: Comparison, a: str, b: str) -> str:
    """The table's title: what was compared, over how many pairs, on which seed."""
    n = result.replications
    return f"B = {b} vs A = {a}: {n} paired replication{'s' if n != 1 else ''} (seed {result.seed})"


def row_cells(name: str, r: PairedResult) -> tuple[str, ...]:
    """One KPI's cells, in :data:`ROW_COLUMNS` order."""
    if r.mean_diff is None or r.mean_a is None or r.mean_b is None:
        return (heading(name), "-", "-", "-", "-", "-", "-", str(r.n), "-")
    means = (shown(name, r.mean_a), shown(name, r.mean_b), shown(name, r.mean_diff, sign=True))
    if r.test == "none":
        return (heading(name), *means, NOT_ENOUGH, "-", "-", str(r.n), "-")
    ci_values = interval(name, r)
    if ci_values is None:
        ci = "-"
    else:
        lo, hi, cut = ci_values
        ci = f"{shown(name, lo)} .. {shown(name, hi)}{CLIPPED if cut else ''}"
    if r.test == "exact":
        ci += " (exact)"
    return (
        heading(name),
        *means,
        ci,
        "-" if r.p is None else f"{r.p:.2g}",
        "-" if r.wilcoxon_p is None else f"{r.wilcoxon_p:.2g}",
        str(r.n),
        "-" if r.needed is None else str(r.needed),
    )


def comparison_markdown(result: Comparison, a: str, b: str) -> str:
    """The comparison as Markdown: what was compared, the sentence, then per KPI the
    means, B - A with its 95% t-interval and p-value, the signed-rank check, and the
    replications needed."""
    lines = [
        f"# {title(result, a, b)}",
        "",
        "Replication k of both runs on the same random streams. Significant: the paired "
        "t-test's p < 0.05, equivalently its 95% interval excludes 0; the Wilcoxon "
        "p-value is a check of the typical pair and does not decide.",
        "",
        summary_sentence(result.results),
        "",
        "| " + " | ".join(ROW_COLUMNS) + " |",
        "|" + "---|" * len(ROW_COLUMNS),
    ]
    clipped = False
    for name, r in result.results.items():
        cells = row_cells(name, r)
        clipped = clipped or cells[4].split(" (")[0].endswith(CLIPPED)
        lines.append("| " + " | ".join(cells) + " |")
    if clipped:
        lines += ["", f"{CLIPPED} interval cut at the KPI's possible range for display."]
    warnings = underpowered_notes(result.results) + typical_notes(result.results)
    if result.fault_mismatches:
        warnings.insert(
            0,
            f"A and B injected different faults in {len(result.fault_mismatches)} replications: "
            "not a like-for-like comparison",
        )
    if warnings:
        lines += ["", "## Warnings", "", *(f"- {w}" for w in warnings)]
    return "\n".join(lines) + "\n"
