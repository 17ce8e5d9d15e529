"""Tests for escalation ladders and target resolution."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from drillsim.oncall import EscalationStep, escalation_steps, resolve_targets
from drillsim.spec.oncall import EscalationRule, OnCall

BERLIN = ZoneInfo("Europe/Berlin")


def document(**overrides: Any) -> OnCall:
    """A small OnCall document: weekly primary, business-hours-only secondary."""
    raw: dict[str, Any] = {
        "kind": "OnCall",
        "version": 1,
        "people": [{"name": n} for n in ("alice", "bob", "carol", "dana")],
        "schedules": [
            {
                "name": "primary",
                "tz": "Europe/Berlin",
                "layers": [
                    {
                        "rotation": "weekly",
                        "handoff": "mon 09:00",
                        "users": ["alice", "bob", "carol"],
                        "start": "2026-01-05",
                    }
                ],
            },
            {
                "name": "daytime",
                "tz": "Europe/Berlin",
                "layers": [
                    {
                        "rotation": "daily",
                        "handoff": "09:00",
                        "users": ["dana"],
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "hours": "09:00-18:00",
                    }
                ],
            },
        ],
        "escalation_policies": [
            {
                "name": "payments",
                "rules": [
                    {"delay": "15m", "targets": [{"schedule": "primary"}]},
                    {"delay": "10m", "targets": [{"user": "dana"}, {"schedule": "daytime"}]},
                ],
                "loops": 2,
            }
        ],
    }
    raw.update(overrides)
    return OnCall.model_validate(raw)


def test_steps_repeat_the_rules_loops_times() -> None:
    """Two rules with loops 2 give four steps, rules in order within each loop."""
    policy = document().escalation_policies[0]
    steps = escalation_steps(policy)
    assert [(s.loop, s.level) for s in steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [s.rule for s in steps] == [*policy.rules, *policy.rules]
    assert [s.delay_s for s in steps] == [900.0, 600.0, 900.0, 600.0]


def test_single_loop_is_one_pass() -> None:
    """The default of one loop runs every rule once."""
    policy = document().escalation_policies[0].model_copy(update={"loops": 1})
    assert [(s.loop, s.level) for s in escalation_steps(policy)] == [(0, 0), (0, 1)]


def test_steps_are_hashable_values() -> None:
    """Steps compare by value and can be set members despite holding a pydantic rule."""
    policy = document().escalation_policies[0]
    first, second = escalation_steps(policy), escalation_steps(policy)
    assert first == second
    assert len(set(first)) == 4
    assert isinstance(first[0], EscalationStep)


def test_schedule_target_resolves_at_the_instant() -> None:
    """A schedule target pages whoever is on call at the given instant."""
    oncall = document()
    rule = oncall.escalation_policies[0].rules[0]
    assert resolve_targets(rule, datetime(2026, 1, 7, 3, tzinfo=BERLIN), oncall) == ["alice"]
    assert resolve_targets(rule, datetime(2026, 1, 12, 9, tzinfo=BERLIN), oncall) == ["bob"]


def test_duplicate_people_are_paged_once_in_order() -> None:
    """A user named and also on call appears once, where first reached."""
    oncall = document()
    rule = oncall.escalation_policies[0].rules[1]
    weekday_noon = datetime(2026, 1, 7, 12, tzinfo=BERLIN)
    assert resolve_targets(rule, weekday_noon, oncall) == ["dana"]


def test_empty_schedule_contributes_nobody() -> None:
    """A schedule with nobody on call adds no one; the named user still gets paged."""
    oncall = document()
    rule = oncall.escalation_policies[0].rules[1]
    saturday = datetime(2026, 1, 10, 12, tzinfo=BERLIN)
    assert resolve_targets(rule, saturday, oncall) == ["dana"]
    only_schedule = rule.model_copy(update={"targets": rule.targets[1:]})
    assert resolve_targets(only_schedule, saturday, oncall) == []


def test_target_order_is_preserved() -> None:
    """Targets resolve in the order written, users and schedules interleaved."""
    oncall = document()
    rule = EscalationRule.model_validate(
        {
            "delay": "5m",
            "targets": [
                {"schedule": "daytime"},
                {"user": "carol"},
                {"schedule": "primary"},
                {"user": "dana"},
            ],
        }
    )
    noon = datetime(2026, 1, 7, 12, tzinfo=BERLIN)
    assert resolve_targets(rule, noon, oncall) == ["dana", "carol", "alice"]


def test_unknown_schedule_is_a_key_error() -> None:
    """A target naming an undefined schedule raises KeyError with its name."""
    oncall = document(schedules=[])
    rule = oncall.escalation_policies[0].rules[0]
    with pytest.raises(KeyError, match="primary"):
        resolve_targets(rule, datetime(2026, 1, 7, 3, tzinfo=BERLIN), oncall)
