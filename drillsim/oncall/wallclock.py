"""Wall-clock instants in a time zone: handoff times that keep their local time across DST.

A handoff written "09:00" happens at the *earliest instant at which the local wall clock
reaches 09:00* on its date. In a spring-forward gap that is the transition itself
(Berlin, 29 March 2026: a 02:30 handoff happens at 03:00 CEST), the first valid instant
after the missing time, not Python's ``fold=0`` reading (03:30 CEST). In a fall-back
overlap it is the first occurrence (``fold=0``), so a turn never starts twice. GoAlert's
``Clock.FirstOfDay`` makes the same choice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from drillsim.oncall.clock import zone

# Offsets are probed every 6 hours when looking for DST transitions: real zones change
# offset at most a few times a year, never twice within 6 hours.
_PROBE_S = 6 * 3600


def zone_key(tz: str | ZoneInfo) -> str:
    return tz if isinstance(tz, str) else tz.key


def timestamp(at: datetime) -> float:
    if at.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {at.isoformat()}")
    return at.timestamp()


def offset_s(zi: ZoneInfo, ts: int) -> float:
    offset = datetime.fromtimestamp(ts, zi).utcoffset()
    assert offset is not None  # a ZoneInfo always has an offset
    return offset.total_seconds()


def first_change(zi: ZoneInfo, lo: int, hi: int) -> int:
    """The first whole second in ``(lo, hi]`` whose UTC offset differs from ``lo``'s.

    tzdata transitions fall on whole seconds, so bisection on integers is exact.
    """
    before = offset_s(zi, lo)
    if offset_s(zi, hi) == before:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offset_s(zi, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def wall_fold_ts(zi: ZoneInfo, ordinal: int, minute: int, fold: int) -> int:
    wall = datetime.fromordinal(ordinal) + timedelta(minutes=minute)
    return int(wall.replace(tzinfo=zi, fold=fold).timestamp())


@lru_cache(maxsize=1 << 14)
def wall_ts(tz: str, ordinal: int, minute: int) -> int:
    """Earliest UTC second at which the wall clock of ``tz`` reaches a local time.

    Cached because every page asks for the same few handoff instants again.

    Args:
        tz: IANA zone name.
        ordinal: local date as ``date.toordinal()``.
        minute: minutes after that local midnight (1440 means the next midnight).
    """
    zi = zone(tz)
    wall = datetime.fromordinal(ordinal) + timedelta(minutes=minute)
    first = int(wall.replace(tzinfo=zi, fold=0).timestamp())
    if datetime.fromtimestamp(first, zi).replace(tzinfo=None) == wall:
        return first  # exists; in an overlap fold=0 is the earlier occurrence
    # In a gap the two folds bracket the transition, which is the first instant whose
    # wall clock reads at or after ``wall``.
    other = wall_fold_ts(zi, ordinal, minute, 1)
    return first_change(zi, min(first, other), max(first, other))


_BLOCK_S = 1 << 22  # about 48.5 days: transitions are found once per zone and block


def transitions(zi: ZoneInfo, lo: int, hi: int) -> list[int]:
    """UTC offset changes of ``zi`` in ``(lo, hi]``, found by probing and bisection.

    Found once per zone and fixed block of time (cached), since the engine asks about
    the same weeks again and again."""
    out: list[int] = []
    for block in range(lo // _BLOCK_S, hi // _BLOCK_S + 1):
        out.extend(t for t in _block_transitions(zi.key, block) if lo < t <= hi)
    return out


@lru_cache(maxsize=4096)
def _block_transitions(key: str, block: int) -> tuple[int, ...]:
    zi = zone(key)
    lo, hi = block * _BLOCK_S, (block + 1) * _BLOCK_S
    found = []
    prev, prev_offset = lo, offset_s(zi, lo)
    while prev < hi:
        nxt = min(prev + _PROBE_S, hi)
        offset = offset_s(zi, nxt)
        if offset != prev_offset:
            found.append(first_change(zi, prev, nxt))
        prev, prev_offset = nxt, offset
    return tuple(found)
