"""Normalise alert payloads from real monitoring tools into one drillsim alert shape.

:func:`normalise` takes one decoded payload (or its JSON text), recognises which tool sent
it and returns :class:`NormalisedAlert` values: Alertmanager-style ``labels`` (always with
``alertname``), ``annotations``, ``starts_at`` / ``ends_at`` and a crosswalked ``severity``.
:func:`parse_line` does the same for one line of a JSON-lines alert log. The module is pure:
it parses JSON text but never opens files, prints or imports the engine.

Section numbers (§) refer to ``shared/reference/formats.md``.

Formats (checked in this order; the first match decides, a payload never falls through to
a second reader):

=======================  ==================================================================
``source_format``        recognised by
=======================  ==================================================================
alertmanager-api-v2      a JSON list (the ``POST /api/v2/alerts`` body, §1.9)
cloudwatch-sns           ``Records`` (Lambda SNS event), ``Type`` + ``Message`` (SNS HTTP
                         delivery) or ``AlarmName`` + ``NewStateValue`` (bare alarm), §5.3
pagerduty-events-v2      ``event_action`` (§2.4)
grafana-webhook          ``alerts`` and one of ``orgId`` / ``state`` / ``version: "1"`` (§5.1)
alertmanager-webhook-v4  ``alerts`` otherwise; ``version`` must be ``"4"`` (§1.8)
datadog-webhook          ``alert_transition`` or ``alert_type`` (Keep's template, §5.2)
goalert-generic          ``summary`` with only GoAlert Generic API keys (§3.3 and the
                         target/goalert IntegrationKeys doc)
generic                  ``name`` (drillsim's own form, below)
=======================  ==================================================================

Status is carried the Alertmanager way (§1.8-1.9): ``ends_at is None`` while an alert fires
with no known end; a resolved alert has ``ends_at`` set to when it resolved. Alertmanager API
v2 alerts may carry a *future* ``endsAt`` (Prometheus sends one); that alert fires until then
unless refreshed, see :meth:`NormalisedAlert.is_firing`. A missing API v2 ``endsAt`` stays
``None``: applying ``resolve_timeout`` is the consumer's business. When a resolve event does not
say when the alert started (PagerDuty, Datadog, CloudWatch OK, generic without ``starts_at``),
``starts_at`` is the resolve time: Alertmanager's merge keeps the earliest ``startsAt`` of one
fingerprint, so the original start survives a merge.

Times: every datetime returned is timezone-aware and converted to UTC. A timestamp without a
zone is read as UTC. ISO 8601 strings are accepted in the forms the tools emit (``Z``,
``+00:00``, ``+0000``, nanosecond fractions, truncated to microseconds); Datadog also gives
epoch numbers (milliseconds when above 1e11, otherwise seconds). Alertmanager's zero time
``0001-01-01T00:00:00Z`` means "no end".

Identity: Alertmanager identifies an alert by its label set (:attr:`NormalisedAlert.
fingerprint`, §1.8), so labels hold only what is stable across one alert's trigger, update
and resolve events; descriptive, changing text goes to annotations.

* Alertmanager / Grafana: labels and annotations are copied exactly.
* PagerDuty: ``{alertname: "PagerDutyEvent", dedup_key: <dedup_key>, pd_integration:
  <first 12 hex of sha256(routing_key)>}`` -- one incident key on one integration is one
  fingerprint (§2.4: the same key on two integrations is two alerts); the routing key itself is
  never copied. A trigger without ``dedup_key`` gets a generated one (``generated-`` + 16 hex of
  sha256 over the event and ``received_at``), so, as in PagerDuty, it is a new alert. Summary,
  source, severity, component, group, class, client, client_url, ``event_action`` and
  ``custom_details`` (as sorted JSON) are annotations.
* CloudWatch: ``alertname`` = AlarmName, plus ``alarm_arn``, ``region``, ``aws_account_id``,
  ``namespace`` / ``metric_name`` (single-metric alarms) and one label per dimension.
  ALARM and INSUFFICIENT_DATA fire; OK resolves at ``StateChangeTime``.
* Datadog: ``alertname`` = the title with leading ``[...]`` groups removed (Datadog prefixes
  ``[Triggered on {host:a}]`` / ``[Recovered]``), plus ``monitor_id``, ``aggreg_key`` and
  ``scope`` when present, plus ``key:value`` entries of ``tags`` that do not clash.
  ``alert_transition`` ``Recovered`` resolves; every other transition fires.
* GoAlert Generic API: ``{alertname: "GoAlertGeneric", dedup: <dedup>}``; without ``dedup`` it
  is 16 hex of sha256(summary + NUL + details), GoAlert's default. ``action: "close"`` resolves.
  ``meta`` entries are annotations.

Generic JSON form (drillsim's own, for hand-written alert logs)::

    {"name": "HighErrorRate",                 # required, becomes labels.alertname
     "status": "firing",                      # required: "firing" or "resolved"
     "time": "2026-01-01T10:00:00Z",          # required: when it fired / when it resolved
     "labels": {"service": "orders"},         # optional, string -> string
     "annotations": {"summary": "..."},       # optional, string -> string
     "severity": "critical",                  # optional; else labels.severity; crosswalked
                                              #   with the Alertmanager column below
     "starts_at": "2026-01-01T09:50:00Z"}     # optional, only for "resolved": the start

A ``labels.alertname`` that differs from ``name`` is an error. Other keys are ignored.

Severity crosswalk (§5.6, collapsed to drillsim's three levels; matching is case-insensitive
and ignores surrounding blanks). formats.md's canonical ``error`` level becomes ``critical``:
PagerDuty's severity-based urgency treats critical and error as high urgency (pages) and
warning and info as low urgency.

========  ===============  ===================  ======  =======  ===============  =================
drillsim  PagerDuty        AM severity label    Zabbix  Datadog  Nagios           CloudWatch state
========  ===============  ===================  ======  =======  ===============  =================
critical  critical, error  critical, error      4, 5    P1, P2   CRITICAL, DOWN   ALARM
warning   warning          warning              2, 3    P3       WARNING,         --
                                                                 UNKNOWN,
                                                                 UNREACHABLE
info      info             info, none, missing  0, 1    P4, P5   OK, UP           INSUFFICIENT_DATA
========  ===============  ===================  ======  =======  ===============  =================

Further rules: an Alertmanager / Grafana / generic severity that is present but not in the
table (``page``, ``major`` ...) is ``warning`` -- a severity someone set is not silently
demoted to info. Datadog without a priority falls back on ``alert_type`` (error -> critical,
warning -> warning, info / success -> info; neither -> info). CloudWatch OK takes the severity
of ``OldStateValue`` (the alarm that resolved). PagerDuty acknowledge / resolve events without
a payload are ``info``. GoAlert has no severity; every GoAlert alert pages, so ``critical``.
Zabbix and Nagios payloads are not read here (user-defined shapes); their columns are
available through :func:`crosswalk_severity`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "SEVERITIES",
    "NormalisedAlert",
    "crosswalk_severity",
    "normalise",
    "parse_line",
]

SEVERITIES = ("critical", "warning", "info")

#: system -> {source value (lower case) -> drillsim severity}; see the module docstring.
_CROSSWALK: dict[str, dict[str, str]] = {
    "pagerduty": {"critical": "critical", "error": "critical", "warning": "warning",
                  "info": "info"},
    "alertmanager": {"critical": "critical", "error": "critical", "warning": "warning",
                     "info": "info", "none": "info", "": "info"},
    "zabbix": {"5": "critical", "4": "critical", "3": "warning", "2": "warning", "1": "info",
               "0": "info"},
    "datadog": {"p1": "critical", "p2": "critical", "p3": "warning", "p4": "info",
                "p5": "info"},
    "datadog_alert_type": {"error": "critical", "warning": "warning", "info": "info",
                           "success": "info"},
    "nagios": {"critical": "critical", "down": "critical", "warning": "warning",
               "unknown": "warning", "unreachable": "warning", "ok": "info", "up": "info"},
    "cloudwatch": {"alarm": "critical", "insufficient_data": "info", "ok": "info"},
}  # fmt: skip

#: Systems whose unknown values fall back to ``warning`` instead of raising.
_LENIENT = {"alertmanager"}

_ZERO_TIME_YEAR = 1
_PD_ACTIONS = ("trigger", "acknowledge", "resolve")
_PD_SEVERITIES = ("critical", "error", "warning", "info")
_CW_STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_GOALERT_KEYS = {"token", "summary", "details", "action", "dedup", "meta"}
_TITLE_PREFIX = re.compile(r"^(?:\s*\[[^\]]*\])+\s*")


@dataclass(frozen=True)
class NormalisedAlert:
    """One alert event in Alertmanager's shape, whatever tool it came from.

    ``labels`` identify the alert (always including ``alertname``); ``annotations`` describe
    it. ``ends_at`` is ``None`` while firing with no known end. ``severity`` is drillsim's
    crosswalked level (critical / warning / info), ``source_format`` names the reader used.
    Treat the dicts as read-only.
    """

    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    source_format: str
    severity: str

    def __post_init__(self) -> None:
        if "alertname" not in self.labels:
            raise ValueError(f"{self.source_format}: labels.alertname is required")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        if self.starts_at.tzinfo is None or (
            self.ends_at is not None and self.ends_at.tzinfo is None
        ):
            raise ValueError("starts_at and ends_at must be timezone-aware")

    @property
    def fingerprint(self) -> str:
        """Alertmanager's label-set fingerprint: FNV-1a 64 over sorted labels (§1.8)."""
        h, prime, mask = 14695981039346656037, 1099511628211, (1 << 64) - 1
        for key in sorted(self.labels):
            for data in (key.encode(), b"\xff", self.labels[key].encode(), b"\xff"):
                for byte in data:
                    h = ((h ^ byte) * prime) & mask
        return f"{h:016x}"

    def is_firing(self, at: datetime) -> bool:
        """Whether the alert fires at ``at``: no end, or an end still in the future."""
        return self.ends_at is None or self.ends_at > at


# ---------------------------------------------------------------------------------------
# entry points


def normalise(payload: object, *, received_at: datetime) -> list[NormalisedAlert]:
    """Recognise ``payload``'s format and return its alerts.

    ``payload`` is decoded JSON (dict or list) or JSON text (str / bytes). ``received_at``
    (timezone-aware) stands in for times a payload does not give.

    Raises:
        ValueError: invalid JSON, an unrecognised payload, or a missing or bad field; the
            message starts with the format's name and gives the field's path.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    received_at = received_at.astimezone(UTC)
    if isinstance(payload, str | bytes | bytearray):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"invalid JSON: not UTF-8 text ({exc.reason})") from None
    if isinstance(payload, list):
        return from_alertmanager_api_v2(payload, received_at=received_at)
    if not isinstance(payload, dict):
        raise ValueError(
            f"unrecognised alert payload: expected a JSON object or list, got {_kind(payload)}"
        )
    keys = set(payload)
    if "Records" in keys or {"Type", "Message"} <= keys or {"AlarmName", "NewStateValue"} <= keys:
        return from_cloudwatch_sns(payload, received_at=received_at)
    if "event_action" in keys:
        return from_pagerduty_events_v2(payload, received_at=received_at)
    if "alerts" in keys:
        if keys & {"orgId", "state"} or payload.get("version") == "1":
            return from_grafana_webhook(payload, received_at=received_at)
        return from_alertmanager_webhook_v4(payload, received_at=received_at)
    if keys & {"alert_transition", "alert_type"}:
        return from_datadog_webhook(payload, received_at=received_at)
    if "summary" in keys and keys <= _GOALERT_KEYS:
        return from_goalert_generic(payload, received_at=received_at)
    if "name" in keys:
        return from_generic(payload, received_at=received_at)
    shown = ", ".join(sorted(map(str, keys))[:8]) or "none"
    raise ValueError(
        "unrecognised alert payload: none of alertmanager webhook v4, alertmanager api v2, "
        "pagerduty events v2, grafana webhook, datadog webhook, cloudwatch alarm (sns), "
        f"goalert generic api or generic matches (keys: {shown})"
    )


def parse_line(line: str, *, line_number: int, received_at: datetime) -> list[NormalisedAlert]:
    """Normalise one line of a JSON-lines alert log; a blank line gives no alerts.

    Raises:
        ValueError: as :func:`normalise`, prefixed with ``line <n>: ``.
    """
    if not line.strip():
        return []
    try:
        return normalise(line, received_at=received_at)
    except ValueError as exc:
        raise ValueError(f"line {line_number}: {exc}") from None


def crosswalk_severity(system: str, value: object) -> str:
    """Map a tool's severity value to drillsim's critical / warning / info (module table).

    ``system`` is one of pagerduty, alertmanager, zabbix, datadog, datadog_alert_type, nagios,
    cloudwatch. A missing (``None``) Alertmanager severity is info; any other value the table
    lacks is ``warning`` for alertmanager and a ValueError for the others.
    """
    table = _CROSSWALK.get(system)
    if table is None:
        known = sorted(_CROSSWALK)
        raise ValueError(f"unknown severity system {system!r}; expected one of {known}")
    if value is None and system in _LENIENT:
        return "info"
    key = str(value).strip().lower()
    if key in table:
        return table[key]
    if system in _LENIENT:
        return "warning"
    raise ValueError(f"{system} severity {value!r} is not one of {sorted(table)}")


# ---------------------------------------------------------------------------------------
# one reader per format


def from_alertmanager_webhook_v4(
    payload: dict[str, Any], *, received_at: datetime
) -> list[NormalisedAlert]:
    """Alertmanager webhook notification, ``version: "4"`` (formats.md §1.8).

    Each ``alerts[]`` entry needs ``status`` (firing / resolved), ``labels`` (with
    ``alertname``) and ``startsAt``; a resolved one needs a real ``endsAt``. Labels and
    annotations are copied exactly; firing alerts get ``ends_at None`` (Alertmanager sends the
    zero time). Group-level fields (groupKey, commonLabels ...) are not copied.
    """
    fmt = "alertmanager webhook v4"
    version = payload.get("version")
    if version is None:
        raise _error(fmt, "version", "is required")
    if version != "4":
        raise _error(fmt, "version", f"must be '4', got {version!r}")
    return _am_style_alerts(payload, fmt, "alertmanager-webhook-v4")


def from_grafana_webhook(
    payload: dict[str, Any], *, received_at: datetime
) -> list[NormalisedAlert]:
    """Grafana-managed alerting webhook (formats.md §5.1).

    Alertmanager-compatible alerts, read as in :func:`from_alertmanager_webhook_v4`; any
    ``version`` is accepted (Grafana sends "1", Grafana OnCall's sample says "4"). Per-alert
    extras become annotations when not already set: ``valueString`` -> ``value_string``,
    ``values`` -> ``values`` (sorted JSON), ``dashboardURL`` -> ``dashboard_url``,
    ``panelURL`` -> ``panel_url``.
    """
    fmt = "grafana webhook"
    alerts = _am_style_alerts(payload, fmt, "grafana-webhook")
    raw = payload["alerts"]
    out = []
    for alert, item in zip(alerts, raw, strict=True):
        extras: dict[str, str] = {}
        for key, name in (("valueString", "value_string"), ("dashboardURL", "dashboard_url"),
                          ("panelURL", "panel_url")):  # fmt: skip
            if isinstance(item.get(key), str) and item[key]:
                extras[name] = item[key]
        if isinstance(item.get("values"), dict) and item["values"]:
            extras["values"] = json.dumps(item["values"], sort_keys=True)
        annotations = {**extras, **alert.annotations}
        out.append(
            NormalisedAlert(
                alert.labels,
                annotations,
                alert.starts_at,
                alert.ends_at,
                alert.source_format,
                alert.severity,
            )
        )
    return out


def from_alertmanager_api_v2(payload: list[Any], *, received_at: datetime) -> list[NormalisedAlert]:
    """Alertmanager ``POST /api/v2/alerts`` body: a list of postable alerts (formats.md §1.9).

    Each entry needs ``labels`` (with ``alertname``); ``annotations``, ``startsAt``,
    ``endsAt`` are optional. A missing ``startsAt`` is ``endsAt`` when only that is given,
    else ``received_at``; a missing ``endsAt`` stays ``None`` (the receiver applies
    ``resolve_timeout``). ``endsAt`` before ``startsAt`` is rejected, as Alertmanager does.
    """
    fmt = "alertmanager api v2"
    out = []
    for i, item in enumerate(payload):
        where = f"[{i}]"
        alert = _mapping(item, fmt, where)
        labels = _labels(alert.get("labels"), fmt, f"{where}.labels")
        annotations = _str_map(alert.get("annotations"), fmt, f"{where}.annotations")
        ends_at = _opt_time(alert.get("endsAt"), fmt, f"{where}.endsAt")
        starts_at = _opt_time(alert.get("startsAt"), fmt, f"{where}.startsAt")
        if starts_at is None:
            starts_at = ends_at if ends_at is not None else received_at
        out.append(
            _build(
                fmt,
                where,
                labels,
                annotations,
                starts_at,
                ends_at,
                "alertmanager-api-v2",
                crosswalk_severity("alertmanager", labels.get("severity")),
            )
        )
    return out


def from_pagerduty_events_v2(
    payload: dict[str, Any], *, received_at: datetime
) -> list[NormalisedAlert]:
    """PagerDuty Events API v2 event (formats.md §2.4).

    Required: ``routing_key``, ``event_action`` (trigger / acknowledge / resolve); for a
    trigger ``payload.summary``, ``payload.source`` and ``payload.severity`` (critical, error,
    warning, info; case-sensitive); ``dedup_key`` for acknowledge and resolve. A trigger or
    acknowledge fires (``ends_at None``); a resolve ends at ``payload.timestamp`` or
    ``received_at``. Labels are the dedup identity described in the module docstring.
    """
    fmt = "pagerduty events v2"
    routing_key = _req_str(payload, "routing_key", fmt, "routing_key")
    action = _req_str(payload, "event_action", fmt, "event_action")
    if action not in _PD_ACTIONS:
        raise _error(fmt, "event_action", f"must be one of {_choices(_PD_ACTIONS)}, got {action!r}")
    body_raw = payload.get("payload")
    if body_raw is None and action == "trigger":
        raise _error(fmt, "payload", "is required")
    body = _mapping(body_raw, fmt, "payload") if body_raw is not None else {}
    annotations = {"event_action": action}
    severity = "info"
    if action == "trigger" or body:
        required = action == "trigger"
        for key in ("summary", "source"):
            value = _opt_str(body, key, fmt, f"payload.{key}")
            if value is None and required:
                raise _error(fmt, f"payload.{key}", "is required")
            if value is not None:
                annotations[key] = value
        sev = _opt_str(body, "severity", fmt, "payload.severity")
        if sev is None and required:
            raise _error(fmt, "payload.severity", "is required")
        if sev is not None:
            if sev not in _PD_SEVERITIES:
                raise _error(fmt, "payload.severity",
                             f"must be one of {_choices(_PD_SEVERITIES)}, got {sev!r}")  # fmt: skip
            severity = crosswalk_severity("pagerduty", sev)
            annotations["severity"] = sev
        for key in ("component", "group", "class"):
            value = _opt_str(body, key, fmt, f"payload.{key}")
            if value is not None:
                annotations[key] = value
        details = body.get("custom_details")
        if details is not None:
            annotations["custom_details"] = json.dumps(details, sort_keys=True)
    for key in ("client", "client_url"):
        value = _opt_str(payload, key, fmt, key)
        if value is not None:
            annotations[key] = value
    stamp = _opt_time(body.get("timestamp"), fmt, "payload.timestamp")
    when = stamp if stamp is not None else received_at
    dedup_key = _opt_str(payload, "dedup_key", fmt, "dedup_key")
    if dedup_key is None and action != "trigger":
        raise _error(fmt, "dedup_key", f"is required for {action!r}")
    if not dedup_key:
        if action != "trigger":
            raise _error(fmt, "dedup_key", "must not be empty")
        seed = json.dumps(payload, sort_keys=True, default=str) + received_at.isoformat()
        dedup_key = "generated-" + hashlib.sha256(seed.encode()).hexdigest()[:16]
    labels = {
        "alertname": "PagerDutyEvent",
        "dedup_key": dedup_key,
        "pd_integration": hashlib.sha256(routing_key.encode()).hexdigest()[:12],
    }
    ends_at = when if action == "resolve" else None
    return [_build(fmt, "", labels, annotations, when, ends_at, "pagerduty-events-v2", severity)]


def from_datadog_webhook(
    payload: dict[str, Any], *, received_at: datetime
) -> list[NormalisedAlert]:
    """Datadog webhook in Keep's default template (formats.md §5.2).

    Required: ``title`` and ``alert_transition``. Optional: ``severity`` ($ALERT_PRIORITY,
    P1..P5 or empty), ``alert_type``, ``date`` / ``last_updated`` (epoch or ISO 8601; else
    ``received_at``), ``monitor_id``, ``aggreg_key``, ``scopes``, ``tags``, ``body``, ``url``,
    ``id``. ``Recovered`` resolves at the event time; every other transition fires.
    """
    fmt = "datadog webhook"
    title = _req_str(payload, "title", fmt, "title")
    transition = _req_str(payload, "alert_transition", fmt, "alert_transition")
    name = _TITLE_PREFIX.sub("", title).strip()
    if not name:
        raise _error(fmt, "title", f"has no name after its [..] prefixes: {title!r}")
    labels = {"alertname": name}
    for key, label in (("monitor_id", "monitor_id"), ("aggreg_key", "aggreg_key"),
                       ("scopes", "scope")):  # fmt: skip
        value = _scalar_str(payload.get(key), fmt, key)
        if value:
            labels[label] = value
    tags = _scalar_str(payload.get("tags"), fmt, "tags") or ""
    for tag in tags.split(","):
        key, sep, value = tag.strip().partition(":")
        if sep and key and key not in labels:
            labels[key] = value
    priority = _scalar_str(payload.get("severity"), fmt, "severity")
    alert_type = _scalar_str(payload.get("alert_type"), fmt, "alert_type")
    if priority:
        severity = _crosswalk_field("datadog", priority, fmt, "severity")
    elif alert_type:
        severity = _crosswalk_field("datadog_alert_type", alert_type, fmt, "alert_type")
    else:
        severity = "info"
    annotations = {"alert_transition": transition}
    for key, name_ in (("body", "description"), ("url", "url"), ("id", "event_id"),
                       ("alert_query", "query"), ("severity", "priority"),
                       ("alert_type", "alert_type")):  # fmt: skip
        value = _scalar_str(payload.get(key), fmt, key)
        if value:
            annotations[name_] = value
    annotations["summary"] = title
    when = None
    for key in ("date", "last_updated"):
        if payload.get(key) not in (None, ""):
            when = _time(payload[key], fmt, key, epoch=True)
            break
    when = when if when is not None else received_at
    ends_at = when if transition.strip().lower() == "recovered" else None
    return [_build(fmt, "", labels, annotations, when, ends_at, "datadog-webhook", severity)]


def from_cloudwatch_sns(payload: dict[str, Any], *, received_at: datetime) -> list[NormalisedAlert]:
    """CloudWatch alarm state change delivered through SNS (formats.md §5.3).

    Accepts the Lambda SNS event (``Records[].Sns.Message``, every record), one SNS HTTP
    message (``Type`` + ``Message``; a ``SubscriptionConfirmation`` or
    ``UnsubscribeConfirmation`` gives no alerts) or an already-decoded alarm. ``Message`` is
    JSON inside a string and is decoded a second time. The alarm needs ``AlarmName``,
    ``NewStateValue`` (ALARM / OK / INSUFFICIENT_DATA) and ``StateChangeTime``.
    """
    fmt = "cloudwatch alarm (sns)"
    if "Records" in payload:
        records = payload["Records"]
        if not isinstance(records, list):
            raise _error(fmt, "Records", f"must be a list, got {_kind(records)}")
        if not records:
            raise _error(fmt, "Records", "must not be empty")
        out = []
        for i, record in enumerate(records):
            rec = _mapping(record, fmt, f"Records[{i}]")
            if "Sns" not in rec:
                raise _error(fmt, f"Records[{i}].Sns", "is required")
            sns = _mapping(rec["Sns"], fmt, f"Records[{i}].Sns")
            out.extend(_sns_message(sns, fmt, f"Records[{i}].Sns", received_at))
        return out
    if "Message" in payload:
        return _sns_message(payload, fmt, "", received_at)
    return [_cloudwatch_alarm(payload, fmt, "", received_at)]


def from_goalert_generic(
    payload: dict[str, Any], *, received_at: datetime
) -> list[NormalisedAlert]:
    """GoAlert Generic API JSON body (formats.md §3.3; target/goalert IntegrationKeys doc).

    ``summary`` is required; ``details``, ``dedup``, ``meta`` (string map) and ``action``
    (``close`` resolves at ``received_at``) are optional. The payload has no time, so the
    alert starts at ``received_at``.
    """
    fmt = "goalert generic api"
    summary = _req_str(payload, "summary", fmt, "summary")
    details = _opt_str(payload, "details", fmt, "details") or ""
    action = _opt_str(payload, "action", fmt, "action")
    dedup = _opt_str(payload, "dedup", fmt, "dedup")
    meta = _str_map(payload.get("meta"), fmt, "meta")
    if not dedup:
        dedup = hashlib.sha256(f"{summary}\0{details}".encode()).hexdigest()[:16]
    annotations = {**meta, "summary": summary}
    if details:
        annotations["description"] = details
    labels = {"alertname": "GoAlertGeneric", "dedup": dedup}
    ends_at = received_at if action == "close" else None
    return [
        _build(fmt, "", labels, annotations, received_at, ends_at, "goalert-generic", "critical")
    ]


def from_generic(payload: dict[str, Any], *, received_at: datetime) -> list[NormalisedAlert]:
    """drillsim's generic JSON alert form (defined in the module docstring)."""
    fmt = "generic"
    name = _req_str(payload, "name", fmt, "name")
    if not name:
        raise _error(fmt, "name", "must not be empty")
    status = _req_str(payload, "status", fmt, "status")
    if status not in ("firing", "resolved"):
        raise _error(fmt, "status", f"must be one of 'firing', 'resolved', got {status!r}")
    if payload.get("time") is None:
        raise _error(fmt, "time", "is required")
    when = _time(payload["time"], fmt, "time")
    labels = _str_map(payload.get("labels"), fmt, "labels")
    if labels.get("alertname", name) != name:
        clash = f"{labels['alertname']!r} conflicts with name {name!r}"
        raise _error(fmt, "labels.alertname", clash)
    labels["alertname"] = name
    annotations = _str_map(payload.get("annotations"), fmt, "annotations")
    sev = _opt_str(payload, "severity", fmt, "severity")
    severity = crosswalk_severity("alertmanager", labels.get("severity") if sev is None else sev)
    starts_at = _opt_time(payload.get("starts_at"), fmt, "starts_at")
    if status == "firing":
        if starts_at is not None:
            raise _error(fmt, "starts_at", "is only allowed when status is 'resolved'")
        return [_build(fmt, "", labels, annotations, when, None, "generic", severity)]
    start = starts_at if starts_at is not None else when
    return [_build(fmt, "", labels, annotations, start, when, "generic", severity)]


# ---------------------------------------------------------------------------------------
# shared pieces


def _am_style_alerts(payload: dict[str, Any], fmt: str, source: str) -> list[NormalisedAlert]:
    """The ``alerts[]`` of an Alertmanager-compatible webhook body (AM v4, Grafana)."""
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise _error(fmt, "alerts", f"must be a list, got {_kind(alerts)}")
    out = []
    for i, item in enumerate(alerts):
        where = f"alerts[{i}]"
        alert = _mapping(item, fmt, where)
        status = _req_str(alert, "status", fmt, f"{where}.status")
        if status not in ("firing", "resolved"):
            raise _error(fmt, f"{where}.status",
                         f"must be one of 'firing', 'resolved', got {status!r}")  # fmt: skip
        labels = _labels(alert.get("labels"), fmt, f"{where}.labels")
        annotations = _str_map(alert.get("annotations"), fmt, f"{where}.annotations")
        if alert.get("startsAt") is None:
            raise _error(fmt, f"{where}.startsAt", "is required")
        starts_at = _opt_time(alert["startsAt"], fmt, f"{where}.startsAt")
        if starts_at is None:
            raise _error(fmt, f"{where}.startsAt", "must not be the zero time")
        ends_at = None
        if status == "resolved":
            ends_at = _opt_time(alert.get("endsAt"), fmt, f"{where}.endsAt")
            if ends_at is None:
                raise _error(fmt, f"{where}.endsAt", "is required when status is 'resolved'")
        severity = crosswalk_severity("alertmanager", labels.get("severity"))
        out.append(_build(fmt, where, labels, annotations, starts_at, ends_at, source, severity))
    return out


def _sns_message(
    sns: dict[str, Any], fmt: str, where: str, received_at: datetime
) -> list[NormalisedAlert]:
    """One SNS message: decode ``Message`` (JSON in a string) and read the alarm."""
    prefix = f"{where}." if where else ""
    kind = sns.get("Type", "Notification")
    if kind in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        return []
    if kind != "Notification":
        raise _error(fmt, f"{prefix}Type", f"must be 'Notification', got {kind!r}")
    message = _req_str(sns, "Message", fmt, f"{prefix}Message")
    try:
        alarm = json.loads(message)
    except json.JSONDecodeError as exc:
        raise _error(fmt, f"{prefix}Message", f"is not valid JSON: {exc.msg}") from None
    alarm = _mapping(alarm, fmt, f"{prefix}Message")
    return [_cloudwatch_alarm(alarm, fmt, f"{prefix}Message", received_at)]


def _cloudwatch_alarm(
    alarm: dict[str, Any], fmt: str, where: str, received_at: datetime
) -> NormalisedAlert:
    prefix = f"{where}." if where else ""
    name = _req_str(alarm, "AlarmName", fmt, f"{prefix}AlarmName")
    state = _req_str(alarm, "NewStateValue", fmt, f"{prefix}NewStateValue")
    if state not in _CW_STATES:
        raise _error(fmt, f"{prefix}NewStateValue",
                     f"must be one of {_choices(_CW_STATES)}, got {state!r}")  # fmt: skip
    if alarm.get("StateChangeTime") is None:
        raise _error(fmt, f"{prefix}StateChangeTime", "is required")
    when = _time(alarm["StateChangeTime"], fmt, f"{prefix}StateChangeTime")
    labels = {"alertname": name}
    for key, label in (("AlarmArn", "alarm_arn"), ("Region", "region"),
                       ("AWSAccountId", "aws_account_id")):  # fmt: skip
        value = _opt_str(alarm, key, fmt, f"{prefix}{key}")
        if value:
            labels[label] = value
    trigger = alarm.get("Trigger")
    if trigger is not None:
        trig = _mapping(trigger, fmt, f"{prefix}Trigger")
        for key, label in (("Namespace", "namespace"), ("MetricName", "metric_name")):
            value = _opt_str(trig, key, fmt, f"{prefix}Trigger.{key}")
            if value:
                labels[label] = value
        dims = trig.get("Dimensions") or []
        if not isinstance(dims, list):
            raise _error(fmt, f"{prefix}Trigger.Dimensions", f"must be a list, got {_kind(dims)}")
        for j, dim in enumerate(dims):
            d = _mapping(dim, fmt, f"{prefix}Trigger.Dimensions[{j}]")
            dname = _req_str(d, "name", fmt, f"{prefix}Trigger.Dimensions[{j}].name")
            dvalue = _req_str(d, "value", fmt, f"{prefix}Trigger.Dimensions[{j}].value")
            labels.setdefault(dname, dvalue)
    annotations = {"new_state": state, "summary": f"{name} is {state}"}
    for key, ann in (("AlarmDescription", "description"), ("NewStateReason", "state_reason"),
                     ("OldStateValue", "old_state")):  # fmt: skip
        value = _opt_str(alarm, key, fmt, f"{prefix}{key}")
        if value:
            annotations[ann] = value
    if state == "OK":
        old = annotations.get("old_state", "OK")
        severity = _CROSSWALK["cloudwatch"].get(old.lower(), "info")
        return _build(fmt, where, labels, annotations, when, when, "cloudwatch-sns", severity)
    severity = crosswalk_severity("cloudwatch", state)
    return _build(fmt, where, labels, annotations, when, None, "cloudwatch-sns", severity)


def _build(
    fmt: str,
    where: str,
    labels: dict[str, str],
    annotations: dict[str, str],
    starts_at: datetime,
    ends_at: datetime | None,
    source: str,
    severity: str,
) -> NormalisedAlert:
    if ends_at is not None and ends_at < starts_at:
        path = f"{where}.endsAt" if where else "endsAt"
        raise _error(fmt, path, f"{ends_at.isoformat()} is before startsAt {starts_at.isoformat()}")
    return NormalisedAlert(labels, annotations, starts_at, ends_at, source, severity)


def _error(fmt: str, path: str, problem: str) -> ValueError:
    return ValueError(f"{fmt}: {path} {problem}")


def _kind(value: object) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null",
             int: "number", float: "number"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


def _mapping(value: object, fmt: str, path: str) -> dict[str, Any]:
    if value is None:
        raise _error(fmt, path, "is required")
    if not isinstance(value, dict):
        raise _error(fmt, path, f"must be an object, got {_kind(value)}")
    return value


def _req_str(obj: dict[str, Any], key: str, fmt: str, path: str) -> str:
    """``obj[key]``, a string that must be present (and not null)."""
    value = _opt_str(obj, key, fmt, path)
    if value is None:
        raise _error(fmt, path, "is required")
    return value


def _opt_str(obj: dict[str, Any], key: str, fmt: str, path: str) -> str | None:
    """``obj[key]`` as a string, or ``None`` when missing or null."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _error(fmt, path, f"must be a string, got {_kind(value)}")
    return value


def _scalar_str(value: object, fmt: str, path: str) -> str | None:
    """A string or number as text (templated webhooks send either); objects are errors."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _error(fmt, path, f"must be a string, got {_kind(value)}")
    return str(value)


def _str_map(value: object, fmt: str, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _error(fmt, path, f"must be an object, got {_kind(value)}")
    out = {}
    for key, item in value.items():
        if not isinstance(item, str):
            raise _error(fmt, f"{path}.{key}", f"must be a string, got {_kind(item)}")
        out[str(key)] = item
    return out


def _labels(value: object, fmt: str, path: str) -> dict[str, str]:
    if value is None:
        raise _error(fmt, path, "is required")
    labels = _str_map(value, fmt, path)
    if "alertname" not in labels:
        raise _error(fmt, f"{path}.alertname", "is required")
    return labels


def _crosswalk_field(system: str, value: str, fmt: str, path: str) -> str:
    try:
        return crosswalk_severity(system, value)
    except ValueError:
        table = sorted(_CROSSWALK[system])
        raise _error(fmt, path, f"must be one of {table} (any case), got {value!r}") from None


def _opt_time(value: object, fmt: str, path: str) -> datetime | None:
    """A timestamp, or ``None`` when absent or Alertmanager's zero time."""
    if value is None:
        return None
    return _parse_time(value, fmt, path, epoch=False)


def _time(value: object, fmt: str, path: str, *, epoch: bool = False) -> datetime:
    """A required timestamp; the zero time is an error here."""
    parsed = _parse_time(value, fmt, path, epoch=epoch)
    if parsed is None:
        raise _error(fmt, path, "must not be the zero time")
    return parsed


def _parse_time(value: object, fmt: str, path: str, *, epoch: bool) -> datetime | None:
    """Parse to an aware UTC datetime; ``None`` for the zero time (module docstring)."""
    if isinstance(value, str):
        text = value.strip()
        if epoch and re.fullmatch(r"\d+(\.\d+)?", text):
            return _epoch(float(text), fmt, path)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise _error(fmt, path, f"is not an ISO 8601 timestamp: {value!r}") from None
        if parsed.year == _ZERO_TIME_YEAR:
            return None
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise _error(fmt, path, f"is out of range: {value!r}") from None
    if epoch and isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(float(value), fmt, path)
    expected = "a timestamp (ISO 8601 string or epoch number)" if epoch else "an ISO 8601 string"
    raise _error(fmt, path, f"must be {expected}, got {_kind(value)}")


def _epoch(seconds: float, fmt: str, path: str) -> datetime:
    """Epoch seconds, or milliseconds when above 1e11 (Datadog's ``$DATE``)."""
    if seconds > 1e11:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise _error(fmt, path, f"is out of range: {seconds!r}") from None
