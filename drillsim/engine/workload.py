"""A responder's recent load: pages received and hours of incident work, the inputs of
fatigue (:func:`drillsim.oncall.availability.fatigue_factors`)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import islice

_INF = float("inf")


@dataclass(slots=True)
class Workload:
    """Page times and work intervals of one person, trimmed to the fatigue window."""

    window_s: float
    pages: deque[float] = field(default_factory=deque)
    spells: deque[list[float]] = field(default_factory=deque)
    """[start, end] of each stretch of incident work; end is inf while it lasts."""
    lengths: deque[float] = field(default_factory=deque)
    """``end - start`` of each finished spell in ``spells``, in the same order."""

    def paged(self, now: float) -> None:
        """Count a page received now."""
        self.pages.append(now)

    def pages_within(self, now: float) -> int:
        """Pages received in the window before ``now`` (older ones are forgotten)."""
        horizon = now - self.window_s
        while self.pages and self.pages[0] <= horizon:
            self.pages.popleft()
        return len(self.pages)

    def start(self, now: float) -> None:
        """Incident work begins (a stretch already under way continues)."""
        if not self.spells or self.spells[-1][1] != _INF:
            self.spells.append([now, _INF])

    def stop(self, now: float) -> None:
        """Incident work ends."""
        if self.spells and self.spells[-1][1] == _INF:
            spell = self.spells[-1]
            spell[1] = now
            self.lengths.append(now - spell[0])

    def shift_hours(self, now: float) -> float:
        """Hours of incident work within the window before ``now``.

        The sum of each spell's part in the window, added oldest first. Only the oldest
        spell can straddle the window's start and only the newest can be under way, so
        every spell between adds exactly its stored length: those are summed by
        ``sum`` in C from the running total, the same additions in the same order as
        clipping every spell (a person at rho = 0.9 has ~20 spells in a 24 h window, and
        every page asks).
        """
        horizon = now - self.window_s
        spells = self.spells
        while spells and spells[0][1] <= horizon:
            spells.popleft()
            self.lengths.popleft()
        if not spells:
            return 0.0
        start, end = spells[0]
        total = max(0.0, min(end, now) - max(start, horizon))
        n = len(spells)
        if n == 1:
            return total / 3600.0
        last_start, last_end = spells[-1]
        if last_end == _INF:  # under way: the finished ones between, then now - start
            total = sum(islice(self.lengths, 1, n - 1), total)
            total += max(0.0, now - max(last_start, horizon))
        else:
            total = sum(islice(self.lengths, 1, n), total)
        return total / 3600.0
