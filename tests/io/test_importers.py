"""Importers: a real alertmanager.yml and Prometheus rule files, with located problems."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from shared_fixtures import fixture

import drillsim
from drillsim.alerting.routing import build_route_tree, receivers_for
from drillsim.cli.main import cli
from drillsim.errors import ConfigError
from drillsim.io.importers.alertmanager import load_alertmanager
from drillsim.io.loader import Drill

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def test_alertmanager_config_imports_with_warnings_for_unsimulated_keys() -> None:
    """conf.good.yml routes like Alertmanager; integrations and templates are warnings."""
    config = load_alertmanager(fixture("prometheus__alertmanager/conf.good.yml"))
    root = build_route_tree(config.routing.route)
    labels = {"service": "database", "owner2": "team-X", "owner": "team-Y"}
    assert receivers_for(root, labels) == ["team-X-pager", "team-Y-pager"]
    messages = [w.message for w in config.warnings]
    assert "'templates': not simulated yet; ignored" in messages
    assert any("'pagerduty_configs': integrations are not simulated" in m for m in messages)
    assert all(w.severity == "warning" and w.line > 0 for w in config.warnings)


def test_kubernetes_secret_is_unwrapped() -> None:
    """kube-prometheus ships its config inside a Secret's stringData."""
    config = load_alertmanager(
        fixture("prometheus-operator__kube-prometheus/alertmanager-secret.yaml")
    )
    assert {r.name for r in config.routing.receivers} == {"Default", "Watchdog", "Critical", "null"}


def test_alertmanager_errors_are_located(tmp_path: Path) -> None:
    """A bad matcher and an unknown receiver are errors at their line."""
    path = tmp_path / "am.yml"
    path.write_text(
        "route:\n  receiver: a\n  routes:\n    - matchers: ['severity=~\"(\"']\n"
        "      receiver: b\n    - receiver: nope\nreceivers:\n  - name: a\n  - name: b\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_alertmanager(path)
    rendered = caught.value.render()
    assert ":4:18: route.routes[0].matchers[0]:" in rendered
    assert ":6:17: route.routes[1].receiver: unknown receiver 'nope'" in rendered


def test_routes_cli_test_batch_and_bad_input(tmp_path: Path) -> None:
    """`routes test` prints receivers; bad label args exit 2; bad batch lines are numbered."""
    config = str(fixture("prometheus__alertmanager/conf.routing.yml"))
    runner = CliRunner()
    ok = runner.invoke(cli, ["routes", "test", "--config", config, "test=2"])
    assert ok.exit_code == 0 and ok.stdout == "test1,test2\n"
    assert runner.invoke(cli, ["routes", "test", "--config", config, "test"]).exit_code == 2
    batch = tmp_path / "labels.jsonl"
    batch.write_text('{"test": "1"}\nnot json\n{"test": "3"}\n')
    result = runner.invoke(cli, ["routes", "test", "--config", config, "--batch", str(batch)])
    assert result.exit_code == 1
    assert result.stdout == "test1\n\ndefault\n"
    assert "labels.jsonl:2:" in result.stderr
    verify = ["routes", "test", "--config", config, "--verify-receivers", "test1", "test=2"]
    assert runner.invoke(cli, verify).exit_code == 1


def prometheus_drill(
    tmp_path: Path,
    rules: str,
    bindings: list[dict[str, object]],
    server: dict[str, str] | None = None,
) -> Path:
    """The mini drill with its rules replaced by a Prometheus rule file and bindings."""
    shutil.copytree(MINI, tmp_path / "d")
    (tmp_path / "d" / "prom.yaml").write_text(rules)
    scenario = tmp_path / "d" / "scenario.yaml"
    doc = yaml.safe_load(scenario.read_text())
    doc["alerting"] = {"rules": "prom.yaml", "routing": "routing.yaml", "bindings": bindings}
    if server is not None:
        doc["alerting"]["prometheus"] = server
    scenario.write_text(yaml.safe_dump(doc, sort_keys=False))
    return scenario


RULES = """groups:
- name: shop
  interval: 20s
  rules:
  - record: job:up:sum
    expr: sum(up) by (job)
  - alert: ServiceDown
    expr: up == 0
    for: 40s
    labels: {severity: critical}
  - alert: DiskFull
    expr: node_filesystem_avail_bytes < 1e9
"""


def test_prometheus_rules_bind_to_signals(tmp_path: Path) -> None:
    """Bound rules keep for, labels and the group interval; unbound ones are reported."""
    path = prometheus_drill(
        tmp_path,
        RULES,
        [
            {"alert": "ServiceDown", "signal": "up", "op": "<", "threshold": 1},
        ],
    )
    drill = drillsim.load_scenario(path)
    (rule,) = drill.spec.rules.rules
    assert (rule.alert, rule.for_, rule.interval, rule.labels) == (
        "ServiceDown",
        40.0,
        20.0,
        {"severity": "critical"},
    )
    assert [w.message for w in drill.warnings] == [
        "rule 'DiskFull' is not bound to a service signal; it never fires"
    ]
    fired = [r for r in drillsim.run(drill, seed=1).records if r["kind"] == "AlertFired"]
    assert fired and all(r["alert"] == "ServiceDown" for r in fired)


def test_prometheus_server_settings_apply_to_an_imported_rule_file(tmp_path: Path) -> None:
    """alerting.prometheus sets the intervals and resend delay the file is evaluated with;
    a group's own interval still wins over the global evaluation_interval."""
    server = {"scrape_interval": "30s", "evaluation_interval": "2m", "resend_delay": "500ms"}
    bindings: list[dict[str, object]] = [
        {"alert": "ServiceDown", "signal": "up", "op": "<", "threshold": 1}
    ]
    drill = drillsim.load_scenario(prometheus_drill(tmp_path, RULES, bindings, server))
    rules = drill.spec.rules
    assert (rules.scrape_interval, rules.evaluation_interval, rules.resend_delay) == (
        30.0,
        120.0,
        0.5,
    )
    assert rules.rules[0].interval == 20.0
    default = drillsim.load_scenario(prometheus_drill(tmp_path / "x", RULES, bindings))
    rules = default.spec.rules
    assert (rules.scrape_interval, rules.evaluation_interval, rules.resend_delay) == (
        15.0,
        60.0,
        60.0,
    )


def test_prometheus_server_settings_beside_drillsim_rules_are_a_warning(
    vary: Callable[..., Drill],
) -> None:
    """A drillsim AlertRules document states its own intervals: the block is ignored."""

    def server(doc: dict[str, Any]) -> None:
        doc["alerting"]["prometheus"] = {"resend_delay": "2m"}

    drill = vary(scenario=server)
    (warning,) = [w for w in drill.warnings if "imported Prometheus" in w.message]
    assert warning.message == "applies to an imported Prometheus rule file only; ignored"
    assert Path(warning.file).name == "scenario.yaml"
    assert drill.spec.rules.resend_delay == 60.0


def test_prometheus_server_settings_are_validated(tmp_path: Path) -> None:
    """A bad resend delay is located in the scenario."""
    bindings: list[dict[str, object]] = [
        {"alert": "ServiceDown", "signal": "up", "op": "<", "threshold": 1}
    ]
    path = prometheus_drill(tmp_path, RULES, bindings, {"resend_delay": "soon"})
    with pytest.raises(ConfigError) as caught:
        drillsim.load_scenario(path)
    (issue,) = caught.value.issues
    assert (Path(issue.file).name, issue.line) == ("scenario.yaml", 17)
    assert (issue.path, issue.message) == (
        "alerting.prometheus.resend_delay",
        "cannot parse 'soon' as a duration",
    )


def test_prometheus_rule_problems_are_located(tmp_path: Path) -> None:
    """A malformed duration in the rule file and a binding to an unknown service."""
    bad = RULES.replace("for: 40s", "for: 40 seconds")
    path = prometheus_drill(
        tmp_path,
        bad,
        [
            {
                "alert": "ServiceDown",
                "signal": "up",
                "op": "<",
                "threshold": 1,
                "services": {"names": ["ordrs"]},
            },
        ],
    )
    with pytest.raises(ConfigError) as caught:
        drillsim.load_scenario(path)
    text = caught.value.render()
    assert (
        "prom.yaml:9:10: groups[name='shop'].rules[alert='ServiceDown'].for: cannot parse" in text
    )


def test_a_bindings_bad_threshold_is_reported_where_the_binding_is_written(
    tmp_path: Path,
) -> None:
    """A threshold that does not fit its signal points at the scenario, not the rule file."""
    path = prometheus_drill(
        tmp_path, RULES, [{"alert": "ServiceDown", "signal": "latency_p99", "threshold": 5}]
    )
    with pytest.raises(ConfigError) as caught:
        drillsim.load_scenario(path)
    text = caught.value.render()
    assert "scenario.yaml:14:16: alerting.bindings[alert='ServiceDown'].threshold" in text
    assert "a latency threshold is a duration" in text and "prom.yaml" not in text


def test_prometheus_rule_custom_resource(tmp_path: Path) -> None:
    """A kube-prometheus PrometheusRule imports through spec.groups."""
    text = fixture("prometheus-operator__kube-prometheus/alertmanager-prometheusRule.yaml")
    path = prometheus_drill(
        tmp_path,
        text.read_text(),
        [
            {"alert": "AlertmanagerFailedReload", "signal": "up", "op": "<", "threshold": 1},
        ],
    )
    drill = drillsim.load_scenario(path)
    (rule,) = drill.spec.rules.rules
    assert rule.for_ == 600.0 and rule.labels["severity"] == "critical"
    assert len(drill.warnings) >= 5  # the other rules are reported unbound


def test_inhibition_and_time_intervals_import(tmp_path: Path) -> None:
    """inhibit_rules, time_intervals and mute_time_intervals come across; a bad day is located."""
    path = tmp_path / "am.yml"
    path.write_text(
        'route:\n  receiver: a\n  routes:\n    - matchers: [team="x"]\n      receiver: a\n'
        "      mute_time_intervals: [offhours]\nreceivers:\n  - name: a\n"
        "inhibit_rules:\n  - source_match: {severity: critical}\n"
        "    target_match: {severity: warning}\n    equal: [alertname]\n"
        "time_intervals:\n  - name: offhours\n    time_intervals:\n"
        "      - weekdays: ['saturday', 'sunday']\n"
    )
    config = load_alertmanager(path)
    assert config.routing.inhibit_rules[0].equal == ["alertname"]
    assert config.routing.route.routes[0].mute_time_intervals == ["offhours"]
    assert [t.name for t in config.routing.time_intervals] == ["offhours"]
    path.write_text(path.read_text().replace("'sunday'", "'funday'"))
    with pytest.raises(ConfigError) as caught:
        load_alertmanager(path)
    assert "time_intervals[name='offhours'].time_intervals[0].weekdays[1]" in caught.value.render()


def test_a_scenario_can_route_through_a_real_alertmanager_yml(tmp_path: Path) -> None:
    """alerting.routing may be an alertmanager.yml; alerting.receivers maps receivers to
    escalation policies; unmapped receivers page nobody; bad mappings are located."""
    shutil.copytree(MINI, tmp_path / "d")
    (tmp_path / "d" / "am.yml").write_text(
        "route:\n  receiver: chat\n  group_by: [alertname, service]\n  routes:\n"
        '    - matchers: [severity="critical"]\n      receiver: pager\n'
        "receivers:\n  - name: chat\n  - name: pager\n"
        "    pagerduty_configs: [{routing_key: x}]\n"
    )
    scenario = tmp_path / "d" / "scenario.yaml"
    doc = yaml.safe_load(scenario.read_text())
    doc["alerting"] = {
        "rules": "rules.yaml",
        "routing": "am.yml",
        "receivers": {"pager": "storefront"},
    }
    scenario.write_text(yaml.safe_dump(doc, sort_keys=False))
    drill = drillsim.load_scenario(scenario)
    policies = {r.name: r.escalation_policy for r in drill.spec.routing.receivers}
    assert policies == {"chat": None, "pager": "storefront"}
    records = drillsim.run(drill, seed=1).records
    assert {r["receiver"] for r in records if r["kind"] == "IncidentOpened"} == {"pager"}
    doc["alerting"]["receivers"] = {"pagr": "storefront"}
    scenario.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ConfigError, match="no receiver 'pagr' in"):
        drillsim.load_scenario(scenario)
