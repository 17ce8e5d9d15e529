"""A whole Grafana OnCall setup (users, schedules and shifts, escalation chains and their
policies) imported as an OnCall document: chains as steps, unsupported step types,
people and their zones, located errors, and a drill paging the imported people."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from oncall_export_drill import export_text, import_text, pages_in_mini_drill, rendered

from drillsim.errors import ConfigError
from drillsim.spec.oncall import OnCall

ALEX, BEA, CEM = "U4DNY931HHJS5", "UBZ7VRBPHAJC4", "UCG3Y5NT8U6PV"
WEB, DB = "SBM7DV7BKFUYU", "S3Z477AHDXTMF"

EXPORT: dict[str, Any] = {
    "users": {"count": 3, "next": None, "previous": None, "results": [
        {"id": ALEX, "grafana_id": 456, "email": "alex@example.com", "slack": [],
         "username": "alex", "role": "admin", "timezone": "Europe/Berlin", "teams": []},
        {"id": BEA, "grafana_id": 457, "email": "bea@example.com", "slack": [],
         "username": "bea", "role": "user", "timezone": "Europe/Berlin", "teams": []},
        {"id": CEM, "grafana_id": 458, "email": "cem@example.com", "slack": [],
         "username": "cem", "role": "user", "timezone": None, "teams": []},
    ]},
    "schedules": [
        {"id": WEB, "team_id": None, "name": "Web primary", "type": "calendar",
         "time_zone": "Europe/Berlin", "on_call_now": [], "shifts": ["OH3V5FYQEYJ6M"],
         "slack": {"channel_id": None, "user_group_id": None}},
    ],
    "on_call_shifts": {"count": 1, "next": None, "previous": None, "results": [
        {"id": "OH3V5FYQEYJ6M", "team_id": None, "schedule": WEB, "name": "Web weekly",
         "type": "rolling_users", "time_zone": None, "level": 1,
         "start": "2026-03-02T09:00:00", "duration": 604800, "frequency": "weekly",
         "interval": 1, "week_start": "MO", "by_day": None, "by_month": None,
         "by_monthday": None, "until": None,
         "rolling_users": [[ALEX], [BEA]], "start_rotation_from_user_index": 0},
    ]},
    "escalation_chains": [
        {"id": "FWDL7M6N6I9HE", "team_id": None, "name": "web-critical"},
        {"id": "F8TCBWSE3IQVR", "team_id": None, "name": "web-slack-only"},
    ],
    "escalation_policies": [
        {"id": "E3GA6SJETWWJS", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 1,
         "type": "wait", "duration": 300},
        {"id": "E8KJZ4Q9FXMLD", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 0,
         "type": "notify_on_call_from_schedule", "important": False,
         "notify_on_call_from_schedule": WEB},
        {"id": "EQW7BMH5U2YCN", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 2,
         "type": "notify_person_next_each_time", "important": True,
         "persons_to_notify_next_each_time": [CEM, "UHZB7D1LGWN4Q"]},
        {"id": "E5VKX8RNQ7TPA", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 3,
         "type": "trigger_webhook", "action_to_trigger": "KW6TQ9ZX4PRN1"},
        {"id": "EYF2HB6CD1SJM", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 4,
         "type": "notify_if_time_from_to", "notify_if_time_from": "07:00:00Z",
         "notify_if_time_to": "19:00:00Z"},
        {"id": "EL9TR3MV8QXWB", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 5,
         "type": "notify_if_num_alerts_in_window", "num_alerts_in_window": 3,
         "num_minutes_in_window": 10},
        {"id": "EC4NP7WK2ZDGH", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 6,
         "type": "notify_persons", "important": False, "persons_to_notify": [ALEX, BEA]},
        {"id": "EB1XQ5TJ9MRKS", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 7,
         "type": "wait"},
        {"id": "EH6DW3LP8NCVY", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 8,
         "type": "repeat_escalation"},
        {"id": "EG2ZK7RB4TQXF", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 9,
         "type": "declare_incident", "severity": "critical"},
        {"id": "EP8MV1HC6WJNL", "escalation_chain_id": "FWDL7M6N6I9HE", "position": 10,
         "type": "resolve"},
        {"id": "EN5RJ2XF7KDBT", "escalation_chain_id": "F8TCBWSE3IQVR", "position": 0,
         "type": "notify_whole_channel"},
    ],
}  # fmt: skip


def test_chains_become_step_policies_in_position_order() -> None:
    """Each public step type maps to its drillsim step; a bare wait keeps OnCall's 5
    minutes; the webhook step is left out; a chain paging nobody is not imported."""
    data = import_text(export_text(EXPORT)).data
    OnCall.model_validate(data)
    assert data["escalation_policies"] == [
        {
            "name": "web-critical",
            "steps": [
                {"notify": [{"schedule": "Web primary"}]},
                {"wait": "5m"},
                {
                    "notify": [{"user": "cem"}, {"user": "UHZB7D1LGWN4Q"}],
                    "assignment": "round-robin",
                },
                {"continue_if_time": "07:00-19:00"},
                {"continue_if_alerts": {"at_least": 3, "within": "10m"}},
                {"notify": [{"user": "alex"}, {"user": "bea"}]},
                "wait",
                "repeat",
                {"declare_incident": {"severity": "critical"}},
                "resolve",
            ],
        }
    ]
    assert [s["name"] for s in data["schedules"]] == ["Web primary"]
    assert [e["users"] for e in data["schedules"][0]["layers"][0]["events"]] == [
        ["alex"],
        ["bea"],
    ]


def test_people_are_the_users_and_everyone_named() -> None:
    assert import_text(export_text(EXPORT)).data["people"] == [
        {"name": "alex", "tz": "Europe/Berlin"},
        {"name": "bea", "tz": "Europe/Berlin"},
        {"name": "cem", "tz": "UTC"},
        {"name": "UHZB7D1LGWN4Q", "tz": "UTC"},
    ]


def test_warnings_name_each_field_and_step_type() -> None:
    assert rendered(import_text(export_text(EXPORT))) == [
        "export.json:32:9: warning: users.results[2]: user 'cem' has no time zone; UTC assumed",
        "export.json:99:7: warning: escalation_chains[name='web-slack-only']: chain "
        "'web-slack-only' pages nobody drillsim simulates; not imported",
        "export.json:123:7: warning: escalation_policies[2]: 'important': not simulated; "
        "ignored\n    drillsim pages everyone with their one set of notification rules",
        "export.json:126:9: warning: escalation_policies[2].persons_to_notify_next_each_time: "
        "user 'UHZB7D1LGWN4Q' is not in the users list; UTC assumed",
        "export.json:133:7: warning: escalation_policies[3]: 'type': 'trigger_webhook' "
        "steps are not simulated; this step is skipped",
        "export.json:192:7: warning: escalation_policies[11]: 'type': "
        "'notify_whole_channel' steps are not simulated; this step is skipped",
    ]


def test_unknown_references_and_values_are_located_errors() -> None:
    export = copy.deepcopy(EXPORT)
    steps = export["escalation_policies"]
    steps[1]["notify_on_call_from_schedule"] = "SNOSUCHSCHED1"
    steps[0]["duration"] = 0
    steps[4]["notify_if_time_to"] = "07:00:00Z"
    steps[5]["escalation_chain_id"] = "FNOSUCHCHAIN1"
    steps[6]["type"] = "notify_everyone"
    export["escalation_chains"][1]["name"] = "web-critical"
    with pytest.raises(ConfigError) as caught:
        import_text(export_text(export))
    assert [i.render() for i in caught.value.issues] == [
        "export.json:99:15: escalation_chains[name='web-critical'].name: a second "
        "escalation chain named 'web-critical'\n"
        "    drillsim refers to each by name: rename one of them",
        "export.json:108:19: escalation_policies[0].duration: needs seconds > 0",
        "export.json:116:39: escalation_policies[1].notify_on_call_from_schedule: schedule "
        "'SNOSUCHSCHED1' is not in 'schedules'\n"
        "    add it (GET /api/v1/schedules/) with its on_call_shifts",
        "export.json:142:28: escalation_policies[4].notify_if_time_to: the window is empty "
        "(it ends where it starts), so the chain never continues",
        "export.json:146:30: escalation_policies[5].escalation_chain_id: escalation chain "
        "'FNOSUCHCHAIN1' is not in 'escalation_chains'",
        "export.json:156:15: escalation_policies[6].type: unknown step type "
        "'notify_everyone'\n    declare_incident, notify_if_num_alerts_in_window, "
        "notify_if_time_from_to, notify_on_call_from_schedule, notify_person_next_each_time, "
        "notify_persons, repeat_escalation, resolve, wait",
    ]
    assert all(i.line > 1 for i in caught.value.issues)


def test_recogniser_is_specific() -> None:
    from drillsim.io.importers.oncall_grafana import is_grafana_oncall

    assert is_grafana_oncall(EXPORT)
    assert is_grafana_oncall({"escalation_chains": {"results": []}})
    assert not is_grafana_oncall({"kind": "OnCall", "escalation_chains": []})
    assert not is_grafana_oncall({"schedules": [], "on_call_shifts": []})


def test_a_drill_pages_the_imported_people(tmp_path: Path) -> None:
    """Saturday 14 March 2026, 03:10 in Berlin: bea holds the web turn and is paged
    first; unanswered, the round-robin step pages one of its people."""
    pages = pages_in_mini_drill(tmp_path, export_text(EXPORT), "web-critical")
    assert pages and pages[0] == "bea"
    assert set(pages) <= {"alex", "bea", "cem", "UHZB7D1LGWN4Q"}
