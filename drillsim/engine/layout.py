"""What a topology looks like to the engine, computed once per drill and shared by all
its replications: the health model, where replicas and standbys sit, and how long a
change takes to reach each dependent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from drillsim.engine.health import HealthModel
from drillsim.spec.topology import ActiveStandby, Topology

Place = tuple[str, str]


@dataclass(slots=True)
class TopologyLayout:
    """Static facts about a topology (read-only during a drill; distances fill lazily)."""

    topology: Topology
    model: HealthModel
    replica_slots: dict[str, list[Place]]
    standby: dict[str, Place]
    dependents: nx.DiGraph
    dependents_of: dict[str, tuple[str, ...]]
    _distances: dict[str, dict[str, float]] = field(default_factory=dict)

    def services_in(self, region: str, zone: str | None = None) -> tuple[str, ...]:
        """Services with a replica or an active-standby instance in the region (or zone)."""
        out = []
        for name, slots in self.replica_slots.items():
            places = [*slots, *([self.standby[name]] if name in self.standby else [])]
            if any(r == region and (zone is None or z == zone) for r, z in places):
                out.append(name)
        return tuple(out)

    def distances_from(self, source: str) -> dict[str, float]:
        """Propagation delay from ``source`` to each service that (transitively) needs it."""
        found = self._distances.get(source)
        if found is None:
            found = nx.single_source_dijkstra_path_length(
                self.dependents, source, weight="propagation_s"
            )
            self._distances[source] = found
        return found


def layout_of(topology: Topology) -> TopologyLayout:
    """Build the layout of a topology."""
    slots = {s.name: topology.placement_of(s) for s in topology.services}
    standby = {
        s.name: standby_location(topology, s.redundancy, slots[s.name])
        for s in topology.services
        if isinstance(s.redundancy, ActiveStandby)
    }
    dependents = topology.graph().reverse(copy=True)
    return TopologyLayout(
        topology,
        HealthModel(topology),
        slots,
        standby,
        dependents,
        {n: tuple(sorted(dependents.successors(n))) for n in dependents.nodes},
    )


def standby_location(topology: Topology, red: ActiveStandby, slots: list[Place]) -> Place:
    """Where the standby instance runs: the named region/zone, else the second slot."""
    if red.standby_region is not None:
        zones = topology.regions[red.standby_region].zones
        zone = red.standby_zone if red.standby_zone in zones else zones[0]
        return red.standby_region, zone
    if len(slots) > 1:
        return slots[1]
    region = slots[0][0] if slots else next(iter(topology.regions))
    zones = topology.regions[region].zones
    return region, zones[1 % len(zones)]
