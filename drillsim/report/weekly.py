"""The weekly series of a long drill as files: ``weekly.csv`` and a PNG chart.

Data in, text or a Figure out (matplotlib imported lazily, Agg backend); the rows come
from :mod:`drillsim.scoring.weekly`.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from drillsim.scoring.weekly import COLUMNS

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def weekly_csv(rows_by_replication: list[tuple[int, list[dict[str, Any]]]]) -> str:
    """``replication`` plus :data:`~drillsim.scoring.weekly.COLUMNS`, one row per week."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["replication", *COLUMNS])
    for replication, rows in rows_by_replication:
        for row in rows:
            writer.writerow([replication, *(_cell(row[c]) for c in COLUMNS)])
    return buf.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


#: Legends beside the panels, not on them: a panel's last weeks are its news.
_OUTSIDE: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": "small"}


def weekly_figure(rows: list[dict[str, Any]], title: str) -> Figure:
    """Three panels per week: incidents (repeats shaded), times to acknowledge and resolve
    (mean and p90, minutes), and pages (all, off-hours, busiest person)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    weeks = [r["week"] for r in rows]
    fig = Figure(figsize=(10, 8), dpi=100)
    ax1, ax2, ax3 = fig.subplots(3, 1, sharex=True)
    ax1.bar(weeks, [r["incidents"] for r in rows], color="tab:blue", label="incidents")
    ax1.bar(weeks, [r["repeat_incidents"] for r in rows], color="tab:red", label="repeats")
    ax1.set_ylabel("incidents")
    ax1.legend(**_OUTSIDE)
    ax1.set_title(title)
    for key, label, style in (
        ("tta_mean_s", "ack mean", "-"),
        ("tta_p90_s", "ack p90", "--"),
        ("ttr_mean_s", "resolve mean", "-"),
        ("ttr_p90_s", "resolve p90", "--"),
    ):
        ys = [float("nan") if r[key] is None else r[key] / 60.0 for r in rows]
        ax2.plot(weeks, ys, style, marker="o", label=label)
    ax2.set_ylabel("minutes")
    ax2.set_yscale("log")
    ax2.legend(**_OUTSIDE)
    ax3.bar(weeks, [r["pages"] for r in rows], color="tab:gray", label="pages")
    ax3.bar(weeks, [r["off_hours_pages"] for r in rows], color="tab:purple", label="off-hours")
    ax3.plot(
        weeks, [r["max_pages_per_person"] for r in rows], "k-o", label="busiest person's pages"
    )
    ax3.set_ylabel("pages")
    ax3.set_xlabel("week (7-day blocks from the drill's start)")
    ax3.set_xticks(weeks)
    ax3.legend(**_OUTSIDE)
    fig.tight_layout()
    return fig
