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
  while equal CPU per replication says the workers add no per-replication overhead.

Usage::

    python benchmarks/sweep.py                         # 50 services, 2 x 100 replications
    python benchmarks/sweep.py --replications 200 --workers 2 --json
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
    """Run the sweep; wall time, and the times at which replications finished."""
    stamps: list[float] = []
    cpu0 = _cpu()
    start = time.perf_counter()
    run_sweep(
        loaded, target, 1, executor, progress=lambda done, total: stamps.append(time.perf_counter())
    )
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
    }


def _cpu() -> float:
    """CPU seconds of this process and of its finished (joined) worker processes."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    """Parse options, run both executors, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--replications", type=int, default=100, help="per arm (2 arms)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
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
    out = {
        "services": args.services,
        "replications": 2 * args.replications,
        "workers": args.workers,
        "sequential": seq,
        "processes": par,
        "scaling_end_to_end": par["reps_per_s"] / seq["reps_per_s"],
        "scaling_steady": par["steady_reps_per_s"] / seq["steady_reps_per_s"],
        "identical_rows": same,
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['replications']} replications of the {args.services}-service one-week drill")
    for name, r in (("sequential", seq), (f"{args.workers} processes", par)):
        print(
            f"  {name:<12} {r['wall_s']:6.2f} s  {r['reps_per_s']:6.2f} reps/s end to end  "
            f"{r['steady_reps_per_s']:6.2f} reps/s steady  {r['cpu_ms_per_rep']:5.1f} CPU ms/rep"
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


if __name__ == "__main__":
    main()
