"""Fingerprints and label-set rendering against Prometheus' and Alertmanager's own cases."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from drillsim.alerting.labels import (
    FNV_OFFSET64,
    fingerprint,
    fingerprint_int,
    fingerprints,
    format_labels,
    go_quote,
)

label_sets = st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=8)


def test_empty_label_set_hashes_to_the_fnv_offset_basis() -> None:
    """The empty set's fingerprint is the FNV-1a offset basis (prometheus/common
    model/signature_test.go TestLabelsToSignature)."""
    assert fingerprint_int({}) == FNV_OFFSET64 == 14695981039346656037
    assert fingerprint({}) == "cbf29ce484222325"


def test_prometheus_signature_known_answer() -> None:
    """The two-label case of prometheus/common model/signature_test.go TestMetricToFingerprint."""
    labels = {"name": "garland, briggs", "fear": "love is not enough"}
    assert fingerprint_int(labels) == 5799056148416392346


def test_alertmanager_fingerprint_known_answers() -> None:
    """Fingerprint strings asserted by Alertmanager's own tests."""
    # alertmanager api/v2/api_test.go TestAlertToOpenAPIAlert
    assert fingerprint({"severity": "critical", "alertname": "alert1"}) == "0223b772b51c29e1"
    # alertmanager template/template_test.go TestData
    assert fingerprint({"severity": "warning", "job": "foo"}) == "9266ef3da838ad95"
    assert fingerprint({"severity": "critical", "job": "foo"}) == "3b15fd163d36582e"
    assert fingerprint({"severity": "critical", "job": "bar"}) == "c7e68cb08e3e67f9"


def test_fingerprint_is_sixteen_lowercase_hex_digits() -> None:
    """Small fingerprints keep their leading zeros, as %016x does."""
    fp = fingerprint({"severity": "critical", "alertname": "alert1"})
    assert len(fp) == 16
    assert fp == fp.lower()
    assert int(fp, 16) == fingerprint_int({"severity": "critical", "alertname": "alert1"})


def test_separator_keeps_names_and_values_apart() -> None:
    """Moving characters between a name and its value changes the fingerprint."""
    assert fingerprint({"ab": "c"}) != fingerprint({"a": "bc"})


@given(label_sets, st.randoms(use_true_random=False))
def test_fingerprint_ignores_insertion_order(labels: dict[str, str], rnd: random.Random) -> None:
    """A label set's fingerprint does not depend on the order its labels were added."""
    items = list(labels.items())
    rnd.shuffle(items)
    assert fingerprint(dict(items)) == fingerprint(labels)


@given(st.lists(label_sets, max_size=20))
def test_batch_fingerprints_equal_the_scalar_ones(batch: list[dict[str, str]]) -> None:
    """The vectorised batch hash agrees with the scalar one element by element."""
    assert [int(x) for x in fingerprints(batch)] == [fingerprint_int(ls) for ls in batch]


def test_batch_fingerprints_of_nothing_and_of_empty_sets() -> None:
    """No label sets give an empty array; empty label sets give the offset basis."""
    assert len(fingerprints([])) == 0
    assert [int(x) for x in fingerprints([{}, {}])] == [FNV_OFFSET64, FNV_OFFSET64]


def test_format_labels_known_answers() -> None:
    """LabelSet.String() cases of prometheus/common model/labelset_test.go."""
    assert format_labels({}) == "{}"
    assert format_labels({"foo": "bar"}) == '{foo="bar"}'
    labels = {"foo": "bar", "foo2": "bar", "abc": "prometheus", "foo11": "bar11"}
    assert format_labels(labels) == '{abc="prometheus", foo="bar", foo11="bar11", foo2="bar"}'


def test_go_quote_known_answers() -> None:
    """strconv.Quote cases of Go's strconv/quote_test.go (quotetests, valid UTF-8 ones)."""
    assert go_quote("\a\b\f\r\n\t\v") == '"\\a\\b\\f\\r\\n\\t\\v"'
    assert go_quote("\\") == '"\\\\"'
    assert go_quote("\u263a") == '"☺"'
    assert go_quote("\U0010ffff") == '"\\U0010ffff"'
    assert go_quote("\x04") == '"\\x04"'
    assert go_quote("!\u00a0!\u2000!\u3000!") == '"!\\u00a0!\\u2000!\\u3000!"'
    assert go_quote("\x7f") == '"\\x7f"'
    assert go_quote('say "hi"') == '"say \\"hi\\""'


def test_format_labels_quotes_values_like_go() -> None:
    """Values with quotes and newlines are escaped in group keys as Alertmanager does."""
    assert format_labels({"msg": 'a "b"\nc'}) == '{msg="a \\"b\\"\\nc"}'
