"""The general schedule model: levels, groups, turn lengths, windows, events, overrides.

Tests named after GoAlert's own virtual-clock smoke tests (``test/smoke/*_test.go``)
replay the same setups on fixed dates: GoAlert starts its rotations at ``now()``, so
the dates here are chosen to put the same DST boundary or month end in the way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from drillsim.oncall import shifts, turn_at, who_is_on_call
from drillsim.spec.schedules import Layer, Schedule

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def sched(*layers: dict[str, Any], tz: str = "America/Chicago", **extra: Any) -> Schedule:
    return Schedule.model_validate({"name": "s", "tz": tz, "layers": list(layers), **extra})


# ----- levels ------------------------------------------------------------------------


def test_later_layer_wins_by_default_and_lower_ones_show_through() -> None:
    """PagerDuty: the highest covering layer decides; its gaps show the layer below."""
    s = sched(
        {"rotation": "daily", "handoff": "09:00", "users": ["base"]},
        {"rotation": "daily", "handoff": "09:00", "users": ["day"], "hours": "09:00-17:00"},
    )
    assert who_is_on_call(s, chicago(2026, 5, 4, 12)) == ["day"]
    assert who_is_on_call(s, chicago(2026, 5, 4, 20)) == ["base"]


def test_layers_sharing_a_level_add_up() -> None:
    """Opsgenie and GoAlert: everyone from every covering rotation is on call together."""
    s = sched(
        {"rotation": "daily", "handoff": "09:00", "users": ["a", "b"], "level": 0},
        {"rotation": "weekly", "handoff": "mon 09:00", "users": ["c"], "level": 0},
    )
    assert who_is_on_call(s, chicago(2026, 5, 4, 12)) == ["a", "c"]  # 854 days in


def test_explicit_levels_shadow_lower_ones() -> None:
    """Grafana OnCall: a higher level shadows lower ones regardless of list order."""
    s = sched(
        {"rotation": "daily", "handoff": "09:00", "users": ["high"], "level": 5},
        {"rotation": "daily", "handoff": "09:00", "users": ["low"], "level": 1},
    )
    assert who_is_on_call(s, chicago(2026, 5, 4, 12)) == ["high"]


def test_a_group_of_users_is_on_call_together() -> None:
    """Rolling users: each turn belongs to a group."""
    s = sched({"rotation": "daily", "handoff": "00:00", "users": [["a", "b"], "c"]})
    day = chicago(2024, 1, 1, 12)
    assert who_is_on_call(s, day) == ["a", "b"]
    assert who_is_on_call(s, day + timedelta(days=1)) == ["c"]


# ----- turn lengths --------------------------------------------------------------------


def test_rotation_hourly() -> None:
    """GoAlert TestRotation_Hourly: an hourly rotation hands over after an hour."""
    s = sched(
        {"rotation": "hourly", "handoff": "10:00", "start": "2026-05-04", "users": ["bob", "ben"]}
    )
    assert who_is_on_call(s, chicago(2026, 5, 4, 10, 30)) == ["bob"]
    assert who_is_on_call(s, chicago(2026, 5, 4, 11, 30)) == ["ben"]
    assert who_is_on_call(s, chicago(2026, 5, 4, 12, 30)) == ["bob"]


def test_rotation_hourly_keeps_wall_clock_hours_across_dst() -> None:
    """Every 8 hours from 00:00: handoffs stay at 00:00, 08:00 and 16:00 local time,
    so the turn across the spring-forward night lasts 7 hours."""
    lay = Layer.model_validate(
        {
            "rotation": "hourly",
            "every": 8,
            "handoff": "00:00",
            "start": "2026-03-01",
            "users": ["a"],
        }
    )
    turn = turn_at(lay, "America/Chicago", chicago(2026, 3, 8, 4))
    assert (turn.start, turn.end) == (chicago(2026, 3, 8, 0), chicago(2026, 3, 8, 8))
    assert turn.duration_s == 7 * 3600


def test_rotation_dst() -> None:
    """GoAlert TestRotation_DST: a daily rotation started 5 minutes after the last DST
    change flips at the same wall-clock time the next day (23 or 25 hours later)."""
    start = chicago(2025, 11, 2, 1, 5)  # first 01:05 of the fall-back night
    s = sched(
        {"rotation": "daily", "handoff": "01:05", "start": "2025-11-02", "users": ["bob", "ben"]}
    )
    assert who_is_on_call(s, start + timedelta(minutes=1)) == ["bob"]
    assert who_is_on_call(s, chicago(2025, 11, 3, 1, 4)) == ["bob"]
    assert who_is_on_call(s, chicago(2025, 11, 3, 1, 5)) == ["ben"]
    assert chicago(2025, 11, 3, 1, 5).timestamp() - start.timestamp() == 25 * 3600


def test_rotation_monthly() -> None:
    """GoAlert TestRotation_Monthly: a month later the next person is on call."""
    s = sched(
        {"rotation": "monthly", "handoff": "09:00", "start": "2026-05-04", "users": ["bob", "ben"]}
    )
    assert who_is_on_call(s, chicago(2026, 5, 4, 10)) == ["bob"]
    assert who_is_on_call(s, chicago(2026, 5, 4, 10) + timedelta(days=32)) == ["ben"]


def test_monthly_turns_overflow_like_go_add_date() -> None:
    """From 31 January, Go's AddDate(0, 1, 0) gives 3 March (2 March in a leap year)."""
    lay = Layer.model_validate(
        {"rotation": "monthly", "handoff": "00:00", "start": "2025-01-31", "users": ["a", "b"]}
    )
    assert turn_at(lay, "UTC", datetime(2025, 2, 20, tzinfo=UTC)).end == datetime(
        2025, 3, 3, tzinfo=ZoneInfo("UTC")
    )
    leap = lay.model_copy(update={"start": datetime(2024, 1, 31).date()})
    assert turn_at(leap, "UTC", datetime(2024, 2, 20, tzinfo=UTC)).end == datetime(
        2024, 3, 2, tzinfo=ZoneInfo("UTC")
    )


def test_every_n_weeks() -> None:
    """A two-week rotation keeps each person for 14 days."""
    s = sched(
        {
            "rotation": "weekly",
            "every": 2,
            "handoff": "mon 09:00",
            "start": "2026-01-05",
            "users": ["a", "b"],
        }
    )
    assert who_is_on_call(s, chicago(2026, 1, 18, 12)) == ["a"]
    assert who_is_on_call(s, chicago(2026, 1, 19, 9)) == ["b"]


# ----- masks -------------------------------------------------------------------------


def test_weekly_restriction_window() -> None:
    """PagerDuty weekly restriction: Monday 09:00 for 4 days 8 hours (to Friday 17:00)."""
    s = sched(
        {
            "rotation": "weekly",
            "users": ["a"],
            "restrictions": [{"start": "mon 09:00", "duration": "4d8h"}],
        }
    )
    assert who_is_on_call(s, chicago(2026, 5, 4, 9)) == ["a"]
    assert who_is_on_call(s, chicago(2026, 5, 8, 16, 59)) == ["a"]
    assert who_is_on_call(s, chicago(2026, 5, 8, 17)) == []
    assert who_is_on_call(s, chicago(2026, 5, 4, 8, 59)) == []


def test_daily_restriction_across_midnight() -> None:
    """A daily 22:00 window of 10 hours covers 07:59 but not 08:00."""
    s = sched(
        {"rotation": "daily", "users": ["a"], "handoff": "09:00",
         "restrictions": [{"start": "22:00", "duration": "10h"}]}
    )  # fmt: skip
    assert who_is_on_call(s, chicago(2026, 5, 5, 7, 59)) == ["a"]
    assert who_is_on_call(s, chicago(2026, 5, 5, 8)) == []


def test_from_until_and_shift_length() -> None:
    """A layer covers only within from/until, and only for ``shift`` after each handoff."""
    s = sched(
        {
            "rotation": "daily",
            "handoff": "09:00",
            "users": ["a", "b"],
            "shift": "8h",
            "from": "2026-05-04T00:00:00[America/Chicago]",
            "until": "2026-05-06T00:00:00[America/Chicago]",
            "start": "2026-05-04",
        }
    )
    assert who_is_on_call(s, chicago(2026, 5, 3, 12)) == []
    assert who_is_on_call(s, chicago(2026, 5, 4, 12)) == ["a"]
    assert who_is_on_call(s, chicago(2026, 5, 4, 17)) == []
    assert who_is_on_call(s, chicago(2026, 5, 5, 16, 59)) == ["b"]
    assert who_is_on_call(s, chicago(2026, 5, 6, 12)) == []


def test_schedule_rules() -> None:
    """GoAlert TestScheduleRules-style: a 00:00-00:00 rule covers all day; a 09:00-21:00
    rule adds its user during the day (rules are additive)."""
    s = sched(
        {"rotation": "daily", "users": ["u1"], "hours": "00:00-00:00", "level": 0},
        {"rotation": "daily", "users": ["u2"], "hours": "09:00-21:00", "level": 0},
    )
    assert who_is_on_call(s, chicago(2026, 5, 4, 0)) == ["u1"]
    assert who_is_on_call(s, chicago(2026, 5, 4, 9)) == ["u1", "u2"]
    assert who_is_on_call(s, chicago(2026, 5, 4, 21)) == ["u1"]


# ----- calendar events ---------------------------------------------------------------


def test_calendar_events_repeat_by_rrule_on_the_wall_clock() -> None:
    """An RRULE weekly on Monday and Thursday, 09:00-17:00 Berlin, keeps 09:00 across DST."""
    s = sched(
        {
            "events": [
                {
                    "start": "2026-03-02T09:00:00[Europe/Berlin]",
                    "end": "2026-03-02T17:00:00[Europe/Berlin]",
                    "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
                    "users": ["cal"],
                }
            ]
        },
        tz="Europe/Berlin",
    )
    assert who_is_on_call(s, berlin(2026, 3, 5, 9)) == ["cal"]  # Thursday
    assert who_is_on_call(s, berlin(2026, 3, 30, 9)) == ["cal"]  # Monday after DST
    assert who_is_on_call(s, berlin(2026, 3, 30, 8, 59)) == []
    assert who_is_on_call(s, berlin(2026, 3, 31, 12)) == []  # Tuesday
    assert who_is_on_call(s, berlin(2026, 2, 26, 12)) == []  # before DTSTART


def test_bad_rrule_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="cannot read rrule"):
        Layer.model_validate(
            {"events": [{"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T17:00:00Z",
                         "rrule": "FREQ=SOMETIMES", "users": ["a"]}]}
        )  # fmt: skip


# ----- overrides and temporary schedules ---------------------------------------------

RULES = (
    {"rotation": "daily", "users": ["u1"], "hours": "00:00-00:00", "level": 0},
    {"rotation": "daily", "users": ["u2"], "hours": "09:00-21:00", "level": 0},
)
WINDOW = {
    "start": "2026-05-06T00:00:00[America/Chicago]",
    "end": "2026-05-10T00:00:00[America/Chicago]",
}


def test_schedule_override_replace() -> None:
    """GoAlert TestScheduleOverrideReplace: u3 replaces u2 during the override only."""
    s = sched(*RULES, overrides=[{**WINDOW, "remove": "u2", "add": "u3"}])
    assert who_is_on_call(s, chicago(2026, 5, 4, 9)) == ["u1", "u2"]
    assert who_is_on_call(s, chicago(2026, 5, 7, 0)) == ["u1"]
    assert who_is_on_call(s, chicago(2026, 5, 7, 9)) == ["u1", "u3"]
    assert who_is_on_call(s, chicago(2026, 5, 7, 21)) == ["u1"]
    assert who_is_on_call(s, chicago(2026, 5, 10, 9)) == ["u1", "u2"]


def test_schedule_override_add() -> None:
    """GoAlert TestScheduleOverrideAdd: u3 is on call with everyone else in the window."""
    s = sched(*RULES, overrides=[{**WINDOW, "add": "u3"}])
    assert who_is_on_call(s, chicago(2026, 5, 7, 0)) == ["u1", "u3"]
    assert who_is_on_call(s, chicago(2026, 5, 11, 0)) == ["u1"]


def test_schedule_override_remove() -> None:
    """GoAlert TestScheduleOverrideRemove: u2 is off during the window, gaps allowed."""
    s = sched(*RULES, overrides=[{**WINDOW, "remove": "u2"}, {**WINDOW, "remove": "u1"}])
    assert who_is_on_call(s, chicago(2026, 5, 7, 9)) == []
    assert who_is_on_call(s, chicago(2026, 5, 11, 9)) == ["u1", "u2"]


def test_pagerduty_override_replaces_everyone_and_a_layer_override_one_layer() -> None:
    """An override with ``user`` beats all layers; with ``layer``, only that layer."""
    s = sched(
        {"name": "day", "rotation": "daily", "users": ["a"], "level": 0},
        {"name": "extra", "rotation": "daily", "users": ["b"], "level": 0},
        overrides=[
            {**WINDOW, "user": "x", "layer": "extra"},
            {"start": "2026-05-08T00:00:00Z", "end": "2026-05-09T00:00:00Z", "user": "z"},
        ],
    )
    assert who_is_on_call(s, chicago(2026, 5, 7, 12)) == ["a", "x"]
    assert who_is_on_call(s, chicago(2026, 5, 8, 12)) == ["z"]


def test_temporary_schedule_replaces_rules_and_overrides() -> None:
    """GoAlert temporary schedules: only their shifts count, gaps included; user
    overrides do not apply inside them."""
    s = sched(
        *RULES,
        overrides=[{**WINDOW, "add": "u9"}],
        temporary=[
            {
                **WINDOW,
                "shifts": [
                    {"user": "t1", "start": "2026-05-06T00:00:00[America/Chicago]",
                     "end": "2026-05-07T00:00:00[America/Chicago]"},
                ],
            }
        ],
    )  # fmt: skip
    assert who_is_on_call(s, chicago(2026, 5, 6, 12)) == ["t1"]
    assert who_is_on_call(s, chicago(2026, 5, 8, 12)) == []
    assert who_is_on_call(s, chicago(2026, 5, 10, 12)) == ["u1", "u2"]


def test_shifts_report_groups_and_override_edges() -> None:
    """The final schedule over a window changes exactly at the override's edges."""
    s = sched({"rotation": "weekly", "users": ["a"]}, overrides=[{**WINDOW, "add": "b"}])
    got = shifts(s, chicago(2026, 5, 5), chicago(2026, 5, 12))
    assert [(x.users, x.start, x.end) for x in got] == [
        (("a",), chicago(2026, 5, 5), chicago(2026, 5, 6)),
        (("a", "b"), chicago(2026, 5, 6), chicago(2026, 5, 10)),
        (("a",), chicago(2026, 5, 10), chicago(2026, 5, 12)),
    ]


HOUR_EVENT = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T01:00:00Z", "users": ["b"]}


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ({"users": []}, "rotates somebody"),
        ({"users": ["a"], "events": [HOUR_EVENT]}, "not both"),
        ({"rotation": "hourly", "handoff": "mon 09:00", "users": ["a"]}, "time of day"),
        ({"users": ["a"], "restrictions": [{"start": "09:00", "duration": "25h"}]}, "at most 24h"),
        ({"users": [[]]}, "nobody is ever on call"),
    ],
)  # fmt: skip
def test_bad_layers_are_rejected(layer: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Layer.model_validate(layer)


def test_an_empty_group_is_a_turn_nobody_holds() -> None:
    """Opsgenie's "none" participant: the rotation turns past a slot nobody holds."""
    s = sched({"rotation": "daily", "handoff": "00:00", "start": "2026-05-04", "users": ["a", []]})
    assert who_is_on_call(s, chicago(2026, 5, 4, 12)) == ["a"]
    assert who_is_on_call(s, chicago(2026, 5, 5, 12)) == []
    with pytest.raises(ValidationError, match="nobody is ever on call"):
        Layer.model_validate({"users": [[], []]})


def test_a_layer_on_its_own_clock_hands_off_at_its_local_time() -> None:
    """A Berlin rotation in a Chicago schedule hands off at 09:00 Berlin, even in the
    weeks when Europe and America change clocks on different dates."""
    s = sched(
        {"rotation": "daily", "handoff": "09:00", "start": "2026-03-01", "users": ["a", "b"],
         "tz": "Europe/Berlin"}
    )  # fmt: skip
    # 20 March 2026: Chicago is on CDT (UTC-5), Berlin still on CET (UTC+1): 6 h apart
    handoff = berlin(2026, 3, 20, 9)
    before, after = handoff - timedelta(minutes=1), handoff + timedelta(minutes=1)
    assert who_is_on_call(s, before) != who_is_on_call(s, after)
    got = shifts(s, berlin(2026, 3, 20), berlin(2026, 3, 21))
    assert [x.start for x in got][1:] == [berlin(2026, 3, 20, 9)]
