"""Failures counted from repair (``arrivals: {gap_from: end}``), with optional shared
repair crews (``arrivals: {crew: NAME}``).

A unit (a fault's target) stays up for an exponential time of mean ``every``, then is
down until repaired; the repair lasts ``lasts``. Without a crew every unit is repaired
at once by its own (independent repair). Units whose faults name one crew share a single
repairer: a failure waits while the crew repairs another unit, oldest failure first, and
the outage lasts the wait plus the repair. Everything is planned up front from each
unit's own two streams (gaps, repair times), like every other fault (common random
numbers); docs/validation.md checks both against anchors.md §2.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from drillsim.engine.streams import RandomStreams
from drillsim.spec.scenario import Fault


@dataclass(frozen=True, slots=True)
class Unit:
    """One failing unit: a fault with renewal arrivals and one target of it."""

    base: str
    label: str
    fault: Fault
    services: tuple[str, ...]
    zone: tuple[str, str] | None
    region: str | None

    @property
    def crew(self) -> str:
        """The repair crew it waits for: the fault's named one, else its own."""
        assert self.fault.arrivals is not None
        return self.fault.arrivals.crew or f"own/{self.base}/{self.label}"


@dataclass(frozen=True, slots=True)
class Outage:
    """A planned outage of a unit: its number, start and length (wait + repair)."""

    unit: Unit
    number: int
    start_s: float
    lasts_s: float


def plan_outages(units: list[Unit], streams: RandomStreams, horizon_s: float) -> list[Outage]:
    """Every outage before the horizon, units sharing a crew repaired one at a time."""
    gaps = {u: streams.generator(f"fault/{u.base}/{u.label}/starts") for u in units}
    repairs = {u: streams.generator(f"fault/{u.base}/{u.label}/lasts") for u in units}
    out: list[Outage] = []
    crews: dict[str, list[Unit]] = {}
    for u in units:
        crews.setdefault(u.crew, []).append(u)
    for members in crews.values():
        free_s = 0.0
        count = dict.fromkeys(members, 0)
        pending: list[tuple[float, int, Unit]] = []
        for i, u in enumerate(members):
            assert u.fault.arrivals is not None
            t = u.fault.arrivals.after + float(gaps[u].exponential(u.fault.arrivals.every))
            heapq.heappush(pending, (t, i, u))
        while pending:
            failed_s, i, u = heapq.heappop(pending)
            if failed_s >= horizon_s:
                continue
            assert u.fault.arrivals is not None and u.fault.lasts is not None
            repaired_s = max(failed_s, free_s) + u.fault.lasts.sample(repairs[u])
            free_s = repaired_s
            count[u] += 1
            out.append(Outage(u, count[u], failed_s, repaired_s - failed_s))
            nxt = repaired_s + float(gaps[u].exponential(u.fault.arrivals.every))
            heapq.heappush(pending, (nxt, i, u))
    return out
