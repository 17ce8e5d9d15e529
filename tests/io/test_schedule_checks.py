"""Located problems in schedules: errors no tool accepts, warnings some tools allow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from drillsim.errors import ConfigError
from drillsim.io.loader import Drill

W1 = {"start": "2026-05-06T00:00:00Z", "end": "2026-05-08T00:00:00Z"}
W2 = {"start": "2026-05-07T00:00:00Z", "end": "2026-05-09T00:00:00Z"}


def schedule_edit(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["schedules"][0].update(fields)

    return edit


def test_unknown_people_in_groups_events_overrides_and_temporaries(
    vary: Callable[..., Drill],
) -> None:
    """Every place a schedule names a person is checked, each at its own position."""
    edit = schedule_edit(
        layers=[
            {"rotation": "weekly", "users": [["alice", "bobb"]]},
            {"events": [{**W1, "users": ["carl"]}]},
        ],
        overrides=[{**W1, "add": "dan"}],
        temporary=[{**W1, "shifts": [{"user": "eve", **W1}]}],
    )
    with pytest.raises(ConfigError) as caught:
        vary(oncall=edit)
    got = [i.message for i in caught.value.issues]
    assert got == [
        "unknown person 'bobb'",
        "unknown person 'carl'",
        "unknown person 'dan'",
        "unknown person 'eve'",
    ]
    assert caught.value.issues[0].hint == "known people: alice, bob, dana (did you mean 'bob'?)"


def test_conflicting_goalert_overrides_and_overlapping_temporaries_are_errors(
    vary: Callable[..., Drill],
) -> None:
    """Adding and removing one person at once, or two temporary schedules at once."""
    edit = schedule_edit(
        overrides=[{**W1, "add": "dana"}, {**W2, "remove": "dana"}],
        temporary=[{**W1, "shifts": []}, {**W2, "shifts": []}],
    )
    with pytest.raises(ConfigError) as caught:
        vary(oncall=edit)
    got = [(i.path, i.message) for i in caught.value.issues]
    assert got == [
        (
            "schedules[name='storefront-primary'].overrides[1]",
            "adds and removes 'dana' at once during 2026-05-07T00:00:00+00:00 .. "
            "2026-05-08T00:00:00+00:00 (with overrides[0])",
        ),
        (
            "schedules[name='storefront-primary'].temporary[1]",
            "overlaps temporary[0] during 2026-05-07T00:00:00+00:00 .. 2026-05-08T00:00:00+00:00",
        ),
    ]


def test_overlapping_and_outsider_overrides_are_warnings(vary: Callable[..., Drill]) -> None:
    """PagerDuty allows both; drillsim says which override wins, and when."""
    drill = vary(oncall=schedule_edit(overrides=[{**W1, "user": "dana"}, {**W2, "user": "bob"}]))
    got = [(w.path, w.message) for w in drill.warnings if "overrides" in w.path]
    assert got == [
        (
            "schedules[name='storefront-primary'].overrides[0].user",
            "'dana' is in no layer of this schedule; on call anyway during "
            "2026-05-06T00:00:00+00:00 .. 2026-05-08T00:00:00+00:00",
        ),
        (
            "schedules[name='storefront-primary'].overrides[1]",
            "overlaps overrides[0] during 2026-05-07T00:00:00+00:00 .. "
            "2026-05-08T00:00:00+00:00; 'bob' wins there (the later override)",
        ),
    ]
