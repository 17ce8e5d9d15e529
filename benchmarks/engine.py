"""Engine throughput: a realistic N-service, one-week drill against bare SimPy.

Builds the generated drill (``benchmarks/generate.py``), runs R seeded replications of
``drillsim.engine.simulation.Simulation`` and reports, for one replication (build + run):

* SimPy events processed per wall second, log records per second, ms per replication;
* peak memory of one replication (tracemalloc) and the process's ru_maxrss;
* what a simulated week contains (faults, alerts, notifications, incidents, pages ...);
* a bare SimPy loop, in the same process, with the same number of events and about the
  same number of pending events (P processes, each ``yield env.timeout(rng.exponential())``)
  as the baseline, and the ratio drillsim / bare (target >= 0.5);
* whether a one-week replication is under the 50 ms target.

Absolute seconds on these machines are noisy; the ratio to the baseline is the figure to
track. ``--profile`` adds cProfile's top functions per replication.

Usage::

    python benchmarks/engine.py                      # 50 services, 20 replications
    python benchmarks/engine.py --services 200 --replications 5
    python benchmarks/engine.py --profile            # + top 25 by cumulative and own time
    python benchmarks/engine.py --json > engine.json
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import numpy as np
import simpy

import drillsim
from drillsim.engine.simulation import Simulation

# Works as a script and as ``python -m benchmarks.engine`` (benchmarks/ is no package).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import describe, write_drill

ProcGen = Generator[simpy.Event, Any, None]
TARGET_MS_PER_WEEK = 50.0
TARGET_RATIO = 0.5

#: Record kinds shown as "what happens in a simulated week", in this order.
WEEK_KINDS = (
    "FaultInjected",
    "FaultCleared",
    "ServiceHealthChanged",
    "ImpactAccrued",
    "AlertFired",
    "AlertResolved",
    "NotificationSent",
    "IncidentOpened",
    "PageSent",
    "PageMissed",
    "PageAcknowledged",
    "EscalationTimedOut",
    "EscalationExhausted",
    "HypothesisFormed",
    "ActionStarted",
    "IncidentMitigated",
    "IncidentResolved",
)


# ----- measuring drillsim -------------------------------------------------------------


def _as_int(counter: object) -> int:
    """SimPy's ``env._eid`` is an ``itertools.count``; read it without advancing it."""
    if isinstance(counter, int):
        return counter
    return int(counter.__reduce__()[1][0])


def run_one(drill: Any, seed: int, k: int) -> dict[str, Any]:
    """Build and run replication ``k``; wall times and counts."""
    t0 = time.perf_counter()
    sim = Simulation(drill.spec, seed, k)
    t1 = time.perf_counter()
    result = sim.run()
    t2 = time.perf_counter()
    scheduled = _as_int(result.sim_events)
    pending = len(sim.env._queue)  # events left after the horizon
    kinds = Counter(type(r).__name__ for r in result.log)
    false_pos = sum(
        1
        for r in result.log
        if type(r).__name__ == "AlertFired" and getattr(r, "false_positive", False)
    )
    return {
        "replication": k,
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "total_s": t2 - t0,
        "sim_events": scheduled,
        "events": scheduled - pending,
        "records": len(result.log),
        "kinds": kinds,
        "false_positive_alerts": false_pos,
    }


def pending_profile(drill: Any, seed: int, k: int) -> dict[str, float]:
    """Mean and max number of pending SimPy events during one (untimed) replication."""
    sim = Simulation(drill.spec, seed, k)
    env = sim.env
    step = env.step
    sizes: list[int] = []
    queue = env._queue

    def counting_step() -> None:
        sizes.append(len(queue))
        step()

    env.step = counting_step
    sim.run()
    return {"mean": statistics.fmean(sizes) if sizes else 0.0, "max": max(sizes, default=0)}


def peak_memory(drill: Any, seed: int, k: int) -> dict[str, float]:
    """tracemalloc peak of one replication (build + run), in MB."""
    gc.collect()
    tracemalloc.start()
    Simulation(drill.spec, seed, k).run()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tracemalloc_peak_mb": peak / 1e6, "tracemalloc_retained_mb": current / 1e6}


def drillsim_revision() -> str | None:
    """``git describe`` of the drillsim checkout (``-dirty`` with local edits), if any."""
    import subprocess

    root = Path(drillsim.__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def ru_maxrss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


# ----- the bare SimPy baseline --------------------------------------------------------


def bare_simpy(events: int, procs: int, seed: int, predrawn: bool) -> dict[str, float]:
    """P processes yielding exponential timeouts until ``events`` SimPy events in total.

    Each process costs two events besides its timeouts (its Initialize and its own
    termination), so the timeouts are ``events - 2 * procs``, spread evenly.
    ``predrawn`` draws every delay up front in one numpy call (SimPy cost only);
    otherwise each timeout calls ``rng.exponential()`` (as a model drawing as it goes).
    """
    procs = max(1, min(procs, events // 3))
    timeouts = events - 2 * procs
    rng = np.random.default_rng([seed, 0xBA5E])
    env = simpy.Environment()
    share, extra = divmod(timeouts, procs)

    def proc_predrawn(env: simpy.Environment, delays: list[float]) -> ProcGen:
        timeout = env.timeout
        for d in delays:
            yield timeout(d)

    def proc_drawing(env: simpy.Environment, n: int) -> ProcGen:
        timeout, draw = env.timeout, rng.exponential
        for _ in range(n):
            yield timeout(draw())

    counts = [share + (1 if i < extra else 0) for i in range(procs)]
    if predrawn:
        flat = rng.exponential(1.0, size=timeouts).tolist()
        slices, at = [], 0
        for n in counts:
            slices.append(flat[at : at + n])
            at += n
    gc.collect()
    t0 = time.perf_counter()
    for i, n in enumerate(counts):
        env.process(proc_predrawn(env, slices[i]) if predrawn else proc_drawing(env, n))
    env.run()
    wall = time.perf_counter() - t0
    done = _as_int(env._eid) - len(env._queue)
    return {"events": done, "procs": procs, "wall_s": wall, "events_per_s": done / wall}


def baseline(events: int, procs: int, seed: int, repeats: int, predrawn: bool) -> dict[str, Any]:
    """Median of ``repeats`` bare runs."""
    runs = [bare_simpy(events, procs, seed + i, predrawn) for i in range(repeats)]
    return {
        "events": runs[0]["events"],
        "procs": runs[0]["procs"],
        "wall_ms_median": 1000 * statistics.median(r["wall_s"] for r in runs),
        "events_per_s": statistics.median(r["events_per_s"] for r in runs),
        "delays": "pre-drawn (one numpy call)" if predrawn else "rng.exponential() per timeout",
    }


# ----- profiling ----------------------------------------------------------------------


def _where(filename: str, line: int, func: str) -> str:
    if filename == "~":
        return func  # a builtin
    path = Path(filename)
    parts = path.parts
    for anchor in ("drillsim", "simpy", "networkx", "numpy", "pydantic", "benchmarks"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return f"{'/'.join(parts[i:])}:{line}({func})"
    return f"{path.name}:{line}({func})"


def profile(drill: Any, seed: int, reps: int, top: int = 25) -> dict[str, Any]:
    """cProfile over ``reps`` replications: the top functions by cumulative and own time."""
    prof = cProfile.Profile()
    gc.collect()
    prof.enable()
    for k in range(reps):
        Simulation(drill.spec, seed, k).run()
    prof.disable()
    stats = pstats.Stats(prof)
    raw = stats.stats  # type: ignore[attr-defined]
    total_tt = sum(v[2] for v in raw.values())

    def rows(order: str) -> list[dict[str, Any]]:
        stats.sort_stats(order)
        out = []
        for key in stats.fcn_list[:top]:  # type: ignore[attr-defined]
            _cc, nc, tt, ct, _callers = raw[key]
            out.append(
                {
                    "function": _where(*key),
                    "calls_per_rep": nc / reps,
                    "own_ms_per_rep": 1000 * tt / reps,
                    "cum_ms_per_rep": 1000 * ct / reps,
                    "own_share": tt / total_tt if total_tt else 0.0,
                }
            )
        return out

    return {
        "replications": reps,
        "profiled_ms_per_rep": 1000 * total_tt / reps,
        "by_cumulative": rows("cumulative"),
        "by_own_time": rows("tottime"),
    }


# ----- the benchmark ------------------------------------------------------------------


def benchmark(args: argparse.Namespace, status: Callable[[str], None]) -> dict[str, Any]:
    """Everything the report prints, as plain data."""
    with tempfile.TemporaryDirectory(prefix="drillsim-bench-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        scenario = write_drill(folder, args.services, args.topology_seed, load=args.load)
        shape = describe(folder)
        t0 = time.perf_counter()
        drill = drillsim.load_scenario(scenario)
        load_ms = 1000 * (time.perf_counter() - t0)

    status(f"warm-up and {args.replications} replications of {args.services} services ...")
    run_one(drill, args.seed, args.replications)  # warm caches, lazy imports; not counted
    reps = []
    for k in range(args.replications):
        gc.collect()
        reps.append(run_one(drill, args.seed, k))
    total_s = sum(r["total_s"] for r in reps)
    events = [r["events"] for r in reps]
    median_events = int(statistics.median(events))

    status("pending events, memory ...")
    pend = pending_profile(drill, args.seed, 0)
    memory = peak_memory(drill, args.seed, 0)

    scored_ms = []
    for k in range(min(3, args.replications)):
        t = time.perf_counter()
        drillsim.run(drill, args.seed, k)
        scored_ms.append(1000 * (time.perf_counter() - t))

    procs = args.baseline_procs or max(1, round(pend["mean"]))
    status(f"bare SimPy baseline: {median_events} events, {procs} processes ...")
    base = baseline(median_events, procs, args.seed, args.baseline_repeats, predrawn=False)
    base_pre = baseline(median_events, procs, args.seed, args.baseline_repeats, predrawn=True)

    drill_eps = sum(events) / total_s
    ms = [1000 * r["total_s"] for r in reps]
    week_scale = 7 * 86400.0 / drill.scenario.model.duration
    out: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "simpy": simpy.__version__,
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "drillsim": drillsim_revision(),
        },
        "config": {
            "services": args.services,
            "replications": args.replications,
            "load": args.load,
            "seed": args.seed,
            "topology_seed": args.topology_seed,
            "duration_s": drill.scenario.model.duration,
        },
        "topology": shape,
        "load_ms": load_ms,
        "drillsim": {
            "events_per_s": drill_eps,
            "events_per_s_run_only": sum(events) / sum(r["run_s"] for r in reps),
            "records_per_s": sum(r["records"] for r in reps) / total_s,
            "ms_per_rep_median": statistics.median(ms),
            "ms_per_rep_min": min(ms),
            "ms_per_rep_max": max(ms),
            "build_ms_median": 1000 * statistics.median(r["build_s"] for r in reps),
            "run_ms_median": 1000 * statistics.median(r["run_s"] for r in reps),
            "scored_ms_median": statistics.median(scored_ms),
            "events_per_rep_median": median_events,
            "events_per_rep_min": min(events),
            "events_per_rep_max": max(events),
            "sim_events_as_reported": type(reps[0]["sim_events"]).__name__,
            "records_per_rep_median": statistics.median(r["records"] for r in reps),
            "us_per_event": 1e6 * total_s / sum(events),
            "pending_events_mean": pend["mean"],
            "pending_events_max": pend["max"],
            **memory,
            "ru_maxrss_mb": ru_maxrss_mb(),
        },
        "week": {
            kind: statistics.fmean(r["kinds"].get(kind, 0) for r in reps) * week_scale
            for kind in WEEK_KINDS
        },
        "baseline": base,
        "baseline_predrawn": base_pre,
    }
    out["week"]["FalsePositiveAlerts"] = (
        statistics.fmean(r["false_positive_alerts"] for r in reps) * week_scale
    )
    out["ratio"] = drill_eps / base["events_per_s"]
    out["ratio_predrawn"] = drill_eps / base_pre["events_per_s"]
    out["targets"] = {
        "ratio_ge_0_5": out["ratio"] >= TARGET_RATIO,
        "week_under_50ms": out["drillsim"]["ms_per_rep_median"] * week_scale < TARGET_MS_PER_WEEK,
    }
    if args.profile:
        status(f"cProfile over {args.profile_reps} replications ...")
        out["profile"] = profile(drill, args.seed, args.profile_reps)
    return out


# ----- printing -----------------------------------------------------------------------


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(a) for a, _ in rows)
    return "\n".join(f"  {a:<{width}}  {b}" for a, b in rows)


def render(res: dict[str, Any]) -> str:
    """The readable report."""
    d, b, bp, t, c = (
        res["drillsim"],
        res["baseline"],
        res["baseline_predrawn"],
        res["topology"],
        res["config"],
    )
    tiers = " ".join(f"t{k}={v}" for k, v in t["tiers"].items())
    yes = {True: "yes", False: "NO"}
    lines = [
        f"drillsim engine benchmark  (Python {res['machine']['python']}, SimPy "
        f"{res['machine']['simpy']}, {res['machine']['cpus']} CPUs, drillsim "
        f"{res['machine']['drillsim']})",
        f"  topology: {t['services']} services, {t['teams']} teams, {t['edges']} dependencies "
        f"({t['hard_edges']} hard, {t['cycles']} cycle(s)), {tiers}, "
        f"{t['active_standby']} active-standby, {t['with_traffic']} with traffic",
        f"  scenario: {c['duration_s'] / 86400:g} days, {c['load']} load, "
        f"{c['replications']} replications, "
        f"seed {c['seed']}; loading the 5 documents took {res['load_ms']:.0f} ms",
        "",
        "one replication (build + run)",
        _table(
            [
                (
                    "ms per replication (median)",
                    f"{d['ms_per_rep_median']:.1f} ms  "
                    f"(min {d['ms_per_rep_min']:.1f}, max {d['ms_per_rep_max']:.1f}; build "
                    f"{d['build_ms_median']:.1f} + run {d['run_ms_median']:.1f})",
                ),
                ("  with scoring (drillsim.run)", f"{d['scored_ms_median']:.1f} ms"),
                (
                    "SimPy events per replication",
                    f"{d['events_per_rep_median']:,} median "
                    f"({d['events_per_rep_min']:,}..{d['events_per_rep_max']:,})",
                ),
                (
                    "pending events",
                    f"mean {d['pending_events_mean']:.0f}, max {d['pending_events_max']}",
                ),
                (
                    "events/s",
                    f"{d['events_per_s']:,.0f}  ({d['us_per_event']:.1f} us/event; "
                    f"run only {d['events_per_s_run_only']:,.0f})",
                ),
                (
                    "log records/s",
                    f"{d['records_per_s']:,.0f}  "
                    f"({d['records_per_rep_median']:,.0f} records/replication)",
                ),
                (
                    "peak memory (tracemalloc)",
                    f"{d['tracemalloc_peak_mb']:.1f} MB "
                    f"(retained after run {d['tracemalloc_retained_mb']:.1f} MB)",
                ),
                ("ru_maxrss (whole process)", f"{d['ru_maxrss_mb']:.0f} MB"),
            ]
        ),
        "",
        f"bare SimPy, same process: {b['events']:,} events, {b['procs']} processes",
        _table(
            [
                (
                    "rng.exponential() per timeout",
                    f"{b['events_per_s']:,.0f} events/s ({b['wall_ms_median']:.1f} ms)",
                ),
                (
                    "pre-drawn delays",
                    f"{bp['events_per_s']:,.0f} events/s ({bp['wall_ms_median']:.1f} ms)",
                ),
                (
                    "ratio drillsim / bare",
                    f"{res['ratio']:.3f}  (vs pre-drawn "
                    f"{res['ratio_predrawn']:.3f}; target >= {TARGET_RATIO})  "
                    f"{yes[res['targets']['ratio_ge_0_5']]}",
                ),
                ("one week under 50 ms", yes[res["targets"]["week_under_50ms"]]),
            ]
        ),
        "",
        "a simulated week (mean per replication)",
        _table([(k, f"{v:.1f}") for k, v in res["week"].items()]),
    ]
    if "profile" in res:
        p = res["profile"]
        lines += [
            "",
            f"cProfile over {p['replications']} replications "
            f"({p['profiled_ms_per_rep']:.0f} ms/replication under the profiler)",
        ]
        for title, key in (("by cumulative time", "by_cumulative"), ("by own time", "by_own_time")):
            lines += [
                "",
                f"  top {len(p[key])} {title}",
                f"  {'calls/rep':>10} {'own ms':>8} {'cum ms':>8} {'own %':>6}  function",
            ]
            for r in p[key]:
                lines.append(
                    f"  {r['calls_per_rep']:>10,.0f} {r['own_ms_per_rep']:>8.1f} "
                    f"{r['cum_ms_per_rep']:>8.1f} {100 * r['own_share']:>5.1f}%  "
                    f"{r['function']}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=50, help="services in the topology")
    parser.add_argument("--replications", type=int, default=20, help="timed replications")
    parser.add_argument("--seed", type=int, default=1, help="root seed of the replications")
    parser.add_argument("--topology-seed", type=int, default=1, help="seed of the generator")
    parser.add_argument(
        "--baseline-procs",
        type=int,
        default=0,
        help="processes in the bare loop (default: drillsim's mean pending)",
    )
    parser.add_argument("--baseline-repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="add a cProfile section")
    parser.add_argument("--profile-reps", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--load",
        choices=["typical", "stress"],
        default="typical",
        help="fault rates: a typical week, or four times busier",
    )
    parser.add_argument("--keep", metavar="DIR", help="write the generated drill here")
    args = parser.parse_args(argv)
    if args.replications < 1:
        parser.error("--replications must be >= 1")

    def status(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    res = benchmark(args, status)
    print(json.dumps(res, indent=2, default=str) if args.json else render(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
