"""PagerDuty schedule JSON (REST and CloudFormation forms) imported as drillsim schedules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from shared_fixtures import fixture

from drillsim.cli.main import cli
from drillsim.cli.oncall import load_schedules
from drillsim.errors import ConfigError
from drillsim.oncall.rotation import who_is_on_call

CFN = (
    "aws-ia__cloudformation-pagerduty-resource-providers/PagerDuty-Schedules-Schedule/"
    "example_inputs/inputs_1_create.json"
)

REST: dict[str, Any] = {
    "schedule": {
        "id": "PI7DH85",
        "name": "Daily Engineering Rotation",
        "time_zone": "America/New_York",
        "schedule_layers": [
            {
                "name": "Layer 2 (days)",
                "start": "2026-01-01T00:00:00-05:00",
                "end": None,
                "rotation_virtual_start": "2026-01-05T09:00:00-05:00",
                "rotation_turn_length_seconds": 86400,
                "users": [{"user": {"id": "PDAY1"}}, {"user": {"id": "PDAY2"}}],
                "restrictions": [
                    {"type": "daily_restriction", "start_time_of_day": "09:00:00",
                     "duration_seconds": 28800},
                ],
                "rendered_coverage_percentage": 33.3,
            },
            {
                "name": "Layer 1 (base)",
                "start": "2026-01-01T00:00:00-05:00",
                "rotation_virtual_start": "2026-01-05T09:00:00-05:00",
                "rotation_turn_length_seconds": 604800,
                "users": [{"user": {"id": "PBASE1"}}, {"user": {"id": "PBASE2"}}],
                "restrictions": [],
                "colour": "blue",
            },
        ],
        "overrides": [
            {"start": "2026-01-07T00:00:00-05:00", "end": "2026-01-08T00:00:00-05:00",
             "user": {"id": "PBASE2", "type": "user_reference"}}
        ],
        "users": [
            {"id": "PDAY1", "name": "Day One"}, {"id": "PDAY2", "summary": "Day Two"},
            {"id": "PBASE1", "name": "Base One"}, {"id": "PBASE2", "name": "Base Two"},
        ],
        "final_schedule": {"name": "Final Schedule", "rendered_schedule_entries": []},
    }
}  # fmt: skip


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "pd.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_rest_schedule_first_layer_wins_lower_shows_through(tmp_path: Path) -> None:
    (schedule,), _, warnings = load_schedules(write(tmp_path, REST))
    assert schedule.name == "Daily Engineering Rotation" and schedule.tz == "America/New_York"
    # Monday 5 January 2026, 10:00 New York: turn 0 of both layers; the day layer covers.
    assert who_is_on_call(schedule, at("2026-01-05T10:00:00-05:00")) == ["Day One"]
    assert who_is_on_call(schedule, at("2026-01-06T10:00:00-05:00")) == ["Day Two"]
    # Outside 09:00-17:00 the base layer shows through.
    assert who_is_on_call(schedule, at("2026-01-05T20:00:00-05:00")) == ["Base One"]
    assert who_is_on_call(schedule, at("2026-01-12T20:00:00-05:00")) == ["Base Two"]
    # The override replaces everyone for its day.
    assert who_is_on_call(schedule, at("2026-01-07T10:00:00-05:00")) == ["Base Two"]
    assert [(w.path, w.message) for w in warnings] == [
        ("schedule.schedule_layers[name='Layer 1 (base)']", "'colour': not simulated; ignored")
    ]


def test_cloudformation_fixture_daily_window_in_the_schedule_zone() -> None:
    """The aws-ia example: one user, 08:00 for 9 hours, Europe/London, from Nov 2023."""
    (schedule,), _, _ = load_schedules(fixture(CFN))
    assert schedule.tz == "Europe/London"
    on = who_is_on_call(schedule, datetime(2024, 5, 6, 7, 0, tzinfo=UTC))  # 08:00 BST
    off = who_is_on_call(schedule, datetime(2024, 5, 6, 16, 0, tzinfo=UTC))  # 17:00 BST
    assert (on, off) == (["PAGER_DUTY_USER_ID"], [])
    # the layer ends 2024-11-06T20:00Z
    assert who_is_on_call(schedule, datetime(2024, 11, 7, 10, tzinfo=UTC)) == []
    assert who_is_on_call(schedule, datetime(2023, 11, 6, 10, tzinfo=UTC)) == []


def test_show_reports_the_fixtures_coverage() -> None:
    out = CliRunner().invoke(
        cli,
        ["oncall", "show", str(fixture(CFN)), "--from", "2024-05-06T00:00:00+01:00",
         "--to", "2024-05-13T00:00:00+01:00", "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)["schedules"]["Test End-to-end schedule"]
    assert body["coverage"] == 9 / 24


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("rotation_turn_length_seconds", 5400), "a turn of 5400 s is not whole hours"),
        (("rotation_virtual_start", "2026-01-05 09:00"), "needs a time with a UTC offset"),
        (("restrictions", [{"type": "monthly_restriction", "start_time_of_day": "09:00:00",
                            "duration_seconds": 60}]), "unknown restriction type"),
    ],
)  # fmt: skip
def test_bad_layers_are_located_errors(
    tmp_path: Path, change: tuple[str, Any], message: str
) -> None:
    data = json.loads(json.dumps(REST))
    data["schedule"]["schedule_layers"][0][change[0]] = change[1]
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        load_schedules(path)
    (issue,) = caught.value.issues
    assert message in issue.message
    assert issue.line > 1
    assert issue.path.startswith("schedule.schedule_layers[name='Layer 2 (days)']")
