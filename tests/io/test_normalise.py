"""The alert normaliser: one realistic payload per format, bad payloads, the crosswalk.

Real third-party payloads come from ``shared/fixtures`` (skipped locally when absent,
required under CI); the others are small inline payloads modelled on
``shared/reference/formats.md``.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shared_fixtures import fixture

from drillsim.io.normalise import (
    NormalisedAlert,
    crosswalk_severity,
    normalise,
    parse_line,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def code_blocks(markdown: str) -> list[str]:
    """The bodies of the fenced code blocks of a markdown document."""
    return re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.S | re.M)


def one(payload: object) -> NormalisedAlert:
    alerts = normalise(payload, received_at=NOW)
    assert len(alerts) == 1
    return alerts[0]


# ---------------------------------------------------------------------------------------
# Alertmanager webhook v4 (formats.md §1.8)

AM_V4: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}:{alertname="InstanceDown"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "team-X-pager",
    "groupLabels": {"alertname": "InstanceDown"},
    "commonLabels": {"alertname": "InstanceDown", "job": "prometheus"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "InstanceDown",
                "code": "200",
                "instance": "127.0.0.1:9090",
                "job": "prometheus",
                "monitor": "codelab-monitor",
                "severity": "critical",
            },
            "annotations": {"summary": "Instance 127.0.0.1:9090 down"},
            "startsAt": "2026-01-01T10:00:00.123456789Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph?g0.expr=up+%3D%3D+0",
            "fingerprint": "791cec13fcba0368",
        },
        {
            "status": "resolved",
            "labels": {
                "alertname": "InstanceDown",
                "code": "200",
                "instance": "localhost:9090",
                "job": "prometheus",
                "monitor": "codelab-monitor",
                "severity": "critical",
            },
            "annotations": {},
            "startsAt": "2026-01-01T09:00:00Z",
            "endsAt": "2026-01-01T09:30:00+00:00",
            "generatorURL": "",
            "fingerprint": "8df98227bdd81384",
        },
    ],
}


def test_alertmanager_webhook_v4() -> None:
    """Labels copied exactly, zero endsAt is None, fingerprints match Alertmanager's."""
    firing, resolved = normalise(AM_V4, received_at=NOW)
    assert firing.source_format == "alertmanager-webhook-v4"
    assert firing.labels == AM_V4["alerts"][0]["labels"]
    assert firing.annotations == {"summary": "Instance 127.0.0.1:9090 down"}
    assert firing.starts_at == datetime(2026, 1, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert firing.ends_at is None and firing.is_firing(NOW)
    assert firing.severity == "critical"
    assert resolved.ends_at == datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    assert not resolved.is_firing(NOW)
    for alert, raw in zip((firing, resolved), AM_V4["alerts"], strict=True):
        assert alert.fingerprint == raw["fingerprint"]


def test_alertmanager_webhook_v4_accepts_json_text() -> None:
    assert normalise(json.dumps(AM_V4), received_at=NOW) == normalise(AM_V4, received_at=NOW)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.pop("version"), "alertmanager webhook v4: version is required"),
        (lambda p: p.update(version="3"), "alertmanager webhook v4: version must be '4', got '3'"),
        (
            lambda p: p.update(alerts={}),
            "alertmanager webhook v4: alerts must be a list, got object",
        ),
        (
            lambda p: p["alerts"][0]["labels"].pop("alertname"),
            "alertmanager webhook v4: alerts[0].labels.alertname is required",
        ),
        (
            lambda p: p["alerts"][0]["labels"].update(code=200),
            "alertmanager webhook v4: alerts[0].labels.code must be a string, got number",
        ),
        (
            lambda p: p["alerts"][1].update(status="pending"),
            "alertmanager webhook v4: alerts[1].status must be one of 'firing', 'resolved', "
            "got 'pending'",
        ),
        (
            lambda p: p["alerts"][0].pop("startsAt"),
            "alertmanager webhook v4: alerts[0].startsAt is required",
        ),
        (
            lambda p: p["alerts"][0].update(startsAt="yesterday"),
            "alertmanager webhook v4: alerts[0].startsAt is not an ISO 8601 timestamp: 'yesterday'",
        ),
        (
            lambda p: p["alerts"][1].update(endsAt="0001-01-01T00:00:00Z"),
            "alertmanager webhook v4: alerts[1].endsAt is required when status is 'resolved'",
        ),
        (
            lambda p: p["alerts"][1].update(endsAt="2026-01-01T08:00:00Z"),
            "alertmanager webhook v4: alerts[1].endsAt 2026-01-01T08:00:00+00:00 is before "
            "startsAt 2026-01-01T09:00:00+00:00",
        ),
    ],
)
def test_alertmanager_webhook_v4_bad(edit: Any, message: str) -> None:
    payload = copy.deepcopy(AM_V4)
    edit(payload)
    with pytest.raises(ValueError) as info:
        normalise(payload, received_at=NOW)
    assert str(info.value) == message


label_names = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12).filter(
    lambda s: s != "alertname"
)
label_values = st.text(alphabet=st.characters(codec="utf-8"))


@given(
    alertname=label_values.filter(bool),
    extra=st.dictionaries(label_names, label_values, max_size=8),
    resolved=st.booleans(),
)
def test_alertmanager_webhook_v4_round_trips_labels(
    alertname: str, extra: dict[str, str], resolved: bool
) -> None:
    """Any label set survives the webhook, through JSON text too, exactly."""
    labels = {"alertname": alertname, **extra}
    payload = {
        "version": "4",
        "status": "resolved" if resolved else "firing",
        "alerts": [
            {
                "status": "resolved" if resolved else "firing",
                "labels": labels,
                "annotations": {"summary": alertname},
                "startsAt": "2026-01-01T10:00:00Z",
                "endsAt": "2026-01-01T10:05:00Z" if resolved else "0001-01-01T00:00:00Z",
            }
        ],
    }
    for form in (payload, json.dumps(payload)):
        (alert,) = normalise(form, received_at=NOW)
        assert alert.labels == labels
        assert (alert.ends_at is not None) == resolved


# ---------------------------------------------------------------------------------------
# Alertmanager API v2 (formats.md §1.9)


def test_alertmanager_api_v2_list() -> None:
    """Prometheus's future endsAt is kept; missing times fall back as Alertmanager does."""
    body = [
        {
            "labels": {"alertname": "HighLatency", "service": "orders", "severity": "warning"},
            "annotations": {"summary": "p99 above 500ms"},
            "startsAt": "2026-01-01T11:50:00Z",
            "endsAt": "2026-01-01T12:04:00Z",
            "generatorURL": "http://prometheus:9090/graph",
        },
        {"labels": {"alertname": "Watchdog"}},
        {"labels": {"alertname": "DiskFull"}, "endsAt": "2026-01-01T11:00:00Z"},
    ]
    prom, watchdog, disk = normalise(body, received_at=NOW)
    assert prom.source_format == "alertmanager-api-v2"
    assert prom.severity == "warning"
    assert prom.ends_at == datetime(2026, 1, 1, 12, 4, tzinfo=UTC)
    assert prom.is_firing(NOW) and not prom.is_firing(NOW + timedelta(minutes=5))
    assert watchdog.starts_at == NOW and watchdog.ends_at is None
    assert watchdog.severity == "info" and watchdog.annotations == {}
    assert disk.starts_at == disk.ends_at == datetime(2026, 1, 1, 11, 0, tzinfo=UTC)
    assert normalise([], received_at=NOW) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([{"annotations": {}}], "alertmanager api v2: [0].labels is required"),
        (["x"], "alertmanager api v2: [0] must be an object, got string"),
        ([{"labels": {"job": "node"}}], "alertmanager api v2: [0].labels.alertname is required"),
        (
            [{"labels": {"alertname": "A"}, "annotations": {"n": 1}}],
            "alertmanager api v2: [0].annotations.n must be a string, got number",
        ),
        (
            [{"labels": {"alertname": "A"}, "startsAt": 5}],
            "alertmanager api v2: [0].startsAt must be an ISO 8601 string, got number",
        ),
    ],
)
def test_alertmanager_api_v2_bad(body: list[Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        normalise(body, received_at=NOW)
    assert str(info.value) == message


# ---------------------------------------------------------------------------------------
# PagerDuty Events API v2 (formats.md §2.4)

PD_TRIGGER: dict[str, Any] = {  # verbatim example of the Events v2 schema (formats.md §2.4)
    "routing_key": "e93facc04764012d7bfb002500d5d1a6",
    "event_action": "trigger",
    "dedup_key": "srv01/mysql",
    "payload": {
        "summary": "DISK at 99% on machine prod-datapipe03.example.com",
        "source": "prod-datapipe03.example.com",
        "severity": "critical",
        "timestamp": "2015-07-17T08:42:58.315+0000",
        "component": "mysql",
        "group": "prod-datapipe",
        "class": "disk",
        "custom_details": {"free space": "1%", "ping time": "1500ms", "load avg": 0.75},
    },
    "client": "Sample Monitoring Service",
    "client_url": "https://monitoring.service.com",
}


def test_pagerduty_trigger_acknowledge_resolve_share_one_fingerprint() -> None:
    trigger = one(PD_TRIGGER)
    assert trigger.source_format == "pagerduty-events-v2"
    assert trigger.labels["alertname"] == "PagerDutyEvent"
    assert trigger.labels["dedup_key"] == "srv01/mysql"
    assert "e93facc04764012d7bfb002500d5d1a6" not in json.dumps(trigger.labels)
    assert trigger.severity == "critical"
    assert trigger.starts_at == datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)
    assert trigger.ends_at is None
    assert trigger.annotations["summary"].startswith("DISK at 99%")
    assert trigger.annotations["component"] == "mysql"
    assert json.loads(trigger.annotations["custom_details"])["load avg"] == 0.75
    base = {"routing_key": PD_TRIGGER["routing_key"], "dedup_key": "srv01/mysql"}
    ack = one({**base, "event_action": "acknowledge"})
    resolve = one({**base, "event_action": "resolve"})
    assert ack.ends_at is None and ack.annotations["event_action"] == "acknowledge"
    assert resolve.ends_at == resolve.starts_at == NOW
    assert trigger.fingerprint == ack.fingerprint == resolve.fingerprint
    other_integration = one({**base, "routing_key": "another", "event_action": "resolve"})
    assert other_integration.fingerprint != trigger.fingerprint


def test_pagerduty_trigger_without_dedup_key_is_a_new_alert() -> None:
    event = {k: v for k, v in PD_TRIGGER.items() if k != "dedup_key"}
    first = one(event)
    assert first.labels["dedup_key"].startswith("generated-")
    assert one(event) == first  # deterministic
    later = normalise(event, received_at=NOW + timedelta(minutes=1))[0]
    assert later.fingerprint != first.fingerprint


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda e: e["payload"].pop("summary"), "pagerduty events v2: payload.summary is required"),
        (lambda e: e["payload"].pop("source"), "pagerduty events v2: payload.source is required"),
        (lambda e: e.pop("payload"), "pagerduty events v2: payload is required"),
        (lambda e: e.pop("routing_key"), "pagerduty events v2: routing_key is required"),
        (
            lambda e: e["payload"].update(severity="Critical"),
            "pagerduty events v2: payload.severity must be one of 'critical', 'error', "
            "'warning', 'info', got 'Critical'",
        ),
        (
            lambda e: e.update(event_action="escalate"),
            "pagerduty events v2: event_action must be one of 'trigger', 'acknowledge', "
            "'resolve', got 'escalate'",
        ),
        (
            lambda e: e.update(event_action="resolve", dedup_key=None),
            "pagerduty events v2: dedup_key is required for 'resolve'",
        ),
        (
            lambda e: e["payload"].update(summary=["disk"]),
            "pagerduty events v2: payload.summary must be a string, got list",
        ),
        (
            lambda e: e["payload"].update(timestamp="17/07/2015"),
            "pagerduty events v2: payload.timestamp is not an ISO 8601 timestamp: '17/07/2015'",
        ),
    ],
)
def test_pagerduty_bad(edit: Any, message: str) -> None:
    event = copy.deepcopy(PD_TRIGGER)
    edit(event)
    with pytest.raises(ValueError) as info:
        normalise(event, received_at=NOW)
    assert str(info.value) == message


# ---------------------------------------------------------------------------------------
# Datadog webhook, Keep's default template (formats.md §5.2)

DD_TRIGGERED: dict[str, Any] = {
    "body": "%%%\nCPU usage is above 90% on web-1\n%%%",
    "last_updated": "1767268800000",
    "event_type": "query_alert_monitor",
    "title": "[P1] [Triggered on {host:web-1}] High CPU on web-1",
    "severity": "P1",
    "alert_type": "error",
    "alert_query": "avg(last_5m):avg:system.cpu.user{*} by {host} > 90",
    "alert_transition": "Triggered",
    "date": "1767268800000",
    "scopes": "host:web-1",
    "org": {"id": "12345", "name": "Example Org"},
    "url": "https://app.datadoghq.com/monitors/987654",
    "tags": "env:prod,service:web,monitor",
    "id": "7012345678901234567",
    "monitor_id": "987654",
}


def test_datadog_triggered_and_recovered() -> None:
    fired = one(DD_TRIGGERED)
    assert fired.source_format == "datadog-webhook"
    assert fired.labels == {
        "alertname": "High CPU on web-1",
        "monitor_id": "987654",
        "scope": "host:web-1",
        "env": "prod",
        "service": "web",
    }
    assert fired.severity == "critical"
    assert fired.starts_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert fired.ends_at is None
    recovered = one(
        {
            **DD_TRIGGERED,
            "title": "[P1] [Recovered on {host:web-1}] High CPU on web-1",
            "alert_transition": "Recovered",
            "alert_type": "success",
            "date": 1767269100,  # epoch seconds this time
        }
    )
    assert recovered.fingerprint == fired.fingerprint
    assert recovered.ends_at == datetime(2026, 1, 1, 12, 5, tzinfo=UTC)


def test_datadog_severity_falls_back_on_alert_type() -> None:
    warn = {**DD_TRIGGERED, "severity": "", "alert_type": "warning", "alert_transition": "Warn"}
    assert one(warn).severity == "warning"
    bare = {"title": "Disk", "alert_transition": "Triggered"}
    assert one(bare).severity == "info"
    assert one(bare).starts_at == NOW


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("title"), "datadog webhook: title is required"),
        (lambda d: d.pop("alert_transition"), "datadog webhook: alert_transition is required"),
        (
            lambda d: d.update(severity="P9"),
            "datadog webhook: severity must be one of ['p1', 'p2', 'p3', 'p4', 'p5'] (any case), "
            "got 'P9'",
        ),
        (
            lambda d: d.update(date="last tuesday"),
            "datadog webhook: date is not an ISO 8601 timestamp: 'last tuesday'",
        ),
        (lambda d: d.update(tags=["env:prod"]), "datadog webhook: tags must be a string, got list"),
    ],
)
def test_datadog_bad(edit: Any, message: str) -> None:
    payload = copy.deepcopy(DD_TRIGGERED)
    edit(payload)
    with pytest.raises(ValueError) as info:
        normalise(payload, received_at=NOW)
    assert str(info.value) == message


# ---------------------------------------------------------------------------------------
# CloudWatch alarm via SNS (formats.md §5.3), real aws/aws-lambda-go payloads

CW_SINGLE = "aws__aws-lambda-go/cloudwatch-alarm-sns-payload-single-metric.json"
CW_MULTI = "aws__aws-lambda-go/cloudwatch-alarm-sns-payload-multiple-metrics.json"


def test_cloudwatch_sns_single_metric_fixture() -> None:
    """The Message is JSON inside a string: decoded twice."""
    alert = one(fixture(CW_SINGLE).read_text())
    assert alert.source_format == "cloudwatch-sns"
    assert alert.labels == {
        "alertname": "EXAMPLE",
        "alarm_arn": "arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE",
        "region": "EXAMPLE",
        "aws_account_id": "123456789012",
        "namespace": "AWS/EC2",
        "metric_name": "NetworkOut",
        "InstanceId": "TestInstance",
    }
    assert alert.severity == "critical"
    assert alert.starts_at == datetime(2015, 6, 3, 17, 43, 27, 123000, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.annotations["old_state"] == "INSUFFICIENT_DATA"
    assert alert.annotations["state_reason"].startswith("Threshold Crossed")


def test_cloudwatch_sns_multiple_metrics_fixture() -> None:
    alert = one(json.loads(fixture(CW_MULTI).read_text()))
    assert alert.labels["alertname"] == "EXAMPLE"
    assert "metric_name" not in alert.labels  # metric-math alarm: Trigger.Metrics[]
    assert alert.severity == "critical" and alert.ends_at is None


def _sns_event(alarm: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {"Type": "Notification", "Message": json.dumps(alarm)},
            }
        ]
    }


ALARM_OK = {
    "AlarmName": "orders-5xx",
    "AlarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-5xx",
    "NewStateValue": "OK",
    "OldStateValue": "ALARM",
    "StateChangeTime": "2026-01-01T11:58:00.000+0000",
    "Region": "EU (Ireland)",
}


def test_cloudwatch_ok_resolves_with_the_alarm_severity() -> None:
    alert = one(_sns_event(ALARM_OK))
    assert alert.ends_at == alert.starts_at == datetime(2026, 1, 1, 11, 58, tzinfo=UTC)
    assert alert.severity == "critical"
    firing = one({**ALARM_OK, "NewStateValue": "ALARM", "OldStateValue": "OK"})  # bare alarm
    assert firing.fingerprint == alert.fingerprint and firing.ends_at is None
    no_data = one({**ALARM_OK, "NewStateValue": "INSUFFICIENT_DATA"})
    assert no_data.severity == "info" and no_data.ends_at is None
    direct = {"Type": "Notification", "Message": json.dumps(ALARM_OK), "TopicArn": "arn:x"}
    assert one(direct) == alert
    confirm = {"Type": "SubscriptionConfirmation", "Message": "You have chosen to subscribe"}
    assert normalise(confirm, received_at=NOW) == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"Records": [{"Sns": {"Type": "Notification", "Message": "{not json"}}]},
            "cloudwatch alarm (sns): Records[0].Sns.Message is not valid JSON: Expecting "
            "property name enclosed in double quotes",
        ),
        ({"Records": []}, "cloudwatch alarm (sns): Records must not be empty"),
        (
            {"Records": [{"EventSource": "aws:sns"}]},
            "cloudwatch alarm (sns): Records[0].Sns is required",
        ),
        (
            _sns_event({k: v for k, v in ALARM_OK.items() if k != "StateChangeTime"}),
            "cloudwatch alarm (sns): Records[0].Sns.Message.StateChangeTime is required",
        ),
        (
            _sns_event({**ALARM_OK, "NewStateValue": "ALARMING"}),
            "cloudwatch alarm (sns): Records[0].Sns.Message.NewStateValue must be one of "
            "'ALARM', 'OK', 'INSUFFICIENT_DATA', got 'ALARMING'",
        ),
        (
            {"Records": [{"Sns": {"Type": "Notification", "Message": {"AlarmName": "x"}}}]},
            "cloudwatch alarm (sns): Records[0].Sns.Message must be a string, got object",
        ),
    ],
)
def test_cloudwatch_bad(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        normalise(payload, received_at=NOW)
    assert str(info.value) == message


def test_cloudwatch_fixture_with_a_damaged_message() -> None:
    event = json.loads(fixture(CW_SINGLE).read_text())
    alarm = json.loads(event["Records"][0]["Sns"]["Message"])
    del alarm["NewStateValue"]
    event["Records"][0]["Sns"]["Message"] = json.dumps(alarm)
    with pytest.raises(ValueError, match=r"Records\[0\]\.Sns\.Message\.NewStateValue is required"):
        normalise(event, received_at=NOW)


# ---------------------------------------------------------------------------------------
# Grafana alerting webhook (formats.md §5.1)

GRAFANA: dict[str, Any] = {
    "receiver": "goalert",
    "status": "firing",
    "orgId": 1,
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "High memory",
                "grafana_folder": "Platform",
                "instance": "node-3",
                "severity": "warning",
            },
            "annotations": {"summary": "Memory above 85% on node-3"},
            "startsAt": "2026-01-01T11:40:00+01:00",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://grafana/alerting/grafana/abc/view",
            "fingerprint": "0f2d9b7c8e1a4b33",
            "silenceURL": "http://grafana/alerting/silence/new",
            "dashboardURL": "http://grafana/d/node",
            "panelURL": "http://grafana/d/node?viewPanel=4",
            "values": {"B": 87.5, "C": 1},
            "valueString": "[ var='B' labels={instance=node-3} value=87.5 ]",
        }
    ],
    "groupLabels": {"alertname": "High memory", "grafana_folder": "Platform"},
    "commonLabels": {"alertname": "High memory"},
    "commonAnnotations": {},
    "externalURL": "http://grafana/",
    "version": "1",
    "groupKey": '{}/{}:{alertname="High memory", grafana_folder="Platform"}',
    "truncatedAlerts": 0,
    "title": "[FIRING:1] High memory Platform (node-3 warning)",
    "state": "alerting",
    "message": "**Firing**\n\nValue: B=87.5",
}


def test_grafana_webhook() -> None:
    alert = one(GRAFANA)
    assert alert.source_format == "grafana-webhook"
    assert alert.labels == GRAFANA["alerts"][0]["labels"]
    assert alert.severity == "warning"
    assert alert.starts_at == datetime(2026, 1, 1, 10, 40, tzinfo=UTC)  # converted to UTC
    assert alert.starts_at.tzinfo == UTC
    assert alert.annotations["summary"] == "Memory above 85% on node-3"
    assert alert.annotations["dashboard_url"] == "http://grafana/d/node"
    assert json.loads(alert.annotations["values"]) == {"B": 87.5, "C": 1}


def test_grafana_webhook_bad() -> None:
    payload = copy.deepcopy(GRAFANA)
    del payload["alerts"][0]["status"]
    with pytest.raises(ValueError) as info:
        normalise(payload, received_at=NOW)
    assert str(info.value) == "grafana webhook: alerts[0].status is required"


# ---------------------------------------------------------------------------------------
# GoAlert (target/goalert docs): Generic API inbound; outbound webhooks are not alerts


def test_goalert_generic_api_example() -> None:
    docs = fixture("target__goalert/IntegrationKeys.md").read_text()
    example = next(b for b in code_blocks(docs) if '"summary"' in b)
    alert = one(example)
    assert alert.source_format == "goalert-generic"
    assert alert.labels["alertname"] == "GoAlertGeneric"
    assert alert.annotations == {
        "example_key": "example_value",
        "example_key2": "example_value2",
        "summary": "test",
        "description": "test",
    }
    assert alert.severity == "critical" and alert.starts_at == NOW and alert.ends_at is None
    closed = one({**json.loads(example), "action": "close"})
    assert closed.fingerprint == alert.fingerprint and closed.ends_at == NOW
    assert one({"summary": "x", "dedup": "disk-check"}).labels["dedup"] == "disk-check"


def test_goalert_webhook_alert_example_is_invalid_json() -> None:
    """The "Alert" example in Webhooks.md lacks a comma after "Details"."""
    docs = fixture("target__goalert/Webhooks.md").read_text()
    (example,) = [b for b in code_blocks(docs) if '"Type": "Alert"' in b]
    with pytest.raises(ValueError) as info:
        normalise(example, received_at=NOW)
    assert str(info.value) == "invalid JSON at line 7 column 5: Expecting ',' delimiter"
    line = " ".join(example.split())
    with pytest.raises(ValueError, match=r"^line 12: invalid JSON at line 1 column \d+: "):
        parse_line(line, line_number=12, received_at=NOW)


def test_goalert_outbound_webhooks_are_not_alert_payloads() -> None:
    docs = fixture("target__goalert/Webhooks.md").read_text()
    valid = [b for b in code_blocks(docs) if '"Type": "Alert"' not in b]
    assert len(valid) == 4
    for block in valid:
        pattern = r"^unrecognised alert payload: .*\(keys: .*AppName.*\)$"
        with pytest.raises(ValueError, match=pattern):
            normalise(block, received_at=NOW)


# ---------------------------------------------------------------------------------------
# drillsim's generic form


def test_generic_firing_and_resolved() -> None:
    fired = one(
        {
            "name": "HighErrorRate",
            "status": "firing",
            "time": "2026-01-01T10:00:00",  # no zone: UTC
            "labels": {"service": "orders", "severity": "page"},
            "annotations": {"summary": "5xx above 2%"},
        }
    )
    assert fired.source_format == "generic"
    assert fired.labels == {"service": "orders", "severity": "page", "alertname": "HighErrorRate"}
    assert fired.starts_at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert fired.severity == "warning"  # a severity label the crosswalk lacks
    resolved = one(
        {
            "name": "HighErrorRate",
            "status": "resolved",
            "time": "2026-01-01T10:20:00Z",
            "starts_at": "2026-01-01T10:00:00Z",
            "labels": {"service": "orders", "severity": "page"},
            "severity": "CRITICAL",
        }
    )
    assert resolved.fingerprint == fired.fingerprint
    assert resolved.severity == "critical"
    assert resolved.ends_at - resolved.starts_at == timedelta(minutes=20)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"name": "A", "time": "2026-01-01T10:00:00Z"}, "generic: status is required"),
        ({"name": "A", "status": "firing"}, "generic: time is required"),
        (
            {"name": "A", "status": "open", "time": "2026-01-01T10:00:00Z"},
            "generic: status must be one of 'firing', 'resolved', got 'open'",
        ),
        (
            {"name": 7, "status": "firing", "time": "2026-01-01T10:00:00Z"},
            "generic: name must be a string, got number",
        ),
        (
            {"name": "A", "status": "firing", "time": "2026-01-01T10:00:00Z", "labels": []},
            "generic: labels must be an object, got list",
        ),
        (
            {"name": "A", "status": "firing", "time": "0001-01-01T00:00:00Z"},
            "generic: time must not be the zero time",
        ),
        (
            {
                "name": "A",
                "status": "firing",
                "time": "2026-01-01T10:00:00Z",
                "labels": {"alertname": "B"},
            },
            "generic: labels.alertname 'B' conflicts with name 'A'",
        ),
        (
            {
                "name": "A",
                "status": "resolved",
                "time": "2026-01-01T10:00:00Z",
                "starts_at": "2026-01-01T11:00:00Z",
            },
            "generic: endsAt 2026-01-01T10:00:00+00:00 is before startsAt "
            "2026-01-01T11:00:00+00:00",
        ),
    ],
)
def test_generic_bad(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        normalise(payload, received_at=NOW)
    assert str(info.value) == message


# ---------------------------------------------------------------------------------------
# detection, JSON lines, times


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (42, "unrecognised alert payload: expected a JSON object or list, got number"),
        ("null", "unrecognised alert payload: expected a JSON object or list, got null"),
        ({"foo": 1}, "unrecognised alert payload: none of"),
        ("{", "invalid JSON at line 1 column 2: Expecting property name enclosed in double quotes"),
        (b"\xff\xfe{", "invalid JSON"),
    ],
)
def test_unreadable_payloads(payload: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        normalise(payload, received_at=NOW)
    assert str(info.value).startswith(message)


def test_received_at_must_be_aware() -> None:
    with pytest.raises(ValueError, match="received_at must be timezone-aware"):
        normalise([], received_at=datetime(2026, 1, 1))


def test_parse_line() -> None:
    line = json.dumps({"name": "A", "status": "firing", "time": "2026-01-01T10:00:00Z"})
    (alert,) = parse_line(line + "\n", line_number=1, received_at=NOW)
    assert alert.labels == {"alertname": "A"}
    assert parse_line("   \n", line_number=2, received_at=NOW) == []
    bad = json.dumps({**PD_TRIGGER, "payload": {"source": "db", "severity": "error"}})
    with pytest.raises(ValueError) as info:
        parse_line(bad, line_number=7, received_at=NOW)
    assert str(info.value) == "line 7: pagerduty events v2: payload.summary is required"


def test_received_at_in_another_zone_is_converted_to_utc() -> None:
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    (alert,) = normalise([{"labels": {"alertname": "A"}}], received_at=tokyo)
    assert alert.starts_at == NOW and alert.starts_at.tzinfo == UTC


def test_normalised_alert_invariants() -> None:
    with pytest.raises(ValueError, match=r"labels\.alertname is required"):
        NormalisedAlert({}, {}, NOW, None, "x", "info")
    with pytest.raises(ValueError, match="severity must be one of"):
        NormalisedAlert({"alertname": "A"}, {}, NOW, None, "x", "error")
    with pytest.raises(ValueError, match="timezone-aware"):
        NormalisedAlert({"alertname": "A"}, {}, datetime(2026, 1, 1), None, "x", "info")


def test_fingerprint_test_vector_from_oncall() -> None:
    labels = {"alertname": "InstanceDown", "group": "production", "instance": "localhost:8081",
              "job": "node", "severity": "critical"}  # fmt: skip
    assert NormalisedAlert(labels, {}, NOW, None, "x", "critical").fingerprint == "f404ecabc8dd5cd7"


# ---------------------------------------------------------------------------------------
# severity crosswalk (formats.md §5.6)

CROSSWALK = [
    ("pagerduty", "critical", "critical"), ("pagerduty", "error", "critical"),
    ("pagerduty", "warning", "warning"), ("pagerduty", "info", "info"),
    ("alertmanager", "critical", "critical"), ("alertmanager", "error", "critical"),
    ("alertmanager", "warning", "warning"), ("alertmanager", "info", "info"),
    ("alertmanager", "none", "info"), ("alertmanager", None, "info"),
    ("alertmanager", "page", "warning"), ("alertmanager", " Critical ", "critical"),
    ("zabbix", 5, "critical"), ("zabbix", "4", "critical"), ("zabbix", 3, "warning"),
    ("zabbix", 2, "warning"), ("zabbix", 1, "info"), ("zabbix", 0, "info"),
    ("datadog", "P1", "critical"), ("datadog", "P2", "critical"), ("datadog", "p3", "warning"),
    ("datadog", "P4", "info"), ("datadog", "P5", "info"),
    ("datadog_alert_type", "error", "critical"), ("datadog_alert_type", "success", "info"),
    ("nagios", "CRITICAL", "critical"), ("nagios", "DOWN", "critical"),
    ("nagios", "WARNING", "warning"), ("nagios", "UNKNOWN", "warning"),
    ("nagios", "UNREACHABLE", "warning"), ("nagios", "OK", "info"), ("nagios", "UP", "info"),
    ("cloudwatch", "ALARM", "critical"), ("cloudwatch", "INSUFFICIENT_DATA", "info"),
]  # fmt: skip


@pytest.mark.parametrize(("system", "value", "expected"), CROSSWALK)
def test_severity_crosswalk(system: str, value: object, expected: str) -> None:
    assert crosswalk_severity(system, value) == expected


def test_severity_crosswalk_rejects_unknown_values_of_strict_systems() -> None:
    with pytest.raises(ValueError, match="zabbix severity 6 is not one of"):
        crosswalk_severity("zabbix", 6)
    with pytest.raises(ValueError, match="unknown severity system 'opsgenie'"):
        crosswalk_severity("opsgenie", "P1")
