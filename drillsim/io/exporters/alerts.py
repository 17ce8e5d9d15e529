"""A drill's alert storm as the payloads real tools send, one JSON object per line.

Every ``AlertFired`` and ``AlertResolved`` record of a run becomes one payload in the
chosen format, so a recorded drill can be fed to another system, or back into
``drillsim ingest`` (a round trip the tests check).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

ZERO_TIME = "0001-01-01T00:00:00Z"
FORMATS = (
    "alertmanager-v4", "alertmanager-api", "pagerduty-v2", "grafana", "datadog", "cloudwatch",
    "generic",
)  # fmt: skip


def export_alerts(records: list[dict[str, Any]], fmt: str) -> Iterator[Any]:
    """One payload per alert firing or resolution, in log order."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    started = next(r for r in records if r["kind"] == "DrillStarted")
    origin = datetime.fromisoformat(started["start"]).astimezone(UTC)
    firing: dict[str, dict[str, Any]] = {}
    for r in records:
        if r["kind"] == "AlertFired":
            firing[r["fingerprint"]] = r
            yield _payload(fmt, r, _iso(origin, r["t"]), None)
        elif r["kind"] == "AlertResolved" and r["fingerprint"] in firing:
            fired = firing.pop(r["fingerprint"])
            yield _payload(fmt, fired, _iso(origin, fired["t"]), _iso(origin, r["t"]))


def _iso(origin: datetime, t: float) -> str:
    moment = origin + timedelta(seconds=t)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _am_alert(fired: dict[str, Any], starts: str, ends: str | None) -> dict[str, Any]:
    """One alert as Alertmanager's webhook (and Grafana's) carries it."""
    return {
        "status": "firing" if ends is None else "resolved",
        "labels": fired["labels"],
        "annotations": fired["annotations"],
        "startsAt": starts,
        "endsAt": ends or ZERO_TIME,
        "fingerprint": fired["fingerprint"],
    }


def _payload(fmt: str, fired: dict[str, Any], starts: str, ends: str | None) -> Any:
    labels, annotations = fired["labels"], fired["annotations"]
    status = "firing" if ends is None else "resolved"
    if fmt == "alertmanager-api":  # API v2 takes a bare list of alerts
        alert = {"labels": labels, "annotations": annotations, "startsAt": starts}
        return [alert | ({"endsAt": ends} if ends else {})]
    if fmt == "alertmanager-v4":
        alert = _am_alert(fired, starts, ends)
        return {
            "version": "4",
            "status": status,
            "receiver": "drillsim",
            "groupKey": fired["fingerprint"],
            "alerts": [alert],
        }
    if fmt == "grafana":
        alert = _am_alert(fired, starts, ends) | {"valueString": ""}
        return {
            "receiver": "drillsim",
            "status": status,
            "orgId": 1,
            "version": "1",
            "state": "alerting" if ends is None else "ok",
            "groupKey": fired["fingerprint"],
            "alerts": [alert],
        }
    if fmt == "datadog":
        tags = ",".join(f"{k}:{v}" for k, v in sorted(labels.items()) if k != "alertname")
        return {
            "title": labels["alertname"],
            "alert_transition": "Triggered" if ends is None else "Recovered",
            "date": ends or starts,
            "tags": tags,
            "id": fired["fingerprint"],
            "alert_type": "error" if labels.get("severity") == "critical" else "warning",
            "body": annotations.get("summary", ""),
        }
    if fmt == "cloudwatch":
        # An SNS notification (the HTTP form): the alarm is JSON inside the Message string;
        # labels other than alertname travel as the metric's dimensions.
        alarm = {
            "AlarmName": labels["alertname"], "NewStateValue": "ALARM" if ends is None else "OK",
            "OldStateValue": "OK" if ends is None else "ALARM", "StateChangeTime": ends or starts,
            "AlarmDescription": annotations.get("summary", ""),
            "Trigger": {"Namespace": "drillsim", "MetricName": labels["alertname"],
                        "Dimensions": [{"name": k, "value": v} for k, v in sorted(labels.items())
                                       if k != "alertname"]},
        }  # fmt: skip
        return {
            "Type": "Notification",
            "MessageId": fired["fingerprint"],
            "Subject": f"{alarm['NewStateValue']}: {labels['alertname']}",
            "Message": json.dumps(alarm, sort_keys=True),
        }
    if fmt == "pagerduty-v2":
        return {
            "routing_key": "drillsim",
            "event_action": "trigger" if ends is None else "resolve",
            "dedup_key": fired["fingerprint"],
            "payload": {
                "summary": annotations.get("summary") or labels["alertname"],
                "source": labels.get("service", "drillsim"),
                "severity": _pd_severity(labels.get("severity")),
                "timestamp": ends or starts,
                "custom_details": labels,
            },
        }
    body: dict[str, Any] = {
        "name": labels["alertname"],
        "status": status,
        "time": ends or starts,
        "labels": labels,
        "annotations": annotations,
    }
    if ends is not None:
        body["starts_at"] = starts
    return body


def _pd_severity(value: str | None) -> str:
    return value if value in ("critical", "error", "warning", "info") else "warning"
