"""Seeded replications of one drill, and the mean and 95% CI of each headline KPI.

Replication k uses the random streams ``[seed, k, component]``, so replication 3 gives
the same log whether it runs alone, third in a batch, or on another machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drillsim.engine.simulation import RunResult, Simulation
from drillsim.scoring.kpis import compute_kpis
from drillsim.scoring.scorecard import Scorecard, score
from drillsim.spec.drill import DrillSpec

#: Scalar KPIs summarised across replications: name -> how to read it from a scorecard.
HEADLINE: dict[str, Callable[[Scorecard], float | None]] = {
    "score": lambda s: s.score,
    "time_to_detect_mean_s": lambda s: s.kpis["time_to_detect_s"]["mean"],
    "time_to_acknowledge_mean_s": lambda s: s.kpis["time_to_acknowledge_s"]["mean"],
    "time_to_mitigate_mean_s": lambda s: s.kpis["time_to_mitigate_s"]["mean"],
    "time_to_resolve_mean_s": lambda s: s.kpis["time_to_resolve_s"]["mean"],
    "incidents": lambda s: s.kpis["incidents"],
    "failed_requests": lambda s: s.kpis["failed_requests"],
    "user_minutes_affected": lambda s: s.kpis["user_minutes_affected"],
    "slo_budget_burned": lambda s: s.kpis["slo_budget_burned"],
    "pages": lambda s: s.kpis["pages"],
    "max_pages_per_person": lambda s: s.kpis["max_pages_per_person"],
    "off_hours_pages": lambda s: s.kpis["off_hours_pages"],
    "escalations": lambda s: s.kpis["escalations"],
    "noise_ratio": lambda s: s.kpis["noise_ratio"],
    "wrong_hypotheses": lambda s: s.kpis["wrong_hypotheses"],
    "failed_actions": lambda s: s.kpis["failed_actions"],
}


@dataclass(frozen=True, slots=True)
class DrillOutcome:
    """One replication: its raw result, its log as plain records, and its scorecard."""

    result: RunResult
    records: list[dict[str, Any]]
    scorecard: Scorecard


def choose_seed(seed: int | None, drill: DrillSpec) -> int:
    """The given seed, else the scenario's, else a fresh one (to be recorded by the caller)."""
    if seed is not None:
        return seed
    if drill.scenario.seed is not None:
        return drill.scenario.seed
    import numpy as np

    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)
    return entropy % 2**32


def run_drill(drill: DrillSpec, seed: int, replication: int = 0) -> DrillOutcome:
    """Simulate one replication and score it."""
    result = Simulation(drill, seed, replication).run()
    records = result.log.as_dicts()
    card = score(compute_kpis(records), drill.scenario.scoring)
    return DrillOutcome(result, records, card)


def run_replications(
    drill: DrillSpec, seed: int, n: int, progress: Callable[[int], None] | None = None
) -> list[DrillOutcome]:
    """Replications 0..n-1 of the drill, in order."""
    outcomes = []
    for k in range(n):
        outcomes.append(run_drill(drill, seed, k))
        if progress is not None:
            progress(k + 1)
    return outcomes


def t_quantile_975(dof: int) -> float:
    """Two-sided 95% Student-t critical value."""
    from scipy.stats import t

    return float(t.ppf(0.975, dof))


def confidence_interval(values: list[float]) -> dict[str, float | int | None]:
    """Mean, standard deviation and the 95% t-interval of the mean."""
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "ci_low": None, "ci_high": None}
    mean = sum(values) / n
    if n == 1:
        return {"n": 1, "mean": mean, "sd": None, "ci_low": None, "ci_high": None}
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile_975(n - 1) * sd / math.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


def summarise_replications(
    outcomes: list[DrillOutcome],
) -> dict[str, dict[str, float | int | None]]:
    """Per headline KPI: mean and 95% CI over the replications where it is defined."""
    out = {}
    for name, read in HEADLINE.items():
        values = [float(v) for o in outcomes if (v := read(o.scorecard)) is not None]
        out[name] = confidence_interval(values)
    return out


def long_rows(outcomes: list[DrillOutcome]) -> list[dict[str, Any]]:
    """One row per (replication, KPI): the long format sweeps build on."""
    rows = []
    for o in outcomes:
        for name, read in HEADLINE.items():
            rows.append(
                {
                    "replication": o.result.replication,
                    "seed": o.result.seed,
                    "kpi": name,
                    "value": read(o.scorecard),
                }
            )
    return rows
