"""Whole on-call setups exported from PagerDuty, Opsgenie, Grafana OnCall or GoAlert,
imported as one drillsim ``OnCall`` document: people, schedules, escalation policies.

A scenario's ``oncall:`` may point at such a file instead of a drillsim document. Each
tool's importer recognises its own file shape and returns the document's data (what
``OnCall.model_validate`` accepts) plus warnings for what drillsim does not simulate;
problems are located errors (``ConfigError``). :data:`IMPORTERS` lists them in the order
they are tried: a more specific shape first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drillsim.errors import ConfigError, Issue
from drillsim.io.yamlsource import Source

__all__ = ["IMPORTERS", "OnCallImport", "import_oncall_export", "recognise_oncall_export"]


@dataclass(frozen=True, slots=True)
class OnCallImport:
    """An imported on-call setup: an OnCall document's data and the warnings."""

    tool: str
    data: dict[str, Any]
    warnings: list[Issue]


Recogniser = Callable[[Any], bool]
Importer = Callable[[Source], OnCallImport]

IMPORTERS: list[tuple[str, Recogniser, Importer]] = []
"""(tool, recogniser, importer), tried in order. Each tool's module registers itself
here when :func:`_load_importers` imports it."""


_MODULES = ("oncall_opsgenie", "oncall_grafana", "oncall_goalert", "oncall_pagerduty")
"""Each tool's module, in the order its importer is tried. PagerDuty last: its shapes
("schedule", "users" ...) are the least specific."""
_loaded = False


def _rank(entry: tuple[str, Recogniser, Importer]) -> int:
    module = entry[1].__module__.rsplit(".", 1)[-1]
    return _MODULES.index(module) if module in _MODULES else len(_MODULES)


def _load_importers() -> None:
    """Import every tool's module once (each appends itself to IMPORTERS), then put
    IMPORTERS in :data:`_MODULES` order: a module imported directly beforehand (a test
    does) must neither stop the others loading nor jump the queue."""
    global _loaded
    if _loaded:
        return
    import importlib

    for module in _MODULES:
        try:
            importlib.import_module(f"drillsim.io.importers.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"drillsim.io.importers.{module}":
                raise
    IMPORTERS.sort(key=_rank)
    _loaded = True


def recognise_oncall_export(data: Any) -> str | None:
    """The tool whose whole on-call export ``data`` is, or None."""
    _load_importers()
    for tool, recognise, _ in IMPORTERS:
        if recognise(data):
            return tool
    return None


def import_oncall_export(source: Source) -> OnCallImport:
    """Import ``source`` with the first importer that recognises it.

    Raises:
        ConfigError: nothing recognises it, or the importer found problems.
    """
    _load_importers()
    for _tool, recognise, importer in IMPORTERS:
        if recognise(source.data):
            return importer(source)
    raise ConfigError(
        [
            Issue(
                source.file,
                1,
                1,
                "",
                "not an OnCall document nor an on-call export drillsim reads",
                "give 'kind: OnCall', or a PagerDuty, Opsgenie, Grafana OnCall or GoAlert export",
            )
        ]
    )
