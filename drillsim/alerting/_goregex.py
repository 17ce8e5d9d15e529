"""Translate Go RE2 regular expressions into Python ``re`` patterns with the same meaning.

Alertmanager compiles matcher regexes with Go's ``regexp`` (RE2 syntax). Python's ``re``
reads most of that syntax identically, but not all of it: ``\\d``, ``\\w``, ``\\s`` and
``\\b`` are ASCII-only in Go and Unicode-aware in Python; ``$`` is end-of-text in Go but
also matches before a final newline in Python; Go allows ``(?i)`` anywhere while Python
3.11 rejects global flags after the start; and Python accepts lookarounds,
backreferences and possessive quantifiers that Go rejects. A configuration Alertmanager
refuses must be refused here too, and one it accepts must match the same strings, so
patterns are rewritten rather than passed through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["compile_anchored", "translate"]

_WORD = "0-9A-Za-z_"
_SPACE = "\\t\\n\\f\\r "
_OUTSIDE_CLASS = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
    "z": "\\Z",
}
_INSIDE_CLASS = {"d": "0-9", "w": _WORD, "s": _SPACE}
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": _WORD,
    "xdigit": "0-9A-Fa-f",
}
_FLAG_GROUP = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")
_NAMED_GROUP = re.compile(r"\(\?P?<([A-Za-z0-9_]+)>")
_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


@dataclass(slots=True)
class _Group:
    """An open group while scanning: whether it is one we opened for a bare ``(?flags)``
    (closed together with its enclosing real group) and whether ``(?m)`` is in force."""

    virtual: bool
    multiline: bool


class _UnsupportedError(ValueError):
    """Why a pattern was refused; the caller adds the pattern the user wrote."""


def _hex_escape(pattern: str, i: int) -> tuple[str, int]:
    """Go's ``\\x{10FFFF}`` form, which Python lacks; returns (python text, next index)."""
    end = pattern.find("}", i + 3)
    digits = pattern[i + 3 : end] if end != -1 else ""
    if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise _UnsupportedError("invalid escape sequence \\x{")
    code = int(digits, 16)
    if code > 0x10FFFF:
        raise _UnsupportedError(f"invalid escape sequence \\x{{{digits}}}")
    return re.escape(chr(code)), end + 1


def _translate_class(pattern: str, i: int) -> tuple[str, int]:
    """A bracket expression starting at ``pattern[i] == '['``; returns (text, next index)."""
    out = ["["]
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        out.append("^")
        j += 1
    if j < len(pattern) and pattern[j] == "]":  # a leading ']' is literal in RE2
        out.append("\\]")
        j += 1
    while j < len(pattern):
        c = pattern[j]
        if c == "]":
            out.append("]")
            return "".join(out), j + 1
        if c == "\\":
            if j + 1 >= len(pattern):
                break
            n = pattern[j + 1]
            if n in "pP":
                raise _UnsupportedError(f"Unicode classes (\\{n}) are not supported by drillsim")
            if n == "x" and pattern.startswith("{", j + 2):
                text, j = _hex_escape(pattern, j)
                out.append(text)
                continue
            out.append(_INSIDE_CLASS.get(n, "\\" + n))
            j += 2
            continue
        if pattern.startswith("[:", j):
            end = pattern.find(":]", j + 2)
            name = pattern[j + 2 : end] if end != -1 else ""
            if name in _POSIX_CLASSES:
                out.append(_POSIX_CLASSES[name])
                j = end + 2
                continue
            if name.startswith("^") and name[1:] in _POSIX_CLASSES:
                raise _UnsupportedError(f"negated POSIX class [:{name}:] is not supported")
        if c in "[&~|":  # literal in RE2; Python warns about possible set operations
            out.append("\\" + c)
        else:
            out.append(c)
        j += 1
    raise _UnsupportedError("missing closing ]")


def _octal_escape(pattern: str, i: int) -> tuple[str, int]:
    """Go's octal escapes (``\\0``, ``\\12``, ``\\177``): Python would read most of them as
    backreferences. Returns (python text, next index)."""
    j = i + 1
    while j < len(pattern) and j < i + 4 and pattern[j] in "01234567":
        j += 1
    return re.escape(chr(int(pattern[i + 1 : j], 8))), j


def _translate(pattern: str) -> str:
    """:func:`translate` without the pattern in the error message."""
    out: list[str] = []
    stack = [_Group(virtual=False, multiline=False)]
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise _UnsupportedError("trailing backslash at end of expression")
            e = pattern[i + 1]
            if e == "0" or (e in "1234567" and i + 2 < n and pattern[i + 2] in "01234567"):
                text, i = _octal_escape(pattern, i)
                out.append(text)
                continue
            if e in "123456789":
                raise _UnsupportedError(f"backreferences (\\{e}) are not supported by RE2")
            if e in "pP":
                raise _UnsupportedError(f"Unicode classes (\\{e}) are not supported by drillsim")
            if e in "ZuUN":
                raise _UnsupportedError(f"invalid escape sequence \\{e}")
            if e == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 :] if end == -1 else pattern[i + 2 : end]
                out.append(re.escape(literal))
                i = n if end == -1 else end + 2
                continue
            if e == "x" and pattern.startswith("{", i + 2):
                text, i = _hex_escape(pattern, i)
                out.append(text)
                continue
            out.append(_OUTSIDE_CLASS.get(e, "\\" + e))
            i += 2
            continue
        if c == "[":
            text, i = _translate_class(pattern, i)
            out.append(text)
            continue
        if c == "{":
            repeat = _REPEAT.match(pattern, i)
            if repeat is None:  # RE2 reads a brace that is no repeat count as a literal
                out.append("\\{")
                i += 1
                continue
            if any(int(count) > 1000 for count in repeat.groups() if count):
                raise _UnsupportedError(f"invalid repeat count {repeat.group(0)}")
            out.append(repeat.group(0))
            i = repeat.end()
            if i < n and pattern[i] == "+":
                raise _UnsupportedError(f"invalid nested repetition operator {repeat.group(0)}+")
            continue
        if c == "(":
            multiline = stack[-1].multiline
            if pattern.startswith("(?", i):
                named = _NAMED_GROUP.match(pattern, i)
                flags = _FLAG_GROUP.match(pattern, i)
                if named:
                    out.append(f"(?P<{named.group(1)}>")
                    stack.append(_Group(virtual=False, multiline=multiline))
                    i = named.end()
                    continue
                if flags is None or flags.group(0) in ("(?)", "(?-)", "(?-:"):
                    raise _UnsupportedError(
                        "unsupported group syntax (RE2 has no lookarounds, "
                        "backreferences, atomic groups or comments)"
                    )
                on, off, kind = flags.group(1), flags.group(2) or "", flags.group(3)
                if "U" in on + off:
                    raise _UnsupportedError("the ungreedy flag U is not supported by drillsim")
                if "m" in on:
                    multiline = True
                if "m" in off:
                    multiline = False
                spec = on + (f"-{off}" if off else "")
                out.append(f"(?{spec}:" if spec else "(?:")
                # A bare (?flags) applies to the rest of the enclosing group: open a
                # scoped group now and close it when the enclosing group closes.
                stack.append(_Group(virtual=kind == ")", multiline=multiline))
                i = flags.end()
                continue
            out.append("(")
            stack.append(_Group(virtual=False, multiline=multiline))
            i += 1
            continue
        if c == ")":
            while len(stack) > 1 and stack[-1].virtual:
                stack.pop()
                out.append(")")
            if len(stack) == 1:
                raise _UnsupportedError("unexpected )")
            stack.pop()
            out.append(")")
            i += 1
            continue
        if c in "*+?" and i + 1 < n and pattern[i + 1] == "+":
            raise _UnsupportedError(f"invalid nested repetition operator {c}+")
        if c == "$" and not stack[-1].multiline:
            out.append("\\Z")  # Go's $ is end of text, never "before a final newline"
            i += 1
            continue
        out.append(c)
        i += 1
    while len(stack) > 1 and stack[-1].virtual:
        stack.pop()
        out.append(")")
    if len(stack) > 1:
        raise _UnsupportedError("missing closing )")
    return "".join(out)


def translate(pattern: str) -> str:
    """Rewrite a Go RE2 pattern as an equivalent Python ``re`` pattern.

    Args:
        pattern: the regex as written in an Alertmanager configuration or matcher.

    Returns:
        A Python pattern that matches the same strings.

    Raises:
        ValueError: the pattern is not valid RE2 (lookarounds, backreferences,
            possessive quantifiers, unbalanced parentheses ...) or uses a feature
            drillsim does not translate (Unicode classes ``\\p{..}``, flag ``U``).
    """
    try:
        return _translate(pattern)
    except _UnsupportedError as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None


def compile_anchored(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` the way Alertmanager does: ``^(?:pattern)$`` in Go.

    Use the result with ``.search``: Go concatenates the text, so a pattern with
    unbalanced parentheses such as ``a)|(b`` is anchored only on one side there, and
    ``search`` reproduces that faithfully (for balanced patterns it is as fast as
    ``fullmatch`` because of the leading ``^``).

    Raises:
        ValueError: the pattern is not valid RE2, or not supported; the message names
            the pattern as the user wrote it.
    """
    try:
        return re.compile(_translate("^(?:" + pattern + ")$"))
    except (_UnsupportedError, re.error) as exc:
        why = exc.msg if isinstance(exc, re.error) else str(exc)
        raise ValueError(f"invalid regular expression {pattern!r}: {why}") from None
