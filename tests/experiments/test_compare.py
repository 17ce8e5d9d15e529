"""Paired comparisons: the statistics, the words, and two drills on the same seeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from drillsim.experiments.compare import (
    compare_drills,
    console_warnings,
    describe,
    faults_of,
    summary_sentence,
    typical_notes,
    underpowered_notes,
)
from drillsim.experiments.paired_stats import paired, replications_needed
from drillsim.experiments.replications import run_drill
from drillsim.io.loader import Drill
from drillsim.report.compare_report import row_cells

DETERMINISTIC = {
    "miss": 0,
    "asleep_miss": 0,
    "asleep_ack_factor": 1,
    "fatigue": {"enabled": False},
}


@pytest.mark.parametrize(
    ("effect", "needed"), [(0.2, 199), (0.5, 34), (0.8, 15), (1.0, 10), (2.0, 5)]
)
def test_replications_needed_match_the_paired_t_test_tables(effect: float, needed: int) -> None:
    """80% power, two-sided 5%: the textbook (G*Power) sample sizes for a paired t-test."""
    assert replications_needed(effect * 3.0, 3.0) == needed


def test_no_difference_needs_no_count() -> None:
    assert replications_needed(0.0, 1.0) is None


def test_equal_differences_are_exact() -> None:
    """Every pair 2 lower: an exact difference, p = 0, nothing underpowered."""
    r = paired([5.0, 7.0, 9.0], [3.0, 5.0, 7.0])
    assert (r.mean_diff, r.sd_diff, r.ci_low, r.ci_high, r.test, r.p) == (
        -2.0, 0.0, -2.0, -2.0, "exact", 0.0
    )  # fmt: skip
    assert r.significant and not r.underpowered


def test_pairs_with_a_missing_value_are_left_out() -> None:
    r = paired([1.0, None, 3.0, 4.0], [2.0, 5.0, None, 6.0])
    assert (r.n, r.mean_a, r.mean_b, r.mean_diff) == (2, 2.5, 4.0, 1.5)


def test_noisy_small_difference_is_underpowered_at_three() -> None:
    """Differences 1, -0.5, 2: mean 0.83, SD 1.26; a t-test needs 20 pairs for 80%."""
    r = paired([10.0, 10.0, 10.0], [11.0, 9.5, 12.0])
    assert r.n == 3 and r.underpowered and not r.significant
    assert r.needed == replications_needed(r.mean_diff or 0.0, r.sd_diff or 0.0) == 20


def test_large_effect_with_thirty_pairs_is_not_underpowered() -> None:
    a = [10.0] * 30
    b = [10.0 - 5.0 + 0.1 * (k % 7 - 3) for k in range(30)]
    r = paired(a, b)
    assert r.significant and not r.underpowered and r.needed is not None and r.needed <= 3


def test_words_say_faster_with_the_ci_as_magnitudes() -> None:
    r = paired([600.0, 660.0, 540.0, 610.0], [354.0, 420.0, 288.0, 364.0])
    text = describe("time_to_acknowledge_mean_s", r)
    assert text.startswith("acknowledges 4.1 min faster (95% CI ")
    lo, hi = (float(x) for x in text.split("95% CI ")[1].rstrip(")").split("–"))
    assert lo < 4.1 < hi
    assert summary_sentence({"time_to_acknowledge_mean_s": r}) == f"B {text}."


SKEWED = [-1.0] * 15 + [12.0]
"""Fifteen pairs one lower, one pair twelve higher: the typical pair is lower (the
signed-rank test rejects, p < 0.001, and Shapiro-Wilk rejects normality) but the mean,
-0.19, is not clearly below zero (t-test p = 0.6)."""


def test_interval_p_value_and_verdict_come_from_one_test() -> None:
    """The reviewer's row: a signed-rank p-value of 0.0007 beside a t-interval holding 0.
    Now p, the interval and the verdict are the t-test's; the signed-rank p-value stays
    as a check and its disagreement is said in words."""
    r = paired([0.0] * 16, SKEWED)
    assert r.wilcoxon_p is not None and r.wilcoxon_p < 0.05
    assert r.normal_p is not None and r.normal_p < 0.05
    assert r.ci_low is not None and r.ci_high is not None and r.ci_low < 0 < r.ci_high
    assert r.test == "t" and r.p == r.t_p
    assert not r.significant and not r.clear
    assert r.typical_disagrees
    (note,) = typical_notes({"time_to_mitigate_mean_s": r})
    assert note.startswith("time to mitigate: the typical replication differs")


@pytest.mark.parametrize("seed", range(40))
def test_significant_exactly_when_the_interval_excludes_zero(seed: int) -> None:
    """Whatever the shape of the differences, the table's interval and its p-value agree."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 60))
    a = rng.lognormal(5, 1, n)
    b = a + rng.lognormal(3, 1.5, n) - rng.lognormal(3, 1.5, n) * rng.uniform(0.5, 1.5)
    r = paired(list(a), list(b))
    assert r.ci_low is not None and r.ci_high is not None
    assert r.significant == (r.ci_low > 0 or r.ci_high < 0) == r.clear


def test_sentence_covers_every_clear_kpi_not_only_the_headline_ones() -> None:
    """Escalations and pages clearly lower: the sentence says so (the old sentence named
    only seven headline KPIs and left these out)."""
    lower = paired([3.0, 4.0, 5.0, 4.0, 3.0], [1.0, 1.5, 2.0, 1.0, 1.2])
    same = paired([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    sentence = summary_sentence({"score": same, "escalations": lower, "pages": lower})
    assert "escalates 2.46 less often" in sentence and "sends 2.46 fewer pages" in sentence
    mitigate = paired([0.0] * 16, SKEWED)
    assert "mitigat" not in summary_sentence({"time_to_mitigate_mean_s": mitigate})


def _tta(diffs: list[float]) -> dict[str, Any]:
    a = [600.0 + 37 * k for k in range(len(diffs))]
    return {"time_to_acknowledge_mean_s": paired(a, [x + d for x, d in zip(a, diffs, strict=True)])}


# Ten pairs, mean -226 s, SD 303 s (near the reviewer's -226, SD 289): t-test p = 0.04, yet only
# about half the power at that size; and the same spread around -90 s: not significant.
SIGNIFICANT_BUT_WEAK = [-700.0, -500.0, -450.0, -400.0, -300.0, -200.0, -100.0, 0.0, 100.0, 290.0]
NOT_SIGNIFICANT = [d + 136.0 for d in SIGNIFICANT_BUT_WEAK]


def test_power_warning_on_a_significant_difference_says_its_size_is_uncertain() -> None:
    """Not "too few to detect" right after the difference was reported as significant;
    the KPI by its name, the difference in minutes as the sentence gives it."""
    results = _tta(SIGNIFICANT_BUT_WEAK)
    r = results["time_to_acknowledge_mean_s"]
    assert r.significant and r.underpowered and r.power is not None and r.power < 0.8
    (note,) = underpowered_notes(results)
    assert note.startswith("time to acknowledge: the difference (3.8 min faster) is significant")
    assert f"only {r.power:.0%} power" in note and "size is uncertain" in note
    assert "too few to detect" not in note and "226" not in note
    assert "acknowledges 3.8 min faster" in summary_sentence(results)


def test_power_warning_on_an_unclear_difference_says_too_few_in_minutes() -> None:
    results = _tta(NOT_SIGNIFICANT)
    assert not results["time_to_acknowledge_mean_s"].significant
    (note,) = underpowered_notes(results)
    assert note.startswith(
        "time to acknowledge: 10 replications are too few to detect a difference of this "
        "size (1.5 min faster, SD of the pair differences 5.0 min"
    )


def test_the_console_gathers_power_warnings_into_one_line_with_the_count_for_all() -> None:
    """One weak KPI: its note in full. Two: one line naming both, and the replications
    that give 80% power to both (the larger of their counts)."""
    one = _tta(SIGNIFICANT_BUT_WEAK)
    assert console_warnings(one, "each in X") == underpowered_notes(one)
    two = {
        **one,
        "time_to_mitigate_mean_s": paired([0.0] * 10, [d * 2 for d in NOT_SIGNIFICANT]),
    }
    needed = [r.needed for r in two.values()]
    assert all(n is not None for n in needed) and len(underpowered_notes(two)) == 2
    (line,) = console_warnings(two, "each in X")
    assert "under 80% power for the differences seen in 2 KPIs" in line
    assert "(time to acknowledge, time to mitigate)" in line and "the 1 significant" in line
    assert f"about {max(needed)} replications would give 80% power to all of them" in line  # type: ignore[type-var]
    assert line.endswith("(each in X)")


def test_displayed_interval_is_cut_at_the_possible_range_and_marked() -> None:
    """A score difference lies within -100..100: a wider t-interval is shown cut there,
    with a mark; the numbers in --json stay the computed ones."""
    r = paired([0.0, 0.0, 100.0], [100.0, 100.0, 0.0])
    assert r.ci_low is not None and r.ci_low < -100 and r.ci_high is not None and r.ci_high > 100
    assert row_cells("score", r)[4] == "-100.0 .. 100.0*"
    assert row_cells("time_to_acknowledge_mean_s", r)[4].count("*") == 0
    # An outage can burn more than the whole error budget: its difference is never cut.
    burn = paired([0.0, 0.0, 3.0], [3.0, 3.0, 0.0])
    assert "*" not in row_cells("slo_budget_burned", burn)[4]


def test_words_give_pages_per_person_as_a_share() -> None:
    r = paired([10.0, 10.0, 10.0], [7.8, 7.8, 7.8])
    assert describe("pages_per_person", r) == (
        "pages each person 22% less (2.2 fewer pages each per drill, exact: the same in every "
        "replication)"
    )


def _responders(ack: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["responders"] = {"ack": ack, **DETERMINISTIC}

    return edit


def test_a_shorter_fixed_ack_is_exactly_that_much_faster(vary: Callable[..., Drill]) -> None:
    """Same drill, ack fixed at 3m (A) and 1m (B), no misses, no fatigue: every incident
    is acknowledged exactly 2 minutes sooner in every replication."""
    a = vary(scenario=_responders("fixed(3m)")).spec
    b = vary(scenario=_responders("fixed(1m)")).spec
    result = compare_drills(a, b, seed=11, replications=4)
    tta = result.results["time_to_acknowledge_mean_s"]
    assert tta.test == "exact" and tta.n == 4
    assert tta.mean_diff == pytest.approx(-120.0, abs=1e-9)
    assert tta.mean_b < tta.mean_a  # type: ignore[operator]
    assert not result.fault_mismatches
    assert describe("time_to_acknowledge_mean_s", tta).startswith("acknowledges 2.0 min faster")


def test_power_warning_fires_at_three_not_for_a_large_effect_at_thirty(
    vary: Callable[..., Drill],
) -> None:
    """Random acks (lognormal) against a 30-minute fixed ack: a huge effect, no warning at
    30; a small one (exponential, mean 4m, against a lognormal of mean 4.7m: drawn
    differently, so pairs correlate little) warns at 3 replications."""
    slow = vary(scenario=_responders("fixed(30m)")).spec
    a = vary(scenario=_responders("lognormal(median=3m, p90=10m)")).spec
    b = vary(scenario=_responders("exponential(mean=4m)")).spec
    small = compare_drills(a, b, seed=3, replications=3).results["time_to_acknowledge_mean_s"]
    assert small.underpowered and small.needed is not None and small.needed > 3
    large = compare_drills(slow, a, seed=3, replications=30).results["time_to_acknowledge_mean_s"]
    assert large.significant and not large.underpowered and large.mean_diff < 0  # type: ignore[operator]


def stochastic(ack: str) -> Callable[[dict[str, Any]], None]:
    """The mini drill over 3 days with random web error faults and this ack delay."""

    def edit(doc: dict[str, Any]) -> None:
        doc["responders"] = {"ack": ack}
        doc["duration"] = "3d"
        doc["faults"].append(
            {
                "name": "web-errors",
                "type": "error-rate",
                "target": {"service": "web"},
                "rate": "20%",
                "arrivals": {"every": "12h"},
                "lasts": "10m..1h",
            }
        )

    return edit


def test_common_random_numbers_hold_across_on_call_settings(
    vary: Callable[..., Drill],
) -> None:
    """Scenarios differing only in responders and escalation delays face the same faults
    (random arrivals) and the same spurious alerts in every replication."""

    def noisy(doc: dict[str, Any]) -> None:
        doc["rules"][1]["false_positives"] = {"every": "8h", "lasts": "5m..20m"}

    def later(doc: dict[str, Any]) -> None:
        doc["escalation_policies"][0]["rules"][0]["delay"] = "20m"

    a = vary(scenario=stochastic("lognormal(median=3m, p90=10m)"), rules=noisy).spec
    b = vary(scenario=stochastic("fixed(1m)"), rules=noisy, oncall=later).spec
    for k in range(3):
        ra, rb = run_drill(a, 5, k).records, run_drill(b, 5, k).records
        assert faults_of(ra) == faults_of(rb)
        assert len(faults_of(ra)) > 3
        spurious = [
            [
                (r["t"], r["fingerprint"])
                for r in rs
                if r["kind"] == "AlertFired" and not r["faults"]
            ]
            for rs in (ra, rb)
        ]
        assert spurious[0] == spurious[1] and spurious[0]
        first = [
            {f: r["t"] for r in reversed(rs) if r["kind"] == "AlertFired" for f in r["faults"]}
            for rs in (ra, rb)
        ]
        assert first[0] == first[1]


def test_flapping_and_false_positives_on_one_rule_keep_common_random_numbers(
    vary: Callable[..., Drill],
) -> None:
    """Flapping draws from its own stream, so a fault ended sooner in arm B does not
    move arm B's later false positives off arm A's."""

    def noisy_and_flapping(doc: dict[str, Any]) -> None:
        doc["rules"][1]["false_positives"] = {"every": "8h", "lasts": "5m..20m"}
        doc["rules"][1]["flapping"] = {"every": "10m", "lasts": "30s..2m"}

    a = vary(scenario=stochastic("lognormal(median=3m, p90=10m)"), rules=noisy_and_flapping)
    b = vary(scenario=stochastic("fixed(1m)"), rules=noisy_and_flapping)
    for k in range(3):
        spurious = [
            [
                (r["t"], r["fingerprint"])
                for r in run_drill(d.spec, 5, k).records
                if r["kind"] == "AlertFired" and not r["faults"]
            ]
            for d in (a, b)
        ]
        assert spurious[0] == spurious[1]


def test_an_interval_bound_near_zero_is_not_shown_as_zero() -> None:
    """Significant at p=0.049 with a bound of -0.04 min: "0.0" would read as touching
    zero, so a bound that rounds to zero keeps its significant digits; true zeros and
    float noise stay 0."""
    from drillsim.experiments.kpi_units import shown

    assert shown("time_to_mitigate_mean_s", -0.0407 * 60) == "-0.0407"
    assert shown("time_to_mitigate_mean_s", -13.84 * 60) == "-13.8"
    assert shown("time_to_mitigate_mean_s", 0.0, sign=True) == "+0.0"
    assert shown("pages", 1e-14) == "0"
