"""How long a quarter takes: the generated drill over 7 and 90 days, and the weekly series.

Prints seconds per simulated day at both horizons and their ratio (1.0 means the cost
grows linearly with the horizon), the 90-day run's split (engine, KPIs, weekly series),
and the whole ``drillsim run --horizon 90d`` in a subprocess with and without plots.
Ratios, not absolute seconds, are what to compare between machines (README.md here).

    python benchmarks/horizon.py [--services 50] [--seed 1] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import write_drill

from drillsim.engine.simulation import Simulation
from drillsim.experiments.horizon import with_horizon
from drillsim.io.loader import load_drill
from drillsim.scoring.kpis import compute_kpis
from drillsim.scoring.weekly import weekly_people, weekly_rows

DAY = 86400.0


def _engine_s(spec: object, seed: int, repeats: int) -> tuple[float, list[dict]]:
    times = []
    records: list[dict] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        records = Simulation(spec, seed, 0).run().log.as_dicts()  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
    return statistics.median(times), records


def _cli_s(scenario: Path, out: Path, plots: bool) -> float:
    args = ["drillsim", "run", str(scenario), "--seed", "1", "--horizon", "90d", "--out"]
    args += [str(out), "--plots" if plots else "--no-plots"]
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = write_drill(Path(tmp) / "drill", services=opts.services)
        spec = load_drill(scenario).spec
        week_s, _ = _engine_s(with_horizon(spec, 7 * DAY), opts.seed, opts.repeats)
        quarter_s, records = _engine_s(with_horizon(spec, 90 * DAY), opts.seed, opts.repeats)
        t0 = time.perf_counter()
        kpis = compute_kpis(records)
        t1 = time.perf_counter()
        weeks = weekly_rows(records)
        weekly_people(records)
        t2 = time.perf_counter()
        cli_plain = _cli_s(scenario, Path(tmp) / "plain", plots=False)
        cli_plots = _cli_s(scenario, Path(tmp) / "plots", plots=True)
    print(f"{opts.services} services, seed {opts.seed}, median of {opts.repeats}")
    print(f"engine  7d: {week_s:.3f} s  ({1000 * week_s / 7:.1f} ms per simulated day)")
    print(f"engine 90d: {quarter_s:.3f} s  ({1000 * quarter_s / 90:.1f} ms per simulated day)")
    print(f"ratio per simulated day 90d / 7d: {(quarter_s / 90) / (week_s / 7):.2f}")
    print(
        f"90d: {kpis['faults']} faults, {kpis['incidents']} incidents, {len(records)} records,"
        f" {len(weeks)} weeks; KPIs {t1 - t0:.3f} s, weekly series {t2 - t1:.3f} s"
    )
    print(f"drillsim run --horizon 90d: {cli_plain:.2f} s (--no-plots), {cli_plots:.2f} s (plots)")


if __name__ == "__main__":
    main()
