"""Silences: state, API parsing and muting, against Alertmanager's silence tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drillsim.alerting.matchers import Matcher
from drillsim.alerting.silences import Silence, silenced, silenced_by

EPOCH = datetime(2026, 3, 14, 3, 0, tzinfo=UTC)
HOUR = 3600.0


def to_seconds(text: str) -> float:
    """Seconds since EPOCH for an RFC 3339 timestamp, like the scenario clock."""
    return (datetime.fromisoformat(text) - EPOCH).total_seconds()


def sil(*matchers: Matcher, start: float = 0.0, end: float = HOUR) -> Silence:
    """A silence with the given matchers and times."""
    return Silence(matchers, start, end, "drill", "test")


def api_body(**overrides: Any) -> dict[str, Any]:
    """A postable silence as amtool sends it, with fields overridden."""
    body: dict[str, Any] = {
        "matchers": [
            {"name": "alertname", "value": "InstanceDown", "isRegex": False, "isEqual": True},
            {"name": "instance", "value": "web-[0-9]+", "isRegex": True},
        ],
        "startsAt": "2026-03-14T03:10:00Z",
        "endsAt": "2026-03-14T05:10:00+00:00",
        "createdBy": "alice",
        "comment": "maintenance",
    }
    body.update(overrides)
    return body


def test_state_boundaries() -> None:
    """Pending before startsAt, active on [startsAt, endsAt] inclusive, expired after."""
    s = sil(Matcher("a", "=", "b"), start=100.0, end=200.0)
    assert s.state(99.999) == "pending"
    assert s.state(100.0) == "active"
    assert s.state(200.0) == "active"
    assert s.state(200.001) == "expired"


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
    st.floats(-2e6, 2e6, allow_nan=False),
)
def test_active_exactly_between_start_and_end(start: float, length: float, now: float) -> None:
    """A silence is active exactly on [startsAt, endsAt] and mutes only then."""
    s = sil(Matcher("job", "=", "api"), start=start, end=start + length)
    active = start <= now <= start + length
    assert (s.state(now) == "active") == active
    assert s.mutes({"job": "api"}, now) == active
    assert s.state(now) == ("pending" if now < start else "active" if active else "expired")


def test_alertmanager_silencer_timeline() -> None:
    """AM's TestSilencer: matching, expiry, a future silence activating, overlap."""
    # source: alertmanager silence/silence_test.go, TestSilencer
    now = 0.0
    foo_bar = {"foo": "bar"}
    silences: list[Silence] = []
    assert not silenced(silences, foo_bar, now)
    silences.append(sil(Matcher("foo", "=", "baz"), start=now - HOUR, end=now + 300))
    assert not silenced(silences, foo_bar, now)
    silences.append(sil(Matcher("foo", "=", "bar"), start=now - HOUR, end=now + 300))
    assert silenced(silences, foo_bar, now)
    now += HOUR  # both expire
    assert not silenced(silences, foo_bar, now)
    # The second silence is updated to start in the future.
    silences[1] = sil(Matcher("foo", "=", "bar"), start=now + HOUR, end=now + 3 * HOUR)
    assert not silenced(silences, foo_bar, now)
    now += 2 * HOUR
    assert silenced(silences, foo_bar, now)
    silences.append(sil(Matcher("foo", "=~", "b.."), start=now + HOUR, end=now + 3 * HOUR))
    assert silenced(silences, foo_bar, now)
    now += 2 * HOUR  # the first expires, the overlapping regex one is active
    assert silenced_by(silences, foo_bar, now) == [silences[2]]


def test_matchers_are_and_ed_with_missing_label_as_empty() -> None:
    """All matchers must match; a missing label reads as the empty string."""
    s = sil(Matcher("alertname", "=", "X"), Matcher("env", "!=", "prod"))
    assert s.mutes({"alertname": "X"}, 10)
    assert s.mutes({"alertname": "X", "env": "dev"}, 10)
    assert not s.mutes({"alertname": "X", "env": "prod"}, 10)
    assert not s.mutes({"alertname": "Y"}, 10)


@pytest.mark.parametrize(
    ("matchers", "message"),
    [
        ((), "at least one matcher"),
        # silence_test.go TestValidateSilence: {a=""} with {b=~".*"} matches everything.
        (
            (Matcher("a", "=", ""), Matcher("b", "=~", ".*")),
            "at least one matcher must not match the empty string",
        ),
    ],
)
def test_alertmanager_validate_silence_matchers(
    matchers: tuple[Matcher, ...], message: str
) -> None:
    """Silences that would match every alert, or nothing specific, are refused."""
    # source: alertmanager silence/silence_test.go, TestValidateSilence
    with pytest.raises(ValueError, match=message):
        Silence(matchers, 0.0, 1.0)


def test_alertmanager_validate_silence_times() -> None:
    """End before start is refused; equal start and end is a valid (instant) silence."""
    # source: alertmanager silence/silence_test.go, TestValidateSilence
    with pytest.raises(ValueError, match="end time must not be before start time"):
        Silence((Matcher("a", "=", "b"),), 10.0, 9.0)
    assert Silence((Matcher("a", "=", "b"),), 10.0, 10.0).state(10.0) == "active"


def test_negative_matchers_alone_are_allowed() -> None:
    """A lone != matcher passes validation, as AM's matchesEmpty ignores negations."""
    s = Silence((Matcher("env", "!=", "prod"),), 0.0, 1.0)
    assert s.mutes({}, 0.5)


def test_from_api_postable_silence() -> None:
    """The API v2 form parses: isEqual defaults to true, regexes are anchored."""
    s = Silence.from_api(api_body(id="abc"), to_seconds)
    assert s.matchers == (
        Matcher("alertname", "=", "InstanceDown"),
        Matcher("instance", "=~", "web-[0-9]+"),
    )
    assert (s.starts_at_s, s.ends_at_s) == (600.0, 7800.0)
    assert (s.created_by, s.comment, s.id) == ("alice", "maintenance", "abc")
    assert s.mutes({"alertname": "InstanceDown", "instance": "web-12"}, 600.0)
    assert not s.mutes({"alertname": "InstanceDown", "instance": "web-12x"}, 600.0)
    assert s.state(0.0) == "pending"


@pytest.mark.parametrize(
    ("is_regex", "is_equal", "op"),
    [(False, True, "="), (False, False, "!="), (True, True, "=~"), (True, False, "!~")],
)
def test_from_api_operator_mapping(is_regex: bool, is_equal: bool, op: str) -> None:
    """isRegex and isEqual select the operator as PostableSilenceToProto does."""
    body = api_body(
        matchers=[
            {"name": "a", "value": "x", "isRegex": is_regex, "isEqual": is_equal},
            {"name": "b", "value": "y", "isRegex": False},
        ]
    )
    assert Silence.from_api(body, to_seconds).matchers[0] == Matcher("a", op, "x")  # type: ignore[arg-type]


def test_from_api_accepts_gettable_fields() -> None:
    """A silence as the API returns it (status, updatedAt, annotations) loads too."""
    body = api_body(
        status={"state": "active"},
        updatedAt="2026-03-14T03:10:00Z",
        annotations={"ticket": "OPS-1"},
    )
    assert Silence.from_api(body, to_seconds).created_by == "alice"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"matchers": []}, "matchers: expected a non-empty list"),
        ({"endsAt": "2026-03-14T03:10:00Z"}, "startsAt: start time must be before end time"),
        ({"endsAt": "2026-03-14T03:00:00Z"}, "startsAt: start time must be before end time"),
        ({"startsAt": "yesterday"}, "startsAt: invalid timestamp 'yesterday'"),
        ({"createdBy": None}, "createdBy: expected a string"),
        ({"matcher": []}, "silence: unknown field 'matcher'"),
        (
            {"matchers": [{"name": "a", "value": "b"}]},
            r"matchers\[0\]: missing required field 'isRegex'",
        ),
        (
            {"matchers": [{"name": "a", "value": "(", "isRegex": True}]},
            r"matchers\[0\]\.value: invalid regular expression '\('",
        ),
        (
            {"matchers": [{"name": "", "value": "b", "isRegex": False}]},
            r"matchers\[0\]\.name: invalid label name ''",
        ),
        (
            {"matchers": [{"name": "a", "value": "b", "isRegex": "no"}]},
            r"matchers\[0\]\.isRegex: expected true or false",
        ),
        (
            {"matchers": [{"name": "a", "value": "", "isRegex": False}]},
            "matchers: at least one matcher must not match the empty string",
        ),
    ],
)
def test_from_api_errors(overrides: dict[str, Any], message: str) -> None:
    """Bad API bodies raise ValueError naming the field."""
    with pytest.raises(ValueError, match=message):
        Silence.from_api(api_body(**overrides), to_seconds)


def test_from_api_missing_required_field() -> None:
    """createdBy and comment are required, as in the OpenAPI spec."""
    body = api_body()
    del body["comment"]
    with pytest.raises(ValueError, match="silence: missing required field 'comment'"):
        Silence.from_api(body, to_seconds)


def test_silenced_ignores_pending_and_expired() -> None:
    """Only active silences mute; matching pending or expired ones do not."""
    match = Matcher("team", "=", "payments")
    silences = [sil(match, start=100, end=200), sil(match, start=300, end=400)]
    labels = {"team": "payments"}
    assert [silenced(silences, labels, t) for t in (50, 150, 250, 350, 450)] == [
        False,
        True,
        False,
        True,
        False,
    ]
    assert silenced_by(silences, labels, 350) == [silences[1]]
    assert not silenced([], labels, 150)
