"""Load a ``StaffingStudy`` into one validated drill per option, or fail before any work.

Each option becomes the studied schedule's layers (and, when it draws on hires, their
entries in the on-call document's people), written into a freshly parsed on-call
document; the drill is then loaded as usual, so an option is checked exactly like a
hand-written on-call set-up. A problem an option causes is reported at that option in
the study file.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drillsim.errors import ConfigError, Issue
from drillsim.experiments.horizon import with_horizon
from drillsim.experiments.staffing import StaffingMeasures, pooled_tta_p90, tradeoffs
from drillsim.experiments.sweep_runner import SweepOutcome
from drillsim.io.loader import Document, Drill, Patch, display_name, load_document, load_drill
from drillsim.io.yamlsource import PathKey, Source
from drillsim.spec.drill import DrillSpec
from drillsim.spec.people import Person
from drillsim.spec.staffing import StaffingOption, StaffingStudy

WEEK_S = 7 * 86400.0


@dataclass(frozen=True, slots=True)
class StudyArm:
    """One option: its name, settings, the people in the rotation, and its drill."""

    name: str
    values: dict[str, Any]
    members: tuple[str, ...]
    drill: Drill = field(repr=False)
    spec: DrillSpec = field(repr=False)


@dataclass(frozen=True, slots=True)
class LoadedStudy:
    """A staffing study, its base drill and every option, all validated."""

    document: Document[StaffingStudy]
    base: Drill
    arms: list[StudyArm]
    horizon_s: float

    kind = "StaffingStudy"

    @property
    def spec(self) -> StaffingStudy:
        """The study's model."""
        return self.document.model

    @property
    def replications(self) -> int:
        """Replications per option."""
        return self.spec.replications

    @property
    def experiment_arms(self) -> list[StudyArm]:
        """The options, for the runner."""
        return self.arms

    @property
    def measures(self) -> StaffingMeasures:
        """Rotation load, nights, speed and cost per replication of each option."""
        return StaffingMeasures(
            members=tuple(a.members for a in self.arms),
            weeks=self.horizon_s / WEEK_S,
            cost=self.spec.cost,
        )

    def sources(self) -> dict[str, Path]:
        """Every input file by role (for the manifest's checksums)."""
        return {"study": self.document.path, **self.base.sources()}

    def tradeoffs(self, outcome: SweepOutcome) -> list[dict[str, Any]]:
        """The trade-off rows of a finished run of this study, with each option's p90
        time to acknowledge pooled over all its replications' incidents."""
        pooled = {
            a.name: pooled_tta_p90(
                outcome.incidents, a.name, a.members, self.horizon_s, seed=outcome.seed
            )
            for a in self.arms
        }
        return tradeoffs(outcome.summary, outcome.arms, self.spec.targets, pooled)

    def summary(self) -> str:
        """One line saying what was loaded."""
        days = self.horizon_s / 86400
        return (
            f"staffing study of schedule {self.spec.schedule!r} in "
            f"{self.base.scenario.model.name!r}: {len(self.arms)} options x "
            f"{self.spec.replications} replications of {days:g} days"
        )


def load_study(path: Path) -> LoadedStudy:
    """Load a staffing study and the drill of every option; ConfigError with every
    problem found."""
    doc, issues = load_document(path, expect="StaffingStudy")
    if doc is None:
        raise ConfigError(issues)
    study: StaffingStudy = doc.model
    scenario = (path.parent / study.scenario).resolve()
    if not scenario.is_file():
        raise ConfigError(
            [
                doc.issue(
                    ("scenario",),
                    f"file not found: {study.scenario!r}",
                    f"paths are relative to {display_name(path.parent)}/",
                )
            ]
        )
    seen: dict[str, Source] = {}

    def keep(source: Source) -> None:
        seen.setdefault("oncall", copy.deepcopy(source))

    base = load_drill(scenario, {"oncall": keep})
    if base.oncall.imported:
        raise ConfigError(
            [
                doc.issue(
                    ("scenario",),
                    f"{display_name(base.oncall.path)} is another tool's export; a staffing "
                    "study rewrites a drillsim OnCall document",
                    "convert it first: drillsim import oncall ... > oncall.yaml",
                )
            ]
        )
    raw = seen["oncall"].data
    index = next(
        (i for i, s in enumerate(raw.get("schedules") or []) if s.get("name") == study.schedule),
        None,
    )
    if index is None:
        known = ", ".join(s.name for s in base.oncall.model.schedules) or "none"
        raise ConfigError(
            [
                doc.issue(
                    ("schedule",),
                    f"no schedule {study.schedule!r} in {display_name(base.oncall.path)}",
                    f"schedules: {known}",
                )
            ]
        )
    zones = {p.name: p.tz for p in base.oncall.model.people}
    pool, hires = _pool(doc, study, raw["schedules"][index], zones, issues)
    if issues:
        raise ConfigError(issues)
    horizon = study.horizon or base.spec.scenario.duration
    start = base.spec.scenario.start
    arms: list[StudyArm] = []
    for n, (name, option) in enumerate(study.option_list()):
        where = _option_path(study, n)
        try:
            layers, members = _layers(option, raw["schedules"][index], pool, zones, start)
        except OptionError as exc:
            at = _setting_path(doc, where, exc.setting, getattr(option, exc.setting))
            if exc.item is not None and at[-1] != where[-1]:
                at = (*at, exc.item)
            issues.append(doc.issue(at, f"option {name!r}: {exc}", exc.hint))
            continue
        patch = _patch(index, layers, [hires[m] for m in members if m in hires])
        try:
            drill = load_drill(scenario, {"oncall": patch})
        except ConfigError as exc:
            issues.extend(_relocate(i, doc, where, name) for i in exc.issues)
            continue
        spec = with_horizon(drill.spec, horizon) if study.horizon else drill.spec
        arms.append(StudyArm(name, option.settings(), tuple(members), drill, spec))
    if issues:
        raise ConfigError(sorted(set(issues)))
    return LoadedStudy(doc, base, arms, horizon)


def _pool(
    doc: Document[StaffingStudy],
    study: StaffingStudy,
    schedule: dict[str, Any],
    zones: dict[str, str],
    issues: list[Issue],
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The pool's names in hiring order, and each hire's raw entry (added to ``zones``)."""
    if not study.pool:
        names = _users(schedule.get("layers") or [])
        if not names:
            issues.append(
                doc.issue(
                    ("schedule",),
                    f"schedule {study.schedule!r} names nobody to draw on",
                    "list the people an option may use under pool:",
                )
            )
        return names, {}
    names, hires = [], {}
    raw_pool = doc.source.data["pool"]
    for i, entry in enumerate(study.pool):
        if isinstance(entry, Person):
            if entry.name in zones:
                issues.append(
                    doc.issue(
                        ("pool", i, "name"),
                        f"{entry.name!r} is already in the on-call document",
                        "list an existing person by name; write out only new hires",
                    )
                )
                continue
            hires[entry.name] = copy.deepcopy(raw_pool[i])
            zones[entry.name] = entry.tz
            names.append(entry.name)
        elif entry not in zones:
            issues.append(
                doc.issue(
                    ("pool", i),
                    f"nobody called {entry!r} in the on-call document",
                    "write a new hire out as a mapping: {name: ..., tz: ...}",
                )
            )
        else:
            names.append(entry)
    return names, hires


def _option_path(study: StaffingStudy, n: int) -> PathKey:
    return ("options", "list", n) if study.options.list_ is not None else ("options", "grid")


class OptionError(ValueError):
    """An option that cannot be built: which of its settings is at fault (so the issue
    sits at that value, not at the option) and what to write instead."""

    def __init__(self, message: str, setting: str, hint: str, item: int | None = None) -> None:
        super().__init__(message)
        self.setting = setting
        self.hint = hint
        self.item = item
        """The position within the setting's list value (a person's name), if one."""


def _setting_path(
    doc: Document[StaffingStudy], where: PathKey, setting: str, value: Any
) -> PathKey:
    """Where the study file gives ``setting`` for this option: the list option's key, or
    the grid's value equal to the option's; the option itself if neither is written."""
    node: Any = doc.source.data
    for part in where:
        node = node[part]
    given = node.get(setting) if isinstance(node, dict) else None
    if given is None:
        return where
    if where[-1] != "grid":
        return (*where, setting)
    values = given if isinstance(given, list) else [given]
    return (*where, setting, values.index(value)) if value in values else (*where, setting)


def _layers(
    option: StaffingOption,
    schedule: dict[str, Any],
    pool: Sequence[str],
    zones: dict[str, str],
    start: datetime,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The schedule's layers for this option, and the people in them (in order).

    Raises:
        ValueError: the option asks for more people than the pool has, names someone
            unknown, or cannot be shaped as asked.
    """
    if option.layers is not None:
        layers = copy.deepcopy(option.layers)
        members = _users(layers)
        if not members:
            raise OptionError(
                "its layers name nobody", "layers", "give each layer its users: [name, ...]"
            )
        _known(members, zones, "layers")
        return layers, members
    if not option.settings():
        return _as_written(schedule)
    people = option.people if option.people is not None else len(pool)
    if isinstance(people, int):
        if people > len(pool):
            raise OptionError(
                f"asks for {people} people; the pool has {len(pool)}",
                "people",
                f"the pool: {', '.join(pool)}; ask for at most {len(pool)}, or add new hires "
                "under pool: as {name: ..., tz: ...}",
            )
        members = list(pool[:people])
    else:
        members = list(people)
        _known(members, zones, "people")
    first = (schedule.get("layers") or [{}])[0]
    turn: dict[str, Any] = {"rotation": option.rotation or first.get("rotation", "weekly")}
    for key in ("every", "handoff"):
        value = getattr(option, key)
        if value is None and option.rotation in (None, first.get("rotation", "weekly")):
            value = first.get(key)  # the schedule's own, when the rotation unit is kept
        if value is not None:
            turn[key] = value
    if "start" in first:
        turn["start"] = first["start"]
    if (option.shape or "24x7") == "24x7":
        return [{**turn, "users": members}], members
    return _follow_the_sun(turn, members, zones, start), members


def _as_written(schedule: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The schedule's own layers (an option that sets nothing: the baseline)."""
    layers = copy.deepcopy(schedule.get("layers") or [])
    return layers, _users(layers)


def _users(layers: Sequence[Any]) -> list[str]:
    """Everyone the raw layers name, in order of first mention (groups flattened)."""
    names: list[str] = []
    for layer in layers:
        users = layer.get("users") if isinstance(layer, dict) else None
        for user in users or []:
            for person in user if isinstance(user, list) else [user]:
                if isinstance(person, str) and person not in names:
                    names.append(person)
    return names


def _known(members: Sequence[str], zones: dict[str, str], setting: str) -> None:
    unknown = [m for m in members if m not in zones]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(zones), n=1)
        raise OptionError(
            f"nobody called {', '.join(map(repr, unknown))} in the on-call document or the pool",
            setting,
            f"known people: {', '.join(zones)}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + "; a new hire goes under pool: as {name: ..., tz: ...}",
            None if setting == "layers" else list(members).index(unknown[0]),
        )


def _follow_the_sun(
    turn: dict[str, Any], members: Sequence[str], zones: dict[str, str], start: datetime
) -> list[dict[str, Any]]:
    """One layer per time zone, each covering an equal UTC window of the day, east
    first, the windows placed (in whole hours) so their local middles fall as close to
    13:00 as they can: follow-the-sun as teams contract it, in UTC so DST moves nobody's
    window into another's. Zones closer together than the windows are apart cannot all
    work a daytime window; the placement shares the difference between them."""
    groups: dict[str, list[str]] = {}
    for m in members:
        groups.setdefault(zones[m], []).append(m)
    if len(groups) < 2:
        raise OptionError(
            "follow-the-sun needs people in at least two time zones",
            "shape",
            f"everyone here is in {next(iter(groups))}: add someone from another time zone, "
            "or use shape: 24x7",
        )
    if 1440 % len(groups):
        raise OptionError(
            f"{len(groups)} time zones cannot split the day into whole minutes",
            "shape",
            "use people from a number of time zones that divides 1,440 minutes (2-6, 8, 9, "
            "10, 12 ...)",
        )
    at = start.astimezone(UTC)
    offset = {
        tz: (ZoneInfo(tz).utcoffset(at.replace(tzinfo=None)) or timedelta()).total_seconds() / 60
        for tz in groups
    }
    order = sorted(groups, key=lambda tz: -offset[tz])
    window = 1440 // len(order)

    def miss(first: int) -> float:
        """Squared distances of the local middles from 13:00: the spread of a day that
        does not fit is shared between the zones rather than left to one."""
        total = 0.0
        for i, tz in enumerate(order):
            middle = (first + i * window + window / 2 + offset[tz]) % 1440
            total += min(abs(middle - 780), 1440 - abs(middle - 780)) ** 2
        return total

    first = min(range(0, 1440, 60), key=miss)
    layers = []
    for i, tz in enumerate(order):
        opens = (first + i * window) % 1440
        layers.append(
            {
                **turn,
                "name": tz.split("/")[-1].lower().replace("_", "-"),
                "tz": "UTC",
                "users": groups[tz],
                "restrictions": [
                    {"start": f"{opens // 60:02d}:{opens % 60:02d}", "duration": f"{window}m"}
                ],
            }
        )
    return layers


def _patch(index: int, layers: list[dict[str, Any]], hires: list[dict[str, Any]]) -> Patch:
    def patch(source: Source) -> None:
        source.data["schedules"][index]["layers"] = copy.deepcopy(layers)
        source.data.setdefault("people", []).extend(copy.deepcopy(hires))

    return patch


def _relocate(issue: Issue, doc: Document[StaffingStudy], where: PathKey, name: str) -> Issue:
    """A problem of an option's drill at the option in the study file, saying where the
    drill found it."""
    at = doc.issue(where, "")
    found = f"{issue.file}:{issue.path}" if issue.path else issue.file
    hint = f"found at {found}" + (f"; {issue.hint}" if issue.hint else "")
    return Issue(at.file, at.line, at.col, at.path, f"option {name!r}: {issue.message}", hint)
