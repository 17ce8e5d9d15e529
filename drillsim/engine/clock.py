"""The calendar clock: simulation seconds since the scenario start <-> aware datetimes."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta


class Clock:
    """Converts ``env.now`` (seconds since ``start``) to calendar time and back.

    Arithmetic is done in UTC, so a drill across a DST change has no missing or doubled
    hour; local wall-clock questions (asleep? business hours?) convert at the edge.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware start datetime")
        self.start = start
        self._start_utc = start.astimezone(UTC)
        self._start_naive = self._start_utc.replace(tzinfo=None)
        self._last_s = math.nan
        self._last_at = self._start_utc
        self._iso_s = math.nan
        self._iso = ""

    def at(self, t_s: float) -> datetime:
        """The UTC instant ``t_s`` seconds after the start.

        The last answer is kept: paging ten people asks for the same instant ten times.
        The cache is exact because the instant is a pure function of ``t_s`` (the start
        never changes) and a datetime is immutable; NaN never compares equal, so the
        first call always computes.
        """
        if t_s != self._last_s:
            self._last_s = t_s
            self._last_at = self._start_utc + timedelta(seconds=t_s)
        return self._last_at

    def local(self, t_s: float) -> datetime:
        """The instant in the scenario's own time zone."""
        return self.at(t_s).astimezone(self.start.tzinfo)

    def offset(self, moment: datetime) -> float:
        """Seconds from the start to ``moment``."""
        return (moment.astimezone(UTC) - self._start_utc).total_seconds()

    def iso(self, t_s: float) -> str:
        """ISO 8601 UTC text with millisecond precision (as Alertmanager prints times).

        From the naive UTC start, so ``isoformat`` writes no offset; it truncates to the
        millisecond, as ``microsecond // 1000`` does. The last answer is kept, as in
        :meth:`at` and exact for the same reason: alerts fire and resolve at shared
        evaluation instants, so three calls in four ask again for the previous one.
        """
        if t_s != self._iso_s:
            self._iso_s = t_s
            moment = self._start_naive + timedelta(seconds=t_s)
            self._iso = moment.isoformat(timespec="milliseconds") + "Z"
        return self._iso
