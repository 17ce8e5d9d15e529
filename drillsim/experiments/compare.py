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

from drillsim.experiments.kpi_units import clip, difference_range, shown, unit_of, with_unit
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
    """How a KPI reads in a sentence: a verb and the words for lower and higher (its
    name, unit and range are in :mod:`drillsim.experiments.kpi_units`)."""

    verb: str
    lower: str
    higher: str
    better: str = "lower"
    relative: bool = False
    """Say the change as a percentage of A's mean (counts per person)."""
    counted: str = ""
    """What a relative KPI counts, for the absolute change beside the percentage."""


WORDING: dict[str, Wording] = {
    "score": Wording("scores", "lower", "higher", better="higher"),
    "time_to_detect_mean_s": Wording("detects", "faster", "slower"),
    "time_to_acknowledge_mean_s": Wording("acknowledges", "faster", "slower"),
    "time_to_mitigate_mean_s": Wording("mitigates", "faster", "slower"),
    "time_to_resolve_mean_s": Wording("resolves", "faster", "slower"),
    "incidents": Wording("opens", "fewer incidents", "more incidents"),
    "failed_requests": Wording("fails", "fewer requests", "more requests"),
    "user_minutes_affected": Wording("costs users", "fewer minutes", "more minutes"),
    "slo_budget_burned": Wording("burns", "less error budget", "more error budget"),
    "pages": Wording("sends", "fewer pages", "more pages"),
    "max_pages_per_person": Wording("pages its busiest person", "fewer times", "more times"),
    "off_hours_pages": Wording("sends", "fewer off-hours pages", "more off-hours pages"),
    "escalations": Wording("escalates", "less often", "more often"),
    "noise_ratio": Wording("has", "less noise", "more noise"),
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
            "typical_disagrees": typical_notes(self.results),
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


def _wording(name: str) -> Wording:
    return WORDING.get(name, Wording(f"has {unit_of(name).label}", "lower", "higher"))


def interval(name: str, r: PairedResult) -> tuple[float, float, bool] | None:
    """The 95% CI of B - A for display: cut to the differences the KPI allows (a score
    difference lies within -100..100), with whether it was cut. None without a CI."""
    if r.ci_low is None or r.ci_high is None:
        return None
    return clip(r.ci_low, r.ci_high, difference_range(name))


def describe(name: str, r: PairedResult) -> str:
    """One KPI's paired difference as a phrase: "acknowledges 4.1 min faster (95% CI
    3.2-5.0)"; "no clear difference in ..." when the CI includes zero."""
    w = _wording(name)
    u = unit_of(name)
    if r.mean_diff is None:
        return f"{u.label}: not defined in any pair of replications"
    if r.mean_diff == 0 and r.sd_diff in (0.0, None):
        return f"{w.verb} the same ({u.label} identical in every replication)"
    d = r.mean_diff
    word = w.lower if d < 0 else w.higher
    sign = -1.0 if d < 0 else 1.0
    if w.relative and r.mean_a:
        amount = f"{abs(d) / r.mean_a:.0%} {word}"
        detail = f"{shown(name, abs(d))} {'fewer' if d < 0 else 'more'} {w.counted} per drill"
    else:
        amount = f"{with_unit(name, abs(d))} {word}"
        detail = ""
    ci_values = interval(name, r)
    if ci_values is None:
        ci = "one replication: not enough to tell"
    elif r.test == "exact":
        ci = "exact: the same in every replication"
    else:
        lo, hi = sorted((sign * ci_values[0], sign * ci_values[1]))
        ci = f"95% CI {shown(name, lo)}–{shown(name, hi)}"
    inside = ", ".join(x for x in (detail, ci) if x)
    phrase = f"{w.verb} {amount} ({inside})"
    if r.n >= 2 and not r.clear:
        p = "" if r.p is None else f", p={r.p:.2g}"
        return f"no clear difference: {phrase[:-1]}{p})"
    return phrase


HEADLINE_ORDER = (
    "time_to_acknowledge_mean_s",
    "time_to_resolve_mean_s",
    "pages_per_person",
    "off_hours_pages",
    "time_to_mitigate_mean_s",
    "user_minutes_affected",
    "score",
)
"""The KPIs a manager asks about first; the sentence names them first."""


def summary_sentence(results: dict[str, PairedResult]) -> str:
    """Every clear difference (paired t-test, p < 0.05) in one sentence, the headline
    KPIs first: a KPI the table calls significant is never left out of the sentence."""
    order = [k for k in HEADLINE_ORDER if k in results]
    order += [k for k in results if k not in order]
    clear = [describe(k, results[k]) for k in order if results[k].clear]
    if not clear:
        return "B and A show no clear difference in any KPI."
    return "B " + ", ".join(clear) + "."


def _weak(r: PairedResult) -> bool:
    """A difference was seen, with under 80% power for its size."""
    return r.mean_diff not in (None, 0) and r.underpowered


def _disagrees(r: PairedResult) -> bool:
    """The signed-rank check and the t-test disagree on the difference."""
    return r.typical_disagrees and r.wilcoxon_p is not None


def underpowered_notes(results: dict[str, PairedResult]) -> list[str]:
    """A warning per KPI whose replications had under 80% power for the difference seen,
    in the KPI's name and unit. For a significant difference it says what low power
    means there (the size is uncertain, a repeat may not reproduce it), not that the
    difference could not be detected: it was."""
    notes = []
    for name, r in results.items():
        if not _weak(r) or r.mean_diff is None:  # (None is not weak; for the checker)
            continue
        label = unit_of(name).label
        if r.n < 2:
            notes.append(
                f"{label}: one replication cannot show whether the difference is real; "
                "run at least 2"
            )
            continue
        size = f"{with_unit(name, abs(r.mean_diff))} {_direction(name, r.mean_diff)}"
        spread = f"SD of the pair differences {with_unit(name, r.sd_diff or 0.0)}"
        power = "" if r.power is None else f"{r.power:.0%} "
        more = "" if r.needed is None else f"; about {r.needed} replications would give 80% power"
        if r.needed is None:
            notes.append(
                f"{label}: the observed difference ({size}) is too small against its "
                f"spread ({spread}) to detect with any practical number of replications"
            )
        elif r.significant:
            notes.append(
                f"{label}: the difference ({size}) is significant (p={r.p:.2g}), but "
                f"{r.n} replications had only {power}power to detect a difference this "
                f"size ({spread}), so its size is uncertain and a repeat may not "
                f"reproduce it{more}"
            )
        else:
            notes.append(
                f"{label}: {r.n} replications are too few to detect a difference of "
                f"this size ({size}, {spread}: {power}power){more}"
            )
    return notes


def console_warnings(results: dict[str, PairedResult], details: str) -> list[str]:
    """The warnings of :func:`underpowered_notes` and :func:`typical_notes` for a
    console: each in full when there is one of its kind, else one line naming the KPIs
    and the replications that would give 80% power to all of them (a manager reads
    that; a dozen near-identical paragraphs bury it). ``details`` says where the full
    notes are."""
    out: list[str] = []
    power = underpowered_notes(results)
    if len(power) == 1:
        out += power
    elif power:
        weak = [k for k, r in results.items() if _weak(r)]
        n = max(results[k].n for k in weak)
        needed = [results[k].needed for k in weak]
        seen = [k for k in weak if results[k].significant]
        enough = (
            f"about {max(x for x in needed if x is not None)} replications would give 80% "
            "power to all of them"
            if all(x is not None for x in needed)
            else "some are too small against their spread for any practical number"
        )
        out.append(
            f"{n} replications give under 80% power for the differences seen in "
            f"{len(weak)} KPIs ({', '.join(unit_of(k).label for k in weak)}): "
            f"the {len(seen)} significant among them may come out smaller or larger on a "
            f"repeat, the others may be real differences missed; {enough} ({details})"
        )
    typical = typical_notes(results)
    if len(typical) == 1:
        out += typical
    elif typical:
        names = [k for k, r in results.items() if _disagrees(r)]
        out.append(
            "the t-test on the mean and the signed-rank check on the typical replication "
            f"disagree for {len(names)} KPIs ({', '.join(unit_of(k).label for k in names)}): "
            f"a few replications carry or hide those differences; the verdicts are the "
            f"t-test's ({details})"
        )
    return out


def typical_notes(results: dict[str, PairedResult]) -> list[str]:
    """Where the signed-rank check disagrees with the t-test on the mean, say what that
    means; the verdict stays the t-test's."""
    notes = []
    for name, r in results.items():
        if not _disagrees(r):
            continue
        label = unit_of(name).label
        if r.significant:
            notes.append(
                f"{label}: the mean differs clearly (t-test p={r.p:.2g}) but the typical "
                f"replication does not (Wilcoxon p={r.wilcoxon_p:.2g}): a few "
                "replications carry the difference"
            )
        else:
            notes.append(
                f"{label}: the typical replication differs (Wilcoxon p="
                f"{r.wilcoxon_p:.2g}) but the mean does not clearly (t-test p={r.p:.2g}): "
                "a few large differences widen the mean's interval"
            )
    return notes


def _direction(name: str, diff: float) -> str:
    w = _wording(name)
    if w.relative:
        return "fewer" if diff < 0 else "more"
    return w.lower if diff < 0 else w.higher
