"""Load documents into spec models, collecting every problem with its position.

``load_document`` reads one file of any kind; ``load_drill`` reads a scenario with every
document it references and checks the references between them.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from drillsim.errors import ConfigError, Issue
from drillsim.io.diagnostics import first_error, validation_issues
from drillsim.io.yamlsource import PathKey, Source, read_source, render_path
from drillsim.spec import KINDS, AlertRules, OnCall, Routing, Scenario, Topology
from drillsim.spec.drill import DrillSpec

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Document(Generic[M]):
    """A validated document with its source (to locate later cross-reference problems)."""

    path: Path
    model: M
    source: Source
    warnings: tuple[Issue, ...] = ()
    """Problems an importer could live with (keys it does not simulate ...)."""

    @property
    def imported(self) -> bool:
        """Read from another tool's format (its paths are not drillsim's)."""
        return self.source.data.get("kind") != type(self.model).__name__

    def issue(self, path: PathKey, message: str, hint: str = "", *, key: bool = False) -> Issue:
        """An issue at ``path`` in this document (at the key when ``key`` is set)."""
        marks = self.source.marks
        mark = marks.key(path) if key else marks.value(path)
        line, col = (mark.line, mark.col) if mark else (0, 0)
        return Issue(
            self.source.file, line, col, render_path(path, self.source.data), message, hint
        )


def display_name(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


Patch = Callable[[Source], None]
"""Edits a parsed document in place before it is validated (a sweep's arm)."""


def load_document(
    path: Path, expect: str | None = None, *, patch: Patch | None = None
) -> tuple[Document[Any] | None, list[Issue]]:
    """Parse and validate one document; ``expect`` names the kind it must be."""
    source, issues = _read(path, patch)
    if source is None:
        return None, issues
    data = source.data
    if not isinstance(data, dict):
        return None, [*issues, Issue(source.file, 1, 1, "", "expected a mapping with 'kind:'")]
    kind = data.get("kind")
    if kind not in KINDS:
        mark = source.marks.value(("kind",)) if "kind" in data else source.marks.value(())
        known = ", ".join(KINDS)
        msg = "missing required key 'kind'" if kind is None else f"unknown kind {kind!r}"
        close = difflib.get_close_matches(str(kind), list(KINDS), n=1)
        hint = f"expected one of: {known}" + (f" (did you mean {close[0]!r}?)" if close else "")
        line, col = (mark.line, mark.col) if mark else (1, 1)
        return None, [*issues, Issue(source.file, line, col, "kind" if kind else "", msg, hint)]
    if expect and kind != expect:
        mark = source.marks.value(("kind",))
        line, col = (mark.line, mark.col) if mark else (1, 1)
        return None, [
            *issues,
            Issue(
                source.file,
                line,
                col,
                "kind",
                f"expected kind {expect!r}, got {kind!r}",
                f"this command takes a {expect} document",
            ),
        ]
    model_cls = KINDS[kind]
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        return None, [*issues, *validation_issues(source, exc, model_cls)]
    if issues:
        return None, issues
    return Document(path, model, source), []


@dataclass(frozen=True, slots=True)
class Drill:
    """A scenario and every document it references, all validated and cross-checked."""

    scenario: Document[Scenario]
    topology: Document[Topology]
    oncall: Document[OnCall]
    rules: Document[AlertRules]
    routing: Document[Routing]
    spec: DrillSpec = field(init=False, compare=False, repr=False)
    """The documents' models, as the engine and experiments take them."""
    warnings: tuple[Issue, ...] = field(default=(), compare=False, repr=False)
    """Valid but suspicious things (printed, never fatal)."""

    def __post_init__(self) -> None:
        spec = DrillSpec(
            self.scenario.model,
            self.topology.model,
            self.oncall.model,
            self.rules.model,
            self.routing.model,
        )
        object.__setattr__(self, "spec", spec)

    def sources(self) -> dict[str, Path]:
        """Every input file by role (for the manifest's checksums)."""
        return {
            "scenario": self.scenario.path,
            "topology": self.topology.path,
            "oncall": self.oncall.path,
            "rules": self.rules.path,
            "routing": self.routing.path,
        }

    def summary(self) -> str:
        """One line saying what was loaded."""
        t, o, s = self.topology.model, self.oncall.model, self.scenario.model
        return (
            f"scenario {s.name!r}: topology {t.name!r} ({len(t.services)} services, "
            f"{len(t.regions)} regions), {len(s.faults)} faults, "
            f"{len(self.rules.model.rules)} alert rules, {len(o.people)} people, "
            f"{len(o.schedules)} schedules, {len(o.escalation_policies)} escalation policies"
        )


_REFS: tuple[tuple[PathKey, str, str], ...] = (
    (("topology",), "Topology", "topology"),
    (("oncall",), "OnCall", "oncall"),
    (("alerting", "rules"), "AlertRules", "rules"),
    (("alerting", "routing"), "Routing", "routing"),
)


def _read(path: Path, patch: Patch | None) -> tuple[Source | None, list[Issue]]:
    source, issues = read_source(path, display_name(path))
    if source is not None and patch is not None:
        patch(source)
    return source, issues


def load_drill(path: Path, patches: dict[str, Patch] | None = None) -> Drill:
    """Load a scenario and its documents; raise ConfigError listing every problem.

    ``patches`` edits documents by role (scenario, topology, oncall, rules, routing)
    after parsing and before validation, so a varied drill is checked like a written one.
    """
    from drillsim.io.references import (
        check_references,
        drill_warnings,
        escalation_warnings,
        partial_checks,
    )

    patches = patches or {}

    scenario, issues = load_document(path, expect="Scenario", patch=patches.get("scenario"))
    if scenario is None:
        raise ConfigError(issues)
    loaded: dict[str, Document[Any]] = {}
    for ref_path, kind, role in _REFS:
        value: Any = scenario.source.data
        for part in ref_path:
            value = value[part]
        target = (path.parent / str(value)).resolve()
        if not target.is_file():
            issues.append(
                scenario.issue(
                    ref_path,
                    f"file not found: {value!r}",
                    f"paths are relative to {display_name(path.parent)}/",
                )
            )
            continue
        if role in ("rules", "routing", "oncall"):
            importer = {
                "rules": _maybe_prometheus_rules,
                "routing": _maybe_alertmanager,
                "oncall": _maybe_oncall_export,
            }[role]
            imported, found = importer(target, scenario, patches.get(role))
            if imported is not None or found:
                issues.extend(found)
                if imported is not None:
                    loaded[role] = imported
                continue
        doc, doc_issues = load_document(target, patch=patches.get(role))
        issues.extend(doc_issues)
        if doc is not None and doc.source.data["kind"] != kind:
            issues.append(
                scenario.issue(
                    ref_path,
                    f"{value!r} has kind {doc.source.data['kind']!r}, not {kind!r}",
                    f"point '{'.'.join(map(str, ref_path))}' at a file with 'kind: {kind}'",
                )
            )
        elif doc is not None:
            loaded[role] = doc
    if issues:
        raise ConfigError(issues + partial_checks(scenario, loaded))
    drill = Drill(
        scenario, loaded["topology"], loaded["oncall"], loaded["rules"], loaded["routing"]
    )
    problems = check_references(drill)
    if problems:
        raise ConfigError(problems)
    imported_warnings = [w for d in (drill.rules, drill.routing, drill.oncall) for w in d.warnings]
    warnings = drill_warnings(drill) + escalation_warnings(drill) + imported_warnings
    object.__setattr__(drill, "warnings", tuple(sorted(warnings)))
    return drill


def _maybe_prometheus_rules(
    path: Path, scenario: Document[Scenario], patch: Patch | None = None
) -> tuple[Document[AlertRules] | None, list[Issue]]:
    """A Prometheus rule file bound by the scenario; (None, []) if it is something else."""
    from drillsim.io.importers.prometheus import import_prometheus_rules, is_prometheus_rules

    source, issues = _read(path, patch)
    if source is None or not is_prometheus_rules(source.data):
        return None, []
    try:
        alerting = scenario.model.alerting
        imported = import_prometheus_rules(path, source, alerting.bindings, alerting.prometheus)
    except ConfigError as exc:
        return None, list(exc.issues)
    return Document(path, imported.rules, source, imported.warnings), issues


def _maybe_oncall_export(
    path: Path, scenario: Document[Scenario], patch: Patch | None = None
) -> tuple[Document[OnCall] | None, list[Issue]]:
    """A PagerDuty, Opsgenie, Grafana OnCall or GoAlert export as an OnCall document;
    (None, []) if the file is a drillsim document (it has a ``kind``)."""
    from pydantic import ValidationError

    from drillsim.io.importers.oncall_exports import (
        import_oncall_export,
        recognise_oncall_export,
    )

    source, issues = _read(path, patch)
    if source is None or not isinstance(source.data, dict) or "kind" in source.data:
        return None, []
    if recognise_oncall_export(source.data) is None:
        return None, []
    try:
        imported = import_oncall_export(source)
        model = OnCall.model_validate(imported.data)
    except ConfigError as exc:
        return None, list(exc.issues)
    except ValidationError as exc:
        message = f"imported as an OnCall document, {first_error(exc)}"
        return None, [Issue(source.file, 1, 1, "", message)]
    return Document(path, model, source, tuple(imported.warnings)), issues


def _maybe_alertmanager(
    path: Path, scenario: Document[Scenario], patch: Patch | None = None
) -> tuple[Document[Routing] | None, list[Issue]]:
    """A real alertmanager.yml, its receivers mapped to escalation policies by the
    scenario's ``alerting.receivers``; (None, []) if the file is a drillsim document."""
    from drillsim.io.importers.alertmanager import is_alertmanager_config, load_alertmanager

    source, issues = _read(path, patch)
    if source is None or not is_alertmanager_config(source.data):
        return None, []
    try:
        imported = load_alertmanager(path, source if patch is not None else None)
    except ConfigError as exc:
        return None, list(exc.issues)
    mapping = scenario.model.alerting.receivers
    routing = imported.routing.model_copy(
        update={
            "receivers": [
                r.model_copy(update={"escalation_policy": mapping.get(r.name)})
                for r in imported.routing.receivers
            ]
        }
    )
    known = {r.name for r in routing.receivers}
    for name in sorted(set(mapping) - known):
        issues.append(
            scenario.issue(
                ("alerting", "receivers", name),
                f"no receiver {name!r} in {display_name(path)}",
                f"receivers there: {', '.join(sorted(known))}",
                key=True,
            )
        )
    return Document(path, routing, imported.source, imported.warnings), issues
