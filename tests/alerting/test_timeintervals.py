"""Time intervals against Alertmanager's timeinterval_test.go and its route semantics."""

from __future__ import annotations

import calendar
import pickle
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drillsim.alerting.timeintervals import (
    NamedIntervals,
    TimeInterval,
    TimeIntervalError,
    muted_by_intervals,
    parse_time_interval,
)

WEEKDAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
MONTH_NAMES = [calendar.month_name[i].lower() for i in range(1, 13)]
SYDNEY = ZoneInfo("Australia/Sydney")

instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
zoned_instants = st.datetimes(
    min_value=datetime(1971, 1, 2),
    max_value=datetime(2099, 12, 30),
    timezones=st.sampled_from(
        [UTC, ZoneInfo("Europe/Berlin"), SYDNEY, ZoneInfo("America/New_York")]
    ),
)


def rfc822z(text: str) -> datetime:
    """Parse Go's ``time.RFC822Z`` layout (``02 Jan 06 15:04 -0700``) as the Go tests do."""
    return datetime.strptime(text, "%d %b %y %H:%M %z")


def spec(**fields: object) -> TimeInterval:
    """Parse a time interval spec given as keyword arguments."""
    return parse_time_interval(fields)


# --- timeinterval_test.go: timeIntervalTestCases (TestContainsTime) -------------------

CONTAINS_CASES = [
    # The empty interval contains everything.
    (TimeInterval(), ["02 Jan 06 15:04 +0000", "03 Jan 07 10:04 +0000"], []),
    # 9am to 5pm, monday to friday.
    (
        TimeInterval(times=((540, 1020),), weekdays=((1, 5),)),
        ["04 May 20 15:04 +0000", "05 May 20 10:04 +0000", "09 Jun 20 09:04 +0000"],
        ["03 May 20 15:04 +0000", "04 May 20 08:59 +0000", "05 May 20 05:00 +0000"],
    ),
    # Easter 2020.
    (
        TimeInterval(days_of_month=((4, 6),), months=((4, 4),), years=((2020, 2020),)),
        ["04 Apr 20 15:04 +0000", "05 Apr 20 00:00 +0000", "06 Apr 20 23:05 +0000"],
        [
            "03 May 18 15:04 +0000",
            "03 Apr 20 23:59 +0000",
            "04 Jun 20 23:59 +0000",
            "06 Apr 19 23:59 +0000",
            "07 Apr 20 00:00 +0000",
        ],
    ),
    # Negative days of month: the last three days of each month.
    (
        TimeInterval(days_of_month=((-3, -1),)),
        [
            "31 Jan 20 15:04 +0000",
            "30 Jan 20 15:04 +0000",
            "29 Jan 20 15:04 +0000",
            "30 Jun 20 00:00 +0000",
            "29 Feb 20 23:05 +0000",
        ],
        [
            "03 May 18 15:04 +0000",
            "27 Jan 20 15:04 +0000",
            "03 Apr 20 23:59 +0000",
            "04 Jun 20 23:59 +0000",
            "06 Apr 19 23:59 +0000",
            "07 Apr 20 00:00 +0000",
            "01 Mar 20 00:00 +0000",
        ],
    ),
    # Out-of-bound days are clamped to the month's boundaries.
    (
        TimeInterval(months=((6, 6),), days_of_month=((-31, 31),)),
        ["30 Jun 20 00:00 +0000", "01 Jun 20 00:00 +0000"],
        ["31 May 20 00:00 +0000", "1 Jul 20 00:00 +0000"],
    ),
    # Another time zone: 9am to 5pm AEST, monday to friday.
    (
        TimeInterval(times=((540, 1020),), weekdays=((1, 5),), location="Australia/Sydney"),
        ["06 Apr 21 13:00 +1000"],
        ["06 Apr 21 13:00 +0000"],
    ),
    # The same during daylight saving time.
    (
        TimeInterval(
            times=((540, 1020),),
            weekdays=((1, 5),),
            months=((11, 11),),
            location="Australia/Sydney",
        ),
        ["01 Nov 21 09:00 +1100", "31 Oct 21 22:00 +0000"],
        ["31 Oct 21 21:00 +0000"],
    ),
    # Last-day mutes do not shift during spring-forward months.
    (
        TimeInterval(days_of_month=((-1, -1),), location="America/New_York"),
        ["31 Mar 21 12:00 -0400"],
        ["30 Mar 21 12:00 -0400"],
    ),
]


@pytest.mark.parametrize(("interval", "inside", "outside"), CONTAINS_CASES)
def test_alertmanager_contains_time_cases(
    interval: TimeInterval, inside: list[str], outside: list[str]
) -> None:
    """Alertmanager's TestContainsTime table gives the same answers."""
    # source: alertmanager timeinterval/timeinterval_test.go, timeIntervalTestCases
    for text in inside:
        assert interval.contains(rfc822z(text)), text
    for text in outside:
        assert not interval.contains(rfc822z(text)), text


# --- timeinterval_test.go: timeStringTestCases (TestParseTimeString) ------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("00:00", "24:00", (0, 1440)),
        ("01:35", "17:39", (95, 1059)),
        ("09:35", "09:39", (575, 579)),
        ("17:31", "17:31", None),  # begin and end the same
        ("12:30", "24:01", None),  # end out of range
        ("09:30", "07:41", None),  # start after end
        ("24:00", "17:41", None),  # start out of range and after end
        ("14:03", None, None),  # no end given
    ],
)
def test_alertmanager_time_string_cases(
    start: str, end: str | None, expected: tuple[int, int] | None
) -> None:
    """Alertmanager's TestParseTimeString: minute ranges and the times it refuses."""
    # source: alertmanager timeinterval/timeinterval_test.go, timeStringTestCases
    raw = {"start_time": start} if end is None else {"start_time": start, "end_time": end}
    if expected is None:
        with pytest.raises(TimeIntervalError, match=r"^times\[0\]"):
            spec(times=[raw])
    else:
        assert spec(times=[raw]).times == (expected,)


# --- timeinterval_test.go: yamlUnmarshalTestCases (TestYamlUnmarshal) ----------------


def test_alertmanager_business_hours_case() -> None:
    """Monday to Friday 09:00-17:00 parses to AM's ranges and bounds correctly."""
    # source: alertmanager timeinterval/timeinterval_test.go, yamlUnmarshalTestCases[0]
    ti = spec(weekdays=["monday:friday"], times=[{"start_time": "09:00", "end_time": "17:00"}])
    assert ti.weekdays == ((1, 5),)
    assert ti.times == ((540, 1020),)
    assert ti.contains(rfc822z("08 Jul 20 09:00 +0000"))
    assert ti.contains(rfc822z("08 Jul 20 16:59 +0000"))
    assert not ti.contains(rfc822z("08 Jul 20 05:00 +0000"))
    assert not ti.contains(rfc822z("08 Jul 20 08:59 +0000"))
    assert ti.contains(rfc822z("01 Apr 21 13:00 +0000"))


def test_alertmanager_advanced_case() -> None:
    """The last week of Q1, business hours, two year ranges: AM's advanced case."""
    # source: alertmanager timeinterval/timeinterval_test.go, yamlUnmarshalTestCases[1]
    ti = spec(
        weekdays=["monday:friday", "sunday"],
        months=["january:march"],
        days_of_month=["-7:-1"],
        years=["2020:2025", "2030:2035"],
        times=[{"start_time": "09:00", "end_time": "17:00"}],
    )
    assert ti == TimeInterval(
        weekdays=((1, 5), (0, 0)),
        times=((540, 1020),),
        months=((1, 3),),
        days_of_month=((-7, -1),),
        years=((2020, 2025), (2030, 2035)),
    )
    for text in [
        "27 Jan 21 09:00 +0000",
        "28 Jan 21 16:59 +0000",
        "29 Jan 21 13:00 +0000",
        "31 Mar 25 13:00 +0000",
        "31 Jan 35 13:00 +0000",
    ]:
        assert ti.contains(rfc822z(text)), text
    for text in [
        "30 Jan 21 13:00 +0000",  # Saturday
        "01 Apr 21 13:00 +0000",  # 4th month
        "30 Jan 26 13:00 +0000",  # 2026
        "31 Jan 35 17:01 +0000",  # after 5pm
    ]:
        assert not ti.contains(rfc822z(text)), text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        # Alertmanager: "couldn't parse timestamp 01:99, invalid format"
        (
            {"times": [{"start_time": "01:99", "end_time": "23:59"}]},
            r"times\[0\]\.start_time: couldn't parse timestamp '01:99', invalid format",
        ),
        (
            {"times": [{"start_time": "00:00", "end_time": "99:99"}]},
            r"times\[0\]\.end_time: couldn't parse timestamp '99:99', invalid format",
        ),
        # Alertmanager: "start day cannot be before end day"
        ({"weekdays": ["friday:monday"]}, "weekdays: start day friday is after end day monday"),
        # Alertmanager: "blurgsday is not a valid weekday"
        ({"weekdays": ["blurgsday:flurgsday"]}, "weekdays: unknown day 'blurgsday'"),
        # Alertmanager: "1 is not a valid weekday" (numeric weekdays are not allowed)
        ({"weekdays": ["1:3"]}, "weekdays: unknown day '1'"),
        ({"weekdays": ["-2:-1"]}, "weekdays: unknown day '-2'"),
        # Alertmanager: "0 is not a valid day of the month: out of range"
        (
            {"days_of_month": ["0"]},
            "days_of_month: 0 is not a valid day of the month: out of range",
        ),
        (
            {"days_of_month": ["-50:-20"]},
            "days_of_month: -50 is not a valid day of the month: out of range",
        ),
        (
            {"days_of_month": ["1:50"]},
            "days_of_month: 50 is not a valid day of the month: out of range",
        ),
        (
            {"days_of_month": ["-15:5"]},
            "days_of_month: end day must be negative if start day is negative",
        ),
        ({"days_of_month": ["10:-25"]}, "days_of_month: end day -25 is always before start day 10"),
        ({"months": ["martius:june"]}, "months: unknown month 'martius'"),
        ({"months": ["march:junius"]}, "months: unknown month 'junius'"),
        (
            {"months": ["december:january"]},
            "months: end month january is before start month december",
        ),
        ({"years": ["2022:2020"]}, "years: end year 2020 is before start year 2022"),
    ],
)
def test_alertmanager_invalid_specs(fields: dict[str, object], message: str) -> None:
    """Every spec Alertmanager's TestYamlUnmarshal refuses is refused, naming field and value."""
    # source: alertmanager timeinterval/timeinterval_test.go, yamlUnmarshalTestCases
    with pytest.raises(TimeIntervalError, match=f"^{message}"):
        parse_time_interval(fields)


def test_alertmanager_valid_odd_specs() -> None:
    """AM accepts '1:-1' days, mixed-case month ranges and a location."""
    # source: alertmanager timeinterval/timeinterval_test.go, yamlUnmarshalTestCases
    assert spec(days_of_month=["1:-1"]).days_of_month == ((1, -1),)
    assert spec(months=["January:december"]).months == ((1, 12),)
    ti = spec(years=["2020:2022"], location="Australia/Sydney")
    assert ti.years == ((2020, 2022),)
    assert ti.location == "Australia/Sydney"


# --- timeinterval_test.go: completeTestCases (TestTimeIntervalComplete) ---------------


def test_alertmanager_complete_case() -> None:
    """A spec using every field contains and excludes AM's listed instants."""
    # source: alertmanager timeinterval/timeinterval_test.go, completeTestCases[0]
    ti = spec(
        weekdays=["monday:wednesday", "saturday", "sunday"],
        times=[{"start_time": "13:00", "end_time": "15:00"}],
        days_of_month=["1", "10", "20:-1"],
        years=["2020:2023"],
        months=["january:march"],
    )
    assert ti.contains(rfc822z("10 Jan 21 13:00 +0000"))
    assert ti.contains(rfc822z("30 Jan 21 14:24 +0000"))
    assert not ti.contains(rfc822z("09 Jan 21 13:00 +0000"))
    assert not ti.contains(rfc822z("20 Jan 21 12:59 +0000"))
    assert not ti.contains(rfc822z("02 Feb 21 13:00 +0000"))


def test_alertmanager_begin_after_month_end_is_not_clamped() -> None:
    """'30:31' matches no day of February: a range starting past the month end is skipped."""
    # source: alertmanager timeinterval/timeinterval_test.go, completeTestCases[1]
    ti = spec(days_of_month=["30:31"], years=["2020:2023"], months=["february"])
    assert not ti.contains(rfc822z("28 Feb 21 13:00 +0000"))


# --- timeinterval_test.go: TestIntervener_Mutes -----------------------------------------

EVENINGS_AND_WEEKENDS = NamedIntervals(
    {
        "evenings": [TimeInterval(times=((0, 540), (1020, 1440)), location="Australia/Sydney")],
        "weekends": [TimeInterval(weekdays=((6, 6), (0, 0)), location="Australia/Sydney")],
    }
)


@pytest.mark.parametrize(
    ("now", "muted_by"),
    [
        (datetime(2024, 1, 1, 0, 0, tzinfo=SYDNEY), ["evenings"]),
        (datetime(2024, 1, 1, 9, 0, tzinfo=SYDNEY), []),
        (datetime(2024, 1, 6, 10, 0, tzinfo=SYDNEY), ["weekends"]),
        (datetime(2024, 1, 6, 17, 0, tzinfo=SYDNEY), ["evenings", "weekends"]),
        (datetime(2024, 1, 1, 10, 0, tzinfo=UTC), ["evenings"]),
        (datetime(2024, 1, 6, 10, 0, tzinfo=UTC), ["evenings", "weekends"]),
    ],
)
def test_alertmanager_intervener_mutes(now: datetime, muted_by: list[str]) -> None:
    """Which named intervals are in effect matches AM's TestIntervener_Mutes."""
    # source: alertmanager timeinterval/timeinterval_test.go, TestIntervener_Mutes
    assert EVENINGS_AND_WEEKENDS.which_in_effect(["evenings", "weekends"], now) == muted_by
    assert muted_by_intervals(["evenings", "weekends"], [], EVENINGS_AND_WEEKENDS, now) == bool(
        muted_by
    )


# --- edge cases pinned from timeinterval.go -------------------------------------------


def test_end_time_24_00_covers_the_last_minute() -> None:
    """'24:00' as end_time includes 23:59 of the day and nothing of the next."""
    ti = spec(times=[{"start_time": "23:00", "end_time": "24:00"}])
    assert ti.contains(datetime(2024, 5, 1, 23, 59, 59, tzinfo=UTC))
    assert not ti.contains(datetime(2024, 5, 2, 0, 0, tzinfo=UTC))
    assert not ti.contains(datetime(2024, 5, 1, 22, 59, tzinfo=UTC))


def test_last_day_of_february() -> None:
    """'-1' is the 28th of February in common years and the 29th in leap years."""
    ti = spec(days_of_month=["-1"])
    assert ti.contains(datetime(2023, 2, 28, 12, tzinfo=UTC))
    assert not ti.contains(datetime(2024, 2, 28, 12, tzinfo=UTC))
    assert ti.contains(datetime(2024, 2, 29, 12, tzinfo=UTC))
    # '1:31' is clamped to the end of February rather than spilling into March.
    assert spec(days_of_month=["1:31"]).contains(datetime(2023, 2, 28, tzinfo=UTC))
    assert not spec(days_of_month=["29:31"]).contains(datetime(2023, 3, 1, tzinfo=UTC))


def test_wrapping_ranges_are_errors() -> None:
    """Ranges never wrap: saturday:sunday and a time range past midnight are refused."""
    with pytest.raises(TimeIntervalError, match="weekdays: start day saturday is after end day"):
        spec(weekdays=["saturday:sunday"])
    with pytest.raises(TimeIntervalError, match=r"times\[0\]: start time 22:00 must be before"):
        spec(times=[{"start_time": "22:00", "end_time": "06:00"}])


def test_names_are_case_insensitive_and_months_may_be_numbers() -> None:
    """Day and month names ignore case; months may be numbers; ranges may mix both."""
    assert spec(weekdays=["MONDAY:Friday"]).weekdays == ((1, 5),)
    assert spec(months=["May:8", "12", 3]).months == ((5, 8), (12, 12), (3, 3))
    assert spec(days_of_month=[1, "+5", -1]).days_of_month == ((1, 1), (5, 5), (-1, -1))


def test_unspecified_and_empty_fields_differ() -> None:
    """A null field matches anything; an explicitly empty list matches nothing (yaml.v2)."""
    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert spec(weekdays=None).contains(when)
    assert not spec(weekdays=[]).contains(when)
    assert parse_time_interval(None) == TimeInterval()


def test_more_parse_errors() -> None:
    """Unknown keys, bad zones, unquoted times and out-of-range months are named."""
    with pytest.raises(TimeIntervalError, match=r"^foo: unknown field 'foo'"):
        parse_time_interval({"foo": 1})
    with pytest.raises(TimeIntervalError, match=r"^location: unknown time zone 'Mars/Base'"):
        spec(location="Mars/Base")
    with pytest.raises(TimeIntervalError, match=r"got the number 1020 \(quote it\)"):
        spec(times=[{"start_time": 1020, "end_time": "18:00"}])
    with pytest.raises(TimeIntervalError, match=r"^months: 13 is not a valid month"):
        spec(months=["13"])
    with pytest.raises(TimeIntervalError, match=r"^weekdays: expected a list"):
        spec(weekdays="monday")
    with pytest.raises(TimeIntervalError, match=r"^weekdays: couldn't parse range"):
        spec(weekdays=["monday:tuesday:friday"])
    with pytest.raises(TimeIntervalError, match=r"^times\[0\]\.start: unknown field"):
        spec(times=[{"start": "09:00", "end_time": "10:00"}])
    with pytest.raises(TimeIntervalError, match=r"^weekdays: unknown day 'funday'") as info:
        spec(weekdays=["monday", "funday"])
    assert info.value.loc == ("weekdays", 1)


def test_local_location_is_utc() -> None:
    """'Local' is read as UTC so results do not depend on the host's zone."""
    local = spec(times=[{"start_time": "09:00", "end_time": "10:00"}], location="Local")
    assert local.contains(datetime(2024, 5, 1, 9, 30, tzinfo=UTC))
    assert not local.contains(datetime(2024, 5, 1, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")))


def test_naive_datetimes_are_refused() -> None:
    """A naive datetime names no instant, so contains() refuses it."""
    with pytest.raises(ValueError, match="aware"):
        TimeInterval().contains(datetime(2024, 1, 1))


def test_time_intervals_pickle() -> None:
    """Intervals survive pickling, for worker processes."""
    ti = spec(weekdays=["monday"], location="Europe/Berlin")
    assert pickle.loads(pickle.dumps(ti)) == ti


# --- named intervals and route semantics ------------------------------------------------


def test_named_intervals_from_config() -> None:
    """Both top-level lists load into one namespace; duplicates and missing names fail."""
    named = NamedIntervals.from_config(
        [{"name": "offhours", "time_intervals": [{"weekdays": ["saturday", "sunday"]}]}],
        [
            {
                "name": "night",
                "time_intervals": [{"times": [{"start_time": "00:00", "end_time": "06:00"}]}],
            }
        ],
    )
    assert sorted(named) == ["night", "offhours"]
    assert named.in_effect("offhours", datetime(2024, 1, 6, 12, tzinfo=UTC))
    assert not named.in_effect("night", datetime(2024, 1, 6, 12, tzinfo=UTC))
    with pytest.raises(TimeIntervalError, match="time interval 'a' is not unique"):
        NamedIntervals.from_config([{"name": "a"}, {"name": "a"}])
    with pytest.raises(TimeIntervalError, match="missing name in time interval"):
        NamedIntervals.from_config([{"time_intervals": []}])
    with pytest.raises(
        TimeIntervalError,
        match=r"^time_intervals\[name='x'\]\.time_intervals\[1\]\.weekdays: unknown day 'funday'",
    ) as info:
        NamedIntervals.from_config(
            [{"name": "x", "time_intervals": [{}, {"weekdays": ["funday"]}]}]
        )
    assert info.value.loc == ("time_intervals", 0, "time_intervals", 1, "weekdays", 0)
    with pytest.raises(ValueError, match="doesn't exist"):
        named.in_effect("nope", datetime(2024, 1, 1, tzinfo=UTC))


def test_route_mute_and_active_semantics() -> None:
    """Mute intervals mute when in effect; active intervals mute when none is in effect."""
    named = NamedIntervals(
        {
            "weekend": [spec(weekdays=["saturday", "sunday"])],
            "business": [
                spec(
                    weekdays=["monday:friday"], times=[{"start_time": "09:00", "end_time": "17:00"}]
                )
            ],
            "december": [spec(months=["december"])],
        }
    )
    saturday = datetime(2024, 1, 6, 12, tzinfo=UTC)
    monday_noon = datetime(2024, 1, 8, 12, tzinfo=UTC)
    monday_night = datetime(2024, 1, 8, 22, tzinfo=UTC)
    assert muted_by_intervals([], [], named, saturday) is False
    assert muted_by_intervals(["weekend"], [], named, saturday) is True
    assert muted_by_intervals(["weekend"], [], named, monday_noon) is False
    assert muted_by_intervals([], ["business"], named, monday_noon) is False
    assert muted_by_intervals([], ["business"], named, monday_night) is True
    assert muted_by_intervals([], ["business", "weekend"], named, saturday) is False
    # Active, but also inside a mute interval: muted.
    assert (
        muted_by_intervals(["december"], ["business"], named, datetime(2024, 12, 2, 12, tzinfo=UTC))
        is True
    )
    with pytest.raises(ValueError, match="undefined time interval 'nope' used in route"):
        muted_by_intervals([], ["nope"], named, saturday)
    # A plain mapping works as well as NamedIntervals.
    assert muted_by_intervals(["w"], [], {"w": [spec(weekdays=["saturday"])]}, saturday)


# --- properties --------------------------------------------------------------------------


@given(zoned_instants)
def test_unspecified_interval_contains_every_instant(when: datetime) -> None:
    """An interval with every field unspecified contains every instant."""
    assert TimeInterval().contains(when)
    assert parse_time_interval({}).contains(when)


@given(zoned_instants)
def test_full_ranges_contain_every_instant(when: datetime) -> None:
    """Whole-day, whole-week, 1:31 and -31:-1 ranges contain every instant, in any zone."""
    ti = spec(
        times=[{"start_time": "00:00", "end_time": "24:00"}],
        weekdays=["sunday:saturday"],
        days_of_month=["1:31"],
        months=["1:12"],
        location="Europe/Berlin",
    )
    assert ti.contains(when)
    assert spec(days_of_month=["-31:-1"]).contains(when)


@given(instants, st.integers(0, 6), st.integers(0, 6))
def test_weekday_range_is_union_of_single_days(when: datetime, a: int, b: int) -> None:
    """A weekday range contains exactly what the list of its single days contains."""
    lo, hi = min(a, b), max(a, b)
    ranged = spec(weekdays=[f"{WEEKDAY_NAMES[lo]}:{WEEKDAY_NAMES[hi]}"])
    singles = spec(weekdays=WEEKDAY_NAMES[lo : hi + 1])
    assert ranged.contains(when) == singles.contains(when)


@given(instants, st.integers(1, 12), st.integers(1, 12))
def test_month_range_is_union_of_single_months(when: datetime, a: int, b: int) -> None:
    """A month range by name contains exactly what its single month numbers contain."""
    lo, hi = min(a, b), max(a, b)
    ranged = spec(months=[f"{MONTH_NAMES[lo - 1].upper()}:{MONTH_NAMES[hi - 1]}"])
    singles = spec(months=[str(m) for m in range(lo, hi + 1)])
    assert ranged.contains(when) == singles.contains(when)


@given(instants, st.integers(0, 1439), st.integers(1, 1440))
def test_times_are_half_open_minute_ranges(when: datetime, start: int, end: int) -> None:
    """A time range contains an instant exactly when start <= minute of day < end."""
    if start >= end:
        start, end = end - 1, start + 1
    clock = [f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"]
    ti = spec(times=[{"start_time": clock[0], "end_time": clock[1]}])
    assert ti.contains(when) == (start <= when.hour * 60 + when.minute < end)


@given(instants, st.integers(1, 28))
def test_negative_day_counts_from_month_end(when: datetime, k: int) -> None:
    """Day -k is the same day as (days in month - k + 1) of that month."""
    days = calendar.monthrange(when.year, when.month)[1]
    assert spec(days_of_month=[str(-k)]).contains(when) == (when.day == days - k + 1)


@given(zoned_instants, st.sampled_from(["UTC", "Europe/Berlin", "Australia/Sydney"]))
def test_contains_depends_only_on_the_instant(when: datetime, zone: str) -> None:
    """The zone an instant is expressed in never changes the answer."""
    ti = spec(
        weekdays=["monday:friday"],
        times=[{"start_time": "08:30", "end_time": "18:15"}],
        days_of_month=["-10:-1", "3"],
        location=zone,
    )
    assert ti.contains(when) == ti.contains(when.astimezone(UTC))
    assert ti.contains(when) == ti.contains(when.astimezone(ZoneInfo("Asia/Kolkata")))


@given(st.text(alphabet="MONDAYmondayFRIfri", min_size=1, max_size=8))
def test_weekday_parsing_ignores_case(text: str) -> None:
    """Weekday names parse regardless of case, and anything else is an error."""
    lowered = text.lower()
    if lowered in WEEKDAY_NAMES:
        assert spec(weekdays=[text]).weekdays == ((WEEKDAY_NAMES.index(lowered),) * 2,)
    else:
        with pytest.raises(TimeIntervalError, match="weekdays: unknown day"):
            spec(weekdays=[text])


def test_dst_gap_and_fold_use_wall_clock() -> None:
    """Times are read on the local wall clock, across a DST change."""
    berlin = ZoneInfo("Europe/Berlin")
    ti = spec(times=[{"start_time": "02:00", "end_time": "03:00"}], location="Europe/Berlin")
    # 2024-03-31: clocks jump from 02:00 to 03:00, so no instant of that day is 02:xx.
    start = datetime(2024, 3, 30, 23, 0, tzinfo=UTC)
    hits = [start + timedelta(minutes=m) for m in range(0, 6 * 60)]
    assert not any(ti.contains(h) for h in hits)
    # 2024-10-27: 02:00-03:00 happens twice, so two hours of instants are inside.
    start = datetime(2024, 10, 26, 22, 0, tzinfo=UTC)
    inside = [h for h in (start + timedelta(minutes=m) for m in range(6 * 60)) if ti.contains(h)]
    assert len(inside) == 120
    assert {h.astimezone(berlin).hour for h in inside} == {2}
