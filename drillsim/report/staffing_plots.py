"""The Pareto chart of a staffing study (Agg backend, matplotlib imported lazily).

Two panels share the y axis, p90 time to acknowledge of the rotation's incidents: cost
per week (or head count, when the study gives no cost) and pages per person per week on
x. Each option is a point coloured by its night pages per person per week, with its 95%
CI as error bars; the options on each panel's own two-objective frontier are joined by
a step line, and the options Pareto-optimal over all four objectives are ringed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drillsim.experiments.staffing import frontier
from drillsim.report.plots import figure_png


def _err(row: dict[str, Any], kpi: str, scale: float) -> tuple[float, float]:
    mean, lo, hi = row[kpi], row[f"{kpi}_ci_low"], row[f"{kpi}_ci_high"]
    if mean is None or lo is None or hi is None:
        return 0.0, 0.0
    return (mean - lo) * scale, (hi - mean) * scale


def pareto_png(rows: Sequence[dict[str, Any]], currency: str = "") -> bytes:
    """The trade-off rows (:func:`drillsim.experiments.staffing.tradeoffs`) as a chart."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = [r for r in rows if r["rotation_tta_p90_s"] is not None]
    costed = any((r["cost_per_week"] or 0) > 0 for r in shown)
    x_first = ("cost_per_week", f"cost per week{f' ({currency})' if currency else ''}", 1.0)
    if not costed:
        x_first = ("head_count", "people in the rotation", 1.0)
    panels = (x_first, ("pages_per_person_week", "pages per person per week", 1.0))
    fig = Figure(figsize=(12, 5.5), dpi=100)
    axes = fig.subplots(1, 2, sharey=True)
    nights = [r["night_pages_per_person_week"] or 0.0 for r in shown]
    top = max(nights, default=0.0) or 1.0
    for ax, (kpi, label, scale) in zip(axes, panels, strict=True):
        xs = [(r[kpi] or 0.0) * scale for r in shown]
        ys = [r["rotation_tta_p90_s"] / 60 for r in shown]
        for i, r in enumerate(shown):
            ax.errorbar(
                xs[i],
                ys[i],
                xerr=[[v] for v in _err(r, kpi, scale)],
                yerr=[[v] for v in _err(r, "rotation_tta_p90_s", 1 / 60)],
                fmt="none",
                ecolor="0.7",
                lw=1,
            )
        points = ax.scatter(xs, ys, c=nights, cmap="viridis_r", vmin=0, vmax=top, s=60, zorder=3)
        best = [r["pareto"] for r in shown]
        ax.scatter(
            [x for x, b in zip(xs, best, strict=True) if b],
            [y for y, b in zip(ys, best, strict=True) if b],
            s=180,
            facecolors="none",
            edgecolors="crimson",
            zorder=4,
        )
        line = frontier(list(zip(xs, ys, strict=True)))
        ax.step([xs[i] for i in line], [ys[i] for i in line], where="post", color="crimson")
        for i in range(len(shown)):
            ax.annotate(
                str(i + 1), (xs[i], ys[i]), textcoords="offset points", xytext=(6, 6), fontsize=8
            )
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("p90 time to acknowledge, rotation's incidents (min)")
    fig.colorbar(points, ax=list(axes), label="night pages per person per week")
    legend = "; ".join(f"{i + 1}: {r['option']}" for i, r in enumerate(shown))
    fig.suptitle(
        f"Staffing trade-offs (ringed: Pareto-optimal; line: each panel's frontier)\n{legend}",
        fontsize="small",
        wrap=True,
    )
    return figure_png(fig)
