"""Closed forms the simulator is checked against (reference/anchors.md §1-2).

Pure arithmetic, kept beside the tests that use them: Erlang C and M/M/c/K for the
on-call queue, k-of-n availability with independent repair.
"""

from __future__ import annotations

import math


def erlang_b(servers: int, load: float) -> float:
    """Blocking of M/M/c/c by the stable recursion B(k) = A B(k-1) / (k + A B(k-1))."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> tuple[float, float]:
    """(P(wait), Wq) of M/M/c with FIFO service; Wq in the rates' time unit."""
    a = arrival_rate / service_rate
    b = erlang_b(servers, a)
    c = servers * b / (servers - a * (1 - b))
    return c, c / (servers * service_rate - arrival_rate)


def mmck(
    servers: int, capacity: int, arrival_rate: float, service_rate: float
) -> tuple[float, float]:
    """(P(block), Wq of admitted customers) of M/M/c/K (K customers in the system)."""
    a = arrival_rate / service_rate
    weights = [
        a**n / math.factorial(n)
        if n <= servers
        else a**servers / math.factorial(servers) * (a / servers) ** (n - servers)
        for n in range(capacity + 1)
    ]
    total = sum(weights)
    p = [w / total for w in weights]
    lq = sum((n - servers) * p[n] for n in range(servers + 1, capacity + 1))
    return p[capacity], lq / (arrival_rate * (1 - p[capacity]))


def k_of_n(k: int, n: int, mtbf: float, mttr: float) -> float:
    """Availability of k-of-n identical units with independent repair."""
    a = mtbf / (mtbf + mttr)
    return sum(math.comb(n, i) * a**i * (1 - a) ** (n - i) for i in range(k, n + 1))


def k_of_n_one_crew(k: int, n: int, mtbf: float, mttr: float) -> float:
    """Availability of k-of-n identical units sharing one repair crew: a birth-death
    chain on the number failed, failures at (n - i) / MTBF, repairs at 1 / MTTR."""
    weights = [1.0]
    for i in range(1, n + 1):
        weights.append(weights[-1] * (n - i + 1) * mttr / mtbf)
    return sum(weights[: n - k + 1]) / sum(weights)


def active_standby(mtbf: float, mttr: float, switchover: float, coverage: float) -> float:
    """Availability of anchors.md §2.1's active-standby chain: both units fail at 1/MTBF
    (the standby too); a covered failure of the active unit (share ``coverage``) starts
    a switchover of mean ``switchover`` (down), an uncovered one stays down until that
    unit's repair; one repair crew at 1/MTTR. States: both ok, switching, one ok and one
    in repair, uncovered, both failed (up: the first and third)."""
    import numpy as np

    lam, mu, c = 1 / mtbf, 1 / mttr, coverage
    q = np.zeros((5, 5))
    q[0, 1], q[0, 3], q[0, 2] = lam * c, lam * (1 - c), lam
    q[1, 2], q[1, 4] = 1 / switchover, lam
    q[2, 0], q[2, 4] = mu, lam
    q[3, 0], q[3, 4] = mu, lam
    q[4, 2] = mu
    q -= np.diag(q.sum(axis=1))
    a = np.vstack([q.T, np.ones(5)])
    b = np.zeros(6)
    b[-1] = 1.0
    p = np.linalg.lstsq(a, b, rcond=None)[0]
    return float(p[0] + p[2])
