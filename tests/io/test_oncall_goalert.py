"""A whole GoAlert setup (the GraphQL answer: users, schedules, rotations, escalation
policies, services) imported as an OnCall document: per-rule delays with empty levels
waited out, repeats, multi-ack, rotation targets, people and their zones, located
errors, and a drill paging the imported people."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from oncall_export_drill import export_text, import_text, pages_in_mini_drill, rendered

from drillsim.errors import ConfigError
from drillsim.spec.oncall import OnCall

ALICE = {"id": "8c9f8a35-2f0e-4c1c-9b2a-1a5d4c1c2b01", "name": "Alice"}
BOB = {"id": "0d0a7a3c-6b1e-4f55-8a5b-3c3b2f1e9d02", "name": "Bob"}
DANA = {"id": "e7b7f7a1-5c5d-4e2b-a1a2-9f8e7d6c5b03", "name": "Dana"}
SCHEDULE_ID = "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
WEEKLY_ID = "3f2e1d0c-9b8a-4765-a432-10fedcba9876"
SUN_ID = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
EVERY_DAY = [True, True, True, True, True, True, True]

EXPORT: dict[str, Any] = {"data": {
    "users": {"nodes": [ALICE, BOB, DANA]},
    "schedules": {"nodes": [
        {"id": SCHEDULE_ID, "name": "DB primary", "description": "", "timeZone": "Europe/Berlin",
         "targets": [
             {"target": {"id": WEEKLY_ID, "type": "rotation", "name": "DB weekly"},
              "rules": [{"start": "00:00", "end": "00:00", "weekdayFilter": EVERY_DAY,
                         "target": {"id": WEEKLY_ID, "type": "rotation", "name": "DB weekly"}}]}],
         "temporarySchedules": []},
    ]},
    "rotations": {"nodes": [
        {"id": WEEKLY_ID, "name": "DB weekly", "description": "", "timeZone": "Europe/Berlin",
         "start": "2026-03-02T09:00:00+01:00", "type": "weekly", "shiftLength": 1,
         "activeUserIndex": 0, "userIDs": [ALICE["id"], BOB["id"]], "users": [ALICE, BOB],
         "nextHandoffTimes": ["2026-03-16T09:00:00+01:00"]},
        {"id": SUN_ID, "name": "Follow the sun", "description": "",
         "timeZone": "America/New_York", "start": "2026-03-02T08:00:00-05:00", "type": "daily",
         "shiftLength": 1, "activeUserIndex": 0, "userIDs": [DANA["id"]], "users": [DANA],
         "nextHandoffTimes": ["2026-03-15T08:00:00-04:00"]},
    ]},
    "userOverrides": {"nodes": []},
    "escalationPolicies": {"nodes": [
        {"id": "5ab6c7d8-e9f0-4a1b-8c2d-3e4f5a6b7c8d", "name": "DB", "description": "",
         "repeat": 3, "isFavorite": False,
         "steps": [
             {"id": "s-0", "stepNumber": 0, "delayMinutes": 10, "multiAck": True,
              "targets": [{"id": SCHEDULE_ID, "type": "schedule", "name": "DB primary"}]},
             {"id": "s-1", "stepNumber": 1, "delayMinutes": 5, "multiAck": False,
              "targets": [{"id": "C04ABCDEF12", "type": "slackChannel", "name": "#db-alerts"}]},
             {"id": "s-2", "stepNumber": 2, "delayMinutes": 15, "multiAck": False,
              "targets": [{"id": DANA["id"], "type": "user", "name": "Dana"},
                          {"id": SUN_ID, "type": "rotation", "name": "Follow the sun"}]},
         ]},
        {"id": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "name": "Chat first", "description": "",
         "repeat": -1, "isFavorite": False,
         "steps": [
             {"id": "s-3", "stepNumber": 0, "delayMinutes": 2, "multiAck": False,
              "targets": [{"id": "wh-1", "type": "chanWebhook", "name": "ops webhook"}],
              "actions": []},
             {"id": "s-4", "stepNumber": 1, "delayMinutes": 20, "multiAck": False,
              "targets": [{"id": BOB["id"], "type": "user", "name": "Bob"}]},
         ]},
    ]},
    "services": {"nodes": [
        {"id": "c0ffee00-1111-4222-8333-444455556666", "name": "Orders DB",
         "escalationPolicyID": "5ab6c7d8-e9f0-4a1b-8c2d-3e4f5a6b7c8d"},
    ]},
}}  # fmt: skip


def test_policies_are_per_rule_rules_that_wait_out_empty_levels() -> None:
    """delayMinutes per step, repeat + 1 passes (forever: 10), multiAck kept; a step
    with only a Slack channel keeps its wait (added to the step before it, or for a
    first step to the last one); a rotation target becomes a one-layer schedule."""
    data = import_text(export_text(EXPORT)).data
    OnCall.model_validate(data)
    assert data["escalation_policies"] == [
        {
            "name": "DB",
            "empty_levels": "wait",
            "rules": [
                {"delay": "15m", "targets": [{"schedule": "DB primary"}], "multi_ack": True},
                {"delay": "15m", "targets": [{"user": "Dana"}, {"schedule": "Follow the sun"}]},
            ],
            "loops": 4,
        },
        {
            "name": "Chat first",
            "empty_levels": "wait",
            "rules": [{"delay": "22m", "targets": [{"user": "Bob"}]}],
            "loops": 10,
        },
    ]
    assert data["schedules"][1] == {
        "name": "Follow the sun",
        "tz": "America/New_York",
        "layers": [
            {
                "name": "Follow the sun",
                "rotation": "daily",
                "every": 1,
                "handoff": "08:00",
                "start": "2026-03-02",
                "users": ["Dana"],
                "offset": 0,
            }
        ],
    }
    assert data["schedules"][0]["layers"][0]["users"] == ["Alice", "Bob"]


def test_people_take_the_zone_of_their_schedule() -> None:
    """GoAlert keeps no zone for a user: each takes their first schedule's."""
    assert import_text(export_text(EXPORT)).data["people"] == [
        {"name": "Alice", "tz": "Europe/Berlin"},
        {"name": "Bob", "tz": "Europe/Berlin"},
        {"name": "Dana", "tz": "America/New_York"},
    ]


def test_warnings_name_each_field_and_target_type() -> None:
    steps = "data.escalationPolicies.nodes"
    assert rendered(import_text(export_text(EXPORT))) == [
        "export.json:7:11: warning: data.users.nodes[name='Alice']: user 'Alice' has no "
        "time zone; Europe/Berlin assumed (schedule 'DB primary')",
        "export.json:11:11: warning: data.users.nodes[name='Bob']: user 'Bob' has no time "
        "zone; Europe/Berlin assumed (schedule 'DB primary')",
        "export.json:15:11: warning: data.users.nodes[name='Dana']: user 'Dana' has no time "
        "zone; America/New_York assumed (schedule 'Follow the sun')",
        f"export.json:142:15: warning: {steps}[name='DB'].steps[1]: step 2 pages nobody "
        "drillsim simulates: its 5m wait is added to the step before it",
        f"export.json:145:19: warning: {steps}[name='DB'].steps[1].targets"
        "[name='#db-alerts']: 'type': 'slackChannel' targets are not simulated; this "
        "target is left out",
        f"export.json:174:11: warning: {steps}[name='Chat first']: 'repeat': repeats "
        "forever; drillsim runs at most 10 passes",
        f"export.json:182:15: warning: {steps}[name='Chat first'].steps[0]: step 1 pages "
        "nobody drillsim simulates: its 2m wait is added to the last step's, so the first "
        "pass pages that much sooner and later passes keep their timing",
        f"export.json:185:19: warning: {steps}[name='Chat first'].steps[0].targets"
        "[name='ops webhook']: 'type': 'chanWebhook' targets are not simulated; this "
        "target is left out",
        f"export.json:189:15: warning: {steps}[name='Chat first'].steps[0]: 'actions': "
        "not simulated; ignored",
        "export.json:208:5: warning: data: 'services': not simulated; ignored\n"
        "    give each routing receiver the escalation_policy its service uses: "
        "'Orders DB' -> 'DB'",
    ]


def test_a_rotation_named_like_a_schedule_is_renamed() -> None:
    export = copy.deepcopy(EXPORT)
    target = export["data"]["escalationPolicies"]["nodes"][0]["steps"][2]["targets"][1]
    target["name"] = "DB primary"
    data = import_text(export_text(export)).data
    assert [s["name"] for s in data["schedules"]] == ["DB primary", "DB primary (rotation)"]
    assert data["escalation_policies"][0]["rules"][1]["targets"][1] == {
        "schedule": "DB primary (rotation)"
    }


def test_unknown_references_and_values_are_located_errors() -> None:
    export = copy.deepcopy(EXPORT)
    db, chat = export["data"]["escalationPolicies"]["nodes"]
    db["steps"][0]["targets"][0]["id"] = "00000000-0000-4000-8000-000000000000"
    db["steps"][2]["targets"][1]["id"] = "rotation-gone"
    chat["steps"][1]["delayMinutes"] = 0
    chat["name"] = "DB"
    with pytest.raises(ConfigError) as caught:
        import_text(export_text(export))
    steps = "data.escalationPolicies.nodes[name='DB']"
    assert [i.render() for i in caught.value.issues] == [
        f"export.json:131:25: {steps}.steps[0].targets[name='DB primary'].id: schedule "
        "'00000000-0000-4000-8000-000000000000' is not in 'schedules'\n"
        "    add it to the query's schedules { nodes { ... } }",
        f"export.json:162:25: {steps}.steps[2].targets[name='Follow the sun'].id: rotation "
        "'rotation-gone' is not in the answer's rotations\n"
        "    add rotations { nodes { ... } } to the query (see drillsim's GoAlert docs)",
        f"export.json:172:19: {steps}.name: a second escalation policy named 'DB'\n"
        "    drillsim refers to each by name: rename one of them",
        f"export.json:194:31: {steps}.steps[1].delayMinutes: needs whole minutes 1..9000",
    ]
    assert all(i.line > 1 for i in caught.value.issues)


def test_recogniser_is_specific() -> None:
    from drillsim.io.importers.oncall_goalert import is_goalert_oncall

    assert is_goalert_oncall(EXPORT)
    assert is_goalert_oncall(EXPORT["data"])
    assert not is_goalert_oncall({"kind": "OnCall", "escalationPolicies": []})
    assert not is_goalert_oncall({"data": {"schedule": {"timeZone": "UTC", "targets": []}}})


def test_a_drill_pages_the_imported_people(tmp_path: Path) -> None:
    """Saturday 14 March 2026, 03:10 in Berlin: Alice holds the DB weekly turn (the one
    ending at the reported next handoff) and is paged first; then Dana."""
    pages = pages_in_mini_drill(tmp_path, export_text(EXPORT), "DB")
    assert pages and pages[0] == "Alice"
    assert set(pages) <= {"Alice", "Dana"}
