"""What the Opsgenie, Grafana OnCall and GoAlert whole-setup importers share.

Each reads one export into an ``OnCall`` document's data. They list API pages the same
way, import schedules through the schedule importers (whose problems join their own, so
one run reports everything), name things uniquely and finish the same way: every
problem found raises one ``ConfigError``; otherwise the document and its warnings.

The loader validates the document again and runs the cross-document checks on it, but
those would locate problems in the drillsim document's terms, which the export does not
have: so names that must be unique (schedules, policies) are checked here, at the
export's own lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drillsim.errors import ConfigError
from drillsim.io.importers.oncall_exports import OnCallImport
from drillsim.io.importers.schedule_reader import ImportedSchedules, Problems
from drillsim.io.yamlsource import PathKey
from drillsim.spec.durations import format_duration

__all__ = [
    "PAGE_KEYS",
    "finish",
    "import_schedules",
    "items",
    "page_list",
    "span",
    "unique_names",
]

PAGE_KEYS = ("data", "results", "nodes")
"""Where an API page keeps its list: Opsgenie ``data``, Grafana OnCall ``results``,
GraphQL connections ``nodes``."""


def page_list(value: Any) -> tuple[list[Any], tuple[str, ...]] | None:
    """The items of a list, or of a list wrapped as an API page, with the key it sits
    under (``()`` for a bare list); None if ``value`` is neither."""
    if isinstance(value, list):
        return value, ()
    if isinstance(value, dict):
        for key in PAGE_KEYS:
            if isinstance(value.get(key), list):
                return value[key], (key,)
    return None


def items(owner: dict[str, Any], key: str, base: PathKey) -> list[tuple[Any, PathKey]]:
    """``owner[key]``'s items, each with its path (none when absent or not a list)."""
    found = page_list(owner.get(key))
    if found is None:
        return []
    values, inner = found
    return [(v, (*base, key, *inner, i)) for i, v in enumerate(values)]


def import_schedules(
    problems: Problems, load: Callable[[], ImportedSchedules]
) -> ImportedSchedules | None:
    """Run a schedule importer; its errors and warnings join ``problems``."""
    try:
        imported = load()
    except ConfigError as exc:
        problems.issues.extend(exc.issues)
        return None
    for warning in imported.warnings:
        if warning not in problems.warnings:
            problems.warnings.append(warning)
    return imported


def pair_schedules(
    raw: list[tuple[Any, PathKey]],
    imported: ImportedSchedules | None,
    names: dict[str, str],
    keys: tuple[str, ...] = ("id",),
) -> list[tuple[dict[str, Any], PathKey]]:
    """Each imported schedule with the path of the object it came from.

    A schedule importer returns one schedule per object, in order, or raises (then
    ``imported`` is None and nothing pairs). The objects' ``keys`` (ids, names) are
    recorded in ``names`` so policies can find the schedule they target.
    """
    made = imported.schedules if imported is not None else [{}] * len(raw)
    out = []
    for (obj, path), schedule in zip(raw, made, strict=True):
        for key in keys:
            if isinstance(obj, dict) and isinstance(obj.get(key), str):
                names[obj[key]] = schedule.get("name", "")
        if schedule:
            out.append((schedule, path))
    return out


def unique_names(problems: Problems, named: list[tuple[str, PathKey]], what: str) -> None:
    """An error at every name given a second time (drillsim refers by name)."""
    first: dict[str, PathKey] = {}
    for name, path in named:
        if name in first:
            problems.error(
                path,
                f"a second {what} named {name!r}",
                "drillsim refers to each by name: rename one of them",
            )
        else:
            first[name] = path


def span(seconds: float) -> str:
    """Seconds as a drillsim duration string (``90s``, ``15m``, ``1h30m``)."""
    return format_duration(seconds)


def finish(
    problems: Problems,
    tool: str,
    people: list[dict[str, Any]],
    schedules: list[dict[str, Any]],
    policies: list[dict[str, Any]],
    policies_path: PathKey,
) -> OnCallImport:
    """The OnCall document, or ConfigError listing every problem found."""
    if not policies and not problems.issues:
        problems.error(
            policies_path,
            "no escalation policy pages anyone drillsim simulates",
            "a policy needs a step that pages a user or a schedule",
        )
    if problems.issues:
        raise ConfigError(problems.issues)
    data = {
        "kind": "OnCall",
        "version": 1,
        "people": people,
        "schedules": schedules,
        "escalation_policies": policies,
    }
    return OnCallImport(tool=tool, data=data, warnings=sorted(problems.warnings))
