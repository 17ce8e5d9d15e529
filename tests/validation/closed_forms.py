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
