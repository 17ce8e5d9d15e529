"""On-call as an M/M/c queue, and M/M/c/K with a cap on waiting incidents
(reference/anchors.md §1; docs/validation.md).

Incidents arrive as a Poisson stream (rate lambda) and c responders, paged together,
each handle one at a time for an exponential time (rate mu); see ``queue_drill`` for
how drillsim's own documents say that. Two kinds of check:

* exact path (fast): the engine's waits equal those of a 20-line FIFO c-server queue fed
  the same arrival instants and handling times read from the log. This pins the queue
  discipline (shared FIFO, no hidden delays, blocking exactly when K are in the system)
  without any statistics.
* closed form (slow): P(wait) and Wq against Erlang C, P(block) and Wq of admitted
  incidents against M/M/c/K, within 3 standard errors of the mean of per-seed estimates.
  Each check has seeds of its own (anchors.md §1.3: shared seeds correlate failures).
"""

from __future__ import annotations

import heapq
import math
from pathlib import Path
from statistics import mean, stdev

import pytest
from closed_forms import erlang_c, mmck
from queue_drill import incident_waits, write_queue_drill

import drillsim
from drillsim.engine.simulation import Simulation
from drillsim.events import IncidentOpened, IncidentResolved, PageAcknowledged

WARM_UP_S = 20 * 3600.0


def test_closed_forms_reproduce_the_anchor_tables() -> None:
    """anchors.md §1.2's worked examples, to 1e-6."""
    assert erlang_c(3, 2.0, 1.0) == pytest.approx((0.444444, 0.444444), abs=1e-6)
    assert erlang_c(4, 2.0, 1.0) == pytest.approx((0.173913, 0.086957), abs=1e-6)
    assert erlang_c(11, 10.0, 1.0) == pytest.approx((0.682118, 0.682118), abs=1e-6)
    assert mmck(3, 6, 2.0, 1.0) == pytest.approx((0.048120, 0.208531), abs=1e-6)
    assert mmck(1, 3, 0.5, 1.0) == pytest.approx((0.066667, 0.571429), abs=1e-6)
    assert mmck(10, 15, 9.0, 1.0) == pytest.approx((0.061259, 0.126277), abs=1e-6)


def fifo_reference(
    arrivals: list[float], services: dict[int, float], servers: int, capacity: int | None
) -> list[float | None]:
    """Start times of a FIFO c-server queue (None: blocked at a full system)."""
    free = [0.0] * servers
    starts: list[float | None] = []
    in_queue: list[float] = []  # start times of admitted customers not yet started
    for i, t in enumerate(arrivals):
        in_queue = [s for s in in_queue if s > t]
        if capacity is not None and len(in_queue) >= capacity - servers:
            starts.append(None)
            continue
        start = max(heapq.heappop(free), t)
        heapq.heappush(free, start + services[i])
        if start > t:
            in_queue.append(start)
        starts.append(start)
    return starts


@pytest.mark.parametrize(("max_waiting", "seed"), [(None, 11), (3, 12)])
def test_the_engine_is_a_fifo_queue_on_its_own_path(
    tmp_path: Path, max_waiting: int | None, seed: int
) -> None:
    """Every acknowledgement happens exactly when a FIFO c-server queue (with K = c +
    max_waiting) would start service; blocked incidents are exactly those it blocks."""
    path = write_queue_drill(
        tmp_path,
        servers=3,
        arrival_gap_min=30,
        service_mean_min=60,
        hours=400,
        max_waiting=max_waiting,
        services=96 if max_waiting else 48,
        self_heal_h=20 if max_waiting else None,
    )
    log = Simulation(drillsim.load_scenario(path).spec, seed).run().log
    opened: dict[str, float] = {}
    acked: dict[str, float] = {}
    resolved: dict[str, float] = {}
    for rec in log:
        if isinstance(rec, IncidentOpened):
            opened[rec.incident] = rec.t
        elif isinstance(rec, PageAcknowledged):
            acked.setdefault(rec.incident, rec.t)
        elif isinstance(rec, IncidentResolved) and rec.by != "alertmanager":
            resolved[rec.incident] = rec.t
    ids = [i for i in sorted(opened, key=opened.__getitem__) if i in resolved or i not in acked]
    settled_before = log[-1].t - 30 * 3600
    ids = [i for i in ids if opened[i] < settled_before]  # all settled
    services = {k: resolved[i] - acked[i] for k, i in enumerate(ids) if i in acked}
    reference = fifo_reference(
        [opened[i] for i in ids], services, 3, None if not max_waiting else 3 + max_waiting
    )
    assert len(ids) > 600
    waited = 0
    for i, start in zip(ids, reference, strict=True):
        if start is None:
            assert i not in acked, i
        else:
            assert acked[i] == pytest.approx(start, abs=1e-6), i
            waited += start > opened[i]
    assert waited > 100  # the queue did form
    if max_waiting:
        assert reference.count(None) > 5


def per_seed(drill_path: Path, seeds: range) -> list[tuple[float, float, float]]:
    """(P(block), P(wait), mean wait of admitted incidents in hours) per seed."""
    drill = drillsim.load_scenario(drill_path)
    rows = []
    for seed in seeds:
        waits, blocked = incident_waits(drill, seed, WARM_UP_S)
        n = len(waits) + blocked
        rows.append((blocked / n, sum(w > 0 for w in waits) / n, mean(waits) / 3600))
    return rows


def within_3se(values: list[float], expected: float) -> tuple[float, float, float]:
    """(mean, standard error, z) of independent per-seed estimates."""
    m, se = mean(values), stdev(values) / math.sqrt(len(values))
    z = (m - expected) / se
    assert abs(z) < 3, (m, se, expected, z)
    return m, se, z


@pytest.mark.slow
def test_waiting_matches_erlang_c(tmp_path: Path) -> None:
    """M/M/3, lambda = 2/h, 1/mu = 1 h: P(wait) = Wq = 0.4444 (16 seeds x 2,000 h)."""
    path = write_queue_drill(
        tmp_path, servers=3, arrival_gap_min=30, service_mean_min=60, hours=2000
    )
    rows = per_seed(path, range(1000, 1016))
    p_wait, wq = erlang_c(3, 2.0, 1.0)
    within_3se([r[1] for r in rows], p_wait)
    within_3se([r[2] for r in rows], wq)


@pytest.mark.slow
def test_blocking_matches_mmck(tmp_path: Path) -> None:
    """M/M/3/6 (max_waiting 3), lambda = 2/h, 1/mu = 1 h: P(block) = 0.048120 and Wq of
    admitted incidents 0.208531 h (16 seeds x 2,000 h, seeds of its own)."""
    path = write_queue_drill(
        tmp_path,
        servers=3,
        arrival_gap_min=30,
        service_mean_min=60,
        hours=2000,
        max_waiting=3,
        services=96,
        self_heal_h=20,
    )
    rows = per_seed(path, range(2000, 2016))
    p_block, wq = mmck(3, 6, 2.0, 1.0)
    within_3se([r[0] for r in rows], p_block)
    within_3se([r[2] for r in rows], wq)
