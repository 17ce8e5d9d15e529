"""Read YAML (or JSON) into plain data plus the source position of every key and value.

PyYAML's ``safe_load`` forgets positions and silently keeps the last of duplicate keys;
composing the node tree first keeps both, so every later problem can be reported at
``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drillsim.errors import Issue

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """1-based position of a node, with its raw text when it was a scalar."""

    line: int
    col: int
    raw: str | None = None
    plain: bool = False


@dataclass(slots=True)
class SourceMap:
    """Positions of values (``values``) and of mapping keys (``keys``) by document path."""

    values: dict[PathKey, Mark] = field(default_factory=dict)
    keys: dict[PathKey, Mark] = field(default_factory=dict)

    def value(self, path: PathKey) -> Mark | None:
        """Position of the value at ``path``, or of its nearest located ancestor."""
        for n in range(len(path), -1, -1):
            mark = self.values.get(path[:n])
            if mark is not None:
                return mark
        return None

    def key(self, path: PathKey) -> Mark | None:
        """Position of the key that introduces ``path`` (falls back to its value)."""
        return self.keys.get(path) or self.value(path)


@dataclass(slots=True)
class Source:
    """A parsed document: its data, where each part came from, and its display name."""

    file: str
    data: Any
    marks: SourceMap


def _mark(node: yaml.Node) -> Mark:
    m = node.start_mark
    if isinstance(node, yaml.ScalarNode):
        return Mark(m.line + 1, m.column + 1, node.value, node.style is None)
    return Mark(m.line + 1, m.column + 1)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.marks = SourceMap()
        self.problems: list[tuple[Mark, PathKey, str, str]] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.marks.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            self._constructor.flatten_mapping(node)
            out: dict[Any, Any] = {}
            first_seen: dict[Any, Mark] = {}
            for key_node, value_node in node.value:
                key = self._constructor.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) or key is None:
                    self._issue(_mark(key_node), path, f"unsupported key {key!r}", "")
                    continue
                if isinstance(key, bool):
                    key = str(key_node.value)  # `on:` and `no:` as keys mean the words
                key_mark = _mark(key_node)
                if key in first_seen:
                    self._issue(
                        key_mark,
                        (*path, key),
                        f"duplicate key {key!r}",
                        f"first defined at line {first_seen[key].line}; keep one of them",
                    )
                    continue
                first_seen[key] = key_mark
                self.marks.keys[(*path, key)] = key_mark
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node, deep=True)

    def _issue(self, mark: Mark, path: PathKey, message: str, hint: str) -> None:
        self.problems.append((mark, path, message, hint))

    def issues(self, data: Any) -> list[Issue]:
        """The problems found while building, with paths rendered against the built data."""
        return [
            Issue(self.file, mark.line, mark.col, render_path(path, data), message, hint)
            for mark, path, message, hint in self.problems
        ]


def parse_text(text: str, file: str) -> tuple[Source | None, list[Issue]]:
    """Parse YAML/JSON text; returns the source (None if unparseable) and any issues."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem, hint = _explain_yaml_error(exc)
        return None, [Issue(file, line, col, "", f"invalid YAML: {problem}", hint)]
    except yaml.YAMLError as exc:
        return None, [Issue(file, 0, 0, "", f"invalid YAML: {exc}")]
    if node is None:
        hint = "start it with 'kind:' and 'version:' (drillsim schema lists the kinds)"
        return None, [Issue(file, 1, 1, "", "the document is empty", hint)]
    builder = _Builder(file)
    data = builder.build(node, ())
    return Source(file, data, builder.marks), builder.issues(data)


_CLOSERS = {"[": "]", "{": "}"}


def _explain_yaml_error(exc: yaml.MarkedYAMLError) -> tuple[str, str]:
    """PyYAML's problem in plainer words, and a hint naming the likely fix.

    PyYAML speaks of tokens (``<block end>``) and puts the opening bracket or quote of an
    unfinished flow collection or string in ``context_mark``: that position is the hint.
    """
    problem = exc.problem or exc.context or "unreadable text"
    context = exc.context or ""
    opened = exc.context_mark
    if "'\\t'" in problem:
        return "a tab character cannot start a line or a value", "indent with spaces, not tabs"
    if problem.startswith("expected <block end>"):
        return (
            "unexpected indentation",
            "keys of one mapping, and items of one list, start in the same column",
        )
    if opened is not None and ("flow" in context or "quoted scalar" in context):
        where = f"line {opened.line + 1}, column {opened.column + 1}"
        char = opened.buffer[opened.pointer] if opened.buffer else ""
        if char and char in "'\"":
            return problem, f"close the quoted string opened at {where}"
        if char in _CLOSERS:
            return problem, f"the {char!r} at {where} needs a matching {_CLOSERS[char]!r}"
    if problem == "mapping values are not allowed here":
        return problem, "quote a value that contains ': ', or check the indentation of this line"
    if context == "expected a single document in the stream":
        return "more than one document (a second '---')", "keep one document per file"
    return problem, "check indentation and quoting around this position"


def read_source(path: Path, display: str | None = None) -> tuple[Source | None, list[Issue]]:
    """Read and parse one file; a missing or undecodable file is an issue, not a crash."""
    file = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Issue(file, 0, 0, "", "file not found")]
    except IsADirectoryError:
        return None, [Issue(file, 0, 0, "", "is a directory, not a file")]
    except UnicodeDecodeError as exc:
        return None, [Issue(file, 0, 0, "", f"not UTF-8 text ({exc.reason})")]
    return parse_text(text, file)


ID_KEYS = ("name", "alert")


def render_path(path: PathKey, data: Any) -> str:
    """Render ``('faults', 2, 'target')`` as ``faults[2].target``.

    List items that carry an id key render as ``[name='x']`` so a reader finds them
    without counting.
    """
    out = ""
    cursor = data
    for part in path:
        if isinstance(part, int):
            item = cursor[part] if isinstance(cursor, list) and 0 <= part < len(cursor) else None
            id_key = next(
                (k for k in ID_KEYS if isinstance(item, dict) and isinstance(item.get(k), str)),
                None,
            )
            out += (
                f"[{id_key}={item[id_key]!r}]" if id_key and isinstance(item, dict) else f"[{part}]"
            )
            cursor = item
        else:
            out += f".{part}" if out else str(part)
            cursor = cursor.get(part) if isinstance(cursor, dict) else None
    return out
