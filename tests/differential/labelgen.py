"""Seeded label sets that exercise an Alertmanager routing tree, for differential tests.

The generator reads a configuration's ``route:`` tree as plain YAML data (``match``,
``match_re`` and ``matchers`` of every route), independently of drillsim's own parser, and
draws label sets of these kinds (each :class:`LabelCase` says which):

``hit``
    satisfies every matcher on the path from the root to one route (deep routes are
    drawn as often as shallow ones);
``miss:eq`` / ``miss:re-*`` / ``miss:neg``
    a ``hit`` with one matcher on the path broken: an equality value altered, a regex
    value that contains a match only as a substring (``xfoo1``, ``foo1-canary``), has a
    trailing newline (Python's ``$`` trap), changes case, is padded with a space, joins
    two alternatives, is the regex text itself, or uses non-ASCII digits; a negative
    matcher (``!=``, ``!~``) given the very value it excludes;
``missing``
    a ``hit`` with one label a matcher names removed (Alertmanager reads it as ``""``);
``fanout``
    the union of a ``hit`` on a ``continue: true`` route and a ``hit`` on a later sibling
    (or a descendant of one), so several receivers are notified;
``random``
    every label name the tree mentions, each absent or drawn from its pool of hits and
    traps;
``noise``
    labels the tree never mentions, with awkward values (quotes, backslashes, commas,
    braces, newlines, non-ASCII).

The stream starts with a sweep that draws each applicable kind once for every route and
matcher (so rare traps on deeply nested routes are never left out), then continues with
random draws. Every case also carries a few noise labels. All randomness comes from one
``numpy.random.Generator`` seeded by the caller; there is no global random state.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

try:  # Python 3.11+: the regex parser lives in re._parser
    import re._constants as _sre_const
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre_const  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = [
    "Draws",
    "LabelCase",
    "RouteMatcher",
    "RouteSpec",
    "amtool_label_args",
    "generate_label_sets",
    "harvest_routes",
    "iter_label_cases",
    "parse_matcher_strings",
    "regex_samples",
]

OPS = ("=~", "!~", "!=", "=")  # longest first for parsing


@dataclass(frozen=True)
class RouteMatcher:
    """One matcher harvested from the YAML: ``name op value`` (regexes unanchored)."""

    name: str
    op: str
    value: str


@dataclass(frozen=True)
class RouteSpec:
    """One route of the tree: where it is, its own matchers and its ``continue``."""

    path: tuple[int, ...]  # child indices from the root; () is the root
    matchers: tuple[RouteMatcher, ...]
    continue_: bool
    receiver: str | None
    children: tuple[tuple[int, ...], ...] = field(default=())


@dataclass(frozen=True)
class LabelCase:
    """A generated label set and the kind of case it was drawn as."""

    kind: str
    labels: dict[str, str]

    def key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.labels.items()))


class Draws:
    """Buffered draws from one ``numpy.random.Generator``: scalar numpy calls cost
    microseconds each, and the 100,000-case batch test makes millions of them."""

    def __init__(self, rng: Draws, block: int = 8192) -> None:
        self._rng = rng
        self._block = block
        self._buf: list[float] = []
        self._tapes: dict[str, str] = {}

    def random(self) -> float:
        if not self._buf:
            self._buf = self._rng.random(self._block).tolist()
        return self._buf.pop()

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``."""
        return min(int(self.random() * n), n - 1)

    def between(self, lo: int, hi: int) -> int:
        """A uniform integer in ``[lo, hi]``."""
        return lo + self.below(hi - lo + 1)

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.below(len(seq))]

    def text(self, alphabet: str, size: int) -> str:
        """``size`` characters drawn uniformly from ``alphabet``.

        Cut from a long string drawn in one vectorised call per alphabet, at a random
        offset, so short strings cost one draw instead of one per character.
        """
        tape = self._tapes.get(alphabet)
        if tape is None:
            chars = np.array(list(alphabet))
            tape = "".join(chars[self._rng.integers(len(alphabet), size=1 << 16)])
            self._tapes[alphabet] = tape
        start = self.below(len(tape) - size)
        return tape[start : start + size]


# --- harvesting ------------------------------------------------------------------------

_MATCHER_RE = re.compile(
    r"\s*([^\s=!~{},\"]+|\"(?:[^\"\\]|\\.)*\")\s*(=~|!~|!=|=)\s*(.*?)\s*", re.S
)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        body = text[1:-1]
        out, i = [], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]  # as Alertmanager's classic parser: \n, \", \\ only
                out.append({"n": "\n", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)
    return text


def _split_outside_quotes(text: str) -> list[str]:
    parts, buf, quoted, escaped = [], [], False, False
    for ch in text:
        if ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
            continue
        if ch == '"' and not escaped:
            quoted = not quoted
        escaped = ch == "\\" and not escaped
        buf.append(ch)
    parts.append("".join(buf))
    return [p for p in parts if p.strip()]


def parse_matcher_strings(texts: Sequence[str]) -> list[RouteMatcher]:
    """A small, forgiving reading of ``matchers:`` entries; unparseable ones are skipped.

    Only label names and candidate values are needed, so this does not try to be an exact
    copy of Alertmanager's parser (that is what the differential test is checking).
    """
    out = []
    for text in texts:
        body = str(text).strip()
        if body.startswith("{") and body.endswith("}"):
            body = body[1:-1]
        for part in _split_outside_quotes(body):
            found = _MATCHER_RE.fullmatch(part)
            if found:
                name = _unquote(found.group(1))
                out.append(RouteMatcher(name, found.group(2), _unquote(found.group(3))))
    return out


def _yaml_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def harvest_routes(route: Mapping[str, Any]) -> list[RouteSpec]:
    """Every route of a raw ``route:`` mapping, depth first, with its own matchers."""
    specs: list[RouteSpec] = []

    def visit(node: Mapping[str, Any], path: tuple[int, ...]) -> None:
        matchers = [
            RouteMatcher(str(k), "=", _yaml_str(v)) for k, v in (node.get("match") or {}).items()
        ]
        matchers += [
            RouteMatcher(str(k), "=~", _yaml_str(v))
            for k, v in (node.get("match_re") or {}).items()
        ]
        matchers += parse_matcher_strings(node.get("matchers") or [])
        children = node.get("routes") or []
        specs.append(
            RouteSpec(
                path=path,
                matchers=tuple(matchers),
                continue_=bool(node.get("continue", False)),
                receiver=node.get("receiver"),
                children=tuple((*path, i) for i in range(len(children))),
            )
        )
        for i, child in enumerate(children):
            visit(child, (*path, i))

    visit(route, ())
    return specs


# --- regex sampling --------------------------------------------------------------------

_PRINTABLE = string.ascii_letters + string.digits + "-_.:/"
_MAX_EXTRA_REPEAT = 3


def _class_chars(items: list[tuple[Any, Any]]) -> tuple[bool, list[str]]:
    """(negated, candidate characters) of a parsed character class."""
    negated, chars = False, []
    for op, arg in items:
        if op is _sre_const.NEGATE:
            negated = True
        elif op is _sre_const.LITERAL:
            chars.append(chr(arg))
        elif op is _sre_const.RANGE:
            lo, hi = arg
            chars.extend(chr(c) for c in range(lo, min(hi, lo + 40) + 1))
        elif op is _sre_const.CATEGORY:
            chars.extend(_category_chars(arg))
    return negated, chars


def _category_chars(category: Any) -> list[str]:
    name = str(category)
    if "DIGIT" in name and "NOT" not in name:
        return list(string.digits)
    if "SPACE" in name and "NOT" not in name:
        return [" ", "\t"]
    if "WORD" in name and "NOT" not in name:
        return list(string.ascii_letters + string.digits + "_")
    return list("-.:/ ")


def _sample_parsed(items: Any, rng: Draws, out: list[str]) -> None:
    for op, arg in items:
        if op is _sre_const.LITERAL:
            out.append(chr(arg))
        elif op is _sre_const.NOT_LITERAL:
            out.append(next(c for c in _PRINTABLE if ord(c) != arg))
        elif op is _sre_const.ANY:
            out.append(rng.pick(_PRINTABLE))
        elif op is _sre_const.IN:
            negated, chars = _class_chars(arg)
            outside = [c for c in _PRINTABLE if c not in chars] or ["~"]
            out.append(rng.pick(outside if negated else chars or ["a"]))
        elif op is _sre_const.BRANCH:
            branches = arg[1]
            _sample_parsed(rng.pick(branches), rng, out)
        elif op is _sre_const.SUBPATTERN:
            _sample_parsed(arg[-1], rng, out)
        elif op in (_sre_const.MAX_REPEAT, _sre_const.MIN_REPEAT):
            lo, hi, sub = arg
            hi = lo + _MAX_EXTRA_REPEAT if hi is _sre_const.MAXREPEAT else min(hi, lo + 3)
            for _ in range(rng.between(lo, hi)):
                _sample_parsed(sub, rng, out)
        elif op is _sre_const.CATEGORY:
            chars = _category_chars(arg)
            out.append(rng.pick(chars))
        # AT (anchors), ASSERT, GROUPREF...: contribute nothing


def _literal_alternatives(pattern: str) -> list[str]:
    """Fallback for patterns Python cannot parse: the plain words between ``|``."""
    stripped = pattern.strip("^$()")
    return [p for p in stripped.split("|") if p and re.fullmatch(r"[\w.:/-]+", p)]


_LEADING_FLAGS = re.compile(r"\(\?[a-zA-Z]+\)")


@lru_cache(maxsize=256)
def _anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` fully anchored; leading ``(?i)``-style flags stay in front (Python
    rejects global flags anywhere else)."""
    flags = _LEADING_FLAGS.match(pattern)
    head = flags.group(0) if flags else ""
    return re.compile(f"{head}(?:{pattern[len(head) :]})\\Z")


def regex_samples(pattern: str, rng: Draws, n: int = 6) -> list[str]:
    """Up to ``n`` distinct strings that the fully anchored ``pattern`` should match.

    Every alternative of a top-level ``a|b|c`` is tried, then random draws. Python's
    ``re`` stands in for RE2 when filtering; the differential test does not rely on it.
    """
    try:
        parsed = _sre_parse.parse(pattern)
        anchored = _anchored(pattern)
    except (re.error, OverflowError, RecursionError):
        return _literal_alternatives(pattern)[:n]
    found: list[str] = []
    for alt in _literal_alternatives(pattern):
        if anchored.match(alt) and alt not in found:
            found.append(alt)
    for _ in range(8 * n):
        if len(found) >= n:
            break
        out: list[str] = []
        _sample_parsed(parsed, rng, out)
        text = "".join(out)
        if "\x00" not in text and anchored.match(text) and text not in found:
            found.append(text)
    return found[:n]


_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _regex_traps(pattern: str, hits: Sequence[str]) -> list[tuple[str, str]]:
    """(kind, value) pairs that look like matches of ``pattern`` but should not be."""
    traps: list[tuple[str, str]] = []
    for hit in hits[:3]:
        traps += [
            ("miss:re-substring", f"x{hit}"),
            ("miss:re-substring", f"{hit}-canary"),
            ("miss:re-substring", f"pre-{hit}-post"),
            ("miss:re-newline", f"{hit}\n"),
            ("miss:re-newline", f"\n{hit}"),
            ("miss:re-space", f" {hit}"),
            ("miss:re-space", f"{hit} "),
        ]
        if hit.swapcase() != hit:
            traps.append(("miss:re-case", hit.swapcase()))
        if "\\w" in pattern and re.search("[A-Za-z]", hit):  # Go's \w is ASCII only
            traps.append(("miss:re-unicode-word", re.sub("[A-Za-z]([^A-Za-z]*)$", "é\\1", hit)))
        if "." in pattern and len(hit) >= 2:  # Go's . does not match a newline
            middle = len(hit) // 2
            traps.append(("miss:re-newline", f"{hit[:middle]}\n{hit[middle + 1 :]}"))
        if hit.translate(_ARABIC_INDIC) != hit:
            traps.append(("miss:re-unicode-digit", hit.translate(_ARABIC_INDIC)))
    if len(hits) >= 2:
        traps.append(("miss:re-joined", hits[0] + hits[1]))
        traps.append(("miss:re-joined", f"{hits[0]}|{hits[1]}"))
    traps.append(("miss:re-source", pattern))
    return traps


def _eq_traps(value: str) -> list[tuple[str, str]]:
    traps = [
        ("miss:eq", f"{value}x"),
        ("miss:eq", f"x{value}"),
        ("miss:eq", f"{value}\n"),
        ("miss:eq", f" {value}"),
        ("miss:eq", value[:-1]),
    ]
    if value.swapcase() != value:
        traps.append(("miss:eq", value.swapcase()))
    return traps


# --- noise -----------------------------------------------------------------------------

_NOISE_NAME_HEAD = string.ascii_lowercase + "_"
_NOISE_NAME_TAIL = string.ascii_lowercase + string.digits + "_"
_NOISE_VALUE_CHARS = (
    string.ascii_letters + string.digits + " -_.:/=~!,{}\"'\\|^$*+?()[]\n\t" + "äßé✓日本"
)


def _noise_name(rng: Draws, avoid: set[str]) -> str:
    while True:
        size = rng.between(1, 9)
        name = "n_" + rng.pick(_NOISE_NAME_HEAD) + rng.text(_NOISE_NAME_TAIL, size - 1)
        if name not in avoid:
            return name


def _noise_value(rng: Draws) -> str:
    return rng.text(_NOISE_VALUE_CHARS, rng.between(0, 13))


# --- generation ------------------------------------------------------------------------


class _Tree:
    """Harvested routes with, per matcher, values that satisfy it and values that don't."""

    def __init__(self, route: Mapping[str, Any], rng: Draws) -> None:
        self.specs = {s.path: s for s in harvest_routes(route)}
        self.non_root = [p for p in self.specs if p]
        self.names = sorted({m.name for s in self.specs.values() for m in s.matchers})
        self.hits: dict[RouteMatcher, list[str]] = {}
        self.traps: dict[RouteMatcher, list[tuple[str, str]]] = {}
        for spec in self.specs.values():
            for m in spec.matchers:
                if m in self.hits:
                    continue
                if m.op == "=":
                    self.hits[m], self.traps[m] = [m.value], _eq_traps(m.value)
                elif m.op == "=~":
                    hits = regex_samples(m.value, rng)
                    self.hits[m], self.traps[m] = hits, _regex_traps(m.value, hits)
                elif m.op == "!=":
                    self.hits[m], self.traps[m] = [f"not-{m.value}", ""], [("miss:neg", m.value)]
                else:  # !~
                    bad = regex_samples(m.value, rng)
                    self.hits[m] = [f"not-{b}" for b in bad] + ["zz-other"]
                    self.traps[m] = [("miss:neg", b) for b in bad]
        # Each label name's pool for ``random`` cases: all hits and traps for that name.
        self.pool: dict[str, list[str]] = {}
        for m, hits in self.hits.items():
            values = hits + [v for _, v in self.traps[m]]
            self.pool.setdefault(m.name, []).extend(values)
        self.joint: dict[tuple[int, ...], dict[str, list[str]]] = {}
        self.fanout_pairs = [
            (a, b)
            for a in self.non_root
            if self.specs[a].continue_
            for b in self._later_relatives(a)
        ]

    def _later_relatives(self, path: tuple[int, ...]) -> list[tuple[int, ...]]:
        parent, index = path[:-1], path[-1]
        return [
            p
            for p in self.non_root
            if len(p) > len(parent) and p[: len(parent)] == parent and p[len(parent)] > index
        ]

    def path_matchers(self, path: tuple[int, ...]) -> list[RouteMatcher]:
        out: list[RouteMatcher] = []
        for depth in range(len(path) + 1):
            out.extend(self.specs[path[:depth]].matchers)
        return out

    def _joint_values(self, matchers: list[RouteMatcher], rng: Draws) -> list[str]:
        """Values of one label that every matcher in ``matchers`` (all on that label)
        accepts; ``""`` stands for leaving the label out."""
        candidates = [v for m in matchers for v in self.hits[m]]
        if len(matchers) > 1:  # e.g. code=~"\\d{3}" then code=~"5..": draw harder
            for m in matchers:
                if m.op == "=~":
                    candidates += regex_samples(m.value, rng, n=40)
        return [
            v
            for v in dict.fromkeys(candidates)
            if all(_accepts(m, v) is not False for m in matchers)
        ]

    def satisfy(self, path: tuple[int, ...], rng: Draws) -> dict[str, str] | None:
        """Labels meeting every matcher from the root to ``path``, or None if impossible."""
        joint = self.joint.get(path)
        if joint is None:
            by_name: dict[str, list[RouteMatcher]] = {}
            for m in self.path_matchers(path):
                by_name.setdefault(m.name, []).append(m)
            joint = {name: self._joint_values(ms, rng) for name, ms in by_name.items()}
            self.joint[path] = joint
        labels: dict[str, str] = {}
        for name, values in joint.items():
            if not values:
                return None
            value = rng.pick(values)
            if value:  # "" (a negative matcher's favourite) means: leave the label out
                labels[name] = value
        return labels


def _accepts(m: RouteMatcher, value: str) -> bool | None:
    """Python's opinion of whether ``m`` matches ``value`` (None if the regex won't compile)."""
    if m.op == "=":
        return value == m.value
    if m.op == "!=":
        return value != m.value
    try:
        found = _anchored(m.value).match(value) is not None
    except re.error:
        return None
    return found if m.op == "=~" else not found


_KIND_WEIGHTS = {
    "hit": 0.26,
    "miss": 0.24,
    "missing": 0.12,
    "fanout": 0.12,
    "random": 0.16,
    "noise": 0.10,
}


_KIND_CUMULATIVE = list(
    zip(
        np.cumsum(list(_KIND_WEIGHTS.values())) / sum(_KIND_WEIGHTS.values()),
        _KIND_WEIGHTS,
        strict=True,
    )
)


def _pick_kind(u: float) -> str:
    return next((kind for edge, kind in _KIND_CUMULATIVE if u < edge), "noise")


def _draw_random(tree: _Tree, rng: Draws) -> LabelCase:
    labels = {}
    for name in tree.names:
        if rng.random() < 0.3:
            continue
        labels[name] = rng.pick(tree.pool[name])
    return LabelCase("random", labels)


def _draw_case(tree: _Tree, rng: Draws) -> LabelCase | None:
    kind = _pick_kind(rng.random())
    if kind in ("hit", "miss", "missing", "fanout") and not tree.non_root:
        kind = "random" if tree.names else "noise"
    if kind == "fanout" and not tree.fanout_pairs:
        kind = "hit"

    if kind == "noise":
        return LabelCase("noise", {})
    if kind == "random":
        return _draw_random(tree, rng)
    if kind == "fanout":
        a, b = rng.pick(tree.fanout_pairs)
        first, second = tree.satisfy(a, rng), tree.satisfy(b, rng)
        if first is None or second is None:
            return None
        return LabelCase("fanout", {**second, **first})

    path = rng.pick(tree.non_root)
    labels = tree.satisfy(path, rng)
    if labels is None:
        return None
    if kind == "hit":
        return LabelCase("hit", labels)
    matchers = tree.path_matchers(path)
    if not matchers:
        return LabelCase("hit", labels)
    if kind == "missing":
        labels.pop(rng.pick(matchers).name, None)
        return LabelCase("missing", labels)
    # One trap among all of the path's: regexes, having more ways to be fooled, get more.
    traps = [(m.name, t) for m in dict.fromkeys(matchers) for t in tree.traps[m]]
    if not traps:
        return LabelCase("hit", labels)
    name, (trap_kind, value) = rng.pick(traps)
    labels[name] = value
    return LabelCase(trap_kind, labels)


def _with_noise(case: LabelCase, tree: _Tree, rng: Draws) -> LabelCase:
    labels = dict(case.labels)
    count = rng.between(1, 4) if case.kind == "noise" else rng.between(0, 2)
    avoid = set(tree.names) | set(labels)
    for _ in range(count):
        name = _noise_name(rng, avoid)
        avoid.add(name)
        labels[name] = _noise_value(rng)
    return LabelCase(case.kind, labels)


def _sweep(tree: _Tree, rng: Draws) -> Iterator[LabelCase | None]:
    """One case of every kind that applies, for every route: so even a trap that is one
    of many on a route nested among many is drawn at least once."""
    for path in tree.non_root:
        labels = tree.satisfy(path, rng)
        yield None if labels is None else LabelCase("hit", labels)
    for path in tree.non_root:
        for m in dict.fromkeys(tree.specs[path].matchers):
            labels = tree.satisfy(path, rng)
            if labels is None:
                continue
            yield LabelCase("missing", {k: v for k, v in labels.items() if k != m.name})
            by_kind: dict[str, list[str]] = {}
            for kind, value in tree.traps[m]:
                by_kind.setdefault(kind, []).append(value)
            for kind, values in by_kind.items():
                yield LabelCase(kind, {**labels, m.name: rng.pick(values)})
    for a, b in tree.fanout_pairs:
        first, second = tree.satisfy(a, rng), tree.satisfy(b, rng)
        if first is not None and second is not None:
            yield LabelCase("fanout", {**second, **first})
    yield LabelCase("noise", {})
    if tree.names:
        yield _draw_random(tree, rng)


def iter_label_cases(route: Mapping[str, Any], seed: int) -> Iterator[LabelCase]:
    """An endless, reproducible stream of cases for the tree under ``route``: first a
    sweep (every route hit; every matcher of every route broken in each way that applies
    and left out; every fan-out), then random draws of all kinds."""
    rng = Draws(np.random.default_rng(seed))
    tree = _Tree(route, rng)
    for case in _sweep(tree, rng):
        if case is not None:
            yield _with_noise(case, tree, rng)
    while True:
        case = _draw_case(tree, rng)
        if case is not None:
            yield _with_noise(case, tree, rng)


def generate_label_sets(
    route: Mapping[str, Any], n: int, seed: int, *, distinct: bool = True
) -> list[LabelCase]:
    """``n`` cases for the tree under ``route``; the same seed gives the same list.

    Args:
        route: the raw ``route:`` mapping of an Alertmanager configuration.
        n: how many cases.
        seed: seeds the ``numpy.random.Generator``.
        distinct: no two cases with the same label set.
    """
    out: list[LabelCase] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    for case in iter_label_cases(route, seed):
        if len(out) >= n:
            break
        if distinct:
            key = case.key()
            if key in seen:
                continue
            seen.add(key)
        out.append(case)
    return out


def amtool_label_args(labels: Mapping[str, str]) -> list[str]:
    """``name="value"`` arguments that amtool 0.25's ``ParseMatcher`` reads back exactly.

    Inside double quotes it unescapes ``\\\\``, ``\\"`` and ``\\n`` and keeps everything
    else, including spaces, commas and braces.
    """
    args = []
    for name, value in labels.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        args.append(f'{name}="{escaped}"')
    return args
