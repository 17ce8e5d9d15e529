"""Sweep throughput: replications per second of the 50-service one-week drill,
sequential against local worker processes, and the scaling ratio (target >= 1.8x on 2).

A two-arm sweep (the generated drill's routing ``group_wait`` 30s and 1m) of R
replications per arm runs twice through :func:`drillsim.experiments.sweep_runner.run_sweep`
into temporary folders: once with the sequential executor, once with W spawned worker
processes. Both must write byte-identical runs.csv (checked). Reported:

* end to end: replications / wall second, including spawning the workers (each imports
  drillsim, numpy and simpy: about a second on these machines) and writing the folder;
* steady state: replications / second between the W-th and the last finished
  replication, i.e. once every worker has started (what a long sweep sees);
* the scaling ratio of each, processes / sequential;
* CPU ms per replication (this process plus its joined workers, which includes each
  worker's start-up): on a shared machine the wall-clock ratio depends on what else runs,
  while equal CPU per replication says the workers add no per-replication overhead;
  and in steady state (every process of the sweep, the live workers read with psutil,
  between the W-th and the last finished replication: start-up excluded).

``--dask`` (opt-in: it needs ``pip install 'drillsim[dask]'``) adds a third leg on a Dask
LocalCluster of W single-threaded workers, started and closed inside the timed run like
the worker processes, with its rows checked identical too. Its per-replication overhead
is the steady-state wall time per replication per worker (W / steady rate) minus the
process executor's at the same W (same parallelism, so the difference is what Dask adds
to each replication: its scheduler round trips), and the steady-state CPU per
replication minus the process executor's (Dask's scheduler, client and worker event
loops; unlike wall time, it hardly moves with the machine's load). Also printed: the
wall per worker against sequential, as a share.

Usage::

    python benchmarks/sweep.py                         # 50 services, 2 x 100 replications
    python benchmarks/sweep.py --replications 200 --workers 2 --json
    python benchmarks/sweep.py --dask                  # + the Dask LocalCluster leg
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_drill

from drillsim.experiments.executors import Executor, ProcessExecutor, SequentialExecutor
from drillsim.experiments.sweep_runner import run_sweep
from drillsim.io.sweeps import load_sweep

TARGET_SCALING = 1.8

SWEEP = """\
kind: Sweep
version: 1
scenario: scenario.yaml
replications: {replications}
seed: 1
parameters:
  group_wait:
    routing: route.group_wait
arms:
  grid:
    group_wait: [30s, 1m]
"""


def timed(loaded: Any, target: Path, executor: Executor, workers: int) -> dict[str, float]:
    """Run the sweep; wall time, the times at which replications finished, and the CPU of
    every process of the sweep at the W-th and the last of them (steady state)."""
    stamps: list[float] = []
    steady_cpu: list[float] = []

    def progress(done: int, total: int) -> None:
        stamps.append(time.perf_counter())
        if done in (workers, total):
            steady_cpu.append(_cpu() + _live_children_cpu())

    cpu0 = _cpu()
    start = time.perf_counter()
    run_sweep(loaded, target, 1, executor, progress=progress)
    wall = time.perf_counter() - start
    cpu = _cpu() - cpu0
    finished = stamps[1:]  # the first call reports 0 done
    n = len(finished)
    steady = (n - workers) / (finished[-1] - finished[workers - 1])
    return {
        "wall_s": wall,
        "reps_per_s": n / wall,
        "steady_reps_per_s": steady,
        "cpu_s": cpu,
        "cpu_ms_per_rep": 1000 * cpu / n,
        "steady_cpu_ms_per_rep": 1000 * (steady_cpu[-1] - steady_cpu[0]) / (n - workers),
    }


def _cpu() -> float:
    """CPU seconds of this process and of its finished (joined) worker processes."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _live_children_cpu() -> float:
    """CPU seconds of the running worker processes (psutil: NaN without it)."""
    try:
        import psutil
    except ImportError:
        return float("nan")
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def main() -> None:
    """Parse options, run the executors, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--replications", type=int, default=100, help="per arm (2 arms)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--dask",
        action="store_true",
        help="also run on a Dask LocalCluster of --workers workers and report its "
        "per-replication overhead against the process executor (off by default: needs "
        "pip install 'drillsim[dask]')",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_drill(folder, services=args.services)
        (folder / "sweep.yaml").write_text(SWEEP.format(replications=args.replications))
        loaded = load_sweep(folder / "sweep.yaml")
        print(f"sweep: {loaded.summary()}; cores {os.cpu_count()}", file=sys.stderr)
        seq = timed(loaded, folder / "seq", SequentialExecutor(), 1)
        par = timed(loaded, folder / "par", ProcessExecutor(args.workers), args.workers)
        same = (folder / "seq" / "runs.csv").read_bytes() == (
            folder / "par" / "runs.csv"
        ).read_bytes()
        if args.dask:
            from drillsim.experiments.dask_executor import DaskExecutor

            dsk = timed(loaded, folder / "dask", DaskExecutor(args.workers), args.workers)
            dask_same = (folder / "seq" / "runs.csv").read_bytes() == (
                folder / "dask" / "runs.csv"
            ).read_bytes()
    out: dict[str, Any] = {
        "services": args.services,
        "replications": 2 * args.replications,
        "workers": args.workers,
        "sequential": seq,
        "processes": par,
        "scaling_end_to_end": par["reps_per_s"] / seq["reps_per_s"],
        "scaling_steady": par["steady_reps_per_s"] / seq["steady_reps_per_s"],
        "identical_rows": same,
    }
    if args.dask:
        out["dask"] = {**dsk, **overhead(seq, par, dsk, args.workers), "identical_rows": dask_same}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['replications']} replications of the {args.services}-service one-week drill")
    legs = [("sequential", seq), (f"{args.workers} processes", par)]
    if args.dask:
        legs.append((f"dask {args.workers}", out["dask"]))
    for name, r in legs:
        print(
            f"  {name:<12} {r['wall_s']:6.2f} s  {r['reps_per_s']:6.2f} reps/s end to end  "
            f"{r['steady_reps_per_s']:6.2f} reps/s steady  {r['cpu_ms_per_rep']:5.1f} CPU ms/rep  "
            f"{r['steady_cpu_ms_per_rep']:5.1f} steady"
        )
    print(
        f"  load average after the run: {os.getloadavg()[0]:.2f} (other processes share the cores)"
    )
    verdict = "met" if out["scaling_steady"] >= TARGET_SCALING else "NOT met"
    print(
        f"  scaling: {out['scaling_end_to_end']:.2f}x end to end, "
        f"{out['scaling_steady']:.2f}x steady (target >= {TARGET_SCALING}x: {verdict})"
    )
    print(f"  rows identical: {same}")
    if args.dask:
        _print_dask(out["dask"], args.workers)


def overhead(
    seq: dict[str, float], par: dict[str, float], dsk: dict[str, float], workers: int
) -> dict[str, float]:
    """Dask's steady-state wall ms per replication per worker, and what it adds over the
    process executor at the same worker count (and over sequential, which shares no core)."""
    per_rep = {
        name: 1000 * w / r["steady_reps_per_s"]
        for name, r, w in (("seq", seq, 1), ("par", par, workers), ("dask", dsk, workers))
    }
    return {
        "ms_per_rep_per_worker": per_rep["dask"],
        "processes_ms_per_rep_per_worker": per_rep["par"],
        "sequential_ms_per_rep": per_rep["seq"],
        "overhead_vs_processes_ms": per_rep["dask"] - per_rep["par"],
        "cpu_overhead_vs_processes_ms": dsk["steady_cpu_ms_per_rep"] - par["steady_cpu_ms_per_rep"],
        "overhead_vs_processes_share": per_rep["dask"] / per_rep["par"] - 1,
        "overhead_vs_sequential_share": per_rep["dask"] / per_rep["seq"] - 1,
        "scaling_end_to_end": dsk["reps_per_s"] / seq["reps_per_s"],
        "scaling_steady": dsk["steady_reps_per_s"] / seq["steady_reps_per_s"],
    }


def _print_dask(d: dict[str, Any], workers: int) -> None:
    """The Dask leg's overhead, scaling and row check (its timings are in the table)."""
    print(
        f"  dask per-replication overhead against {workers} processes: "
        f"{d['overhead_vs_processes_ms']:+.1f} ms wall per replication per worker "
        f"({d['ms_per_rep_per_worker']:.1f} vs {d['processes_ms_per_rep_per_worker']:.1f} ms, "
        f"{100 * d['overhead_vs_processes_share']:+.1f}%), "
        f"{d['cpu_overhead_vs_processes_ms']:+.1f} CPU ms per replication in steady state"
    )
    print(
        f"  (against sequential, {d['sequential_ms_per_rep']:.1f} ms per replication on a "
        f"core of its own: {100 * d['overhead_vs_sequential_share']:+.1f}% wall per worker)"
    )
    print(
        f"  dask scaling: {d['scaling_end_to_end']:.2f}x end to end, "
        f"{d['scaling_steady']:.2f}x steady; rows identical: {d['identical_rows']}"
    )


if __name__ == "__main__":
    main()
