"""Rotation turns: when each handoff of a layer happens, and which turn holds an instant.

Turns are counted on the wall clock of the schedule's zone, as GoAlert's
``Rotation.StartTime``/``EndTime`` and PagerDuty's DST-keeping handoffs do:

* the *anchor* (handoff 0) is the layer's ``handoff`` time on its ``start`` date (for a
  weekly rotation handing off on a named weekday: the first such weekday on or after
  ``start``);
* hourly, daily and weekly handoff ``n`` is ``n * every`` hours, days or weeks of *wall
  clock* after the anchor, so a daily turn across a DST change lasts 23 or 25 hours and
  every later handoff keeps its local time; an hourly turn whose wall-clock hour does
  not exist (spring forward) is empty;
* monthly handoff ``n`` adds ``n * every`` calendar months to the anchor date with Go's
  ``AddDate`` normalisation (31 January + 1 month = 3 March, or 2 March in a leap year),
  as GoAlert does;
* each handoff happens at the first instant the wall clock reaches it
  (:func:`drillsim.oncall.wallclock.wall_ts`).

Turn ``n`` covers ``[handoff_n, handoff_{n+1})``; instants before the anchor count
backwards, so ``n`` may be negative.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from drillsim.oncall.wallclock import wall_ts
from drillsim.spec.schedules import Layer

__all__ = ["anchor_ordinal", "handoff_ts", "turn_index"]

_DAY_MIN = 1440


def anchor_ordinal(layer: Layer) -> int:
    """Local date of handoff 0."""
    return _anchor(layer.rotation, layer.handoff[0], layer.start)


@lru_cache(maxsize=1024)
def _anchor(rotation: str, weekday: int | None, start: date) -> int:
    if rotation != "weekly" or weekday is None:
        return start.toordinal()
    return start.toordinal() + (weekday - start.weekday()) % 7


def _add_months(d: date, months: int) -> int:
    """``d`` plus ``months`` calendar months as an ordinal, overflowing like Go's AddDate."""
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    first = date(year, month + 1, 1).toordinal()
    return first + d.day - 1


@lru_cache(maxsize=1 << 14)
def _handoff(
    tz: str, rotation: str, every: int, anchor: int, minute: int, start: date, n: int
) -> int:
    if rotation == "monthly":
        return wall_ts(tz, _add_months(start, n * every), minute)
    if rotation == "hourly":
        days, rest = divmod(minute + n * every * 60, _DAY_MIN)
        return wall_ts(tz, anchor + days, rest)
    period = every * (1 if rotation == "daily" else 7)
    return wall_ts(tz, anchor + n * period, minute)


def handoff_ts(layer: Layer, tz: str, n: int) -> int:
    """UTC second of handoff ``n`` (the start of turn ``n``). Cached: every page asks
    for the same few handoffs again."""
    return _handoff(
        tz, layer.rotation, layer.every, anchor_ordinal(layer), layer.handoff[1], layer.start, n
    )


def _guess(layer: Layer, local: datetime) -> int:
    """A turn number at most a turn or two off, from the wall clock alone."""
    anchor = anchor_ordinal(layer)
    if layer.rotation == "monthly":
        months = (local.year - layer.start.year) * 12 + local.month - layer.start.month
        return months // layer.every
    if layer.rotation == "hourly":
        wall = (local.toordinal() - anchor) * _DAY_MIN + local.hour * 60 + local.minute
        return (wall - layer.handoff[1]) // (60 * layer.every)
    period = layer.every * (1 if layer.rotation == "daily" else 7)
    return (local.toordinal() - anchor) // period


def turn_index(layer: Layer, tz: str, ts: float, local: datetime) -> int:
    """Turn number containing ``ts`` (``local`` is the same instant on the zone's clock).

    The guess is corrected until ``handoff_n <= ts < handoff_{n+1}`` holds.
    """
    n = _guess(layer, local)
    while ts < handoff_ts(layer, tz, n):
        n -= 1
    while ts >= handoff_ts(layer, tz, n + 1):
        n += 1
    return n
