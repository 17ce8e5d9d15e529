"""``comparison.md`` of ``drillsim compare --out``: the paired table and the sentence."""

from __future__ import annotations

from drillsim.experiments.compare import Comparison, summary_sentence, underpowered_notes


def _g(x: float | None, fmt: str = ".4g") -> str:
    return "-" if x is None else format(x, fmt)


def comparison_markdown(result: Comparison, a: str, b: str) -> str:
    """The comparison as Markdown: what was compared, the sentence, then per KPI the
    means, B - A with its 95% CI, the test and p-value, and replications needed."""
    lines = [
        f"# B = {b} vs A = {a}",
        "",
        f"{result.replications} paired replications on seed {result.seed} "
        "(replication k of both on the same random streams).",
        "",
        summary_sentence(result.results),
        "",
        "| KPI | mean A | mean B | B - A | 95% CI | p | test | n | needed for 80% power |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in result.results.items():
        ci = "-" if r.ci_low is None else f"{r.ci_low:.4g} .. {_g(r.ci_high)}"
        lines.append(
            f"| {name} | {_g(r.mean_a)} | {_g(r.mean_b)} | {_g(r.mean_diff, '+.4g')} | {ci} "
            f"| {_g(r.p, '.2g')} | {r.test} | {r.n} | {'-' if r.needed is None else r.needed} |"
        )
    warnings = underpowered_notes(result.results)
    if result.fault_mismatches:
        warnings.insert(
            0,
            f"A and B injected different faults in {len(result.fault_mismatches)} replications: "
            "not a like-for-like comparison",
        )
    if warnings:
        lines += ["", "## Warnings", "", *(f"- {w}" for w in warnings)]
    return "\n".join(lines) + "\n"
