"""drillsim's monitors fire and resolve exactly when Prometheus's rule engine does.

The reference is ``promtool test rules`` (Prometheus's rule unit-test runner). Each case is
one threshold rule on one service signal given as a piecewise-constant series on a 1m grid.
drillsim's real :class:`~drillsim.engine.monitors.MonitorSet` runs it on a real
``simpy.Environment`` against a stub world (below) with every phase forced to 0, so scrapes
and evaluations fall on multiples of their intervals from t=0, as in promtool. The fire and
resolve times drillsim reports are written into a promtool test file as the alerts expected
to be *firing* at every evaluation time of the series (labels and annotations included), and
promtool checks them against its own evaluation of the same rule on the same samples.

Cases come from a seeded ``numpy`` generator: ``>``, ``<``, ``>=``, ``<=`` on every signal,
thresholds that the series hits exactly, ``for`` of 0/1m/2m/3m/5m, ``keep_firing_for`` of
0 or 2m, rules evaluated every 1m or 2m, plus a set of durations off the evaluation grid.
Fifty cases share one promtool run (a rule file and a test file per case).

Notes on promtool 2.42, checked against its source (cmd/promtool/unittest.go) and by hand:

- it evaluates every rule group at every top-level ``evaluation_interval`` of the test file
  and ignores a group's own ``interval:``; the 2m cases therefore set
  ``evaluation_interval: 2m`` in the test file (the rule file still says ``interval: 2m``).
- an ``alert_rule_test`` compares the alerts firing (not pending) after the last evaluation
  at or before ``eval_time``; ``alertname`` is added to the expected labels by promtool.
- a test group without ``interval:`` loads its series at step 0 (prometheus#12871), so it is
  always given.

promtool is optional locally (the tests skip and say why) but required in CI: when ``CI``
is set a missing or too old promtool fails the tests.
"""

from __future__ import annotations

import bisect
import dataclasses
import operator
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import simpy
import yaml
from skipping import locate_tool, unavailable

from drillsim.engine.health import Health
from drillsim.engine.monitors import AlertState, MonitorSet, alert_series
from drillsim.engine.scheduler import Scheduler
from drillsim.spec.alerting import AlertRules
from drillsim.spec.topology import Topology

# ----- promtool ------------------------------------------------------------------------

MIN_PROMTOOL = (2, 42)
"""``keep_firing_for`` first appeared in Prometheus 2.42.0."""


@dataclass(frozen=True)
class Promtool:
    path: str
    version: tuple[int, int, int]

    def test_rules(self, *test_files: Path) -> subprocess.CompletedProcess[str]:
        """``promtool test rules F...``: exit status 0 iff every test in every file passes.

        Each test group gets a throwaway TSDB under ``$TMPDIR``; on tmpfs that is about
        2.5x faster than on a disk, so ``/dev/shm`` is used when there is one.
        """
        shm = Path("/dev/shm")
        use_shm = shm.is_dir() and os.access(shm, os.W_OK)
        with tempfile.TemporaryDirectory(dir=shm if use_shm else None) as tmp:
            return subprocess.run(
                [self.path, "test", "rules", *map(str, test_files)],
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
                env={**os.environ, "TMPDIR": tmp},
            )


def locate_promtool() -> Promtool:
    """``$PROMTOOL`` or ``promtool`` on PATH, at least version 2.42."""
    path, text = locate_tool(
        "promtool",
        "PROMTOOL",
        "Debian: apt-get install prometheus; without it drillsim's alert timing is not "
        "compared with Prometheus",
    )
    found = re.search(r"version (\d+)\.(\d+)\.(\d+)", text)
    if found is None:
        unavailable(f"{path} --version did not report a version: {text.strip()!r}")
    version = (int(found.group(1)), int(found.group(2)), int(found.group(3)))
    if version[:2] < MIN_PROMTOOL:
        unavailable(
            f"promtool {'.'.join(map(str, version))} at {path} is older than 2.42 and does "
            "not know keep_firing_for"
        )
    return Promtool(path, version)


@pytest.fixture(scope="module")
def promtool() -> Promtool:
    """The reference implementation: skipped locally when absent, a failure under CI."""
    return locate_promtool()


# ----- cases ---------------------------------------------------------------------------

GRID_S = 60.0
"""Series step and scrape interval: promtool's input series carry one sample per minute."""

OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Signal:
    """A drillsim signal, the metric promtool sees for it, and values that are exact."""

    metric: str
    values: tuple[float, ...]
    thresholds: tuple[float, ...]

    def spec_threshold(self, name: str, value: float) -> float | str:
        """The threshold as written in a drillsim rule."""
        return f"{round(value * 1000)}ms" if name == "latency_p99" else value

    def health(self, name: str, value: float) -> Health:
        """A health record whose ``name`` signal reads ``value`` (the others steady)."""
        base = Health(error_rate=0.0, latency_s=0.1, up=1, saturation=0.3)
        if name == "availability":
            return dataclasses.replace(base, error_rate=1.0 - value)
        if name == "error_rate":
            return dataclasses.replace(base, error_rate=value)
        if name == "latency_p99":
            return dataclasses.replace(base, latency_s=value)
        if name == "saturation":
            return dataclasses.replace(base, saturation=value)
        assert name == "up" and value in (0.0, 1.0)
        return dataclasses.replace(base, up=int(value))


_EIGHTHS = tuple(k / 8 for k in range(9))  # exact binary fractions: no rounding anywhere
SIGNALS: dict[str, Signal] = {
    "error_rate": Signal("drill_error_rate", _EIGHTHS, _EIGHTHS[1:-1]),
    "availability": Signal("drill_availability", _EIGHTHS, _EIGHTHS[1:-1]),
    "saturation": Signal("drill_saturation", _EIGHTHS[:-1], _EIGHTHS[1:-2]),
    "latency_p99": Signal(
        "drill_latency_p99_seconds",
        tuple(k / 4 for k in range(13)),
        tuple(k / 4 for k in range(1, 12)),
    ),
    "up": Signal("drill_up", (0.0, 1.0), (0.0, 1.0)),
}
SERVICES = (("checkout", "payments", 1), ("orders-db", "data", 2), ("search", "discovery", 3))


@dataclass(frozen=True)
class Case:
    """One rule on one service's signal, sampled every minute from t=0."""

    name: str
    signal: str
    op: str
    threshold: float
    for_s: float
    keep_firing_for_s: float
    eval_s: float
    values: tuple[float, ...]
    service: tuple[str, str, int] = SERVICES[0]
    eval_in_rule: bool = False
    """Put the evaluation interval on the rule (``interval:``) instead of the document."""

    @property
    def alert(self) -> str:
        return self.name.replace("-", "_")

    @property
    def eval_times(self) -> list[float]:
        """Every minute of the series: the times each alert_rule_test checks."""
        return [i * GRID_S for i in range(len(self.values))]

    def changes(self) -> list[tuple[float, float]]:
        """The series as ``(time, value)`` changes (the first one at t=0)."""
        out = [(0.0, self.values[0])]
        for i, v in enumerate(self.values[1:], 1):
            if v != out[-1][1]:
                out.append((i * GRID_S, v))
        return out

    def describe(self) -> str:
        kff = f" keep_firing_for={_dur(self.keep_firing_for_s)}" if self.keep_firing_for_s else ""
        where = "rule" if self.eval_in_rule else "document"
        return (
            f"{self.name}: {self.signal} {self.op} {self.threshold!r} for={_dur(self.for_s)}{kff}"
            f" eval={_dur(self.eval_s)} (set on the {where}), 1m samples: "
            + " ".join(_num(v) for v in self.values)
        )


def _dur(seconds: float) -> str:
    """A Prometheus duration: ``0s``, ``90s``, ``2m``."""
    s = round(seconds)
    assert s == seconds
    return f"{s // 60}m" if s and s % 60 == 0 else f"{s}s"


def _num(v: float) -> str:
    return repr(float(v)).removesuffix(".0")


def _series(
    rng: np.random.Generator, n: int, hot: Sequence[float], cold: Sequence[float]
) -> tuple[float, ...]:
    """Runs of breaching and calm samples (short runs mostly; the value may wander in a run)."""
    out: list[float] = []
    breaching = bool(rng.random() < 0.3)
    while len(out) < n:
        pool = hot if breaching else cold
        run = min(int(rng.geometric(0.33)), 12)
        value = float(rng.choice(pool))
        for _ in range(run):
            if rng.random() < 0.25:
                value = float(rng.choice(pool))
            out.append(value)
        # Usually flip; sometimes a new run on the same side (a change that flips nothing).
        breaching = breaching if rng.random() < 0.15 else not breaching
    return tuple(out[:n])


def generate(
    seed: int,
    count: int,
    prefix: str,
    *,
    eval_s: Sequence[float],
    for_s: Sequence[float],
    keep_s: Sequence[float],
) -> list[Case]:
    """``count`` seeded cases (one ``numpy`` Generator; no global random state)."""
    rng = np.random.default_rng(seed)
    cases = []
    names = sorted(SIGNALS)
    for i in range(count):
        signal_name = names[int(rng.integers(len(names)))]
        sig = SIGNALS[signal_name]
        while True:  # a threshold with samples on both sides of it
            op = str(rng.choice(sorted(OPS)))
            thr = float(rng.choice(sig.thresholds))
            hot = [v for v in sig.values if OPS[op](v, thr)]
            cold = [v for v in sig.values if not OPS[op](v, thr)]
            if hot and cold:
                break
        n = int(rng.integers(20, 61))
        cases.append(
            Case(
                name=f"{prefix}-{i:03d}",
                signal=signal_name,
                op=op,
                threshold=thr,
                for_s=float(rng.choice(for_s)),
                keep_firing_for_s=float(rng.choice(keep_s)),
                eval_s=float(rng.choice(eval_s)),
                values=_series(rng, n, hot, cold),
                service=SERVICES[int(rng.integers(len(SERVICES)))],
                eval_in_rule=bool(rng.random() < 0.5),
            )
        )
    return cases


# ----- drillsim, on a stub world -------------------------------------------------------


class SignalWorld:
    """Exactly the part of :class:`drillsim.engine.world.World` that MonitorSet uses.

    One service whose visible health follows a list of ``(time, health)`` changes. Like
    World, a change records the new health in the step-function history and then calls
    every subscriber with the service name; an unchanged value notifies nobody.
    """

    def __init__(self, sched: Scheduler, service: str, initial: Health) -> None:
        self.sched = sched
        self.service = service
        self.visible: dict[str, Health] = {service: initial}
        self._times = [0.0]
        self._values = [initial]
        self._listeners: dict[str, list[Callable[[str], None]]] = {service: []}
        self.now: Callable[[], float] = lambda: sched.env.now

    def subscribe(self, service: str, callback: Callable[[str], None]) -> None:
        self._listeners[service].append(callback)

    def health_at(self, service: str, t_s: float) -> Health:
        assert service == self.service and t_s <= self.now() + 1e-9, (service, t_s)
        return self._values[max(bisect.bisect_right(self._times, t_s) - 1, 0)]

    def causes_at(self, service: str, t_s: float) -> tuple[str, ...]:
        healthy = self._values[0]
        return () if self.health_at(service, t_s) == healthy else ("series",)

    def change(self, health: Health) -> None:
        if health == self.visible[self.service]:
            return
        now = self.now()
        self.visible[self.service] = health
        if self._times[-1] == now:
            self._values[-1] = health
        else:
            self._times.append(now)
            self._values.append(health)
        for callback in self._listeners[self.service]:
            callback(self.service)


@dataclass(frozen=True)
class Outcome:
    """What drillsim made of a case: firing intervals ``[fire, resolve)``, labels, text."""

    intervals: tuple[tuple[float, float | None], ...]
    labels: dict[str, str]
    annotations: dict[str, str]

    def firing_at(self, t_s: float) -> bool:
        return any(a <= t_s and (b is None or t_s < b) for a, b in self.intervals)

    def describe(self) -> str:
        if not self.intervals:
            return "never fires"
        return ", ".join(
            f"fires {_dur(a)}" + (f" resolves {_dur(b)}" if b is not None else " (still firing)")
            for a, b in self.intervals
        )


def drill_rules(case: Case) -> AlertRules:
    sig = SIGNALS[case.signal]
    rule: dict[str, Any] = {
        "alert": case.alert,
        "signal": case.signal,
        "op": case.op,
        "threshold": sig.spec_threshold(case.signal, case.threshold),
        "for": _dur(case.for_s),
        "keep_firing_for": _dur(case.keep_firing_for_s),
        "labels": {"severity": "page"},
        "annotations": {"summary": "{{ $labels.service }} breached " + case.alert},
    }
    doc_eval = case.eval_s
    if case.eval_in_rule:
        rule["interval"] = _dur(case.eval_s)
        doc_eval = 30.0  # the document's interval must then play no part
    return AlertRules.model_validate(
        {
            "kind": "AlertRules",
            "version": 1,
            "scrape_interval": _dur(GRID_S),
            "evaluation_interval": _dur(doc_eval),
            "rules": [rule],
        }
    )


def drill_topology(case: Case) -> Topology:
    name, team, tier = case.service
    return Topology.model_validate(
        {
            "kind": "Topology",
            "version": 1,
            "name": "promtool-diff",
            "regions": {"r1": {"zones": ["a"]}},
            "teams": [{"name": team}],
            "services": [{"name": name, "team": team, "tier": tier}],
        }
    )


def run_drillsim(case: Case) -> Outcome:
    """Drive the real MonitorSet over the case's series; collect fire and resolve times."""
    sig = SIGNALS[case.signal]
    rules, topology = drill_rules(case), drill_topology(case)
    service = case.service[0]
    horizon = case.eval_times[-1]
    env = simpy.Environment()
    sched = Scheduler(env)
    changes = case.changes()
    world = SignalWorld(sched, service, sig.health(case.signal, changes[0][1]))
    # Scheduled before anything else, so a change at t is applied before an evaluation at
    # t reads it: a Prometheus evaluation at t sees the sample stamped t.
    for t, value in changes[1:]:
        sched.at(t, world.change, sig.health(case.signal, value))

    fired: list[list[Any]] = []
    states: list[AlertState] = []

    def on_alert(alert: AlertState, firing: bool) -> None:
        now = env.now
        if firing:
            assert not fired or fired[-1][1] is not None, "fired twice without resolving"
            assert alert.starts_at_s == now
            fired.append([now, None])
            states.append(alert)
        else:
            assert fired and fired[-1][1] is None and alert.ends_at_s == now
            fired[-1][1] = now

    def no_randomness(name: str) -> np.random.Generator:
        raise AssertionError(f"monitor drew random numbers ({name}) without noise configured")

    monitors = MonitorSet(
        sched,
        world,  # type: ignore[arg-type]  # duck-typed: the World API MonitorSet uses
        rules,
        topology,
        alert_series(rules, topology),
        no_randomness,
        lambda name: 0.0,
        on_alert,
        horizon,
    )
    env.run(until=horizon + GRID_S)
    intervals = tuple((a, b) for a, b in fired)
    for a, b in intervals:  # every transition on the evaluation grid
        assert a % case.eval_s == 0 and (b is None or b % case.eval_s == 0), intervals
    labels = dict(alert_series(rules, topology)[0].labels)
    annotations = monitors.annotations_for(states[0]) if states else {}
    return Outcome(intervals, labels, annotations)


# ----- promtool files ------------------------------------------------------------------


def promtool_rule_group(case: Case) -> dict[str, Any]:
    sig = SIGNALS[case.signal]
    rule: dict[str, Any] = {
        "alert": case.alert,
        "expr": f"{sig.metric} {case.op} {_num(case.threshold)}",
    }
    if case.for_s:
        rule["for"] = _dur(case.for_s)
    if case.keep_firing_for_s:
        rule["keep_firing_for"] = _dur(case.keep_firing_for_s)
    rule["labels"] = {"severity": "page"}
    rule["annotations"] = {"summary": "{{ $labels.service }} breached " + case.alert}
    group: dict[str, Any] = {"name": case.name}
    if case.eval_s != GRID_S:
        group["interval"] = _dur(case.eval_s)  # documentary: promtool ignores it
    group["rules"] = [rule]
    return group


def promtool_test_group(case: Case, outcome: Outcome) -> dict[str, Any]:
    """Input series plus, for every minute, the alerts drillsim says are firing then."""
    sig = SIGNALS[case.signal]
    name, team, tier = case.service
    series = f'{sig.metric}{{service="{name}",team="{team}",tier="{tier}"}}'
    expected = {"exp_labels": outcome.labels, "exp_annotations": outcome.annotations}
    return {
        "name": case.name,
        "interval": _dur(GRID_S),
        "input_series": [{"series": series, "values": " ".join(_num(v) for v in case.values)}],
        "alert_rule_test": [
            {
                "eval_time": _dur(t),
                "alertname": case.alert,
                "exp_alerts": [expected] if outcome.firing_at(t) else [],
            }
            for t in case.eval_times
        ],
    }


@dataclass(frozen=True)
class Verdict:
    """promtool's answer for a batch: exit status, output, and the cases it disputes."""

    returncode: int
    output: str
    disputed: dict[str, list[str]]


_FAILURE = re.compile(r"^ {4}name: (\S+),\n(?: {4}alertname: .*?)(?=^ {4}name: |\Z)", re.M | re.S)


def check_with_promtool(
    promtool: Promtool, cases: Sequence[Case], outcomes: Sequence[Outcome], folder: Path
) -> Verdict:
    """One promtool run over all cases: a rule file and a test file per case.

    (One test file per case, not one for all: promtool evaluates every rule file of a test
    file for every test group in it, so a shared file costs cases x rules evaluations.)
    """
    folder.mkdir(parents=True, exist_ok=True)
    test_files = []
    for case, outcome in zip(cases, outcomes, strict=True):
        rules = folder / f"{case.name}.rules.yml"
        tests = folder / f"{case.name}.test.yml"
        rules.write_text(yaml.safe_dump({"groups": [promtool_rule_group(case)]}, sort_keys=False))
        test_doc = {
            "rule_files": [rules.name],
            "evaluation_interval": _dur(case.eval_s),
            "tests": [promtool_test_group(case, outcome)],
        }
        tests.write_text(yaml.safe_dump(test_doc, sort_keys=False))
        test_files.append(tests)
    done = promtool.test_rules(*test_files)
    output = done.stdout + done.stderr
    disputed: dict[str, list[str]] = {}
    for m in _FAILURE.finditer(output):
        disputed.setdefault(m.group(1), []).append(m.group(0).rstrip())
    return Verdict(done.returncode, output, disputed)


def assert_promtool_agrees(promtool: Promtool, cases: Sequence[Case], folder: Path) -> None:
    outcomes = [run_drillsim(c) for c in cases]
    verdict = check_with_promtool(promtool, cases, outcomes, folder)
    if verdict.returncode == 0:
        return
    by_name = {c.name: (c, o) for c, o in zip(cases, outcomes, strict=True)}
    lines = [f"promtool disagrees with drillsim on {len(verdict.disputed)} case(s):"]
    for name, failures in verdict.disputed.items():
        case, outcome = by_name[name]
        times = [re.search(r"time: (\S+),", f) for f in failures]
        lines += [
            case.describe(),
            f"  drillsim: {outcome.describe()}",
            "  promtool differs at " + ", ".join(m.group(1) for m in times if m),
            *failures[:2],
        ]
    if not verdict.disputed:
        lines.append(verdict.output[-4000:])
    pytest.fail("\n".join(lines), False)


# ----- generated cases -----------------------------------------------------------------

BATCH = 50
FOR_S = (0.0, 60.0, 120.0, 180.0, 300.0)
KEEP_S = (0.0, 120.0)

CASE_SETS: dict[str, list[Case]] = {
    # 1m evaluation, the Prometheus default.
    "eval1m": generate(20240611, 200, "e1", eval_s=[60.0], for_s=FOR_S, keep_s=KEEP_S),
    # 2m evaluation over 1m samples: changes between evaluations are only seen late, or never.
    "eval2m": generate(20240612, 100, "e2", eval_s=[120.0], for_s=FOR_S, keep_s=KEEP_S),
    # Durations off the evaluation grid: fire and resolve at the first evaluation past them.
    "offgrid": generate(
        20240613,
        50,
        "og",
        eval_s=[60.0],
        for_s=(30.0, 90.0, 150.0, 270.0),
        keep_s=(30.0, 60.0, 90.0, 150.0),
    ),
}
SLOW_SETS: dict[str, list[Case]] = {
    "sweep1m": generate(7, 500, "s1", eval_s=[60.0], for_s=FOR_S, keep_s=KEEP_S),
    "sweep2m": generate(
        8, 250, "s2", eval_s=[120.0], for_s=(*FOR_S, 90.0, 240.0), keep_s=(*KEEP_S, 60.0, 180.0)
    ),
}


def batches(sets: dict[str, list[Case]]) -> list[Any]:
    """The sets cut into promtool runs of ``BATCH`` cases."""
    return [
        pytest.param(cases[start : start + BATCH], id=f"{name}-{start // BATCH}")
        for name, cases in sets.items()
        for start in range(0, len(cases), BATCH)
    ]


def test_generated_cases_cover_the_semantics() -> None:
    """The generated sets exercise what they claim to (drillsim alone, no promtool)."""
    cases = [c for cs in CASE_SETS.values() for c in cs]
    assert len(cases) >= 200
    assert {c.op for c in cases} == set(OPS)
    assert {c.signal for c in cases} == set(SIGNALS)
    assert {c.for_s for c in CASE_SETS["eval1m"]} == set(FOR_S)
    assert {c.keep_firing_for_s for c in CASE_SETS["eval2m"]} == set(KEEP_S)
    assert {c.eval_in_rule for c in CASE_SETS["eval2m"]} == {False, True}
    assert all(20 <= len(c.values) <= 60 for c in cases)
    one = CASE_SETS["eval1m"]
    outcomes = [run_drillsim(c) for c in one]
    assert sum(bool(o.intervals) for o in outcomes) > 150  # most cases fire ...
    assert sum(len(o.intervals) > 1 for o in outcomes) > 100  # ... and fire again later
    # Thresholds are met exactly where it matters: > and >= (< and <=) would differ.
    swap = {">": ">=", ">=": ">", "<": "<=", "<=": "<"}
    assert (
        sum(
            run_drillsim(dataclasses.replace(c, op=swap[c.op])).intervals != o.intervals
            for c, o in zip(one, outcomes, strict=True)
        )
        > 100
    )
    # keep_firing_for changes the outcome of most cases that set it.
    kept = [(c, o) for c, o in zip(one, outcomes, strict=True) if c.keep_firing_for_s]
    assert (
        sum(
            run_drillsim(dataclasses.replace(c, keep_firing_for_s=0.0)).intervals != o.intervals
            for c, o in kept
        )
        > 50
    )


@pytest.mark.parametrize("cases", batches(CASE_SETS))
def test_generated_cases_agree_with_promtool(
    promtool: Promtool, cases: list[Case], tmp_path: Path
) -> None:
    """At every minute of every series, drillsim and promtool agree on what is firing."""
    assert_promtool_agrees(promtool, cases, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("cases", batches(SLOW_SETS))
def test_more_generated_cases_agree_with_promtool(
    promtool: Promtool, cases: list[Case], tmp_path: Path
) -> None:
    """A wider sweep with other seeds, and 90s/4m ``for`` and 1m/3m ``keep_firing_for``."""
    assert_promtool_agrees(promtool, cases, tmp_path)


# ----- named cases pinning the semantics ----------------------------------------------

M = 60.0


def _named(name: str, values: str, *, for_s: float, keep_s: float = 0.0) -> Case:
    return Case(
        name=name,
        signal="error_rate",
        op=">",
        threshold=0.5,
        for_s=for_s,
        keep_firing_for_s=keep_s,
        eval_s=60.0,
        values=tuple(float(v) for v in values.split()),
    )


NAMED: dict[str, tuple[Case, tuple[tuple[float, float | None], ...]]] = {
    # Breaching at 2m and 3m only: pending from 2m, dropped at 4m, never fires (for: 3m).
    "blip-shorter-than-for": (
        _named("blip", "0 0 1 1 0 0 0 0 0 0", for_s=3 * M),
        (),
    ),
    # Breaching 2m..5m: pending at 2m, fires at 5m (2m + for), resolves at 6m.
    "held-for-exactly-for": (
        _named("held", "0 0 1 1 1 1 0 0 0 0", for_s=3 * M),
        ((5 * M, 6 * M),),
    ),
    # A one-minute dip at 6m and a two-minute dip at 10m..11m, keep_firing_for: 2m: the
    # alert fires at 2m and stays firing through both dips; resolves at 16m, 2m after the
    # condition is last false from 14m on.
    "keep-firing-through-dips": (
        _named("keep", "0 0 1 1 1 1 0 1 1 1 0 0 1 1 0 0 0 0 0 0", for_s=0.0, keep_s=2 * M),
        ((2 * M, 16 * M),),
    ),
    # The same series without keep_firing_for: every dip resolves the alert.
    "no-keep-firing-every-dip-resolves": (
        _named("nokeep", "0 0 1 1 1 1 0 1 1 1 0 0 1 1 0 0 0 0 0 0", for_s=0.0),
        ((2 * M, 6 * M), (7 * M, 10 * M), (12 * M, 14 * M)),
    ),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_case_drillsim(name: str) -> None:
    """drillsim's fire and resolve times for the hand-written series (no promtool needed)."""
    case, expected = NAMED[name]
    assert run_drillsim(case).intervals == expected


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_case_promtool(promtool: Promtool, name: str, tmp_path: Path) -> None:
    """promtool agrees with those times at every minute."""
    case, _ = NAMED[name]
    assert_promtool_agrees(promtool, [case], tmp_path)


def test_a_wrong_expectation_is_caught(promtool: Promtool, tmp_path: Path) -> None:
    """The harness is not vacuous: shifting a fire time by one evaluation makes promtool fail,
    and the failure is traced back to the case."""
    case, _ = NAMED["held-for-exactly-for"]
    good = run_drillsim(case)
    shifted = dataclasses.replace(good, intervals=((4 * M, 6 * M),))
    verdict = check_with_promtool(promtool, [case], [shifted], tmp_path)
    assert verdict.returncode != 0
    assert list(verdict.disputed) == [case.name]
    assert "time: 4m" in verdict.disputed[case.name][0]
