"""Pure alerting functions with Alertmanager's exact semantics.

Fingerprints and label rendering (:mod:`.labels`), label matchers (:mod:`.matchers`),
the routing tree and group keys (:mod:`.routing`), the notification-log dedup
decision (:mod:`.notify`), inhibition (:mod:`.inhibit`), silences (:mod:`.silences`)
and time intervals (:mod:`.timeintervals`). Nothing here imports simpy, touches files or prints: the
engine calls these functions, and tests check them against Alertmanager's own cases.
"""

from __future__ import annotations

from drillsim.alerting.inhibit import Inhibitor, InhibitRule
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
from drillsim.alerting.silences import Silence, SilenceState, silenced, silenced_by
from drillsim.alerting.timeintervals import (
    NamedIntervals,
    TimeInterval,
    TimeIntervalError,
    muted_by_intervals,
    parse_time_interval,
)

__all__ = [
    "DEFAULT_GROUP_INTERVAL_S",
    "DEFAULT_GROUP_WAIT_S",
    "DEFAULT_REPEAT_INTERVAL_S",
    "InhibitRule",
    "Inhibitor",
    "MatchOp",
    "Matcher",
    "NamedIntervals",
    "NotifyEntry",
    "NotifyReason",
    "RouteError",
    "RouteNode",
    "Silence",
    "SilenceState",
    "TimeInterval",
    "TimeIntervalError",
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
    "muted_by_intervals",
    "needs_update",
    "parse_matcher",
    "parse_matchers",
    "parse_time_interval",
    "receivers_for",
    "silenced",
    "silenced_by",
    "sort_matchers",
    "walk_routes",
]
