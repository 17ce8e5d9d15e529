"""Tests for layers, turns, restrictions, the final schedule and shifts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.oncall import (
    Shift,
    handoff_instant,
    layer_covers,
    layer_user_at,
    on_call,
    shifts,
    turn_at,
    who_is_on_call,
)
from drillsim.spec.oncall import WEEKDAYS, Layer, Schedule

TZ = "Europe/Berlin"
BERLIN = ZoneInfo(TZ)
HOUR = 3600.0
WORKWEEK = ["mon", "tue", "wed", "thu", "fri"]


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall-clock instant (fold=0 where the wall time is ambiguous)."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def layer(**fields: Any) -> Layer:
    """A validated Layer, built the way the YAML loader builds one."""
    return Layer.model_validate(fields)


def schedule(*layers: Layer, tz: str = TZ) -> Schedule:
    """A schedule of the given layers, lowest first."""
    return Schedule(name="s", tz=tz, layers=list(layers))


WEEKLY = layer(rotation="weekly", handoff="mon 09:00", users=["a", "b", "c"], start="2026-01-05")


# --- turns -------------------------------------------------------------------------------


def test_weekly_rotation_users_by_date() -> None:
    """A Monday 09:00 weekly rotation gives a, b, c, a on consecutive weeks."""
    sched = schedule(WEEKLY)
    assert on_call(sched, berlin(2026, 1, 5, 9)) == "a"
    assert on_call(sched, berlin(2026, 1, 9, 23)) == "a"
    assert on_call(sched, berlin(2026, 1, 14, 12)) == "b"
    assert on_call(sched, berlin(2026, 1, 21, 12)) == "c"
    assert on_call(sched, berlin(2026, 1, 28, 12)) == "a"
    assert on_call(sched, berlin(2026, 1, 5, 9).astimezone(UTC) + timedelta(weeks=52)) == "b"


def test_weekly_anchor_is_first_handoff_on_or_after_start() -> None:
    """A Wednesday start with a Monday handoff anchors turn 0 on the following Monday."""
    lay = layer(rotation="weekly", handoff="mon 09:00", users=["a", "b", "c"], start="2026-01-07")
    assert handoff_instant(lay, TZ, 0) == berlin(2026, 1, 12, 9)
    assert layer_user_at(lay, TZ, berlin(2026, 1, 12, 9)) == "a"
    assert layer_user_at(lay, TZ, berlin(2026, 1, 8, 12)) == "c"  # turn -1


def test_weekly_handoff_without_weekday_uses_start_weekday() -> None:
    """A weekly rotation written with only a time hands off on the weekday of start."""
    lay = layer(rotation="weekly", handoff="10:00", users=["a", "b"], start="2026-01-07")
    assert handoff_instant(lay, TZ, 1) == berlin(2026, 1, 14, 10)
    assert layer_user_at(lay, TZ, berlin(2026, 1, 14, 9, 59)) == "a"
    assert layer_user_at(lay, TZ, berlin(2026, 1, 14, 10)) == "b"


def test_daily_rotation() -> None:
    """A daily 09:00 rotation changes user every morning and cycles through the list."""
    lay = layer(rotation="daily", handoff="09:00", users=["a", "b", "c"], start="2026-03-01")
    got = [layer_user_at(lay, TZ, berlin(2026, 3, day, 12)) for day in range(1, 8)]
    assert got == ["a", "b", "c", "a", "b", "c", "a"]
    assert layer_user_at(lay, TZ, berlin(2026, 3, 2, 8, 59)) == "a"


def test_handoff_boundary_instant_belongs_to_new_user() -> None:
    """From the handoff instant on the new user is on call; a microsecond before, the old."""
    sched = schedule(WEEKLY)
    handoff = berlin(2026, 1, 12, 9)
    assert on_call(sched, handoff) == "b"
    assert on_call(sched, handoff - timedelta(microseconds=1)) == "a"
    assert on_call(sched, handoff.astimezone(ZoneInfo("America/New_York"))) == "b"


def test_instants_before_start_count_backwards() -> None:
    """Before the anchor, turns count backwards: c, then b, then a."""
    sched = schedule(WEEKLY)
    assert on_call(sched, berlin(2026, 1, 5, 8, 59)) == "c"
    assert on_call(sched, berlin(2026, 1, 1, 12)) == "c"
    assert on_call(sched, berlin(2025, 12, 25, 12)) == "b"
    assert on_call(sched, berlin(2025, 12, 18, 12)) == "a"
    assert turn_at(WEEKLY, TZ, berlin(2025, 12, 18, 12)).index == -3


@pytest.mark.parametrize(
    ("before", "after", "hours"),
    [
        (berlin(2026, 3, 28, 9), berlin(2026, 3, 29, 9), 23.0),
        (berlin(2026, 10, 24, 9), berlin(2026, 10, 25, 9), 25.0),
    ],
)
def test_daily_handoff_stays_at_0900_across_berlin_dst(
    before: datetime, after: datetime, hours: float
) -> None:
    """Daily turns spanning the 2026 Berlin DST changes last 23/25 h and hand off at 09:00."""
    lay = layer(rotation="daily", handoff="09:00", users=["a", "b"], start="2026-01-01")
    turn = turn_at(lay, TZ, before + timedelta(hours=1))
    assert (turn.start, turn.end) == (before, after)
    assert turn.duration_s == hours * HOUR
    assert (turn.end.hour, turn.end.minute) == (9, 0)
    after_turn = turn_at(lay, TZ, after)
    assert (after_turn.end.hour, after_turn.end.minute) == (9, 0)
    assert after_turn.duration_s == 24 * HOUR


@pytest.mark.parametrize(
    ("week_start", "hours"),
    [(berlin(2026, 3, 23, 9), 167.0), (berlin(2026, 10, 19, 9), 169.0)],
)
def test_weekly_handoff_stays_at_0900_across_berlin_dst(week_start: datetime, hours: float) -> None:
    """The weekly turn containing a DST change is 167 h or 169 h and ends Monday 09:00."""
    turn = turn_at(WEEKLY, TZ, week_start)
    assert turn.start == week_start
    assert turn.duration_s == hours * HOUR
    assert (turn.end.weekday(), turn.end.hour, turn.end.minute) == (0, 9, 0)
    sched = schedule(WEEKLY)
    assert on_call(sched, turn.end) != on_call(sched, turn.end - timedelta(seconds=1))


def test_handoff_in_dst_gap_happens_at_first_valid_instant() -> None:
    """A 02:30 handoff on 29 March 2026 (no such wall time in Berlin) happens at 03:00 CEST."""
    lay = layer(rotation="daily", handoff="02:30", users=["a", "b"], start="2026-03-01")
    n = (date(2026, 3, 29) - date(2026, 3, 1)).days
    transition = datetime(2026, 3, 29, 1, tzinfo=UTC)  # 02:00 CET -> 03:00 CEST
    assert handoff_instant(lay, TZ, n) == transition
    assert layer_user_at(lay, TZ, transition) == lay.users[n % 2]
    assert layer_user_at(lay, TZ, transition - timedelta(seconds=1)) == lay.users[(n - 1) % 2]
    assert turn_at(lay, TZ, transition).duration_s == 23.5 * HOUR  # back to 02:30 next day


def test_handoff_in_dst_overlap_happens_at_first_occurrence() -> None:
    """A 02:30 handoff on 25 October 2026 (02:30 happens twice) takes the CEST one."""
    lay = layer(rotation="daily", handoff="02:30", users=["a", "b"], start="2026-10-01")
    n = (date(2026, 10, 25) - date(2026, 10, 1)).days
    handoff = handoff_instant(lay, TZ, n)
    # Compare timestamps: PEP 495 makes == across zones False for ambiguous wall times.
    assert handoff.timestamp() == datetime(2026, 10, 25, 0, 30, tzinfo=UTC).timestamp()
    assert (handoff.hour, handoff.minute, handoff.fold) == (2, 30, 0)
    assert turn_at(lay, TZ, datetime(2026, 10, 25, 1, 30, tzinfo=UTC)).index == n


def test_handoff_at_2400_is_next_midnight() -> None:
    """A ``24:00`` handoff happens at the following local midnight."""
    lay = layer(rotation="daily", handoff="24:00", users=["a", "b"], start="2026-03-01")
    assert handoff_instant(lay, TZ, 0) == berlin(2026, 3, 2)


def test_naive_instant_is_rejected() -> None:
    """on_call refuses a naive datetime."""
    with pytest.raises(ValueError, match="aware"):
        on_call(schedule(WEEKLY), datetime(2026, 1, 5, 9))


# --- restrictions -------------------------------------------------------------------------

AFTER_HOURS = layer(
    rotation="weekly",
    handoff="mon 09:00",
    users=["n1", "n2"],
    start="2026-01-05",
    days=WORKWEEK,
    hours="18:00-09:00",
)
BUSINESS = layer(
    rotation="daily",
    handoff="09:00",
    users=["d1", "d2", "d3"],
    start="2026-01-05",
    days=WORKWEEK,
    hours="09:00-18:00",
)


def test_night_span_belongs_to_the_day_it_started() -> None:
    """Mon-Fri 18:00-09:00 covers Saturday 02:00 (Friday night) but not Sunday or Monday 02:00."""
    assert layer_covers(AFTER_HOURS, TZ, berlin(2026, 1, 10, 2))  # Saturday
    assert not layer_covers(AFTER_HOURS, TZ, berlin(2026, 1, 11, 2))  # Sunday
    assert not layer_covers(AFTER_HOURS, TZ, berlin(2026, 1, 12, 2))  # Monday (Sunday night)
    assert layer_covers(AFTER_HOURS, TZ, berlin(2026, 1, 12, 18))
    assert layer_covers(AFTER_HOURS, TZ, berlin(2026, 1, 13, 8, 59))
    assert not layer_covers(AFTER_HOURS, TZ, berlin(2026, 1, 13, 9))
    assert not layer_covers(AFTER_HOURS, TZ, berlin(2026, 1, 10, 9))  # Saturday morning


def test_business_and_after_hours_shape() -> None:
    """Business and after-hours layers share the work week; weekends fall to the base layer."""
    base = layer(rotation="weekly", handoff="mon 09:00", users=["w1", "w2"], start="2026-01-05")
    sched = schedule(base, AFTER_HOURS, BUSINESS)
    assert on_call(sched, berlin(2026, 1, 6, 10)) == "d2"  # Tuesday day
    assert on_call(sched, berlin(2026, 1, 6, 20)) == "n1"  # Tuesday night
    assert on_call(sched, berlin(2026, 1, 10, 2)) == "n1"  # Friday night, on Saturday
    assert on_call(sched, berlin(2026, 1, 10, 12)) == "w1"  # Saturday day
    assert on_call(sched, berlin(2026, 1, 12, 2)) == "w1"  # Sunday night, on Monday
    assert on_call(sched, berlin(2026, 1, 12, 9)) == "d2"  # Monday day (turn 7)
    assert on_call(schedule(AFTER_HOURS, BUSINESS), berlin(2026, 1, 11, 12)) is None


def test_restrictions_mask_time_but_rotation_keeps_turning() -> None:
    """A weekday-only daily rotation counts weekend turns too, so Monday is not Friday's next."""
    assert layer_user_at(BUSINESS, TZ, berlin(2026, 1, 9, 12)) == "d2"  # Friday, turn 4
    assert layer_user_at(BUSINESS, TZ, berlin(2026, 1, 10, 12)) is None  # Saturday, masked
    assert layer_user_at(BUSINESS, TZ, berlin(2026, 1, 12, 12)) == "d2"  # Monday, turn 7


def test_hours_restriction_reads_schedule_zone() -> None:
    """Restriction hours are wall-clock hours of the schedule's zone, whatever the instant's."""
    noon_berlin_in_tokyo = berlin(2026, 1, 6, 12).astimezone(ZoneInfo("Asia/Tokyo"))
    assert layer_covers(BUSINESS, TZ, noon_berlin_in_tokyo)
    assert not layer_covers(BUSINESS, "Asia/Tokyo", noon_berlin_in_tokyo)  # 20:00 in Tokyo


def test_hours_restriction_over_the_repeated_hour() -> None:
    """On 25 Oct 2026, hours 02:30-05:00 cover both 02:30s but not the 02:00-02:30 between."""
    lay = layer(rotation="daily", handoff="09:00", users=["a"], hours="02:30-05:00")
    utc = [datetime(2026, 10, 25, h, m, tzinfo=UTC) for h, m in [(0, 30), (1, 0), (1, 30)]]
    assert [layer_covers(lay, TZ, at) for at in utc] == [True, False, True]
    got = shifts(schedule(lay), datetime(2026, 10, 24, 22, tzinfo=UTC), berlin(2026, 10, 25, 12))
    spans = [(s.start.timestamp(), s.end.timestamp()) for s in got]
    assert spans == [
        (utc[0].timestamp(), utc[1].timestamp()),  # 02:30-03:00 CEST
        (utc[2].timestamp(), datetime(2026, 10, 25, 4, tzinfo=UTC).timestamp()),  # to 05:00 CET
    ]


def test_hours_restriction_starting_in_the_gap() -> None:
    """On 29 Mar 2026, hours 02:30-04:00 begin when the clock jumps to 03:00 CEST."""
    lay = layer(rotation="daily", handoff="09:00", users=["a"], hours="02:30-04:00")
    got = shifts(schedule(lay), berlin(2026, 3, 29), berlin(2026, 3, 29, 12))
    assert [(s.start.timestamp(), s.end.timestamp()) for s in got] == [
        (
            datetime(2026, 3, 29, 1, tzinfo=UTC).timestamp(),
            datetime(2026, 3, 29, 2, tzinfo=UTC).timestamp(),
        )
    ]


# --- final schedule -----------------------------------------------------------------------


def test_last_layer_wins_and_lower_layer_shows_through() -> None:
    """The last covering layer wins; outside its hours the lower layer is on call."""
    base = layer(rotation="weekly", handoff="mon 09:00", users=["a"], start="2026-01-05")
    lunch = layer(rotation="daily", handoff="09:00", users=["b"], hours="12:00-13:00")
    assert on_call(schedule(base, lunch), berlin(2026, 1, 6, 12, 30)) == "b"
    assert on_call(schedule(base, lunch), berlin(2026, 1, 6, 13)) == "a"
    assert on_call(schedule(lunch, base), berlin(2026, 1, 6, 12, 30)) == "a"


def test_nobody_on_call_outside_all_layers() -> None:
    """A schedule whose only layer is restricted has nobody on call in the gaps."""
    assert on_call(schedule(BUSINESS), berlin(2026, 1, 6, 20)) is None


def test_shifts_of_a_weekly_rotation() -> None:
    """Shifts cut the window at handoffs and are clipped to it."""
    got = shifts(schedule(WEEKLY), berlin(2026, 1, 8), berlin(2026, 1, 20))
    assert got == [
        Shift(("a",), berlin(2026, 1, 8), berlin(2026, 1, 12, 9)),
        Shift(("b",), berlin(2026, 1, 12, 9), berlin(2026, 1, 19, 9)),
        Shift(("c",), berlin(2026, 1, 19, 9), berlin(2026, 1, 20)),
    ]


def test_shifts_merge_same_user_and_skip_gaps() -> None:
    """A single-user rotation is one shift over its hours; uncovered time yields no shift."""
    lay = layer(rotation="daily", handoff="00:00", users=["solo"], hours="09:00-18:00")
    got = shifts(schedule(lay), berlin(2026, 1, 5), berlin(2026, 1, 7))
    assert got == [
        Shift(("solo",), berlin(2026, 1, 5, 9), berlin(2026, 1, 5, 18)),
        Shift(("solo",), berlin(2026, 1, 6, 9), berlin(2026, 1, 6, 18)),
    ]
    always = layer(rotation="daily", handoff="09:00", users=["solo"])
    whole = shifts(schedule(always), berlin(2026, 3, 1), berlin(2026, 4, 1))
    assert len(whole) == 1
    assert whole[0].duration_s == 31 * 24 * HOUR - HOUR  # March 2026 loses an hour to DST


def test_shifts_of_an_empty_window() -> None:
    """A window that ends before it starts has no shifts."""
    assert shifts(schedule(WEEKLY), berlin(2026, 1, 8), berlin(2026, 1, 8)) == []


# --- properties ---------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "UTC"]


def offset_changes(tz: str, year: int) -> list[datetime]:
    """Hours (UTC) during which ``tz`` changes its offset in ``year``, found by stepping."""
    zi, at, found = ZoneInfo(tz), datetime(year, 1, 1, tzinfo=UTC), []
    while at.year == year:
        nxt = at + timedelta(hours=1)
        if at.astimezone(zi).utcoffset() != nxt.astimezone(zi).utcoffset():
            found.append(at)
        at = nxt
    return found


# Instants near each zone's own DST changes, where handoff arithmetic is easiest to break.
HOTSPOTS = {tz: [*offset_changes(tz, 2026), datetime(2026, 7, 1, tzinfo=UTC)] for tz in ZONES}


def clock_minutes() -> st.SearchStrategy[int]:
    """Minutes of day, half the time from 01:00-04:00 where DST gaps and overlaps sit."""
    return st.one_of(st.integers(0, 1440), st.integers(60, 240))


@st.composite
def layers(draw: st.DrawFn) -> Layer:
    """Random layers: daily or weekly, any handoff, optional days and hours restrictions."""
    rotation = draw(st.sampled_from(["daily", "weekly"]))
    minute = draw(clock_minutes())
    clock = f"{minute // 60:02d}:{minute % 60:02d}"
    if rotation == "weekly" and draw(st.booleans()):
        clock = f"{draw(st.sampled_from(WEEKDAYS))} {clock}"
    fields: dict[str, Any] = {
        "rotation": rotation,
        "handoff": clock,
        "users": draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4)),
        "start": draw(st.dates(date(2025, 6, 1), date(2027, 6, 1))),
    }
    if draw(st.booleans()):
        fields["days"] = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, unique=True))
    if draw(st.booleans()):
        a, b = draw(clock_minutes().filter(lambda m: m < 1440)), draw(clock_minutes())
        fields["hours"] = f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
    return Layer.model_validate(fields)


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    tz=st.sampled_from(ZONES),
    lays=st.lists(layers(), min_size=1, max_size=3),
    lead_s=st.integers(0, 3 * 86400),
    length_s=st.integers(1, 6 * 86400),
    offset_s=st.integers(0, 6 * 86400),
)
def test_on_call_agrees_with_shifts(
    data: st.DataObject,
    tz: str,
    lays: list[Layer],
    lead_s: int,
    length_s: int,
    offset_s: int,
) -> None:
    """For random instants, who_is_on_call names the people of the shift containing them."""
    sched = schedule(*lays, tz=tz)
    hotspot = data.draw(st.sampled_from(HOTSPOTS[tz]))
    start = hotspot - timedelta(seconds=lead_s)
    end = start + timedelta(seconds=length_s)
    got = shifts(sched, start, end)
    stamps = [(s.start.timestamp(), s.end.timestamp()) for s in got]
    assert all(a < b for a, b in stamps)
    assert all(prev[1] <= nxt[0] for prev, nxt in pairwise(stamps))
    assert all(  # maximal: touching neighbours never share a user
        not (p.users == n.users and p.end.timestamp() == n.start.timestamp())
        for p, n in pairwise(got)
    )
    # One instant anywhere in the window, plus a 10-minute grid within 3 h of the DST
    # change, where the breakpoints that are easy to miss live (a single random probe
    # almost never lands in the half hour that a missing breakpoint gets wrong).
    grid = (hotspot + timedelta(minutes=10 * k) for k in range(-18, 19))
    probes = [start + timedelta(seconds=offset_s % length_s), *grid]
    for at in (p for p in probes if start <= p < end):
        ts = at.timestamp()
        containing = [s.users for s, (a, b) in zip(got, stamps, strict=True) if a <= ts < b]
        people = who_is_on_call(sched, at)
        assert containing == ([tuple(people)] if people else []), at


@settings(max_examples=200, deadline=None)
@given(
    tz=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney"]),
    minute=st.integers(0, 1440).filter(lambda m: not 120 <= m < 180),
    at=st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)),
)
def test_daily_turns_last_23_24_or_25_hours(tz: str, minute: int, at: datetime) -> None:
    """Daily turns in a one-hour-DST zone last 23, 24 or 25 h and start at the handoff time.

    Handoffs inside the 02:00-03:00 gap hour are left out: they move to the transition
    instant (see test_handoff_in_dst_gap_happens_at_first_valid_instant).
    """
    lay = layer(rotation="daily", handoff=f"{minute // 60:02d}:{minute % 60:02d}", users=["a"])
    turn = turn_at(lay, tz, at)
    assert turn.start.timestamp() <= at.timestamp() < turn.end.timestamp()
    assert turn.duration_s in {23 * HOUR, 24 * HOUR, 25 * HOUR}
    assert turn.start.hour * 60 + turn.start.minute == minute % 1440
