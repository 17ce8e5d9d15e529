"""Monitors: alert rules evaluated against service signals, Prometheus-style.

A signal is scraped every ``scrape_interval`` and the rule evaluated every
``interval`` (fixed phases per target and per rule). Because health only changes at
discrete events, a monitor does not tick: it checks at the first evaluation that can see
a change, and at the evaluation where a pending alert's ``for`` elapses. That gives the
same firing and resolution times as evaluating every interval, at a fraction of the cost.

Sends to Alertmanager follow Prometheus (:mod:`drillsim.alerting.resend`) and are
counted in closed form, not simulated one by one: a firing alert's re-sends change
nothing in Alertmanager. A resolved alert's re-sends (for 15 minutes) do matter, because
Alertmanager puts it back into its live groups; the pipeline asks :meth:`MonitorSet.
resent_at` when one of its groups would get it back.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from drillsim.alerting.labels import fingerprint
from drillsim.alerting.resend import firing_sends, resend_step, resolved_resends
from drillsim.engine.health import Health
from drillsim.engine.scheduler import Scheduler
from drillsim.engine.world import World
from drillsim.spec.alerting import AlertRule, AlertRules
from drillsim.spec.topology import Service, Topology

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_EPS = 1e-9


def signal_value(signal: str, health: Health) -> float:
    """The value of a named signal in a health record."""
    if signal == "availability":
        return 1.0 - health.error_rate
    return float(getattr(health, _SIGNAL_FIELDS[signal]))


_SIGNAL_FIELDS = {
    "error_rate": "error_rate",
    "latency_p99": "latency_s",
    "up": "up",
    "saturation": "saturation",
}


def next_grid(t_s: float, phase_s: float, step_s: float) -> float:
    """The first instant ``phase + k * step`` at or after ``t_s``."""
    k = math.ceil((t_s - phase_s) / step_s - _EPS)
    return phase_s + k * step_s


def last_grid(t_s: float, phase_s: float, step_s: float) -> float:
    """The last instant ``phase + k * step`` at or before ``t_s``."""
    k = math.floor((t_s - phase_s) / step_s + _EPS)
    return phase_s + k * step_s


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule's threshold test, compiled once (a plain object, so a drill pickles)."""

    signal: str
    op: str
    threshold: float
    _compare: Callable[[float, float], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Looked up once: the test runs at every health change and every evaluation.
        object.__setattr__(self, "_compare", _OPS[self.op])

    def __call__(self, health: Health) -> bool:
        """Whether the health record breaks the threshold."""
        return self._compare(signal_value(self.signal, health), self.threshold)


def condition(rule: AlertRule) -> Condition:
    """The rule's threshold test."""
    return Condition(rule.signal, rule.op, rule.threshold_value)


def selects(rule: AlertRule, service: Service) -> bool:
    """Whether the rule watches this service."""
    return rule.services.selects(service)


_TEMPLATE_RE = re.compile(r"\{\{\s*\$(labels\.(\w+)|value)\s*\}\}")


def render_annotation(text: str, labels: dict[str, str], value: float) -> str:
    """Fill ``{{ $labels.x }}`` and ``{{ $value }}`` the way Prometheus templates do."""
    literals, fields = _template(text)
    if not fields:
        return text
    out = [literals[0]]
    for label, literal in zip(fields, literals[1:], strict=True):
        out.append(labels.get(label, "") if label else f"{value:.4g}")
        out.append(literal)
    return "".join(out)


@functools.cache
def _template(text: str) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """A template split once: its literal pieces and, between each two, the label a
    placeholder names (None for ``$value``). Cached by text: the split is a pure
    function of it, and a drill has a handful of annotation texts."""
    literals, fields, start = [], [], 0
    for m in _TEMPLATE_RE.finditer(text):
        literals.append(text[start : m.start()])
        fields.append(m.group(2))
        start = m.end()
    literals.append(text[start:])
    return tuple(literals), tuple(fields)


@dataclass(slots=True)
class AlertState:
    """One alert as Alertmanager sees it: from a drillsim rule on a service, or received
    from outside (``rule`` None, its annotations carried along)."""

    rule: AlertRule | None
    service: str
    labels: dict[str, str]
    fingerprint: str
    starts_at_s: float = 0.0
    ends_at_s: float | None = None
    faults: tuple[str, ...] = ()
    false_positive: bool = False
    value: float = 0.0
    """The sample that made it fire (for ``{{ $value }}``)."""
    annotations: dict[str, str] | None = None
    """Annotations as received (alerts from outside drillsim's own rules)."""
    expires_at_s: float | None = None
    """For received alerts: when they end unless a re-send moves it (their endsAt)."""
    resend_step_s: float = 0.0
    """Once resolved: seconds between Prometheus's re-sends of it (0: never re-sent)."""
    resend_before_s: float = 0.0
    """Once resolved: re-sends stop here (end of the run, or a new pending alert)."""

    @property
    def name(self) -> str:
        """The alert's name (its ``alertname`` label)."""
        return self.labels.get("alertname", "")


@dataclass(frozen=True, slots=True)
class AlertSeries:
    """One (rule, service) pair with its labels, fingerprint and compiled test, and the
    timing and stream name its monitor needs (the same in every replication)."""

    rule: AlertRule
    service: str
    labels: dict[str, str]
    fingerprint: str
    test: Callable[[Health], bool]
    eval_s: float
    """Seconds between two evaluations of the rule."""
    step_s: float
    """Seconds between two sends of one of its alerts to Alertmanager."""
    rng_name: str
    """Name of its false positives' random stream."""


def alert_series(rules: AlertRules, topology: Topology) -> list[AlertSeries]:
    """Every alert series the rules define over the topology, in rule then service order."""
    out = []
    for rule in rules.rules:
        eval_s = rule.interval or rules.evaluation_interval
        step_s = resend_step(eval_s, rules.resend_delay)
        for svc in topology.services:
            if not selects(rule, svc):
                continue
            labels = {
                "alertname": rule.alert,
                "service": svc.name,
                "team": svc.team,
                "tier": str(svc.tier),
                **rule.labels,
            }
            out.append(
                AlertSeries(
                    rule,
                    svc.name,
                    labels,
                    fingerprint(labels),
                    condition(rule),
                    eval_s,
                    step_s,
                    f"monitor/{rule.alert}/{svc.name}",
                )
            )
    return out


@dataclass(slots=True)
class _Instance:
    rule: AlertRule
    service: str
    labels: dict[str, str]
    fingerprint: str
    scrape_phase: float
    eval_phase: float
    eval_s: float
    step_s: float
    """Seconds between two sends of one of its alerts to Alertmanager."""
    test: Callable[[Health], bool]
    rng_name: str
    rng: np.random.Generator | None = None
    """False positives' stream."""
    dip_rng: np.random.Generator | None = None
    """Flapping's own stream: how long a real fault lasts must not move later noise."""
    real: bool = False
    state: str = "inactive"
    active_since: float = 0.0
    fired_s: float = 0.0
    clear_since: float | None = None
    checks: set[float] = field(default_factory=set)
    spikes: list[tuple[float, float]] = field(default_factory=list)
    dips: list[tuple[float, float]] = field(default_factory=list)
    alert: AlertState | None = None
    resolved: AlertState | None = None
    """Its last resolved alert, while Prometheus may still re-send it."""


class MonitorSet:
    """Every (rule, service) monitor of a drill; emits alerts into ``on_alert``."""

    def __init__(
        self,
        sched: Scheduler,
        world: World,
        rules: AlertRules,
        topology: Topology,
        series: list[AlertSeries],
        rng_for: Callable[[str], np.random.Generator],
        phase: Callable[[str], float],
        on_alert: Callable[[AlertState, bool], None],
        horizon_s: float,
    ) -> None:
        self.sched = sched
        self.world = world
        self.scrape_s = rules.scrape_interval
        self.eval_s = rules.evaluation_interval
        self.on_alert = on_alert
        self.posts = 0
        """Alerts posted to Alertmanager so far, Prometheus's re-sends included."""
        self.horizon_s = horizon_s
        self.by_service: dict[str, list[_Instance]] = {}
        self.rng_for = rng_for
        self._by_fingerprint: dict[str, _Instance] = {}
        # Fixed phases, each from its own name: adding a service shifts no other's.
        eval_fraction = phase("monitors/evaluation")
        scrape_phase = {
            s.name: phase(f"monitors/scrape/{s.name}") * self.scrape_s for s in topology.services
        }
        for spec in series:
            inst = _Instance(
                spec.rule,
                spec.service,
                spec.labels,
                spec.fingerprint,
                scrape_phase[spec.service],
                eval_fraction * spec.eval_s,
                spec.eval_s,
                spec.step_s,
                spec.test,
                spec.rng_name,
            )
            self.by_service.setdefault(spec.service, []).append(inst)
            self._by_fingerprint[spec.fingerprint] = inst
        for name in sorted(self.by_service):
            world.subscribe(name, self._on_change)
        for name in sorted(self.by_service):
            for inst in self.by_service[name]:
                inst.real = inst.test(world.visible[name])
                if inst.rule.false_positives is not None:
                    self._plan_spike(inst, 0.0)
                if inst.real:
                    self._arm(inst, 0.0)

    # ----- condition -----------------------------------------------------------------

    def _cond_at(self, inst: _Instance, t_s: float) -> bool:
        """The rule's condition as the evaluation at ``t_s`` sees it (last scrape)."""
        scraped = last_grid(t_s, inst.scrape_phase, self.scrape_s)
        if inst.test(self.world.health_at(inst.service, scraped)):
            return not (inst.dips and any(a <= scraped < b for a, b in inst.dips))
        return bool(inst.spikes) and any(a <= scraped < b for a, b in inst.spikes)

    def _random(self, inst: _Instance) -> np.random.Generator:
        """The instance's false-positive stream, claimed on first use (most monitors
        never draw)."""
        if inst.rng is None:
            inst.rng = self.rng_for(inst.rng_name)
        return inst.rng

    def _flapping_random(self, inst: _Instance) -> np.random.Generator:
        """Flapping draws from a stream of its own: dips are planned while a fault
        lasts, so sharing the false positives' stream would let a fault ended sooner
        (another arm of a comparison) shift every later false positive."""
        if inst.dip_rng is None:
            inst.dip_rng = self.rng_for(f"{inst.rng_name}/flapping")
        return inst.dip_rng

    # ----- scheduling ----------------------------------------------------------------

    def _on_change(self, service: str) -> None:
        """Arm the monitors whose condition flipped; evaluations see nothing else new."""
        now = self.sched.env.now
        health = self.world.visible[service]
        for inst in self.by_service[service]:
            real = inst.test(health)
            if real == inst.real:
                continue
            inst.real = real
            self._arm(inst, now)
            if real and inst.rule.flapping is not None:
                self._plan_dip(inst, now)

    def _real_cond_now(self, inst: _Instance) -> bool:
        return inst.test(self.world.visible[inst.service])

    def _arm(self, inst: _Instance, t_s: float) -> None:
        """Check at the first evaluation that can observe the signal as of ``t_s``."""
        scrape = next_grid(t_s, inst.scrape_phase, self.scrape_s)
        self._check_at(inst, next_grid(scrape, inst.eval_phase, inst.eval_s))

    def _check_at(self, inst: _Instance, t_s: float) -> None:
        key = round(t_s, 6)
        if key in inst.checks or t_s > self.horizon_s:
            return
        inst.checks.add(key)
        self.sched.at(t_s, self._check, inst, key)

    def _plan_spike(self, inst: _Instance, after_s: float) -> None:
        spec = inst.rule.false_positives
        assert spec is not None
        rng = self._random(inst)
        start = after_s + float(rng.exponential(spec.every))
        if start >= self.horizon_s:
            return
        end = start + spec.lasts.sample(rng)
        inst.spikes = [s for s in inst.spikes if s[1] > after_s - self.scrape_s]
        inst.spikes.append((start, end))
        self.sched.at(start, self._spike_edge, inst, start, end, True)

    def _spike_edge(self, inst: _Instance, start: float, end: float, opening: bool) -> None:
        now = self.sched.env.now
        self._arm(inst, now)
        if opening:
            self.sched.at(end, self._spike_edge, inst, start, end, False)
        else:
            self._plan_spike(inst, now)

    def _plan_dip(self, inst: _Instance, after_s: float) -> None:
        spec = inst.rule.flapping
        assert spec is not None
        if inst.dips and inst.dips[-1][1] > after_s:
            return  # a dip is already planned
        rng = self._flapping_random(inst)
        start = after_s + float(rng.exponential(spec.every))
        if start >= self.horizon_s:
            return
        end = start + spec.lasts.sample(rng)
        inst.dips = [d for d in inst.dips if d[1] > after_s - self.scrape_s]
        inst.dips.append((start, end))
        self.sched.at(start, self._dip_edge, inst, end, True)

    def _dip_edge(self, inst: _Instance, end: float, opening: bool) -> None:
        now = self.sched.env.now
        self._arm(inst, now)
        if opening:
            self.sched.at(end, self._dip_edge, inst, end, False)
        elif self._real_cond_now(inst):
            self._plan_dip(inst, now)

    # ----- the rule's state machine --------------------------------------------------

    def _check(self, inst: _Instance, key: float) -> None:
        inst.checks.discard(key)
        now = self.sched.env.now
        cond = self._cond_at(inst, now)
        rule = inst.rule
        if inst.state == "inactive" and cond:
            inst.state, inst.active_since = "pending", now
            self._replaced(inst, now)
        if inst.state == "pending":
            if not cond:
                inst.state = "inactive"
            elif now - inst.active_since >= rule.for_ - _EPS:
                self._fire(inst, now)
            else:
                steps = math.ceil((rule.for_ - (now - inst.active_since)) / inst.eval_s - _EPS)
                self._check_at(inst, now + steps * inst.eval_s)
        elif inst.state == "firing":
            if cond:
                inst.clear_since = None
            else:
                if inst.clear_since is None:
                    inst.clear_since = now
                waited = now - inst.clear_since
                if waited >= rule.keep_firing_for - _EPS:
                    self._resolve(inst, now)
                else:
                    steps = math.ceil((rule.keep_firing_for - waited) / inst.eval_s - _EPS)
                    self._check_at(inst, now + steps * inst.eval_s)

    def _fire(self, inst: _Instance, now: float) -> None:
        inst.state, inst.clear_since, inst.fired_s = "firing", None, now
        scraped = last_grid(now, inst.scrape_phase, self.scrape_s)
        causes = self.world.causes_at(inst.service, scraped)
        sample = self.world.health_at(inst.service, scraped)
        real = inst.test(sample)
        # A noise excursion is not in the health record: it reached the threshold.
        value = signal_value(inst.rule.signal, sample) if real else inst.rule.threshold_value
        alert = AlertState(
            inst.rule,
            inst.service,
            inst.labels,
            inst.fingerprint,
            now,
            None,
            causes if real else (),
            not real and not causes,
            value,
        )
        inst.alert = alert
        self.on_alert(alert, True)

    def _resolve(self, inst: _Instance, now: float) -> None:
        inst.state = "inactive"
        if inst.alert is not None:
            alert, inst.alert = inst.alert, None
            alert.ends_at_s = now
            alert.resend_step_s, alert.resend_before_s = inst.step_s, self.horizon_s
            inst.resolved = alert
            self.posts += firing_sends(inst.fired_s, now, inst.step_s) + 1
            self.posts += resolved_resends(now, inst.step_s, self.horizon_s)
            self.on_alert(alert, False)

    # ----- Prometheus's re-sends of a resolved alert ---------------------------------

    def _replaced(self, inst: _Instance, now: float) -> None:
        """A new pending alert took the place of the resolved one: its re-sends stop."""
        alert, inst.resolved = inst.resolved, None
        if alert is None or alert.ends_at_s is None or now >= alert.resend_before_s:
            return
        step = alert.resend_step_s
        self.posts -= resolved_resends(alert.ends_at_s, step, alert.resend_before_s)
        self.posts += resolved_resends(alert.ends_at_s, step, now)
        alert.resend_before_s = now

    def resent_at(self, alert: AlertState, t_s: float) -> bool:
        """Whether Prometheus re-sends this resolved alert at ``t_s`` (one of its re-send
        times): not when a new pending alert of the same series has taken its place,
        which happens at an evaluation where the condition holds again."""
        if alert.resend_step_s <= 0 or t_s >= alert.resend_before_s:
            return False
        inst = self._by_fingerprint.get(alert.fingerprint)
        return inst is not None and inst.resolved is alert and not self._cond_at(inst, t_s)

    def finish(self, until_s: float) -> None:
        """Count the sends of alerts still firing when the run ends at ``until_s``."""
        for name in sorted(self.by_service):
            for inst in self.by_service[name]:
                if inst.alert is not None:
                    self.posts += firing_sends(inst.fired_s, until_s, inst.step_s)

    def annotations_for(self, alert: AlertState) -> dict[str, str]:
        """The rule's annotations rendered for this alert."""
        if alert.rule is None:
            return dict(alert.annotations or {})
        return {
            k: render_annotation(v, alert.labels, alert.value)
            for k, v in alert.rule.annotations.items()
        }
