"""The ``Topology`` document: services, their placement, traffic, redundancy and dependencies.

Edge direction is documented once: ``a -> b`` means *a depends on b*. An outage of ``b``
propagates to ``a`` along hard edges and degrades ``a`` along soft ones.
"""

from __future__ import annotations

import itertools
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from drillsim.spec.types import (
    ClockMinutes,
    DurationS,
    Fraction,
    Name,
    PositiveDurationS,
    SpecModel,
    TimeZoneName,
)

if TYPE_CHECKING:
    import networkx as nx

#: Named daily traffic curves: multiplier of the service's peak rps at each local hour.
TRAFFIC_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    "business-day": (
        0.15,
        0.10,
        0.08,
        0.08,
        0.10,
        0.15,
        0.30,
        0.55,
        0.80,
        0.95,
        1.00,
        1.00,
        0.95,
        1.00,
        1.00,
        0.95,
        0.90,
        0.80,
        0.60,
        0.45,
        0.35,
        0.30,
        0.25,
        0.20,
    ),
    "consumer-evening": (
        0.35,
        0.22,
        0.15,
        0.12,
        0.10,
        0.12,
        0.20,
        0.35,
        0.45,
        0.50,
        0.55,
        0.60,
        0.65,
        0.62,
        0.60,
        0.62,
        0.68,
        0.75,
        0.85,
        0.95,
        1.00,
        0.95,
        0.75,
        0.50,
    ),
    "batch-night": (
        1.00,
        1.00,
        0.95,
        0.90,
        0.70,
        0.40,
        0.20,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.15,
        0.20,
        0.30,
        0.50,
        0.80,
        0.95,
    ),
}


class Region(SpecModel):
    """A region and its availability zones."""

    zones: list[Name] = Field(min_length=1)


class Traffic(SpecModel):
    """Request rate: peak rps shaped by a daily curve in a local time zone."""

    rps: float = Field(ge=0, description="requests per second at the curve's peak")
    profile: Literal["flat", "business-day", "consumer-evening", "batch-night"] = "flat"
    points: dict[ClockMinutes, float] | None = Field(
        default=None, description='explicit curve, e.g. {"00:00": 0.2, "12:00": 1.0}'
    )
    users: float | None = Field(
        default=None, ge=0, description="active users at the peak; default one per rps"
    )
    tz: TimeZoneName | None = Field(default=None, description="defaults to the topology's zone")

    def hourly_factors(self) -> tuple[float, ...]:
        """The curve as 24 multipliers at each whole local hour (linear in between)."""
        if not self.points:
            return TRAFFIC_PROFILES[self.profile]
        marks = sorted(self.points.items())
        out = []
        for hour in range(24):
            minute = hour * 60
            out.append(_interpolate_circular(marks, minute))
        return tuple(out)


def _interpolate_circular(marks: list[tuple[int, float]], minute: int) -> float:
    extended = [(m - 1440, v) for m, v in marks] + marks + [(m + 1440, v) for m, v in marks]
    for (m0, v0), (m1, v1) in itertools.pairwise(extended):
        if m0 <= minute <= m1:
            return v0 if m1 == m0 else v0 + (v1 - v0) * (minute - m0) / (m1 - m0)
    return marks[0][1]  # pragma: no cover - extended covers the whole day


class Slo(SpecModel):
    """Service-level objective: what the error budget is measured against."""

    availability: Fraction = 0.999
    latency_p99: PositiveDurationS | None = None
    window: PositiveDurationS = 30 * 86400.0


class Dependency(SpecModel):
    """``service`` is needed (hard) or nice to have (soft) by the declaring service."""

    service: Name
    kind: Literal["hard", "soft"] = "hard"
    timeout: PositiveDurationS = 2.0
    retries: int = Field(default=0, ge=0, le=10)
    propagation: DurationS | None = Field(
        default=None,
        description="delay before the dependency's state reaches the dependent; "
        "default timeout * (retries + 1)",
    )

    @property
    def propagation_s(self) -> float:
        """Delay for a change of the dependency to show in the dependent."""
        if self.propagation is not None:
            return self.propagation
        return self.timeout * (self.retries + 1)


class Placement(SpecModel):
    """Where replicas run: spread round-robin over these regions' zones."""

    regions: list[Name] = Field(min_length=1)
    zones: list[Name] | None = Field(default=None, description="restrict to these zone names")


class KOfN(SpecModel):
    """Replicas share the load: the service is healthy while ``k`` replicas are up."""

    mode: Literal["k-of-n"] = "k-of-n"
    k: int = Field(ge=1)


class ActiveStandby(SpecModel):
    """One active instance and a standby that a failover promotes."""

    mode: Literal["active-standby"]
    standby_region: Name | None = None
    standby_zone: Name | None = None
    switchover: PositiveDurationS = 120.0
    success: Fraction = 0.95
    automatic: bool = Field(default=False, description="fail over without a responder")
    detection: DurationS = Field(default=30.0, description="time to detect, if automatic")
    retry: bool = Field(
        default=True,
        description="retry a failed automatic failover after detection; false: one attempt "
        "when the active instance fails, then the first instance repaired serves at once",
    )


class Clients(SpecModel):
    """How a service's callers behave when it is slow: the sustaining effect of a retry
    storm (anchors.md §4). Needs the service's ``capacity_rps``.

    A caller gives up on an attempt after ``timeout`` and sends another at once, up to
    ``retries`` more; without ``cancel`` the abandoned attempt stays queued and the server
    still does its work, which is what lets a storm outlast its trigger.
    """

    timeout: PositiveDurationS = Field(default=1.0, description="client timeout per attempt")
    retries: int = Field(default=0, ge=0, le=10, description="immediate retries per request")
    cancel: bool = Field(
        default=False,
        description="a timed-out attempt is removed from the queue (the server does no "
        "wasted work); default false, as in most real clients",
    )
    retry_budget: Fraction | None = Field(
        default=None,
        description="retries allowed as a share of requests (e.g. 10%): caps the attempts "
        "per request at 1 + budget; default no budget",
    )


class Service(SpecModel):
    """A deployable unit with an owner, criticality, replicas, traffic and dependencies."""

    name: Name
    team: Name
    tier: int = Field(default=2, ge=1, le=4, description="1 = most critical")
    replicas: int = Field(default=2, ge=1)
    placement: Placement | None = None
    traffic: Traffic | None = None
    slo: Slo = Slo()
    latency: PositiveDurationS = Field(default=0.1, description="normal p99 latency")
    utilisation: Fraction = Field(
        default=0.5, description="peak load over full capacity; headroom absorbs capacity loss"
    )
    depends_on: list[Dependency] = []
    redundancy: KOfN | ActiveStandby | None = Field(default=None, discriminator="mode")
    runbook: str | None = Field(default=None, description="link shown to responders")
    capacity_rps: float | None = Field(
        default=None,
        gt=0,
        description="requests per second the service serves at full capacity (its service "
        "rate); turns on the request-backlog model (docs/model.md), which then replaces "
        "utilisation for this service",
    )
    clients: Clients | None = Field(
        default=None,
        description="timeouts and retries of the service's callers (needs capacity_rps)",
    )

    @model_validator(mode="after")
    def _backlog_inputs(self) -> Service:
        if self.clients is not None and self.capacity_rps is None:
            raise ValueError("'clients' needs 'capacity_rps' (the rate the service serves)")
        if self.capacity_rps is None:
            return self
        traffic = self.traffic
        if traffic is None:
            raise ValueError("'capacity_rps' needs 'traffic' (the offered request rate)")
        if traffic.points or traffic.profile != "flat":
            raise ValueError(
                "traffic: the backlog model (capacity) takes a constant request rate: "
                "use a flat profile without points"
            )
        if traffic.rps >= self.capacity_rps:
            raise ValueError(
                f"capacity_rps: must exceed the offered {traffic.rps:g} rps (the backlog "
                "model starts from an empty, stable queue)"
            )
        return self

    @property
    def k_required(self) -> int:
        """Replicas needed to carry the load; default: enough for the utilisation."""
        if isinstance(self.redundancy, KOfN):
            return self.redundancy.k
        return max(1, -(-round(self.replicas * self.utilisation * 1000) // 1000))


class Team(SpecModel):
    """A team that owns services."""

    name: Name
    description: str = ""


class Topology(SpecModel):
    """``kind: Topology``: the modelled system a drill runs over."""

    kind: Literal["Topology"]
    version: Literal[1]
    name: Name
    description: str = ""
    tz: TimeZoneName = "UTC"
    regions: dict[Name, Region] = Field(min_length=1)
    teams: list[Team] = []
    services: list[Service] = Field(min_length=1)

    def service(self, name: str) -> Service:
        """The service called ``name`` (KeyError if absent)."""
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    def placement_of(self, service: Service) -> list[tuple[str, str]]:
        """(region, zone) of each replica, spread round-robin over the allowed zones."""
        placement = service.placement or Placement(regions=[next(iter(self.regions))])
        slots = [
            (r, z)
            for r in placement.regions
            if r in self.regions
            for z in self.regions[r].zones
            if placement.zones is None or z in placement.zones
        ]
        if not slots:
            return []
        return [slots[i % len(slots)] for i in range(service.replicas)]

    def graph(self) -> nx.DiGraph:
        """A frozen networkx view: nodes are services, ``a -> b`` means a depends on b."""
        import networkx as nx

        g = nx.DiGraph(name=self.name)
        for s in self.services:
            g.add_node(s.name, team=s.team, tier=s.tier, replicas=s.replicas)
        for s in self.services:
            for d in s.depends_on:
                g.add_edge(s.name, d.service, kind=d.kind, propagation_s=d.propagation_s)
        return nx.freeze(g)
