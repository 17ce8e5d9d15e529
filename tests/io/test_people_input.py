"""Bad responder-model input: every mistake located at file:line:col with a clear message,
and suspicious-but-valid input as located warnings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from people_drill import write_people_drill

from drillsim.errors import ConfigError
from drillsim.io.validate import validate_files

CRASH = {"type": "crash", "target": {"service": "api"}, "at": "10m", "remedy": "restart"}


def problems(tmp_path: Path, **kw: Any) -> list[str]:
    """Every rendered issue of the tiny drill written with ``kw`` (run from its folder)."""
    kw.setdefault("people", [{"name": "p1"}])
    kw.setdefault("policy_rules", [{"delay": "30m", "targets": [{"user": "p1"}]}])
    kw.setdefault("faults", [CRASH])
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        with pytest.raises(ConfigError) as caught:
            write_people_drill(Path("."), **kw)
        return [i.render() for i in caught.value.issues]
    finally:
        os.chdir(here)


def warnings_of(tmp_path: Path, **kw: Any) -> list[str]:
    """Rendered warnings of a valid tiny drill."""
    kw.setdefault("people", [{"name": "p1"}])
    kw.setdefault("policy_rules", [{"delay": "30m", "targets": [{"user": "p1"}]}])
    kw.setdefault("faults", [CRASH])
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        write_people_drill(Path("."), **kw)
        _, warnings = validate_files([Path("scenario.yaml")])
        return [w.render() for w in warnings]
    finally:
        os.chdir(here)


def test_unknown_people_and_schedules_in_the_fallback_pool_and_roles(tmp_path: Path) -> None:
    """Names the on-call document does not define are located in the scenario."""
    responders = {
        "fallback": {"people": ["p1", "erni"], "schedules": ["backup"]},
        "roles": [{"role": "incident-commander", "schedule": "ic"}],
    }
    assert problems(tmp_path, responders=responders) == [
        "scenario.yaml:15:7: responders.fallback.people[1]: unknown person 'erni'\n"
        "    known people: p1",
        "scenario.yaml:17:7: responders.fallback.schedules[0]: unknown schedule 'backup'\n"
        "    no schedules are defined",
        "scenario.yaml:20:15: responders.roles[0].schedule: unknown schedule 'ic'\n"
        "    no schedules are defined",
    ]


def test_schema_mistakes_in_the_scenarios_responders(tmp_path: Path) -> None:
    """A role with two sources and an unknown channel."""
    responders = {
        "roles": [{"role": "incident-commander", "schedule": "ic", "owner": True}],
        "channels": {"pager": {"delivery": "5s"}},
    }
    assert problems(tmp_path, responders=responders) == [
        "scenario.yaml:13:5: responders.roles[0]: fill from exactly one of schedule, people, "
        "owner\n    'schedule' and 'owner' are both given; keep one",
        "scenario.yaml:18:7: responders.channels.pager.[key]: unknown value 'pager'\n"
        "    expected one of: push, sms, phone, email",
    ]


def test_schema_mistakes_in_a_persons_rules_and_absences(tmp_path: Path) -> None:
    """Notification rules out of order (the first not immediate) and an absence that ends
    before it starts."""
    people = [
        {
            "name": "p1",
            "notify": [{"channel": "sms", "after": "5m"}, {"channel": "push"}],
            "away": [{"start": "2026-03-12", "end": "2026-03-10"}],
        }
    ]
    assert problems(tmp_path, people=people) == [
        "oncall.yaml:6:3: people[name='p1'].notify: the first notification rule is sent at "
        "once ('after: 0m')",
        "oncall.yaml:10:5: people[name='p1'].away[0]: an absence ends on or after the day it "
        "starts",
    ]


def test_overlapping_absences_and_empty_contracts_warn(tmp_path: Path) -> None:
    """Absences inside a longer one are located warnings, as is a vendor who may do
    nothing, and a role for a severity the matrix never assigns."""
    people = [
        {
            "name": "p1",
            "away": [
                {"start": "2026-04-01", "end": "2026-04-20"},
                {"start": "2026-04-05", "end": "2026-04-06", "reason": "sick"},
                {"start": "2026-04-10", "end": "2026-04-11"},
            ],
        },
        {"name": "acme", "vendor": {"response": "1h"}},
    ]
    responders = {"roles": [{"role": "incident-commander", "owner": True, "severities": ["P1"]}]}
    found = warnings_of(tmp_path, people=people, responders=responders)
    assert found == [
        "oncall.yaml:8:5: warning: people[name='p1'].away[1]: overlaps away[0] "
        "(2026-04-01..2026-04-20 and 2026-04-05..2026-04-06)\n"
        "    the first listed reason counts; merge them or fix the dates",
        "oncall.yaml:11:5: warning: people[name='p1'].away[2]: overlaps away[0] "
        "(2026-04-01..2026-04-20 and 2026-04-10..2026-04-11)\n"
        "    the first listed reason counts; merge them or fix the dates",
        "oncall.yaml:15:5: warning: people[name='acme'].vendor: the contract allows no "
        "runbook action; this vendor can only hand over\n"
        "    list the actions they may carry out, e.g. actions: [restart]",
        "scenario.yaml:16:7: warning: responders.roles[0].severities[0]: no incident is ever "
        "'P1'; this role is never filled for it\n"
        "    severities in use: SEV1, SEV2, SEV3, SEV4",
    ]
