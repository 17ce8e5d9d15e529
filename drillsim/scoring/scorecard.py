"""The 0-100 drill score: a weighted mean of linear sub-scores, one per KPI family.

Each sub-score is 100 when its KPI is at or better than ``good`` and 0 at or worse than
``bad``, linear in between. Default targets (overridable in ``scoring.targets``):

=====================  ================================  ======  =====
weight key             KPI                               good    bad
=====================  ================================  ======  =====
time_to_acknowledge    mean TTA (censored), minutes      5       30
time_to_mitigate       mean TTM (censored), minutes      30      240
customer_impact        SLO error budget burned, %        2       50
responder_load         most pages to one person          3       15
noise                  noise ratio, %                    10      60
time_to_detect         mean time to detect, minutes      2       15
=====================  ================================  ======  =====

A drill with nothing to acknowledge (or mitigate) scores 100 on that part only if no
fault went unnoticed; otherwise 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drillsim.spec.scenario import KpiTarget, Scoring

DEFAULT_TARGETS: dict[str, KpiTarget] = {
    "time_to_acknowledge": KpiTarget(good=5, bad=30),
    "time_to_mitigate": KpiTarget(good=30, bad=240),
    "customer_impact": KpiTarget(good=2, bad=50),
    "responder_load": KpiTarget(good=3, bad=15),
    "noise": KpiTarget(good=10, bad=60),
    "time_to_detect": KpiTarget(good=2, bad=15),
}


def _minutes(summary: dict[str, Any]) -> float | None:
    mean = summary.get("mean")
    return None if mean is None else mean / 60.0


def kpi_values(kpis: dict[str, Any]) -> dict[str, float | None]:
    """The number each weight key is scored on, in the unit of its targets."""
    return {
        "time_to_acknowledge": _minutes(kpis["time_to_acknowledge_censored_s"]),
        "time_to_mitigate": _minutes(kpis["time_to_mitigate_censored_s"]),
        "customer_impact": 100.0 * kpis["slo_budget_burned"],
        "responder_load": float(kpis["max_pages_per_person"]),
        "noise": 100.0 * kpis["noise_ratio"],
        "time_to_detect": _minutes(kpis["time_to_detect_s"]),
    }


def sub_score(value: float | None, target: KpiTarget, missed_something: bool) -> float:
    """100 at ``good`` or better, 0 at ``bad`` or worse, linear in between."""
    if value is None:
        return 0.0 if missed_something else 100.0
    if value <= target.good:
        return 100.0
    if value >= target.bad:
        return 0.0
    return 100.0 * (target.bad - value) / (target.bad - target.good)


@dataclass(frozen=True, slots=True)
class Scorecard:
    """The drill score, its parts, and the raw KPIs beside them."""

    score: float
    parts: dict[str, float]
    weights: dict[str, float]
    values: dict[str, float | None]
    kpis: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for scorecard.json."""
        return {
            "score": self.score,
            "parts": self.parts,
            "weights": self.weights,
            "values": self.values,
            "kpis": self.kpis,
        }


def score(kpis: dict[str, Any], scoring: Scoring) -> Scorecard:
    """Combine KPIs into the 0-100 drill score with the scenario's weights and targets."""
    targets = {**DEFAULT_TARGETS, **scoring.targets}
    values = kpi_values(kpis)
    missed = kpis["faults"] > kpis["faults_detected"] or kpis["incidents_unacknowledged"] > 0
    parts = {k: round(sub_score(values[k], targets[k], missed), 2) for k in scoring.weights}
    total = sum(scoring.weights.values())
    value = sum(parts[k] * w for k, w in scoring.weights.items()) / total if total else 0.0
    return Scorecard(round(value, 2), parts, dict(scoring.weights), values, kpis)
