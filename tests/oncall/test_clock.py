"""Tests for a person's local clock: asleep, working hours, off hours."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from drillsim.oncall import is_asleep, is_off_hours, is_working_hours
from drillsim.oncall.clock import in_span, span_start_offset
from drillsim.spec.oncall import Person

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall-clock instant."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def person(**fields: object) -> Person:
    """A validated Person, built the way the YAML loader builds one."""
    return Person.model_validate({"name": "alice", "tz": "Europe/Berlin", **fields})


def test_span_start_offset_plain_and_wrapping() -> None:
    """A plain span is same-day; a wrapping span's after-midnight tail started yesterday."""
    assert span_start_offset(600, (540, 1080)) == 0
    assert span_start_offset(1080, (540, 1080)) is None
    assert span_start_offset(1380, (1380, 420)) == 0
    assert span_start_offset(60, (1380, 420)) == 1
    assert span_start_offset(420, (1380, 420)) is None


def test_equal_span_ends_cover_the_whole_day() -> None:
    """A span whose start equals its end is a full 24 hours, never empty."""
    assert all(in_span(m, (540, 540)) for m in range(1440))
    assert all(in_span(m, (0, 0)) for m in range(1440))


def test_asleep_wraps_midnight() -> None:
    """Default sleep 23:00-07:00 covers 23:00 and 00:30 but not 07:00 or 22:59."""
    alice = person()
    assert is_asleep(alice, berlin(2026, 6, 1, 23))
    assert is_asleep(alice, berlin(2026, 6, 2, 0, 30))
    assert is_asleep(alice, berlin(2026, 6, 2, 6, 59))
    assert not is_asleep(alice, berlin(2026, 6, 2, 7))
    assert not is_asleep(alice, berlin(2026, 6, 1, 22, 59))


def test_asleep_uses_the_persons_zone_not_the_instants() -> None:
    """Noon in Tokyo is 05:00 in Berlin in summer, so a Berlin sleeper is asleep."""
    alice = person()
    noon_tokyo = datetime(2026, 7, 1, 12, tzinfo=TOKYO)
    assert is_asleep(alice, noon_tokyo)
    assert not is_asleep(person(tz="Asia/Tokyo"), noon_tokyo)


def test_asleep_follows_dst() -> None:
    """05:30 UTC is 06:30 CET (asleep) in winter but 07:30 CEST (awake) in summer."""
    alice = person()
    assert is_asleep(alice, datetime(2026, 1, 15, 5, 30, tzinfo=UTC))
    assert not is_asleep(alice, datetime(2026, 7, 15, 5, 30, tzinfo=UTC))


def test_working_hours_weekdays_only() -> None:
    """Working hours are Monday to Friday within works, end exclusive."""
    alice = person()  # works 09:00-18:00
    assert is_working_hours(alice, berlin(2026, 6, 1, 10))  # Monday
    assert is_working_hours(alice, berlin(2026, 6, 5, 17, 59))  # Friday
    assert not is_working_hours(alice, berlin(2026, 6, 5, 18))
    assert not is_working_hours(alice, berlin(2026, 6, 1, 8, 59))
    assert not is_working_hours(alice, berlin(2026, 6, 6, 10))  # Saturday


def test_night_shift_belongs_to_the_day_it_started() -> None:
    """A Friday 22:00-06:00 shift covers Saturday 03:00; Sunday and Monday 03:00 are off."""
    night = person(works="22:00-06:00")
    assert is_working_hours(night, berlin(2026, 6, 6, 3))  # Saturday, Friday's shift
    assert not is_working_hours(night, berlin(2026, 6, 7, 3))  # Sunday
    assert not is_working_hours(night, berlin(2026, 6, 8, 3))  # Monday, Sunday's shift
    assert is_working_hours(night, berlin(2026, 6, 8, 23))  # Monday night


def test_off_hours_is_the_complement() -> None:
    """Off hours are exactly the instants outside working hours."""
    alice = person()
    for hour in range(0, 24 * 7, 5):
        at = datetime(2026, 6, 1, tzinfo=UTC).replace(hour=hour % 24, day=1 + hour // 24)
        assert is_off_hours(alice, at) is not is_working_hours(alice, at)


def test_naive_instant_is_rejected() -> None:
    """A naive datetime raises instead of guessing a zone."""
    with pytest.raises(ValueError, match="aware"):
        is_asleep(person(), datetime(2026, 6, 1, 3))
