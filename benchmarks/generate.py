"""A seeded generator of realistic drill inputs for benchmarks.

``write_drill(folder, services=50, seed=1)`` writes the five documents of a one-week drill
(``scenario.yaml`` plus ``topology.yaml``, ``oncall.yaml``, ``rules.yaml``, ``routing.yaml``)
and returns the scenario's path. Everything is drawn from one ``numpy`` generator seeded
with ``seed``; networkx gets ``seed=``; Faker (people's names) only through
``seed_instance``. The same arguments always give byte-identical files.

The shape, for the default 50 services:

* 8 teams; 2 regions (eu-west, us-east) x 3 zones; tiers 1-4.
* A layered dependency DAG (edge / api / domain / data layers): a directed G(n, p) random
  graph from networkx, each edge oriented from the upper layer to the lower one, then
  topped up so every non-data service has a dependency and every service below the edge
  has a caller. One or two soft back edges (data -> domain, domain -> api) make cycles.
* About 75 % hard dependencies; traffic (rps with a daily curve) on the edge layer only.
* A few data stores run active-standby across regions (one fails over automatically).
* OnCall: 16 people in 3 time zones; one weekly rotation of 3 per team (people share
  rotations), an escalation policy per team (rotation, then the team lead), looped twice.
* AlertRules: ServiceDown (up), HighErrorRate (error_rate, with rare false positives),
  HighLatency (latency_p99, tiers 1-2), ErrorRateWarning (error_rate, goes to chat).
* Routing: warnings to a chat receiver that pages nobody, then one route per team.
* Scenario: ``duration: 7d`` with stochastic faults: error-rate bursts on tier 2, crashes
  on tier 1 that last until repaired, latency on tier 3, bad deploys on tier 3 and one
  zone outage mid-week.

Run ``python benchmarks/generate.py --services 50 --out /tmp/drill`` to look at the files.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import yaml

TEAM_NAMES = (
    "payments",
    "checkout",
    "catalog",
    "search",
    "identity",
    "fulfilment",
    "messaging",
    "platform",
    "growth",
    "billing",
    "support",
    "media",
)
ROLE_BY_LAYER = (
    ("web", "gateway", "bff", "edge", "mobile-api", "graphql", "portal", "cdn-origin"),
    ("api", "service", "admin-api", "public-api", "events-api", "rpc", "router", "facade"),
    (
        "worker",
        "engine",
        "scheduler",
        "indexer",
        "pricing",
        "ledger",
        "rules",
        "matcher",
        "notifier",
        "aggregator",
        "planner",
        "resolver",
    ),
    ("db", "cache", "queue", "store", "search-index", "blob", "kv", "stream"),
)
LAYER_SHARES = (0.12, 0.25, 0.33, 0.30)
TIER_WEIGHTS_BY_LAYER = (
    (0.6, 0.3, 0.1, 0.0),  # edge: user-facing, mostly tier 1
    (0.2, 0.4, 0.3, 0.1),
    (0.05, 0.3, 0.4, 0.25),
    (0.2, 0.4, 0.3, 0.1),  # data: shared stores are often critical
)
REGIONS = {"eu-west": ["a", "b", "c"], "us-east": ["a", "b", "c"]}
TIME_ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata")
SLO_BY_TIER = {1: "99.95%", 2: "99.9%", 3: "99.5%", 4: "99%"}
PROFILES = ("business-day", "consumer-evening")


def _dump(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=100), encoding="utf-8")


def _layers(n: int) -> list[int]:
    """Layer of each service index, in order: edge, api, domain, data."""
    counts = [max(1, round(share * n)) for share in LAYER_SHARES]
    counts[2] += n - sum(counts)  # the domain layer absorbs rounding
    return [layer for layer, c in enumerate(counts) for _ in range(c)]


def build_graph(n: int, layers: list[int], rng: np.random.Generator, seed: int) -> nx.DiGraph:
    """The dependency graph (``a -> b``: a depends on b), mostly layered, with a cycle or two."""
    # Mean out-degree about 2 over the services below each node.
    p = min(1.0, 2.0 / max(1.0, n * 0.55))
    raw = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for a, b in sorted(raw.edges()):
        if layers[a] < layers[b]:
            g.add_edge(a, b)
        elif layers[b] < layers[a]:
            g.add_edge(b, a)
    below = {i: [j for j in range(n) if layers[j] > layers[i]] for i in range(n)}
    above = {j: [i for i in range(n) if layers[i] < layers[j]] for j in range(n)}
    for i in range(n):
        if below[i] and g.out_degree(i) == 0:
            nxt = [j for j in below[i] if layers[j] == layers[i] + 1] or below[i]
            g.add_edge(i, int(rng.choice(nxt)))
    for j in range(n):
        if above[j] and g.in_degree(j) == 0:
            prev = [i for i in above[j] if layers[i] == layers[j] - 1] or above[j]
            g.add_edge(int(rng.choice(prev)), j)
    assert nx.is_directed_acyclic_graph(g)
    # Back edges: a lower service calling (softly) back up, e.g. a store's change feed
    # consumer in the domain layer, making dependency cycles.
    candidates = sorted((b, a) for a, b in g.edges() if layers[a] >= 1 and not g.has_edge(b, a))
    k = 1 if n < 100 else 2
    for idx in rng.choice(len(candidates), size=min(k, len(candidates)), replace=False):
        b, a = candidates[int(idx)]
        g.add_edge(b, a, back=True)
    return g


def topology_doc(n: int, rng: np.random.Generator, seed: int) -> tuple[dict[str, Any], dict]:
    """The Topology document and facts the other documents need (teams, tiers, ...)."""
    n_teams = min(len(TEAM_NAMES), max(2, round(n / 6.25)))
    teams = list(TEAM_NAMES[:n_teams])
    layers = _layers(n)
    g = build_graph(n, layers, rng, seed)
    used: set[str] = set()
    names: list[str] = []
    owner: list[str] = []
    for i in range(n):
        team = teams[int(rng.integers(n_teams))] if i >= n_teams else teams[i]
        roles = ROLE_BY_LAYER[layers[i]]
        for attempt in range(100):
            role = roles[int(rng.integers(len(roles)))]
            name = f"{team}-{role}" if attempt < 20 else f"{team}-{role}-{attempt}"
            if name not in used:
                break
        used.add(name)
        names.append(name)
        owner.append(team)
    tiers = [int(rng.choice(4, p=TIER_WEIGHTS_BY_LAYER[layers[i]])) + 1 for i in range(n)]
    data = [i for i in range(n) if layers[i] == 3]
    n_standby = min(len(data), max(1, n // 15))
    standby = {int(i) for i in rng.choice(data, size=n_standby, replace=False)}
    auto = min(standby) if standby else None
    services = []
    for i in range(n):
        svc: dict[str, Any] = {"name": names[i], "team": owner[i], "tier": tiers[i]}
        if i in standby:
            region = "eu-west" if rng.random() < 0.6 else "us-east"
            other = "us-east" if region == "eu-west" else "eu-west"
            svc["replicas"] = 1
            zone = REGIONS[region][int(rng.integers(3))]
            svc["placement"] = {"regions": [region], "zones": [zone]}
            svc["redundancy"] = {
                "mode": "active-standby",
                "standby_region": other,
                "switchover": f"{int(rng.integers(2, 6))}m",
                "success": "95%",
                **({"automatic": True, "detection": "30s"} if i == auto else {}),
            }
        else:
            both = tiers[i] == 1 or rng.random() < 0.3
            svc["replicas"] = int(rng.integers(2, 4)) * (2 if both else 1)
            svc["placement"] = {
                "regions": ["eu-west", "us-east"]
                if both
                else [("eu-west", "us-east")[int(rng.random() < 0.35)]]
            }
        if layers[i] == 0:
            tz = "America/New_York" if svc["placement"]["regions"] == ["us-east"] else None
            traffic: dict[str, Any] = {
                "rps": round(float(rng.lognormal(np.log(300), 1.0))) + 5,
                "profile": PROFILES[int(rng.integers(len(PROFILES)))],
            }
            if tz:
                traffic["tz"] = tz
            svc["traffic"] = traffic
        svc["slo"] = {"availability": SLO_BY_TIER[tiers[i]]}
        svc["latency"] = (
            f"{int(rng.integers(20, 300))}ms" if layers[i] < 3 else f"{int(rng.integers(2, 30))}ms"
        )
        deps = []
        for j in sorted(g.successors(i)):
            back = g.edges[i, j].get("back", False)
            hard = not back and rng.random() < (0.9 if layers[j] == 3 else 0.6)
            dep: dict[str, Any] = {"service": names[j], "kind": "hard" if hard else "soft"}
            if hard:
                dep["timeout"] = ("500ms", "1s", "2s")[int(rng.integers(3))]
                dep["retries"] = int(rng.integers(0, 3))
            else:
                dep["timeout"] = "300ms"
            deps.append(dep)
        if deps:
            svc["depends_on"] = deps
        services.append(svc)
    doc = {
        "kind": "Topology",
        "version": 1,
        "name": f"bench-{n}",
        "tz": "Europe/Berlin",
        "regions": {r: {"zones": z} for r, z in REGIONS.items()},
        "teams": [{"name": t} for t in teams],
        "services": services,
    }
    facts = {
        "teams": teams,
        "names": names,
        "owner": owner,
        "tiers": tiers,
        "cycles": len(list(nx.simple_cycles(g))),
        "edges": g.number_of_edges(),
    }
    return doc, facts


def oncall_doc(
    teams: list[str],
    owner: list[str],
    names: list[str],
    rng: np.random.Generator,
    seed: int,
    people: int = 16,
) -> dict[str, Any]:
    """16 people in 3 time zones, a weekly rotation of three and a policy per team."""
    from faker import Faker

    fake = Faker()
    fake.seed_instance(seed)
    persons: list[str] = []
    while len(persons) < people:
        first = fake.first_name().lower()
        if first.isascii() and first.isalpha() and first not in persons:
            persons.append(first)
    tz_of = {p: TIME_ZONES[i % len(TIME_ZONES)] for i, p in enumerate(persons)}
    # Each team rotates three people; spread so everybody is in two or three rotations.
    rotations: dict[str, list[str]] = {}
    for t, team in enumerate(teams):
        start = (t * 2) % people
        rotations[team] = [persons[(start + k) % people] for k in range(3)]
    leads = {team: persons[(people - 1 - t) % people] for t, team in enumerate(teams)}
    skills: dict[str, list[str]] = {p: [] for p in persons}
    for team, users in rotations.items():
        for user in users:
            skills[user].extend(n for n, o in zip(names, owner, strict=True) if o == team)
    sleeps = {
        "Europe/Berlin": "23:00-07:00",
        "America/New_York": "23:30-07:00",
        "Asia/Kolkata": "00:00-07:30",
    }
    people_doc = [
        {"name": p, "tz": tz_of[p], "sleeps": sleeps[tz_of[p]], "skills": sorted(set(skills[p]))}
        for p in persons
    ]
    schedules = [
        {
            "name": f"{team}-primary",
            "tz": tz_of[users[0]],
            "layers": [{"rotation": "weekly", "handoff": "mon 10:00", "users": users}],
        }
        for team, users in rotations.items()
    ]
    policies = [
        {
            "name": team,
            "loops": 2,
            "rules": [
                {"delay": "15m", "targets": [{"schedule": f"{team}-primary"}]},
                {"delay": "15m", "targets": [{"user": leads[team]}]},
            ],
        }
        for team in teams
    ]
    _ = rng
    return {
        "kind": "OnCall",
        "version": 1,
        "people": people_doc,
        "schedules": schedules,
        "escalation_policies": policies,
    }


def rules_doc() -> dict[str, Any]:
    """Four Prometheus-style monitors on every service."""
    return {
        "kind": "AlertRules",
        "version": 1,
        "scrape_interval": "15s",
        "evaluation_interval": "30s",
        "rules": [
            {
                "alert": "ServiceDown",
                "signal": "up",
                "op": "<",
                "threshold": 1,
                "for": "1m",
                "labels": {"severity": "critical"},
                "annotations": {"summary": "{{ $labels.service }} is down"},
            },
            {
                "alert": "HighErrorRate",
                "signal": "error_rate",
                "threshold": "5%",
                "for": "2m",
                "labels": {"severity": "critical"},
                "annotations": {"summary": "{{ $labels.service }} error rate {{ $value }}"},
                "false_positives": {"every": "60d", "lasts": "1m..6m"},
            },
            {
                "alert": "HighLatency",
                "signal": "latency_p99",
                "threshold": "1s",
                "for": "5m",
                "services": {"tiers": [1, 2]},
                "labels": {"severity": "critical"},
                "annotations": {"summary": "{{ $labels.service }} p99 {{ $value }}s"},
                "false_positives": {"every": "90d", "lasts": "2m..10m"},
            },
            {
                "alert": "ErrorRateWarning",
                "signal": "error_rate",
                "threshold": "1%",
                "for": "10m",
                "labels": {"severity": "warning"},
                "annotations": {"summary": "{{ $labels.service }} error rate {{ $value }}"},
            },
        ],
    }


def routing_doc(teams: list[str]) -> dict[str, Any]:
    """Warnings to chat (no page); critical alerts to the owning team's escalation policy."""
    routes: list[dict[str, Any]] = [{"matchers": ['severity="warning"'], "receiver": "ops-chat"}]
    routes += [{"matchers": [f'team="{t}"'], "receiver": f"{t}-pager"} for t in teams]
    return {
        "kind": "Routing",
        "version": 1,
        "route": {
            "receiver": "ops-chat",
            "group_by": ["team"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": routes,
        },
        "receivers": [{"name": "ops-chat"}]
        + [{"name": f"{t}-pager", "escalation_policy": t} for t in teams],
    }


#: Mean days between faults per targeted service. ``typical`` gives a 50-service week about
#: 13 faults and ~25 incidents: PagerDuty reports ~105 critical incidents a month per
#: company (reference/anchors.md §5), FireHydrant 10-49. ``stress`` is four times busier.
LOADS: dict[str, dict[str, int]] = {
    "typical": {"tier2-errors": 16, "tier1-crash": 60, "tier3-latency": 40, "tier3-bad-deploy": 84},
    "stress": {"tier2-errors": 4, "tier1-crash": 30, "tier3-latency": 10, "tier3-bad-deploy": 21},
}


def scenario_doc(duration: str = "7d", load: str = "typical") -> dict[str, Any]:
    """One week of stochastic faults (rates are per targeted service)."""
    every = {name: f"{days}d" for name, days in LOADS[load].items()}
    return {
        "kind": "Scenario",
        "version": 1,
        "name": "One week of production",
        "start": "2026-03-09T00:00:00[Europe/Berlin]",
        "duration": duration,
        "topology": "topology.yaml",
        "oncall": "oncall.yaml",
        "alerting": {"rules": "rules.yaml", "routing": "routing.yaml"},
        "faults": [
            {
                "name": "tier2-errors",
                "type": "error-rate",
                "target": {"tier": 2},
                "rate": "10%",
                "arrivals": {"every": every["tier2-errors"]},
                "lasts": "10m..2h",
            },
            {
                "name": "tier1-crash",
                "type": "crash",
                "target": {"tier": 1},
                "arrivals": {"every": every["tier1-crash"]},
                "until": "repaired",
            },
            {
                "name": "tier3-latency",
                "type": "latency",
                "target": {"tier": 3},
                "latency": "2s",
                "arrivals": {"every": every["tier3-latency"]},
                "lasts": "15m..3h",
            },
            {
                "name": "tier3-bad-deploy",
                "type": "bad-deploy",
                "target": {"tier": 3},
                "rate": "30%",
                "version": "next",
                "arrivals": {"every": every["tier3-bad-deploy"]},
                "lasts": "20m..1h",
            },
            {
                "name": "zone-outage",
                "type": "zone-outage",
                "target": {"zone": "eu-west/b"},
                "at": "3d14h",
                "lasts": "30m..90m",
            },
        ],
    }


def write_drill(
    folder: Path | str,
    services: int = 50,
    seed: int = 1,
    duration: str = "7d",
    load: str = "typical",
) -> Path:
    """Write the five documents of an N-service drill into ``folder``; return the scenario."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, services])
    topo, facts = topology_doc(services, rng, seed)
    _dump(folder / "topology.yaml", topo)
    _dump(
        folder / "oncall.yaml",
        oncall_doc(facts["teams"], facts["owner"], facts["names"], rng, seed),
    )
    _dump(folder / "rules.yaml", rules_doc())
    _dump(folder / "routing.yaml", routing_doc(facts["teams"]))
    path = folder / "scenario.yaml"
    _dump(path, scenario_doc(duration, load))
    return path


def describe(folder: Path | str) -> dict[str, Any]:
    """A few facts about a generated topology (for the benchmark's header)."""
    topo = yaml.safe_load((Path(folder) / "topology.yaml").read_text(encoding="utf-8"))
    svcs = topo["services"]
    g = nx.DiGraph()
    for s in svcs:
        g.add_node(s["name"])
        for d in s.get("depends_on", []):
            g.add_edge(s["name"], d["service"], kind=d["kind"])
    tiers = [s["tier"] for s in svcs]
    return {
        "services": len(svcs),
        "teams": len(topo["teams"]),
        "edges": g.number_of_edges(),
        "hard_edges": sum(1 for *_, k in g.edges(data="kind") if k == "hard"),
        "cycles": sum(1 for _ in nx.simple_cycles(g)),
        "tiers": {t: tiers.count(t) for t in (1, 2, 3, 4)},
        "active_standby": sum(1 for s in svcs if "redundancy" in s),
        "with_traffic": sum(1 for s in svcs if "traffic" in s),
    }


def main() -> None:
    """``python benchmarks/generate.py --services 50 --seed 1 --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", default="7d")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    path = write_drill(args.out, args.services, args.seed, args.duration)
    print(path)
    print(describe(args.out))


if __name__ == "__main__":
    main()
