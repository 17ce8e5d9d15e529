"""Plots of a sweep (Agg backend, matplotlib imported lazily): rows in, PNG bytes out.

Both are drawn from the folder's files alone, so a resumed sweep plots exactly like an
uninterrupted one: the distribution of a few KPIs per arm (box plots, one box per arm,
from runs.csv), and the empirical CDF of time to acknowledge over every incident, one
line per arm (from incidents.csv).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drillsim.report.plots import figure_png

#: KPIs drawn in the distribution plot, with their axis labels and a scale.
SHOWN = (
    ("score", "drill score", 1.0),
    ("time_to_acknowledge_mean_s", "mean time to acknowledge (min)", 1 / 60),
    ("time_to_resolve_mean_s", "mean time to resolve (min)", 1 / 60),
    ("pages", "pages", 1.0),
    ("max_pages_per_person", "most pages to one person", 1.0),
    ("user_minutes_affected", "user-minutes affected", 1.0),
)


def _values(rows: Sequence[Any], arm: str, kpi: str, scale: float) -> list[float]:
    return [r.value * scale for r in rows if r.arm == arm and r.kpi == kpi and r.value is not None]


def kpi_distributions_png(rows: Sequence[Any], arms: Sequence[str]) -> bytes:
    """A box plot per KPI of :data:`SHOWN`, one box per arm."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 7.5), dpi=100)
    axes = fig.subplots(2, 3)
    labels = [str(i + 1) for i in range(len(arms))]
    for ax, (kpi, title, scale) in zip(axes.flat, SHOWN, strict=True):
        data = [_values(rows, arm, kpi, scale) for arm in arms]
        ax.boxplot([d if d else [float("nan")] for d in data], tick_labels=labels)
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel("arm")
    legend = "; ".join(f"{i + 1}: {arm}" for i, arm in enumerate(arms))
    fig.suptitle(f"KPIs per arm ({legend})", fontsize="small", wrap=True)
    fig.tight_layout()
    return figure_png(fig)


def tta_ecdf_png(incidents: Sequence[Any], arms: Sequence[str]) -> bytes:
    """The ECDF of time to acknowledge over every incident of every replication, one
    step line per arm. An incident never acknowledged counts in the denominator only,
    so an arm whose line levels off below 1 left that share of incidents unanswered."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5), dpi=100)
    ax = fig.add_subplot()
    for arm in arms:
        mine = [i for i in incidents if i.arm == arm]
        xs = sorted(
            i.time_to_acknowledge_s / 60 for i in mine if i.time_to_acknowledge_s is not None
        )
        if xs:
            ys = [(n + 1) / len(mine) for n in range(len(xs))]
            ax.step([0.0, *xs], [0.0, *ys], where="post", label=f"{arm} ({len(mine)} incidents)")
    ax.set_xlabel("time to acknowledge (min)")
    ax.set_ylabel("share of incidents acknowledged within")
    ax.set_ylim(0, 1.02)
    ax.set_title("Time to acknowledge: empirical CDF over all incidents, per arm")
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return figure_png(fig)
