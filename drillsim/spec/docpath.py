"""Paths into a document's parsed data, as a sweep writes them.

A sweep varies documents without copying them, so each parameter names a place in a
document in a syntax a reader can check against the YAML by eye::

    route.group_wait                                  # mapping keys, dot-separated
    escalation_policies[name=payments].rules[0].delay # [key=value] picks a list item by id
    schedules[name=primary].layers[0].users           # a whole list is a value too
    labels."app.kubernetes.io/name"                   # quote a key that has dots

``[N]`` is a list index (0-based); ``[key=value]`` selects the one item of a list whose
``key`` equals ``value`` (compared as text; quote the value if it has ``]``). Selecting by
id, not by position, keeps a sweep valid when items are reordered. Pure: no I/O.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

PathPart = str | int


@dataclass(frozen=True, slots=True)
class Select:
    """``[key=value]``: the list item whose ``key`` equals ``value``."""

    key: str
    value: str

    def __str__(self) -> str:
        return f"[{self.key}={self.value}]"


Step = str | int | Select

_TOKEN = re.compile(
    r"""
      \.?(?P<key>[A-Za-z_][A-Za-z0-9_-]*)
    | \.?"(?P<quoted>[^"]+)"
    | \[(?P<index>\d+)\]
    | \[(?P<skey>[A-Za-z_][A-Za-z0-9_-]*)=(?:'(?P<sq>[^']*)'|"(?P<dq>[^"]*)"|(?P<bare>[^\]]+))\]
    """,
    re.VERBOSE,
)


class PathSyntaxError(ValueError):
    """A path that does not parse (message says where)."""


def parse_path(text: str) -> tuple[Step, ...]:
    """Parse a path into steps: keys, list indices and ``[key=value]`` selections.

    Raises:
        PathSyntaxError: the text is empty or has a part that is none of the above.
    """
    text = text.strip()
    if not text:
        raise PathSyntaxError("empty path")
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or (pos == 0 and text[0] == ".") or (pos > 0 and _needs_dot(text, pos, m)):
            raise PathSyntaxError(
                f"cannot read {text[pos:]!r} in path {text!r}; write keys as a.b, "
                "list items as [0] or [name=value]"
            )
        if m["key"] is not None:
            steps.append(m["key"])
        elif m["quoted"] is not None:
            steps.append(m["quoted"])
        elif m["index"] is not None:
            steps.append(int(m["index"]))
        else:
            value = next(v for v in (m["sq"], m["dq"], m["bare"]) if v is not None)
            steps.append(Select(m["skey"], value.strip()))
        pos = m.end()
    return tuple(steps)


def _needs_dot(text: str, pos: int, m: re.Match[str]) -> bool:
    """A key after another step must be introduced by a dot (``a.b``, not ``ab`` glued)."""
    return (m["key"] is not None or m["quoted"] is not None) and text[pos] != "."


def format_path(steps: tuple[Step, ...]) -> str:
    """The text form of parsed steps (round-trips through :func:`parse_path`)."""
    out = ""
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        elif isinstance(step, Select):
            out += str(step)
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", step):
            out += f".{step}" if out else step
        else:
            out += f'."{step}"' if out else f'"{step}"'
    return out


class PathNotFoundError(LookupError):
    """A path that addresses nothing in the data: the message says which step and why,
    :attr:`hint` what could be written there instead (the keys, indices or names found
    at the level where the path stopped, with the nearest one)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def resolve(data: Any, steps: tuple[Step, ...]) -> tuple[PathPart, ...]:
    """The concrete key/index path that ``steps`` address in ``data``.

    Every step but the last must exist; the last may name a key absent from its mapping
    (setting an optional key the document leaves at its default), which validation then
    accepts or reports as an unknown key.

    Raises:
        PathNotFoundError: a step addresses nothing (with what was there instead).
    """
    out: list[PathPart] = []
    cursor = data
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        here = format_path(steps[:i]) or "the document"
        if isinstance(step, str):
            if not isinstance(cursor, dict):
                raise PathNotFoundError(
                    f"{here} is {_kind(cursor)}, not a mapping with {step!r}",
                    _choices_hint(here, cursor),
                )
            if step not in cursor and not last:
                raise PathNotFoundError(
                    f"{here} has no key {step!r}", _choices_hint(here, cursor, step)
                )
            out.append(step)
            cursor = cursor.get(step)
        elif isinstance(step, int):
            if not isinstance(cursor, list):
                raise PathNotFoundError(
                    f"{here} is {_kind(cursor)}, not a list", _choices_hint(here, cursor)
                )
            if step >= len(cursor):
                raise PathNotFoundError(
                    f"{here} has {len(cursor)} items, no [{step}]", _choices_hint(here, cursor)
                )
            out.append(step)
            cursor = cursor[step]
        else:
            if not isinstance(cursor, list):
                raise PathNotFoundError(
                    f"{here} is {_kind(cursor)}, not a list", _choices_hint(here, cursor)
                )
            hits = [
                n
                for n, item in enumerate(cursor)
                if isinstance(item, dict) and str(item.get(step.key)) == step.value
            ]
            if len(hits) != 1:
                what = "no item" if not hits else f"{len(hits)} items"
                raise PathNotFoundError(
                    f"{here} has {what} with {step.key}={step.value!r}",
                    _select_hint(here, cursor, step, hits),
                )
            out.append(hits[0])
            cursor = cursor[hits[0]]
    return tuple(out)


def _nearest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _choices_hint(here: str, cursor: Any, wanted: str | None = None) -> str:
    """What the path may say at ``here``: its keys, its indices, or that it ends there."""
    if isinstance(cursor, dict):
        keys = [str(k) for k in cursor]
        if not keys:
            return f"{here} is empty: no key to address"
        return f"keys of {here}: {', '.join(keys)}" + (
            _nearest(wanted, keys) if wanted is not None else ""
        )
    if isinstance(cursor, list):
        if not cursor:
            return f"{here} is an empty list: no item to address"
        named = [str(it["name"]) for it in cursor if isinstance(it, dict) and "name" in it]
        pick = f"[0]..[{len(cursor) - 1}]" if len(cursor) > 1 else "[0]"
        by_name = f", or [name=...] with one of: {', '.join(named)}" if named else ""
        return f"pick an item of {here} with {pick}{by_name}"
    return f"{here} is a single value: end the path at {here}"


def _select_hint(here: str, cursor: list[Any], step: Select, hits: list[int]) -> str:
    """The values ``key`` takes in the list (nearest first), or how to pick one of many."""
    if hits:
        return f"select one by position instead: {', '.join(f'[{n}]' for n in hits)}"
    ids = [str(it.get(step.key)) for it in cursor if isinstance(it, dict)]
    have = [i for i in ids if i != "None"]
    if not have:
        keys = sorted({str(k) for it in cursor if isinstance(it, dict) for k in it})
        return f"no item of {here} has {step.key!r}" + (
            f"; keys its items have: {', '.join(keys)}" if keys else ""
        )
    return f"{step.key}s in {here}: {', '.join(have)}" + _nearest(step.value, have)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"a value ({value!r})"


def assign(data: Any, path: tuple[PathPart, ...], value: Any) -> None:
    """Set ``value`` at a concrete path (from :func:`resolve`), in place."""
    cursor = data
    for part in path[:-1]:
        cursor = cursor[part]
    cursor[path[-1]] = value
