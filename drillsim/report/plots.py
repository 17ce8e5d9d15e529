"""Plots of a drill (matplotlib imported lazily, Agg backend): data in, Figure out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def health_figure(records: list[dict[str, Any]]) -> Figure | None:
    """Error rate over time of every service that was ever impaired, with incident marks."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    started = next(r for r in records if r["kind"] == "DrillStarted")
    end_h = started["duration_s"] / 3600.0
    series: dict[str, list[tuple[float, float]]] = {}
    for r in records:
        if r["kind"] == "ServiceHealthChanged":
            series.setdefault(r["service"], [(0.0, 0.0)]).append((r["t"] / 3600.0, r["error_rate"]))
    if not series:
        return None
    fig = Figure(figsize=(10, 4.5), dpi=100)
    ax = fig.add_subplot()
    for name in sorted(series):
        pts = series[name] + [(end_h, series[name][-1][1])]
        ax.step([p[0] for p in pts], [100 * p[1] for p in pts], where="post", label=name)
    for r in records:
        if r["kind"] == "IncidentOpened":
            ax.axvline(r["t"] / 3600.0, color="grey", lw=0.6, ls=":")
        elif r["kind"] == "PageAcknowledged":
            ax.axvline(r["t"] / 3600.0, color="green", lw=0.6, ls="--")
    ax.set_xlabel("hours since drill start (dotted: incident opened, dashed: acknowledged)")
    ax.set_ylabel("error rate (%)")
    ax.set_title(started["scenario"])
    ax.set_xlim(0, end_h)
    ax.legend(loc="upper right", fontsize="small", ncols=2)
    fig.tight_layout()
    return fig


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (deterministic metadata)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
