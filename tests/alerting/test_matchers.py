"""Matcher parsing, matching and printing against Alertmanager's own test cases."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from drillsim.alerting.matchers import (
    Matcher,
    matchers_from_legacy,
    matchers_match,
    matchers_string,
    parse_matcher,
    parse_matchers,
    sort_matchers,
)

OPS = ["=", "!=", "=~", "!~"]
names = st.text(min_size=1, max_size=10)
plain_values = st.text(max_size=15)


def m(name: str, op: str, value: str) -> Matcher:
    """Shorthand for a matcher."""
    return Matcher(name, op, value)  # type: ignore[arg-type]


# Input/output pairs from alertmanager pkg/labels/parse_test.go TestMatchers, which the
# default ("fallback") parsing mode reproduces because the classic parser accepts them.
CLASSIC_CASES = [
    ("{}", []),
    ("{foo='}", [m("foo", "=", "'")]),
    ("{foo=`}", [m("foo", "=", "`")]),
    ('{foo=\\"}', [m("foo", "=", '"')]),
    ("{foo=bar}", [m("foo", "=", "bar")]),
    ('{foo="bar"}', [m("foo", "=", "bar")]),
    ("{foo=~bar.*}", [m("foo", "=~", "bar.*")]),
    ('{foo!~"bar.*"}', [m("foo", "!~", "bar.*")]),
    ('{foo="bar", baz!="quux"}', [m("foo", "=", "bar"), m("baz", "!=", "quux")]),
    ('{foo="bar,quux", job="job1"}', [m("foo", "=", "bar,quux"), m("job", "=", "job1")]),
    ('{foo = "bar", dings != "bums", }', [m("foo", "=", "bar"), m("dings", "!=", "bums")]),
    ("foo=bar,dings!=bums", [m("foo", "=", "bar"), m("dings", "!=", "bums")]),
    (
        '{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}',
        [m("quote", "=", 'She said: "Hi, ladies! That\'s gender-neutral…"')],
    ),
    ('statuscode=~"5.."', [m("statuscode", "=~", "5..")]),
    ("tricky=~~~", [m("tricky", "=~", "~~")]),
    ('trickier==\\\\=\\=\\"', [m("trickier", "=", '=\\=\\="')]),
    (
        'contains_quote != "\\"" , contains_comma !~ "foo,bar" , ',
        [m("contains_quote", "!=", '"'), m("contains_comma", "!~", "foo,bar")],
    ),
    ("{foo=bar}}", [m("foo", "=", "bar}")]),
    ("{foo=,bar=}}", [m("foo", "=", ""), m("bar", "=", "}")]),
    ("{foo=bar\\t}", [m("foo", "=", "bar\\t")]),
    ("{foo=bar\\n}", [m("foo", "=", "bar\n")]),
    ("{foo=bar\\}", [m("foo", "=", "bar\\")]),
    ("job=", [m("job", "=", "")]),
    ("{foo=", [m("foo", "=", "")]),
    ("{foo=}b", [m("foo", "=", "}b")]),
]


@pytest.mark.parametrize(("text", "expected"), CLASSIC_CASES)
def test_classic_parser_cases(text: str, expected: list[Matcher]) -> None:
    """Each case of Alertmanager's classic-parser table parses to the same matchers."""
    assert list(parse_matchers(text)) == expected


@pytest.mark.parametrize(
    "text",
    [",", "{,}", 'job="value', 'job=value"', 'contains_unescaped_quote = foo"bar', "{{foo="],
)
def test_classic_parser_rejections(text: str) -> None:
    """Inputs Alertmanager rejects in both parsers are rejected here."""
    with pytest.raises(ValueError, match="cannot parse matcher"):
        parse_matchers(text)


def test_brief_forms() -> None:
    """The forms routes use: quoted, regex, unquoted value, braces with a trailing comma."""
    assert parse_matcher('severity="critical"') == m("severity", "=", "critical")
    assert parse_matcher('service=~"foo1|foo2"') == m("service", "=~", "foo1|foo2")
    assert parse_matcher("env!~preprod") == m("env", "!~", "preprod")
    assert parse_matcher("env !~ preprod") == m("env", "!~", "preprod")
    assert parse_matchers('{alertname="Watchdog", severity=~"warning|critical",}') == (
        m("alertname", "=", "Watchdog"),
        m("severity", "=~", "warning|critical"),
    )


def test_utf8_parser_fallback() -> None:
    """Input the classic parser rejects is accepted by the UTF-8 parser, as in fallback mode."""
    # alertmanager pkg/labels/parse_test.go: classic rejects this name; matcher/parse takes it.
    assert parse_matchers('{invalid-name = "valid label"}') == (
        m("invalid-name", "=", "valid label"),
    )
    # matcher/parse/parse_test.go: quoted names and Go escapes in quoted values.
    assert parse_matchers('{"foo"="bar"}') == (m("foo", "=", "bar"),)
    assert parse_matchers('{"foo"="\\xf0\\x9f\\x99\\x82"}') == (m("foo", "=", "🙂"),)
    assert parse_matchers('{"foo"="\\U0001f642"}') == (m("foo", "=", "🙂"),)
    assert parse_matcher('"service name"=~"a|b"') == m("service name", "=~", "a|b")
    assert parse_matchers(' {foo="bar"} ') == (m("foo", "=", "bar"),)


def test_classic_result_wins_when_both_parsers_accept() -> None:
    """An unquoted value with a space is one classic value, not a UTF-8 syntax error."""
    assert parse_matcher("foo=bar baz") == m("foo", "=", "bar baz")


def test_list_entries_may_hold_several_matchers() -> None:
    """A route's matchers list is parsed entry by entry and concatenated."""
    assert parse_matchers(['{owner="team-A"}', "a=1, b=~2"]) == (
        m("owner", "=", "team-A"),
        m("a", "=", "1"),
        m("b", "=~", "2"),
    )


def test_error_messages_name_the_problem() -> None:
    """Bad syntax and bad regexes give messages a user can act on."""
    with pytest.raises(ValueError) as bad:
        parse_matcher("foo")
    assert str(bad.value) == (
        "cannot parse matcher 'foo': expected name, operator (=, !=, =~, !~) and value"
    )
    with pytest.raises(ValueError, match=r"invalid regular expression '\(foo': missing"):
        parse_matcher('service=~"(foo"')
    with pytest.raises(ValueError, match="unescaped double quote"):
        parse_matcher('a="b"c"')
    with pytest.raises(ValueError, match="brace"):
        parse_matcher('{a="b"}')
    with pytest.raises(ValueError, match="empty matcher"):
        parse_matchers("a=b,,c=d")


@pytest.mark.parametrize("regex", ["(?=a)", "(a)\\1", "a++", "(?<=a)b", "\\pL", "[a"])
def test_regexes_go_rejects_are_rejected(regex: str) -> None:
    """Lookarounds, backreferences and possessives are not RE2, so Alertmanager refuses them."""
    with pytest.raises(ValueError, match="invalid regular expression"):
        Matcher("x", "=~", regex)


def test_missing_label_is_the_empty_string() -> None:
    """foo!="x" and foo="" match an alert without foo (matcher.go Matches)."""
    assert m("foo", "!=", "x").matches({})
    assert m("foo", "=", "").matches({})
    assert m("foo", "=~", "x|").matches({})
    assert not m("foo", "!~", ".*").matches({})


def test_regex_semantics_follow_go() -> None:
    """Anchoring, ASCII classes, flags anywhere and end-of-text $ behave as in Go's RE2."""
    assert not m("a", "=~", "a").matches({"a": "ab"})
    assert m("x", "=~", "team-(B|C)").matches({"x": "team-C"})
    assert not m("x", "=~", "\\d+").matches({"x": "٣"})  # \d is ASCII-only in RE2
    assert m("x", "=~", "a(?i)b").matches({"x": "aB"})  # a mid-pattern flag is fine in Go
    assert not m("x", "=~", "a(?i)b").matches({"x": "AB"})
    assert not m("x", "=~", "a$").matches({"x": "a\n"})  # Go's $ never matches before \n
    assert m("x", "=~", "[[:digit:]]+").matches({"x": "42"})
    assert m("x", "=~", "a{,2}").matches({"x": "a{,2}"})  # not a repeat in RE2: literal


def test_legacy_match_re_keeps_its_anchors_in_the_value() -> None:
    """match_re values carry ^(?:...)$, as Regexp.String() gives them to NewMatcher."""
    assert matchers_from_legacy({"owner": "team-A"}, {"env": "produ.*"}) == (
        m("owner", "=", "team-A"),
        m("env", "=~", "^(?:produ.*)$"),
    )
    with pytest.raises(ValueError, match="invalid label name"):
        matchers_from_legacy({"bad-name": "x"})


def test_matcher_string_known_answers() -> None:
    """Matcher.String() cases of alertmanager pkg/labels/matcher_test.go."""
    assert str(m("foo", "=", "bar")) == 'foo="bar"'
    assert str(m("foo", "!~", "bar")) == 'foo!~"bar"'
    assert str(m("foo", "=", "back\\slash")) == 'foo="back\\\\slash"'
    assert str(m("foo", "=", 'double"quote')) == 'foo="double\\"quote"'
    assert str(m("foo", "=", "new\nline")) == 'foo="new\\nline"'
    assert str(m("foo", "=", "tab\tstop")) == 'foo="tab\tstop"'
    assert str(m("foo", "=", "🙂")) == 'foo="🙂"'
    assert str(m("foo!", "!=", "bar")) == '"foo!"!="bar"'
    assert str(m("foo🙂", "=", "bar")) == 'foo🙂="bar"'
    assert str(m("foo bar", "=", "baz")) == '"foo bar"="baz"'


def test_matchers_string_sorts_by_name_value_then_operator() -> None:
    """Route keys list matchers in Matchers.Less order (dispatch/route_test.go keys)."""
    parsed = parse_matchers(['{owner="team-A"}', '{level!="critical"}'])
    assert matchers_string(parsed) == '{level!="critical",owner="team-A"}'
    parsed = parse_matchers(['{env="testing"}', '{baz!~".*quux"}'])
    assert matchers_string(parsed) == '{baz!~".*quux",env="testing"}'
    ops = [m("a", op, "x") for op in reversed(OPS)]
    assert [x.op for x in sort_matchers(ops)] == OPS
    assert matchers_string([]) == "{}"


def test_matchers_match_is_a_conjunction() -> None:
    """All matchers must hold; no matchers always hold."""
    ms = parse_matchers('severity="critical", team=~"pay.*"')
    assert matchers_match(ms, {"severity": "critical", "team": "payments"})
    assert not matchers_match(ms, {"severity": "critical", "team": "data"})
    assert matchers_match((), {})


def test_bad_operator_and_empty_name_are_refused() -> None:
    """A matcher needs one of the four operators and a label name."""
    with pytest.raises(ValueError, match="operator"):
        m("a", "==", "b")
    with pytest.raises(ValueError, match="label name"):
        m("", "=", "b")


def test_matchers_pickle_and_keep_working() -> None:
    """Matchers survive pickling (for worker processes) with their compiled test."""
    original = m("x", "!~", "a|b")
    copy = pickle.loads(pickle.dumps(original))
    assert copy == original
    assert copy.matches({"x": "c"})
    assert not copy.matches({"x": "a"})


def test_api_flags() -> None:
    """isRegex/isEqual follow the API's JSON form."""
    assert m("a", "=~", "b").is_regex and m("a", "=~", "b").is_equal
    assert not m("a", "!=", "b").is_regex and not m("a", "!=", "b").is_equal


@given(names, st.sampled_from(OPS), plain_values)
def test_round_trip_through_string(name: str, op: str, value: str) -> None:
    """Printing a matcher and parsing it back gives the same matcher."""
    if op in ("=~", "!~"):
        value = "".join(ch for ch in value if ch.isalnum())  # keep the regex valid
    matcher = m(name, op, value)
    assert parse_matcher(str(matcher)) == matcher
    assert parse_matchers(matchers_string([matcher])) == (matcher,)


@given(names, st.sampled_from(["=", "!="]), plain_values, plain_values)
def test_missing_label_equals_empty_value(name: str, op: str, value: str, other: str) -> None:
    """A matcher treats a missing label exactly like the label set to ""."""
    matcher = m(name, op, value)
    assert matcher.matches({}) == matcher.matches({name: ""})
    assume(other != "")
    assert matcher.matches({name + "_other": other}) == matcher.matches({name: ""})


@given(st.text(alphabet="abc", min_size=1, max_size=4), st.text(alphabet="abc", min_size=1))
def test_regex_is_fully_anchored(regex: str, extra: str) -> None:
    """=~"lit" matches exactly "lit", never a string that merely contains it."""
    matcher = m("x", "=~", regex)
    assert matcher.matches({"x": regex})
    assert not matcher.matches({"x": regex + extra})
    assert not matcher.matches({"x": extra + regex})


@given(st.sampled_from(["=", "=~"]), st.text(alphabet="ab|.*", max_size=5), st.text("ab\n"))
def test_negated_operators_are_complements(op: str, value: str, label: str) -> None:
    """!= and !~ match exactly where = and =~ do not."""
    try:
        positive = m("x", op, value)
    except ValueError:
        return
    negative = m("x", "!=" if op == "=" else "!~", value)
    assert positive.matches({"x": label}) != negative.matches({"x": label})


def test_go_regex_forms_python_reads_differently() -> None:
    """Go syntax that Python's re would reject or misread is translated faithfully."""
    legacy = matchers_from_legacy(match_re={"a": "(?i)foo"})[0]  # ^(?:(?i)foo)$ in Go
    assert legacy.matches({"a": "FOO"})
    assert m("x", "=~", "\\12").matches({"x": "\n"})  # octal, not a backreference
    assert m("x", "=~", "\\Qa.b\\E").matches({"x": "a.b"})
    assert not m("x", "=~", "\\Qa.b\\E").matches({"x": "axb"})
    assert m("x", "=~", "\\x{263a}").matches({"x": "☺"})
    assert m("x", "=~", "(?m)a$\nb").matches({"x": "a\nb"})
    assert m("x", "=~", "(?P<n>a)(?<k>b)").matches({"x": "ab"})


def test_unbalanced_regex_is_anchored_as_go_concatenates_it() -> None:
    """Go compiles ^(?:a)|(b)$ for =~"a)|(b", so only one side of each branch is anchored."""
    matcher = m("x", "=~", "a)|(b")
    assert matcher.matches({"x": "a-suffix"})
    assert matcher.matches({"x": "prefix-b"})
    assert not matcher.matches({"x": "c"})
