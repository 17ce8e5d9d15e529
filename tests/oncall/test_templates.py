"""On-call templates produce valid documents with the promised shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from click.testing import CliRunner

from drillsim.cli.main import cli
from drillsim.oncall.coverage import gaps
from drillsim.oncall.rotation import shifts, who_is_on_call
from drillsim.oncall.templates import business_hours, follow_the_sun, primary_secondary
from drillsim.spec.oncall import OnCall

WEEK = (datetime(2026, 5, 4, tzinfo=UTC), datetime(2026, 5, 11, tzinfo=UTC))


def test_primary_secondary_secondary_is_next_weeks_primary() -> None:
    doc = OnCall.model_validate(primary_secondary(["ann", "ben", "cat"], "Europe/Berlin"))
    primary, secondary = doc.schedules
    for hour in range(0, 21 * 24, 7):
        at = WEEK[0] + timedelta(hours=hour)
        now, nxt = who_is_on_call(primary, at), who_is_on_call(secondary, at)
        assert now != nxt
        assert who_is_on_call(primary, at + timedelta(weeks=1)) == nxt
    assert [r.targets[0].schedule for r in doc.escalation_policies[0].rules] == [
        "primary",
        "secondary",
    ]


def test_follow_the_sun_covers_the_day_with_one_region_at_a_time() -> None:
    regions = [
        ("Asia/Singapore", ["wei", "tan"]),
        ("Europe/Berlin", ["ann"]),
        ("America/New_York", ["cat"]),
    ]
    doc = OnCall.model_validate(follow_the_sun(regions))
    (schedule,) = doc.schedules
    got = shifts(schedule, *WEEK)
    assert gaps(got, *WEEK) == []
    assert all(len(s.users) == 1 for s in got)
    assert who_is_on_call(schedule, datetime(2026, 5, 4, 3, tzinfo=UTC)) in (["wei"], ["tan"])
    assert who_is_on_call(schedule, datetime(2026, 5, 4, 12, tzinfo=UTC)) == ["ann"]
    assert who_is_on_call(schedule, datetime(2026, 5, 4, 20, tzinfo=UTC)) == ["cat"]
    assert {p.name: p.tz for p in doc.people}["cat"] == "America/New_York"


def test_business_hours_over_after_hours() -> None:
    doc = OnCall.model_validate(business_hours(["ann"], ["cat", "dan"], "Europe/Berlin"))
    (schedule,) = doc.schedules
    at = datetime(2026, 5, 4, 10, tzinfo=UTC)  # Monday 12:00 in Berlin
    assert who_is_on_call(schedule, at) == ["ann"]
    assert who_is_on_call(schedule, at + timedelta(hours=8)) in (["cat"], ["dan"])
    assert who_is_on_call(schedule, at + timedelta(days=5)) in (["cat"], ["dan"])  # Saturday
    assert gaps(shifts(schedule, *WEEK), *WEEK) == []


@pytest.mark.parametrize(
    "args",
    [
        ["primary-secondary", "--users", "ann,ben"],
        ["follow-the-sun", "--region", "Asia/Tokyo=a", "--region", "Europe/London=b"],
        ["business-hours", "--day", "ann", "--night", "ben", "--tz", "America/Chicago"],
    ],
)
def test_template_cli_prints_a_document_drillsim_accepts(args: list[str]) -> None:
    out = CliRunner().invoke(cli, ["oncall", "template", *args])
    assert out.exit_code == 0, out.output
    OnCall.model_validate(yaml.safe_load(out.output))


def test_template_cli_reports_bad_input_as_usage_errors() -> None:
    out = CliRunner().invoke(
        cli,
        ["oncall", "template", "follow-the-sun", "--region", "Mars/Base=a", "--region", "UTC=b"],
    )
    assert out.exit_code == 2
    assert "people.0.tz: unknown time zone 'Mars/Base'" in out.output
