"""GoAlert schedules (the GraphQL answer documented in drillsim.io.importers.goalert)
imported as drillsim schedules: additive rules, stateful rotations, user overrides,
temporary schedules."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from drillsim.cli.main import cli
from drillsim.cli.oncall import load_schedules
from drillsim.errors import ConfigError
from drillsim.oncall.rotation import shifts, who_is_on_call

EVERY_DAY = [True] * 7
PRIMARY = {"id": "rot-primary", "type": "rotation", "name": "Primary"}
WEEKDAYS = [False, True, True, True, True, True, False]  # Sunday first
FRIDAY = [False, False, False, False, False, True, False]


def user(ident: str, name: str) -> dict[str, Any]:
    return {"id": ident, "name": name}


ANSWER: dict[str, Any] = {
    "data": {
        "schedule": {
            "id": "9f1c6a52-8a0b-4d43-9d7b-2c8e6f3d1a10",
            "name": "Payments",
            "timeZone": "America/Chicago",
            "targets": [
                {"target": PRIMARY,
                 "rules": [{"start": "00:00", "end": "00:00", "weekdayFilter": EVERY_DAY,
                            "target": PRIMARY}]},
                {"target": {"id": "u-dana", "type": "user", "name": "Dana"},
                 "rules": [{"start": "09:00", "end": "17:00", "weekdayFilter": WEEKDAYS,
                            "target": {"id": "u-dana", "type": "user", "name": "Dana"}}]},
                {"target": {"id": "u-erik", "type": "user", "name": "Erik"},
                 "rules": [{"start": "22:00", "end": "06:00", "weekdayFilter": FRIDAY,
                            "target": {"id": "u-erik", "type": "user", "name": "Erik"}}]},
            ],
            "temporarySchedules": [
                {"start": "2026-05-20T00:00:00-05:00", "end": "2026-05-21T00:00:00-05:00",
                 "shifts": [{"userID": "u-hal", "user": user("u-hal", "Hal"),
                             "start": "2026-05-20T08:00:00-05:00",
                             "end": "2026-05-20T20:00:00-05:00", "truncated": False}]},
            ],
        },
        "rotations": {
            "nodes": [
                {"id": "rot-primary", "name": "Primary", "description": "",
                 "timeZone": "America/Chicago", "start": "2026-05-04T09:00:00-05:00",
                 "type": "weekly", "shiftLength": 1, "activeUserIndex": 2,
                 "userIDs": ["u-bob", "u-ben", "u-cat"],
                 "users": [user("u-bob", "Bob"), user("u-ben", "Ben"), user("u-cat", "Cat")],
                 "nextHandoffTimes": ["2026-05-18T09:00:00-05:00"]},
            ]
        },
        "userOverrides": {
            "nodes": [
                {"id": "o1", "start": "2026-05-06T00:00:00-05:00",
                 "end": "2026-05-07T00:00:00-05:00", "addUserID": "u-fay",
                 "removeUserID": "u-dana", "addUser": user("u-fay", "Fay"),
                 "removeUser": user("u-dana", "Dana")},
                {"id": "o2", "start": "2026-05-07T00:00:00-05:00",
                 "end": "2026-05-07T12:00:00-05:00", "addUserID": "u-gus", "removeUserID": "",
                 "addUser": user("u-gus", "Gus"), "removeUser": None},
            ]
        },
    }
}  # fmt: skip


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "goalert.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def chicago(text: str) -> datetime:
    return datetime.fromisoformat(text + "-05:00")


def test_rules_add_up_and_the_rotation_follows_its_reported_position(tmp_path: Path) -> None:
    (schedule,), _, warnings = load_schedules(write(tmp_path, ANSWER))
    assert (schedule.name, schedule.tz, warnings) == ("Payments", "America/Chicago", [])
    # Cat (activeUserIndex 2) holds the turn ending at the next handoff, 18 May 09:00;
    # so Ben held the one before, and Bob takes the next.
    assert who_is_on_call(schedule, chicago("2026-05-04T12:00:00")) == ["Ben", "Dana"]
    assert who_is_on_call(schedule, chicago("2026-05-04T20:00:00")) == ["Ben"]
    assert who_is_on_call(schedule, chicago("2026-05-12T12:00:00")) == ["Cat", "Dana"]
    assert who_is_on_call(schedule, chicago("2026-05-18T08:59:00")) == ["Cat"]
    assert who_is_on_call(schedule, chicago("2026-05-18T09:00:00")) == ["Bob", "Dana"]
    # Erik's Friday-night rule runs past midnight into Saturday.
    assert who_is_on_call(schedule, chicago("2026-05-08T23:00:00")) == ["Ben", "Erik"]
    assert who_is_on_call(schedule, chicago("2026-05-09T05:59:00")) == ["Ben", "Erik"]
    assert who_is_on_call(schedule, chicago("2026-05-09T06:00:00")) == ["Ben"]
    assert who_is_on_call(schedule, chicago("2026-05-09T12:00:00")) == ["Ben"]  # Saturday


def test_user_overrides_replace_and_add(tmp_path: Path) -> None:
    (schedule,), _, _ = load_schedules(write(tmp_path, ANSWER))
    assert who_is_on_call(schedule, chicago("2026-05-06T12:00:00")) == ["Ben", "Fay"]
    assert who_is_on_call(schedule, chicago("2026-05-06T20:00:00")) == ["Ben"]
    assert who_is_on_call(schedule, chicago("2026-05-07T06:00:00")) == ["Ben", "Gus"]
    assert who_is_on_call(schedule, chicago("2026-05-07T12:00:00")) == ["Ben", "Dana"]


def test_temporary_schedule_replaces_everything(tmp_path: Path) -> None:
    (schedule,), _, _ = load_schedules(write(tmp_path, ANSWER))
    assert who_is_on_call(schedule, chicago("2026-05-20T12:00:00")) == ["Hal"]
    assert who_is_on_call(schedule, chicago("2026-05-20T21:00:00")) == []
    assert who_is_on_call(schedule, chicago("2026-05-21T12:00:00")) == ["Bob", "Dana"]


def test_unanchored_rotation_is_warned(tmp_path: Path) -> None:
    data = json.loads(json.dumps(ANSWER))
    rotation = data["data"]["rotations"]["nodes"][0]
    del rotation["nextHandoffTimes"]
    rotation["timeZone"] = "Europe/Berlin"  # on its own clock: exact, no warning
    _, _, warnings = load_schedules(write(tmp_path, data))
    assert [(w.path, w.message, w.hint) for w in warnings] == [
        ("data.rotations.nodes[name='Primary']",
         "without 'nextHandoffTimes' the current turn is unknown: users[0] is taken to hold "
         "the turn at 'start'", "add nextHandoffTimes(num: 1) to the query"),
    ]  # fmt: skip
    assert all(w.line > 1 for w in warnings)


BERLIN_ROTATION = {"id": "rot-berlin", "type": "rotation", "name": "Berlin"}


def berlin_answer(rule_start: str, rule_end: str, days: list[bool]) -> dict[str, Any]:
    """A Chicago schedule whose one rule targets a daily rotation kept in Berlin: Ann
    holds the turn from Monday 2 March 09:00 Berlin, Ole the next, and so on."""
    rule = {"start": rule_start, "end": rule_end, "weekdayFilter": days, "target": BERLIN_ROTATION}
    return {"data": {
        "schedule": {"id": "s-eu", "name": "EU", "timeZone": "America/Chicago",
                     "targets": [{"target": BERLIN_ROTATION, "rules": [rule]}]},
        "rotations": {"nodes": [
            {"id": "rot-berlin", "name": "Berlin", "timeZone": "Europe/Berlin",
             "start": "2026-03-02T09:00:00+01:00", "type": "daily", "shiftLength": 1,
             "activeUserIndex": 0, "users": [user("u-ann", "Ann"), user("u-ole", "Ole")],
             "nextHandoffTimes": ["2026-03-03T09:00:00+01:00"]},
        ]},
    }}  # fmt: skip


def test_a_rotation_in_another_zone_hands_off_on_its_own_clock(tmp_path: Path) -> None:
    """The US changes clocks on 8 March 2026, Europe on 29 March: in between, 09:00 in
    Berlin is 03:00 in Chicago rather than 02:00, and the handoff follows Berlin."""
    (schedule,), _, warnings = load_schedules(
        write(tmp_path, berlin_answer("00:00", "00:00", EVERY_DAY))
    )
    assert warnings == []
    at = datetime.fromisoformat
    # Wednesday 4 March (day 2, Ann's): 09:00 CET is 02:00 CST.
    assert who_is_on_call(schedule, at("2026-03-04T01:59:00-06:00")) == ["Ole"]
    assert who_is_on_call(schedule, at("2026-03-04T02:00:00-06:00")) == ["Ann"]
    # Wednesday 11 March (day 9, Ole's): 09:00 CET is 03:00 CDT.
    assert who_is_on_call(schedule, at("2026-03-11T02:59:00-05:00")) == ["Ann"]
    assert who_is_on_call(schedule, at("2026-03-11T03:00:00-05:00")) == ["Ole"]
    # Monday 30 March (day 28, Ann's): 09:00 CEST is 02:00 CDT again.
    assert who_is_on_call(schedule, at("2026-03-30T01:59:00-05:00")) == ["Ole"]
    assert who_is_on_call(schedule, at("2026-03-30T02:00:00-05:00")) == ["Ann"]
    # Every handoff of the week across the US change is at 09:00 Berlin.
    got = shifts(schedule, at("2026-03-05T09:00:00+01:00"), at("2026-03-12T09:00:00+01:00"))
    berlin = ZoneInfo("Europe/Berlin")
    assert [(s.users, s.start.astimezone(berlin).strftime("%d %H:%M")) for s in got] == [
        (("Ole",), "05 09:00"), (("Ann",), "06 09:00"), (("Ole",), "07 09:00"),
        (("Ann",), "08 09:00"), (("Ole",), "09 09:00"), (("Ann",), "10 09:00"),
        (("Ole",), "11 09:00"),
    ]  # fmt: skip


def test_a_rule_with_windows_keeps_a_foreign_rotation_on_the_schedules_clock(
    tmp_path: Path,
) -> None:
    """A rule's windows are on the schedule's clock and a layer keeps one clock: the
    windows stay exact, the handoffs move to Chicago's clock, with a warning."""
    (schedule,), _, warnings = load_schedules(
        write(tmp_path, berlin_answer("01:00", "12:00", EVERY_DAY))
    )
    assert [(w.path, w.message) for w in warnings] == [
        ("data.rotations.nodes[name='Berlin']",
         "handoffs kept on America/Chicago's clock (the schedule's, which a rule's windows "
         "over this rotation need), not Europe/Berlin's: an hour off while only one of "
         "them is on summer time"),
    ]  # fmt: skip
    at = datetime.fromisoformat
    assert who_is_on_call(schedule, at("2026-03-11T00:59:00-05:00")) == []
    assert who_is_on_call(schedule, at("2026-03-11T01:00:00-05:00")) == ["Ann"]
    # The inexact hour: GoAlert hands off at 03:00 CDT (09:00 Berlin); here at 02:00.
    assert who_is_on_call(schedule, at("2026-03-11T02:30:00-05:00")) == ["Ole"]
    assert who_is_on_call(schedule, at("2026-03-11T11:59:00-05:00")) == ["Ole"]
    assert who_is_on_call(schedule, at("2026-03-11T12:00:00-05:00")) == []


def test_unknown_field_is_a_warning_naming_it(tmp_path: Path) -> None:
    data = json.loads(json.dumps(ANSWER))
    data["data"]["schedule"]["holidayCalendar"] = "US"
    _, _, warnings = load_schedules(write(tmp_path, data))
    ((path, message, line),) = [(w.path, w.message, w.line) for w in warnings]
    assert (path, message) == ("data.schedule", "'holidayCalendar': not simulated; ignored")
    assert line > 1


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("weekdayFilter", [True] * 6, "needs 7 true/false values, Sunday first"),
        ("start", "9am", 'needs a clock time like "09:00"'),
    ],
)
def test_malformed_rules_are_located_errors(
    tmp_path: Path, key: str, value: Any, message: str
) -> None:
    data = json.loads(json.dumps(ANSWER))
    data["data"]["schedule"]["targets"][1]["rules"][0][key] = value
    with pytest.raises(ConfigError) as caught:
        load_schedules(write(tmp_path, data))
    (issue,) = caught.value.issues
    assert (issue.path, issue.message) == (f"data.schedule.targets[1].rules[0].{key}", message)
    assert issue.line > 1


def test_missing_rotation_is_a_located_error(tmp_path: Path) -> None:
    data = json.loads(json.dumps(ANSWER))
    del data["data"]["rotations"]
    with pytest.raises(ConfigError) as caught:
        load_schedules(write(tmp_path, data))
    (issue,) = caught.value.issues
    assert issue.path == "data.schedule.targets[0].rules[0].target"
    assert issue.message == "rotation 'rot-primary' is not in the answer's rotations"
    assert issue.line > 1


def rule_answer(start: str, end: str, days: list[bool]) -> dict[str, Any]:
    """A UTC schedule with one rule putting "u" on call."""
    target = {"id": "u", "type": "user", "name": "u"}
    rule = {"start": start, "end": end, "weekdayFilter": days, "target": target}
    return {"schedule": {"name": "s", "timeZone": "UTC", "targets": [
        {"target": target, "rules": [rule]}]}}  # fmt: skip


MONDAY = [False, True, False, False, False, False, False]


@pytest.mark.parametrize(
    ("start", "end", "days", "at", "active"),
    [
        ("08:00", "20:00", MONDAY, "2017-07-20T08:00", False),  # before
        ("08:00", "20:00", MONDAY, "2017-07-25T08:00", False),  # after
        ("08:00", "20:00", MONDAY, "2017-07-24T08:00", True),  # eq start
        ("08:00", "20:00", MONDAY, "2017-07-24T20:00", False),  # eq end
        ("08:00", "20:00", MONDAY, "2017-07-24T09:00", True),  # middle
        ("20:00", "08:00", MONDAY, "2017-07-20T08:00", False),  # overnight: before
        ("20:00", "08:00", MONDAY, "2017-07-26T08:00", False),  # after
        ("20:00", "08:00", MONDAY, "2017-07-24T20:00", True),  # eq start
        ("20:00", "08:00", MONDAY, "2017-07-25T08:00", False),  # eq end
        ("20:00", "08:00", MONDAY, "2017-07-24T09:00", False),  # middle (wrong side)
        ("20:00", "08:00", MONDAY, "2017-07-24T21:00", True),  # middle
        ("20:00", "08:00", MONDAY, "2017-07-25T07:00", True),  # middle (next day)
        ("08:00", "20:00", WEEKDAYS, "2017-07-23T08:00", False),  # sun
        ("08:00", "20:00", WEEKDAYS, "2017-07-24T08:00", True),  # mon
        ("08:00", "20:00", WEEKDAYS, "2017-07-25T08:00", True),  # tues
    ],
)
def test_rule_is_active(
    tmp_path: Path, start: str, end: str, days: list[bool], at: str, active: bool
) -> None:
    """GoAlert's ``TestRule_IsActive`` (schedule/rule/rule_test.go), case by case."""
    (schedule,), _, _ = load_schedules(write(tmp_path, rule_answer(start, end, days)))
    moment = datetime.fromisoformat(at + ":00+00:00")
    assert who_is_on_call(schedule, moment) == (["u"] if active else [])


def test_oncall_who_reads_goalert(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        cli,
        ["oncall", "who", str(write(tmp_path, ANSWER)), "--at", "2026-05-04T12:00:00-05:00",
         "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"Payments": ["Ben", "Dana"]}
