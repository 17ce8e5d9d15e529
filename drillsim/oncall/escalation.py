"""Escalation policies as data: the ladder of steps and who each step pages.

:func:`escalation_steps` unrolls a rule-form policy into the ladder a reader expects
(the engine itself runs the compiled program, :mod:`drillsim.oncall.machine`); deciding
*who* a level pages at an instant is :func:`resolve_people`, shared by both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from drillsim.oncall.rotation import who_is_on_call
from drillsim.spec.oncall import EscalationPolicy, EscalationRule, OnCall, Target

__all__ = ["EscalationStep", "escalation_steps", "resolve_people", "resolve_targets"]


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """One rung of an escalation ladder, unrolled over the policy's loops.

    Attributes:
        loop: pass over the rules, from 0 to ``policy.loops - 1``.
        level: index of ``rule`` in ``policy.rules``, from 0.
        rule: the rule to apply: its targets are paged, then its delay is waited.
    """

    loop: int
    level: int
    # Excluded from the hash because pydantic models holding lists are unhashable;
    # equality still compares it.
    rule: EscalationRule = field(hash=False)

    @property
    def delay_s(self) -> float:
        """Seconds to wait for an acknowledgement before the next step."""
        return self.rule.delay


def escalation_steps(policy: EscalationPolicy) -> list[EscalationStep]:
    """The full ladder: ``policy.rules`` in order, the whole list ``policy.loops`` times.

    drillsim's ``loops`` counts passes (``loops: 2`` runs every rule twice), unlike
    PagerDuty's ``num_loops``, which counts repeats after the first pass; importers
    convert. After the last step the incident stays with its last targets.
    """
    return [
        EscalationStep(loop=loop, level=level, rule=rule)
        for loop in range(policy.loops)
        for level, rule in enumerate(policy.rules)
    ]


def resolve_targets(rule: EscalationRule, at: datetime, oncall: OnCall) -> list[str]:
    """The people ``rule`` pages at ``at``, in the order its targets are written.

    A user target is paged as named. A schedule target pages whoever
    :func:`~drillsim.oncall.rotation.who_is_on_call` says is on call at ``at``, and nobody
    if the schedule has a gap then (PagerDuty: an empty schedule target is empty). A
    person reached twice (named and also on call) is paged once, at the first place.
    An empty result lets the engine skip the level, as PagerDuty does.

    Raises:
        KeyError: if a target names a schedule the document does not define (the
            document validator reports this earlier, with a source position).
        ValueError: if ``at`` is naive.
    """
    return resolve_people(rule.targets, at, oncall)


def resolve_people(targets: Iterable[Target], at: datetime, oncall: OnCall) -> list[str]:
    """The people ``targets`` name at ``at``, in order, each once (see :func:`resolve_targets`)."""
    schedules = {schedule.name: schedule for schedule in oncall.schedules}
    people: dict[str, None] = {}  # an ordered set
    for target in targets:
        if target.user is not None:
            people.setdefault(target.user)
        elif target.schedule is not None:
            if target.schedule not in schedules:
                raise KeyError(f"escalation target names unknown schedule {target.schedule!r}")
            for user in who_is_on_call(schedules[target.schedule], at):
                people.setdefault(user)
    return list(people)
