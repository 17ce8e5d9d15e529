"""A chart of who is on call when: one row per schedule, one coloured bar per shift."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from drillsim.io.results import write_file
from drillsim.oncall.rotation import Shift
from drillsim.spec.schedules import Schedule


def oncall_chart(
    rendered: list[tuple[Schedule, list[Shift]]], start: datetime, end: datetime, target: Path
) -> None:
    """Write a PNG: hours since ``start`` across, schedules down, a colour per person.

    Written atomically (a crash leaves no half-written file); fixed metadata keeps the
    bytes reproducible.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    people = sorted({p for _, shifts in rendered for s in shifts for p in s.users})
    palette = matplotlib.colormaps["tab20"]
    colour = {p: palette(i % 20) for i, p in enumerate(people)}
    fig = Figure(figsize=(11, 1.2 + 0.6 * len(rendered)), dpi=100)
    ax = fig.add_subplot()
    origin = start.timestamp()
    for row, (_schedule, shifts) in enumerate(rendered):
        for s in shifts:
            left = (s.start.timestamp() - origin) / 3600
            width = s.duration_s / 3600
            band = 0.8 / len(s.users)
            for k, person in enumerate(s.users):
                y = row - 0.4 + k * band
                ax.broken_barh([(left, width)], (y, band), color=colour[person])
    ax.set_yticks(range(len(rendered)), [s.name for s, _ in rendered])
    ax.set_ylim(len(rendered) - 0.5, -0.5)
    ax.set_xlim(0, (end.timestamp() - origin) / 3600)
    ax.set_xlabel(f"hours since {start.isoformat()} (white: nobody on call)")
    handles = [matplotlib.patches.Patch(color=colour[p], label=p) for p in people]
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    write_file(target, buffer.getvalue())
