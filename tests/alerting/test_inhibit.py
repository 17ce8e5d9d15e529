"""Inhibition rules and the inhibitor, against Alertmanager's inhibit tests."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.alerting.inhibit import Inhibitor, InhibitRule
from drillsim.alerting.labels import fingerprint_int
from drillsim.alerting.matchers import Matcher

NOW = 1000.0
LATER = NOW + 3600.0
EARLIER = NOW - 1.0


def inhibitor_with(rule: InhibitRule, *alerts: tuple[dict[str, str], float | None]) -> Inhibitor:
    """An inhibitor for one rule that has observed the given (labels, ends_at) alerts."""
    ih = Inhibitor([rule])
    for labels, ends_at in alerts:
        ih.observe(fingerprint_int(labels), labels, ends_at)
    return ih


# --- inhibit/inhibit_test.go: TestInhibitRuleHasEqual ------------------------------------
# AM calls hasEqual directly with excludeTwoSidedMatch=false. Through the public API the
# same question is asked by tagging every source with src="1", which targets lack.

HAS_EQUAL_CASES = [
    ("no source alerts", [], (), {"a": "b"}, False),
    ("no equal labels, any source alert will do", [({}, None)], (), {"a": "b"}, True),
    (
        "matching but already resolved",
        [({"a": "b", "b": "f"}, EARLIER), ({"a": "b", "b": "c"}, EARLIER)],
        ("a", "b"),
        {"a": "b", "b": "c"},
        False,
    ),
    (
        "matching and unresolved",
        [({"a": "b", "c": "d"}, EARLIER), ({"a": "b", "c": "f"}, LATER)],
        ("a",),
        {"a": "b"},
        True,
    ),
    (
        "equal label does not match",
        [({"a": "c", "c": "d"}, EARLIER), ({"a": "c", "c": "f"}, EARLIER)],
        ("a",),
        {"a": "b"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "sources", "equal", "target", "expected"),
    HAS_EQUAL_CASES,
    ids=[c[0] for c in HAS_EQUAL_CASES],
)
def test_alertmanager_has_equal_cases(
    case: str,
    sources: list[tuple[dict[str, str], float | None]],
    equal: tuple[str, ...],
    target: dict[str, str],
    expected: bool,
) -> None:
    """Resolved sources never inhibit; equal labels must agree; empty equal matches all."""
    # source: alertmanager inhibit/inhibit_test.go, TestInhibitRuleHasEqual
    rule = InhibitRule((Matcher("src", "=", "1"),), (), equal)
    tagged = [({**labels, "src": "1"}, ends) for labels, ends in sources]
    assert inhibitor_with(rule, *tagged).mutes(target, NOW) is expected, case


# --- inhibit/inhibit_test.go: TestInhibitRuleMatches / TestInhibitRuleMatchers ----------

MATCHES_TARGETS = [
    {"t1": "1", "e": "1"},
    {"t2": "1", "e": "1"},
    {"t1": "1", "t3": "1", "e": "1"},
    {"t1": "1", "t2": "1", "e": "1"},
    {"t1": "0", "e": "1"},
    {"s1": "1", "t1": "1", "e": "1"},
    {"s2": "1", "t2": "1", "e": "1"},
    {"t1": "1", "e": "0"},
]


def two_rule_inhibitor(rule1: InhibitRule, rule2: InhibitRule) -> Inhibitor:
    """AM's fixture: source 1 matches rule1's source side; source 2 both sides of rule2."""
    ih = Inhibitor([rule1, rule2])
    for labels in ({"s1": "1", "t1": "2", "e": "1"}, {"s2": "1", "t2": "1", "e": "1"}):
        ih.observe(fingerprint_int(labels), labels, LATER)
    return ih


def test_alertmanager_inhibit_rule_matches() -> None:
    """Legacy source_match/target_match rules: AM's eight targets get AM's answers."""
    # source: alertmanager inhibit/inhibit_test.go, TestInhibitRuleMatches
    rule1 = InhibitRule.from_config(
        {"source_match": {"s1": "1"}, "target_match": {"t1": "1"}, "equal": ["e"]}
    )
    rule2 = InhibitRule.from_config(
        {"source_match": {"s2": "1"}, "target_match": {"t2": "1"}, "equal": ["e"]}
    )
    ih = two_rule_inhibitor(rule1, rule2)
    expected = [True, True, True, True, False, True, False, False]
    assert [ih.mutes(t, NOW) for t in MATCHES_TARGETS] == expected


def test_alertmanager_inhibit_rule_matchers() -> None:
    """New-style matchers including a != target: AM's eight targets get AM's answers."""
    # source: alertmanager inhibit/inhibit_test.go, TestInhibitRuleMatchers
    rule1 = InhibitRule.from_config(
        {"source_matchers": ['s1="1"'], "target_matchers": ['t1!="1"'], "equal": ["e"]}
    )
    rule2 = InhibitRule.from_config(
        {"source_matchers": ["s2=1"], "target_matchers": ["t2=1"], "equal": ["e"]}
    )
    ih = two_rule_inhibitor(rule1, rule2)
    expected = [False, True, False, True, True, False, True, False]
    assert [ih.mutes(t, NOW) for t in MATCHES_TARGETS] == expected


def test_alertmanager_inhibit_rule_name() -> None:
    """A named rule keeps its name; an unnamed one has none."""
    # source: alertmanager inhibit/inhibit_test.go, TestInhibitRuleName
    base = {
        "source_matchers": ["severity=critical"],
        "target_matchers": ["severity=warning"],
        "equal": ["instance"],
    }
    assert InhibitRule.from_config({**base, "name": "test-rule"}).name == "test-rule"
    assert InhibitRule.from_config(base).name is None


@pytest.mark.parametrize(
    ("source_ends", "muted"),
    [([], False), ([LATER], True), ([LATER, EARLIER], False)],
    ids=["source never fired", "source firing", "source resolved"],
)
def test_alertmanager_inhibit(source_ends: list[float], muted: bool) -> None:
    """A target is muted while its source fires and released once the source resolves."""
    # source: alertmanager inhibit/inhibit_test.go, TestInhibit
    rule = InhibitRule.from_config(
        {"source_match": {"s": "1"}, "target_match": {"t": "1"}, "equal": ["e"]}
    )
    target, source = {"t": "1", "e": "f"}, {"s": "1", "e": "f"}
    ih = Inhibitor([rule])
    ih.observe(fingerprint_int(target), target, LATER)
    for ends in source_ends:  # the same source alert, updated
        ih.observe(fingerprint_int(source), source, ends)
    assert ih.mutes(target, NOW) is muted
    assert ih.mutes(source, NOW) is False


# --- test/with_api_v2/acceptance/inhibit_test.go ------------------------------------------

JOB_DOWN_RULE = {
    "source_match": {"alertname": "JobDown"},
    "target_match": {"alertname": "InstanceDown"},
    "equal": ["job", "zone"],
}


def test_alertmanager_acceptance_inhibiting() -> None:
    """JobDown/aa mutes InstanceDown/aa (not /ab) from 2.2s until it resolves at 3.6s."""
    # source: alertmanager test/with_api_v2/acceptance/inhibit_test.go, TestInhibiting
    ih = Inhibitor([InhibitRule.from_config(JOB_DOWN_RULE)])
    aa = {"alertname": "InstanceDown", "job": "testjob", "zone": "aa"}
    ab = {"alertname": "InstanceDown", "job": "testjob", "zone": "ab"}
    test1 = {"alertname": "test1", "job": "testjob", "zone": "aa"}
    job_down = {"alertname": "JobDown", "job": "testjob", "zone": "aa"}
    for labels in (aa, ab, test1):
        ih.observe(fingerprint_int(labels), labels, None)
    assert not ih.mutes(aa, 2.0)  # first flush
    ih.observe(fingerprint_int(job_down), job_down, None)  # pushed at 2.2
    assert ih.mutes(aa, 3.0)
    assert not ih.mutes(ab, 3.0)
    assert not ih.mutes(test1, 3.0)
    assert not ih.mutes(job_down, 3.0)
    ih.observe(fingerprint_int(job_down), job_down, 3.6)  # resolved at 3.6
    assert ih.mutes(aa, 3.5)
    assert not ih.mutes(aa, 4.0)


def test_alertmanager_acceptance_always_inhibiting() -> None:
    """When source and target resolve together the target is released at the next flush."""
    # source: alertmanager test/with_api_v2/acceptance/inhibit_test.go, TestAlwaysInhibiting
    ih = Inhibitor([InhibitRule.from_config(JOB_DOWN_RULE)])
    instance = {"alertname": "InstanceDown", "job": "testjob", "zone": "aa"}
    job = {"alertname": "JobDown", "job": "testjob", "zone": "aa"}
    ih.observe(fingerprint_int(instance), instance, None)
    ih.observe(fingerprint_int(job), job, None)
    assert ih.mutes(instance, 2.0)
    ih.observe(fingerprint_int(job), job, 2.6)
    ih.observe(fingerprint_int(instance), instance, 2.6)
    assert not ih.mutes(instance, 3.0)


@pytest.mark.parametrize("config", [None, {}])
def test_alertmanager_empty_inhibition_rule(config: dict[str, object] | None) -> None:
    """An empty rule mutes nothing: every alert is on both sides, so none may inhibit."""
    # source: alertmanager test/with_api_v2/acceptance/inhibit_test.go, TestEmptyInhibitionRule
    rule = InhibitRule.from_config(config)
    ih = inhibitor_with(rule, ({"alertname": "A"}, None), ({"alertname": "B"}, None))
    assert not ih.mutes({"alertname": "A"}, NOW)
    assert not ih.mutes({"alertname": "C"}, NOW)


# --- documented semantics -----------------------------------------------------------------


def test_missing_equal_labels_on_both_sides_inhibit() -> None:
    """A label missing from both alerts counts as equal (both read as "")."""
    # source: alertmanager docs/configuration.md <inhibit_rule>, doc/examples/simple.yml
    rule = InhibitRule.from_config(
        {
            "source_matchers": ["severity=critical"],
            "target_matchers": ["severity=warning"],
            "equal": ["cluster"],
        }
    )
    ih = inhibitor_with(rule, ({"severity": "critical"}, None))
    assert ih.mutes({"severity": "warning"}, NOW)
    assert ih.mutes({"severity": "warning", "cluster": ""}, NOW)
    assert not ih.mutes({"severity": "warning", "cluster": "eu"}, NOW)


def test_empty_equal_means_any_firing_source() -> None:
    """With no equal labels any firing source inhibits every target."""
    rule = InhibitRule.from_config(
        {"source_matchers": ['alertname="RegionDown"'], "target_matchers": ["severity=page"]}
    )
    ih = inhibitor_with(rule, ({"alertname": "RegionDown", "region": "eu"}, LATER))
    assert ih.mutes({"severity": "page", "region": "us"}, NOW)
    assert not ih.mutes({"severity": "page"}, LATER)  # resolved at exactly LATER


def test_self_inhibition_guard_uses_one_sided_sources() -> None:
    """A two-sided target is muted by a one-sided source even if two-sided peers fire."""
    rule = InhibitRule(
        (Matcher("severity", "=~", "critical|warning"),),
        (Matcher("severity", "=~", "warning|info"),),
        ("svc",),
    )
    peer = {"severity": "warning", "svc": "db", "i": "2"}
    ih = inhibitor_with(rule, (peer, None))
    target = {"severity": "warning", "svc": "db", "i": "1"}
    assert not ih.mutes(target, NOW)  # the only source is itself two-sided
    critical = {"severity": "critical", "svc": "db"}
    ih.observe(fingerprint_int(critical), critical, None)
    assert ih.mutes(target, NOW)
    found = ih.inhibited_by(target, NOW)
    assert found is not None and found[1] == fingerprint_int(critical)
    assert ih.mutes({"severity": "info", "svc": "db"}, NOW)


def test_first_matching_rule_wins_and_later_rules_are_tried() -> None:
    """A rule whose target matches but has no source does not stop later rules."""
    r1 = InhibitRule.from_config(
        {"name": "one", "source_matchers": ["x=1"], "target_matchers": ["t=1"]}
    )
    r2 = InhibitRule.from_config(
        {"name": "two", "source_matchers": ["y=1"], "target_matchers": ["t=1"]}
    )
    ih = Inhibitor([r1, r2])
    ih.observe("y-alert", {"y": "1"}, None)
    found = ih.inhibited_by({"t": "1"}, NOW)
    assert found == (r2, "y-alert")
    assert ih.rules == (r1, r2)


def test_forget_and_collect() -> None:
    """Forgotten sources stop inhibiting; collect drops sources resolved at now."""
    rule = InhibitRule.from_config({"source_matchers": ["s=1"], "target_matchers": ["t=1"]})
    ih = Inhibitor([rule])
    ih.observe("a", {"s": "1"}, None)
    ih.observe("b", {"s": "1"}, NOW)
    assert ih.mutes({"t": "1"}, NOW)
    assert ih.collect(NOW) == 1
    ih.forget("a")
    assert not ih.mutes({"t": "1"}, 0.0)


def test_many_updates_keep_answers_right() -> None:
    """Re-sending one source thousands of times with moving ends keeps the right answer."""
    rule = InhibitRule.from_config(
        {"source_matchers": ["s=1"], "target_matchers": ["t=1"], "equal": ["k"]}
    )
    ih = Inhibitor([rule])
    for i in range(5000):
        ih.observe("src", {"s": "1", "k": "v"}, 100.0 + i)
    assert ih.mutes({"t": "1", "k": "v"}, 5098.0)
    assert not ih.mutes({"t": "1", "k": "v"}, 5099.0)
    ih.observe("src", {"s": "1", "k": "v"}, 50.0)  # resolved earlier than before
    assert not ih.mutes({"t": "1", "k": "v"}, 60.0)


# --- configuration ------------------------------------------------------------------------


def test_from_config_combines_legacy_and_new_forms() -> None:
    """Legacy maps and matcher lists are AND-ed; match_re values are anchored."""
    rule = InhibitRule.from_config(
        {
            "source_match": {"severity": "critical"},
            "source_match_re": {"service": "api|web"},
            "source_matchers": ['{env="prod", team=~"a.*"}'],
            "target_match_re": {"severity": "warning|info"},
            "equal": ["service", "env", "service"],
        }
    )
    assert rule.equal == ("env", "service")
    assert rule.source_matches(
        {"severity": "critical", "service": "web", "env": "prod", "team": "alpha"}
    )
    assert not rule.source_matches(
        {"severity": "critical", "service": "webx", "env": "prod", "team": "alpha"}
    )
    assert rule.target_matches({"severity": "info"})
    assert not rule.target_matches({"severity": "infox"})


def test_from_config_numbers_in_legacy_maps_are_strings() -> None:
    """Numbers in match maps read as strings and nulls as "", as yaml.v2 reads them."""
    rule = InhibitRule.from_config({"source_match": {"code": 500, "env": None}})
    assert rule.source_matches({"code": "500"})
    assert not rule.source_matches({"code": "500", "env": "prod"})


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"source_matcher": ["a=b"]}, "source_matcher: unknown field in inhibit rule"),
        ({"source_matchers": "a=b"}, "source_matchers: expected a list of matcher strings"),
        ({"target_matchers": ["a=~("]}, "target_matchers: .*invalid regular expression"),
        ({"target_matchers": ["a b"]}, "target_matchers: cannot parse matcher"),
        ({"source_match": {"0bad": "x"}}, "source_match: invalid label name '0bad'"),
        (
            {"source_match_re": {"invalid_source_label": None}},
            "source_match_re: invalid regexp value for 'invalid_source_label'",
        ),
        ({"target_match_re": {"a": "("}}, "target_match_re: invalid regular expression"),
        ({"source_match": {"a": True}}, "source_match: value of 'a' must be a string"),
        ({"source_match": ["a"]}, "source_match: expected a mapping"),
        ({"equal": ["ok", ""]}, "equal: invalid label name '' in equal list"),
        ({"equal": "cluster"}, "equal: expected a list of label names"),
        ({"name": 3}, "name: expected a string"),
        (["a"], "inhibit rule: expected a mapping"),
    ],
)
def test_from_config_errors(config: object, message: str) -> None:
    """Bad rules raise ValueError naming the field, as AM's config loader refuses them."""
    # conf.nil-source_match_re-inhibition.yml in alertmanager config/testdata is the
    # invalid_source_label case.
    with pytest.raises(ValueError, match=f"^{message}"):
        InhibitRule.from_config(config)  # type: ignore[arg-type]


def test_equal_accepts_utf8_label_names() -> None:
    """AM's default (fallback) mode accepts any non-empty UTF-8 name in equal."""
    # source: alertmanager config/common/inhibitrule_test.go, TestInhibitRuleEqual (UTF-8)
    assert InhibitRule.from_config({"equal": ["qux🙂", "corge"]}).equal == ("corge", "qux🙂")


# --- against a brute-force reference ------------------------------------------------------


def reference_mutes(
    rules: list[InhibitRule],
    alerts: Mapping[Hashable, tuple[dict[str, str], float | None]],
    target: dict[str, str],
    now: float,
) -> set[Hashable] | None:
    """AM <= v0.29's hasEqual scan: the qualifying sources of the first muting rule."""
    for rule in rules:
        if not rule.target_matches(target):
            continue
        exclude_two_sided = rule.source_matches(target)
        found = {
            fp
            for fp, (labels, ends) in alerts.items()
            if rule.source_matches(labels)
            and (ends is None or ends > now)
            and all(labels.get(n, "") == target.get(n, "") for n in rule.equal)
            and not (exclude_two_sided and rule.target_matches(labels))
        }
        if found:
            return found
    return None


NAMES = ["a", "b", "c"]
VALUES = ["", "x", "x", "y"]  # biased so that matchers and equal labels often agree
# "kind" says which side an alert is meant for; "st" alerts are on both sides, which
# exercises the self-inhibition guard.
label_sets = st.builds(
    lambda labels, kind: {**labels, "kind": kind},
    st.dictionaries(st.sampled_from(NAMES), st.sampled_from(VALUES), min_size=2),
    st.sampled_from(["s", "t", "st", ""]),
)
matcher_st = st.builds(
    Matcher,
    st.sampled_from(NAMES),
    st.sampled_from(["=", "!=", "=~"]),
    st.sampled_from(["", "x", "y", "x|y"]),
)
rule_st = st.builds(
    lambda src, tgt, equal, by_kind: InhibitRule(
        ((Matcher("kind", "=~", "s|st"),) if by_kind else ()) + tuple(src),
        ((Matcher("kind", "=~", "t|st"),) if by_kind else ()) + tuple(tgt),
        tuple(equal),
    ),
    st.lists(matcher_st, max_size=1),
    st.lists(matcher_st, max_size=1),
    st.lists(st.sampled_from(NAMES), max_size=2),
    st.booleans(),
)
ends_st = st.one_of(st.none(), st.integers(0, 20).map(float))
operation = st.one_of(
    st.tuples(st.just("observe"), st.integers(0, 6), label_sets, ends_st),
    st.tuples(st.just("observe"), st.integers(0, 6), label_sets, ends_st),
    st.tuples(st.just("forget"), st.integers(0, 6)),
    st.tuples(st.just("collect"), st.integers(0, 20).map(float)),
    st.tuples(st.just("query"), label_sets, st.integers(0, 20).map(float)),
)


@settings(max_examples=300)
@given(st.lists(rule_st, min_size=1, max_size=3), st.lists(operation, min_size=10, max_size=60))
def test_inhibitor_agrees_with_brute_force(
    rules: list[InhibitRule], operations: list[tuple[Any, ...]]
) -> None:
    """The indexed inhibitor answers exactly as a scan over every cached source does."""
    ih = Inhibitor(rules)
    alerts: dict[Hashable, tuple[dict[str, str], float | None]] = {}
    for op in operations:
        if op[0] == "observe":
            _, fp, labels, ends = op
            ih.observe(fp, labels, ends)
            alerts[fp] = (labels, ends)
        elif op[0] == "forget":
            ih.forget(op[1])
            alerts.pop(op[1], None)
        elif op[0] == "collect":
            now = op[1]
            ih.collect(now)
            for fp in [f for f, (_, e) in alerts.items() if e is not None and e <= now]:
                del alerts[fp]
        else:
            _, target, now = op
            expected = reference_mutes(rules, alerts, target, now)
            found = ih.inhibited_by(target, now)
            assert ih.mutes(target, now) is (expected is not None)
            if expected is None:
                assert found is None
            else:
                assert found is not None and found[1] in expected
