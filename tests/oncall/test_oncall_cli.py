"""``drillsim oncall who|show``, iCal in and out, and the coverage-gap report."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from drillsim.cli.main import cli
from drillsim.io.importers.ical import export_ical, import_ical
from drillsim.oncall.coverage import gaps, load_by_person
from drillsim.oncall.rotation import shifts, who_is_on_call
from drillsim.spec.schedules import Schedule

DOC: dict[str, Any] = {
    "kind": "OnCall",
    "version": 1,
    "people": [
        {"name": "ann", "tz": "Europe/Berlin"},
        {"name": "ben", "tz": "Europe/Berlin"},
        {"name": "cat", "tz": "America/New_York"},
    ],
    "schedules": [
        {
            "name": "primary",
            "tz": "Europe/Berlin",
            "layers": [{"rotation": "weekly", "handoff": "mon 09:00", "users": ["ann", "ben"]}],
        },
        {
            "name": "day-only",
            "tz": "Europe/Berlin",
            "layers": [{"rotation": "daily", "handoff": "09:00", "users": ["cat"],
                        "hours": "09:00-17:00"}],
        },
    ],
    "escalation_policies": [
        {"name": "p", "rules": [{"delay": "5m", "targets": [{"user": "ann"}]}]}
    ],
}  # fmt: skip


def write_doc(tmp_path: Path, doc: dict[str, Any] = DOC) -> Path:
    path = tmp_path / "oncall.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_who_prints_every_schedule_and_json(tmp_path: Path) -> None:
    path = write_doc(tmp_path)
    runner = CliRunner()
    at = "2026-01-07T12:00:00[Europe/Berlin]"
    text = runner.invoke(cli, ["oncall", "who", str(path), "--at", at])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines() == ["primary   ben", "day-only  cat"]  # week 105: ben
    night = at.replace("T12", "T22")
    out = runner.invoke(cli, ["oncall", "who", str(path), "--at", night, "--json"])
    assert json.loads(out.output) == {"primary": ["ben"], "day-only": []}


def test_who_rejects_a_bad_instant_and_a_bad_file(tmp_path: Path) -> None:
    runner = CliRunner()
    path = write_doc(tmp_path)
    bad = runner.invoke(cli, ["oncall", "who", str(path), "--at", "noon"])
    assert bad.exit_code == 2 and "--at" in bad.output
    doc = json.loads(json.dumps(DOC))
    doc["schedules"][0]["layers"][0]["users"] = ["ann", "bene"]
    broken = runner.invoke(
        cli, ["oncall", "who", str(write_doc(tmp_path, doc)), "--at", "2026-01-07T12:00:00Z"]
    )
    assert broken.exit_code == 1
    assert "unknown person 'bene'" in broken.output and "Traceback" not in broken.output


def test_show_reports_exact_gaps_and_loads(tmp_path: Path) -> None:
    """The day-only schedule has a gap every night, 17:00-09:00 Berlin, exactly."""
    path = write_doc(tmp_path)
    out = CliRunner().invoke(
        cli,
        ["oncall", "show", str(path), "--from", "2026-01-05T00:00:00[Europe/Berlin]",
         "--to", "2026-01-07T00:00:00[Europe/Berlin]", "--json", "--holidays", "DE",
         "--chart", str(tmp_path / "c.png"), "--ical", str(tmp_path / "c.ics")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)["schedules"]
    assert report["day-only"]["gaps"] == [
        {"start": "2026-01-05T00:00:00+01:00", "end": "2026-01-05T09:00:00+01:00"},
        {"start": "2026-01-05T17:00:00+01:00", "end": "2026-01-06T09:00:00+01:00"},
        {"start": "2026-01-06T17:00:00+01:00", "end": "2026-01-07T00:00:00+01:00"},
    ]
    assert report["day-only"]["coverage"] == 16 / 48
    # ann until Monday 09:00, then ben; cat's nights are New York's 23:00-07:00 (05-13 Berlin)
    assert report["primary"]["load"]["ann"]["hours"] == 9.0
    assert report["primary"]["load"]["ben"]["hours"] == 39.0
    assert report["day-only"]["load"]["cat"] == {
        "hours": 16.0, "night_hours": 8.0, "weekend_hours": 0.0, "holiday_hours": 0.0, "shifts": 2,
    }  # fmt: skip
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"BEGIN:VEVENT" in (tmp_path / "c.ics").read_bytes()


def test_loads_count_weekends_and_holidays_on_each_persons_clock() -> None:
    """New Year's Day 2026 is a Thursday; the weekend of 3-4 January counts in full."""
    schedule = Schedule.model_validate(DOC["schedules"][0])
    start = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(hours=1)  # midnight in Berlin
    got = shifts(schedule, start, start + timedelta(days=4))
    loads = load_by_person(got, {"ann": "Europe/Berlin"}, {}, {date(2026, 1, 1)})
    assert set(loads) == {"ann"}
    assert (loads["ann"].holiday_s, loads["ann"].weekend_s) == (86400.0, 2 * 86400.0)
    assert loads["ann"].night_s == 4 * 8 * 3600.0  # 23:00-07:00 on four nights, clipped


def test_ical_round_trip_keeps_who_is_on_call(tmp_path: Path) -> None:
    """Export the final schedule as .ics, import it: the same people at every hour."""
    schedule = Schedule.model_validate(DOC["schedules"][0])
    start = datetime(2026, 3, 23, tzinfo=UTC)
    end = start + timedelta(days=14)
    got = shifts(schedule, start, end)
    path = tmp_path / "s.ics"
    path.write_bytes(export_ical([(schedule, got)], start))
    again, warnings = import_ical(path, tz="Europe/Berlin")
    assert warnings == []
    for hour in range(0, 14 * 24, 5):
        at = start + timedelta(hours=hour, minutes=7)
        assert who_is_on_call(again, at) == who_is_on_call(schedule, at), at
    assert export_ical([(schedule, got)], start) == path.read_bytes()  # reproducible


def test_ical_import_reads_levels_and_rrules(tmp_path: Path) -> None:
    """[L2] events shadow [L1] ones; RRULE repeats; RDATE is a warning."""
    path = tmp_path / "team.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nX-WR-CALNAME:team\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:[L1] ann\r\nDTSTART:20260105T000000Z\r\n"
        "DTEND:20260106T000000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:2\r\nSUMMARY:[L2] On call: ben\r\nDTSTART:20260105T090000Z\r\n"
        "DTEND:20260105T170000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nRDATE:20260107T090000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    schedule, warnings = import_ical(path)
    assert schedule.name == "team"
    assert [w.message for w in warnings] == ["RDATE is not simulated; ignored"]
    assert who_is_on_call(schedule, datetime(2026, 1, 12, 10, tzinfo=UTC)) == ["ben"]
    assert who_is_on_call(schedule, datetime(2026, 1, 13, 10, tzinfo=UTC)) == ["ann"]


@settings(max_examples=60, deadline=None)
@given(
    handoff=st.integers(0, 23),
    hours=st.one_of(st.none(), st.tuples(st.integers(0, 23), st.integers(0, 23))),
    days=st.one_of(st.none(), st.sets(st.integers(0, 6), min_size=1)),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
    week=st.integers(0, 52),
)
def test_a_week_has_no_gap_iff_the_gap_report_is_empty(
    handoff: int, hours: tuple[int, int] | None, days: set[int] | None, tz: str, week: int
) -> None:
    """Sampling every 5 minutes finds an uncovered instant exactly when gaps() reports one,
    and the gaps plus the shifts add up to the whole week."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    layer: dict[str, Any] = {
        "rotation": "daily",
        "handoff": f"{handoff:02d}:00",
        "users": ["a", "b"],
    }
    if hours is not None:
        layer["hours"] = f"{hours[0]:02d}:00-{hours[1]:02d}:00"
    if days is not None:
        layer["days"] = [names[d] for d in sorted(days)]
    schedule = Schedule.model_validate({"name": "s", "tz": tz, "layers": [layer]})
    start = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(weeks=week)
    end = start + timedelta(days=7)
    got = shifts(schedule, start, end)
    holes = gaps(got, start, end)
    sampled_gap = any(
        not who_is_on_call(schedule, start + timedelta(minutes=5 * k)) for k in range(7 * 288)
    )
    assert bool(holes) == sampled_gap
    covered = sum(s.duration_s for s in got) + sum(g.duration_s for g in holes)
    assert covered == (end - start).total_seconds()
    loads = load_by_person(got, {}, {}, default_tz=tz)
    assert sum(x.total_s for x in loads.values()) == sum(s.duration_s for s in got)
