"""Sensitivity of one alert rule: detection delay against false alerts and noise pages.

For every (threshold, ``for``) pair the rule is rewritten and the drill replicated on the
same seeds (common random numbers: the same faults and noise for every pair). Reported:
the rule's own mean delay from a fault's start to its first alert about it, faults it
missed, its alerts with no fault behind them, and pages for incidents with no fault.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from statistics import mean
from typing import Any

from drillsim.experiments.replications import run_replications
from drillsim.spec.alerting import AlertRule
from drillsim.spec.drill import DrillSpec


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    """One (threshold, for) pair and what it did over the replications (means per drill)."""

    threshold: float | str
    for_s: float
    detection_s: float | None
    undetected: float
    false_alerts: float
    noise_pages: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {
            "threshold": self.threshold,
            "for_s": self.for_s,
            "mean_time_to_detect_s": self.detection_s,
            "mean_missed_faults": self.undetected,
            "mean_false_alerts": self.false_alerts,
            "mean_noise_pages": self.noise_pages,
        }


def rule_detection(records: list[dict[str, Any]], alert: str) -> tuple[list[float], int, int]:
    """The rule's detection delays per fault, the faults it missed, its false alerts."""
    starts = {r["fault"]: r["t"] for r in records if r["kind"] == "FaultInjected"}
    first: dict[str, float] = {}
    false_alerts = 0
    for r in records:
        if r["kind"] == "AlertFired" and r["alert"] == alert:
            if not r["faults"]:
                false_alerts += 1
            for f in r["faults"]:
                first.setdefault(f, r["t"])
    delays = [first[f] - t for f, t in starts.items() if f in first]
    return delays, len(starts) - len(delays), false_alerts


def with_rule(drill: DrillSpec, alert: str, threshold: float | str, for_s: float) -> DrillSpec:
    """The drill with one rule's threshold and ``for`` replaced (validated like a document)."""
    rules = []
    found = False
    for rule in drill.rules.rules:
        if rule.alert == alert:
            found = True
            data = rule.model_dump(by_alias=True)
            data.update(threshold=threshold, **{"for": f"{for_s}s"})
            rule = AlertRule.model_validate(data)
        rules.append(rule)
    if not found:
        raise KeyError(alert)
    return replace(drill, rules=drill.rules.model_copy(update={"rules": rules}), compiled={})


def sweep_rule(
    drill: DrillSpec,
    alert: str,
    thresholds: list[float | str],
    fors_s: list[float],
    seed: int,
    replications: int,
) -> list[SensitivityRow]:
    """Every (threshold, for) pair on the same seeds."""
    rows = []
    for threshold in thresholds:
        for for_s in fors_s:
            outcomes = run_replications(
                with_rule(drill, alert, threshold, for_s), seed, replications
            )
            found = [rule_detection(o.records, alert) for o in outcomes]
            delays = [d for ds, _, _ in found for d in ds]
            kpis = [o.scorecard.kpis for o in outcomes]
            rows.append(
                SensitivityRow(
                    threshold,
                    for_s,
                    mean(delays) if delays else None,
                    mean(missed for _, missed, _ in found),
                    mean(false for _, _, false in found),
                    mean(k["noise_ratio"] * k["pages"] for k in kpis),
                )
            )
    return rows
