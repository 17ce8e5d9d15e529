"""A responder's recent load: pages received and hours of incident work, the inputs of
fatigue (:func:`drillsim.oncall.availability.fatigue_factors`)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(slots=True)
class Workload:
    """Page times and work intervals of one person, trimmed to the fatigue window."""

    window_s: float
    pages: deque[float] = field(default_factory=deque)
    spells: list[list[float]] = field(default_factory=list)
    """[start, end] of each stretch of incident work; end is inf while it lasts."""

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
        if not self.spells or self.spells[-1][1] != float("inf"):
            self.spells.append([now, float("inf")])

    def stop(self, now: float) -> None:
        """Incident work ends."""
        if self.spells and self.spells[-1][1] == float("inf"):
            self.spells[-1][1] = now

    def shift_hours(self, now: float) -> float:
        """Hours of incident work within the window before ``now``."""
        horizon = now - self.window_s
        while self.spells and self.spells[0][1] <= horizon:
            self.spells.pop(0)
        total = sum(max(0.0, min(end, now) - max(start, horizon)) for start, end in self.spells)
        return total / 3600.0
