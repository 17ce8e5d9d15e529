"""Service health from the faults acting on the topology (pure: no simpy, no time).

Given what is wrong with each service itself (:class:`OwnState`), :class:`HealthModel`
computes every service's signals: error rate, p99 latency, liveness and saturation,
passing errors along hard dependencies (after retries) and latency along soft ones.

Dependency cycles are allowed: inside a strongly connected component a request is
followed along simple paths only (it never calls back into a service it already passed),
so a cycle neither amplifies a fault nor sustains one, and evaluation always terminates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

from drillsim.spec.topology import ActiveStandby, KOfN, Service, Topology

if TYPE_CHECKING:
    from drillsim.engine.backlog import BacklogSignal

MAX_SATURATION = 0.95


@dataclass(frozen=True, slots=True)
class Health:
    """A service's observable signals."""

    error_rate: float
    latency_s: float
    up: int
    saturation: float

    def close_to(self, other: Health) -> bool:
        """Equal up to rounding noise (no spurious change records)."""
        return (
            self.up == other.up
            and abs(self.error_rate - other.error_rate) < 1e-9
            and abs(self.latency_s - other.latency_s) < 1e-9
            and abs(self.saturation - other.saturation) < 1e-9
        )


@dataclass(slots=True)
class OwnState:
    """What is wrong with one service itself, before dependencies are considered."""

    crashed: bool = False
    down_replicas: int = 0
    extra_replicas: int = 0
    capacity_lost: float = 0.0
    error_rate: float = 0.0
    added_latency_s: float = 0.0
    partitioned: set[str] = field(default_factory=set)
    active_down: bool = False
    backlog: BacklogSignal | None = None
    """The request backlog's effect (services with ``capacity_rps`` only)."""


_CLEAN = OwnState()
"""A service with nothing wrong with it (read only: never mutate it)."""


def capacity_share(service: Service, own: OwnState) -> float:
    """Share of the service's full capacity that is alive (0 when it is down)."""
    alive = min(service.replicas, service.replicas - own.down_replicas + own.extra_replicas)
    down = own.crashed or own.active_down or alive <= 0
    if isinstance(service.redundancy, ActiveStandby):
        alive = service.replicas  # the active instance carries the load alone
    return 0.0 if down else (alive / service.replicas) * (1.0 - own.capacity_lost)


@dataclass(frozen=True, slots=True)
class _Dep:
    service: str
    hard: bool
    attempts: int
    timeout_s: float


class HealthModel:
    """Evaluates every service's health for a given set of own states."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.names = [s.name for s in topology.services]
        self._svc = {s.name: s for s in topology.services}
        self._deps = {
            s.name: tuple(
                _Dep(d.service, d.kind == "hard", d.retries + 1, d.timeout) for d in s.depends_on
            )
            for s in topology.services
        }
        self._needed = {s.name: _needed_share(s) for s in topology.services}
        graph = topology.graph()
        condensed = nx.condensation(graph)
        order = list(reversed(list(nx.topological_sort(condensed))))
        self._components: list[tuple[str, ...]] = [
            tuple(sorted(condensed.nodes[c]["members"])) for c in order
        ]
        self._component_of = {n: i for i, comp in enumerate(self._components) for n in comp}
        self.affects: dict[str, frozenset[str]] = {
            n: frozenset(nx.ancestors(graph, n)) | {n} for n in self.names
        }
        """Services whose health can change when ``n`` changes: ``n`` and its dependents."""
        self._own_healthy = {name: self._own_health(name, OwnState()) for name in self.names}
        self._base_latency = {name: h.latency_s for name, h in self._own_healthy.items()}
        self.healthy = self.evaluate({})

    def _own_health(self, name: str, own: OwnState) -> Health:
        svc = self._svc[name]
        needed = self._needed[name]
        alive = min(svc.replicas, svc.replicas - own.down_replicas + own.extra_replicas)
        down = own.crashed or own.active_down or alive <= 0
        capacity = capacity_share(svc, own)
        if capacity <= 0:
            return Health(1.0, svc.latency + own.added_latency_s, 0 if down else 1, 1.0)
        saturation = needed / capacity
        if svc.capacity_rps is not None:
            return _queued_health(svc, own, saturation)
        overload = max(0.0, 1.0 - capacity / needed) if needed > 0 else 0.0
        base_rho = min(needed, MAX_SATURATION)
        rho = min(saturation, MAX_SATURATION)
        latency = svc.latency * (1 - base_rho) / (1 - rho) + own.added_latency_s
        error = 1.0 - (1.0 - overload) * (1.0 - own.error_rate)
        return Health(error, latency, 1, saturation)

    def evaluate(
        self,
        states: dict[str, OwnState],
        changed: set[str] | frozenset[str] | None = None,
        previous: dict[str, Health] | None = None,
    ) -> dict[str, Health]:
        """Health of every service given each service's own state (missing = clean).

        With ``changed`` (services whose own state differs from when ``previous`` was
        computed), only those services and their dependents are evaluated again; the
        rest keep their previous health. The result is the same as a full evaluation.
        """
        if changed is None or previous is None:
            return self._evaluate(self._components, states, {})
        result = dict(previous)
        result.update(self.reevaluate(states, self.touched_by(changed), previous))
        return result

    def touched_by(self, changed: set[str] | frozenset[str]) -> set[str]:
        """Services whose health can change when the own state of ``changed`` does."""
        return set().union(*(self.affects[c] for c in changed)) if changed else set()

    def reevaluate(
        self,
        states: dict[str, OwnState],
        touched: set[str],
        previous: dict[str, Health],
        own_health: dict[str, Health] | None = None,
    ) -> dict[str, Health]:
        """New health of the ``touched`` services only (see :meth:`touched_by`); every
        other service keeps its health in ``previous``. Returning just these spares a
        copy of every service's health when one of them changed.

        ``own_health``, if given, holds :meth:`own_health` of every service in
        ``states`` (a caller that keeps states between calls can keep these too).
        """
        indexes = sorted({self._component_of[n] for n in touched})
        components = [self._components[i] for i in indexes]
        return self._evaluate(components, states, previous, own_health)

    def own_health(self, name: str, state: OwnState) -> Health:
        """The service's health from its own state alone (no dependencies)."""
        return self._own_health(name, state)

    def _evaluate(
        self,
        components: list[tuple[str, ...]],
        states: dict[str, OwnState],
        previous: dict[str, Health],
        own_health: dict[str, Health] | None = None,
    ) -> dict[str, Health]:
        """Health of the members of ``components`` (in dependency order); a dependency
        outside them has its health in ``previous``."""
        result: dict[str, Health] = {}

        def lookup(dep: str) -> Health | None:
            found = result.get(dep)
            return previous.get(dep) if found is None else found

        if own_health is None:
            own = {
                n: (self._own_health(n, states[n]) if n in states else self._own_healthy[n])
                for comp in components
                for n in comp
            }
        else:
            healthy = self._own_healthy
            own = {n: own_health.get(n, healthy[n]) for comp in components for n in comp}
        for component in components:
            if len(component) == 1:
                name = component[0]
                result[name] = self._combine(name, own[name], states.get(name, _CLEAN), lookup)
            else:
                members = frozenset(component)
                memo: dict[tuple[str, frozenset[str]], Health] = {}
                for name in component:
                    result[name] = self._along_simple_paths(
                        name, frozenset(), members, own, states, lookup, memo
                    )
        return result

    def _along_simple_paths(
        self,
        name: str,
        path: frozenset[str],
        members: frozenset[str],
        own: dict[str, Health],
        states: dict[str, OwnState],
        done: Callable[[str], Health | None],
        memo: dict[tuple[str, frozenset[str]], Health],
    ) -> Health:
        """Health inside a dependency cycle: a request never revisits a service it passed.

        Large cycles (over 8 services) fall back to cutting calls back into the path's
        members after the first hop, which keeps the cost linear.
        """
        key = (name, path)
        if key in memo:
            return memo[key]
        on_path = path | {name}
        deep = len(members) > 8 and len(path) >= 1

        def lookup(dep: str) -> Health | None:
            if dep not in members:
                return done(dep)
            if dep in on_path:
                return None
            if deep:
                return own[dep]
            return self._along_simple_paths(dep, on_path, members, own, states, done, memo)

        value = self._combine(name, own[name], states.get(name, _CLEAN), lookup)
        memo[key] = value
        return value

    def _combine(
        self, name: str, own: Health, state: OwnState, lookup: Callable[[str], Health | None]
    ) -> Health:
        ok = 1.0 - own.error_rate
        extra_latency = 0.0
        partitioned = state.partitioned
        for dep in self._deps[name]:
            h = lookup(dep.service)
            if h is None:
                continue
            base = self._base_latency[dep.service]
            if h.error_rate == 0.0 and h.latency_s <= base and dep.service not in partitioned:
                continue  # a healthy dependency adds nothing
            slower = h.latency_s - base if h.latency_s > base else 0.0
            timeout = dep.timeout_s
            if dep.hard:
                if dep.service in partitioned:
                    failing = 1.0  # every attempt times out
                    slower = timeout * dep.attempts
                else:
                    ratio = h.latency_s / timeout - 1.0
                    timing_out = 0.0 if ratio <= 0.0 else (1.0 if ratio >= 1.0 else ratio)
                    per_call = 1.0 - (1.0 - h.error_rate) * (1.0 - timing_out)
                    failing = per_call**dep.attempts
                ok *= 1.0 - failing
                cap = timeout * dep.attempts
                extra_latency += slower if slower < cap else cap
            else:
                slow = slower + h.error_rate * timeout
                extra_latency += slow if slow < timeout else timeout
        if ok == 1.0 - own.error_rate and extra_latency == 0.0:
            return own
        return Health(1.0 - ok, own.latency_s + extra_latency, own.up, own.saturation)


def _queued_health(svc: Service, own: OwnState, saturation: float) -> Health:
    """Health of a service with a request backlog: the backlog, not utilisation, says
    what a capacity loss does (no fluid shedding, no M/M/1 latency curve)."""
    signal = own.backlog
    latency = svc.latency + own.added_latency_s
    if signal is None:
        return Health(own.error_rate, latency, 1, saturation)
    error = 1.0 - (1.0 - signal.error_rate) * (1.0 - own.error_rate)
    return Health(error, latency + signal.latency_s, 1, signal.saturation)


def _needed_share(service: Service) -> float:
    """Share of full capacity the peak load needs (k/n for explicit k-of-n; peak rps
    over ``capacity_rps`` for a service with a backlog)."""
    if service.capacity_rps is not None and service.traffic is not None:
        return service.traffic.rps / service.capacity_rps
    if isinstance(service.redundancy, KOfN):
        return service.redundancy.k / service.replicas
    return service.utilisation
