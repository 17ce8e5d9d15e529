"""A staffing study's numbers: what each replication measures about the rotation, and
the trade-off table (with its Pareto set) built from the replications' summaries.

The rotation's incidents are those that paged anyone in it. Their time to acknowledge
is counted as the scorecard counts it: an incident still unacknowledged at the drill's
end waits until then (so an option that leaves pages unanswered cannot look fast); one
that resolved by itself before anyone acknowledged it is left out, and counted in
``rotation_unacknowledged``. Loads are per person in the rotation per week of drill;
"night" is a page during that person's own sleep.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from drillsim.experiments.replications import DrillOutcome
from drillsim.experiments.sweep import KPIS, quantile
from drillsim.io.sweep_results import IncidentRow
from drillsim.spec.staffing import Cost, Targets

#: The KPIs of a staffing replication, in row order.
STAFFING_KPIS = (
    "head_count",
    "rotation_incidents",
    "rotation_tta_p90_s",
    "rotation_tta_mean_s",
    "rotation_unacknowledged",
    "pages_per_person_week",
    "max_pages_per_person_week",
    "night_pages_per_person_week",
    "max_night_pages_per_person_week",
    "off_hours_pages_per_person_week",
    "cost_per_week",
)
#: Drill-wide KPIs kept beside them (a staffing change can move these too).
DRILL_KPIS = ("score", "time_to_acknowledge_p90_s", "escalations", "slo_budget_burned")

#: The trade-off objectives, all smaller-is-better: what the Pareto set is over.
OBJECTIVES = (
    "rotation_tta_p90_s",
    "pages_per_person_week",
    "night_pages_per_person_week",
    "cost_per_week",
)


@dataclass(frozen=True, slots=True)
class StaffingMeasures:
    """Per option, who is in the rotation; the drill's length in weeks; the cost model."""

    members: tuple[tuple[str, ...], ...]
    weeks: float
    cost: Cost

    @property
    def names(self) -> tuple[str, ...]:
        """Staffing KPIs, then the drill-wide ones."""
        return STAFFING_KPIS + DRILL_KPIS

    def measure(self, outcome: DrillOutcome, arm: int) -> dict[str, float | None]:
        """One replication of option ``arm``."""
        members = set(self.members[arm])
        out: dict[str, float | None] = dict(rotation(outcome.records, members))
        people = outcome.scorecard.kpis["people"]
        rows = [people.get(m, {}) for m in sorted(members)]
        pages = [float(r.get("pages", 0)) for r in rows]
        nights = [float(r.get("asleep_pages", 0)) for r in rows]
        off_hours = [float(r.get("off_hours_pages", 0)) for r in rows]
        per = len(members) * self.weeks
        c = self.cost
        total = (
            c.per_person_week * per
            + c.per_page * sum(pages)
            + c.per_night_page * sum(nights)
            + c.per_off_hours_page * sum(off_hours)
        )
        out.update(
            head_count=float(len(members)),
            pages_per_person_week=sum(pages) / per,
            max_pages_per_person_week=max(pages) / self.weeks,
            night_pages_per_person_week=sum(nights) / per,
            max_night_pages_per_person_week=max(nights) / self.weeks,
            off_hours_pages_per_person_week=sum(off_hours) / per,
            cost_per_week=total / self.weeks,
        )
        for kpi in DRILL_KPIS:
            value = KPIS[kpi](outcome.scorecard)
            out[kpi] = None if value is None else float(value)
        return out


def censored_wait(acked_after: float | None, resolved: bool, open_for: float) -> float | None:
    """An incident's wait for acknowledgement as the scorecard counts it: acknowledged,
    its wait; still unacknowledged at the end, until the end (``open_for``); resolved
    before anyone acknowledged it, None (it stopped waiting: left out)."""
    if acked_after is not None:
        return acked_after
    return None if resolved else open_for


def rotation(records: Sequence[dict[str, Any]], members: set[str]) -> dict[str, float | None]:
    """Incidents that paged anyone in ``members``: how many, their time to acknowledge
    (mean and p90, censored at the drill's end) and how many nobody acknowledged."""
    opened: dict[str, float] = {}
    acked: dict[str, float] = {}
    resolved: set[str] = set()
    ours: set[str] = set()
    end = 0.0
    for r in records:
        kind = r["kind"]
        if kind == "IncidentOpened":
            opened[r["incident"]] = r["t"]
        elif kind == "PageSent" and r["person"] in members:
            ours.add(r["incident"])
        elif kind == "PageAcknowledged":
            acked.setdefault(r["incident"], r["t"])
        elif kind == "IncidentResolved":
            resolved.add(r["incident"])
        elif kind == "DrillEnded":
            end = r["t"]
    found = [
        censored_wait(acked[i] - opened[i] if i in acked else None, i in resolved, end - opened[i])
        for i in sorted(ours)
        if i in opened
    ]
    waits = [w for w in found if w is not None]
    return {
        "rotation_incidents": float(len(ours)),
        "rotation_tta_p90_s": quantile(waits, 0.9) if waits else None,
        "rotation_tta_mean_s": sum(waits) / len(waits) if waits else None,
        "rotation_unacknowledged": float(sum(1 for i in ours if i not in acked)),
    }


@dataclass(frozen=True, slots=True)
class PooledP90:
    """A pooled p90 with its 95% bootstrap interval (replications resampled)."""

    value: float | None
    ci_low: float | None
    ci_high: float | None


#: Bootstrap resamples of replications for the pooled p90's interval.
BOOTSTRAP = 2000


def pooled_tta_p90(
    incidents: Sequence[IncidentRow],
    arm: str,
    members: Iterable[str],
    horizon_s: float,
    seed: int = 0,
) -> PooledP90:
    """The p90 time to acknowledge over every incident of every replication of ``arm``
    that paged anyone in ``members`` (what "90% of pages answered within" means),
    censored as :func:`rotation` does: never acknowledged and still open at the end
    waits until the end; resolved before anyone acknowledged it, left out.

    Its 95% interval is a percentile bootstrap over replications (incidents of one
    replication share its faults and people, so they are resampled together), seeded by
    ``seed``: the same inputs give the same interval.
    """
    import numpy as np

    people = set(members)
    by_rep: dict[int, list[float]] = {}
    for i in incidents:
        if i.arm != arm or not people.intersection(i.paged.split()):
            continue
        resolved = i.time_to_resolve_s is not None
        wait = censored_wait(i.time_to_acknowledge_s, resolved, horizon_s - i.opened_s)
        if wait is not None:
            by_rep.setdefault(i.replication, []).append(wait)
    reps = [by_rep[k] for k in sorted(by_rep)]
    waits = [w for rep in reps for w in rep]
    if not waits:
        return PooledP90(None, None, None)
    if len(reps) < 2:
        return PooledP90(quantile(waits, 0.9), None, None)
    rng = np.random.default_rng([seed, len(waits)])
    draws = rng.integers(len(reps), size=(BOOTSTRAP, len(reps)))
    stats = sorted(float(np.quantile(np.concatenate([reps[k] for k in row]), 0.9)) for row in draws)
    return PooledP90(quantile(waits, 0.9), quantile(stats, 0.025), quantile(stats, 0.975))


def tradeoffs(
    summary: Sequence[dict[str, Any]],
    arms: Sequence[str],
    targets: Targets,
    pooled: dict[str, PooledP90] | None = None,
) -> list[dict[str, Any]]:
    """One row per option: the mean and 95% CI of each staffing KPI, the pooled p90 time
    to acknowledge when given (:func:`pooled_tta_p90`), whether it meets every target
    given, and whether it is Pareto-optimal over :data:`OBJECTIVES` (no other option is
    at least as good on all of them and better on one, by their means).
    """
    by = {(r["arm"], r["kpi"]): r for r in summary}
    rows: list[dict[str, Any]] = []
    for arm in arms:
        row: dict[str, Any] = {"option": arm}
        if pooled is not None:
            p90 = pooled.get(arm, PooledP90(None, None, None))
            row["rotation_tta_p90_pooled_s"] = p90.value
            row["rotation_tta_p90_pooled_s_ci_low"] = p90.ci_low
            row["rotation_tta_p90_pooled_s_ci_high"] = p90.ci_high
        for kpi in STAFFING_KPIS + DRILL_KPIS:
            s = by.get((arm, kpi), {})
            row[kpi] = s.get("mean")
            row[f"{kpi}_ci_low"] = s.get("ci_low")
            row[f"{kpi}_ci_high"] = s.get("ci_high")
        row["meets_targets"] = meets(row, targets)
        rows.append(row)
    for row in rows:
        row["pareto"] = not any(dominates(other, row) for other in rows if other is not row)
    return rows


def meets(row: dict[str, Any], targets: Targets) -> bool | None:
    """Whether the option's means meet every target given (None: no targets)."""
    limits = {
        "rotation_tta_p90_s": targets.time_to_acknowledge_p90,
        "pages_per_person_week": targets.pages_per_person_week,
        "night_pages_per_person_week": targets.night_pages_per_person_week,
        "cost_per_week": targets.cost_per_week,
    }
    given = {k: v for k, v in limits.items() if v is not None}
    if not given:
        return None
    return all(row[k] is not None and row[k] <= v for k, v in given.items())


def dominates(a: dict[str, Any], b: dict[str, Any], objectives: Sequence[str] = OBJECTIVES) -> bool:
    """``a`` is at least as good as ``b`` on every objective both define, and better on
    one (smaller is better)."""
    pairs = [(a[k], b[k]) for k in objectives if a[k] is not None and b[k] is not None]
    return bool(pairs) and all(x <= y for x, y in pairs) and any(x < y for x, y in pairs)


def frontier(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point dominates (both coordinates smaller is
    better), sorted by the first coordinate: the line a Pareto chart draws."""
    keep = [
        i
        for i, (x, y) in enumerate(points)
        if not any(
            (u <= x and v <= y) and (u < x or v < y) for j, (u, v) in enumerate(points) if j != i
        )
    ]
    return sorted(keep, key=lambda i: points[i])
