"""Local-clock value types shared by people and schedules: spans, handoffs, weekdays."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from drillsim.spec.durations import parse_clock

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def _to_span(value: Any) -> tuple[int, int]:
    """``"23:00-07:00"`` -> (1380, 420) minutes; may wrap past midnight."""
    if not isinstance(value, str):
        raise ValueError(f'expected a time span like "23:00-07:00", got {value!r}')
    m = _SPAN_RE.match(value)
    if not m:
        raise ValueError(f"cannot parse {value!r} as a time span like 23:00-07:00")
    return parse_clock(m.group(1)), parse_clock(m.group(2))


ClockSpan = Annotated[
    tuple[int, int],
    BeforeValidator(_to_span),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$"}),
]
"""A daily span of local time as (start, end) minutes, written ``"23:00-07:00"``."""


def _to_handoff(value: Any) -> tuple[int | None, int]:
    """``"mon 09:00"`` -> (0, 540); ``"09:00"`` -> (None, 540)."""
    if not isinstance(value, str):
        raise ValueError(f'expected a handoff like "mon 09:00", got {value!r}')
    parts = value.strip().lower().split()
    if len(parts) == 1:
        return None, parse_clock(parts[0])
    if len(parts) == 2 and parts[0][:3] in WEEKDAYS:
        return WEEKDAYS.index(parts[0][:3]), parse_clock(parts[1])
    raise ValueError(f'cannot parse {value!r} as a handoff like "mon 09:00"')


Handoff = Annotated[
    tuple[int | None, int],
    BeforeValidator(_to_handoff),
    WithJsonSchema({"type": "string", "description": '"mon 09:00" (weekly) or "09:00"'}),
]


def _to_weekdays(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ValueError("expected a list of weekdays like [mon, tue]")
    out = []
    for item in value:
        text = str(item).strip().lower()[:3]
        if text not in WEEKDAYS:
            raise ValueError(f"unknown weekday {item!r}; use mon, tue, wed, thu, fri, sat, sun")
        out.append(WEEKDAYS.index(text))
    return tuple(sorted(set(out)))


Weekdays = Annotated[
    tuple[int, ...],
    BeforeValidator(_to_weekdays),
    WithJsonSchema({"type": "array", "items": {"type": "string", "enum": list(WEEKDAYS)}}),
]
