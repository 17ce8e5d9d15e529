"""What an M/M/c on-call queue costs in bare SimPy, with no drillsim logic at all: the floor
under ``staffing_queue.py``'s drillsim figure.

drillsim runs every incident of the queue as a whole drill (a fault, health, an alert,
routing, an incident, pages, a responder's work and repair, all in the event log). Its
wall time is bounded below by the SimPy events it schedules and the records it writes,
whatever the code around them does. These two models measure that bound on the same
machine, in the same run as Ciw, so the ratio against Ciw can be read as "how much of
the gap is drillsim's code, and how much is the work any drill of this shape must do":

* ``drill_shaped``: the textbook M/M/c (first free responder takes the oldest waiting
  incident) in SimPy callbacks, plus, per incident, as many further SimPy events and
  log records as the drillsim run scheduled and wrote per incident (zero-delay timeouts
  and ``PageSent`` rows). It is the cost of a drill's event count and log with every
  decision taken out.
* ``lean``: the same queue writing the six records a scorecard needs to measure the
  wait and the handling (fault, incident, one page, acknowledgement, repair,
  resolution): the least any simulator that keeps drillsim's event log could do.

Both are real queues: their mean waits are returned and printed beside Erlang C's, so a
model that did less than the queue's work would show it. Neither is part of drillsim.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from drillsim.events import (
    EventLog,
    FaultCleared,
    FaultInjected,
    IncidentOpened,
    IncidentResolved,
    PageAcknowledged,
    PageSent,
)

LEAN_RECORDS = 6
"""Records per incident of the ``lean`` model (see the module docstring)."""
QUEUE_EVENTS = 2
"""SimPy events the bare queue schedules per incident: its arrival and its handling."""


def mmc_floor(
    *,
    lam_h: float,
    mu_h: float,
    servers: int,
    horizon_h: float,
    seed: int,
    events_per_incident: float = 0.0,
    records_per_incident: float = LEAN_RECORDS,
) -> dict[str, Any]:
    """Run the M/M/c queue to ``horizon_h`` in SimPy, padding each incident up to
    ``events_per_incident`` SimPy events and ``records_per_incident`` records (never
    below the queue's own two events and six records); time it, garbage collector
    included, as ``staffing_queue.py`` times drillsim."""
    env = simpy.Environment()
    log = EventLog()
    record = log.record
    rng = np.random.default_rng(seed)
    expected = int(lam_h * horizon_h * 1.2) + 1000
    gaps = iter(rng.exponential(3600.0 / lam_h, expected).tolist())
    handling = iter(rng.exponential(3600.0 / mu_h, expected).tolist())
    people = [f"r{i}" for i in range(servers)]
    free: deque[str] = deque(people)
    waiting: deque[tuple[str, float]] = deque()
    waits: list[float] = []
    extra_events = max(0.0, events_per_incident - QUEUE_EVENTS)
    extra_records = max(0.0, records_per_incident - LEAN_RECORDS)
    owed = [0.0, 0.0]  # fractional events and records carried to the next incident
    timeout = env.timeout

    def pad(now: float, incident: str) -> None:
        owed[0] += extra_events
        owed[1] += extra_records
        for _ in range(int(owed[0])):
            timeout(0)
        for _ in range(int(owed[1])):
            record(
                PageSent(
                    t=now, incident=incident, person="r0", level=1, loop=1,
                    off_hours=False, asleep=False,
                )
            )  # fmt: skip
        owed[0] -= int(owed[0])
        owed[1] -= int(owed[1])

    def take(incident: str, opened: float, person: str) -> None:
        now = env.now
        waits.append((now - opened) / 3600.0)
        record(PageSent(t=now, incident=incident, person=person, level=1, loop=1,
                        off_hours=False, asleep=False))  # fmt: skip
        record(PageAcknowledged(t=now, incident=incident, person=person))
        done = timeout(next(handling))
        done.callbacks.append(finisher(incident, person))

    def finisher(incident: str, person: str) -> Callable[[Any], None]:
        def finish(_event: Any) -> None:
            now = env.now
            record(FaultCleared(t=now, fault=incident, by=person))
            record(IncidentResolved(t=now, incident=incident, by=person, reason="repaired"))
            if waiting:
                take(*waiting.popleft(), person)
            else:
                free.append(person)

        return finish

    def arrivals() -> Any:
        k = 0
        while True:
            yield timeout(next(gaps))
            now = env.now
            k += 1
            incident = f"INC-{k}"
            service = f"s{k % 200:03d}"
            record(
                FaultInjected(
                    t=now,
                    fault=incident,
                    type="crash",
                    target=service,
                    services=(service,),
                    ends="repaired",
                    remedy="restart",
                )
            )
            record(IncidentOpened(t=now, incident=incident, group_key=service,
                                  receiver="pager", policy="team", severity="critical",
                                  services=(service,), title="Down"))  # fmt: skip
            pad(now, incident)
            if free:
                take(incident, now, free.popleft())
            else:
                waiting.append((incident, now))

    gc_seconds = [0.0, 0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_seconds[1] = time.perf_counter()
        else:
            gc_seconds[0] += time.perf_counter() - gc_seconds[1]

    gc.callbacks.append(on_gc)
    try:
        t0 = time.perf_counter()
        env.process(arrivals())
        env.run(until=horizon_h * 3600.0)
        wall = time.perf_counter() - t0
    finally:
        gc.callbacks.remove(on_gc)
    incidents = len(waits) + len(waiting)
    return {
        "wall_s": wall,
        "gc_s": gc_seconds[0],
        "incidents": incidents,
        "events_per_incident": next(env._eid) / incidents,  # SimPy numbers every event
        "records_per_incident": len(log) / incidents,
        "mean_wait": statistics.fmean(waits),
        "p_wait": sum(w > 0.0 for w in waits) / len(waits),
    }
