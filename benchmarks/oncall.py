"""Who is on call, for every page of a quarter: drillsim's schedule function vs a naive scan.

A generated organisation of 200 people in 20 schedules of the shapes teams run (weekly
primaries, daily rotations with business-hours layers, follow-the-sun, additive
GoAlert-style rules, overrides and a temporary schedule) takes 100,000 pages at random
instants over 90 days. drillsim answers each with :func:`who_is_on_call`; the baseline,
timed in the same run, materialises each schedule's final shifts for the 90 days once
(:func:`shifts`, not timed) and then answers each page by scanning its schedule's shift
list from the start, the obvious implementation. Both must agree on every page.

Also prints the schedule function's share of a one-week drill's time (cProfile over the
engine benchmark's 50-service drill), to show it is not the engine's hot spot.

Usage::

    python benchmarks/oncall.py                 # 100,000 pages
    python benchmarks/oncall.py --pages 20000 --json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from drillsim.oncall.rotation import Shift, shifts, who_is_on_call
from drillsim.spec.schedules import Schedule

sys.path.insert(0, str(Path(__file__).resolve().parent))

START = datetime(2026, 1, 5, tzinfo=UTC)
DAYS = 90
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Singapore", "Europe/London", "UTC")


def organisation(seed: int = 1) -> list[Schedule]:
    """20 schedules over 200 people (10 each), in a mix of real shapes."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(20):
        people = [f"p{i * 10 + k:03d}" for k in range(10)]
        tz = ZONES[i % len(ZONES)]
        shape = i % 5
        if shape == 0:  # weekly primary
            layers: list[dict[str, Any]] = [
                {"rotation": "weekly", "handoff": "mon 09:00", "users": people}
            ]
        elif shape == 1:  # after hours + business hours
            layers = [
                {"rotation": "weekly", "handoff": "mon 09:00", "users": people[:5]},
                {"rotation": "daily", "handoff": "09:00", "users": people[5:],
                 "days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09:00-17:00"},
            ]  # fmt: skip
        elif shape == 2:  # follow-the-sun in three 8-hour UTC windows
            layers = [
                {"rotation": "weekly", "users": people[k::3], "level": 0,
                 "restrictions": [{"start": f"{8 * k:02d}:00", "duration": "8h"}]}
                for k in range(3)
            ]  # fmt: skip
            tz = "UTC"
        elif shape == 3:  # GoAlert-style additive rules, 12-hour turns
            layers = [
                {"rotation": "hourly", "every": 12, "handoff": "08:00", "users": people[:6],
                 "level": 0},
                {"rotation": "daily", "handoff": "09:00", "users": people[6:], "level": 0,
                 "hours": "09:00-21:00"},
            ]  # fmt: skip
        else:  # two-week rotation of pairs
            layers = [
                {"rotation": "weekly", "every": 2, "handoff": "wed 10:00",
                 "users": [people[k : k + 2] for k in range(0, 10, 2)]}
            ]  # fmt: skip
        overrides = []
        for _ in range(6):
            day = int(rng.integers(0, DAYS))
            start = START + timedelta(days=day, hours=int(rng.integers(0, 24)))
            overrides.append(
                {"start": start.isoformat(), "end": (start + timedelta(hours=12)).isoformat(),
                 "user": people[int(rng.integers(0, 10))]}
            )  # fmt: skip
        temporary = []
        if i % 7 == 0:
            t0 = START + timedelta(days=40)
            temporary.append(
                {"start": t0.isoformat(), "end": (t0 + timedelta(days=2)).isoformat(),
                 "shifts": [{"user": people[0], "start": t0.isoformat(),
                             "end": (t0 + timedelta(days=1)).isoformat()}]}
            )  # fmt: skip
        out.append(
            Schedule.model_validate(
                {
                    "name": f"s{i:02d}",
                    "tz": tz,
                    "layers": layers,
                    "overrides": overrides,
                    "temporary": temporary,
                }
            )
        )
    return out


def naive(shift_list: list[Shift], ts: float) -> list[str]:
    """Scan from the start for the shift holding ``ts``."""
    for s in shift_list:
        if s.start.timestamp() <= ts < s.end.timestamp():
            return list(s.users)
    return []


def engine_share() -> dict[str, float]:
    """cProfile of the engine benchmark's one-week drill: the share spent in the pure
    schedule functions (who_is_on_call for pages, next_change for shift ends)."""
    from generate import write_drill

    import drillsim

    with tempfile.TemporaryDirectory() as tmp:
        scenario = write_drill(Path(tmp) / "drill", services=50, seed=1)
        drill = drillsim.load_scenario(scenario)
        profile = cProfile.Profile()
        profile.enable()
        for seed in range(1, 6):
            drillsim.run(drill, seed=seed)
        profile.disable()
    stats = pstats.Stats(profile)
    total = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    oncall = sum(
        v[3]
        for k, v in stats.stats.items()
        if k[2] == "who_is_on_call"  # type: ignore[attr-defined]
    )
    return {"total_s": total, "who_is_on_call_s": oncall, "share": oncall / total if total else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    schedules = organisation()
    rng = np.random.default_rng(7)
    offsets = rng.uniform(0, DAYS * 86400, args.pages)
    which = rng.integers(0, len(schedules), args.pages)
    pages = [
        (schedules[w], START + timedelta(seconds=float(o)))
        for w, o in zip(which, offsets, strict=True)
    ]

    end = START + timedelta(days=DAYS)
    materialised = {s.name: shifts(s, START, end) for s in schedules}
    t0 = time.perf_counter()
    ours = [who_is_on_call(s, at) for s, at in pages]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = [naive(materialised[s.name], at.timestamp()) for s, at in pages]
    t_naive = time.perf_counter() - t0
    disagreements = sum(a != b for a, b in zip(ours, theirs, strict=True))
    share = engine_share()
    result = {
        "pages": args.pages,
        "schedules": len(schedules),
        "people": 200,
        "days": DAYS,
        "drillsim_pages_per_s": args.pages / t_ours,
        "naive_pages_per_s": args.pages / t_naive,
        "ratio_drillsim_over_naive": t_naive / t_ours,
        "disagreements": disagreements,
        "engine_week_share_in_who_is_on_call": share["share"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"who is on call: {args.pages:,} pages, 20 schedules, 200 people, {DAYS} days")
        print(f"  drillsim who_is_on_call   {result['drillsim_pages_per_s']:>10,.0f} pages/s")
        print(f"  naive scan of shifts      {result['naive_pages_per_s']:>10,.0f} pages/s")
        print(f"  ratio (naive time / ours) {result['ratio_drillsim_over_naive']:>10.1f}x")
        print(f"  disagreements             {disagreements:>10}")
        print(
            f"share of a one-week 50-service drill in who_is_on_call + next_change: "
            f"{100 * share['share']:.2f}% ({share['who_is_on_call_s'] * 1000:.1f} ms of "
            f"{share['total_s'] * 1000:.0f} ms over 5 replications)"
        )
    if disagreements:
        sys.exit(1)


if __name__ == "__main__":
    main()
