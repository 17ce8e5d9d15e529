"""``drillsim compare``: two scenarios on the same seeds, KPI by KPI, in plain words.

Replication k of A and replication k of B use the same random streams
``[seed, k, component]`` (:mod:`drillsim.experiments.replications`), so when the
scenarios differ only in on-call, escalation or routing they face the same faults at
the same instants and the same spurious alerts; a difference in a KPI then comes from
the set-up, not from luck. :func:`compare_drills` also checks that promise per
replication (the faults injected must match) and says so when it fails, because a
comparison of two scenarios with different faults is not like for like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drillsim.experiments.paired_stats import PairedResult, paired
from drillsim.experiments.replications import HEADLINE, DrillOutcome, run_drill
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.drill import DrillSpec


def _pages_per_person(card: Scorecard) -> float | None:
    people = card.kpis["people"]
    return card.kpis["pages"] / len(people) if people else None


#: KPIs compared: the replication summary's, plus pages per person on the roster.
KPIS: dict[str, Callable[[Scorecard], float | None]] = {
    **HEADLINE,
    "pages_per_person": _pages_per_person,
}


@dataclass(frozen=True, slots=True)
class Wording:
    """How a KPI reads in a sentence: a verb, the words for lower and higher, a unit."""

    verb: str
    lower: str
    higher: str
    unit: str = ""
    scale: float = 1.0
    better: str = "lower"
    relative: bool = False
    """Say the change as a percentage of A's mean (counts per person)."""
    counted: str = ""
    """What a relative KPI counts, for the absolute change beside the percentage."""


_TIME = {"unit": "min", "scale": 60.0}
WORDING: dict[str, Wording] = {
    "score": Wording("scores", "points lower", "points higher", better="higher"),
    "time_to_detect_mean_s": Wording("detects", "faster", "slower", **_TIME),  # type: ignore[arg-type]
    "time_to_acknowledge_mean_s": Wording("acknowledges", "faster", "slower", **_TIME),  # type: ignore[arg-type]
    "time_to_mitigate_mean_s": Wording("mitigates", "faster", "slower", **_TIME),  # type: ignore[arg-type]
    "time_to_resolve_mean_s": Wording("resolves", "faster", "slower", **_TIME),  # type: ignore[arg-type]
    "incidents": Wording("opens", "fewer incidents", "more incidents"),
    "failed_requests": Wording("fails", "fewer requests", "more requests"),
    "user_minutes_affected": Wording("costs users", "fewer minutes", "more minutes"),
    "slo_budget_burned": Wording(
        "burns", "less error budget", "more error budget", unit="%", scale=0.01
    ),
    "pages": Wording("sends", "fewer pages", "more pages"),
    "max_pages_per_person": Wording("pages its busiest person", "fewer times", "more times"),
    "off_hours_pages": Wording("sends", "fewer off-hours pages", "more off-hours pages"),
    "escalations": Wording("escalates", "less often", "more often"),
    "noise_ratio": Wording("has", "less noise", "more noise", unit="%", scale=0.01),
    "wrong_hypotheses": Wording("makes", "fewer wrong guesses", "more wrong guesses"),
    "failed_actions": Wording("has", "fewer failed actions", "more failed actions"),
    "pages_per_person": Wording(
        "pages each person", "less", "more", relative=True, counted="pages each"
    ),
}


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of ``compare``: per KPI the paired result, and the checks made."""

    seed: int
    replications: int
    results: dict[str, PairedResult]
    fault_mismatches: list[int] = field(default_factory=list)
    """Replications whose injected faults differ between A and B (should be none)."""
    pairs: dict[str, list[tuple[float | None, float | None]]] = field(default_factory=dict)
    """Per KPI, replication k's value in A and in B (what the paired tests were given)."""

    def pair_rows(self) -> list[dict[str, Any]]:
        """pairs.csv: one row per replication and KPI with A, B and B - A."""
        rows = []
        for name, values in self.pairs.items():
            for k, (a, b) in enumerate(values):
                diff = None if a is None or b is None else b - a
                rows.append(
                    {
                        "replication": k,
                        "seed": self.seed,
                        "kpi": name,
                        "a": a,
                        "b": b,
                        "b_minus_a": diff,
                    }
                )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {
            "seed": self.seed,
            "replications": self.replications,
            "common_random_numbers": {
                "faults_identical": not self.fault_mismatches,
                "replications_with_different_faults": self.fault_mismatches,
            },
            "kpis": {
                name: {**r.to_dict(), "words": describe(name, r)}
                for name, r in self.results.items()
            },
            "summary": summary_sentence(self.results),
            "underpowered": underpowered_notes(self.results),
        }


def faults_of(records: list[dict[str, Any]]) -> list[tuple[float, str, tuple[str, ...]]]:
    """The faults a run injected: when, which, where (what CRN must keep equal)."""
    return [
        (r["t"], r["fault"], tuple(r["services"])) for r in records if r["kind"] == "FaultInjected"
    ]


def compare_outcomes(a: list[DrillOutcome], b: list[DrillOutcome], seed: int) -> Comparison:
    """Pair replication k of A with replication k of B and compare every KPI."""
    pairs = {
        name: [(read(oa.scorecard), read(ob.scorecard)) for oa, ob in zip(a, b, strict=True)]
        for name, read in KPIS.items()
    }
    results = {
        name: paired([x for x, _ in values], [y for _, y in values])
        for name, values in pairs.items()
    }
    mismatches = [
        oa.result.replication
        for oa, ob in zip(a, b, strict=True)
        if faults_of(oa.records) != faults_of(ob.records)
    ]
    return Comparison(seed, len(a), results, mismatches, pairs)


def compare_drills(
    a: DrillSpec,
    b: DrillSpec,
    seed: int,
    replications: int,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Run replications 0..n-1 of both drills on ``seed`` and compare them.

    Only the KPIs are kept of each replication, so memory does not grow with the logs.
    """
    runs_a: list[DrillOutcome] = []
    runs_b: list[DrillOutcome] = []
    for k in range(replications):
        runs_a.append(_light(run_drill(a, seed, k)))
        runs_b.append(_light(run_drill(b, seed, k)))
        if progress is not None:
            progress(k + 1)
    return compare_outcomes(runs_a, runs_b, seed)


def _light(outcome: DrillOutcome) -> DrillOutcome:
    """The outcome with its log cut down to the faults (all the CRN check needs)."""
    kept = [r for r in outcome.records if r["kind"] == "FaultInjected"]
    return DrillOutcome(outcome.result, kept, outcome.scorecard)


# ----- words --------------------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:.2g}" if abs(x) < 1 else f"{x:.1f}" if abs(x) < 100 else f"{x:,.0f}"


def describe(name: str, r: PairedResult) -> str:
    """One KPI's paired difference as a phrase: "acknowledges 4.1 min faster (95% CI
    3.2-5.0)"; "no clear difference in ..." when the CI includes zero."""
    w = WORDING.get(name, Wording(f"has {name}", "lower", "higher"))
    if r.mean_diff is None:
        return f"{name}: not defined in any pair of replications"
    if r.mean_diff == 0 and r.sd_diff in (0.0, None):
        return f"{w.verb} the same ({name} identical in every replication)"
    d = r.mean_diff / w.scale
    word = w.lower if d < 0 else w.higher
    sign = -1.0 if d < 0 else 1.0
    unit = f" {w.unit}" if w.unit else ""
    if w.relative and r.mean_a:
        amount = f"{abs(r.mean_diff) / r.mean_a:.0%} {word}"
        detail = f"{_num(abs(d))} {'fewer' if d < 0 else 'more'} {w.counted} per drill"
    else:
        amount = f"{_num(abs(d))}{unit} {word}"
        detail = ""
    if r.ci_low is None or r.ci_high is None:
        ci = "one replication: no CI"
    elif r.test == "exact":
        ci = "exact: the same in every replication"
    else:
        lo, hi = sorted((sign * r.ci_low / w.scale, sign * r.ci_high / w.scale))
        ci = f"95% CI {_num(lo)}–{_num(hi)}"
    inside = ", ".join(x for x in (detail, ci) if x)
    phrase = f"{w.verb} {amount} ({inside})"
    if r.n >= 2 and not r.clear:
        p = "" if r.p is None else f", p={r.p:.2g}"
        return f"no clear difference: {phrase[:-1]}{p})"
    return phrase


def summary_sentence(results: dict[str, PairedResult]) -> str:
    """The clear differences in one sentence, the headline ones first."""
    order = [
        "time_to_acknowledge_mean_s",
        "time_to_resolve_mean_s",
        "pages_per_person",
        "off_hours_pages",
        "time_to_mitigate_mean_s",
        "user_minutes_affected",
        "score",
    ]
    clear = [describe(k, results[k]) for k in order if k in results and results[k].clear]
    if not clear:
        return "B and A show no clear difference in the headline KPIs."
    return "B " + ", ".join(clear) + "."


def underpowered_notes(results: dict[str, PairedResult]) -> list[str]:
    """A warning per KPI whose observed difference the replications could not detect."""
    notes = []
    for name, r in results.items():
        if r.mean_diff in (None, 0) or not r.underpowered:
            continue
        if r.n < 2:
            notes.append(f"{name}: one replication cannot show whether the difference is real")
        elif r.needed is None:
            notes.append(f"{name}: the observed difference is too small to detect at any count")
        else:
            notes.append(
                f"{name}: {r.n} replications are too few to detect a difference of "
                f"{_num(r.mean_diff)} (SD {_num(r.sd_diff or 0.0)}); "
                f"about {r.needed} are needed for 80% power"
            )
    return notes
