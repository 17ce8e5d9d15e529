"""Helpers of the paging hot path answer exactly what the functions they stand in for
answer: wall-clock states and off hours from an already converted local time, the seed
words of a stream, the notification a person answers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from drillsim.engine.contacts import Contact, first_noticed
from drillsim.engine.streams import _DigestSeed
from drillsim.oncall.availability import local_state, state_on_clock
from drillsim.oncall.clock import (
    in_span,
    is_off_hours,
    is_working_hours,
    local_time,
    minute_of_day,
    off_hours_on_clock,
    span_start_offset,
)
from drillsim.spec.people import Person


def person(**kw: object) -> Person:
    """A person from YAML-shaped fields."""
    return Person.model_validate({"name": "p", **kw})


PEOPLE = [
    person(tz="Europe/Berlin", commutes=["07:30-08:30"], meetings=["10:00-11:00", "23:30-00:30"]),
    person(tz="America/New_York", sleeps="22:00-06:00", works="22:00-06:00"),  # night shift
    person(tz="Australia/Sydney", works="09:00-09:00"),  # a full-day span
    person(vendor={"response": "30m"}),
]


def week_of_instants() -> list[datetime]:
    """Every 7 minutes for 9 days across Europe's spring DST change (29 March 2026)."""
    start = datetime(2026, 3, 25, tzinfo=UTC)
    return [start + timedelta(minutes=7 * i) for i in range(9 * 24 * 60 // 7)]


MON_FRI = range(5)


def _reference_state(who: Person, at: datetime) -> str:
    """local_state as first written (from the instant, no shortcut for empty lists)."""
    if who.vendor is not None:
        return "on-contract"
    local = local_time(at, who.tz)
    minute = minute_of_day(local)
    if in_span(minute, who.sleeps):
        return "asleep"
    if local.weekday() in MON_FRI:
        if any(in_span(minute, span) for span in who.commutes):
            return "commuting"
        if any(in_span(minute, span) for span in who.meetings):
            return "meeting"
    return "awake"


def _reference_working(who: Person, at: datetime) -> bool:
    """is_working_hours as first written (a night shift counts by the day it started)."""
    local = local_time(at, who.tz)
    offset = span_start_offset(minute_of_day(local), who.works)
    return offset is not None and (local.weekday() - offset) % 7 in MON_FRI


@pytest.mark.parametrize("who", PEOPLE, ids=["commuter", "night-shift", "full-day", "vendor"])
def test_wall_clock_helpers_match_the_instant_forms(who: Person) -> None:
    """state_on_clock and off_hours_on_clock, given the person's local time, say what
    the instant forms as first written said (local_state and is_working_hours now call
    the helpers, so the helpers are checked against those original bodies)."""
    for at in week_of_instants():
        local = local_time(at, who.tz)
        assert state_on_clock(who, local) == _reference_state(who, at)
        assert off_hours_on_clock(who, local) is not _reference_working(who, at)
        assert local_state(who, at) == state_on_clock(who, local)
        assert is_off_hours(who, at) is not is_working_hours(who, at)


def _reference_words(key: str, n_words: int, dtype: type) -> np.ndarray:
    """The seed words as first written: the digest (re-hashed when short) sliced, read
    little-endian, converted to the native dtype."""
    kind = np.dtype(dtype)
    data = hashlib.blake2b(key.encode(), digest_size=64).digest()
    while len(data) < n_words * kind.itemsize:
        data += hashlib.blake2b(data, digest_size=64).digest()
    return np.frombuffer(data[: n_words * kind.itemsize], dtype=kind.newbyteorder("<")).astype(kind)


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
@pytest.mark.parametrize("n_words", [1, 4, 16, 17, 40, 624])
def test_seed_words_are_the_digest_read_little_endian(dtype: type, n_words: int) -> None:
    """Same words, same dtype, for short requests and ones that need re-hashing."""
    key = f"1:0:page/p/inc-{n_words}/0/0"
    words = _DigestSeed(key).generate_state(n_words, dtype)
    expected = _reference_words(key, n_words, dtype)
    assert words.dtype == expected.dtype and words.shape == (n_words,)
    assert np.array_equal(words, expected)


def test_first_noticed_is_the_earliest_noticed_and_the_first_listed_on_a_tie() -> None:
    """Unnoticed contacts never count; equally early ones go to the first listed."""
    push = Contact("push", 0.0, 30.0, False)
    sms = Contact("sms", 0.0, 20.0, True)
    phone = Contact("phone", 0.0, 20.0, True)
    late = Contact("email", 0.0, 90.0, True)
    assert first_noticed([push, late, sms, phone]) is sms
    assert first_noticed([push, phone, sms]) is phone
    assert first_noticed([push]) is None
    assert first_noticed([]) is None
