"""``drillsim validate``: check any mix of documents, collecting every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drillsim.errors import ConfigError, Issue
from drillsim.io.loader import display_name, load_document, load_drill
from drillsim.io.references import check_oncall, check_routing, check_topology
from drillsim.spec import AlertRules, OnCall, Routing, Topology


def validate_files(paths: list[Path]) -> tuple[list[str], list[Issue]]:
    """One summary line per valid file, and warnings; ConfigError with all problems."""
    issues: list[Issue] = []
    warnings: list[Issue] = []
    summaries: list[str] = []
    for path in paths:
        doc, found = load_document(path)
        if doc is None:
            issues.extend(found)
            continue
        kind = doc.source.data["kind"]
        if kind == "Scenario":
            try:
                drill = load_drill(path)
                summaries.append(f"{display_name(path)}: {drill.summary()}")
                warnings.extend(drill.warnings)
            except ConfigError as exc:
                issues.extend(exc.issues)
            continue
        if kind in ("Sweep", "StaffingStudy"):
            try:
                experiment = _load_experiment(kind, path)
                summaries.append(f"{display_name(path)}: {experiment.summary()}")
                warnings.extend(experiment.base.warnings)
            except ConfigError as exc:
                issues.extend(exc.issues)
            continue
        if kind == "Topology":
            problems = check_topology(doc)
        elif kind == "OnCall":
            problems = check_oncall(doc)
        elif kind == "Routing":
            problems = check_routing(doc, None)
        else:
            problems = []
        if problems:
            issues.extend(problems)
        else:
            summaries.append(f"{display_name(path)}: {_describe(kind, doc.model)}")
    if issues:
        raise ConfigError(sorted(set(issues)))
    return summaries, sorted(set(warnings))


def _load_experiment(kind: str, path: Path) -> Any:
    """A Sweep or StaffingStudy with every arm's drill loaded (ConfigError if bad)."""
    if kind == "Sweep":
        from drillsim.io.sweeps import load_sweep

        return load_sweep(path)
    from drillsim.io.staffing import load_study

    return load_study(path)


def _describe(kind: str, model: object) -> str:
    if isinstance(model, Topology):
        return (
            f"topology {model.name!r} with {len(model.services)} services in "
            f"{len(model.regions)} regions"
        )
    if isinstance(model, OnCall):
        return (
            f"on-call with {len(model.people)} people, {len(model.schedules)} schedules, "
            f"{len(model.escalation_policies)} escalation policies"
        )
    if isinstance(model, AlertRules):
        return f"{len(model.rules)} alert rules"
    if isinstance(model, Routing):
        return f"routing tree with {len(model.receivers)} receivers"
    return kind
