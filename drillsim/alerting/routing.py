"""Alertmanager's routing tree: which routes an alert reaches, and its aggregation group.

``build_route_tree`` compiles a :class:`drillsim.spec.alerting.Route` once into
immutable :class:`RouteNode` objects with every option resolved (inheritance applied,
matchers parsed and sorted, regexes compiled), following ``dispatch/route.go``
``newRoute``. Matching an alert is then a walk over precompiled tests, which matters
because the engine routes every alert of a storm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from drillsim.alerting.labels import format_labels
from drillsim.alerting.matchers import (
    Matcher,
    matchers_from_legacy,
    matchers_string,
    parse_matchers,
    sort_matchers,
)
from drillsim.spec.alerting import Route

__all__ = [
    "DEFAULT_GROUP_INTERVAL_S",
    "DEFAULT_GROUP_WAIT_S",
    "DEFAULT_REPEAT_INTERVAL_S",
    "RouteError",
    "RouteNode",
    "build_route_tree",
    "group_key",
    "group_labels",
    "match_routes",
    "receivers_for",
    "walk_routes",
]

DEFAULT_GROUP_WAIT_S: Final = 30.0
"""Root default ``group_wait`` (``dispatch.DefaultRouteOpts``)."""
DEFAULT_GROUP_INTERVAL_S: Final = 300.0
"""Root default ``group_interval``."""
DEFAULT_REPEAT_INTERVAL_S: Final = 4 * 3600.0
"""Root default ``repeat_interval``."""

_GROUP_BY_ALL: Final = "..."


class RouteError(ValueError):
    """A routing tree Alertmanager would refuse, with where in the tree it is.

    Attributes:
        loc: the path to the offending field from the root route, pydantic-style, e.g.
            ``("routes", 1, "matchers", 0)``, so the loader can point at a source line.
        reason: what is wrong, without the path.
    """

    def __init__(self, loc: tuple[str | int, ...], reason: str) -> None:
        self.loc = loc
        self.reason = reason
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        super().__init__(f"{where or 'route'}: {reason}")


@dataclass(frozen=True, slots=True, eq=False)
class RouteNode:
    """One compiled route with its options resolved, as ``dispatch.Route`` holds them.

    Nodes compare and hash by identity (``eq=False``): two routes with identical
    settings are still two routes with their own aggregation groups, and identity
    hashing keeps dict lookups keyed by node cheap.

    Attributes:
        receiver: the resolved receiver name (inherited when the route sets none).
        group_by: label names to group by (inherited when ``group_by`` is omitted;
            ``()`` for an explicit ``[]``, meaning one group per route).
        group_by_all: ``group_by: ['...']``: every label groups, one group per alert.
        group_wait_s: resolved ``group_wait``.
        group_interval_s: resolved ``group_interval``.
        repeat_interval_s: resolved ``repeat_interval``.
        continue_: whether siblings after this route are still tried once it matched.
        matchers: this route's own matchers, sorted as Alertmanager sorts them.
        routes: the child routes, in configuration order.
        mute_time_intervals: names of intervals when this route is muted (own, not inherited).
        active_time_intervals: names of intervals outside which it is muted (own only).
        key: ``Route.Key()``: the parent's key, ``/``, this route's matchers string;
            ``{}`` for the root. Part of every group key; not unique.
        id: ``Route.ID()``: like the key but each non-root step ends in
            ``/<index among siblings>``, so it is unique.
        idx: Alertmanager's ``Route.Idx``: a dense post-order index (children before
            parents, the root last), handy for array-indexed per-route state.
    """

    receiver: str
    group_by: tuple[str, ...]
    group_by_all: bool
    group_wait_s: float
    group_interval_s: float
    repeat_interval_s: float
    continue_: bool
    matchers: tuple[Matcher, ...]
    routes: tuple[RouteNode, ...]
    key: str
    id: str
    idx: int
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()
    _checks: tuple[tuple[str, Callable[[str], object]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        checks = tuple((m.name, _value_test(m)) for m in self.matchers)
        object.__setattr__(self, "_checks", checks)

    def __reduce__(self) -> tuple[object, ...]:
        # _checks holds closures: rebuild them when a tree is sent to another process.
        return (
            RouteNode,
            (
                self.receiver,
                self.group_by,
                self.group_by_all,
                self.group_wait_s,
                self.group_interval_s,
                self.repeat_interval_s,
                self.continue_,
                self.matchers,
                self.routes,
                self.key,
                self.id,
                self.idx,
                self.mute_time_intervals,
                self.active_time_intervals,
            ),
        )


def _value_test(matcher: Matcher) -> Callable[[str], object]:
    """The matcher's precompiled value test, fetched once per route at build time."""
    return matcher.value_test


@dataclass(slots=True)
class _Inherited:
    receiver: str | None
    group_by: tuple[str, ...]
    group_by_all: bool
    group_wait_s: float
    group_interval_s: float
    repeat_interval_s: float
    key: str | None  # None for the root's parent
    id: str | None


def _resolve_group_by(
    route: Route, parent: _Inherited, loc: tuple[str | int, ...]
) -> tuple[tuple[str, ...], bool]:
    if route.group_by is None:
        return parent.group_by, parent.group_by_all
    names = [n for n in route.group_by if n != _GROUP_BY_ALL]
    group_all = len(names) != len(route.group_by)
    if names and group_all:
        raise RouteError(
            (*loc, "group_by"),
            "cannot have wildcard group_by (`...`) and other labels at the same time",
        )
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not name:
            raise RouteError((*loc, "group_by", i), "empty label name in group_by")
        if name in seen:
            raise RouteError((*loc, "group_by"), f"duplicated label {name!r} in group_by")
        seen.add(name)
    if group_all:
        # Alertmanager keeps the parent's GroupBy here, but it is dead data once
        # GroupByAll is set; an empty tuple says the same thing more plainly.
        return (), True
    return tuple(names), False


def _route_matchers(route: Route, loc: tuple[str | int, ...]) -> tuple[Matcher, ...]:
    try:
        legacy = matchers_from_legacy(route.match, route.match_re)
    except ValueError as exc:
        raise RouteError((*loc, "match_re" if route.match_re else "match"), str(exc)) from None
    parsed: list[Matcher] = []
    for i, text in enumerate(route.matchers):
        try:
            parsed.extend(parse_matchers(text))
        except ValueError as exc:
            raise RouteError((*loc, "matchers", i), str(exc)) from None
    return sort_matchers((*legacy, *parsed))


def _build(
    route: Route,
    parent: _Inherited,
    index: int,
    counter: list[int],
    loc: tuple[str | int, ...],
) -> RouteNode:
    receiver = route.receiver or parent.receiver
    if receiver is None:
        raise RouteError((*loc, "receiver"), "the root route needs a receiver")
    group_by, group_by_all = _resolve_group_by(route, parent, loc)
    matchers = _route_matchers(route, loc)
    text = matchers_string(matchers)
    if parent.key is None or parent.id is None:
        key = route_id = text
    else:
        key = f"{parent.key}/{text}"
        route_id = f"{parent.id}/{text}/{index}"
    resolved = _Inherited(
        receiver=receiver,
        group_by=group_by,
        group_by_all=group_by_all,
        group_wait_s=parent.group_wait_s if route.group_wait is None else route.group_wait,
        group_interval_s=(
            parent.group_interval_s if route.group_interval is None else route.group_interval
        ),
        repeat_interval_s=(
            parent.repeat_interval_s if route.repeat_interval is None else route.repeat_interval
        ),
        key=key,
        id=route_id,
    )
    children = tuple(
        _build(child, resolved, i, counter, (*loc, "routes", i))
        for i, child in enumerate(route.routes)
    )
    idx = counter[0]  # post-order, like newRoute: children take the lower indices
    counter[0] += 1
    return RouteNode(
        receiver=receiver,
        group_by=group_by,
        group_by_all=group_by_all,
        group_wait_s=resolved.group_wait_s,
        group_interval_s=resolved.group_interval_s,
        repeat_interval_s=resolved.repeat_interval_s,
        continue_=route.continue_,
        matchers=matchers,
        routes=children,
        key=key,
        id=route_id,
        idx=idx,
        # Not inherited (dispatch/route.go sets them from the route's own config).
        mute_time_intervals=tuple(route.mute_time_intervals),
        active_time_intervals=tuple(route.active_time_intervals),
    )


def build_route_tree(route: Route) -> RouteNode:
    """Compile a routing tree, resolving every option as ``dispatch.NewRoute`` does.

    The root starts from Alertmanager's defaults (group_wait 30s, group_interval 5m,
    repeat_interval 4h, no grouping labels); every child starts from its parent's
    *resolved* options and overrides what it sets. ``group_by`` is inherited only when
    omitted; ``continue``, matchers and the deprecated ``match``/``match_re`` are never
    inherited.

    Args:
        route: the root route of a routing document.

    Returns:
        The compiled root node.

    Raises:
        RouteError: (a ``ValueError``) the tree is one Alertmanager would refuse: no
            root receiver, a bad matcher or regex, ``...`` mixed with other labels or a
            duplicated label in ``group_by``; the error carries the path to the field.
    """
    defaults = _Inherited(
        receiver=None,
        group_by=(),
        group_by_all=False,
        group_wait_s=DEFAULT_GROUP_WAIT_S,
        group_interval_s=DEFAULT_GROUP_INTERVAL_S,
        repeat_interval_s=DEFAULT_REPEAT_INTERVAL_S,
        key=None,
        id=None,
    )
    return _build(route, defaults, 0, [0], ())


def _match_into(node: RouteNode, labels: Mapping[str, str], out: list[RouteNode]) -> bool:
    """Append the routes under ``node`` that take the alert; False if ``node`` doesn't match."""
    get = labels.get
    for name, test in node._checks:
        if not test(get(name, "")):
            return False
    before = len(out)
    for child in node.routes:
        if _match_into(child, labels, out) and not child.continue_:
            break
    if len(out) == before:  # no child took it: this node handles the alert itself
        out.append(node)
    return True


def match_routes(node: RouteNode, labels: Mapping[str, str]) -> list[RouteNode]:
    """The routes an alert is dispatched to, in order (``Route.Match``).

    Depth-first, left to right: a node whose matchers fail contributes nothing; the
    first matching child without ``continue`` stops its later siblings; a matching node
    none of whose children matched handles the alert itself. Each returned route gets
    its own aggregation group and receiver.

    Args:
        node: usually the root of the tree.
        labels: the alert's labels; a missing label is matched as ``""``.

    Returns:
        The matched routes; empty only when ``node`` itself does not match (the root,
        having no matchers, always matches).
    """
    out: list[RouteNode] = []
    _match_into(node, labels, out)
    return out


def receivers_for(root: RouteNode, labels: Mapping[str, str]) -> list[str]:
    """Receiver names for an alert in routing order, like ``amtool config routes test``.

    Repeats are kept, as amtool keeps them (``resolveAlertReceivers`` appends one name
    per matched route), so two routes to the same receiver list it twice.
    """
    return [node.receiver for node in match_routes(root, labels)]


def group_labels(node: RouteNode, labels: Mapping[str, str]) -> dict[str, str]:
    """The alert's labels that name its aggregation group on ``node`` (``getGroupLabels``).

    Labels in ``group_by`` but absent from the alert are simply absent here; with
    ``group_by: ['...']`` all labels are kept, so each alert is its own group.
    """
    if node.group_by_all:
        return dict(labels)
    return {name: labels[name] for name in node.group_by if name in labels}


def group_key(node: RouteNode, labels: Mapping[str, str]) -> str:
    """Alertmanager's group key ``{route key}:{group labels}``.

    E.g. ``{}:{alertname="InstanceDown"}`` or
    ``{}/{severity="critical"}:{alertname="X", cluster="a"}``. Notifications carry it
    (``groupKey`` in webhooks) and the notification log is keyed by it.
    """
    return f"{node.key}:{format_labels(group_labels(node, labels))}"


def walk_routes(root: RouteNode) -> Iterator[RouteNode]:
    """Every node of the tree, depth-first, parents before children (``Route.Walk``)."""
    yield root
    for child in root.routes:
        yield from walk_routes(child)
