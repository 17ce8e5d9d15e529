"""A whole PagerDuty on-call setup (users, schedules, escalation policies, services) as
one drillsim ``OnCall`` document.

The file holds PagerDuty REST objects as the API returns them, under any of the keys
``users``, ``schedules`` / ``schedule``, ``escalation_policies`` /
``escalation_policy``, ``services`` / ``service`` and ``overrides`` (several API
responses merged into one file), or one bare schedule, escalation policy or service;
CloudFormation's PascalCase spellings (``ScheduleLayers``, ``EscalationRules``,
``NumLoops`` ...) are read as well. What becomes what:

* people: :mod:`drillsim.io.importers.pagerduty_people` (every user listed or named);
* schedules: :func:`drillsim.io.importers.pagerduty.read_pagerduty_schedules`, the
  schedule importer, fed the file's users so both name people alike; ``overrides``
  outside a schedule belong to the file's only schedule, or to the one their
  ``schedule`` reference names;
* escalation policies: a PagerDuty service is drillsim's routing receiver, and a
  receiver names one policy, so each service becomes a policy named after it: its
  escalation policy's rules (:mod:`~drillsim.io.importers.pagerduty_policies`) plus
  the service's incident settings (:mod:`~drillsim.io.importers.pagerduty_services`).
  Escalation policies no service uses are imported under their own names.

References are by id and must resolve inside the file; every problem is located at
``file:line:col`` and all are raised together; whatever drillsim does not simulate is a
warning naming the field. The loader validates the result and runs its cross-document
checks, which would locate problems in the drillsim document's terms: so names that
must be unique are checked here, at the export's own lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drillsim.errors import ConfigError
from drillsim.io.importers.oncall_exports import IMPORTERS, OnCallImport
from drillsim.io.importers.pagerduty import get_field, read_pagerduty_schedules, snake_case
from drillsim.io.importers.pagerduty_people import PagerDutyPeople
from drillsim.io.importers.pagerduty_policies import PolicyRules, read_policy
from drillsim.io.importers.pagerduty_services import ServiceSettings, read_service
from drillsim.io.importers.schedule_reader import Problems
from drillsim.io.yamlsource import PathKey, Source

__all__ = ["import_pagerduty_oncall", "is_pagerduty_oncall"]

Located = list[tuple[Any, PathKey]]

_WRAPPERS = {
    "users": ("users", True),
    "schedule": ("schedules", False),
    "schedules": ("schedules", True),
    "escalation_policy": ("policies", False),
    "escalation_policies": ("policies", True),
    "service": ("services", False),
    "services": ("services", True),
    "overrides": ("overrides", True),
}
"""Top-level key -> (what it holds, whether a list)."""
_PAGING = {"limit", "offset", "more", "total"}
"""A list response's paging keys: nothing to import."""
_MARKS = {
    "schedule_layers",
    "escalation_rules",
    "num_loops",
    "escalation_policy",
    "incident_urgency_rule",
    "acknowledgement_timeout",
    "auto_resolve_timeout",
    "support_hours",
}
"""Keys only PagerDuty's schedules, escalation policies and services carry."""
_SERVICE_ONLY = {
    "incident_urgency_rule",
    "acknowledgement_timeout",
    "auto_resolve_timeout",
    "support_hours",
    "name",
}


@dataclass(slots=True)
class _Bundle:
    """The file's objects, each with its path."""

    users: Located = field(default_factory=list)
    schedules: Located = field(default_factory=list)
    policies: Located = field(default_factory=list)
    services: Located = field(default_factory=list)
    overrides: Located = field(default_factory=list)


def _keys(obj: dict[str, Any]) -> set[str]:
    return {snake_case(str(k)) for k in obj}


def _candidates(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects a PagerDuty file may hold: itself, and what its wrapper keys hold."""
    found = [data]
    for key, value in data.items():
        if snake_case(str(key)) in _WRAPPERS:
            values = value if isinstance(value, list) else [value]
            found += [v for v in values if isinstance(v, dict)]
    return found


def is_pagerduty_oncall(data: Any) -> bool:
    """Whether ``data`` holds a PagerDuty schedule, escalation policy or service (a
    drillsim document, which has ``kind``, never does)."""
    if not isinstance(data, dict) or "kind" in data:
        return False
    return any(_keys(obj) & _MARKS for obj in _candidates(data))


def _locate(data: dict[str, Any], problems: Problems) -> _Bundle:
    """The objects of a bare schedule, policy or service, or of a bundle of responses."""
    bundle = _Bundle()
    keys = _keys(data)
    if "schedule_layers" in keys:
        bundle.schedules.append((data, ()))
    elif "escalation_rules" in keys:
        bundle.policies.append((data, ()))
    elif "escalation_policy" in keys and keys & _SERVICE_ONLY:
        bundle.services.append((data, ()))
    else:
        for key, value in data.items():
            wrapper = _WRAPPERS.get(snake_case(str(key)))
            if wrapper is None:
                if snake_case(str(key)) not in _PAGING:
                    problems.warn((key,), f"{key!r}: not simulated; ignored")
                continue
            holds, is_list = wrapper
            found: Located = getattr(bundle, holds)
            if not is_list:
                found.append((value, (key,)))
            elif isinstance(value, list):
                found += [(v, (key, i)) for i, v in enumerate(value)]
            else:
                problems.error((key,), f"expected a list of {holds}")
    return bundle


def _ident(obj: Any) -> str | None:
    value, _ = get_field(obj, "id")
    return value if isinstance(value, str) and value else None


def _name_path(obj: Any, path: PathKey) -> PathKey:
    _, key = get_field(obj, "name")
    return (*path, key) if key else path


def _unique(problems: Problems, named: list[tuple[str, PathKey]], what: str, hint: str) -> None:
    """An error at every name given a second time (drillsim refers by name)."""
    seen: set[str] = set()
    for name, path in named:
        if name in seen:
            problems.error(path, f"a second {what} named {name!r}", hint)
        seen.add(name)


class _Importer:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems = Problems(source)
        self.people = PagerDutyPeople(self.problems)

    def run(self) -> OnCallImport:
        bundle = _locate(self.source.data, self.problems)
        self.people.read_users(bundle.users)
        schedule_ids, schedules = self.schedules(bundle)
        policies = self.policies(bundle, schedule_ids)
        named = [(s["name"], _name_path(obj, path)) for s, (obj, path) in schedules]
        _unique(self.problems, named, "schedule", "drillsim refers to schedules by name")
        if not policies and not self.problems.issues:
            self.problems.error(
                (),
                "no escalation policy nor service here: drillsim pages through at least one",
                "add the escalation policies (GET /escalation_policies) or the services "
                "(GET /services) beside the schedules",
            )
        people = self.people.persons([(s, _name_path(o, p)) for s, (o, p) in schedules])
        if self.problems.issues:
            raise ConfigError(self.problems.issues)
        data = {
            "kind": "OnCall",
            "version": 1,
            "people": people,
            "schedules": [s for s, _ in schedules],
            "escalation_policies": policies,
        }
        return OnCallImport("pagerduty", data, sorted(self.problems.warnings))

    def schedules(
        self, bundle: _Bundle
    ) -> tuple[dict[str, str], list[tuple[dict[str, Any], tuple[Any, PathKey]]]]:
        """Schedule ids -> names, and the schedules read, each with its object and path."""
        ids: dict[str, str] = {}
        found: list[tuple[Any, PathKey, Located]] = []
        for obj, path in bundle.schedules:
            ident = _ident(obj)
            label, _ = get_field(obj, "name")
            if ident is not None and not isinstance(label, str) and isinstance(obj, dict):
                obj = {**obj, "name": ident}  # unnamed: known by its id
                label = ident
            if ident is not None:
                if ident in ids:
                    self.problems.error(path, f"schedule id {ident!r} is listed twice")
                ids[ident] = str(label or "pagerduty")
            found.append((obj, path, []))
        self.place_overrides(bundle.overrides, found, ids)
        try:
            imported = read_pagerduty_schedules(self.source, found, self.people.names)
        except ConfigError as exc:
            self.problems.issues.extend(exc.issues)
            return ids, []
        for warning in imported.warnings:
            if warning not in self.problems.warnings:
                self.problems.warnings.append(warning)
        located = [(obj, path) for obj, path, _ in found]
        return ids, list(zip(imported.schedules, located, strict=True))

    def place_overrides(
        self, overrides: Located, found: list[tuple[Any, PathKey, Located]], ids: dict[str, str]
    ) -> None:
        """Give each top-level override to the schedule it belongs to."""
        index = {_ident(obj): i for i, (obj, _, _) in enumerate(found) if _ident(obj)}
        for raw, path in overrides:
            ref, key = get_field(raw, "schedule")
            if key is not None:
                ident = _ident(ref)
                if ident not in index:
                    self.problems.error(
                        (*path, key),
                        f"no schedule with id {ident!r} in this file",
                        f"schedules here: {', '.join(sorted(ids)) or 'none'}",
                    )
                    continue
                found[index[ident]][2].append((raw, path))
            elif len(found) == 1:
                found[0][2].append((raw, path))
            else:
                self.problems.error(
                    path,
                    "an override outside a schedule needs a 'schedule' reference {id} "
                    f"when the file has {'several schedules' if found else 'no schedule'}",
                )

    def policies(self, bundle: _Bundle, schedule_ids: dict[str, str]) -> list[dict[str, Any]]:
        """A policy per service, then the escalation policies no service uses."""
        by_id: dict[str, PolicyRules | None] = {}
        own: list[tuple[PolicyRules, Any]] = []
        for obj, path in bundle.policies:
            ident = _ident(obj)
            if ident is not None and ident in by_id:
                self.problems.error(path, f"escalation policy id {ident!r} is listed twice")
                continue
            rules = read_policy(obj, path, self.problems, self.people, schedule_ids)
            if ident is not None:
                by_id[ident] = rules
            if rules is not None:
                own.append((rules, obj))
        out: list[dict[str, Any]] = []
        named: list[tuple[str, PathKey]] = []
        used: set[str] = set()
        for obj, path in bundle.services:
            service = read_service(obj, path, self.problems)
            if service is None:
                continue
            rules = self.service_policy(service, by_id, schedule_ids)
            if service.policy_id is not None:
                used.add(service.policy_id)
            if rules is not None:
                out.append({"name": service.name, **rules.fields, **service.fields})
                named.append((service.name, _name_path(obj, path)))
        for rules, raw in own:
            if rules.ident is None or rules.ident not in used:
                out.append({"name": rules.name, **rules.fields})
                named.append((rules.name, _name_path(raw, rules.path)))
        _unique(
            self.problems,
            named,
            "escalation policy",
            "a service's policy is named after the service; rename the service or the "
            "escalation policy",
        )
        return out

    def service_policy(
        self,
        service: ServiceSettings,
        by_id: dict[str, PolicyRules | None],
        schedule_ids: dict[str, str],
    ) -> PolicyRules | None:
        """The escalation policy a service uses: embedded, or by id from the file."""
        ident = service.policy_id
        if service.embedded is not None and (ident is None or ident not in by_id):
            rules = read_policy(
                service.embedded, service.policy_path, self.problems, self.people, schedule_ids
            )
            if ident is not None:
                by_id[ident] = rules
            return rules
        if ident in by_id:
            return by_id[ident]
        known = ", ".join(sorted(by_id)) or "none"
        self.problems.error(
            (*service.policy_path, "id"),
            f"no escalation policy with id {ident!r} in this file",
            f"escalation policies here: {known}; add it (GET /escalation_policies/{ident})",
        )
        return None


def import_pagerduty_oncall(source: Source) -> OnCallImport:
    """A PagerDuty export as an OnCall document's data, with warnings.

    Raises:
        ConfigError: every problem found, located.
    """
    return _Importer(source).run()


IMPORTERS.append(("pagerduty", is_pagerduty_oncall, import_pagerduty_oncall))
