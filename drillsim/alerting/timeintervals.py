"""Alertmanager time intervals: when a route is muted, or active, by the calendar.

A ``<time_interval_spec>`` restricts time of day, weekday, day of month, month and year,
in a time zone. Parsing and containment follow ``timeinterval/timeinterval.go``:

* every *specified* field must match (AND); within a field any range may match (OR);
  an unspecified (absent or ``null``) field matches anything. An explicitly empty list
  (``weekdays: []``) is specified and matches nothing: yaml.v2 decodes ``[]`` to a
  non-nil empty slice, which ``ContainsTime`` treats as "no range contains t";
* ``times`` are ``[start, end)`` in minutes of the local day; ``end_time`` may be
  ``24:00``; ``start_time`` must be strictly before ``end_time`` (no wrap past midnight:
  write two ranges);
* ranges are inclusive and never wrap: ``friday:monday``, ``december:january`` and
  ``2022:2020`` are errors. The week starts on Sunday, so ``saturday:sunday`` is an
  error too (write ``['saturday', 'sunday']``);
* names of days and months are case-insensitive; months may also be numbers;
  weekdays may not;
* ``days_of_month`` counts negative values from the month's end (``-1`` is the last
  day) and clamps ranges to the month, so ``1:31`` means "every day" even in February
  and ``-1`` is the 28th or 29th there; a range starting after the month's last day
  (``30:31`` in February) matches no day of that month;
* the instant is converted to ``location`` (an IANA name; default UTC, because
  ``Intervener.Mutes`` hands ``ContainsTime`` the time in UTC).

Two deliberate departures, both for determinism or clearer errors:

* ``location: Local`` means the Alertmanager host's zone. A simulation has no host, and
  its results must not depend on the machine that runs it, so ``Local`` is read as UTC.
* Month numbers outside 1..12 are rejected. Alertmanager accepts them silently and they
  then never match (``months: ['13']``) or act as the nearest real month in a range.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

__all__ = [
    "NamedIntervals",
    "TimeInterval",
    "TimeIntervalError",
    "muted_by_intervals",
    "parse_time_interval",
]

Range = tuple[int, int]
"""An inclusive ``(begin, end)`` range; for ``times``, ``[begin, end)`` minutes."""

WEEKDAYS: Final = (
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
)
MONTHS: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAY_NUMBER: Final = {name: i for i, name in enumerate(WEEKDAYS)}
_MONTH_NUMBER: Final = {name: i + 1 for i, name in enumerate(MONTHS)}
_SPEC_FIELDS: Final = ("times", "weekdays", "days_of_month", "months", "years", "location")
_GO_ATOI = re.compile(r"[+-]?[0-9]+")  # strconv.Atoi: sign, ASCII digits, nothing else
_CLOCK = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00")  # timeinterval.go validTime
_MINUTES_PER_DAY: Final = 1440


class TimeIntervalError(ValueError):
    """A time interval Alertmanager would refuse (or drillsim refuses, see module doc).

    Attributes:
        loc: the path to the offending value, pydantic-style, e.g. ``("weekdays", 1)``
            or ``("times", 0, "end_time")``, so a loader can point at a source line.
        reason: what is wrong, without the path.
    """

    def __init__(self, loc: tuple[str | int, ...], reason: str, shown: str | None = None) -> None:
        self.loc = loc
        self.reason = reason
        self.where = shown if shown is not None else _render(loc)
        super().__init__(f"{self.where}: {reason}")

    def within(self, loc: tuple[str | int, ...], shown: str) -> TimeIntervalError:
        """The same error, located inside an enclosing document at ``loc``."""
        return TimeIntervalError(loc + self.loc, self.reason, f"{shown}.{self.where}")


def _render(loc: Sequence[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _load_location(name: str | None) -> tzinfo:
    """The zone for ``location``: Go's ``time.LoadLocation``, with ``Local`` as UTC."""
    if name is None or name in ("", "UTC", "Local"):
        return UTC
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise TimeIntervalError(("location",), f"unknown time zone {name!r}") from None


@dataclass(frozen=True, slots=True)
class TimeInterval:
    """One ``<time_interval_spec>``; ``None`` fields are unspecified and match anything.

    Build it with :func:`parse_time_interval` from configuration; the constructor
    trusts its arguments except for ``location``, which must name a known zone.

    Attributes:
        times: ``[start, end)`` minute-of-day ranges, ``0 <= start < end <= 1440``.
        weekdays: inclusive ranges of ``0`` (Sunday) to ``6`` (Saturday).
        days_of_month: inclusive ranges of ``1..31`` or ``-31..-1`` (from the month end).
        months: inclusive ranges of ``1..12``.
        years: inclusive ranges of years.
        location: IANA time zone name the fields are read in; ``None`` for UTC;
            ``"Local"`` is read as UTC (see the module docstring).
    """

    times: tuple[Range, ...] | None = None
    weekdays: tuple[Range, ...] | None = None
    days_of_month: tuple[Range, ...] | None = None
    months: tuple[Range, ...] | None = None
    years: tuple[Range, ...] | None = None
    location: str | None = None
    _tz: tzinfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("times", "weekdays", "days_of_month", "months", "years"):
            ranges = getattr(self, name)
            if ranges is not None:
                object.__setattr__(self, name, tuple((int(b), int(e)) for b, e in ranges))
        object.__setattr__(self, "_tz", _load_location(self.location))

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            TimeInterval,
            (self.times, self.weekdays, self.days_of_month, self.months, self.years, self.location),
        )

    def contains(self, when: datetime) -> bool:
        """Whether the instant falls inside this interval (``TimeInterval.ContainsTime``).

        Args:
            when: an aware datetime, in any zone; it is converted to ``location``.

        Returns:
            True when every specified field has a range containing the local time.

        Raises:
            ValueError: ``when`` is naive, so the instant it names is unknown.
        """
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("TimeInterval.contains needs an aware datetime, got a naive one")
        t = when.astimezone(self._tz)
        if self.times is not None:
            minute = t.hour * 60 + t.minute
            if not any(start <= minute < end for start, end in self.times):
                return False
        if self.days_of_month is not None and not _day_in(self.days_of_month, t):
            return False
        if self.months is not None and not any(b <= t.month <= e for b, e in self.months):
            return False
        if self.weekdays is not None:
            weekday = t.isoweekday() % 7  # Sunday = 0, as Go's time.Weekday
            if not any(b <= weekday <= e for b, e in self.weekdays):
                return False
        return self.years is None or any(b <= t.year <= e for b, e in self.years)


def _day_in(ranges: tuple[Range, ...], t: datetime) -> bool:
    """Whether ``t``'s day of month is in a range, negatives counted from the month end."""
    days = calendar.monthrange(t.year, t.month)[1]
    for begin, end in ranges:
        if begin < 0:
            begin = days + begin + 1
        if end < 0:
            end = days + end + 1
        if begin > days:  # the whole range lies past this month's last day
            continue
        # Go clamps both ends to [-days, days]; only the upper clamp can change a result.
        if begin <= t.day <= min(end, days):
            return True
    return False


# --- parsing ---------------------------------------------------------------------------


def _atoi(text: str) -> int | None:
    return int(text) if _GO_ATOI.fullmatch(text) else None


def _entry_text(name: str, index: int, raw: object) -> str:
    # yaml.v2 reads any scalar into a Go string, so unquoted numbers are fine there;
    # Python YAML loaders hand us ints for them. Booleans would be a YAML 1.1 surprise.
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise TimeIntervalError(
        (name, index), f"expected a string such as '1:5', got {raw!r}", shown=name
    )


def _split_range(name: str, index: int, raw: str) -> tuple[str, str]:
    """``stringableRangeFromString``: lower-cased, one optional ``:`` between two ends."""
    text = raw.lower()
    if ":" not in text:
        return text, text
    parts = text.split(":")
    if len(parts) != 2:
        raise TimeIntervalError(
            (name, index), f"couldn't parse range {raw!r}, invalid format", shown=name
        )
    return parts[0], parts[1]


def _weekday(index: int, raw: str) -> Range:
    ends = _split_range("weekdays", index, raw)
    numbers: list[int] = []
    for part in ends:
        number = _WEEKDAY_NUMBER.get(part)
        if number is None:
            hint = " (weekdays are names, sunday to saturday)" if _atoi(part) is not None else ""
            raise TimeIntervalError(
                ("weekdays", index), f"unknown day {part!r}{hint}", shown="weekdays"
            )
        numbers.append(number)
    begin, end = numbers
    if begin > end:
        raise TimeIntervalError(
            ("weekdays", index),
            f"start day {WEEKDAYS[begin]} is after end day {WEEKDAYS[end]} in {raw!r}"
            " (ranges do not wrap; the week starts on sunday)",
            shown="weekdays",
        )
    return begin, end


def _month(index: int, raw: str) -> Range:
    numbers: list[int] = []
    for part in _split_range("months", index, raw):
        number = _MONTH_NUMBER.get(part)
        if number is None:
            number = _atoi(part)
            if number is None:
                raise TimeIntervalError(
                    ("months", index), f"unknown month {part!r}", shown="months"
                )
            if not 1 <= number <= 12:
                raise TimeIntervalError(
                    ("months", index),
                    f"{number} is not a valid month: out of range (1 to 12)",
                    shown="months",
                )
        numbers.append(number)
    begin, end = numbers
    if begin > end:
        raise TimeIntervalError(
            ("months", index),
            f"end month {MONTHS[end - 1]} is before start month {MONTHS[begin - 1]}"
            " (ranges do not wrap around the year)",
            shown="months",
        )
    return begin, end


def _numbers(name: str, index: int, raw: str) -> Range:
    out: list[int] = []
    for part in _split_range(name, index, raw):
        number = _atoi(part)
        if number is None:
            raise TimeIntervalError((name, index), f"{part!r} is not a number", shown=name)
        out.append(number)
    return out[0], out[1]


def _day_of_month(index: int, raw: str) -> Range:
    begin, end = _numbers("days_of_month", index, raw)

    def fail(reason: str) -> TimeIntervalError:
        return TimeIntervalError(("days_of_month", index), reason, shown="days_of_month")

    for day in (begin, end):
        if day == 0 or not -31 <= day <= 31:
            raise fail(f"{day} is not a valid day of the month: out of range")
    if begin < 0 < end:
        raise fail(f"end day must be negative if start day is negative in {raw!r}")
    # Alertmanager's sanity check: with the shortest month (28 days) as the yardstick,
    # reject ranges that are empty in every month.
    if (28 + begin if begin < 0 else begin) > (28 + end if end < 0 else end):
        raise fail(f"end day {end} is always before start day {begin}")
    return begin, end


def _year(index: int, raw: str) -> Range:
    begin, end = _numbers("years", index, raw)
    if begin > end:
        raise TimeIntervalError(
            ("years", index), f"end year {end} is before start year {begin}", shown="years"
        )
    return begin, end


def _clock(loc: tuple[str | int, ...], raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        # PyYAML reads unquoted 17:00 as the YAML 1.1 base-60 integer 1020.
        raise TimeIntervalError(
            loc, f"expected a quoted time such as '17:00', got the number {raw} (quote it)"
        )
    if not isinstance(raw, str) or not _CLOCK.fullmatch(raw):
        raise TimeIntervalError(
            loc,
            f"couldn't parse timestamp {raw!r}, invalid format (expected HH:MM, 00:00 to 24:00)",
        )
    hours, minutes = raw.split(":")
    return int(hours) * 60 + int(minutes)


def _time_range(index: int, raw: object) -> Range:
    loc: tuple[str | int, ...] = ("times", index)
    if not isinstance(raw, Mapping):
        raise TimeIntervalError(
            loc, f"expected a mapping with start_time and end_time, got {raw!r}"
        )
    for key in raw:
        if key not in ("start_time", "end_time"):
            raise TimeIntervalError(
                (*loc, str(key)), f"unknown field {key!r} (expected start_time and end_time)"
            )
    start_raw, end_raw = raw.get("start_time"), raw.get("end_time")
    if start_raw in (None, "") or end_raw in (None, ""):
        raise TimeIntervalError(loc, "both start_time and end_time must be given")
    start = _clock((*loc, "start_time"), start_raw)
    end = _clock((*loc, "end_time"), end_raw)
    if start >= end:
        raise TimeIntervalError(
            loc,
            f"start time {start_raw} must be before end time {end_raw}"
            " (a range cannot wrap past midnight: split it in two)",
        )
    return start, end


def _list_field(spec: Mapping[str, Any], name: str) -> list[Any] | None:
    raw = spec.get(name)
    if raw is None:
        return None
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise TimeIntervalError((name,), f"expected a list, got {raw!r}")
    return list(raw)


def parse_time_interval(spec: Mapping[str, Any] | None) -> TimeInterval:
    """Parse one ``<time_interval_spec>`` with Alertmanager's validation.

    Args:
        spec: the mapping as loaded from YAML or JSON, e.g. ``{"weekdays":
            ["monday:friday"], "times": [{"start_time": "09:00", "end_time": "17:00"}]}``.
            ``None`` (an empty list entry) is the interval that contains every instant.

    Returns:
        The interval.

    Raises:
        TimeIntervalError: a ``ValueError`` naming the field and the bad value, e.g.
            ``weekdays: unknown day 'funday'``; ``loc`` has the exact position.
    """
    if spec is None:
        return TimeInterval()
    if not isinstance(spec, Mapping):
        raise TimeIntervalError((), f"expected a mapping, got {spec!r}", shown="time interval")
    for key in spec:
        if key not in _SPEC_FIELDS:
            raise TimeIntervalError(
                (str(key),),
                f"unknown field {key!r} (expected one of {', '.join(_SPEC_FIELDS)})",
            )
    times = _list_field(spec, "times")
    weekdays = _list_field(spec, "weekdays")
    days = _list_field(spec, "days_of_month")
    months = _list_field(spec, "months")
    years = _list_field(spec, "years")
    location = spec.get("location")
    if location is not None and not isinstance(location, str):
        raise TimeIntervalError(("location",), f"expected a time zone name, got {location!r}")

    def ranges(name: str, entries: list[Any] | None, parse: Any) -> tuple[Range, ...] | None:
        if entries is None:
            return None
        return tuple(parse(i, _entry_text(name, i, raw)) for i, raw in enumerate(entries))

    return TimeInterval(
        times=None if times is None else tuple(_time_range(i, r) for i, r in enumerate(times)),
        weekdays=ranges("weekdays", weekdays, _weekday),
        days_of_month=ranges("days_of_month", days, _day_of_month),
        months=ranges("months", months, _month),
        years=ranges("years", years, _year),
        location=location,
    )


# --- named intervals and route semantics -------------------------------------------------


class NamedIntervals(Mapping[str, tuple[TimeInterval, ...]]):
    """The configuration's ``time_intervals``: each name maps to a list of specs.

    A name is *in effect* at an instant when any of its specs contains it
    (``timeinterval.Intervener.Mutes``).
    """

    __slots__ = ("_by_name",)

    def __init__(self, intervals: Mapping[str, Iterable[TimeInterval]] | None = None) -> None:
        self._by_name: dict[str, tuple[TimeInterval, ...]] = {
            name: tuple(specs) for name, specs in (intervals or {}).items()
        }

    @classmethod
    def from_config(
        cls,
        time_intervals: Iterable[Mapping[str, Any]] | None = None,
        mute_time_intervals: Iterable[Mapping[str, Any]] | None = None,
    ) -> NamedIntervals:
        """Build from ``alertmanager.yml``'s top-level lists.

        Args:
            time_intervals: entries ``{name, time_intervals: [spec, ...]}``.
            mute_time_intervals: the deprecated list of the same shape; both lists share
                one namespace, as in Alertmanager.

        Raises:
            TimeIntervalError: a missing or duplicate name, an unknown key or a bad spec;
                the message is prefixed with the path, e.g.
                ``time_intervals[name='offhours'].time_intervals[0].weekdays: ...``.
        """
        by_name: dict[str, tuple[TimeInterval, ...]] = {}
        for key, entries in (
            ("mute_time_intervals", mute_time_intervals),
            ("time_intervals", time_intervals),
        ):
            for i, entry in enumerate(entries or ()):
                name, specs = _named_entry(key, i, entry)
                if name in by_name:
                    kind = "mute time interval" if key == "mute_time_intervals" else "time interval"
                    raise TimeIntervalError((key, i, "name"), f"{kind} {name!r} is not unique")
                by_name[name] = specs
        return cls(by_name)

    def __getitem__(self, name: str) -> tuple[TimeInterval, ...]:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"NamedIntervals({self._by_name!r})"

    def in_effect(self, name: str, when: datetime) -> bool:
        """Whether any spec of the named interval contains ``when``.

        Raises:
            ValueError: no interval has that name (Alertmanager: "time interval %s
                doesn't exist in config").
        """
        specs = self._by_name.get(name)
        if specs is None:
            raise ValueError(f"time interval {name!r} doesn't exist in config")
        return any(spec.contains(when) for spec in specs)

    def which_in_effect(self, names: Iterable[str], when: datetime) -> list[str]:
        """The names among ``names`` in effect at ``when``, in order (AM's ``mutedBy``)."""
        return [name for name in names if self.in_effect(name, when)]


def _named_entry(
    key: str, index: int, entry: Mapping[str, Any]
) -> tuple[str, tuple[TimeInterval, ...]]:
    if not isinstance(entry, Mapping):
        raise TimeIntervalError((key, index), f"expected a mapping, got {entry!r}")
    for field_name in entry:
        if field_name not in ("name", "time_intervals"):
            raise TimeIntervalError(
                (key, index, str(field_name)),
                f"unknown field {field_name!r} (expected name and time_intervals)",
            )
    name = entry.get("name")
    if not name or not isinstance(name, str):
        missing = "mute time interval" if key == "mute_time_intervals" else "time interval"
        raise TimeIntervalError((key, index, "name"), f"missing name in {missing}")
    where = f"{key}[name={name!r}]"
    raw_specs = entry.get("time_intervals")
    if raw_specs is None:
        raw_specs = []
    if isinstance(raw_specs, str) or not isinstance(raw_specs, Sequence):
        raise TimeIntervalError(
            (key, index, "time_intervals"),
            f"expected a list, got {raw_specs!r}",
            shown=f"{where}.time_intervals",
        )
    specs: list[TimeInterval] = []
    for j, raw in enumerate(raw_specs):
        try:
            specs.append(parse_time_interval(raw))
        except TimeIntervalError as exc:
            raise exc.within(
                (key, index, "time_intervals", j), f"{where}.time_intervals[{j}]"
            ) from None
    return name, tuple(specs)


def muted_by_intervals(
    mute_names: Iterable[str],
    active_names: Iterable[str],
    intervals: NamedIntervals | Mapping[str, Iterable[TimeInterval]],
    when: datetime,
) -> bool:
    """Whether a route's time intervals mute its notifications at ``when``.

    The ``TimeActiveStage`` and ``TimeMuteStage`` of ``notify/mute.go``, evaluated
    at the flush instant for the whole aggregation group:

    * ``mute_time_intervals``: muted if any listed interval is in effect;
    * ``active_time_intervals``: if any are listed, muted unless at least one is in
      effect; none listed means always active.

    Args:
        mute_names: the route's ``mute_time_intervals``.
        active_names: the route's ``active_time_intervals``.
        intervals: every named interval of the configuration.
        when: the flush instant, an aware datetime.

    Raises:
        ValueError: a listed name is not defined (Alertmanager refuses such a
            configuration: "undefined time interval %q used in route").
    """
    named = intervals if isinstance(intervals, NamedIntervals) else NamedIntervals(intervals)
    mute = list(mute_names)
    active = list(active_names)
    for name in (*active, *mute):
        if name not in named:
            raise ValueError(f"undefined time interval {name!r} used in route")
    if active and not any(named.in_effect(name, when) for name in active):
        return True
    return any(named.in_effect(name, when) for name in mute)
