"""Opsgenie schedule JSON (the Schedule API's ``?expand=rotation`` answer) imported as
drillsim schedules: cumulative rotations, empty turns, restrictions, overrides."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drillsim.cli.main import cli
from drillsim.cli.oncall import load_schedules
from drillsim.errors import ConfigError
from drillsim.oncall.rotation import who_is_on_call

ALICE = {
    "type": "user",
    "id": "4513b7ea-3b91-438f-b7e4-e3e54af9147c",
    "username": "alice@example.com",
}
BOB = {"type": "user", "id": "b3dc8b2b-7fd0-4bd9-9a1c-7a8c0aa7f5a1", "username": "bob@example.com"}
CAROL = {
    "type": "user",
    "id": "c0b7e0d3-1f4c-4e0b-a2a8-9f7e3c5b1d20",
    "username": "carol@example.com",
}

# GET /v2/schedules/{id}?expand=rotation, with its overrides (GET .../overrides) inlined.
SCHEDULE: dict[str, Any] = {
    "data": {
        "id": "d875e654-9b4e-4219-a803-0c26936d18de",
        "name": "Platform_Schedule",
        "description": "Platform team",
        "timezone": "Europe/Berlin",
        "enabled": True,
        "ownerTeam": {"id": "90098alp9-f0e3-41d3-a060-0ea895e1f9ef", "name": "platform"},
        "rotations": [
            {
                "id": "a47bb8a8-3d35-4bb5-8f3b-8e7c3a9c2a1e",
                "name": "Weekly primary",
                "startDate": "2026-03-02T08:00:00Z",
                "type": "weekly",
                "length": 1,
                "participants": [ALICE, BOB],
            },
            {
                "id": "5e1c2d9b-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                "name": "Business days",
                "startDate": "2026-03-02T08:00:00Z",
                "type": "daily",
                "length": 1,
                "participants": [CAROL, {"type": "none"}],
                "timeRestriction": {
                    "type": "weekday-and-time-of-day",
                    "restrictions": [
                        {"startDay": "monday", "startHour": 9, "startMin": 0,
                         "endDay": "friday", "endHour": 17, "endMin": 0},
                    ],
                },
            },
        ],
        "overrides": [
            {"alias": "dentist", "user": {"type": "user", "username": "dave@example.com"},
             "startDate": "2026-03-04T11:00:00Z", "endDate": "2026-03-04T13:00:00Z"},
            {"alias": "swap", "user": {"type": "user", "id": "e7", "username": "erin@example.com"},
             "startDate": "2026-03-10T08:00:00Z", "endDate": "2026-03-11T08:00:00Z",
             "rotations": [{"id": "a47bb8a8-3d35-4bb5-8f3b-8e7c3a9c2a1e",
                            "name": "Weekly primary"}]},
        ],
    },
    "took": 0.012,
    "requestId": "9ae63dd7-ed00-4c81-86f0-c4ffd33142c9",
}  # fmt: skip

A, B, C = "alice@example.com", "bob@example.com", "carol@example.com"


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "opsgenie.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text + "+01:00")


def test_rotations_are_cumulative_and_empty_turns_hold_nobody(tmp_path: Path) -> None:
    (schedule,), _, _ = load_schedules(write(tmp_path, SCHEDULE))
    assert schedule.name == "Platform_Schedule" and schedule.tz == "Europe/Berlin"
    # Monday 2 March, 09:00 Berlin: both rotations' turn 0; everyone on call together.
    assert who_is_on_call(schedule, berlin("2026-03-02T12:00:00")) == [A, C]
    # The restriction is one span, Monday 09:00 to Friday 17:00: nights included.
    assert who_is_on_call(schedule, berlin("2026-03-03T03:00:00")) == [A, C]
    # Tuesday's daily turn is the 'none' participant's: nobody from that rotation.
    assert who_is_on_call(schedule, berlin("2026-03-03T12:00:00")) == [A]
    assert who_is_on_call(schedule, berlin("2026-03-05T12:00:00")) == [A]
    assert who_is_on_call(schedule, berlin("2026-03-06T16:59:00")) == [A, C]
    assert who_is_on_call(schedule, berlin("2026-03-06T17:00:00")) == [A]
    assert who_is_on_call(schedule, berlin("2026-03-07T12:00:00")) == [A]  # Saturday
    # Monday 9 March: handoff at 09:00 (startDate's local time) to bob; day 7 is empty.
    assert who_is_on_call(schedule, berlin("2026-03-09T08:59:00")) == [A]
    assert who_is_on_call(schedule, berlin("2026-03-09T09:00:00")) == [B]
    # Before the rotations start, nobody.
    assert who_is_on_call(schedule, berlin("2026-03-01T12:00:00")) == []


def test_empty_turns_keep_their_wall_clock_across_dst(tmp_path: Path) -> None:
    """After the spring change (29 March) carol's turns still start at 09:00 Berlin."""
    (schedule,), _, _ = load_schedules(write(tmp_path, SCHEDULE))
    summer = datetime.fromisoformat  # Wednesday 1 April is day 30: carol's turn
    assert who_is_on_call(schedule, summer("2026-04-01T08:59:00+02:00")) == [A]
    assert who_is_on_call(schedule, summer("2026-04-01T09:00:00+02:00")) == [A, C]
    assert who_is_on_call(schedule, summer("2026-04-02T09:00:00+02:00")) == [A]


def test_overrides_replace_everyone_or_one_rotation(tmp_path: Path) -> None:
    (schedule,), _, _ = load_schedules(write(tmp_path, SCHEDULE))
    assert who_is_on_call(schedule, berlin("2026-03-04T12:30:00")) == ["dave@example.com"]
    assert who_is_on_call(schedule, berlin("2026-03-04T14:00:00")) == [A, C]
    # 10 March: erin replaces bob in the weekly rotation only; carol (day 8) stays.
    assert who_is_on_call(schedule, berlin("2026-03-10T12:00:00")) == ["erin@example.com", C]
    assert who_is_on_call(schedule, berlin("2026-03-11T12:00:00")) == [B]


def test_an_empty_turn_next_to_a_dst_night_is_exact(tmp_path: Path) -> None:
    """One layer per rotation, 'none' an empty turn: carol's daily turn from Saturday 28
    March 09:00 CET ends at 09:00 CEST on Sunday, 23 hours later, when the 'none'
    participant's turn begins (no restriction masks the weekend here)."""
    data = json.loads(json.dumps(SCHEDULE))
    del data["data"]["overrides"]
    del data["data"]["rotations"][1]["timeRestriction"]
    (schedule,), _, warnings = load_schedules(write(tmp_path, data))
    assert warnings == []
    assert [layer.groups for layer in schedule.layers] == [((A,), (B,)), ((C,), ())]
    summer = datetime.fromisoformat
    assert who_is_on_call(schedule, berlin("2026-03-28T08:59:00")) == [B]  # day 26
    assert who_is_on_call(schedule, berlin("2026-03-28T09:00:00")) == [B, C]
    assert who_is_on_call(schedule, summer("2026-03-29T08:59:00+02:00")) == [B, C]
    assert who_is_on_call(schedule, summer("2026-03-29T09:00:00+02:00")) == [B]
    assert who_is_on_call(schedule, summer("2026-03-30T09:00:00+02:00")) == [A, C]


def test_team_participants_are_warned_and_empty_turns_are_not(tmp_path: Path) -> None:
    data = json.loads(json.dumps(SCHEDULE))
    data["data"]["rotations"][0]["participants"].append(
        {"type": "team", "id": "t1", "name": "platform_team"}
    )
    (schedule,), _, warnings = load_schedules(write(tmp_path, data))
    assert [(w.path, w.message) for w in warnings] == [
        (
            "data.rotations[name='Weekly primary'].participants[name='platform_team']",
            "a team participant is not simulated; its turns are left empty",
        ),
    ]
    assert all(w.line > 1 and w.severity == "warning" for w in warnings)
    # Week 2 (from Monday 16 March 09:00) is the team's: nobody from that rotation; carol
    # holds day 14 of hers, nobody day 15.
    assert who_is_on_call(schedule, berlin("2026-03-16T08:59:00")) == [B]
    assert who_is_on_call(schedule, berlin("2026-03-16T09:00:00")) == [C]
    assert who_is_on_call(schedule, berlin("2026-03-17T12:00:00")) == []
    assert who_is_on_call(schedule, berlin("2026-03-23T09:00:00")) == [A]


def test_unknown_field_is_a_warning_naming_it(tmp_path: Path) -> None:
    data = json.loads(json.dumps(SCHEDULE))
    data["data"]["rotations"][0]["participants"] = [ALICE, BOB]
    data["data"]["rotations"][1]["participants"] = [CAROL]
    data["data"]["rotations"][0]["handoffReminder"] = "1h"
    _, _, warnings = load_schedules(write(tmp_path, data))
    ((path, message, line),) = [(w.path, w.message, w.line) for w in warnings]
    assert (path, message) == (
        "data.rotations[name='Weekly primary']",
        "'handoffReminder': not simulated; ignored",
    )
    assert line > 1


@pytest.mark.parametrize(
    ("where", "value", "path", "message"),
    [
        ("length", 0, "data.rotations[name='Weekly primary'].length", "needs a whole number >= 1"),
        ("type", "monthly", "data.rotations[name='Weekly primary'].type",
         "unknown rotation type 'monthly'"),
        ("startDate", "2026-03-02 09:00", "data.rotations[name='Weekly primary'].startDate",
         "needs a time with a UTC offset"),
    ],
)  # fmt: skip
def test_malformed_fields_are_located_errors(
    tmp_path: Path, where: str, value: Any, path: str, message: str
) -> None:
    data = json.loads(json.dumps(SCHEDULE))
    data["data"]["rotations"][0][where] = value
    with pytest.raises(ConfigError) as caught:
        load_schedules(write(tmp_path, data))
    (issue,) = caught.value.issues
    assert (issue.path, issue.message) == (path, message)
    assert issue.line > 1


def test_restriction_hours_out_of_range_are_located(tmp_path: Path) -> None:
    data = json.loads(json.dumps(SCHEDULE))
    data["data"]["rotations"][1]["timeRestriction"] = {
        "type": "time-of-day",
        "restriction": {"startHour": 25, "startMin": 0, "endHour": 17, "endMin": 0},
    }
    with pytest.raises(ConfigError) as caught:
        load_schedules(write(tmp_path, data))
    (issue,) = caught.value.issues
    assert (
        issue.path == "data.rotations[name='Business days'].timeRestriction.restriction.startHour"
    )
    assert issue.message == "needs a whole number 0..23"
    assert issue.line > 1


def test_time_of_day_restriction_crossing_midnight(tmp_path: Path) -> None:
    """A time-of-day restriction 18:00-08:00 covers nights only."""
    data = json.loads(json.dumps(SCHEDULE))
    del data["data"]["overrides"]
    data["data"]["rotations"] = [
        {"name": "Nights", "type": "hourly", "length": 12, "startDate": "2026-03-02T17:00:00Z",
         "participants": [ALICE, BOB],
         "timeRestriction": {"type": "time-of-day", "restriction": {
             "startHour": 18, "startMin": 0, "endHour": 8, "endMin": 0}}},
    ]  # fmt: skip
    (schedule,), _, _ = load_schedules(write(tmp_path, data))
    # 12-hour turns from 18:00 Berlin: alice 18:00-06:00, bob 06:00-18:00, ...
    assert who_is_on_call(schedule, berlin("2026-03-02T19:00:00")) == [A]
    assert who_is_on_call(schedule, berlin("2026-03-03T05:59:00")) == [A]
    assert who_is_on_call(schedule, berlin("2026-03-03T07:59:00")) == [B]
    assert who_is_on_call(schedule, berlin("2026-03-03T08:00:00")) == []
    assert who_is_on_call(schedule, berlin("2026-03-03T17:59:00")) == []
    assert who_is_on_call(schedule, berlin("2026-03-03T18:00:00")) == [A]


def test_oncall_migrator_example() -> None:
    """The schedule of Grafana OnCall's Opsgenie migrator test (``test_migrate_schedule``):
    a daily rotation of u1 and a weekly one of u2 restricted to MONDAY-FRIDAY with no
    hours (so Monday 00:00 to Friday 00:00), both from 2024-01-01T00:00:00Z in UTC."""
    from drillsim.io.importers.opsgenie import import_opsgenie_schedules, is_opsgenie_schedules
    from drillsim.io.yamlsource import parse_text
    from drillsim.spec.schedules import Schedule

    example = {
        "id": "s1", "name": "Primary Schedule", "timezone": "UTC",
        "rotations": [
            {"name": "Daily Rotation", "type": "daily", "length": 1,
             "participants": [{"type": "user", "id": "u1"}],
             "startDate": "2024-01-01T00:00:00Z", "enabled": True},
            {"name": "Weekly Rotation", "type": "weekly", "length": 1,
             "participants": [{"type": "user", "id": "u2"}],
             "startDate": "2024-01-01T00:00:00Z", "enabled": True,
             "timeRestriction": {"type": "weekday-and-time-of-day",
                                 "restrictions": [{"startDay": "MONDAY", "endDay": "FRIDAY"}]}},
        ],
    }  # fmt: skip
    assert is_opsgenie_schedules(example)
    source, _ = parse_text(json.dumps(example), "example.json")
    assert source is not None
    imported = import_opsgenie_schedules(source)
    schedule = Schedule.model_validate(imported.schedules[0])
    assert imported.people == ["u1", "u2"] and imported.warnings == []
    utc = datetime.fromisoformat
    assert who_is_on_call(schedule, utc("2024-01-03T12:00:00+00:00")) == ["u1", "u2"]
    assert who_is_on_call(schedule, utc("2024-01-05T00:00:00+00:00")) == ["u1"]
    assert who_is_on_call(schedule, utc("2024-01-06T12:00:00+00:00")) == ["u1"]


def test_oncall_who_reads_opsgenie(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        cli,
        ["oncall", "who", str(write(tmp_path, SCHEDULE)), "--at", "2026-03-02T12:00:00+01:00",
         "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"Platform_Schedule": [A, C]}
