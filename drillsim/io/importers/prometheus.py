"""Import a Prometheus rule file (``groups:``) or a PrometheusRule custom resource.

PromQL is not evaluated. Each alerting rule is bound, by the scenario's
``alerting.bindings``, to a drillsim service signal and threshold; it keeps its own
``for``, ``keep_firing_for``, labels, annotations and its group's ``interval``. Rules
without a binding are reported (they would never fire) and recording rules are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drillsim.errors import ConfigError, Issue
from drillsim.io.diagnostics import validation_issues
from drillsim.io.importers.locate import error_at as _at
from drillsim.io.importers.locate import warning_at as _warn
from drillsim.io.yamlsource import PathKey, Source
from drillsim.spec.alerting import AlertRules, PrometheusServer, RuleBinding
from drillsim.spec.durations import parse_duration

RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
GROUP_KEYS = {"name", "interval", "rules"}


@dataclass(frozen=True, slots=True)
class PrometheusRules:
    """Imported rules as a drillsim AlertRules model, with what was left out."""

    path: Path
    rules: AlertRules
    warnings: tuple[Issue, ...]
    groups: dict[str, str]
    """Alert name -> the group it came from (for reports)."""


def is_prometheus_rules(data: Any) -> bool:
    """A plain rule file, or a Kubernetes PrometheusRule resource."""
    if not isinstance(data, dict):
        return False
    return ("groups" in data and "kind" not in data) or data.get("kind") == "PrometheusRule"


def import_prometheus_rules(
    path: Path,
    source: Source,
    bindings: list[RuleBinding],
    server: PrometheusServer | None = None,
) -> PrometheusRules:
    """Bind every alerting rule of the file, evaluated as ``server`` would (Prometheus's
    defaults when None); raise ConfigError on malformed rules."""
    server = server or PrometheusServer()
    data = source.data
    base: PathKey = ("spec",) if data.get("kind") == "PrometheusRule" else ()
    groups = (data.get("spec") or {}).get("groups") if base else data.get("groups")
    issues: list[Issue] = []
    warnings: list[Issue] = []
    by_alert = {b.alert: b for b in bindings}
    used: set[str] = set()
    rules: list[dict[str, Any]] = []
    origin: dict[str, str] = {}
    if not isinstance(groups, list):
        raise ConfigError([_at(source, (*base, "groups"), "expected a list of rule groups")])
    for g, group in enumerate(groups):
        gpath = (*base, "groups", g)
        if not isinstance(group, dict) or not isinstance(group.get("rules"), list):
            issues.append(_at(source, gpath, "a rule group needs 'name' and a list of 'rules'"))
            continue
        for key in group:
            if key not in GROUP_KEYS:
                warnings.append(_warn(source, (*gpath, key), f"{key!r}: not simulated; ignored"))
        interval = _duration(source, (*gpath, "interval"), group.get("interval"), issues)
        for r, rule in enumerate(group["rules"]):
            rpath = (*gpath, "rules", r)
            if not isinstance(rule, dict):
                issues.append(_at(source, rpath, "expected a rule mapping"))
                continue
            if "record" in rule:
                continue  # recording rules feed dashboards, not pages
            name = rule.get("alert")
            if not isinstance(name, str):
                issues.append(_at(source, rpath, "a rule needs 'alert' (or 'record')"))
                continue
            for key in rule:
                if key not in RULE_KEYS:
                    warnings.append(
                        _warn(source, (*rpath, key), f"{key!r}: not simulated; ignored")
                    )
            binding = by_alert.get(name)
            if binding is None:
                warnings.append(
                    _warn(
                        source,
                        (*rpath, "alert"),
                        f"rule {name!r} is not bound to a service signal; it never fires",
                        "add it to the scenario's alerting.bindings (signal, op, threshold)",
                    )
                )
                continue
            for key in ("for", "keep_firing_for"):
                _duration(source, (*rpath, key), rule.get(key), issues)
            used.add(name)
            origin[name] = str(group.get("name", g))
            rules.append(
                {
                    "alert": name,
                    "signal": binding.signal,
                    "op": binding.op,
                    "threshold": binding.threshold,
                    "services": binding.services.model_dump(exclude_none=True),
                    "for": rule.get("for", "0"),
                    "keep_firing_for": rule.get("keep_firing_for", "0"),
                    "labels": {k: str(v) for k, v in (rule.get("labels") or {}).items()},
                    "annotations": {k: str(v) for k, v in (rule.get("annotations") or {}).items()},
                    **({"interval": group["interval"]} if interval else {}),
                }
            )
    if issues:
        raise ConfigError(issues)
    doc = {
        "kind": "AlertRules",
        "version": 1,
        # already-validated durations, written back as text for the document's schema
        "scrape_interval": f"{round(server.scrape_interval * 1000)}ms",
        "evaluation_interval": f"{round(server.evaluation_interval * 1000)}ms",
        "resend_delay": f"{round(server.resend_delay * 1000)}ms",
        "rules": rules,
    }
    if not rules:
        raise ConfigError(
            [
                _at(
                    source,
                    base,
                    "no alerting rule here is bound to a signal",
                    "bind at least one in the scenario's alerting.bindings",
                )
            ]
        )
    try:
        model = AlertRules.model_validate(doc)
    except ValidationError as exc:
        raise ConfigError(
            validation_issues(Source(source.file, doc, source.marks), exc, AlertRules)
        ) from None
    return PrometheusRules(path, model, tuple(sorted(warnings)), origin)


def _duration(source: Source, path: PathKey, value: Any, issues: list[Issue]) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        issues.append(_at(source, path, str(exc), "use forms like 30s, 1m, 5m"))
        return None


def rule_labels(source: Source) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Each alerting rule's static labels and annotations, by alert name.

    For replaying a history under a rule set (``drillsim ingest --rules``): Prometheus adds
    a rule's labels to every alert it fires, overwriting the series' own.

    Raises:
        ConfigError: the file has no rule groups.
    """
    data = source.data
    if not is_prometheus_rules(data):
        raise ConfigError(
            [
                _at(
                    source,
                    (),
                    "not a Prometheus rule file",
                    "expected 'groups:' or a PrometheusRule resource",
                )
            ]
        )
    groups = (data.get("spec") or {}).get("groups") if data.get("kind") else data.get("groups")
    out: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for group in groups if isinstance(groups, list) else []:
        for rule in (group or {}).get("rules") or [] if isinstance(group, dict) else []:
            if isinstance(rule, dict) and isinstance(rule.get("alert"), str):
                labels = {k: str(v) for k, v in (rule.get("labels") or {}).items()}
                notes = {k: str(v) for k, v in (rule.get("annotations") or {}).items()}
                out.setdefault(rule["alert"], (labels, notes))
    return out
