"""Pure alerting functions with Alertmanager's exact semantics.

Fingerprints and label rendering (:mod:`.labels`), label matchers (:mod:`.matchers`),
the routing tree and group keys (:mod:`.routing`) and the notification-log dedup
decision (:mod:`.notify`). Nothing here imports simpy, touches files or prints: the
engine calls these functions, and tests check them against Alertmanager's own cases.
"""

from __future__ import annotations

from drillsim.alerting.labels import (
    fingerprint,
    fingerprint_int,
    fingerprints,
    format_labels,
    go_quote,
)
from drillsim.alerting.matchers import (
    Matcher,
    MatchOp,
    matchers_from_legacy,
    matchers_match,
    matchers_string,
    parse_matcher,
    parse_matchers,
    sort_matchers,
)
from drillsim.alerting.notify import (
    NotifyEntry,
    NotifyReason,
    needs_update,
)
from drillsim.alerting.routing import (
    DEFAULT_GROUP_INTERVAL_S,
    DEFAULT_GROUP_WAIT_S,
    DEFAULT_REPEAT_INTERVAL_S,
    RouteError,
    RouteNode,
    build_route_tree,
    group_key,
    group_labels,
    match_routes,
    receivers_for,
    walk_routes,
)

__all__ = [
    "DEFAULT_GROUP_INTERVAL_S",
    "DEFAULT_GROUP_WAIT_S",
    "DEFAULT_REPEAT_INTERVAL_S",
    "MatchOp",
    "Matcher",
    "NotifyEntry",
    "NotifyReason",
    "RouteError",
    "RouteNode",
    "build_route_tree",
    "fingerprint",
    "fingerprint_int",
    "fingerprints",
    "format_labels",
    "go_quote",
    "group_key",
    "group_labels",
    "match_routes",
    "matchers_from_legacy",
    "matchers_match",
    "matchers_string",
    "needs_update",
    "parse_matcher",
    "parse_matchers",
    "receivers_for",
    "sort_matchers",
    "walk_routes",
]
