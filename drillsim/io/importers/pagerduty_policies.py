"""PagerDuty escalation policies as the rules of a drillsim escalation policy.

Semantics (``reference/formats.md`` §2.1, docs/model.md "Escalation"):

* ``escalation_rules`` in order; each pages its ``targets`` (``user_reference`` /
  ``user`` by id, ``schedule_reference`` / ``schedule`` by id: whoever is on call) and
  waits ``escalation_delay_in_minutes`` (whole minutes > 0) for an acknowledgement;
* ``num_loops`` repeats after the last rule: drillsim's ``loops`` counts passes, so
  num_loops + 1, capped at what the model allows (with a warning);
* ``escalation_rule_assignment_strategy`` (a string, a ``{type}`` object or a list of
  them, as the REST schema, its example and terraform each write it): ``round_robin``
  pages one target in turn, ``assign_to_everyone`` all of them;
* PagerDuty reassigns an incident when it escalates, so only the level paged last may
  still acknowledge (``ack_by: current-level``); a level with nobody on call is
  skipped at once, the model's default for per-rule rules, so it is not written.

``services`` (a back-reference) passes quietly; ``on_call_handoff_notifications``,
``teams`` and any other field drillsim does not simulate are warnings naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drillsim.io.importers.pagerduty import get_field
from drillsim.io.importers.pagerduty_fields import QUIET, ignored, whole
from drillsim.io.importers.pagerduty_people import PagerDutyPeople
from drillsim.io.importers.schedule_reader import Problems
from drillsim.io.yamlsource import PathKey
from drillsim.spec.escalation import EscalationPolicy

__all__ = ["MAX_LOOPS", "PolicyRules", "read_policy"]


def _max_loops() -> int:
    for rule in EscalationPolicy.model_fields["loops"].metadata:
        limit = getattr(rule, "le", None)
        if isinstance(limit, int):
            return limit
    raise AssertionError("EscalationPolicy.loops has no upper bound")  # pragma: no cover


MAX_LOOPS = _max_loops()
"""The most passes over its rules a drillsim policy makes."""

_POLICY_KEYS = {"name", "num_loops", "escalation_rules"}
_RULE_KEYS = {"escalation_delay_in_minutes", "targets", "escalation_rule_assignment_strategy"}
_USER_TYPES = ("user_reference", "user")
_SCHEDULE_TYPES = ("schedule_reference", "schedule")
_STRATEGIES = {"round_robin": "round-robin", "assign_to_everyone": "everyone"}


@dataclass(frozen=True, slots=True)
class PolicyRules:
    """One escalation policy read: its id (None in CloudFormation's form), name, path,
    and the drillsim policy fields it gives (``rules``, ``loops``, ``ack_by``)."""

    ident: str | None
    name: str
    path: PathKey
    fields: dict[str, Any]


class _PolicyReader:
    def __init__(
        self, problems: Problems, people: PagerDutyPeople, schedules: dict[str, str]
    ) -> None:
        self.problems = problems
        self.people = people
        self.schedules = schedules

    def policy(self, obj: Any, path: PathKey) -> PolicyRules | None:
        if not isinstance(obj, dict):
            self.problems.error(path, "expected an escalation policy object")
            return None
        ignored(self.problems, obj, path, _POLICY_KEYS, QUIET | {"services"})
        ident, _ = get_field(obj, "id")
        ident = ident if isinstance(ident, str) and ident else None
        label, _ = get_field(obj, "name")
        name = label if isinstance(label, str) and label else ident
        if name is None:
            self.problems.error(path, "an escalation policy needs a 'name'")
        loops = self.loops(obj, path)
        raw, key = get_field(obj, "escalation_rules")
        if not isinstance(raw, list) or not raw:
            where = (*path, key) if key else path
            self.problems.error(
                where, "an escalation policy needs 'escalation_rules' (at least one)"
            )
            return None
        rules = [self.rule(r, (*path, key or "escalation_rules", i)) for i, r in enumerate(raw)]
        if name is None or loops is None or any(r is None for r in rules):
            return None
        fields = {"rules": rules, "loops": loops, "ack_by": "current-level"}
        return PolicyRules(ident, name, path, fields)

    def loops(self, obj: dict[str, Any], path: PathKey) -> int | None:
        raw, key = get_field(obj, "num_loops")
        if raw is None:
            return 1
        where = (*path, key or "num_loops")
        count = whole(raw)
        if count is None or count < 0:
            self.problems.error(where, f"must be a whole number >= 0, got {raw!r}")
            return None
        if count + 1 > MAX_LOOPS:
            self.problems.warn(
                where,
                f"num_loops {count}: drillsim makes at most {MAX_LOOPS} passes over the rules; "
                f"capped at num_loops {MAX_LOOPS - 1}",
            )
            return MAX_LOOPS
        return count + 1

    def rule(self, obj: Any, path: PathKey) -> dict[str, Any] | None:
        if not isinstance(obj, dict):
            self.problems.error(path, "expected an escalation rule object")
            return None
        ignored(self.problems, obj, path, _RULE_KEYS, {"id", "type"})
        raw, key = get_field(obj, "escalation_delay_in_minutes")
        delay = whole(raw)
        if key is None:
            self.problems.error(path, "an escalation rule needs 'escalation_delay_in_minutes'")
        elif delay is None or delay <= 0:
            self.problems.error((*path, key), f"must be whole minutes > 0, got {raw!r}")
        targets_raw, tkey = get_field(obj, "targets")
        if not isinstance(targets_raw, list) or not targets_raw:
            self.problems.error(
                (*path, tkey) if tkey else path, "an escalation rule needs 'targets' (at least one)"
            )
            return None
        targets = [self.target(t, (*path, tkey or "targets", i)) for i, t in enumerate(targets_raw)]
        assignment = self.assignment(obj, path)
        if delay is None or delay <= 0 or assignment is None or any(t is None for t in targets):
            return None
        rule: dict[str, Any] = {"delay": f"{delay}m", "targets": targets}
        if assignment != "everyone":
            rule["assignment"] = assignment
        return rule

    def target(self, obj: Any, path: PathKey) -> dict[str, str] | None:
        if not isinstance(obj, dict):
            self.problems.error(path, "expected a target object {id, type}")
            return None
        ignored(self.problems, obj, path, {"id", "type"})
        ident, ikey = get_field(obj, "id")
        kind, tkey = get_field(obj, "type")
        if not isinstance(ident, str) or not ident:
            self.problems.error(path, "a target needs an 'id'")
            return None
        if kind in _USER_TYPES:
            return {"user": self.people.refer(ident, (*path, ikey or "id"))}
        if kind in _SCHEDULE_TYPES:
            if ident not in self.schedules:
                self.problems.error(
                    (*path, ikey or "id"),
                    f"no schedule with id {ident!r} in this file",
                    _known("schedules", self.schedules),
                )
                return None
            return {"schedule": self.schedules[ident]}
        self.problems.error(
            (*path, tkey) if tkey else path,
            f"unknown target type {kind!r}",
            "user_reference or schedule_reference",
        )
        return None

    def assignment(self, obj: dict[str, Any], path: PathKey) -> str | None:
        raw, key = get_field(obj, "escalation_rule_assignment_strategy")
        if raw is None:
            return "everyone"
        value = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
        if isinstance(value, dict):
            value = get_field(value, "type")[0]
        if isinstance(value, str) and value in _STRATEGIES:
            return _STRATEGIES[value]
        self.problems.error(
            (*path, key or "escalation_rule_assignment_strategy"),
            f"unknown assignment strategy {raw!r}",
            "round_robin or assign_to_everyone (a string, {type: ...} or [{type: ...}])",
        )
        return None


def _known(what: str, by_id: dict[str, str]) -> str:
    if not by_id:
        return f"the file has no {what}: add them (GET /{what}) beside the policies"
    listed = ", ".join(f"{i} ({n})" for i, n in sorted(by_id.items()))
    return f"{what} here: {listed}"


def read_policy(
    obj: Any,
    path: PathKey,
    problems: Problems,
    people: PagerDutyPeople,
    schedules: dict[str, str],
) -> PolicyRules | None:
    """One PagerDuty escalation policy at ``path``; None (with located errors in
    ``problems``) when it cannot be read.

    Args:
        people: names the users its targets refer to.
        schedules: schedule ids in the file to the names they are imported under.
    """
    return _PolicyReader(problems, people, schedules).policy(obj, path)
