"""Who is available to take a page: absences, random sick days, the fallback pool.

Sick days are drawn once per person and local date from a stream named after both, so
whether bob is sick on Tuesday never depends on who else was asked about, or when.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

import numpy as np

from drillsim.oncall.availability import absence_on, local_date
from drillsim.oncall.rotation import next_change, who_is_on_call
from drillsim.spec.people import Person
from drillsim.spec.responders import Fallback
from drillsim.spec.schedules import Schedule


class Staffing:
    """Answers "is this person away?" and "who in the fallback pool takes this page?"."""

    def __init__(
        self,
        people: dict[str, Person],
        schedules: dict[str, Schedule],
        sick_rate: float,
        fallback: Fallback | None,
        rng_for: Callable[[str], np.random.Generator],
    ) -> None:
        self.people = people
        self.schedules = schedules
        self.sick_rate = sick_rate
        self.fallback = fallback
        self.rng_for = rng_for
        self._sick: dict[tuple[str, date], bool] = {}

    def away_reason(self, name: str, at: datetime) -> str | None:
        """Why ``name`` cannot be paged at ``at`` (vacation, sick, leave), or None."""
        person = self.people[name]
        if not person.away and not self.sick_rate > 0:
            return None  # nothing could take them away: their local date is not needed
        day = local_date(person, at)
        reason = absence_on(person, day)
        if reason is not None:
            return reason
        if self.sick_rate > 0 and self._is_sick(name, day):
            return "sick"
        return None

    def _is_sick(self, name: str, day: date) -> bool:
        key = (name, day)
        if key not in self._sick:
            rng = self.rng_for(f"sick/{name}/{day.isoformat()}")
            self._sick[key] = bool(rng.random() < self.sick_rate)
        return self._sick[key]

    def on_call(self, schedule: str, at: datetime) -> list[str]:
        """Everyone on call on ``schedule`` at ``at`` (empty for an unknown schedule)."""
        found = self.schedules.get(schedule)
        return who_is_on_call(found, at) if found is not None else []

    def next_change(self, schedule: str, at: datetime, within_s: float) -> datetime | None:
        """When the people on call on ``schedule`` next change after ``at`` (None if not
        within ``within_s`` seconds, or for an unknown schedule)."""
        found = self.schedules.get(schedule)
        return next_change(found, at, within_s) if found is not None else None

    def pool(self, at: datetime) -> list[str]:
        """The fallback pool at ``at``: its people, then whoever is on call on its
        schedules, each once, in that order."""
        if self.fallback is None:
            return []
        names = list(self.fallback.people)
        for schedule in self.fallback.schedules:
            names += self.on_call(schedule, at)
        return list(dict.fromkeys(names))

    def pick(
        self,
        candidates: Iterable[str],
        at: datetime,
        load: Callable[[str], int],
        exclude: set[str],
    ) -> str | None:
        """The first candidate who is present and idle; if all are busy, the one holding
        the fewest incidents (the earliest listed on a tie); None if nobody is present."""
        present = [n for n in candidates if n not in exclude and self.away_reason(n, at) is None]
        if not present:
            return None
        return min(present, key=lambda n: (load(n) > 0, load(n), present.index(n)))
