"""Weekly series of a long drill, for a quarterly review, from its event log alone.

Weeks are **7-day blocks counted from the drill's start** (week 1 is days 0-7), not ISO
weeks: a drill may start on any day, and blocks of equal length compare fairly. The last
block is shorter when the horizon is not a whole number of weeks (``days`` says how long).

Each incident belongs to the week it opened in, with its times to acknowledge and resolve
defined exactly as in :mod:`drillsim.scoring.kpis` (acknowledged incidents; resolved
incidents with faults, from impact start), so the weekly counts add up to the drill's.
Pages belong to the week they were sent in.

A **repeat incident** is an incident opened within 7 days after another incident whose
faults hit one of the same services (the services a fault targets directly, as in
``FaultInjected``, not those it degrades through dependencies), sharing no fault with it:
the same service failing again, not one outage seen twice (two alerts of one fault
opening two incidents). Incidents without a fault (noise) are never repeats nor make
one. The 7-day window rolls across week boundaries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from drillsim.scoring.kpis import IncidentFacts, incident_facts, summarise

WEEK_S = 7 * 86400.0
REPEAT_WINDOW_S = 7 * 86400.0

COLUMNS = (
    "week",
    "from_date",
    "days",
    "faults",
    "incidents",
    "repeat_incidents",
    "acknowledged",
    "tta_mean_s",
    "tta_p90_s",
    "resolved",
    "ttr_mean_s",
    "ttr_p90_s",
    "pages",
    "off_hours_pages",
    "people_paged",
    "max_pages_per_person",
    "max_off_hours_pages_per_person",
)


def repeat_incidents(
    incidents: Sequence[IncidentFacts], fault_services: dict[str, tuple[str, ...]]
) -> set[str]:
    """Ids of the repeat incidents (see the module docstring); ``fault_services`` maps a
    fault to the services it hit directly."""
    real = sorted((i for i in incidents if i.faults), key=lambda i: (i.opened, i.id))
    hit = {i.id: {s for f in i.faults for s in fault_services.get(f, ())} for i in real}
    out = set()
    for k, inc in enumerate(real):
        for earlier in real[:k]:
            if (
                inc.opened - earlier.opened < REPEAT_WINDOW_S
                and hit[inc.id] & hit[earlier.id]
                and not set(inc.faults) & set(earlier.faults)
            ):
                out.add(inc.id)
                break
    return out


def _week_of(t: float, weeks: int) -> int:
    return min(int(t // WEEK_S), weeks - 1)


def weekly_rows(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per 7-day block (columns :data:`COLUMNS`; times in seconds, None if none)."""
    started = next(r for r in records if r["kind"] == "DrillStarted")
    end = float(started["duration_s"])
    weeks = max(1, -int(-end // WEEK_S))
    start = datetime.fromisoformat(started["start"])
    incidents = incident_facts(records)
    repeats = repeat_incidents(
        incidents,
        {r["fault"]: tuple(r["services"]) for r in records if r["kind"] == "FaultInjected"},
    )
    faults = [0] * weeks
    pages: list[Counter[str]] = [Counter() for _ in range(weeks)]
    off_hours: list[Counter[str]] = [Counter() for _ in range(weeks)]
    for r in records:
        if r["kind"] == "FaultInjected":
            faults[_week_of(r["t"], weeks)] += 1
        elif r["kind"] == "PageSent":
            w = _week_of(r["t"], weeks)
            pages[w][r["person"]] += 1
            if r["off_hours"]:
                off_hours[w][r["person"]] += 1
    opened: defaultdict[int, list[IncidentFacts]] = defaultdict(list)
    for inc in incidents:
        opened[_week_of(inc.opened, weeks)].append(inc)
    rows = []
    for w in range(weeks):
        mine = opened[w]
        tta = summarise([i.acked - i.opened for i in mine if i.acked is not None])
        ttr = summarise(
            [
                i.resolved - i.impact_start
                for i in mine
                if i.faults and i.resolved is not None and i.impact_start is not None
            ]
        )
        rows.append(
            {
                "week": w + 1,
                "from_date": (start + timedelta(days=7 * w)).date().isoformat(),
                "days": round((min(end, (w + 1) * WEEK_S) - w * WEEK_S) / 86400.0, 3),
                "faults": faults[w],
                "incidents": len(mine),
                "repeat_incidents": sum(1 for i in mine if i.id in repeats),
                "acknowledged": tta["count"],
                "tta_mean_s": tta["mean"],
                "tta_p90_s": tta["p90"],
                "resolved": ttr["count"],
                "ttr_mean_s": ttr["mean"],
                "ttr_p90_s": ttr["p90"],
                "pages": sum(pages[w].values()),
                "off_hours_pages": sum(off_hours[w].values()),
                "people_paged": len(pages[w]),
                "max_pages_per_person": max(pages[w].values(), default=0),
                "max_off_hours_pages_per_person": max(off_hours[w].values(), default=0),
            }
        )
    return rows


def weekly_people(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pages and off-hours pages per (week, person) for everyone paged that week."""
    started = next(r for r in records if r["kind"] == "DrillStarted")
    weeks = max(1, -int(-float(started["duration_s"]) // WEEK_S))
    counts: dict[tuple[int, str], list[int]] = {}
    for r in records:
        if r["kind"] == "PageSent":
            row = counts.setdefault((_week_of(r["t"], weeks) + 1, r["person"]), [0, 0])
            row[0] += 1
            row[1] += int(r["off_hours"])
    return [
        {"week": w, "person": p, "pages": n, "off_hours_pages": off}
        for (w, p), (n, off) in sorted(counts.items())
    ]
