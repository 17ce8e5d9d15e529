"""How the PagerDuty on-call importer reads fields: two spellings, quiet and ignored keys.

PagerDuty objects come as the REST API returns them (``num_loops``) or as
CloudFormation resource properties (``NumLoops``); both are read through
:func:`drillsim.io.importers.pagerduty.get_field`, and a key is judged by its
snake_case form. Identifiers, links and summaries describe an object without changing
what it does, so they pass quietly; any other field drillsim does not read is a
warning naming it, so a user knows what the simulation leaves out.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from drillsim.io.importers.pagerduty import snake_case
from drillsim.io.importers.schedule_reader import Problems
from drillsim.io.yamlsource import PathKey

__all__ = ["QUIET", "ignored", "whole"]

QUIET = frozenset(
    {
        "id",
        "type",
        "summary",
        "self",
        "html_url",
        "description",
        "created_at",
        "updated_at",
        "privilege",
    }
)
"""Descriptive keys any PagerDuty object may carry."""


def ignored(
    problems: Problems,
    obj: dict[str, Any],
    path: PathKey,
    known: Collection[str],
    quiet: Collection[str] = QUIET,
) -> None:
    """Warn of each key of ``obj`` neither read (``known``) nor descriptive (``quiet``).

    Empty values (null, ``[]``, ``{}``) change nothing, and the API returns them for
    every unused feature, so they pass quietly too.
    """
    for key, value in obj.items():
        name = snake_case(str(key))
        if name in known or name in quiet or value is None or value in ([], {}):
            continue
        problems.warn((*path, key), f"{key!r}: not simulated; ignored")


def whole(value: Any) -> int | None:
    """``value`` as a whole number (JSON's 30 or 30.0), else None (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
