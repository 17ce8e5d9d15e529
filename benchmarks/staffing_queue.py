"""drillsim against Ciw on the same M/M/c on-call queue, ~100,000 incidents each (issue 5).

The queue is the one ``tests/validation/test_queue_closed_form.py`` proves against Erlang
C: incidents arrive as a Poisson stream (a rotating crash fault), ``c`` responders are
all paged for every incident, each handles one at a time for an exponential time (the
investigation; every other delay is zeroed), and a responder who frees up takes the
oldest incident nobody acknowledged (shared FIFO). Ciw (a queueing-network simulator, the
oracle anchors.md §1.3 uses) simulates the textbook M/M/c with the same rates over the
same horizon.

Default parameters: the "NOC at rho = 0.9" row of reference/anchors.md §1.2, an on-call
team of c = 10 handling 9 incidents an hour of 1 h each (A = 9 Erlang). That is a busy
operations desk rather than a product team's rotation, but it is the regime where a queue
actually forms (P(wait) = 0.67, Wq = 0.669 h), so the mean wait on both sides is a
meaningful check that the two simulate the same queue; and it is the workload of
anchors.md §6.2's measured Ciw/SimPy figures, so the numbers can be compared. The
horizon is ``incidents / lambda`` hours (100,000 / 9 per hour = 11,111 h, about 463 days),
the same on both sides, so each simulates about 100,000 incidents (Poisson count).

What is timed, per repeat (median of ``--repeats``; the sides alternate, Ciw first):

* **drillsim**: ``Simulation(drill.spec, seed)`` (building the world from the already
  loaded and validated documents) plus ``.run()`` to the horizon: faults, health,
  monitors and alert evaluation, routing and grouping, incidents, paging, responders,
  the event log. Writing the five YAML documents and loading/validating them is done
  once, before, and reported separately. Scoring (KPIs over the log) is not timed: it is
  a separate pass that Ciw has no counterpart for; ``--score`` times it once, separately.
* **Ciw**: ``ciw.create_network`` + ``ciw.Simulation`` + ``simulate_until_max_time``, in
  a subprocess running Ciw's own interpreter (interpreter start and ``import ciw`` are not
  timed). Ciw is not a drillsim dependency: by default the benchmark creates, once, a
  virtual environment at ``benchmarks/.venv-ciw`` with ``pip install ciw`` (git-ignored);
  ``--ciw-python PATH`` uses an interpreter that already has Ciw.

Reading the waits (not timed): drillsim's wait is an incident's first acknowledgement
minus its opening (taken from the event log); Ciw's is each finished customer's
``waiting_time``. Both means are printed beside Erlang C's Wq. A single 100,000-incident
run at rho = 0.9 differs from Erlang C by up to ~8 % (anchors.md §6.2: statistical, not
engine error), so read the wait as "same queue", not as a precision check; the tests do
that. drillsim's incident opens about 1 s after its fault (the first 1-second alert
evaluation), a bounded shift of the arrival stream that does not change the waits.

The floors (``simpy_floor.py``, after each drillsim repeat unless ``--no-floor``): the
same M/M/c queue in bare SimPy with no drillsim logic, once padded to the events and
records per incident this drillsim run used ("drill-shaped") and once writing just six
records per incident ("lean"). Their ratios to Ciw show how far any implementation of
this drill, and any simulator keeping drillsim's event log, could get.

Usage::

    python benchmarks/staffing_queue.py                      # c=10, rho=0.9, 100,000 incidents
    python benchmarks/staffing_queue.py --repeats 1 --incidents 20000
    python benchmarks/staffing_queue.py --servers 3 --rho 0.667 --service-mean-min 60
    python benchmarks/staffing_queue.py --profile            # + cProfile of drillsim
    python benchmarks/staffing_queue.py --json > staffing_queue.json

Absolute seconds on the shared 2-core machines move by 15-30 %; the ratio of the two
sides measured in the same run (interleaved) is the figure to read. Target: drillsim's
wall time no more than Ciw's (ratio <= 1.0).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections import Counter
from pathlib import Path
from typing import Any

# Measure this checkout's drillsim, and reuse the validation tests' queue drill and closed
# forms (tests/validation is no package; its files are left as they are).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "validation"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from closed_forms import erlang_c
from queue_drill import write_queue_drill
from simpy_floor import mmc_floor

import drillsim
from drillsim.engine.simulation import Simulation
from drillsim.events import IncidentOpened, PageAcknowledged

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 1.0
CIW_VENV = HERE / ".venv-ciw"
ROTATION = 200
"""Services the crash fault rotates over. An arrival meets a healthy service only if the
previous crash of that service ``ROTATION`` arrivals ago is already repaired: with 200
services that is 22 h earlier at 9 incidents/h, while a sojourn above 22 h has probability
about e^-21 at rho = 0.9 (the tests' 48 would lose ~0.7 % of arrivals here)."""

#: Run in Ciw's interpreter: argv[1] is a JSON object of parameters; prints one JSON object.
CIW_SCRIPT = r"""
import gc, json, sys, time
import ciw
p = json.loads(sys.argv[1])
gc_s, gc_t0 = [0.0], [0.0]
def on_gc(phase, info):
    if phase == "start":
        gc_t0[0] = time.perf_counter()
    else:
        gc_s[0] += time.perf_counter() - gc_t0[0]
gc.callbacks.append(on_gc)
t0 = time.perf_counter()
network = ciw.create_network(
    arrival_distributions=[ciw.dists.Exponential(rate=p["lam"])],
    service_distributions=[ciw.dists.Exponential(rate=p["mu"])],
    number_of_servers=[p["servers"]],
)
ciw.seed(p["seed"])
sim = ciw.Simulation(network)
sim.simulate_until_max_time(p["horizon"])
wall = time.perf_counter() - t0
gc.callbacks.remove(on_gc)
records = sim.get_all_records()
waits = [r.waiting_time for r in records]
print(json.dumps({
    "ciw": ciw.__version__,
    "python": sys.version.split()[0],
    "wall_s": wall,
    "gc_s": gc_s[0],
    "customers": len(records),
    "arrived": len(records) + sum(len(n.all_individuals) for n in sim.nodes[1:-1]),
    "mean_wait": sum(waits) / len(waits),
    "p_wait": sum(w > 1e-9 for w in waits) / len(waits),
}))
"""


# ----- Ciw in its own environment ------------------------------------------------------


def ciw_python(explicit: str | None, status: Any) -> str:
    """An interpreter with Ciw: ``explicit``, or the cached venv (created on first use)."""
    if explicit:
        return explicit
    py = CIW_VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if py.exists() and _has_ciw(str(py)):
        return str(py)
    status(f"creating {CIW_VENV} with Ciw (once) ...")
    venv.EnvBuilder(with_pip=True, clear=True).create(CIW_VENV)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "ciw"], check=True)
    return str(py)


def _has_ciw(python: str) -> bool:
    done = subprocess.run([python, "-c", "import ciw"], capture_output=True, check=False)
    return done.returncode == 0


def run_ciw(
    python: str, lam_h: float, mu_h: float, servers: int, horizon_h: float, seed: int
) -> dict[str, Any]:
    """One timed Ciw run in a fresh process (rates per hour, time unit hours)."""
    params = {"lam": lam_h, "mu": mu_h, "servers": servers, "horizon": horizon_h, "seed": seed}
    out = subprocess.run(
        [python, "-c", CIW_SCRIPT, json.dumps(params)], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# ----- drillsim -----------------------------------------------------------------------


def queue_waits(log: Any) -> tuple[int, list[float]]:
    """(incidents opened, waits in hours of those acknowledged) from an event log."""
    opened: dict[str, float] = {}
    waits: list[float] = []
    for rec in log:
        if type(rec) is IncidentOpened:
            opened[rec.incident] = rec.t
        elif type(rec) is PageAcknowledged:
            t = opened.pop(rec.incident, None)  # the first acknowledgement only
            if t is not None:
                waits.append((rec.t - t) / 3600.0)
    return len(waits) + len(opened), waits


class GcTimer:
    """Wall time spent in the cyclic garbage collector while it is installed (part of
    the timed region on both sides: a long run keeps millions of objects alive, and
    each full collection walks them all)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t0

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def run_drillsim(drill: Any, seed: int) -> dict[str, Any]:
    """One timed drillsim run: build the world and run it to the horizon."""
    with GcTimer() as gc_timer:
        t0 = time.perf_counter()
        sim = Simulation(drill.spec, seed)
        t1 = time.perf_counter()
        result = sim.run()
        t2 = time.perf_counter()
    opened, waits = queue_waits(result.log)
    kinds = Counter(type(r).__name__ for r in result.log)
    return {
        "wall_s": t2 - t0,
        "gc_s": gc_timer.seconds,
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "incidents": opened,
        "acknowledged": len(waits),
        "resolved": kinds.get("IncidentResolved", 0),
        "sim_events": int(result.sim_events),
        "records": len(result.log),
        "kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        "mean_wait": statistics.fmean(waits),
        "p_wait": sum(w > 1e-9 for w in waits) / len(waits),
        "_log": result.log,
    }


def score_once(log: Any) -> dict[str, Any]:
    """Time scoring's KPIs over one log (what ``drillsim.run`` adds to the engine)."""
    from drillsim.scoring.kpis import compute_kpis

    t0 = time.perf_counter()
    dicts = log.as_dicts()
    t1 = time.perf_counter()
    kpis = compute_kpis(dicts)
    t2 = time.perf_counter()
    return {"as_dicts_s": t1 - t0, "kpis_s": t2 - t1, "kpi_keys": len(kpis)}


def profile(drill_path: Path, seed: int, top: int = 25) -> dict[str, Any]:
    """cProfile one drillsim run (of the drill at ``drill_path``); top functions by own
    and cumulative time, in µs per incident."""
    drill = drillsim.load_scenario(drill_path)
    prof = cProfile.Profile()
    prof.enable()
    result = Simulation(drill.spec, seed).run()
    prof.disable()
    incidents = sum(1 for r in result.log if type(r) is IncidentOpened)
    stats = pstats.Stats(prof)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())

    def where(key: tuple[str, int, str]) -> str:
        filename, line, func = key
        parts = Path(filename).parts
        short = "/".join(parts[parts.index("drillsim") :]) if "drillsim" in parts else filename
        if short.endswith("site-packages") or "site-packages" in filename:
            short = "/".join(parts[parts.index("site-packages") + 1 :])
        return f"{short}:{line}({func})"

    def rows(order: int) -> list[dict[str, Any]]:
        items = sorted(raw.items(), key=lambda kv: -kv[1][order])[:top]
        return [
            {
                "function": where(key),
                "calls_per_incident": v[1] / incidents,
                "own_us_per_incident": v[2] / incidents * 1e6,
                "cum_us_per_incident": v[3] / incidents * 1e6,
            }
            for key, v in items
        ]

    by_module: Counter[str] = Counter()
    for key, v in raw.items():
        by_module[where(key).split(":")[0] if key[0] != "~" else "builtins (C)"] += v[2]
    return {
        "incidents": incidents,
        "profiled_us_per_incident": total / incidents * 1e6,
        "own_share_by_module": {m: t / total for m, t in by_module.most_common(15)},
        "by_own": rows(2),
        "by_cumulative": rows(3),
    }


# ----- the benchmark ------------------------------------------------------------------


def benchmark(args: argparse.Namespace, status: Any) -> dict[str, Any]:
    mu_h = 60.0 / args.service_mean_min
    lam_h = args.rho * args.servers * mu_h
    horizon_h = args.incidents / lam_h
    p_wait, wq_h = erlang_c(args.servers, lam_h, mu_h)
    res: dict[str, Any] = {
        "parameters": {
            "incidents_expected": args.incidents,
            "servers": args.servers,
            "rho": args.rho,
            "arrivals_per_h": lam_h,
            "service_mean_min": args.service_mean_min,
            "horizon_h": horizon_h,
            "seed": args.seed,
            "repeats": args.repeats,
            "rotation_services": args.rotation,
        },
        "erlang_c": {"p_wait": p_wait, "wq_h": wq_h},
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_before": os.getloadavg(),
        },
    }
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="staffing-queue-"))
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    path = write_queue_drill(
        folder,
        servers=args.servers,
        arrival_gap_min=60.0 / lam_h,
        service_mean_min=args.service_mean_min,
        hours=horizon_h,
        services=args.rotation,
    )
    t1 = time.perf_counter()
    drill = drillsim.load_scenario(path)
    t2 = time.perf_counter()
    res["drillsim_setup"] = {"write_yaml_s": t1 - t0, "load_s": t2 - t1}

    python = None if args.no_ciw else ciw_python(args.ciw_python, status)
    ciw_runs: list[dict[str, Any]] = []
    ds_runs: list[dict[str, Any]] = []
    floors: dict[str, list[dict[str, Any]]] = {"drill_shaped": [], "lean": []}
    for k in range(args.repeats):
        if python is not None:
            status(f"repeat {k + 1}/{args.repeats}: Ciw ...")
            ciw_runs.append(run_ciw(python, lam_h, mu_h, args.servers, horizon_h, args.seed))
            status(f"  Ciw {ciw_runs[-1]['wall_s']:.2f} s")
        status(f"repeat {k + 1}/{args.repeats}: drillsim ...")
        run = run_drillsim(drill, args.seed)
        log = run.pop("_log")
        if args.score and k == 0:
            status("  scoring once (not part of the timed figure) ...")
            res["drillsim_scoring"] = score_once(log)
        del log
        ds_runs.append(run)
        status(f"  drillsim {run['wall_s']:.2f} s")
        if not args.no_floor:
            status(f"repeat {k + 1}/{args.repeats}: SimPy floors ...")
            queue = {"lam_h": lam_h, "mu_h": mu_h, "servers": args.servers,
                     "horizon_h": horizon_h, "seed": args.seed}  # fmt: skip
            floors["drill_shaped"].append(
                mmc_floor(
                    **queue,
                    events_per_incident=run["sim_events"] / run["incidents"],
                    records_per_incident=run["records"] / run["incidents"],
                )
            )
            floors["lean"].append(mmc_floor(**queue))
            status(
                f"  floors {floors['drill_shaped'][-1]['wall_s']:.2f} s (drill-shaped), "
                f"{floors['lean'][-1]['wall_s']:.2f} s (lean)"
            )

    def side(runs: list[dict[str, Any]], count_key: str) -> dict[str, Any]:
        walls = [r["wall_s"] for r in runs]
        median = statistics.median(walls)
        count = runs[0][count_key]
        return {
            "wall_s_median": median,
            "wall_s_all": walls,
            "incidents": count,
            "incidents_per_s": count / median,
            "us_per_incident": median / count * 1e6,
            "gc_s_median": statistics.median(r["gc_s"] for r in runs),
            "mean_wait_h": runs[0]["mean_wait"],
            "p_wait": runs[0]["p_wait"],
            "wait_vs_erlang_c": runs[0]["mean_wait"] / wq_h - 1.0,
        }

    ds = side(ds_runs, "incidents")
    ds["build_s_median"] = statistics.median(r["build_s"] for r in ds_runs)
    ds["run_s_median"] = statistics.median(r["run_s"] for r in ds_runs)
    for key in ("acknowledged", "resolved", "sim_events", "records", "kinds"):
        ds[key] = ds_runs[0][key]
    ds["sim_events_per_incident"] = ds["sim_events"] / ds["incidents"]
    ds["records_per_incident"] = ds["records"] / ds["incidents"]
    res["drillsim"] = ds
    if ciw_runs:
        cw = side(ciw_runs, "customers")
        cw["arrived"] = ciw_runs[0]["arrived"]
        cw["version"] = ciw_runs[0]["ciw"]
        cw["python"] = ciw_runs[0]["python"]
        res["ciw"] = cw
        res["ratio_drillsim_over_ciw"] = ds["wall_s_median"] / cw["wall_s_median"]
        res["ratios_per_repeat"] = [
            d["wall_s"] / c["wall_s"] for d, c in zip(ds_runs, ciw_runs, strict=True)
        ]
        res["target_met"] = res["ratio_drillsim_over_ciw"] <= TARGET_RATIO
    if floors["lean"]:
        res["floors"] = {}
        for name, runs in floors.items():
            fl = side(runs, "incidents")
            fl["events_per_incident"] = runs[0]["events_per_incident"]
            fl["records_per_incident"] = runs[0]["records_per_incident"]
            if ciw_runs:
                fl["ratio_over_ciw"] = fl["wall_s_median"] / res["ciw"]["wall_s_median"]
            fl["drillsim_over_floor"] = ds["wall_s_median"] / fl["wall_s_median"]
            res["floors"][name] = fl
    if args.profile:
        status(f"profiling drillsim over {args.profile_incidents:,} incidents ...")
        small = Path(tempfile.mkdtemp(prefix="staffing-queue-profile-"))
        small_path = write_queue_drill(
            small,
            servers=args.servers,
            arrival_gap_min=60.0 / lam_h,
            service_mean_min=args.service_mean_min,
            hours=args.profile_incidents / lam_h,
            services=args.rotation,
        )
        res["profile"] = profile(small_path, args.seed)
    res["machine"]["loadavg_after"] = os.getloadavg()
    return res


def render(res: dict[str, Any]) -> str:
    p, ec = res["parameters"], res["erlang_c"]
    ds, cw = res["drillsim"], res.get("ciw")
    lines = [
        f"M/M/{p['servers']} on-call queue: lambda = {p['arrivals_per_h']:g}/h, "
        f"1/mu = {p['service_mean_min']:g} min, rho = {p['rho']:g}, horizon "
        f"{p['horizon_h']:,.0f} h (~{p['incidents_expected']:,} incidents), seed {p['seed']}, "
        f"median of {p['repeats']}",
        f"Erlang C: P(wait) = {ec['p_wait']:.4f}, Wq = {ec['wq_h']:.4f} h",
        f"drillsim documents: written in {res['drillsim_setup']['write_yaml_s']:.2f} s, "
        f"loaded in {res['drillsim_setup']['load_s']:.2f} s (not timed below)",
        "",
        f"{'':34}{'drillsim':>14}{'Ciw':>14}",
    ]

    def row(label: str, a: str, b: str) -> None:
        lines.append(f"{label:34}{a:>14}{b:>14}")

    def get(key: str, fmt: str) -> str:
        return format(cw[key], fmt) if cw else "-"

    row("incidents simulated", f"{ds['incidents']:,}", get("incidents", ","))
    row("wall s (median)", f"{ds['wall_s_median']:.2f}", get("wall_s_median", ".2f"))
    row("  every repeat", " ".join(f"{w:.1f}" for w in ds["wall_s_all"]),
        " ".join(f"{w:.1f}" for w in cw["wall_s_all"]) if cw else "-")  # fmt: skip
    row("  of which garbage collector", f"{ds['gc_s_median']:.2f}", get("gc_s_median", ".2f"))
    row("incidents / s", f"{ds['incidents_per_s']:,.0f}", get("incidents_per_s", ",.0f"))
    row("µs per incident", f"{ds['us_per_incident']:,.0f}", get("us_per_incident", ",.0f"))
    row("mean wait Wq (h)", f"{ds['mean_wait_h']:.4f}", get("mean_wait_h", ".4f"))
    row("  vs Erlang C", f"{ds['wait_vs_erlang_c']:+.1%}", get("wait_vs_erlang_c", "+.1%"))
    row("P(wait)", f"{ds['p_wait']:.4f}", get("p_wait", ".4f"))
    lines += [
        "",
        f"drillsim: build {ds['build_s_median']:.2f} s + run {ds['run_s_median']:.2f} s; "
        f"{ds['sim_events']:,} SimPy events ({ds['sim_events_per_incident']:.1f} per incident), "
        f"{ds['records']:,} log records ({ds['records_per_incident']:.1f} per incident)",
        "  records: " + ", ".join(f"{k} {v:,}" for k, v in list(ds["kinds"].items())[:10]),
    ]
    for name, label in (("drill_shaped", "drill-shaped"), ("lean", "lean")):
        fl = res.get("floors", {}).get(name)
        if fl is None:
            continue
        vs_ciw = f", {fl['ratio_over_ciw']:.2f}x Ciw" if "ratio_over_ciw" in fl else ""
        lines.append(
            f"SimPy floor, {label} ({fl['events_per_incident']:.1f} events, "
            f"{fl['records_per_incident']:.1f} records per incident, no drillsim logic): "
            f"{fl['wall_s_median']:.2f} s, {fl['us_per_incident']:,.0f} µs per incident"
            f"{vs_ciw}; Wq {fl['mean_wait_h']:.4f} h ({fl['wait_vs_erlang_c']:+.1%}); "
            f"drillsim is {fl['drillsim_over_floor']:.1f}x this floor"
        )
    if "drillsim_scoring" in res:
        sc = res["drillsim_scoring"]
        lines.append(
            f"  scoring (not timed above): as_dicts {sc['as_dicts_s']:.2f} s + "
            f"compute_kpis {sc['kpis_s']:.2f} s"
        )
    if cw:
        ratio = res["ratio_drillsim_over_ciw"]
        per = " ".join(f"{r:.1f}" for r in res["ratios_per_repeat"])
        lines += [
            f"Ciw {cw['version']} (Python {cw['python']}): create_network + Simulation + "
            f"simulate_until_max_time; {cw['arrived']:,} arrived, {cw['incidents']:,} finished",
            "",
            f"ratio drillsim / Ciw wall time: {ratio:.2f}x (per repeat: {per}); "
            f"target <= {TARGET_RATIO:g}: {'met' if res['target_met'] else 'NOT met'}",
        ]
    m = res["machine"]
    lines.append(
        f"load average before {m['loadavg_before'][0]:.2f}, after {m['loadavg_after'][0]:.2f} "
        f"({m['cpus']} CPUs, Python {m['python']})"
    )
    if "profile" in res:
        pr = res["profile"]
        lines += [
            "",
            f"cProfile of drillsim, {pr['incidents']:,} incidents, "
            f"{pr['profiled_us_per_incident']:,.0f} µs per incident profiled "
            "(about 2x unprofiled; read as shares)",
        ]
        lines.append("  own time by module (share of the profiled total):")
        for module, share in pr["own_share_by_module"].items():
            lines.append(f"    {share:6.1%}  {module}")
        for title, key in (("by own time", "by_own"), ("by cumulative time", "by_cumulative")):
            lines.append(f"  {title}: calls, own µs, cum µs per incident")
            for r in pr[key]:
                lines.append(
                    f"    {r['calls_per_incident']:8.1f} {r['own_us_per_incident']:8.1f} "
                    f"{r['cum_us_per_incident']:9.1f}  {r['function']}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--incidents", type=int, default=100_000, help="expected incidents (100000)")
    ap.add_argument("--servers", type=int, default=10, help="responders c (10)")
    ap.add_argument("--rho", type=float, default=0.9, help="utilisation lambda/(c mu) (0.9)")
    ap.add_argument(
        "--service-mean-min", type=float, default=60.0, help="mean handling time 1/mu (60)"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per side (3)")
    ap.add_argument(
        "--rotation", type=int, default=ROTATION, help="services the faults rotate over"
    )
    ap.add_argument("--ciw-python", help="an interpreter that has Ciw (default: the cached venv)")
    ap.add_argument("--no-ciw", action="store_true", help="time drillsim only")
    ap.add_argument("--no-floor", action="store_true", help="skip the bare-SimPy floors")
    ap.add_argument("--score", action="store_true", help="also time scoring once, separately")
    ap.add_argument("--profile", action="store_true", help="cProfile drillsim on a shorter run")
    ap.add_argument("--profile-incidents", type=int, default=10_000)
    ap.add_argument("--json", action="store_true", help="print everything as JSON")
    ap.add_argument("--save-json", metavar="PATH", help="also write everything as JSON here")
    ap.add_argument("--keep", help="write the drillsim documents to this folder")
    args = ap.parse_args(argv)
    if not 0 < args.rho < 1:
        ap.error("--rho must be in (0, 1): the queue must be stable")

    def status(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    res = benchmark(args, status)
    if args.save_json:
        Path(args.save_json).write_text(json.dumps(res, indent=2) + "\n")
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(render(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
