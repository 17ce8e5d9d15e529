"""A sweep as jobs: one job is one (arm, replication), and yields that replication's rows.

Replication k of every arm runs on the streams ``[seed, k, component]``: common random
numbers, so two arms that differ only in who is paged see the identical faults and alert
timeline, and a job's rows depend on nothing but its arm, the root seed and k (never on
which executor or worker ran it, or in what order).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from typing import Any, Protocol

from drillsim.experiments.replications import (
    HEADLINE,
    DrillOutcome,
    confidence_interval,
    run_drill,
)
from drillsim.io.sweep_results import IncidentRow, Row
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.drill import DrillSpec

#: The KPIs of every replication: the headline ones, plus the median and 90th percentile
#: of time to acknowledge (what staffing targets are written in).
KPIS: dict[str, Callable[[Scorecard], float | None]] = {
    **HEADLINE,
    "time_to_acknowledge_median_s": lambda s: s.kpis["time_to_acknowledge_s"]["median"],
    "time_to_acknowledge_p90_s": lambda s: s.kpis["time_to_acknowledge_s"]["p90"],
}


class Measures(Protocol):
    """What one replication of an arm yields as KPI rows.

    It travels to worker processes with the sweep's work, so it must pickle: a plain
    dataclass holding data, never lambdas (those stay in module-level tables).
    """

    @property
    def names(self) -> tuple[str, ...]:
        """Every KPI this measures, in the order rows and summaries list them."""
        ...

    def measure(self, outcome: DrillOutcome, arm: int) -> dict[str, float | None]:
        """The KPIs of one replication of arm number ``arm`` (None: undefined)."""
        ...


@dataclass(frozen=True, slots=True)
class HeadlineMeasures:
    """A sweep's KPIs: :data:`KPIS`, read from the scorecard."""

    @property
    def names(self) -> tuple[str, ...]:
        """The names of :data:`KPIS`."""
        return tuple(KPIS)

    def measure(self, outcome: DrillOutcome, arm: int) -> dict[str, float | None]:
        """Each of :data:`KPIS` from the replication's scorecard."""
        out: dict[str, float | None] = {}
        for kpi, read in KPIS.items():
            value = read(outcome.scorecard)
            out[kpi] = None if value is None else float(value)
        return out


SWEEP_MEASURES = HeadlineMeasures()


@dataclass(frozen=True, slots=True, order=True)
class Job:
    """One replication of one arm (arms by index into the sweep's arm list)."""

    arm: int
    replication: int


@dataclass(frozen=True, slots=True)
class JobResult:
    """One replication of one arm: its KPI rows (runs.csv) and its incidents, each with
    its time to acknowledge and resolve (incidents.csv: what a per-incident ECDF needs)."""

    rows: list[Row]
    incidents: list[IncidentRow]


def run_job(
    drills: Sequence[DrillSpec],
    names: Sequence[str],
    seed: int,
    job: Job,
    measures: Measures = SWEEP_MEASURES,
) -> JobResult:
    """Simulate and score one replication of one arm."""
    outcome = run_drill(drills[job.arm], seed, job.replication)
    arm, k = names[job.arm], job.replication
    values = measures.measure(outcome, job.arm)
    paged: dict[str, set[str]] = {}
    for r in outcome.records:
        if r["kind"] == "PageSent":
            paged.setdefault(r["incident"], set()).add(r["person"])
    incidents = [
        IncidentRow(
            arm,
            k,
            seed,
            i["id"],
            i["severity"],
            float(i["opened_s"]),
            _seconds(i["time_to_acknowledge_s"]),
            _seconds(i["time_to_resolve_s"]),
            " ".join(sorted(paged.get(i["id"], ()))),
        )
        for i in outcome.scorecard.kpis["incident_rows"]
    ]
    rows = [Row(arm, k, seed, kpi, values[kpi]) for kpi in measures.names]
    return JobResult(rows, incidents)


def _seconds(value: float | None) -> float | None:
    return None if value is None else float(value)


def jobs_for(arms: int, replications: int, done: Set[tuple[int, int]] = frozenset()) -> list[Job]:
    """Every job not yet done, replication-major (so early results cover every arm)."""
    return [Job(a, k) for k in range(replications) for a in range(arms) if (a, k) not in done]


def quantile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of non-empty values (numpy's default method)."""
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


SUMMARY_COLUMNS = ("arm", "kpi", "n", "mean", "median", "p90", "sd", "ci_low", "ci_high")


def summarise(
    rows: Sequence[Row], arm_order: Sequence[str], kpis: Sequence[str] = tuple(KPIS)
) -> list[dict[str, Any]]:
    """Per arm and KPI: n, mean, median, p90 and the 95% t-interval of the mean, over the
    replications where the KPI is defined; arms in sweep order, KPIs in ``kpis`` order."""
    values: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        if r.value is not None:
            values.setdefault((r.arm, r.kpi), []).append(r.value)
    out = []
    for arm in arm_order:
        for kpi in kpis:
            xs = values.get((arm, kpi), [])
            ci = confidence_interval(xs)
            out.append(
                {
                    "arm": arm,
                    "kpi": kpi,
                    "n": len(xs),
                    "mean": ci["mean"],
                    "median": quantile(xs, 0.5) if xs else None,
                    "p90": quantile(xs, 0.9) if xs else None,
                    "sd": ci["sd"],
                    "ci_low": ci["ci_low"],
                    "ci_high": ci["ci_high"],
                }
            )
    return out
