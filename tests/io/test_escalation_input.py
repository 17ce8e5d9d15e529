"""Bad escalation policies: each mistake reported at file:line:col with its exact message.

Covers the fields of the one escalation engine (rules or steps, delays, empty levels,
urgency ...) and "a policy that can never reach anyone": an error for a chain that pages
nobody, a warning where the tools allow it (a chain that resolves first, a policy whose
schedules have nobody on call during the drill).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import drillsim
from drillsim.errors import ConfigError
from drillsim.io.validate import validate_files

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"

HEAD = """\
kind: OnCall
version: 1
people:
  - {name: alice}
  - {name: bob}
schedules:
  - name: primary
    layers:
      - {rotation: weekly, users: [alice, bob]}
escalation_policies:
"""

NEVER = """\
  - name: quiet
    steps:
      - wait
      - {continue_if_time: "09:00-17:00"}
"""

DELAYS = """\
  - name: pd
    rules:
      - {delay: 0, targets: [{user: alice}]}
  - name: og
    delays: from-start
    rules:
      - {delay: 10m, targets: [{user: alice}]}
      - {delay: 5m, targets: [{schedule: primry}]}
"""

SHAPE = """\
  - name: both
    rules: [{delay: 5m, targets: [{user: alice}]}]
    steps: [wait]
  - name: steps
    steps:
      - {wait: 5m, notify: [{user: alice}]}
      - {wait: 5m, multi_ack: true}
      - wiat
      - {continue_if_time: "09:00-09:00"}
  - name: og
    delays: from-start
    empty_levels: skip
    rules: [{delay: 0m, targets: [{user: alice}]}]
  - name: pd
    urgency: medium
    ack_timeout: 0
    rules: [{delay: 5m, targets: [{user: alice}], assignment: round_robin}]
"""


def issues_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policies: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    Path("oncall.yaml").write_text(HEAD + policies)
    with pytest.raises(ConfigError) as caught:
        validate_files([Path("oncall.yaml")])
    return [i.render() for i in caught.value.issues]


def test_a_chain_that_pages_nobody_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steps without any notify step can never reach anyone: an error at ``steps``."""
    assert issues_of(tmp_path, monkeypatch, NEVER) == [
        "oncall.yaml:13:7: escalation_policies[name='quiet'].steps: no step pages anyone: "
        "incidents of this policy are never answered\n"
        "    add a step like {notify: [{schedule: primary}]}"
    ]


def test_delays_are_checked_against_their_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-rule delays must be positive; from-start delays must not decrease; a step's
    unknown schedule is reported beside them."""
    assert issues_of(tmp_path, monkeypatch, DELAYS) == [
        "oncall.yaml:13:17: escalation_policies[name='pd'].rules[0].delay: must be > 0\n"
        "    each rule waits its delay for an acknowledgement (with delays: from-start, a "
        "delay of 0 pages at once)",
        "oncall.yaml:18:17: escalation_policies[name='og'].rules[1].delay: is less than the "
        "previous rule's delay (10m)\n"
        "    with delays: from-start each delay counts from the start of the pass, so list "
        "the rules in the order they page",
        "oncall.yaml:18:42: escalation_policies[name='og'].rules[1].targets[0].schedule: "
        "unknown schedule 'primry'\n"
        "    known schedules: primary (did you mean 'primary'?)",
    ]


def test_every_new_field_has_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rules and steps together, a step with two actions or an unknown bare word, a
    notify-only key on a wait, an empty time window, skip with from-start delays, an
    unknown urgency, a zero ack timeout and PagerDuty's spelling of round-robin."""
    assert issues_of(tmp_path, monkeypatch, SHAPE) == [
        "oncall.yaml:11:5: escalation_policies[name='both']: an escalation policy has either "
        "'rules' or 'steps'\n"
        "    'rules' and 'steps' are both given; keep one",
        "oncall.yaml:16:9: escalation_policies[name='steps'].steps[0]: a step has exactly one "
        "of notify, wait, continue_if_time, continue_if_alerts, repeat, resolve, "
        "declare_incident\n"
        "    'notify' and 'wait' are both given; keep one",
        "oncall.yaml:17:31: escalation_policies[name='steps'].steps[1].multi_ack: applies to "
        "notify steps only",
        "oncall.yaml:18:9: escalation_policies[name='steps'].steps[2]: unknown step 'wiat'; "
        "bare steps are wait, repeat, resolve, declare_incident (others are mappings like "
        "{wait: 15m} or {notify: [{user: alice}]})",
        "oncall.yaml:19:28: escalation_policies[name='steps'].steps[3].continue_if_time: the "
        "window is empty (it starts where it ends), so the chain would never continue",
        "oncall.yaml:22:19: escalation_policies[name='og'].empty_levels: skip cannot apply "
        "when each level pages at its own offset from the start of the pass; use wait",
        "oncall.yaml:25:14: escalation_policies[name='pd'].urgency: unknown urgency 'medium'; "
        "expected high, low, severity-based or a mapping "
        "{support_hours: ..., during: ..., outside: ...}",
        "oncall.yaml:26:18: escalation_policies[name='pd'].ack_timeout: must be > 0\n"
        "    give a positive duration, e.g. 30s",
        "oncall.yaml:27:63: escalation_policies[name='pd'].rules[0].assignment: unknown value "
        "'round_robin'\n"
        "    expected one of: everyone, round-robin (did you mean 'round-robin'?)",
    ]


def drill_with(tmp_path: Path, policy: dict[str, object], schedule_days: list[str]) -> list[str]:
    """The mini drill with its policy replaced; its warnings, rendered."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    path = folder / "oncall.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["escalation_policies"] = [policy]
    doc["schedules"][0]["layers"][0]["days"] = schedule_days
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    drill = drillsim.load_scenario(folder / "scenario.yaml")
    return [w.render().split(": ", 1)[1] for w in drill.warnings]


def test_a_chain_that_resolves_before_paging_is_a_warning(tmp_path: Path) -> None:
    """Grafana OnCall allows an auto-resolve chain: a warning at the resolve step."""
    policy = {"name": "storefront", "steps": ["resolve", {"notify": [{"user": "alice"}]}]}
    assert drill_with(tmp_path, policy, ["mon"]) == [
        "warning: escalation_policies[name='storefront'].steps[0]: resolves every incident "
        "before any step pages anyone\n"
        "    move the resolve step after a notify step, if pages were meant",
    ]


def test_a_policy_whose_schedules_are_empty_during_the_drill_is_a_warning(
    tmp_path: Path,
) -> None:
    """The drill runs on a Saturday; a schedule staffed on Mondays only reaches nobody,
    so a policy paging only it reaches nobody (PagerDuty allows empty schedules)."""
    steps = {
        "name": "storefront",
        "steps": [{"notify": [{"schedule": "storefront-primary"}]}, "wait", "repeat"],
    }
    assert drill_with(tmp_path, steps, ["mon"]) == [
        "warning: escalation_policies[name='storefront']: reaches nobody during the drill: "
        "every target is a schedule with nobody on call then\n"
        "    add a user target as a last resort, or check the schedules' layers",
    ]
    with_user = {**steps, "steps": [*steps["steps"], {"notify": [{"user": "dana"}]}]}  # type: ignore[list-item]
    assert drill_with(tmp_path / "2", with_user, ["mon"]) == []


def test_the_json_schema_accepts_bare_steps_and_rejects_unknown_ones() -> None:
    """Editors validate against ``drillsim schema``: a step is a mapping or a bare word."""
    import jsonschema

    from drillsim.spec.schema import all_schemas

    schema = next(s for name, s in all_schemas().items() if "OnCall" in name)
    doc = yaml.safe_load(HEAD.replace("escalation_policies:\n", "") + "escalation_policies: []")
    doc["escalation_policies"] = [
        {"name": "web", "steps": ["wait", {"notify": [{"user": "alice"}]}, "repeat"]}
    ]
    jsonschema.validate(doc, schema)
    doc["escalation_policies"][0]["steps"][0] = "wiat"
    with pytest.raises(jsonschema.ValidationError, match="'wiat' is not one of"):
        jsonschema.validate(doc, schema)
