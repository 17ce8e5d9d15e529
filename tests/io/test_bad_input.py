"""The catalogue of bad input files: each one's exact message, exit code 1, no traceback.

Every file in ``tests/data/invalid/`` holds one class of mistake (the last holds three).
The tests run from ``tests/data`` so the reported paths read ``invalid/<file>.yaml``, as a
user in that folder would see them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from drillsim.cli.main import cli
from drillsim.errors import ConfigError
from drillsim.io.validate import validate_files

DATA = Path(__file__).resolve().parents[1] / "data"
INVALID = DATA / "invalid"

#: Files that are only there to be referenced by a bad scenario; valid on their own.
HELPERS = {"unknown-escalation-policy.routing.yaml"}

CATALOGUE: dict[str, list[str]] = {
    # malformed YAML
    "yaml-bad-indent.yaml": [
        "invalid/yaml-bad-indent.yaml:6:2: invalid YAML: unexpected indentation\n"
        "    keys of one mapping, and items of one list, start in the same column",
    ],
    "yaml-unclosed-bracket.yaml": [
        "invalid/yaml-unclosed-bracket.yaml:5:25: invalid YAML: expected ',' or ']', but got '}'\n"
        "    the '[' at line 5, column 20 needs a matching ']'",
    ],
    "yaml-tab.yaml": [
        "invalid/yaml-tab.yaml:5:1: invalid YAML: a tab character cannot start a line or a value\n"
        "    indent with spaces, not tabs",
    ],
    "empty.yaml": [
        "invalid/empty.yaml:1:1: the document is empty\n"
        "    start it with 'kind:' and 'version:' (drillsim schema lists the kinds)",
    ],
    # keys
    "unknown-top-level-key.yaml": [
        "invalid/unknown-top-level-key.yaml:6:1: unexpected key 'team'\n"
        "    allowed keys: kind, version, name, description, tz, regions, teams, services "
        "(did you mean 'teams'?)",
    ],
    "unknown-nested-key.yaml": [
        "invalid/unknown-nested-key.yaml:9:5: services[name='web']: unexpected key 'replica'\n"
        "    allowed keys: name, team, tier, replicas, placement, traffic, slo, latency, "
        "utilisation, depends_on, redundancy, runbook, capacity_rps, clients "
        "(did you mean 'replicas'?)",
    ],
    "duplicate-key.yaml": [
        "invalid/duplicate-key.yaml:10:5: services[name='web'].tier: duplicate key 'tier'\n"
        "    first defined at line 9; keep one of them",
    ],
    "missing-required-key.yaml": [
        "invalid/missing-required-key.yaml:7:5: services[name='web']: missing required key 'team'\n"
        "    add 'team:' to this mapping",
    ],
    # kinds
    "unknown-kind.yaml": [
        "invalid/unknown-kind.yaml:1:7: kind: unknown kind 'Topolgy'\n"
        "    expected one of: Scenario, Topology, OnCall, AlertRules, Routing, Sweep, "
        "StaffingStudy (did you mean 'Topology'?)",
    ],
    # The scenario's `topology:` points at an OnCall file: reported where the scenario
    # says so, not in the (valid) referenced file.
    "wrong-kind.yaml": [
        "invalid/wrong-kind.yaml:6:11: topology: '../mini/oncall.yaml' has kind 'OnCall', "
        "not 'Topology'\n"
        "    point 'topology' at a file with 'kind: Topology'",
    ],
    # references
    "unknown-service.yaml": [
        "invalid/unknown-service.yaml:12:37: faults[0].target.service: unknown service "
        "'order-db'\n"
        "    known services: orders, orders-db, recommendations, web (did you mean 'orders-db'?)",
    ],
    "unknown-team.yaml": [
        "invalid/unknown-team.yaml:9:23: services[name='web'].team: unknown team 'storefrnt'\n"
        "    known teams: storefront (did you mean 'storefront'?)",
    ],
    "unknown-person.yaml": [
        "invalid/unknown-person.yaml:9:65: schedules[name='primary'].layers[0].users[1]: "
        "unknown person 'bbo'\n"
        "    known people: alice, bob (did you mean 'bob'?)",
    ],
    "unknown-schedule.yaml": [
        "invalid/unknown-schedule.yaml:12:43: "
        "escalation_policies[name='storefront'].rules[0].targets[0].schedule: "
        "unknown schedule 'primry'\n"
        "    known schedules: primary (did you mean 'primary'?)",
    ],
    # reported in the routing file the scenario references: that is where the name is
    "unknown-escalation-policy.yaml": [
        "invalid/unknown-escalation-policy.routing.yaml:6:49: "
        "receivers[name='storefront-pager'].escalation_policy: "
        "unknown escalation policy 'storefrnt'\n"
        "    known escalation policies: storefront (did you mean 'storefront'?)",
    ],
    "unknown-receiver.yaml": [
        "invalid/unknown-receiver.yaml:6:53: route.routes[0].receiver: "
        "unknown receiver 'storefront-pagr'\n"
        "    known receivers: storefront-pager (did you mean 'storefront-pager'?)",
    ],
    "unknown-region.yaml": [
        "invalid/unknown-region.yaml:9:27: services[name='web'].placement.regions[0]: "
        "unknown region 'eu-wset'\n"
        "    known regions: eu-west (did you mean 'eu-west'?)",
    ],
    "unknown-zone.yaml": [
        "invalid/unknown-zone.yaml:12:40: faults[0].target.zone: unknown zone 'eu-west/c'\n"
        "    known zones: eu-central/a, eu-west/a, eu-west/b (did you mean 'eu-west/b'?)",
    ],
    # durations
    "negative-duration.yaml": [
        "invalid/negative-duration.yaml:8:17: escalation_policies[name='storefront'].rules[0]"
        ".delay: duration must not be negative, got '-5m'\n"
        "    write '5m', without the minus sign",
    ],
    "unparseable-duration.yaml": [
        "invalid/unparseable-duration.yaml:8:17: escalation_policies[name='storefront'].rules[0]"
        ".delay: cannot parse '5 mins' as a duration\n"
        "    write '5m' (forms like 90s, 15m, 1h30m, 3d)",
    ],
    "bare-number-duration.yaml": [
        "invalid/bare-number-duration.yaml:8:17: escalation_policies[name='storefront'].rules[0]"
        ".delay: expected a duration like 90s, 15m or 1h30m as a string, got int 300\n"
        '    give a unit, e.g. "300s" or "300m"',
    ],
    # YAML 1.1 surprises
    "yaml11-boolean.yaml": [
        "invalid/yaml11-boolean.yaml:8:40: rules[alert='ServiceDown'].labels.page: "
        "expected a name, got boolean false\n"
        '    YAML 1.1 reads unquoted no as a boolean; quote the value: "no"',
    ],
    # PyYAML reads 12:00 (and 9:30) as base-60 integers, but not 09:30: see the test below
    "yaml11-sexagesimal.yaml": [
        "invalid/yaml11-sexagesimal.yaml:9:18: schedules[name='primary'].layers[0].handoff: "
        'expected a handoff like "mon 09:00", got 720\n'
        '    YAML 1.1 reads unquoted 12:00 as the number 720; quote it: "12:00"',
    ],
    "unknown-timezone.yaml": [
        "invalid/unknown-timezone.yaml:4:23: people[name='alice'].tz: "
        "unknown time zone 'Europe/Berln'\n"
        "    use an IANA name (did you mean 'Europe/Berlin'?)",
    ],
    # rules across keys
    "empty-rotation.yaml": [
        "invalid/empty-rotation.yaml:8:35: schedules[name='primary'].layers[0].users: "
        "must not be empty\n"
        "    list at least one item",
    ],
    "invalid-matcher.yaml": [
        "invalid/invalid-matcher.yaml:7:18: route.routes[0].matchers[0]: cannot parse matcher "
        "'severity==\"critical\"': unescaped double quote in the value "
        '(write \\" for a literal quote)\n'
        '    write matchers like severity="critical" or team=~"a|b"',
    ],
    "fault-at-and-arrivals.yaml": [
        "invalid/fault-at-and-arrivals.yaml:12:5: faults[0]: "
        "a fault starts either 'at' an offset or by 'arrivals'\n"
        "    'at' and 'arrivals' are both given; keep one",
    ],
    "zone-without-slash.yaml": [
        "invalid/zone-without-slash.yaml:12:40: faults[0].target.zone: "
        "a zone target is written region/zone, e.g. eu-west/a",
    ],
    "missing-topology-file.yaml": [
        "invalid/missing-topology-file.yaml:6:11: topology: "
        "file not found: '../mini/no-such-topology.yaml'\n"
        "    paths are relative to invalid/",
    ],
    # one file, three independent mistakes, all reported in line order
    "three-mistakes.yaml": [
        "invalid/three-mistakes.yaml:5:21: people[name='bob'].tz: "
        "unknown time zone 'Europe/Berlim'\n"
        "    use an IANA name (did you mean 'Europe/Berlin'?)",
        "invalid/three-mistakes.yaml:14:17: escalation_policies[name='storefront'].rules[1]"
        ".delay: cannot parse '15 min' as a duration\n"
        "    write '15m' (forms like 90s, 15m, 1h30m, 3d)",
        "invalid/three-mistakes.yaml:15:5: escalation_policies[name='storefront']: "
        "unexpected key 'loop'\n"
        "    allowed keys: name, rules, steps, loops, delays, repeat_wait, empty_levels, ack_by, "
        "ack_timeout, auto_resolve, urgency (did you mean 'loops'?)",
    ],
}


@pytest.fixture(autouse=True)
def _in_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from tests/data so reported paths are short and independent of the checkout."""
    monkeypatch.chdir(DATA)


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="drillsim")


def _expected_stderr(messages: list[str]) -> str:
    files = sorted({m.split(":", 1)[0] for m in messages})
    n = len(messages)
    return "\n".join([*messages, f"{n} error{'s' if n != 1 else ''} in {', '.join(files)}"]) + "\n"


def _assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr


def test_every_invalid_file_is_in_the_catalogue() -> None:
    """Each file in tests/data/invalid has a pinned message (or is a referenced helper)."""
    on_disk = {p.name for p in INVALID.glob("*.yaml")}
    assert on_disk - HELPERS == set(CATALOGUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_validate_prints_the_exact_message(name: str) -> None:
    """`drillsim validate` on a bad file exits 1 and prints exactly the catalogued issues."""
    result = _invoke("validate", f"invalid/{name}")
    _assert_clean_failure(result)
    assert result.stdout == ""
    assert result.stderr == _expected_stderr(CATALOGUE[name])


def test_three_mistakes_are_reported_at_once_in_line_order() -> None:
    """All three independent mistakes of one file come out together, sorted by line."""
    with pytest.raises(ConfigError) as caught:
        validate_files([Path("invalid/three-mistakes.yaml")])
    lines = [(i.line, i.col) for i in caught.value.issues]
    assert lines == [(5, 21), (14, 17), (15, 5)]


def test_several_bad_files_are_reported_together_by_file() -> None:
    """Validating several bad files reports every problem, grouped in file order."""
    names = ["unknown-team.yaml", "empty.yaml", "three-mistakes.yaml"]
    result = _invoke("validate", *(f"invalid/{n}" for n in names))
    _assert_clean_failure(result)
    messages = [m for n in sorted(names) for m in CATALOGUE[n]]
    assert result.stderr == _expected_stderr(messages)


def test_a_missing_file_given_to_validate_is_an_input_error() -> None:
    """A path that does not exist is reported like any other bad input, with exit 1."""
    result = _invoke("validate", "invalid/no-such-file.yaml")
    _assert_clean_failure(result)
    assert result.stderr == _expected_stderr(["invalid/no-such-file.yaml: file not found"])


def test_unquoted_leading_zero_clock_stays_a_string(tmp_path: Path) -> None:
    """PyYAML reads `handoff: 09:30` as text (no base-60 with a leading zero), so it is fine."""
    text = (DATA / "mini" / "oncall.yaml").read_text()
    assert 'handoff: "mon 09:00"' in text
    path = tmp_path / "oncall.yaml"
    path.write_text(
        text.replace('rotation: weekly, handoff: "mon 09:00"', "rotation: daily, handoff: 09:30")
    )
    (line,), warnings = validate_files([path])
    assert warnings == []
    assert "on-call with 3 people" in line


@pytest.mark.parametrize(
    "name",
    ["unknown-service.yaml", "missing-topology-file.yaml", "wrong-kind.yaml", "yaml-tab.yaml"],
)
def test_run_on_a_bad_scenario_writes_nothing(name: str, tmp_path: Path) -> None:
    """`drillsim run` on bad input exits 1 with the same message and leaves no folder."""
    out = tmp_path / "results"
    result = _invoke("run", f"invalid/{name}", "--seed", "1", "--out", str(out), "--no-plots")
    _assert_clean_failure(result)
    assert result.stderr == _expected_stderr(CATALOGUE[name])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_suspicious_but_valid_documents_warn(tmp_path: Path) -> None:
    """A rule that selects nothing and a schedule nobody covers are warnings, exit 0."""
    import shutil

    import yaml

    shutil.copytree(DATA / "mini", tmp_path / "mini")
    rules_path = tmp_path / "mini" / "rules.yaml"
    rules = yaml.safe_load(rules_path.read_text())
    rules["rules"][0]["services"] = {"tiers": [4]}
    rules_path.write_text(yaml.safe_dump(rules, sort_keys=False))
    oncall_path = tmp_path / "mini" / "oncall.yaml"
    oncall = yaml.safe_load(oncall_path.read_text())
    oncall["schedules"][0]["layers"][0]["days"] = ["sun"]
    oncall_path.write_text(yaml.safe_dump(oncall, sort_keys=False))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "mini" / "scenario.yaml")])
    assert result.exit_code == 0
    assert "rules[name='ServiceDown'].services: warning" not in result.stderr
    assert ": warning: rules[alert='ServiceDown'].services: selects no service" in result.stderr
    assert ": warning: schedules[name='storefront-primary']: nobody is on call" in result.stderr
    assert result.stdout.startswith("ok: ")


def test_reference_problems_show_beside_schema_problems(tmp_path: Path) -> None:
    """A broken on-call file does not hide an unknown service in the scenario."""
    import shutil

    shutil.copytree(DATA / "mini", tmp_path / "mini")
    oncall = tmp_path / "mini" / "oncall.yaml"
    oncall.write_text(oncall.read_text().replace("delay: 10m", "delay: 0"))
    scenario = tmp_path / "mini" / "scenario.yaml"
    scenario.write_text(scenario.read_text().replace("{service: orders-db}", "{service: ordrs-db}"))
    result = CliRunner().invoke(cli, ["validate", str(scenario)])
    assert result.exit_code == 1
    assert "delay: must be > 0" in result.stderr
    assert "unknown service 'ordrs-db'" in result.stderr
    assert "2 errors" in result.stderr


def test_selectors_and_silence_matchers_are_checked_against_the_drill(tmp_path: Path) -> None:
    """A rule selecting an unknown service or team, and a silence that cannot parse."""
    import shutil

    import yaml

    shutil.copytree(DATA / "mini", tmp_path / "mini")
    rules_path = tmp_path / "mini" / "rules.yaml"
    rules = yaml.safe_load(rules_path.read_text())
    rules["rules"][0]["services"] = {"names": ["ordrs"], "teams": ["nobody"]}
    rules_path.write_text(yaml.safe_dump(rules, sort_keys=False))
    scenario_path = tmp_path / "mini" / "scenario.yaml"
    scenario = yaml.safe_load(scenario_path.read_text())
    scenario["silences"] = [{"matchers": ['severity="warning"', "severity=~("], "ends": "1h"}]
    scenario_path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    result = CliRunner().invoke(cli, ["validate", str(scenario_path)])
    assert result.exit_code == 1, result.output
    assert "rules[alert='ServiceDown'].services.names[0]: unknown service 'ordrs'" in result.stderr
    assert "(did you mean 'orders'?)" in result.stderr
    assert "rules[alert='ServiceDown'].services.teams[0]: unknown team 'nobody'" in result.stderr
    assert "silences[0].matchers[1]: " in result.stderr
    assert 'write matchers like severity="warning"' in result.stderr
