"""Pydantic field types shared by every document kind.

Each type accepts the human form used in YAML and stores the number code works with.
Values that YAML 1.1 has already turned into something else (``no`` -> False,
``1:30`` -> 90) are rejected here, and the loader adds a hint from the raw text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from drillsim.spec.distributions import (
    Exponential,
    Fixed,
    LogNormal,
    Uniform,
    parse_distribution,
)
from drillsim.spec.durations import format_duration, parse_clock, parse_percentage


class SpecModel(BaseModel):
    """Base of every document model: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _expect_str(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected {what}, got boolean {str(value).lower()}")
    raise ValueError(f"expected {what} as a string, got {type(value).__name__} {value!r}")


def _to_seconds(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return 0.0
    from drillsim.spec.durations import parse_duration

    return parse_duration(_expect_str(value, "a duration like 90s, 15m or 1h30m"))


def _to_positive_seconds(value: Any) -> float:
    seconds = _to_seconds(value)
    if seconds <= 0:
        raise ValueError("must be > 0")
    return seconds


def _to_fraction(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a percentage like 5% or a fraction like 0.05, got boolean")
    if isinstance(value, int | float):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"fraction must be between 0 and 1, got {value}")
        return float(value)
    return parse_percentage(_expect_str(value, "a percentage like 5%"))


def _to_distribution(value: Any) -> Fixed | Exponential | LogNormal | Uniform:
    if isinstance(value, Fixed | Exponential | LogNormal | Uniform):
        return value
    return parse_distribution(_expect_str(value, "a duration or distribution"))


def _to_clock(value: Any) -> int:
    return parse_clock(_expect_str(value, "a time of day like 09:00 (quote it)"))


def _to_tz(value: Any) -> str:
    name = _expect_str(value, "an IANA time zone like Europe/Berlin")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


_TS_ZONE_RE = re.compile(r"^(?P<iso>[^\[\]]+)(?:\[(?P<zone>[^\]]+)\])?$")


def _to_timestamp(value: Any) -> datetime:
    """Accept an aware datetime, ISO 8601 with offset, or RFC 9557 ``...[Zone/Name]``."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("timestamp needs a time zone: add [Europe/Berlin] or +01:00")
        return value
    text = _expect_str(value, "a timestamp like 2026-03-14T03:00:00[Europe/Berlin]")
    m = _TS_ZONE_RE.match(text.strip())
    if not m:
        raise ValueError(f"cannot parse {text!r} as a timestamp")
    try:
        moment = datetime.fromisoformat(m.group("iso"))
    except ValueError:
        raise ValueError(f"cannot parse {text!r} as a timestamp") from None
    zone = m.group("zone")
    if zone:
        tz = ZoneInfo(_to_tz(zone))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
            wall = moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
            if wall != moment.replace(tzinfo=None):
                raise ValueError(
                    f"{text!r} does not exist: the clocks in {zone} skip that hour (DST); "
                    f"use {wall.isoformat()}[{zone}]"
                )
        else:
            moment = moment.astimezone(tz)
    if moment.tzinfo is None:
        raise ValueError("timestamp needs a time zone: add [Europe/Berlin] or +01:00")
    return moment


def _fmt_ts(value: datetime) -> str:
    key = getattr(value.tzinfo, "key", None)
    return f"{value.replace(tzinfo=None).isoformat()}[{key}]" if key else value.isoformat()


_DURATION_SCHEMA = {
    "type": "string",
    "pattern": r"^(0|(\d+(\.\d+)?(ms|s|m|h|d|w))+)$",
    "description": "duration such as 90s, 15m, 1h30m, 3d",
}

DurationS = Annotated[
    float,
    BeforeValidator(_to_seconds),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(_DURATION_SCHEMA),
]
"""Non-negative duration in seconds, written ``90s``/``15m``/``1h30m`` in YAML."""

PositiveDurationS = Annotated[
    float,
    BeforeValidator(_to_positive_seconds),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(_DURATION_SCHEMA),
]
"""Strictly positive duration in seconds."""

Fraction = Annotated[
    float,
    BeforeValidator(_to_fraction),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d+(\.\d+)?%$"},
                {"type": "number", "minimum": 0, "maximum": 1},
            ],
            "description": "percentage (5%) or fraction (0.05)",
        }
    ),
]
"""A fraction in [0, 1], written ``5%`` or ``0.05``."""

DistributionSpec = Annotated[
    Fixed | Exponential | LogNormal | Uniform,
    BeforeValidator(_to_distribution),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "5m, 20m..2h, fixed(5m), exponential(mean=10m), "
            "lognormal(median=4m, p90=12m), uniform(low=1m, high=5m)",
        }
    ),
]
"""A random duration (see :mod:`drillsim.spec.distributions`)."""

ClockMinutes = Annotated[
    int,
    BeforeValidator(_to_clock),
    PlainSerializer(lambda m: f"{m // 60:02d}:{m % 60:02d}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$"}),
]
"""Time of day as minutes after midnight, written ``"09:00"``."""

TimeZoneName = Annotated[
    str,
    BeforeValidator(_to_tz),
    WithJsonSchema({"type": "string", "enum": sorted(available_timezones())}),
]
"""An IANA time zone name, checked against the zoneinfo database."""

Timestamp = Annotated[
    datetime,
    BeforeValidator(_to_timestamp),
    PlainSerializer(_fmt_ts, return_type=str),
    WithJsonSchema({"type": "string", "description": "2026-03-14T03:00:00[Europe/Berlin]"}),
]
"""An aware datetime, written ISO 8601 with an offset or an RFC 9557 ``[Zone]`` suffix."""

Name = Annotated[str, BeforeValidator(lambda v: _expect_str(v, "a name"))]
"""An identifier; YAML booleans and numbers are rejected rather than coerced."""
