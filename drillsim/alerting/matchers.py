"""Alertmanager label matchers: ``name op value`` tests on an alert's label set.

Routes, inhibition rules and silences all select alerts with matchers, so their parsing,
matching and printing follow Alertmanager exactly:

* matching (``pkg/labels/matcher.go``): a missing label reads as ``""``; regexes are
  fully anchored, ``^(?:re)$``, in Go's RE2 syntax (see :mod:`._goregex`);
* parsing (``matcher/compat``, Alertmanager's default "fallback" mode): the classic
  parser (``pkg/labels/parse.go``) decides whenever it accepts the input, and the
  stricter UTF-8 parser (``matcher/parse``) is only consulted for input the classic one
  rejects, such as quoted label names;
* printing (``Matcher.String``/``Matchers.String``): used inside route keys, hence inside
  every group key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, Literal, cast

from drillsim.alerting._goregex import compile_anchored
from drillsim.alerting.labels import go_quote

__all__ = [
    "MatchOp",
    "Matcher",
    "matchers_from_legacy",
    "matchers_match",
    "matchers_string",
    "parse_matcher",
    "parse_matchers",
    "sort_matchers",
]

MatchOp = Literal["=", "!=", "=~", "!~"]
"""Matcher operators: equal, not equal, regex match, regex no-match."""

_OP_RANK: Final[dict[str, int]] = {"=": 0, "!=": 1, "=~": 2, "!~": 3}  # Go's MatchType order
_SYNTAX_HINT = "expected name, operator (=, !=, =~, !~) and value"

# Go's unicode.IsSpace; Python's str.isspace also accepts \x1c-\x1f, which Go does not.
_GO_SPACE: Final = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)
_RESERVED: Final = frozenset("{}!=~,\\\"'`") | _GO_SPACE  # matcher/parse isReserved
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")  # model.LabelNameRE, for match/match_re


@lru_cache(maxsize=4096)
def _compiled(value: str) -> re.Pattern[str]:
    """The anchored regex for ``value``, shared by every matcher with that value."""
    return compile_anchored(value)


def _negated(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    search = pattern.search

    def no_match(value: str) -> bool:
        return search(value) is None

    return no_match


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher, e.g. ``severity=~"warning|critical"``.

    Immutable and hashable on (name, op, value); the regex is compiled once when the
    matcher is made, so :meth:`matches` on the hot path is a dict lookup and one call.

    Attributes:
        name: the label name.
        op: ``=``, ``!=``, ``=~`` or ``!~``.
        value: the literal value, or the regex (without the implicit anchors).
    """

    name: str
    op: MatchOp
    value: str
    _test: Callable[[str], object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.op not in _OP_RANK:
            raise ValueError(f"unknown matcher operator {self.op!r}: use =, !=, =~ or !~")
        if not self.name:
            raise ValueError("a matcher needs a label name")
        test: Callable[[str], object]
        if self.op == "=":
            test = self.value.__eq__
        elif self.op == "!=":
            test = self.value.__ne__
        else:
            pattern = _compiled(self.value)
            test = pattern.search if self.op == "=~" else _negated(pattern)
        object.__setattr__(self, "_test", test)

    def __reduce__(self) -> tuple[Any, ...]:
        # The compiled test is a closure; rebuild it rather than pickling it, so route
        # trees can be shipped to worker processes.
        return (Matcher, (self.name, self.op, self.value))

    @property
    def is_regex(self) -> bool:
        """Whether the value is a regex (API ``isRegex``)."""
        return self.op in ("=~", "!~")

    @property
    def is_equal(self) -> bool:
        """Whether this is a positive matcher (API ``isEqual``: ``=`` or ``=~``)."""
        return self.op in ("=", "=~")

    @property
    def value_test(self) -> Callable[[str], object]:
        """The precompiled test on one label value, truthy when it matches.

        For hot loops that fetch it once (the routing tree does); it skips the
        ``bool()`` and method call of :meth:`matches_value`.
        """
        return self._test

    def matches_value(self, value: str) -> bool:
        """Whether a label value (``""`` for a missing label) satisfies the matcher."""
        return bool(self._test(value))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether the label set satisfies the matcher; a missing label reads as ``""``.

        So ``foo!="x"`` and ``foo=""`` both match alerts without ``foo``, as in
        Alertmanager.
        """
        return bool(self._test(labels.get(self.name, "")))

    def __str__(self) -> str:
        """Alertmanager's ``Matcher.String()``, which route keys are built from.

        Names with reserved characters are Go-quoted together with the value; otherwise
        the value gets OpenMetrics escaping only (backslash, newline, double quote).
        """
        if any(ch in _RESERVED for ch in self.name):
            return f"{go_quote(self.name)}{self.op}{go_quote(self.value)}"
        escaped = self.value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'


def sort_matchers(matchers: Iterable[Matcher]) -> tuple[Matcher, ...]:
    """Matchers in Alertmanager's order (``Matchers.Less``): name, then value, then op.

    Routes sort their matchers, so the order is part of the route key.
    """
    return tuple(sorted(matchers, key=lambda m: (m.name, m.value, _OP_RANK[m.op])))


def matchers_string(matchers: Iterable[Matcher]) -> str:
    """Alertmanager's ``Matchers.String()`` of the sorted matchers: ``{a="1",b=~"x"}``.

    Args:
        matchers: any matchers; they are sorted first, as a route sorts its own.

    Returns:
        The matchers in braces, joined by ``,`` without spaces; ``{}`` when empty.
    """
    return "{" + ",".join(str(m) for m in sort_matchers(matchers)) + "}"


def matchers_match(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """Whether every matcher matches the label set (AND; true for no matchers)."""
    return all(m.matches(labels) for m in matchers)


# --- parsing ---------------------------------------------------------------------------

_WS = "[\t\n\f\r ]"  # RE2's \s
_CLASSIC = re.compile(
    f"{_WS}*([a-zA-Z_:][a-zA-Z0-9_:]*){_WS}*(=~|=|!=|!~){_WS}*(.*?){_WS}*", re.DOTALL
)


class _MatcherSyntaxError(ValueError):
    """A parse failure; ``text`` is the matcher the user should look at."""

    def __init__(self, text: str, why: str) -> None:
        super().__init__(f"cannot parse matcher '{text}': {why}")


def _go_trim_space(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] in _GO_SPACE:
        start += 1
    while end > start and text[end - 1] in _GO_SPACE:
        end -= 1
    return text[start:end]


def _classic_one(text: str) -> Matcher:
    """``pkg/labels.ParseMatcher``: tolerant; values may be unquoted."""
    found = _CLASSIC.fullmatch(text)
    if found is None:
        raise _MatcherSyntaxError(_go_trim_space(text), _SYNTAX_HINT)
    name, op, raw = found.group(1), found.group(2), found.group(3)
    quoted = raw.startswith('"')
    if quoted:
        raw = raw[1:]
    unquote_hint = 'unescaped double quote in the value (write \\" for a literal quote)'
    out: list[str] = []
    escaped = False
    last = len(raw) - 1
    for i, ch in enumerate(raw):
        if escaped:
            escaped = False
            if ch == "n":
                out.append("\n")
            elif ch in '"\\':
                out.append(ch)
            else:  # a spurious escape is kept literally
                out.append("\\" + ch)
        elif ch == "\\":
            if i < last:
                escaped = True
            else:
                out.append("\\")
        elif ch == '"':
            if not quoted or i < last:
                raise _MatcherSyntaxError(_go_trim_space(text), unquote_hint)
            quoted = False
        else:
            out.append(ch)
    if quoted:
        raise _MatcherSyntaxError(_go_trim_space(text), unquote_hint)
    try:
        return Matcher(name, cast(MatchOp, op), "".join(out))
    except ValueError as exc:
        raise _MatcherSyntaxError(_go_trim_space(text), str(exc)) from None


def _classic_many(text: str) -> list[Matcher]:
    """``pkg/labels.ParseMatchers``: optional braces, commas outside quotes separate."""
    if text.startswith("{"):
        text = text[1:]
    if text.endswith("}"):
        text = text[:-1]
    tokens: list[str] = []
    buf: list[str] = []
    inside_quotes = escaped = False
    for ch in text:
        if ch == ",":
            if not inside_quotes:
                tokens.append("".join(buf))
                buf = []
                continue
        elif ch == '"':
            if escaped:
                escaped = False
            else:
                inside_quotes = not inside_quotes
        elif ch == "\\":
            escaped = not escaped
        else:
            escaped = False
        buf.append(ch)
    last = _go_trim_space("".join(buf))
    if last:
        tokens.append(last)
    matchers = []
    for token in tokens:
        if not _go_trim_space(token):
            raise _MatcherSyntaxError(text, "empty matcher (two commas in a row, or a lone comma?)")
        matchers.append(_classic_one(token))
    return matchers


_GO_SIMPLE_UNESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}


def _go_unquote(token: str) -> str:
    """Go's ``strconv.Unquote`` for a double-quoted token, then a UTF-8 validity check."""
    body = token[1:-1]
    if "\n" in body:
        raise ValueError("newline inside quotes")
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
            continue
        e = body[i + 1]  # the lexer guarantees a character after a backslash
        if e in _GO_SIMPLE_UNESCAPES:
            out.append(_GO_SIMPLE_UNESCAPES[e])
            i += 2
        elif e in '\\"':
            out += e.encode()
            i += 2
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError("bad hex escape")
            code = int(digits, 16)
            if e == "x":
                out.append(code)
            elif code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise ValueError("escape is not a valid rune")
            else:
                out += chr(code).encode()
            i += 2 + width
        elif e in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or any(c not in "01234567" for c in digits):
                raise ValueError("bad octal escape")
            code = int(digits, 8)
            if code > 255:
                raise ValueError("octal escape out of range")
            out.append(code)
            i += 4
        else:
            raise ValueError(f"unknown escape \\{e}")
    return out.decode("utf-8")  # UnicodeDecodeError is a ValueError


def _utf8_tokens(text: str) -> list[tuple[str, str]]:
    """Tokens of ``matcher/parse``: (kind, text) with kind one of ``{ } , op q u``."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "{},":
            tokens.append((ch, ch))
            i += 1
        elif ch == "=":
            op = "=~" if text.startswith("=~", i) else "="
            tokens.append(("op", op))
            i += len(op)
        elif ch == "!":
            if i + 1 >= n or text[i + 1] not in "=~":
                raise ValueError("expected != or !~")
            tokens.append(("op", text[i : i + 2]))
            i += 2
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise ValueError("missing closing quote")
            tokens.append(("q", text[i : j + 1]))
            i = j + 1
        elif ch in _GO_SPACE:
            i += 1
        elif ch not in _RESERVED:
            j = i
            while j < n and text[j] not in _RESERVED:
                j += 1
            tokens.append(("u", text[i:j]))
            i = j
        else:
            raise ValueError(f"invalid input {ch!r}")
    return tokens


_OPERAND = frozenset({"q", "u"})


def _utf8_many(text: str) -> list[Matcher]:
    """``matcher/parse.Matchers``: quoted or unquoted names and values, strict grammar."""
    tokens = _utf8_tokens(text)
    pos = 0

    def kind(at: int) -> str:
        return tokens[at][0] if at < len(tokens) else ""

    def string(at: int) -> str:
        k, raw = tokens[at]
        return _go_unquote(raw) if k == "q" else raw

    opened = kind(0) == "{"
    pos = int(opened)
    matchers: list[Matcher] = []
    if kind(pos) != "}":
        while pos < len(tokens):
            if kind(pos) not in _OPERAND or kind(pos + 1) != "op" or kind(pos + 2) not in _OPERAND:
                raise ValueError("expected a matcher")
            op = cast(MatchOp, tokens[pos + 1][1])
            matchers.append(Matcher(string(pos), op, string(pos + 2)))
            pos += 3
            if kind(pos) == ",":
                pos += 1
                if kind(pos) in _OPERAND:
                    continue
            break
    if opened:
        if kind(pos) != "}":
            raise ValueError("expected close brace")
        pos += 1
    elif kind(pos) == "}":
        raise ValueError("unexpected close brace")
    if pos != len(tokens):
        raise ValueError("expected end of input")
    return matchers


def _parse_many(text: str) -> list[Matcher]:
    try:
        return _classic_many(text)
    except _MatcherSyntaxError as classic:
        try:
            return _utf8_many(text)
        except ValueError:
            raise ValueError(str(classic)) from None


def parse_matcher(text: str) -> Matcher:
    """Parse exactly one matcher, as Alertmanager's ``compat.Matcher`` does.

    Accepts ``severity="critical"``, ``service=~"foo1|foo2"``, unquoted values
    (``env !~ preprod``), whitespace around the operator, escaped quotes inside quoted
    values, and quoted UTF-8 label names (``"service name"="x"``). Braces are refused:
    they belong to a list of matchers (:func:`parse_matchers`).

    Args:
        text: the matcher as the user wrote it.

    Returns:
        The matcher.

    Raises:
        ValueError: with a message naming the matcher and what is wrong with it.
    """
    if text.startswith("{") or text.endswith("}"):
        raise ValueError(
            f"cannot parse matcher '{text}': unexpected brace (braces enclose a list of "
            "matchers, not a single one)"
        )
    try:
        return _classic_one(text)
    except _MatcherSyntaxError as classic:
        try:
            found = _utf8_many(text)
        except ValueError:
            raise ValueError(str(classic)) from None
        if len(found) != 1:
            raise ValueError(str(classic)) from None
        return found[0]


def parse_matchers(text: str | Iterable[str]) -> tuple[Matcher, ...]:
    """Parse matchers as Alertmanager's configuration does (``compat.Matchers``).

    A string may hold several comma-separated matchers, optionally in braces with one
    trailing comma: ``{alertname="Watchdog", severity=~"warning|critical"}``. A list
    (a route's ``matchers:``) is parsed entry by entry, each entry like a string.

    Args:
        text: one string, or an iterable of strings.

    Returns:
        The matchers in input order (routes sort them; see :func:`sort_matchers`).

    Raises:
        ValueError: with a message naming the offending matcher.
    """
    if isinstance(text, str):
        return tuple(_parse_many(text))
    out: list[Matcher] = []
    for entry in text:
        out.extend(_parse_many(entry))
    return tuple(out)


def matchers_from_legacy(
    match: Mapping[str, str] | None = None, match_re: Mapping[str, str] | None = None
) -> tuple[Matcher, ...]:
    """Matchers for the deprecated ``match`` / ``match_re`` maps of routes and rules.

    As in Alertmanager, a ``match_re`` value is stored as the compiled source,
    ``^(?:re)$``, so it appears with those anchors in route keys: ``match_re:
    {owner: 'team-(B|C)'}`` prints as ``owner=~"^(?:team-(B|C))$"``.

    Args:
        match: label name to exact value.
        match_re: label name to regex.

    Returns:
        The matchers, equality ones first, each group in name order.

    Raises:
        ValueError: a label name is not a classic Prometheus label name, or a regex is
            invalid.
    """
    out: list[Matcher] = []
    for ops, mapping in (("=", match or {}), ("=~", match_re or {})):
        for name in sorted(mapping):
            if _LABEL_NAME.fullmatch(name) is None:
                raise ValueError(f"invalid label name {name!r}")
            value = mapping[name]
            if ops == "=~":
                out.append(Matcher(name, "=~", "^(?:" + value + ")$"))
            else:
                out.append(Matcher(name, "=", value))
    return tuple(out)
