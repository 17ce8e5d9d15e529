"""Issues located in an imported file: an error at a value, a warning at a key."""

from __future__ import annotations

from dataclasses import replace

from drillsim.errors import Issue
from drillsim.io.yamlsource import PathKey, Source, render_path

__all__ = ["error_at", "warning_at"]


def error_at(source: Source, path: PathKey, message: str, hint: str = "") -> Issue:
    """An error at the value under ``path`` (the start of the file if it has no place)."""
    mark = source.marks.value(path)
    line, col = (mark.line, mark.col) if mark else (1, 1)
    return Issue(source.file, line, col, render_path(path, source.data), message, hint)


def warning_at(source: Source, path: PathKey, message: str, hint: str = "") -> Issue:
    """A warning at the key ``path`` ends with (an unsupported field), named by its parent."""
    mark = source.marks.key(path)
    line, col = (mark.line, mark.col) if mark else (1, 1)
    issue = Issue(source.file, line, col, render_path(path[:-1], source.data), message, hint)
    return replace(issue, severity="warning")
