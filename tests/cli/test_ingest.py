"""`drillsim ingest`: a recorded alert history replayed through a routing config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from drillsim.cli.main import cli
from drillsim.io.exporters.alerts import FORMATS

CONFIG = """
route:
  receiver: chat
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  routes:
    - matchers: [severity="critical"]
      receiver: pager
receivers:
  - name: chat
  - name: pager
    pagerduty_configs: [{routing_key: x}]
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
"""


def am(status: str, name: str, severity: str, start: str, end: str | None = None) -> str:
    """One Alertmanager webhook v4 line."""
    alert = {
        "status": status,
        "labels": {"alertname": name, "severity": severity},
        "annotations": {},
        "startsAt": start,
        "endsAt": end or "0001-01-01T00:00:00Z",
    }
    return json.dumps({"version": "4", "status": status, "alerts": [alert]})


def ingest(history: Path, config: Path, *extra: str) -> tuple[Result, dict[str, Any]]:
    """Run `drillsim ingest --json`; the CLI result and its parsed report."""
    result = CliRunner().invoke(
        cli, ["ingest", str(history), "--alertmanager", str(config), *extra, "--json"]
    )
    assert result.exit_code == 0, result.output
    return result, json.loads(result.stdout)


def test_ingest_reports_per_receiver_and_skips_bad_lines(tmp_path: Path) -> None:
    """Pages go to the paging receiver, the warning is inhibited, a bad line is numbered."""
    (tmp_path / "am.yml").write_text(CONFIG)
    lines = [
        am("firing", "DiskFull", "critical", "2026-10-01T10:00:00Z"),
        am("firing", "DiskFull", "warning", "2026-10-01T10:00:10Z"),
        "{broken",
        am("firing", "DiskFull", "critical", "2026-10-01T10:00:00Z"),  # a re-send
        am("resolved", "DiskFull", "critical", "2026-10-01T10:00:00Z", "2026-10-01T10:30:00Z"),
        json.dumps(
            {
                "name": "CertExpiry",
                "status": "firing",
                "time": "2026-10-01T12:00:00Z",
                "severity": "warning",
            }
        ),
    ]
    (tmp_path / "alerts.jsonl").write_text("\n".join(lines) + "\n")
    result, report = ingest(tmp_path / "alerts.jsonl", tmp_path / "am.yml")
    assert report["bad_lines"] == 1 and "alerts.jsonl:3: invalid JSON" in result.stderr
    # the re-send, and the resolved line's own start (the alert was already firing)
    assert report["deduplicated"] == 2
    # conservation: every update fired, was deduplicated or resolved; each firing ended
    # one way (the warning was inhibited, then notified once the critical resolved)
    fired = sum(report["alert_outcomes"].values())
    resolved = sum(1 for r in lines if '"status": "resolved"' in r)
    assert fired + report["deduplicated"] + resolved == report["updates"]
    assert report["alert_outcomes"] == {"notified": 3}
    pager, chat = report["by_receiver"]["pager"], report["by_receiver"]["chat"]
    assert pager["pages"] >= 1 and pager["notifications"] == pager["pages"] + 1  # + resolve
    assert chat["inhibited"] == 1
    assert chat["busiest_hour"]["start"].startswith("2026-10-01T")


MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_drills_alerts_round_trip_through_every_format(tmp_path: Path, fmt: str) -> None:
    """`drillsim alerts` writes a run's storm as payloads that `ingest` reads back whole."""
    runner = CliRunner()
    out = tmp_path / "run"
    ran = runner.invoke(
        cli, ["run", str(MINI / "scenario.yaml"), "--seed", "4", "--out", str(out), "--no-plots"]
    )
    assert ran.exit_code == 0, ran.output
    fired = {
        json.loads(line)["fingerprint"]
        for line in (out / "events.jsonl").read_text().splitlines()
        if '"kind":"AlertFired"' in line
    }
    exported = runner.invoke(cli, ["alerts", str(out), "--format", fmt])
    assert exported.exit_code == 0, exported.output
    (tmp_path / "storm.jsonl").write_text(exported.stdout)
    _, report = ingest(tmp_path / "storm.jsonl", MINI / "routing.yaml")
    assert report["bad_lines"] == 0 and report["alerts"] == len(fired) > 0


def test_the_cli_offers_every_export_format() -> None:
    """`drillsim alerts --format` lists exactly the exporter's formats."""
    from drillsim.cli.commands import ALERT_FORMATS

    assert ALERT_FORMATS == FORMATS


def test_ingest_under_a_new_rule_set(tmp_path: Path) -> None:
    """--rules: alerts take their rule's labels; alerts without a rule are left out."""
    (tmp_path / "am.yml").write_text(CONFIG)
    (tmp_path / "rules.yaml").write_text(
        "groups:\n- name: g\n  rules:\n  - alert: DiskFull\n    expr: x > 1\n"
        "    labels: {severity: critical}\n"
    )
    lines = [
        am("firing", "DiskFull", "warning", "2026-10-01T10:00:00Z"),
        am("firing", "CertExpiry", "warning", "2026-10-01T10:05:00Z"),
    ]
    (tmp_path / "alerts.jsonl").write_text("\n".join(lines) + "\n")
    _, report = ingest(
        tmp_path / "alerts.jsonl", tmp_path / "am.yml", "--rules", str(tmp_path / "rules.yaml")
    )
    assert report["left_out_without_rule"] == {"CertExpiry": 1}
    assert set(report["by_receiver"]) == {"pager"}  # the rule made DiskFull critical
    assert report["by_receiver"]["pager"]["pages"] == 1
