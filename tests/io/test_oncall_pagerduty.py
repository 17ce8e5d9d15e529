"""A whole PagerDuty on-call setup (users, schedules, escalation policies, services)
imported as a drillsim OnCall document, directly and as a scenario's ``oncall:``."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from shared_fixtures import fixture

import drillsim
from drillsim.cli.main import cli
from drillsim.errors import ConfigError, Issue
from drillsim.io.importers.oncall_exports import (
    OnCallImport,
    import_oncall_export,
    recognise_oncall_export,
)
from drillsim.io.importers.rails_zones import RAILS_ZONES, iana_zone
from drillsim.io.yamlsource import read_source
from drillsim.spec.oncall import OnCall

DATA = Path(__file__).resolve().parents[1] / "data"
MINI = DATA / "mini"
BUNDLE = DATA / "pagerduty" / "oncall-bundle.json"
CFN = "aws-ia__cloudformation-pagerduty-resource-providers/"
CFN_POLICIES = CFN + "PagerDuty-EscalationPolicies-EscalationPolicy/example_inputs/"
CFN_POLICY = CFN_POLICIES + "inputs_1_create.json"
CFN_INVALID = CFN_POLICIES + "inputs_1_invalid.json"
CFN_SCHEDULE = CFN + "PagerDuty-Schedules-Schedule/example_inputs/inputs_1_create.json"
SERVICE = "PagerDuty__go-pagerduty/service.json"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def load(path: Path) -> OnCallImport:
    """Import ``path`` through the registry, as the loader does."""
    source, issues = read_source(path, path.name)
    assert source is not None and not issues
    assert recognise_oncall_export(source.data) == "pagerduty"
    return import_oncall_export(source)


def write(tmp_path: Path, data: dict[str, Any], name: str = "pd.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def where(path: Path, needle: str, nth: int = 0, at: str | None = None) -> tuple[int, int]:
    """(line, col) of the ``nth`` line holding ``needle``; col of ``at`` in it (else of
    the line's first non-blank character)."""
    lines = [(i, t) for i, t in enumerate(path.read_text().splitlines(), 1) if needle in t]
    number, text = lines[nth]
    col = text.index(at) + 1 if at else len(text) - len(text.lstrip()) + 1
    return number, col


def rendered(issues: list[Issue]) -> list[str]:
    return [i.render() for i in issues]


# -- the third-party fixtures ----------------------------------------------------------


def test_cloudformation_policy_alone_imports_with_its_user_as_a_person() -> None:
    """inputs_1_create.json: NumLoops 5 -> 6 passes, a 30-minute rule paging a user
    named only by id (a person in UTC, with a warning); Teams is not simulated."""
    path = fixture(CFN_POLICY)
    imported = load(path)
    assert imported.tool == "pagerduty"
    assert imported.data == {
        "kind": "OnCall",
        "version": 1,
        "people": [{"name": "PAGER_DUTY_USER_ID", "tz": "UTC"}],
        "schedules": [],
        "escalation_policies": [
            {
                "name": "EscalationPolicyTest-1-1",
                "rules": [{"delay": "30m", "targets": [{"user": "PAGER_DUTY_USER_ID"}]}],
                "loops": 6,
                "ack_by": "current-level",
            }
        ],
    }
    assert [(w.line, w.path, w.message) for w in imported.warnings] == [
        (
            where(path, '"Id": "PAGER_DUTY_USER_ID"')[0],
            "EscalationRules[0].Targets[0]",
            "user 'PAGER_DUTY_USER_ID' is not in the users list; UTC assumed",
        ),
        (where(path, '"Teams"')[0], "", "'Teams': not simulated; ignored"),
    ]
    assert all(w.severity == "warning" for w in imported.warnings)
    OnCall.model_validate(imported.data)


def combined_fixtures(tmp_path: Path) -> Path:
    """service.json, its escalation policy (the CloudFormation example given the id
    service.json refers to), the same policy again without an id (used by no service),
    the CloudFormation schedule and the user they all name: one setup."""
    service = json.loads(fixture(SERVICE).read_text())
    policy = json.loads(fixture(CFN_POLICY).read_text())
    schedule = json.loads(fixture(CFN_SCHEDULE).read_text())
    user = {"id": "PAGER_DUTY_USER_ID", "name": "Pat Quispe", "time_zone": "America/Lima"}
    bundle = {
        "users": [user],
        "schedules": [{"Id": "PSCHED1", **schedule}],
        "escalation_policies": [{"Id": service["escalation_policy"]["id"], **policy}, policy],
        "services": [service],
    }
    return write(tmp_path, bundle)


def test_service_fixture_becomes_a_policy_named_after_it(tmp_path: Path) -> None:
    """service.json's settings (ack timeout 600 s, auto-resolve 14400 s, high urgency in
    support hours Mon-Fri 09:00-17:00 Lima, low outside) land on a policy named after
    the service with its escalation policy's rules; the unused policy keeps its name."""
    path = combined_fixtures(tmp_path)
    imported = load(path)
    pat = [{"user": "Pat Quispe"}]
    assert imported.data == {
        "kind": "OnCall",
        "version": 1,
        "people": [{"name": "Pat Quispe", "tz": "America/Lima"}],
        "schedules": [
            {
                "name": "Test End-to-end schedule",
                "tz": "Europe/London",
                "layers": [
                    {
                        "start": "2015-11-06",
                        "rotation": "daily",
                        "every": 1,
                        "handoff": "20:00",
                        "name": "Night Shift",
                        "from": "2023-11-06T20:00:00+00:00",
                        "until": "2024-11-06T20:00:00+00:00",
                        "users": ["Pat Quispe"],
                        "restrictions": [
                            {"start": "08:00", "duration": "32400s"},
                            {"start": "mon 08:00", "duration": "32400s"},
                        ],
                        "level": 1,
                    }
                ],
                "overrides": [],
            }
        ],
        "escalation_policies": [
            {
                "name": "Cha0tic App",
                "rules": [{"delay": "30m", "targets": pat}],
                "loops": 6,
                "ack_by": "current-level",
                "ack_timeout": "10m",
                "auto_resolve": "4h",
                "urgency": {
                    "support_hours": {
                        "tz": "America/Lima",
                        "days": WEEKDAYS,
                        "hours": "09:00-17:00",
                    },
                    "during": "high",
                    "outside": "low",
                },
            },
            {
                "name": "EscalationPolicyTest-1-1",
                "rules": [{"delay": "30m", "targets": pat}],
                "loops": 6,
                "ack_by": "current-level",
            },
        ],
    }
    assert [(w.line, w.path, w.message) for w in imported.warnings] == [
        (where(path, '"Teams"', 1)[0], "escalation_policies[0]", "'Teams': not simulated; ignored"),
        (where(path, '"Teams"', 2)[0], "escalation_policies[1]", "'Teams': not simulated; ignored"),
        (
            where(path, '"status"')[0],
            "services[name='Cha0tic App']",
            "'status': not simulated; ignored",
        ),
        (
            where(path, '"scheduled_actions"')[0],
            "services[name='Cha0tic App']",
            "'scheduled_actions': not simulated; ignored",
        ),
    ]
    policies = OnCall.model_validate(imported.data).escalation_policies
    assert policies[0].ack_timeout == 600 and policies[0].auto_resolve == 14400
    assert policies[0].urgency is not None and not isinstance(policies[0].urgency, str)
    assert policies[0].urgency.support_hours.days == (0, 1, 2, 3, 4)
    assert policies[0].urgency.support_hours.hours == (540, 1020)


def test_invalid_contract_input_is_not_claimed_and_is_an_error_inside_a_bundle(
    tmp_path: Path,
) -> None:
    """inputs_1_invalid.json ({"Invalid": "json"}) is no PagerDuty shape: not
    recognised on its own; given as an escalation policy it is a located error."""
    invalid = json.loads(fixture(CFN_INVALID).read_text())
    assert recognise_oncall_export(invalid) is None
    policy = json.loads(fixture(CFN_POLICY).read_text())
    path = write(tmp_path, {"escalation_policies": [policy, invalid]})
    with pytest.raises(ConfigError) as caught:
        load(path)
    line, col = where(path, '"Invalid"')  # the policy's "{" opens the line before
    assert rendered(caught.value.issues) == [
        f"pd.json:{line - 1}:{col - 2}: escalation_policies[1]: an escalation policy needs "
        "'escalation_rules' (at least one)",
        f"pd.json:{line - 1}:{col - 2}: escalation_policies[1]: an escalation policy needs "
        "a 'name'",
    ]


# -- a realistic hand-written setup ----------------------------------------------------


def test_bundle_imports_people_schedules_and_a_policy_per_service() -> None:
    """users + 2 schedules + 2 escalation policies + 2 services."""
    imported = load(BUNDLE)
    data = imported.data
    assert data["people"] == [
        {"name": "Alice Adams", "tz": "Europe/Berlin"},
        {"name": "Bob Brown", "tz": "Europe/Berlin"},
        {"name": "Carla Cruz", "tz": "America/Lima"},
        {"name": "Dana Diaz", "tz": "America/New_York"},
        {"name": "Erin Evans", "tz": "Europe/Berlin"},
    ]
    assert [s["name"] for s in data["schedules"]] == ["Storefront Primary", "Storefront Secondary"]
    primary = data["schedules"][0]
    assert [(layer["name"], layer["level"], layer["users"]) for layer in primary["layers"]] == [
        ("Office hours", 2, ["Carla Cruz", "Erin Evans"]),
        ("Base", 1, ["Alice Adams", "Bob Brown"]),
    ]
    assert primary["overrides"][0]["user"] == "Erin Evans"
    assert data["escalation_policies"] == [
        {
            "name": "Storefront",
            "rules": [
                {"delay": "10m", "targets": [{"schedule": "Storefront Primary"}]},
                {
                    "delay": "15m",
                    "targets": [{"schedule": "Storefront Secondary"}, {"user": "Dana Diaz"}],
                },
            ],
            "loops": 3,
            "ack_by": "current-level",
            "ack_timeout": "30m",
            "urgency": "high",
        },
        {
            "name": "Orders DB",
            "rules": [
                {
                    "delay": "30m",
                    "targets": [{"user": "Carla Cruz"}, {"user": "Erin Evans"}],
                    "assignment": "round-robin",
                }
            ],
            "loops": 1,
            "ack_by": "current-level",
            "ack_timeout": "10m",
            "auto_resolve": "4h",
            "urgency": {
                "support_hours": {
                    "tz": "America/New_York",
                    "days": WEEKDAYS,
                    "hours": "08:00-18:00",
                },
                "during": "severity-based",
                "outside": "low",
            },
        },
    ]
    assert [(w.line, w.path, w.message) for w in imported.warnings] == [
        (
            where(BUNDLE, '"contact_methods"')[0],
            "users[name='Dana Diaz']",
            "'contact_methods': not simulated; ignored",
        ),
        (
            where(BUNDLE, '"name": "Erin Evans"')[0],
            "users[name='Erin Evans']",
            "user 'Erin Evans' has no time zone; Europe/Berlin assumed "
            "(schedule 'Storefront Primary')",
        ),
        (
            where(BUNDLE, '"on_call_handoff_notifications"')[0],
            "escalation_policies[name='Storefront Escalation']",
            "'on_call_handoff_notifications': not simulated; ignored",
        ),
        (
            where(BUNDLE, '"teams"', 1)[0],
            "escalation_policies[name='Storefront Escalation']",
            "'teams': not simulated; ignored",
        ),
        *[
            (where(BUNDLE, f'"{key}"', nth)[0], f"services[name='{service}']", message)
            for key, nth, service in [
                ("status", 0, "Storefront"),
                ("alert_creation", 0, "Storefront"),
                ("alert_grouping_parameters", 0, "Storefront"),
                ("integrations", 0, "Storefront"),
                ("status", 1, "Orders DB"),
                ("auto_pause_notifications_parameters", 0, "Orders DB"),
            ]
            for message in [f"'{key}': not simulated; ignored"]
        ],
    ]
    OnCall.model_validate(data)


def mutated(tmp_path: Path, edit: Any) -> Path:
    bundle = json.loads(BUNDLE.read_text())
    edit(bundle)
    return write(tmp_path, bundle)


def test_bad_delay_unknown_schedule_and_unknown_rails_zone_are_located_together(
    tmp_path: Path,
) -> None:
    """Every problem is reported at once, at its value, with the id or a hint."""

    def break_it(bundle: dict[str, Any]) -> None:
        rules = bundle["escalation_policies"][0]["escalation_rules"]
        rules[0]["escalation_delay_in_minutes"] = -5
        rules[1]["targets"][0]["id"] = "PNOPE99"
        zone = bundle["services"][1]["support_hours"]
        zone["time_zone"] = "Eastern Time (US and Canada)"

    path = mutated(tmp_path, break_it)
    with pytest.raises(ConfigError) as caught:
        load(path)
    delay = where(path, '"escalation_delay_in_minutes": -5', at="-5")
    target = where(path, '"id": "PNOPE99"', at='"PNOPE99"')
    zone = where(path, '"time_zone": "Eastern Time (US and', at='"Eastern')
    policy = "escalation_policies[name='Storefront Escalation'].escalation_rules"
    assert rendered(caught.value.issues) == [
        f"pd.json:{delay[0]}:{delay[1]}: {policy}[0].escalation_delay_in_minutes: "
        "must be whole minutes > 0, got -5",
        f"pd.json:{target[0]}:{target[1]}: {policy}[1].targets[0].id: "
        "no schedule with id 'PNOPE99' in this file\n"
        "    schedules here: PSTORE1 (Storefront Primary), PSTORE2 (Storefront Secondary)",
        f"pd.json:{zone[0]}:{zone[1]}: services[name='Orders DB'].support_hours.time_zone: "
        "unknown time zone 'Eastern Time (US and Canada)'\n"
        "    did you mean 'Eastern Time (US & Canada)'? PagerDuty names support-hours zones "
        "as Rails does ('Eastern Time (US & Canada)', 'Lima'); an IANA name (America/Lima) "
        "also works",
    ]
    assert all(i.line > 1 for i in caught.value.issues)


def test_unknown_policy_id_duplicate_names_and_bad_loops(tmp_path: Path) -> None:
    """A service naming a policy not in the file, two schedules with one name, and a
    negative num_loops."""

    def break_it(bundle: dict[str, Any]) -> None:
        bundle["services"][1]["escalation_policy"]["id"] = "PGONE00"
        bundle["schedules"][1]["name"] = "Storefront Primary"
        bundle["escalation_policies"][0]["num_loops"] = -1

    path = mutated(tmp_path, break_it)
    with pytest.raises(ConfigError) as caught:
        load(path)
    messages = [(i.path, i.message) for i in caught.value.issues]
    assert messages == [
        (
            "schedules[name='Storefront Primary'].name",
            "a second schedule named 'Storefront Primary'",
        ),
        (
            "escalation_policies[name='Storefront Escalation'].num_loops",
            "must be a whole number >= 0, got -1",
        ),
        (
            "services[name='Orders DB'].escalation_policy.id",
            "no escalation policy with id 'PGONE00' in this file",
        ),
    ]
    assert all(i.line > 1 for i in caught.value.issues)


def test_loops_are_capped_and_assignment_strategies_take_every_form(tmp_path: Path) -> None:
    """num_loops 12 is capped at the model's 10 passes (a warning); the strategy may be
    a string, a {type} object or a list of them; user/schedule target types work."""

    def edit(bundle: dict[str, Any]) -> None:
        policy = bundle["escalation_policies"][0]
        policy["num_loops"] = 12
        rules = policy["escalation_rules"]
        rules[0]["escalation_rule_assignment_strategy"] = [{"type": "round_robin"}]
        rules[0]["targets"][0]["type"] = "schedule"
        rules[1]["escalation_rule_assignment_strategy"] = "round_robin"

    path = mutated(tmp_path, edit)
    imported = load(path)
    storefront = imported.data["escalation_policies"][0]
    assert storefront["loops"] == 10
    assert [r.get("assignment") for r in storefront["rules"]] == ["round-robin", "round-robin"]
    assert storefront["rules"][0]["targets"] == [{"schedule": "Storefront Primary"}]
    (capped,) = [w for w in imported.warnings if "num_loops 12" in w.message]
    assert capped.message == (
        "num_loops 12: drillsim makes at most 10 passes over the rules; capped at num_loops 9"
    )


def test_overrides_beside_schedules_need_their_schedule(tmp_path: Path) -> None:
    """A GET .../overrides body beside several schedules: each override names its
    schedule, else it is an error."""

    def edit(bundle: dict[str, Any]) -> None:
        bundle["overrides"] = [
            {
                "start": "2026-03-14T00:00:00-05:00",
                "end": "2026-03-15T00:00:00-05:00",
                "user": {"id": "PBOB002", "type": "user_reference"},
                "schedule": {"id": "PSTORE2", "type": "schedule_reference"},
            },
            {
                "start": "2026-03-16T00:00:00-05:00",
                "end": "2026-03-17T00:00:00-05:00",
                "user": {"id": "PBOB002", "type": "user_reference"},
            },
        ]

    path = mutated(tmp_path, edit)
    with pytest.raises(ConfigError) as caught:
        load(path)
    (issue,) = caught.value.issues
    assert (issue.line, issue.path) == (where(path, '"start": "2026-03-16')[0] - 1, "overrides[1]")
    assert issue.message == (
        "an override outside a schedule needs a 'schedule' reference {id} when the file has "
        "several schedules"
    )
    bundle = json.loads(path.read_text())
    del bundle["overrides"][1]
    secondary = load(write(tmp_path, bundle, "ok.json")).data["schedules"][1]
    assert secondary["overrides"] == [
        {
            "start": "2026-03-14T00:00:00-05:00",
            "end": "2026-03-15T00:00:00-05:00",
            "user": "Bob Brown",
        }
    ]


def test_yaml_pascal_case_keys_an_embedded_policy_and_shared_names(tmp_path: Path) -> None:
    """A YAML file with CloudFormation-style top-level keys; a service embedding its
    escalation policy (include[]=escalation_policies); two users with one name."""
    bundle = {
        "Users": [
            {"Id": "PU1", "Name": "Sam Lee", "TimeZone": "Asia/Tokyo"},
            {"Id": "PU2", "Name": "Sam Lee", "TimeZone": "Europe/Paris"},
        ],
        "Services": [
            {
                "Name": "Payments",
                "EscalationPolicy": {
                    "Id": "PEP1",
                    "Name": "Payments EP",
                    "NumLoops": 1,
                    "EscalationRules": [
                        {
                            "EscalationDelayInMinutes": 5,
                            "Targets": [{"Id": "PU1", "Type": "user_reference"}],
                        },
                        {
                            "EscalationDelayInMinutes": 5,
                            "Targets": [{"Id": "PU2", "Type": "user_reference"}],
                        },
                    ],
                },
                "IncidentUrgencyRule": {"Type": "constant", "Urgency": "severity_based"},
            }
        ],
    }
    path = tmp_path / "pd.yaml"
    path.write_text(yaml.safe_dump(bundle, sort_keys=False))
    imported = load(path)
    assert imported.data["people"] == [
        {"name": "Sam Lee", "tz": "Asia/Tokyo"},
        {"name": "Sam Lee (PU2)", "tz": "Europe/Paris"},
    ]
    assert imported.data["escalation_policies"] == [
        {
            "name": "Payments",
            "rules": [
                {"delay": "5m", "targets": [{"user": "Sam Lee"}]},
                {"delay": "5m", "targets": [{"user": "Sam Lee (PU2)"}]},
            ],
            "loops": 2,
            "ack_by": "current-level",
            "urgency": "severity-based",
        }
    ]
    (warning,) = imported.warnings
    assert (warning.line, warning.path, warning.message) == (
        6,
        "Users[1]",
        "another user is also called 'Sam Lee'; this one is 'Sam Lee (PU2)'",
    )


def test_a_drillsim_document_and_other_shapes_are_not_claimed() -> None:
    """A drillsim document always has kind; users alone are no setup."""
    oncall = yaml.safe_load((MINI / "oncall.yaml").read_text())
    assert recognise_oncall_export(oncall) is None
    assert recognise_oncall_export({"kind": "OnCall", "escalation_policies": []}) is None
    assert recognise_oncall_export({"users": [{"id": "P1", "name": "x"}]}) is None
    assert recognise_oncall_export({"data": [{"name": "x", "rules": []}]}) is None
    assert recognise_oncall_export(json.loads(BUNDLE.read_text())) == "pagerduty"


def test_rails_zone_table_names_real_zones() -> None:
    """Every Rails name maps to a zone the zoneinfo database has; IANA names pass."""
    from zoneinfo import available_timezones

    zones = available_timezones()
    assert sorted(v for v in RAILS_ZONES.values() if v not in zones) == []
    assert iana_zone("Lima") == "America/Lima"
    assert iana_zone("Eastern Time (US & Canada)") == "America/New_York"
    assert iana_zone("Europe/Berlin") == "Europe/Berlin"
    assert iana_zone("Atlantis") is None


# -- as a scenario's oncall ------------------------------------------------------------


def pagerduty_drill(tmp_path: Path, bundle: Path = BUNDLE) -> Path:
    """The mini drill paging through the imported setup: its receiver names the policy
    imported for the Storefront service."""
    target = tmp_path / "d"
    shutil.copytree(MINI, target)
    shutil.copy(bundle, target / "pagerduty.json")
    scenario = target / "scenario.yaml"
    doc = yaml.safe_load(scenario.read_text())
    doc["oncall"] = "pagerduty.json"
    scenario.write_text(yaml.safe_dump(doc, sort_keys=False))
    routing = target / "routing.yaml"
    doc = yaml.safe_load(routing.read_text())
    doc["receivers"] = [{"name": "storefront-pager", "escalation_policy": "Storefront"}]
    routing.write_text(yaml.safe_dump(doc, sort_keys=False))
    return scenario


def test_a_scenario_pages_the_imported_people(tmp_path: Path) -> None:
    """Saturday 03:00 Berlin: the office-hours layer is off, so the base layer's weekly
    turn (week 9 since Monday 5 January: Bob) takes the first page."""
    drill = drillsim.load_scenario(pagerduty_drill(tmp_path))
    storefront = {p.name: p for p in drill.spec.oncall.escalation_policies}["Storefront"]
    assert (storefront.loops, storefront.ack_timeout) == (3, 1800.0)
    assert any("'contact_methods'" in w.message for w in drill.warnings)
    records = drillsim.run(drill, seed=1).records
    pages = [r for r in records if r["kind"] == "PageSent"]
    assert pages and pages[0]["person"] == "Bob Brown" and pages[0]["level"] == 0
    people = {p.name for p in drill.spec.oncall.people}
    assert {p["person"] for p in pages} <= people


def test_validate_accepts_the_scenario_and_prints_the_warnings(tmp_path: Path) -> None:
    scenario = pagerduty_drill(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 0, result.output
    assert "ok: " in result.stdout
    assert "pagerduty.json:" in result.stderr
    assert "warning: services[name='Storefront']: 'status': not simulated; ignored" in (
        result.stderr
    )


def test_validate_reports_located_errors_in_the_export(tmp_path: Path) -> None:
    bundle = json.loads(BUNDLE.read_text())
    bad = copy.deepcopy(bundle)
    bad["services"][0]["escalation_policy"]["id"] = "PGONE00"
    scenario = pagerduty_drill(tmp_path, write(tmp_path, bad, "bad.json"))
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 1
    assert "escalation_policy.id: no escalation policy with id 'PGONE00' in this file" in (
        result.stderr
    )
