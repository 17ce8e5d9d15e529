"""The request-backlog arithmetic (engine/backlog.py): phases, slopes and exact crossing
times, checked by hand against the fluid equations, and the bad inputs of its topology
fields, each located at file:line:col."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import simpy

from drillsim.engine.backlog import Backlog, BacklogLaw, motion, signal_of
from drillsim.engine.layout import layout_of
from drillsim.engine.scheduler import Scheduler
from drillsim.engine.world import ActiveFault, World
from drillsim.events import BacklogChanged, EventLog, ServiceHealthChanged
from drillsim.io.loader import load_document
from drillsim.spec.scenario import Fault
from drillsim.spec.topology import Topology

MU, T = 100.0, 1.0


def law(
    lam: float, retries: int = 3, *, budget: float | None = None, cancel: bool = False
) -> BacklogLaw:
    attempts = float(retries + 1) if budget is None else min(retries + 1.0, 1.0 + budget)
    return BacklogLaw(lam, MU, T, attempts, retries + 1, cancel)


def test_an_empty_queue_under_capacity_stays_idle() -> None:
    move = motion(law(40), 0.0, 1.0)
    assert (move.phase, move.rate, move.target) == ("idle", 0.0, None)
    assert move.time_to_target(0.0) == math.inf


def test_a_capacity_loss_fills_the_queue_up_to_the_timeout_level() -> None:
    # lam 40 against 20 req/s: grows at 20/s and reaches mu c T = 20 after exactly 1 s.
    move = motion(law(40), 0.0, 0.2)
    assert (move.phase, move.attempts) == ("queueing", 1.0)
    assert move.rate == pytest.approx(20.0)
    assert move.target == pytest.approx(20.0)
    assert move.time_to_target(0.0) == pytest.approx(1.0)
    assert move.time_to_target(5.0) == pytest.approx(0.75)


def test_past_the_level_the_retries_come_one_generation_a_timeout() -> None:
    # At mu c T = 20 and rising: new attempts wait over T, but none has timed out yet.
    move = motion(law(40), 20.0, 0.2)
    assert (move.phase, move.attempts, move.over, move.target) == ("queueing", 1.0, True, None)
    assert move.rate == pytest.approx(20.0)
    assert [law(40).attempts(k) for k in range(5)] == [1.0, 2.0, 3.0, 4.0, 4.0]
    assert [law(40).ramps(k) for k in range(4)] == [True, True, True, False]
    after_one = motion(law(40), 40.0, 0.2, 1)
    assert (after_one.phase, after_one.attempts) == ("storm", 2.0)
    assert after_one.rate == pytest.approx(2 * 40 - 20)


def test_the_stuck_state_makes_r_plus_1_attempts_and_serves_nothing() -> None:
    full = motion(law(40), 101.0, 1.0, 3)  # capacity back, more than mu T queued
    assert (full.phase, full.attempts) == ("storm", 4.0)
    assert full.rate == pytest.approx(60.0)  # lam (R+1) - mu
    sig = signal_of(law(40), 101.0, 1.0, full)
    assert sig is not None
    assert (sig.error_rate, sig.attempts) == (1.0, 4.0)  # goodput 0
    assert sig.saturation == pytest.approx(1.6)
    assert sig.latency_s == pytest.approx(4 * T)  # a request gives up after 4 timeouts


def test_under_the_level_the_queue_drains_at_mu_minus_lam() -> None:
    move = motion(law(40), 99.0, 1.0)
    assert move.phase == "queueing"
    assert move.rate == pytest.approx(-60.0)
    assert move.time_to_target(99.0) == pytest.approx(99.0 / 60.0)
    sig = signal_of(law(40), 99.0, 1.0, move)
    assert sig is not None
    assert sig.error_rate == 0.0
    assert sig.latency_s == pytest.approx(0.99)  # the wait Q / (mu c)


def test_below_the_band_a_storm_drains_back_to_the_level() -> None:
    # lam 24 < mu / (R+1) = 25: amplified load 96 < 100, the storm drains at 4/s.
    move = motion(law(24), 500.0, 1.0, 3)
    assert move.phase == "storm"
    assert move.rate == pytest.approx(-4.0)
    assert move.target == pytest.approx(100.0)
    assert move.time_to_target(500.0) == pytest.approx(100.0)
    at_level = motion(law(24), 100.0, 1.0, 3)
    assert at_level.phase == "queueing"
    assert at_level.rate == pytest.approx(-76.0)


def test_a_retry_budget_caps_the_amplification() -> None:
    budget = law(40, budget=0.1)
    assert [budget.attempts(k) for k in range(3)] == [1.0, 1.1, 1.1]
    assert [budget.ramps(k) for k in range(2)] == [True, False]
    assert motion(budget, 101.0, 1.0, 1).rate == pytest.approx(44.0 - 100.0)
    assert motion(law(95, budget=0.1), 101.0, 1.0, 1).rate == pytest.approx(104.5 - 100.0)


def test_cancelled_attempts_cap_the_queue_and_shed_the_excess() -> None:
    move = motion(law(40, cancel=True), 20.0, 0.2)
    assert (move.phase, move.rate) == ("capped", 0.0)
    sig = signal_of(law(40, cancel=True), 20.0, 0.2, move)
    assert sig is not None
    assert sig.error_rate == pytest.approx(0.5)  # 20 of 40 req/s served
    assert motion(law(40, cancel=True), 20.0, 1.0).phase == "queueing"


def test_no_capacity_means_down_and_no_backlog_signal() -> None:
    move = motion(law(40), 50.0, 0.0)
    assert move.phase == "down"
    assert signal_of(law(40), 50.0, 0.0, move) is None


def test_clients_that_never_time_out_never_storm() -> None:
    patient = BacklogLaw(40.0, MU, math.inf, 1.0, 1, False)
    move = motion(patient, 1e6, 0.2)
    assert (move.phase, move.target) == ("queueing", None)
    assert move.rate == pytest.approx(20.0)


def _backlog(lam: float) -> tuple[simpy.Environment, Backlog, list[tuple[float, str]]]:
    env = simpy.Environment()
    changes: list[tuple[float, str]] = []
    backlog = Backlog(law(lam), Scheduler(env), lambda: changes.append((env.now, "x")))
    backlog.on_change = lambda: changes.append((env.now, backlog.move.phase))
    return env, backlog, changes


def _at(env: simpy.Environment, t: float, action: Callable[[], None]) -> None:
    Scheduler(env).at(t, action)


@pytest.mark.parametrize(
    ("lam", "d", "events", "q_end"),
    [
        # lam 40, 20% capacity for 1 s: reaches the level (20) exactly as the trigger ends
        # (the capacity comes back first here), then drains at 60/s: empty at 61 + 20/60.
        (40.0, 1.0, [(61.0 + 20 / 60, "idle")], 0.0),
        # 2 s: level at 61 (waits pass T); the first timeouts would leave at 62, but the
        # capacity is back then with 40 queued (< mu T): drains, empty at 62 + 40/60.
        (40.0, 2.0, [(61.0, "queueing"), (62.0 + 40 / 60, "idle")], 0.0),
        # 6 s: level at 61; retries at 62 (a=2, +60/s), 63 (a=3, 100 queued, +100/s),
        # 64 (a=4, 200 queued, +140/s); 480 at 66, then +60/s for good.
        (
            40.0,
            6.0,
            [(61.0, "queueing"), (62.0, "storm"), (63.0, "storm"), (64.0, "storm")],
            480.0 + 60.0 * 234.0,
        ),
        # lam 60: level after 0.5 s at 40/s; retries at 61.5 (60 queued, +100/s), 62.5
        # (160, +160/s); 240 at 63 when the capacity is back (a=3: +80/s); a=4 at 63.5
        # (280 queued), then +140/s.
        (
            60.0,
            3.0,
            [(60.5, "queueing"), (61.5, "storm"), (62.5, "storm"), (63.5, "storm")],
            280.0 + 140.0 * 236.5,
        ),
    ],
)
def test_event_times_are_exact(
    lam: float, d: float, events: list[tuple[float, str]], q_end: float
) -> None:
    env, backlog, changes = _backlog(lam)
    _at(env, 60.0, lambda: backlog.set_share(env.now, 0.2))
    _at(env, 60.0 + d, lambda: backlog.set_share(env.now, 1.0))
    env.run(until=300.0)
    assert [t for t, _ in changes] == pytest.approx([t for t, _ in events], abs=1e-9)
    assert [p for _, p in changes] == [p for _, p in events]
    assert backlog.at(300.0) == pytest.approx(q_end, rel=1e-12)


def test_a_capacity_change_cancels_the_planned_crossing() -> None:
    env, backlog, changes = _backlog(40.0)
    _at(env, 10.0, lambda: backlog.set_share(env.now, 0.2))  # would reach 20 at 11
    _at(env, 10.5, lambda: backlog.set_share(env.now, 1.0))  # 10 queued, drains in 1/6 s
    env.run(until=20.0)
    assert changes == [(pytest.approx(10.5 + 10 / 60), "idle")]
    assert backlog.q == 0.0


def _world(services: list[dict[str, Any]]) -> tuple[simpy.Environment, World, EventLog]:
    topology = Topology.model_validate(
        {
            "kind": "Topology",
            "version": 1,
            "name": "storm",
            "regions": {"r": {"zones": ["a"]}},
            "services": services,
        }
    )
    env = simpy.Environment()
    log = EventLog()
    return env, World(Scheduler(env), layout_of(topology), log, np.random.default_rng(0)), log


API = {
    "name": "api",
    "team": "t",
    "replicas": 1,
    "traffic": {"rps": 40},
    "capacity_rps": 100,
    "clients": {"timeout": "1s", "retries": 3},
}


def _fault(
    world: World, env: simpy.Environment, fid: str, spec: dict[str, Any], at: float, d: float
) -> None:
    """Inject fault ``fid`` at ``at`` for ``d`` seconds, as the fault injector would."""
    fault = Fault.model_validate({"at": f"{at:g}s", "target": {"service": "api"}, **spec})

    def start() -> None:
        world.inject(ActiveFault(fid, fault, ("api",), env.now))
        Scheduler(env).after(d, world.clear, fid, "duration")

    Scheduler(env).at(at, start)


def test_a_storm_reaches_the_callers_and_keeps_its_trigger_blamed() -> None:
    """A hard dependency on the stuck service fails its caller too, long after the
    trigger ended, and both services' state is blamed on the trigger."""
    web = {"name": "web", "team": "t", "depends_on": [{"service": "api", "timeout": "5s"}]}
    env, world, _ = _world([API, web])
    _fault(world, env, "trigger", {"type": "capacity-loss", "capacity": 0.8}, 60.0, 6.0)
    env.run(until=600.0)
    assert world.backlogs["api"].move.phase == "storm"
    for name in ("api", "web"):
        assert world.visible[name].error_rate == 1.0
        assert world.causes[name] == ("trigger",)
    assert "web" not in world.backlogs


def test_a_crash_empties_the_queue_and_the_restart_ends_the_storm() -> None:
    env, world, log = _world([API])
    _fault(world, env, "trigger", {"type": "capacity-loss", "capacity": 0.8}, 60.0, 6.0)
    _fault(world, env, "crash", {"type": "crash"}, 200.0, 10.0)
    env.run(until=300.0)
    backlog = world.backlogs["api"]
    assert (backlog.move.phase, backlog.q, backlog.causes) == ("idle", 0.0, ())
    assert world.visible["api"] == world.model.healthy["api"]
    last = [r for r in log if isinstance(r, ServiceHealthChanged)][-1]
    assert (last.t, last.error_rate, last.causes) == (210.0, 0.0, ())


def test_without_capacity_rps_there_is_no_backlog() -> None:
    plain = {k: v for k, v in API.items() if k not in ("capacity_rps", "clients")}
    _, world, _ = _world([plain])
    assert world.backlogs == {}
    assert world.model.healthy["api"].saturation == 0.5  # utilisation, as before


TOPOLOGY_HEAD = """kind: Topology
version: 1
name: bad
regions: {r: {zones: [a]}}
services:
"""


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (
            "  - name: a\n    team: t\n    traffic: {rps: 40}\n    capacity_rps: -5\n",
            "t.yaml:9:19: services[name='a'].capacity_rps: must be greater than 0",
        ),
        (
            "  - name: a\n    team: t\n    traffic: {rps: 40}\n    capacity_rps: 100\n"
            "    clients: {timeout: 0s}\n",
            "t.yaml:10:24: services[name='a'].clients.timeout: must be > 0",
        ),
        (
            "  - name: a\n    team: t\n    traffic: {rps: 40}\n    capacity_rps: 100\n"
            "    clients: {retries: -1}\n",
            "t.yaml:10:24: services[name='a'].clients.retries: must be greater than or equal to 0",
        ),
        (
            "  - name: a\n    team: t\n    clients: {timeout: 1s}\n",
            "t.yaml:8:14: services[name='a'].clients: "
            "'clients' needs 'capacity_rps' (the rate the service serves)",
        ),
        (
            "  - name: a\n    team: t\n    capacity_rps: 100\n",
            "t.yaml:8:19: services[name='a'].capacity_rps: "
            "'capacity_rps' needs 'traffic' (the offered request rate)",
        ),
        (
            "  - name: a\n    team: t\n    traffic: {rps: 40, profile: business-day}\n"
            "    capacity_rps: 100\n",
            "t.yaml:8:14: services[name='a'].traffic: the backlog model (capacity) takes a "
            "constant request rate: use a flat profile without points",
        ),
        (
            "  - name: a\n    team: t\n    traffic: {rps: 100}\n    capacity_rps: 100\n",
            "t.yaml:9:19: services[name='a'].capacity_rps: must exceed the offered 100 rps "
            "(the backlog model starts from an empty, stable queue)",
        ),
    ],
)
def test_bad_backlog_fields_are_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, service: str, expected: str
) -> None:
    (tmp_path / "t.yaml").write_text(TOPOLOGY_HEAD + service)
    monkeypatch.chdir(tmp_path)
    doc, issues = load_document(Path("t.yaml"))
    assert doc is None
    shown = [f"{i.file}:{i.line}:{i.col}: {i.path}: {i.message}" for i in issues]
    assert shown == [expected]


def test_the_log_holds_the_backlogs_whole_path() -> None:
    """Between two ``BacklogChanged`` records the queue is a line, so the queue at any
    moment is recomputed from the log alone; checked against the backlog itself at
    probes through the fill, the storm's ramp, a crash that empties it and the drain."""
    env, world, log = _world([API])
    _fault(world, env, "trigger", {"type": "capacity-loss", "capacity": 0.8}, 60.0, 6.0)
    _fault(world, env, "crash", {"type": "crash"}, 200.0, 10.0)
    probes: list[tuple[float, float]] = []
    for k in range(1, 280):
        _at(env, k + 0.37, lambda: probes.append((env.now, world.backlogs["api"].at(env.now))))
    env.run(until=300.0)
    told = [r for r in log if isinstance(r, BacklogChanged)]
    assert {r.phase for r in told} >= {"queueing", "storm", "down", "idle"}
    assert all(r.service == "api" for r in told)
    for t, queued in probes:
        last = [r for r in told if r.t <= t][-1] if told[0].t <= t else None
        from_log = 0.0 if last is None else last.queued + last.rate * (t - last.t)
        assert from_log == pytest.approx(queued, abs=1e-6), t
    assert max(q for _, q in probes) > 1000  # the storm did build a queue
