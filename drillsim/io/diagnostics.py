"""Turn pydantic validation errors into located, human issues.

Pydantic reports a ``loc`` path into the data; the source map turns it into
``file:line:col``, the data turns it into a readable path, and the model tells which keys
would have been allowed (for the did-you-mean hint).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from drillsim.errors import Issue
from drillsim.io.yamlsource import Mark, PathKey, Source, render_path


def first_error(exc: ValidationError) -> str:
    """The first problem of a validation error as ``path: message``, for data that has no
    source positions (generated from an import, or built by a command)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg'].removeprefix('Value error, ')}"


def validation_issues(
    source: Source, error: ValidationError, model: type[BaseModel]
) -> list[Issue]:
    """One issue per pydantic error, located in ``source``."""
    issues = []
    for err in error.errors(include_url=False):
        path = _data_path(source.data, err["loc"])
        issues.append(_issue(source, model, path, err))
    return issues


def _has(container: Any, part: Any) -> bool:
    """Whether ``container[part]`` exists (a dict key or an in-range list index)."""
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Follow ``loc`` through the data, dropping parts that are not data keys.

    Pydantic inserts union-member and validator tags (``KOfN``, ``function-after[...]``)
    into ``loc``; those never name a key in the YAML.
    """
    out: list[str | int] = []
    cursor = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if _has(cursor, part):
            out.append(part)
            cursor = cursor[part]
        elif isinstance(cursor, dict) and last and isinstance(part, str | int):
            out.append(part)  # a missing key: keep it so the message can name it
        elif isinstance(cursor, dict) and isinstance(part, str) and _is_key_of_model(part):
            out.append(part)
            cursor = None
    return tuple(out)


def _is_key_of_model(part: str) -> bool:
    return part.isidentifier() and not part[0].isupper()


def _issue(source: Source, model: type[BaseModel], path: PathKey, err: Any) -> Issue:
    kind = err["type"]
    msg = str(err["msg"])
    hint = ""
    present = _exists(source.data, path)
    if kind == "missing":
        parent, key = path[:-1], path[-1]
        mark = source.marks.value(parent)
        return _at(
            source, mark, parent, f"missing required key {key!r}", f"add '{key}:' to this mapping"
        )
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = _allowed_keys(model, path[:-1], source.data)
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"allowed keys: {', '.join(allowed)}" if allowed else ""
        if close:
            hint += f" (did you mean {close[0]!r}?)"
        return _at(source, source.marks.key(path), path[:-1], f"unexpected key {key!r}", hint)
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = err.get("input")
    mark = source.marks.value(path) if present else source.marks.value(path[:-1])
    if kind == "value_error" and present:
        placed, msg, hint, at_key = _place_model_error(source.data, model, path, msg)
        if placed != path:
            path, value = placed, _get(source.data, placed)
            mark = source.marks.key(path) if at_key else source.marks.value(path)
    if kind in ("too_short",) and err.get("ctx", {}).get("min_length") == 1:
        msg = "must not be empty"
        hint = "list at least one item" if isinstance(value, list) else "add an entry"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        msg = msg.replace("Input should be", "must be")
        hint = _bound_hint(kind, err.get("ctx", {}))
    elif kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        msg = f"unknown value {err.get('input')!r}"
        close = difflib.get_close_matches(str(err.get("input")), options, n=1)
        hint = f"expected one of: {', '.join(options)}"
        if close:
            hint += f" (did you mean {close[0]!r}?)"
    elif kind in (
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "dict_type",
        "list_type",
        "model_type",
        "int_parsing",
        "float_parsing",
        "bool_parsing",
    ):
        msg = _type_message(kind, err.get("input"))
        hint = _type_hint(kind, err.get("input"))
    if mark is not None and mark.plain and mark.raw is not None:
        hint = hint or _yaml11_hint(mark, value, msg)
    if not hint and "duration" in msg:
        hint = _duration_hint(msg, value)
    if not hint and msg == "must be > 0":
        hint = "give a positive duration, e.g. 30s"
    if not hint and "time zone" in msg and "unknown" in msg:
        hint = _tz_hint(err.get("input"))
    return _at(source, mark, path, _lower_first(msg), hint)


_WORD_RE = re.compile(r"(?<![\w-])\w+(?![\w-])")  # whole words, not parts of eu-west


def _place_model_error(
    data: Any, model: type[BaseModel], path: PathKey, msg: str
) -> tuple[PathKey, str, str, bool]:
    """Locate a whole-mapping error (a model validator's) at the key it is about.

    Such an error carries the path of the mapping, not of the value at fault. When the
    message names exactly one key of that mapping which is present (``'until: self-heal'
    needs 'lasts'``, ``a zone target is written region/zone``), point at that key's value,
    dropping a leading ``key:`` from the message; in a free-form mapping (``weights``),
    point at the quoted key itself. A rule that wants exactly one of several keys gets a
    hint saying which of them were given. Returns (path, message, hint, at the key).
    """
    value = _get(data, path)
    if not isinstance(value, dict):
        return path, msg, "", False
    allowed = _allowed_keys(model, path, data)
    if not allowed:
        quoted = [k for k in value if isinstance(k, str) and repr(k) in msg]
        if len(quoted) == 1:
            return (*path, quoted[0]), msg, "", True
        return path, msg, "", False
    words = set(_WORD_RE.findall(msg))
    named = [k for k in allowed if k in words]
    given = [k for k in named if k in value]
    if "exactly one of" in msg or "either" in msg:
        if len(given) > 1:
            listed = " and ".join(repr(k) for k in given)
            both = "both" if len(given) == 2 else "all"
            return path, msg, f"{listed} are {both} given; keep one", False
        if not given:
            return path, msg, f"add one of: {', '.join(named)}" if named else "", False
    if len(given) == 1:
        key = given[0]
        return (*path, key), msg.removeprefix(f"{key}: "), "", False
    return path, msg, "", False


def _get(data: Any, path: PathKey) -> Any:
    cursor = data
    for part in path:
        cursor = cursor[part]
    return cursor


_UNIT_WORDS = {
    "ms": "ms",
    "msec": "ms",
    "msecs": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "week": "w",
    "weeks": "w",
}


def _duration_hint(msg: str, value: Any) -> str:
    """What to write instead of a bad duration: the fixed text when it is obvious."""
    from drillsim.spec.durations import parse_duration

    forms = "use forms like 90s, 15m, 1h30m, 3d"
    if not isinstance(value, str):
        return forms
    if "negative" in msg:
        return f"write {value.strip().lstrip('-')!r}, without the minus sign"
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)", value)
    suggestion = "".join(n + _UNIT_WORDS.get(u.lower(), "?") for n, u in parts)
    try:
        parse_duration(suggestion)
    except ValueError:
        return forms
    return f"write {suggestion!r} ({forms.removeprefix('use ')})"


def _type_message(kind: str, value: Any) -> str:
    wanted = {
        "string_type": "a string",
        "int_type": "an integer",
        "int_parsing": "an integer",
        "float_type": "a number",
        "float_parsing": "a number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "dict_type": "a mapping",
        "list_type": "a list",
        "model_type": "a mapping",
    }[kind]
    return f"expected {wanted}, got {_describe(value)}"


def _bound_hint(kind: str, ctx: dict[str, Any]) -> str:
    """What to write instead of a number out of bounds: ``use 1 or more``."""
    limit = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), None)
    if limit is None:
        return ""
    return {
        "greater_than_equal": f"use {limit} or more",
        "greater_than": f"use a value above {limit}",
        "less_than_equal": f"use {limit} or less",
        "less_than": f"use a value below {limit}",
    }[kind]


def _type_hint(kind: str, value: Any) -> str:
    """How to write the expected type, from the value given where that helps."""
    if kind in ("int_type", "int_parsing"):
        if isinstance(value, float) and not isinstance(value, bool):
            return f"a whole number: {int(value)} or {int(value) + 1}"
        return "write a whole number in digits, without quotes, e.g. 3"
    if kind in ("float_type", "float_parsing"):
        return "write a number in digits, without quotes, e.g. 0.5"
    if kind in ("bool_type", "bool_parsing"):
        return "write true or false"
    if kind == "list_type":
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return f"a list of one is written in brackets: [{value}]"
        return "write a list: [a, b] or one '- item' per line"
    if kind in ("dict_type", "model_type"):
        return "write a mapping: 'key: value' lines, or {key: value}"
    if kind == "string_type" and isinstance(value, dict | list):
        return "write a single value; quote it if it contains ':' or starts with '[' or '{'"
    if kind == "string_type":
        return f'quote it to keep it as text: "{value}"'
    return ""


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _yaml11_hint(mark: Mark, value: Any, msg: str) -> str:
    raw = mark.raw or ""
    if isinstance(value, bool) and raw.lower() not in ("true", "false"):
        return f'YAML 1.1 reads unquoted {raw} as a boolean; quote the value: "{raw}"'
    if isinstance(value, int) and ":" in raw:
        return f'YAML 1.1 reads unquoted {raw} as the number {value}; quote it: "{raw}"'
    if isinstance(value, int | float) and not isinstance(value, bool) and "duration" in msg:
        return f'give a unit, e.g. "{raw}s" or "{raw}m"' if raw.replace(".", "").isdigit() else ""
    return ""


def _tz_hint(value: Any) -> str:
    from zoneinfo import available_timezones

    close = difflib.get_close_matches(str(value), sorted(available_timezones()), n=1)
    return (
        f"use an IANA name (did you mean {close[0]!r}?)"
        if close
        else "use an IANA name like Europe/Berlin"
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _exists(data: Any, path: PathKey) -> bool:
    cursor = data
    for part in path:
        if _has(cursor, part):
            cursor = cursor[part]
        else:
            return False
    return True


def _at(source: Source, mark: Mark | None, path: PathKey, message: str, hint: str) -> Issue:
    line, col = (mark.line, mark.col) if mark else (0, 0)
    return Issue(source.file, line, col, render_path(path, source.data), message, hint)


def _allowed_keys(model: type[BaseModel], path: PathKey, data: Any) -> list[str]:
    """Keys the model accepts at ``path`` (by alias), following fields and containers."""
    candidates: list[Any] = [model]
    for part in path:
        if isinstance(part, int):
            candidates = [a for c in candidates for a in _items_of(c)]
            continue
        nxt: list[Any] = []
        for c in candidates:
            for m in _models_in(c):
                for name, info in m.model_fields.items():
                    if (info.alias or name) == part:
                        nxt.append(info.annotation)
            nxt.extend(a for a in _values_of(c))
        candidates = nxt
    keys: list[str] = []
    for c in candidates:
        for m in _models_in(c):
            keys.extend(info.alias or n for n, info in m.model_fields.items())
    return sorted(dict.fromkeys(keys), key=keys.index)


def _args(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) is typing.Annotated:
        return _args(typing.get_args(tp)[0])
    return typing.get_args(tp)


def _models_in(tp: Any) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(tp) for m in _models_in(a)]
    return []


def _items_of(tp: Any) -> list[Any]:
    out: list[Any] = []
    for t in [
        tp,
        *(a for a in _args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType)),
    ]:
        if typing.get_origin(t) in (list, tuple):
            out.extend(typing.get_args(t)[:1])
    return out


def _values_of(tp: Any) -> list[Any]:
    out = []
    for t in [
        tp,
        *(a for a in _args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType)),
    ]:
        if typing.get_origin(t) is dict:
            out.append(typing.get_args(t)[1])
    return out
