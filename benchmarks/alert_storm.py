"""An alert storm through the pipeline: routing, grouping, inhibition and dedup.

1,000,000 alert updates (10,000 a second for 100 simulated seconds over 5,000 distinct
label sets, most of them re-sends of firing alerts, a few resolutions) go through
``AlertPipeline.ingest`` on a kube-prometheus-like configuration (routes by namespace
and severity, the Watchdog/InfoInhibitor pattern, severity inhibition). In the same run a
bare Python loop does only the dedup (a dict upsert per update) as the baseline.

    python benchmarks/alert_storm.py [--alerts N] [--fingerprints F] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc
from datetime import UTC, datetime
from typing import Any

import numpy as np
import simpy

from drillsim.alerting.routing import build_route_tree
from drillsim.engine.clock import Clock
from drillsim.engine.pipeline import AlertPipeline
from drillsim.engine.scheduler import Scheduler
from drillsim.events import EventLog
from drillsim.spec.alerting import Routing

#: kube-prometheus's Alertmanager shape (examples/alertmanager-config), widened with
#: per-namespace team routes so routing has work to do.
CONFIG: dict[str, Any] = {
    "kind": "Routing",
    "version": 1,
    "route": {
        "receiver": "Default",
        "group_by": ["namespace"],
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": "12h",
        "routes": [
            {"receiver": "Watchdog", "matchers": ['alertname = "Watchdog"']},
            {"receiver": "null", "matchers": ['alertname = "InfoInhibitor"']},
            {"receiver": "Critical", "matchers": ['severity = "critical"'], "continue": True},
            *[
                {
                    "receiver": f"team-{t}",
                    "matchers": [f'namespace =~ "ns-{t}-.*"'],
                    "routes": [
                        {"receiver": f"team-{t}-pager", "matchers": ['severity = "critical"']}
                    ],
                }
                for t in range(10)
            ],
        ],
    },
    "receivers": [{"name": n} for n in ("Default", "Watchdog", "null", "Critical")]
    + [{"name": f"team-{t}"} for t in range(10)]
    + [{"name": f"team-{t}-pager"} for t in range(10)],
    "inhibit_rules": [
        {
            "source_matchers": ['severity = "critical"'],
            "target_matchers": ['severity =~ "warning|info"'],
            "equal": ["namespace", "alertname"],
        },
        {
            "source_matchers": ['severity = "warning"'],
            "target_matchers": ['severity = "info"'],
            "equal": ["namespace", "alertname"],
        },
        {
            "source_matchers": ['alertname = "InfoInhibitor"'],
            "target_matchers": ['severity = "info"'],
            "equal": ["namespace"],
        },
    ],
}
ALERTNAMES = (
    "KubePodCrashLooping",
    "KubePodNotReady",
    "KubeDeploymentReplicasMismatch",
    "KubeContainerWaiting",
    "KubeJobFailed",
    "CPUThrottlingHigh",
    "KubeMemoryOvercommit",
    "NodeFilesystemSpaceFillingUp",
    "TargetDown",
    "InfoInhibitor",
)


def label_sets(n: int, rng: np.random.Generator) -> list[dict[str, str]]:
    """``n`` distinct label sets shaped like kube-prometheus alerts."""
    out = []
    for i in range(n):
        team = int(rng.integers(10))
        out.append(
            {
                "alertname": ALERTNAMES[int(rng.integers(len(ALERTNAMES)))],
                "namespace": f"ns-{team}-{int(rng.integers(5))}",
                "pod": f"pod-{i}",
                "severity": ("critical", "warning", "info")[int(rng.choice(3, p=[0.2, 0.5, 0.3]))],
                "prometheus": "monitoring/k8s",
            }
        )
    return out


def storm(total: int, distinct: int, per_second: int, seed: int) -> dict[str, Any]:
    """Feed the storm through the pipeline in 100 ms batches; time it."""
    rng = np.random.default_rng(seed)
    sets = label_sets(distinct, rng)
    picks = rng.integers(distinct, size=total)
    resolves = rng.random(total) < 0.005
    routing = Routing.model_validate(CONFIG)
    env = simpy.Environment()
    sent = [0]

    def deliver(_note: object) -> None:
        sent[0] += 1

    pipeline = AlertPipeline(
        Scheduler(env),
        routing,
        build_route_tree(routing.route),
        EventLog(),
        Clock(datetime(2026, 1, 5, tzinfo=UTC)),
        lambda note: None,
        deliver,
        lambda a: {},
    )
    batch = per_second // 10

    def feed(start: int) -> None:
        now = env.now
        for i in range(start, min(start + batch, total)):
            labels = sets[picks[i]]
            pipeline.ingest(labels, now, now if resolves[i] else None)

    for k, start in enumerate(range(0, total, batch)):
        env.timeout(k * 0.1).callbacks.append(lambda _e, s=start: feed(s))
    began = time.perf_counter()
    env.run(until=total / per_second + 600)
    wall = time.perf_counter() - began
    return {
        "seconds": wall,
        "notifications": sent[0],
        "deduplicated": pipeline.deduplicated,
        "groups_left": len(pipeline.groups),
        "alerts": total,
        "log_records": len(pipeline.log),
    }


def bare_dedup(total: int, distinct: int, seed: int) -> float:
    """The baseline: only the dedup, a dict upsert per update, same stream of label sets."""
    rng = np.random.default_rng(seed)
    sets = label_sets(distinct, rng)
    picks = rng.integers(distinct, size=total)
    keys = [tuple(sorted(s.items())) for s in sets]
    store: dict[tuple[tuple[str, str], ...], int] = {}
    began = time.perf_counter()
    for i in range(total):
        key = keys[picks[i]]
        store[key] = store.get(key, 0) + 1
    return time.perf_counter() - began


def main() -> None:
    """Run and print the figures (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--fingerprints", type=int, default=5_000)
    parser.add_argument("--per-second", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run = storm(args.alerts, args.fingerprints, args.per_second, args.seed)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    storm(args.alerts // 10, args.fingerprints, args.per_second, args.seed)
    peak_tenth = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    bare = bare_dedup(args.alerts, args.fingerprints, args.seed)
    result = {
        **run,
        "alerts_per_s": args.alerts / run["seconds"],
        "bare_dedup_s": bare,
        "ratio_to_bare": run["seconds"] / bare,
        "ru_maxrss_mb": rss_after,
        "ru_maxrss_growth_mb": rss_after - rss_before,
        "tracemalloc_peak_mb_tenth_run": peak_tenth,
        "targets": {"under_5_s": run["seconds"] < 5.0, "under_300_mb": rss_after < 300},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"alert storm: {args.alerts:,} updates over {args.fingerprints:,} label sets, "
        f"{args.per_second:,}/s"
    )
    print(f"  pipeline        {run['seconds']:.2f} s  ({result['alerts_per_s']:,.0f} alerts/s)")
    print(f"  bare dedup loop {bare:.3f} s  -> pipeline / bare = {result['ratio_to_bare']:.1f}x")
    print(
        f"  deduplicated {run['deduplicated']:,}, notifications {run['notifications']:,}, "
        f"log records {run['log_records']:,}, groups left {run['groups_left']}"
    )
    print(
        f"  peak RSS {rss_after:.0f} MB (grew {result['ru_maxrss_growth_mb']:.0f} MB); "
        f"tracemalloc peak of a 1/10 run {peak_tenth:.1f} MB"
    )
    print(
        f"  under 5 s: {'yes' if run['seconds'] < 5 else 'NO'}; "
        f"under 300 MB: {'yes' if rss_after < 300 else 'NO'}"
    )


if __name__ == "__main__":
    main()
