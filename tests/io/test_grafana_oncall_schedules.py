"""Grafana OnCall schedules and on-call shifts (public API JSON) imported as drillsim
schedules: levels, rolling users, RRULE events, overrides on top."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from drillsim.cli.main import cli
from drillsim.cli.oncall import load_schedules
from drillsim.errors import ConfigError
from drillsim.oncall.rotation import shifts, who_is_on_call

# GET /api/v1/schedules/S3Z477AHDXTMF/, GET /api/v1/on_call_shifts/?schedule_id=...,
# GET /api/v1/users/ — side by side in one file.
EXPORT: dict[str, Any] = {
    "schedule": {
        "id": "S3Z477AHDXTMF", "name": "Demo schedule Calendar", "type": "calendar",
        "team_id": None, "time_zone": "America/New_York", "on_call_now": ["UDANA"],
        "shifts": ["OROLL5FYQEYJ6M", "O9WTH7CKM3KZW", "OOVR3Z477AHDX"],
        "ical_url_overrides": None,
        "slack": {"channel_id": "MEOW_SLACK_ID", "user_group_id": "MEOW_SLACK_ID"},
    },
    "on_call_shifts": {
        "count": 3, "next": None, "previous": None,
        "results": [
            {"id": "OROLL5FYQEYJ6M", "name": "Primary weekly", "type": "rolling_users",
             "team_id": None, "schedule": "S3Z477AHDXTMF", "time_zone": None, "level": 1,
             "start": "2026-01-05T09:00:00", "duration": 604800,
             "rotation_start": "2026-01-05T09:00:00", "frequency": "weekly", "interval": 1,
             "until": None, "week_start": "MO", "by_day": None, "by_month": None,
             "by_monthday": None, "rolling_users": [["UALICE"], ["UBOB", "UCAROL"]],
             "start_rotation_from_user_index": 1},
            {"id": "O9WTH7CKM3KZW", "name": "Business hours", "type": "recurrent_event",
             "team_id": None, "schedule": "S3Z477AHDXTMF", "time_zone": None, "level": 2,
             "start": "2026-01-05T09:00:00", "duration": 28800,
             "rotation_start": "2026-01-05T09:00:00", "frequency": "weekly", "interval": 1,
             "until": None, "week_start": "MO", "by_day": ["MO", "TU", "WE", "TH", "FR"],
             "by_month": None, "by_monthday": None, "users": ["UDANA"]},
            {"id": "OOVR3Z477AHDX", "name": "Demo override", "type": "override",
             "team_id": None, "schedule": "S3Z477AHDXTMF", "time_zone": "UTC", "level": 0,
             "start": "2026-01-14T12:00:00", "duration": 7200,
             "rotation_start": "2026-01-14T12:00:00", "rolling_users": [["UERIN"]],
             "users": ["UERIN"]},
        ],
        "current_page_number": 1, "page_size": 50, "total_pages": 1,
    },
    "users": {"results": [
        {"id": "UALICE", "email": "alice@example.com", "username": "alice"},
        {"id": "UBOB", "email": "bob@example.com", "username": "bob"},
        {"id": "UCAROL", "email": "carol@example.com", "username": "carol"},
        {"id": "UDANA", "email": "dana@example.com", "username": "dana"},
        {"id": "UERIN", "email": "erin@example.com", "username": "erin"},
    ]},
}  # fmt: skip


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "oncall.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def new_york(text: str) -> datetime:
    return datetime.fromisoformat(text + "-05:00")


def test_levels_rolling_users_and_overrides(tmp_path: Path) -> None:
    (schedule,), _, warnings = load_schedules(write(tmp_path, EXPORT))
    assert (schedule.name, schedule.tz, warnings) == (
        "Demo schedule Calendar",
        "America/New_York",
        [],
    )
    assert who_is_on_call(schedule, new_york("2026-01-05T08:59:00")) == []
    # Business hours (level 2) shadow the weekly rotation (level 1).
    assert who_is_on_call(schedule, new_york("2026-01-05T10:00:00")) == ["dana"]
    # start_rotation_from_user_index 1: [bob, carol] hold the first week, together.
    assert who_is_on_call(schedule, new_york("2026-01-05T18:00:00")) == ["bob", "carol"]
    assert who_is_on_call(schedule, new_york("2026-01-10T12:00:00")) == ["bob", "carol"]
    assert who_is_on_call(schedule, new_york("2026-01-12T08:59:00")) == ["bob", "carol"]
    assert who_is_on_call(schedule, new_york("2026-01-12T17:00:00")) == ["alice"]
    assert who_is_on_call(schedule, new_york("2026-01-19T20:00:00")) == ["bob", "carol"]
    # The override (12:00-14:00 UTC) beats every level.
    assert who_is_on_call(schedule, new_york("2026-01-14T07:30:00")) == ["erin"]
    assert who_is_on_call(schedule, new_york("2026-01-14T09:30:00")) == ["dana"]


def test_weekly_handoff_keeps_the_wall_clock_across_dst(tmp_path: Path) -> None:
    (schedule,), _, _ = load_schedules(write(tmp_path, EXPORT))
    summer = datetime.fromisoformat  # 8 March 2026: New York springs forward
    assert who_is_on_call(schedule, summer("2026-03-09T08:59:00-04:00")) == ["bob", "carol"]
    assert who_is_on_call(schedule, summer("2026-03-09T17:00:00-04:00")) == ["alice"]


def test_final_shifts_example_from_the_schedules_docs(tmp_path: Path) -> None:
    """``schedules.md`` "Export a schedule's final shifts": alice and bob alternate
    09:00-17:00 UTC on Mondays, Wednesdays and Fridays of January 2023 (a daily
    rolling_users shift limited by by_day, as the web UI makes it)."""
    export = {
        "schedule": {"id": "SBM7DV7BKFUYU", "name": "Docs", "type": "web", "time_zone": "UTC"},
        "on_call_shifts": [
            {"id": "OH3V5FYQEYJ6M", "name": "Rotation", "type": "rolling_users", "level": 0,
             "start": "2023-01-02T09:00:00", "duration": 28800, "frequency": "daily",
             "interval": 1, "week_start": "MO", "by_day": ["MO", "WE", "FR"],
             "rolling_users": [["UC2CHRT5SD34X"], ["U7S8H84ARFTGN"]],
             "start_rotation_from_user_index": 0, "time_zone": "UTC"},
        ],
        "users": [{"id": "UC2CHRT5SD34X", "username": "alice"},
                  {"id": "U7S8H84ARFTGN", "username": "bob"}],
    }  # fmt: skip
    (schedule,), _, _ = load_schedules(write(tmp_path, export))
    got = shifts(schedule, datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 1, 28, tzinfo=UTC))
    assert [(s.users, s.start.day, s.start.hour, s.end.hour) for s in got] == [
        (("alice",), 2, 9, 17), (("bob",), 4, 9, 17), (("alice",), 6, 9, 17),
        (("bob",), 9, 9, 17), (("alice",), 11, 9, 17), (("bob",), 13, 9, 17),
        (("alice",), 16, 9, 17), (("bob",), 18, 9, 17), (("alice",), 20, 9, 17),
        (("bob",), 23, 9, 17), (("alice",), 25, 9, 17), (("bob",), 27, 9, 17),
    ]  # fmt: skip


def test_demo_recurrent_event_from_the_shifts_docs(tmp_path: Path) -> None:
    """``on_call_shifts.md`` "Demo recurrent event": every second week on Monday,
    Wednesday and Friday, 16:00 for 3 hours (week starting Sunday)."""
    export = {
        "schedule": {"id": "S1", "name": "Demo", "type": "calendar", "time_zone": "UTC"},
        "on_call_shifts": [
            {"id": "O9WTH7CKM3KZW", "name": "Demo recurrent event", "type": "recurrent_event",
             "team_id": None, "time_zone": None, "level": 0, "start": "2020-09-10T16:00:00",
             "duration": 10800, "frequency": "weekly", "interval": 2, "week_start": "SU",
             "by_day": ["MO", "WE", "FR"], "by_month": None, "by_monthday": None,
             "users": ["U4DNY931HHJS5"]},
        ],
    }  # fmt: skip
    (schedule,), _, _ = load_schedules(write(tmp_path, export))

    def who(text: str) -> list[str]:
        return who_is_on_call(schedule, datetime.fromisoformat(text + "+00:00"))

    assert who("2020-09-11T17:00:00") == ["U4DNY931HHJS5"]  # Friday of the first week
    assert who("2020-09-14T17:00:00") == []  # Monday of the off week
    assert who("2020-09-21T16:00:00") == ["U4DNY931HHJS5"]
    assert who("2020-09-23T18:59:00") == ["U4DNY931HHJS5"]
    assert who("2020-09-23T19:00:00") == []


def test_shift_in_another_zone_repeats_on_its_clock_and_overrides_feed_is_warned(
    tmp_path: Path,
) -> None:
    data = json.loads(json.dumps(EXPORT))
    data["schedule"]["ical_url_overrides"] = "https://example.com/meow_overrides.ics"
    data["on_call_shifts"]["results"][1]["time_zone"] = "Europe/London"
    (schedule,), _, warnings = load_schedules(write(tmp_path, data))
    assert [(w.path, w.message) for w in warnings] == [
        ("schedule", "an overrides feed is not read; ignored"),
    ]
    assert all(w.line > 1 for w in warnings)
    # Tuesday 10 March 2026: New York is on EDT, London still on GMT, so dana's business
    # hours (09:00-17:00 London) are 05:00-13:00 in New York.
    summer = datetime.fromisoformat
    assert who_is_on_call(schedule, summer("2026-03-10T04:59:00-04:00")) == ["alice"]
    assert who_is_on_call(schedule, summer("2026-03-10T05:00:00-04:00")) == ["dana"]
    assert who_is_on_call(schedule, summer("2026-03-10T12:59:00-04:00")) == ["dana"]
    assert who_is_on_call(schedule, summer("2026-03-10T13:00:00-04:00")) == ["alice"]


def test_rolling_shift_in_another_zone_hands_off_at_its_local_time(tmp_path: Path) -> None:
    """A daily rotation kept in Berlin in a Chicago schedule. The US changes clocks on 8
    March 2026, Europe on 29 March: every handoff stays at 09:00 Berlin, which is 02:00
    in Chicago before and after, 03:00 in between."""
    export = {
        "schedule": {"id": "SEU", "name": "EU", "type": "web", "time_zone": "America/Chicago"},
        "on_call_shifts": [
            {"id": "OEU", "name": "Berlin days", "type": "rolling_users", "level": 0,
             "start": "2026-03-02T09:00:00", "duration": 86400, "frequency": "daily",
             "interval": 1, "week_start": "MO", "rolling_users": [["UANN"], ["UOLE"]],
             "start_rotation_from_user_index": 0, "time_zone": "Europe/Berlin"},
        ],
        "users": [{"id": "UANN", "username": "ann"}, {"id": "UOLE", "username": "ole"}],
    }  # fmt: skip
    (schedule,), _, warnings = load_schedules(write(tmp_path, export))
    assert warnings == []
    at = datetime.fromisoformat
    # Wednesday 4 March (day 2, ann's): 09:00 CET is 02:00 CST.
    assert who_is_on_call(schedule, at("2026-03-04T01:59:00-06:00")) == ["ole"]
    assert who_is_on_call(schedule, at("2026-03-04T02:00:00-06:00")) == ["ann"]
    # Wednesday 11 March (day 9, ole's): 09:00 CET is 03:00 CDT.
    assert who_is_on_call(schedule, at("2026-03-11T02:59:00-05:00")) == ["ann"]
    assert who_is_on_call(schedule, at("2026-03-11T03:00:00-05:00")) == ["ole"]
    # Monday 30 March (day 28, ann's): 09:00 CEST is 02:00 CDT again.
    assert who_is_on_call(schedule, at("2026-03-30T01:59:00-05:00")) == ["ole"]
    assert who_is_on_call(schedule, at("2026-03-30T02:00:00-05:00")) == ["ann"]
    got = shifts(schedule, at("2026-03-05T09:00:00+01:00"), at("2026-03-12T09:00:00+01:00"))
    berlin = ZoneInfo("Europe/Berlin")
    assert [(s.users, s.start.astimezone(berlin).strftime("%d %H:%M")) for s in got] == [
        (("ole",), "05 09:00"), (("ann",), "06 09:00"), (("ole",), "07 09:00"),
        (("ann",), "08 09:00"), (("ole",), "09 09:00"), (("ann",), "10 09:00"),
        (("ole",), "11 09:00"),
    ]  # fmt: skip


def test_unknown_field_is_a_warning_naming_it(tmp_path: Path) -> None:
    data = json.loads(json.dumps(EXPORT))
    data["on_call_shifts"]["results"][0]["color"] = "#e1a1ff"
    _, _, warnings = load_schedules(write(tmp_path, data))
    ((path, message, line),) = [(w.path, w.message, w.line) for w in warnings]
    assert (path, message) == (
        "on_call_shifts.results[name='Primary weekly']",
        "'color': not simulated; ignored",
    )
    assert line > 1


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("frequency", "yearly", "unknown frequency 'yearly'"),
        ("duration", "1w", "needs whole seconds > 0"),
        ("start", "2026-01-05 09:00", 'needs a time like "2020-09-10T08:00:00"'),
        ("by_day", ["MON"], "needs iCal weekdays: MO, TU, WE, TH, FR, SA, SU"),
    ],
)
def test_malformed_fields_are_located_errors(
    tmp_path: Path, key: str, value: Any, message: str
) -> None:
    data = json.loads(json.dumps(EXPORT))
    data["on_call_shifts"]["results"][0][key] = value
    with pytest.raises(ConfigError) as caught:
        load_schedules(write(tmp_path, data))
    (issue,) = caught.value.issues
    assert (issue.path, issue.message) == (
        f"on_call_shifts.results[name='Primary weekly'].{key}",
        message,
    )
    assert issue.line > 1


def test_ical_schedules_point_to_their_feed(tmp_path: Path) -> None:
    data = {
        "schedule": {"id": "SBM7DV7BKFUYU", "name": "Demo schedule iCal", "type": "ical",
                     "ical_url_primary": "https://example.com/meow_calendar.ics"},
        "on_call_shifts": [],
    }  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load_schedules(write(tmp_path, data))
    (issue,) = caught.value.issues
    assert (issue.path, issue.message) == (
        "schedule.ical_url_primary",
        "an iCal schedule lives in its feed",
    )


def test_oncall_who_reads_grafana_oncall(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        cli,
        ["oncall", "who", str(write(tmp_path, EXPORT)), "--at", "2026-01-05T18:00:00-05:00",
         "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"Demo schedule Calendar": ["bob", "carol"]}
