"""Customer impact: failed requests and affected user-minutes of services with traffic.

Health is a step function between changes, and traffic has an exact integral
(:mod:`drillsim.engine.traffic`), so the meter records one ``ImpactAccrued`` per hurt
interval: when the service's health changes, and when the drill ends.
"""

from __future__ import annotations

from drillsim.engine.health import Health
from drillsim.engine.traffic import TrafficCurve
from drillsim.engine.world import World
from drillsim.events import EventLog, ImpactAccrued


class ImpactMeter:
    """Listens to the health of every service with traffic and accrues its impact."""

    def __init__(self, world: World, traffic: dict[str, TrafficCurve], log: EventLog) -> None:
        self.world = world
        self.traffic = traffic
        self.log = log
        self._health: dict[str, Health] = {n: world.visible[n] for n in traffic}
        self._since = dict.fromkeys(traffic, 0.0)
        self._slo_latency = {n: world.topology.service(n).slo.latency_p99 for n in traffic}
        for name in sorted(traffic):
            world.subscribe(name, self._on_change)

    def _on_change(self, service: str) -> None:
        self._accrue(service, self.world.now())
        self._health[service] = self.world.visible[service]

    def close(self, now: float) -> None:
        """Accrue every service's impact up to the end of the drill."""
        for name in sorted(self._health):
            self._accrue(name, now)

    def _accrue(self, name: str, now: float) -> None:
        """Impact of ``name`` over [its last change, now] at the health it had then.

        Failed requests = error rate x requests; user-minutes = affected share x active
        users x minutes, where an outage or a latency-SLO breach affects every user.
        """
        since, h = self._since[name], self._health[name]
        self._since[name] = now
        if now <= since:
            return
        slo = self._slo_latency[name]
        degraded = 1.0 if slo is not None and h.latency_s > slo else 0.0
        impacted = max(h.error_rate, degraded, 1.0 if h.up == 0 else 0.0)
        if impacted <= 0.0:
            return
        curve = self.traffic[name]
        failed = h.error_rate * curve.requests(since, now)
        user_minutes = impacted * curve.user_seconds(since, now) / 60.0
        self.log.record(
            ImpactAccrued(
                t=now, service=name, since=since, failed_requests=failed, user_minutes=user_minutes
            )
        )
