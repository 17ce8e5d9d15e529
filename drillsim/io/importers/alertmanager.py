"""Import a real ``alertmanager.yml`` (or a Kubernetes Secret wrapping one).

The routing tree and the receivers' names become drillsim's ``Routing`` model. What
drillsim does not simulate yet (integrations' settings, templates, global SMTP ...) is a
warning naming the key, never an error: a team can point drillsim at the file they run.
Genuine mistakes (a bad matcher, an unknown receiver, a malformed duration) are errors at
``file:line:col``, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drillsim.errors import ConfigError, Issue
from drillsim.io.diagnostics import validation_issues
from drillsim.io.importers.locate import warning_at as _warning
from drillsim.io.loader import display_name
from drillsim.io.references import check_routing
from drillsim.io.yamlsource import PathKey, Source, parse_text, read_source
from drillsim.spec.alerting import Routing

#: Route keys drillsim simulates.
ROUTE_KEYS = {
    "receiver", "group_by", "continue", "match", "match_re", "matchers",
    "group_wait", "group_interval", "repeat_interval", "routes",
    "mute_time_intervals", "active_time_intervals",
}  # fmt: skip
#: Keys Alertmanager knows that drillsim accepts but does not simulate yet.
ROUTE_IGNORED = {"labels"}
TOP_USED = {"route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals"}
TOP_IGNORED = {"global", "templates", "tracing", "event_recorder"}
PAGING_CONFIGS = {"pagerduty_configs", "opsgenie_configs", "victorops_configs", "pushover_configs"}


@dataclass(frozen=True, slots=True)
class AlertmanagerConfig:
    """An imported configuration: drillsim's routing model and what was left out."""

    path: Path
    routing: Routing
    warnings: tuple[Issue, ...]
    source: Source
    paging_receivers: frozenset[str] = frozenset()
    """Receivers with a paging integration (PagerDuty, Opsgenie, VictorOps, Pushover)."""


def load_alertmanager(path: Path, parsed: Source | None = None) -> AlertmanagerConfig:
    """Read and check an Alertmanager configuration file (``parsed``: already read, and
    perhaps edited by a sweep's arm).

    Raises:
        ConfigError: the file is not a usable Alertmanager configuration.
    """
    source, issues = (parsed, []) if parsed is not None else read_source(path, display_name(path))
    if source is not None and _is_secret(source.data):
        source, issues = _unwrap_secret(source)
    if source is None:
        raise ConfigError(issues)
    if not isinstance(source.data, dict):
        raise ConfigError([Issue(source.file, 1, 1, "", "expected a mapping with 'route:'")])
    warnings: list[Issue] = []
    data = _translate(source, warnings)
    try:
        routing = Routing.model_validate(data)
    except ValidationError as exc:
        shifted = Source(source.file, data, source.marks)
        raise ConfigError(validation_issues(shifted, exc, Routing)) from None
    from drillsim.io.loader import Document

    problems = check_routing(Document(path, routing, Source(source.file, data, source.marks)), None)
    if problems:
        raise ConfigError(problems)
    paging = frozenset(
        r["name"]
        for r in source.data.get("receivers") or []
        if isinstance(r, dict) and isinstance(r.get("name"), str) and PAGING_CONFIGS & set(r)
    )
    return AlertmanagerConfig(path, routing, tuple(sorted(warnings)), source, paging)


def _translate(source: Source, warnings: list[Issue]) -> dict[str, Any]:
    """The file's data in drillsim's Routing shape, same paths, unsimulated keys dropped."""
    raw = source.data
    for key in raw:
        if key not in TOP_USED:
            what = "not simulated yet" if key in TOP_IGNORED else "unknown Alertmanager key"
            warnings.append(_warning(source, (key,), f"{key!r}: {what}; ignored"))
    data: dict[str, Any] = {"kind": "Routing", "version": 1}
    route = raw.get("route")
    if isinstance(route, dict):
        data["route"] = _route(source, route, ("route",), warnings)
    elif "route" in raw:
        data["route"] = route
    receivers = raw.get("receivers")
    if isinstance(receivers, list):
        data["receivers"] = [
            _receiver(source, r, ("receivers", i), warnings) for i, r in enumerate(receivers)
        ]
    elif "receivers" in raw:
        data["receivers"] = receivers
    if "inhibit_rules" in raw:
        data["inhibit_rules"] = _inhibit_rules(source, raw["inhibit_rules"])
    # Both lists share one namespace in Alertmanager; the older name is deprecated.
    intervals = [*(raw.get("time_intervals") or []), *(raw.get("mute_time_intervals") or [])]
    if intervals:
        data["time_intervals"] = intervals
    return data


def _inhibit_rules(source: Source, rules: Any) -> Any:
    """Legacy ``*_match`` values are strings to Alertmanager, whatever YAML made of them."""
    if not isinstance(rules, list):
        return rules
    out = []
    for i, rule in enumerate(rules):
        if isinstance(rule, dict):
            rule = dict(rule)
            for key in ("source_match", "source_match_re", "target_match", "target_match_re"):
                if isinstance(rule.get(key), dict):
                    path = ("inhibit_rules", i, key)
                    rule[key] = {k: _as_text(source, (*path, k), v) for k, v in rule[key].items()}
        out.append(rule)
    return out


def _route(
    source: Source, route: dict[str, Any], path: PathKey, warnings: list[Issue]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in route.items():
        here = (*path, key)
        if key in ROUTE_IGNORED:
            warnings.append(_warning(source, here, f"{key!r}: not simulated yet; ignored"))
        elif key not in ROUTE_KEYS:
            out[key] = value  # let validation report it as an unexpected key, located
        elif key in ("match", "match_re") and isinstance(value, dict):
            out[key] = {k: _as_text(source, (*here, k), v) for k, v in value.items()}
        elif key == "routes" and isinstance(value, list):
            out[key] = [
                _route(source, child, (*here, i), warnings) if isinstance(child, dict) else child
                for i, child in enumerate(value)
            ]
        else:
            out[key] = value
    return out


def _receiver(source: Source, receiver: Any, path: PathKey, warnings: list[Issue]) -> Any:
    if not isinstance(receiver, dict):
        return receiver
    for key in receiver:
        if key != "name":
            warnings.append(
                _warning(
                    source,
                    (*path, key),
                    f"{key!r}: integrations are not simulated; "
                    "map this receiver to an escalation policy in the scenario",
                )
            )
    return {k: v for k, v in receiver.items() if k == "name"}


def _as_text(source: Source, path: PathKey, value: Any) -> Any:
    """Alertmanager reads ``match`` values as strings: ``test: 2`` means ``"2"``."""
    if isinstance(value, str) or value is None or isinstance(value, dict | list):
        return value
    mark = source.marks.value(path)
    return mark.raw if mark is not None and mark.raw is not None else str(value)


def is_alertmanager_config(data: Any) -> bool:
    """An Alertmanager configuration (``route:`` without ``kind:``), or a Secret with one."""
    return isinstance(data, dict) and (("route" in data and "kind" not in data) or _is_secret(data))


def _is_secret(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "Secret" and "stringData" in data


def _unwrap_secret(source: Source) -> tuple[Source | None, list[Issue]]:
    """A Kubernetes Secret holding ``alertmanager.yaml`` in ``stringData`` (kube-prometheus)."""
    string_data = source.data.get("stringData") or {}
    for key in ("alertmanager.yaml", "alertmanager.yml"):
        if isinstance(string_data.get(key), str):
            inner, issues = parse_text(string_data[key], f"{source.file}[stringData.{key}]")
            return inner, issues
    mark = source.marks.value(("stringData",))
    line, col = (mark.line, mark.col) if mark else (1, 1)
    return None, [
        Issue(source.file, line, col, "stringData", "no 'alertmanager.yaml' entry in this Secret")
    ]
