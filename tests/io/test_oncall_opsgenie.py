"""A whole Opsgenie setup (users, schedules, escalations) imported as an OnCall document:
from-start delays, repeats, next on-call, team recipients, people and their zones,
located errors, and a drill paging the imported people."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from oncall_export_drill import export_text, import_text, pages_in_mini_drill, rendered

from drillsim.errors import ConfigError
from drillsim.spec.oncall import OnCall

ALICE_ID = "4513b7ea-3b91-438f-b7e4-e3e54af9147c"
BOB_ID = "b3dc8b2b-7fd0-4bd9-9a1c-7a8c0aa7f5a1"
CAROL_ID = "c0b7e0d3-1f4c-4e0b-a2a8-9f7e3c5b1d20"
DANA_ID = "d2e1f0a9-8b7c-4d6e-9f5a-4b3c2d1e0f99"
PRIMARY_ID = "d875e654-9b4e-4219-a803-0c26936d18de"
NIGHTS_ID = "5f0c9a1e-2d3b-4c4d-8e5f-6a7b8c9d0e1f"
TEAM = {"id": "90098alp9-f0e3-41d3-a060-0ea895e1f9ef", "name": "platform"}

EXPORT: dict[str, Any] = {
    "users": [
        {"id": ALICE_ID, "username": "alice@example.com", "fullName": "Alice Adams",
         "role": {"id": "Admin", "name": "Admin"}, "timeZone": "Europe/Berlin",
         "blocked": False, "verified": True, "locale": "en_US",
         "createdAt": "2024-05-02T09:12:44.11Z"},
        {"id": BOB_ID, "username": "bob@example.com", "fullName": "Bob Brown",
         "role": {"id": "User", "name": "User"}, "timeZone": "Europe/London"},
        {"id": CAROL_ID, "username": "carol@example.com", "fullName": "Carol Chen",
         "role": {"id": "User", "name": "User"}},
        {"id": DANA_ID, "username": "dana@example.com", "fullName": "Dana Diaz",
         "role": {"id": "User", "name": "User"}, "timeZone": "America/New_York",
         "mobilePhone": "+1 555 0100"},
    ],
    "schedules": [
        {"id": PRIMARY_ID, "name": "Platform_Schedule", "description": "",
         "timezone": "Europe/Berlin", "enabled": True, "ownerTeam": TEAM,
         "rotations": [
             {"id": "a47bb8a8-3d35-4bb5-8f3b-8e7c3a9c2a1e", "name": "Weekly primary",
              "startDate": "2026-03-02T08:00:00Z", "type": "weekly", "length": 1,
              "participants": [{"type": "user", "id": ALICE_ID, "username": "alice@example.com"},
                               {"type": "user", "id": BOB_ID, "username": "bob@example.com"}]}]},
        {"id": NIGHTS_ID, "name": "Platform_Nights", "timezone": "Europe/Berlin",
         "enabled": True, "ownerTeam": TEAM,
         "rotations": [
             {"id": "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e", "name": "Nights",
              "startDate": "2026-03-02T17:00:00Z", "type": "daily", "length": 1,
              "participants": [{"type": "user", "id": CAROL_ID},
                               {"type": "user", "id": "e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9"}],
              "timeRestriction": {"type": "time-of-day",
                                  "restriction": {"startHour": 18, "startMin": 0,
                                                  "endHour": 8, "endMin": 0}}}]},
    ],
    "escalations": [
        {"id": "f1c3b5a7-9e8d-4c6b-a4f2-e0d1c2b3a4f5", "name": "Platform_escalation",
         "description": "Pages the platform on-call, then the next one, then the lead",
         "ownerTeam": TEAM,
         "rules": [
             {"condition": "if-not-acked", "notifyType": "default",
              "delay": {"timeAmount": 0, "timeUnit": "minutes"},
              "recipient": {"type": "schedule", "id": PRIMARY_ID, "name": "Platform_Schedule"}},
             {"condition": "if-not-closed", "notifyType": "default",
              "delay": {"timeAmount": 1, "timeUnit": "hours"},
              "recipient": {"type": "user", "id": DANA_ID, "username": "dana@example.com"}},
             {"condition": "if-not-acked", "notifyType": "next",
              "delay": {"timeAmount": 5, "timeUnit": "minutes"},
              "recipient": {"type": "schedule", "id": PRIMARY_ID, "name": "Platform_Schedule"}},
             {"condition": "if-not-acked", "notifyType": "all",
              "delay": {"timeAmount": 10, "timeUnit": "minutes"},
              "recipient": {"type": "team", "id": TEAM["id"], "name": "platform"}},
         ],
         "repeat": {"waitInterval": 10, "count": 2, "resetRecipientStates": True,
                    "closeAlertAfterAll": False}},
        {"id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Nights_escalation",
         "ownerTeam": TEAM,
         "rules": [
             {"condition": "if-not-acked", "notifyType": "default",
              "delay": {"timeAmount": 0, "timeUnit": "minutes"},
              "recipient": {"type": "schedule", "name": "Platform_Nights"}},
             {"condition": "if-not-acked", "notifyType": "random",
              "delay": {"timeAmount": 30, "timeUnit": "minutes"},
              "recipient": {"type": "schedule", "id": PRIMARY_ID}},
         ]},
        {"id": "7d6c5b4a-3f2e-4d1c-b0a9-8f7e6d5c4b3a", "name": "Team_only",
         "ownerTeam": TEAM,
         "rules": [
             {"condition": "if-not-acked", "notifyType": "default",
              "delay": {"timeAmount": 0, "timeUnit": "minutes"},
              "recipient": {"type": "team", "id": TEAM["id"], "name": "platform"}}]},
    ],
}  # fmt: skip


WEEKLY = {
    "name": "Weekly primary",
    "level": 0,
    "from": "2026-03-02T08:00:00+00:00",
    "rotation": "weekly",
    "every": 1,
    "handoff": "mon 09:00",
    "start": "2026-03-02",
    "users": ["alice@example.com", "bob@example.com"],
}


def test_escalations_become_from_start_policies_with_repeats() -> None:
    """Rules sorted by their offset from the alert's creation; repeat count + 1 passes
    after waitInterval; if-not-closed kept; next pages a copy one turn ahead; a rule
    paging a team is left out, and an escalation paging only teams too."""
    data = import_text(export_text(EXPORT)).data
    OnCall.model_validate(data)
    assert data["escalation_policies"] == [
        {
            "name": "Platform_escalation",
            "delays": "from-start",
            "rules": [
                {"delay": "0s", "targets": [{"schedule": "Platform_Schedule"}]},
                {"delay": "5m", "targets": [{"schedule": "Platform_Schedule (next)"}]},
                {
                    "delay": "1h",
                    "targets": [{"user": "dana@example.com"}],
                    "condition": "not-closed",
                },
            ],
            "loops": 3,
            "repeat_wait": "10m",
        },
        {
            "name": "Nights_escalation",
            "delays": "from-start",
            "rules": [
                {"delay": "0s", "targets": [{"schedule": "Platform_Nights"}]},
                {"delay": "30m", "targets": [{"schedule": "Platform_Schedule"}]},
            ],
        },
    ]
    assert data["schedules"][0] == {
        "name": "Platform_Schedule",
        "tz": "Europe/Berlin",
        "layers": [WEEKLY],
    }
    assert data["schedules"][2] == {
        "name": "Platform_Schedule (next)",
        "tz": "Europe/Berlin",
        "layers": [WEEKLY | {"offset": 1}],
    }
    assert [s["name"] for s in data["schedules"]] == [
        "Platform_Schedule",
        "Platform_Nights",
        "Platform_Schedule (next)",
    ]


def test_people_are_the_users_and_everyone_named() -> None:
    """Listed users keep their zone; one without takes the zone of the schedule naming
    them; a participant missing from users is a person named by the id."""
    assert import_text(export_text(EXPORT)).data["people"] == [
        {"name": "alice@example.com", "tz": "Europe/Berlin"},
        {"name": "bob@example.com", "tz": "Europe/London"},
        {"name": "carol@example.com", "tz": "Europe/Berlin"},
        {"name": "dana@example.com", "tz": "America/New_York"},
        {"name": "e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9", "tz": "Europe/Berlin"},
    ]


def test_warnings_name_each_field_and_the_mapping_chosen() -> None:
    """Every approximation is a warning at its line, saying what drillsim does instead."""
    assert rendered(import_text(export_text(EXPORT))) == [
        "export.json:29:7: warning: users[2]: user 'carol@example.com' has no time zone; "
        "Europe/Berlin assumed (schedule 'Platform_Nights')",
        "export.json:45:7: warning: users[3]: 'mobilePhone': not simulated; ignored",
        "export.json:81:5: warning: schedules: user 'e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9' "
        "is not in the users list; Europe/Berlin assumed (schedule 'Platform_Nights')",
        "export.json:158:11: warning: escalations[name='Platform_escalation'].rules[2]: "
        "'notifyType': 'next' pages the next on-call user of schedule 'Platform_Schedule': "
        "drillsim pages 'Platform_Schedule (next)', a copy with every rotation one turn "
        "ahead, without its overrides",
        "export.json:177:13: warning: escalations[name='Platform_escalation'].rules[3]"
        ".recipient: 'type': team recipients are not simulated (drillsim has no teams); "
        "this rule is skipped",
        "export.json:186:9: warning: escalations[name='Platform_escalation'].repeat: "
        "'resetRecipientStates': not simulated; ignored",
        "export.json:212:11: warning: escalations[name='Nights_escalation'].rules[1]: "
        "'notifyType': 'random' chooses among a team's members; the schedule's on-call "
        "users are paged, as with default",
        "export.json:231:7: warning: escalations[name='Team_only']: escalation 'Team_only' "
        "pages nobody drillsim simulates; not imported",
        "export.json:240:13: warning: escalations[name='Team_only'].rules[0].recipient: "
        "'type': team recipients are not simulated (drillsim has no teams); this rule is "
        "skipped",
    ]


def test_previous_pages_a_copy_one_turn_behind_and_repeats_are_capped() -> None:
    export = copy.deepcopy(EXPORT)
    platform = export["escalations"][0]
    platform["rules"][2]["notifyType"] = "previous"
    platform["repeat"] = {"waitInterval": 5, "count": 20}
    result = import_text(export_text(export))
    policy = result.data["escalation_policies"][0]
    assert policy["rules"][1]["targets"] == [{"schedule": "Platform_Schedule (previous)"}]
    assert (policy["loops"], policy["repeat_wait"]) == (10, "5m")
    # two users: one turn behind is one turn ahead
    assert result.data["schedules"][2]["layers"][0]["offset"] == 1
    assert any(
        "'count': 20 repeats; drillsim runs at most 10 passes" in w for w in rendered(result)
    )


def test_unknown_references_and_values_are_located_errors() -> None:
    export = copy.deepcopy(EXPORT)
    platform = export["escalations"][0]["rules"]
    platform[0]["recipient"] = {"type": "schedule", "id": "0000-missing", "name": "Platform"}
    platform[1]["condition"] = "if-not-seen"
    platform[2]["delay"]["timeUnit"] = "weeks"
    export["escalations"][1]["name"] = "Platform_escalation"
    export["users"][0]["timeZone"] = "Europe/Berlln"
    with pytest.raises(ConfigError) as caught:
        import_text(export_text(export))
    assert [i.render() for i in caught.value.issues] == [
        "export.json:11:19: users[0].timeZone: unknown time zone 'Europe/Berlln'",
        "export.json:139:19: escalations[name='Platform_escalation'].rules[0].recipient.id: "
        "schedule '0000-missing' is not in 'schedules'\n"
        "    add the schedule (GET /v2/schedules/{id}?expand=rotation) to 'schedules'",
        "export.json:144:24: escalations[name='Platform_escalation'].rules[1].condition: "
        "unknown condition 'if-not-seen'\n    if-not-acked or if-not-closed",
        "export.json:161:25: escalations[name='Platform_escalation'].rules[2].delay.timeUnit: "
        "unknown time unit 'weeks'\n    minutes, hours or days",
        "export.json:192:15: escalations[name='Platform_escalation'].name: a second "
        "escalation named 'Platform_escalation'\n"
        "    drillsim refers to each by name: rename one of them",
    ]
    assert all(i.line > 1 for i in caught.value.issues)


def test_recogniser_is_specific() -> None:
    from drillsim.io.importers.oncall_opsgenie import is_opsgenie_oncall

    assert is_opsgenie_oncall(EXPORT)
    assert is_opsgenie_oncall({"escalations": {"data": EXPORT["escalations"]}})
    assert not is_opsgenie_oncall({"kind": "OnCall", "escalations": []})
    assert not is_opsgenie_oncall({"escalation_policies": [{"escalation_rules": []}]})
    assert not is_opsgenie_oncall({"escalations": [{"name": "x"}]})


def test_a_drill_pages_the_imported_people(tmp_path: Path) -> None:
    """The mini drill opens its incident on Saturday 14 March 2026 at 03:10 in Berlin:
    bob holds the weekly turn; unanswered, the next on-call (alice) follows."""
    pages = pages_in_mini_drill(tmp_path, export_text(EXPORT), "Platform_escalation")
    assert pages and pages[0] == "bob@example.com"
    assert set(pages) <= {"alice@example.com", "bob@example.com", "dana@example.com"}
