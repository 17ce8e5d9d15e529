"""An escalation policy compiled to one list of operations, whatever form it was written in.

The engine (:mod:`drillsim.oncall.machine`) knows only these operations, so every vendor's
semantics runs on it: PagerDuty and GoAlert rules become *notify, wait its delay*; Opsgenie's
rules, whose delays count from the start of the pass, become *wait the difference, notify*;
a Grafana OnCall chain maps one step to one operation. Loops become a final ``Repeat``.
"""

from __future__ import annotations

from dataclasses import dataclass

from drillsim.spec.escalation import ChainStep, EscalationPolicy, EscalationRule, Target

__all__ = [
    "Declare",
    "Notify",
    "Op",
    "Program",
    "Repeat",
    "Resolve",
    "UntilAlerts",
    "UntilTime",
    "Wait",
    "compile_policy",
]


@dataclass(frozen=True, slots=True)
class Notify:
    """Page the people ``targets`` name (``index`` keys the round-robin turn)."""

    index: int
    level: int
    targets: tuple[Target, ...]
    assignment: str = "everyone"
    condition: str = "not-acked"
    multi_ack: bool = False


@dataclass(frozen=True, slots=True)
class Wait:
    """Let ``seconds`` pass (cut short by an acknowledgement that ends the escalation)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class UntilTime:
    """Continue inside the daily UTC window ``span`` (minutes); else pause until it opens."""

    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class UntilAlerts:
    """Continue once ``at_least`` alerts reached the incident in the last ``within_s``."""

    at_least: int
    within_s: float


@dataclass(frozen=True, slots=True)
class Repeat:
    """Back to the first operation, at most ``times`` times, after waiting ``wait_s``."""

    times: int
    wait_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Resolve:
    """Resolve the incident (Grafana OnCall ``resolve``)."""


@dataclass(frozen=True, slots=True)
class Declare:
    """Declare a formal incident (Grafana OnCall ``declare_incident``)."""

    severity: str | None = None


Op = Notify | Wait | UntilTime | UntilAlerts | Repeat | Resolve | Declare


@dataclass(frozen=True, slots=True)
class Program:
    """A policy as the engine runs it, with the settings that act beside the operations."""

    policy: str
    ops: tuple[Op, ...]
    skip_empty: bool
    ack_by: str = "anyone-paged"
    ack_timeout_s: float | None = None
    auto_resolve_s: float | None = None

    @property
    def pages_after_ack(self) -> bool:
        """Some level pages while the incident is open even once acknowledged."""
        return any(isinstance(op, Notify) and op.condition == "not-closed" for op in self.ops)

    @property
    def screens_answers(self) -> bool:
        """Whether a page's answer needs the escalation's say (who may acknowledge, who
        joins, the owner answering after a re-trigger); otherwise every answer from a
        paged person acknowledges an unacknowledged incident."""
        multi = any(isinstance(op, Notify) and op.multi_ack for op in self.ops)
        return multi or self.ack_by == "current-level" or self.ack_timeout_s is not None


def _notify(index: int, level: int, rule: EscalationRule | ChainStep) -> Notify:
    targets = rule.targets if isinstance(rule, EscalationRule) else rule.notify or []
    return Notify(index, level, tuple(targets), rule.assignment, rule.condition, rule.multi_ack)


def _from_rules(policy: EscalationPolicy) -> list[Op]:
    ops: list[Op] = []
    if policy.delays == "per-rule":
        for level, rule in enumerate(policy.rules):
            ops += [_notify(len(ops), level, rule), Wait(rule.delay)]
        repeat_wait = 0.0
    else:
        offset = 0.0
        for level, rule in enumerate(policy.rules):
            if rule.delay > offset:
                ops.append(Wait(rule.delay - offset))
            offset = max(offset, rule.delay)
            ops.append(_notify(len(ops), level, rule))
        repeat_wait = policy.repeat_wait or 0.0
    if policy.loops > 1:
        ops.append(Repeat(policy.loops - 1, repeat_wait))
    return ops


def _from_steps(policy: EscalationPolicy) -> list[Op]:
    ops: list[Op] = []
    level = 0
    for index, step in enumerate(policy.steps):
        if step.notify is not None:
            ops.append(_notify(index, level, step))
            level += 1
        elif step.wait is not None:
            ops.append(Wait(step.wait))
        elif step.continue_if_time is not None:
            ops.append(UntilTime(step.continue_if_time))
        elif step.continue_if_alerts is not None:
            ops.append(
                UntilAlerts(step.continue_if_alerts.at_least, step.continue_if_alerts.within)
            )
        elif step.repeat is not None:
            ops.append(Repeat(step.repeat))
        elif step.resolve is not None:
            ops.append(Resolve())
        elif step.declare_incident is not None:
            ops.append(Declare(step.declare_incident.severity))
    return ops


def compile_policy(policy: EscalationPolicy) -> Program:
    """The operations and settings of ``policy``.

    Per-rule rules compile to ``notify, wait delay`` per rule, so the wait after the last
    rule is the pause before the next pass (PagerDuty: "after the last rule's delay, start
    over"). From-start rules compile to ``wait (delay - previous delay), notify``; the
    pause before the next pass is ``repeat_wait``. A Grafana ``repeat`` step goes back to
    step 0; ``loops: n`` is a final ``Repeat(n - 1)``.
    """
    ops = _from_rules(policy) if policy.rules else _from_steps(policy)
    return Program(
        policy=policy.name,
        ops=tuple(ops),
        skip_empty=policy.skips_empty_levels,
        ack_by=policy.ack_by,
        ack_timeout_s=policy.ack_timeout,
        auto_resolve_s=policy.auto_resolve,
    )
