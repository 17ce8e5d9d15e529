"""Load a ``Sweep`` document into one validated drill per arm, or fail before any work.

Each parameter's path is resolved against the base documents once (so a path that
addresses nothing is reported at the parameter, in the sweep file); each arm's values are
then written into freshly parsed documents and the drill is loaded as usual, so an arm
is checked exactly like a hand-written scenario. A problem caused by an arm's value is
reported at that value in the sweep file, naming the arm.
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drillsim.errors import ConfigError, Issue
from drillsim.experiments.sweep import SWEEP_MEASURES
from drillsim.io.loader import Document, Drill, Patch, display_name, load_document, load_drill
from drillsim.io.yamlsource import PathKey, Source, render_path
from drillsim.spec.docpath import PathNotFoundError, assign, resolve
from drillsim.spec.drill import DrillSpec
from drillsim.spec.sweep import Sweep


@dataclass(frozen=True, slots=True)
class Arm:
    """One arm: its name, the values it sets (by parameter) and its validated drill."""

    name: str
    values: dict[str, Any]
    drill: Drill = field(repr=False)

    @property
    def spec(self) -> DrillSpec:
        """The arm's validated drill."""
        return self.drill.spec


@dataclass(frozen=True, slots=True)
class LoadedSweep:
    """A sweep document, its base drill and every arm, all validated."""

    document: Document[Sweep]
    base: Drill
    arms: list[Arm]

    kind = "Sweep"
    measures = SWEEP_MEASURES

    @property
    def spec(self) -> Sweep:
        """The sweep's model."""
        return self.document.model

    @property
    def replications(self) -> int:
        """Replications per arm."""
        return self.spec.replications

    @property
    def experiment_arms(self) -> list[Arm]:
        """The arms, for the runner."""
        return self.arms

    def sources(self) -> dict[str, Path]:
        """Every input file by role (for the manifest's checksums)."""
        return {"sweep": self.document.path, **self.base.sources()}

    def summary(self) -> str:
        """One line saying what was loaded."""
        s = self.spec
        return (
            f"sweep of {self.base.scenario.model.name!r}: {len(self.arms)} arms x "
            f"{s.replications} replications over {len(s.parameters)} parameters"
        )


def load_sweep(path: Path) -> LoadedSweep:
    """Load a sweep and the drill of every arm; ConfigError with every problem found."""
    doc, issues = load_document(path, expect="Sweep")
    if doc is None:
        raise ConfigError(issues)
    sweep: Sweep = doc.model
    scenario = (path.parent / sweep.scenario).resolve()
    if not scenario.is_file():
        raise ConfigError(
            [
                doc.issue(
                    ("scenario",),
                    f"file not found: {sweep.scenario!r}",
                    f"paths are relative to {display_name(path.parent)}/",
                )
            ]
        )
    seen: dict[str, Source] = {}
    base = load_drill(scenario, {role: _keep(seen, role) for role in _ROLES})
    targets: dict[str, PathKey] = {}
    for name, param in sweep.parameters.items():
        try:
            targets[name] = resolve(seen[param.document].data, param.steps)
        except PathNotFoundError as exc:
            issues.append(
                doc.issue(
                    ("parameters", name, param.document),
                    f"addresses nothing in {display_name(base.sources()[param.document])}: {exc}",
                    exc.hint,
                )
            )
    if issues:
        raise ConfigError(issues)
    files = {role: display_name(p) for role, p in base.sources().items()}
    arms: list[Arm] = []
    for (arm_name, values), where in zip(sweep.arm_values(), _value_paths(sweep), strict=True):
        patches = _patches(sweep, targets, values)
        try:
            arms.append(Arm(arm_name, values, load_drill(scenario, patches)))
        except ConfigError as exc:
            issues.extend(
                _relocate(i, doc, sweep, arm_name, targets, values, where, files, seen)
                for i in exc.issues
            )
    if issues:
        raise ConfigError(sorted(set(issues)))
    return LoadedSweep(doc, base, arms)


_ROLES = ("scenario", "topology", "oncall", "rules", "routing")


def _keep(seen: dict[str, Source], role: str) -> Patch:
    """A patch that changes nothing and remembers the parsed base document."""

    def keep(source: Source) -> None:
        seen.setdefault(role, copy.deepcopy(source))

    return keep


def _patches(sweep: Sweep, targets: dict[str, PathKey], values: dict[str, Any]) -> dict[str, Patch]:
    by_role: dict[str, list[tuple[PathKey, Any]]] = {}
    for name, value in values.items():
        by_role.setdefault(sweep.parameters[name].document, []).append((targets[name], value))

    def patch_for(edits: list[tuple[PathKey, Any]]) -> Patch:
        def patch(source: Source) -> None:
            for where, value in edits:
                assign(source.data, where, copy.deepcopy(value))

        return patch

    return {role: patch_for(edits) for role, edits in by_role.items()}


def _value_paths(sweep: Sweep) -> list[dict[str, PathKey]]:
    """Per arm, where each of its values is written in the sweep document."""
    if sweep.arms.list_ is not None:
        return [
            {k: ("arms", "list", n, k) for k in arm if k != "name"}
            for n, arm in enumerate(sweep.arms.list_)
        ]
    grid = sweep.arms.grid or {}
    return [
        {name: ("arms", "grid", name, i) for name, i in zip(grid, combo, strict=True)}
        for combo in itertools.product(*(range(len(v)) for v in grid.values()))
    ]


def _relocate(
    issue: Issue,
    doc: Document[Sweep],
    sweep: Sweep,
    arm: str,
    targets: dict[str, PathKey],
    values: dict[str, Any],
    where: dict[str, PathKey],
    files: dict[str, str],
    seen: dict[str, Source],
) -> Issue:
    """An arm's problem at the arm's value in the sweep file when the value caused it,
    else where it was found, with the arm named in the hint."""
    for name in values:
        param = sweep.parameters[name]
        if issue.file != files.get(param.document):
            continue
        shown = render_path(targets[name], seen[param.document].data)
        if issue.path == shown or issue.path.startswith((f"{shown}.", f"{shown}[")):
            detail = issue.path.removeprefix(shown)
            inner = tuple(int(i) for i in re.findall(r"\[(\d+)\]", _leading_indices(detail)))
            at = doc.issue((*where[name], *inner), "")
            return Issue(
                at.file,
                at.line,
                at.col,
                at.path,
                f"arm {arm!r}: {param.describe()}{detail}: {issue.message}",
                issue.hint,
            )
    hint = f"in sweep arm {arm!r}" + (f"; {issue.hint}" if issue.hint else "")
    return Issue(issue.file, issue.line, issue.col, issue.path, issue.message, hint)


def _leading_indices(detail: str) -> str:
    """The ``[1][0]`` that starts ``[1][0].name``: where inside a list value the problem is."""
    match = re.match(r"(?:\[\d+\])*", detail)
    return match.group(0) if match else ""
