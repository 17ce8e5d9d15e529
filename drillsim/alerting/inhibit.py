"""Alertmanager inhibition: firing source alerts mute matching target alerts.

Semantics (``inhibit/inhibit.go``, ``config/common/inhibitrule.go``, docs):

* every alert the store receives, firing or resolved, that matches a rule's source
  matchers is remembered by that rule (the rule's source cache);
* a target label set is muted by the first rule whose target matchers match it and
  which has a source alert that is *not resolved at now* (``endsAt`` unset or later
  than now) and has the same values for every ``equal`` label, a missing label
  counting as ``""``. Empty ``equal`` means any firing source alert will do;
* self-inhibition guard: when the target also matches the rule's source side, source
  alerts that also match the target side are ignored, so an alert never mutes
  itself or its peers (``hasEqual(..., excludeTwoSidedMatch)``);
* silenced source alerts still inhibit: the cache is fed from the raw alert store.

Alertmanager v0.30+ keeps only one source alert per ``equal`` tuple in an index (the
one ending last) and applies the self-inhibition guard to that one alone, so a
two-sided source can hide a one-sided one with the same tuple. drillsim follows the
documented rule that releases up to v0.29 implement (scan every cached source):
any qualifying source mutes.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from drillsim.alerting.matchers import (
    Matcher,
    matchers_from_legacy,
    parse_matchers,
    sort_matchers,
)

__all__ = ["InhibitRule", "Inhibitor"]

_RULE_KEYS: Final = (
    "name",
    "source_matchers",
    "target_matchers",
    "source_match",
    "source_match_re",
    "target_match",
    "target_match_re",
    "equal",
)


@dataclass(frozen=True, slots=True)
class InhibitRule:
    """One ``inhibit_rules`` entry.

    Attributes:
        source_matchers: what an inhibiting alert must match (all of them).
        target_matchers: what an inhibited alert must match (all of them).
        equal: label names whose values must agree between source and target; stored
            sorted and without duplicates (Alertmanager keeps a set).
        name: optional rule name; duplicates are allowed.
    """

    source_matchers: tuple[Matcher, ...]
    target_matchers: tuple[Matcher, ...]
    equal: tuple[str, ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_matchers", tuple(self.source_matchers))
        object.__setattr__(self, "target_matchers", tuple(self.target_matchers))
        object.__setattr__(self, "equal", tuple(sorted(set(self.equal))))

    def source_matches(self, labels: Mapping[str, str]) -> bool:
        """Whether the label set can inhibit under this rule."""
        return all(m.matches(labels) for m in self.source_matchers)

    def target_matches(self, labels: Mapping[str, str]) -> bool:
        """Whether the label set can be inhibited under this rule."""
        return all(m.matches(labels) for m in self.target_matchers)

    def equal_key(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        """The values of the ``equal`` labels, ``""`` for a missing one."""
        return tuple(labels.get(name, "") for name in self.equal)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> InhibitRule:
        """Parse an ``inhibit_rules`` entry of ``alertmanager.yml``.

        Accepts ``source_matchers``/``target_matchers`` (lists of matcher strings, each
        possibly holding several comma-separated matchers) and the deprecated
        ``source_match``/``source_match_re``/``target_match``/``target_match_re`` maps;
        both forms may be combined, and their matchers are AND-ed. A ``null`` entry
        is the empty rule, which never mutes anything (every alert is on both sides,
        so the self-inhibition guard ignores every source; AM's
        ``TestEmptyInhibitionRule``).

        Raises:
            ValueError: an unknown key, a wrong type, an unparsable matcher, an invalid
                label name or regex; the message starts with the field name.
        """
        if config is None:
            return cls((), ())
        if not isinstance(config, Mapping):
            raise ValueError(f"inhibit rule: expected a mapping, got {config!r}")
        for key in config:
            if key not in _RULE_KEYS:
                raise ValueError(
                    f"{key}: unknown field in inhibit rule (expected one of "
                    f"{', '.join(_RULE_KEYS)})"
                )
        name = config.get("name")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"name: expected a string, got {name!r}")
        sides = []
        for side in ("source", "target"):
            legacy = _legacy_matchers(
                side, config.get(f"{side}_match"), config.get(f"{side}_match_re")
            )
            sides.append(legacy + _matcher_list(f"{side}_matchers", config.get(f"{side}_matchers")))
        return cls(sides[0], sides[1], _equal_list(config.get("equal")), name or None)


def _matcher_list(key: str, raw: object) -> tuple[Matcher, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)):
        raise ValueError(
            f"{key}: expected a list of matcher strings such as ['severity=\"critical\"'],"
            f" got {raw!r}"
        )
    for entry in raw:
        if not isinstance(entry, str):
            raise ValueError(f"{key}: expected matcher strings, got {entry!r}")
    try:
        # config/common/matchers.go sorts the parsed matchers.
        return sort_matchers(parse_matchers(raw))
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None


def _scalar_text(key: str, label: str, value: object) -> str:
    # yaml.v2 reads any scalar into a Go string; Python loaders give ints for numbers.
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{key}: value of {label!r} must be a string, got {value!r} (quote it)")


def _legacy_matchers(side: str, match: object, match_re: object) -> tuple[Matcher, ...]:
    """The deprecated ``<side>_match`` / ``<side>_match_re`` maps as matchers."""
    maps: dict[str, dict[str, str]] = {}
    for key, raw in ((f"{side}_match", match), (f"{side}_match_re", match_re)):
        if raw is None:
            maps[key] = {}
            continue
        if not isinstance(raw, Mapping):
            raise ValueError(f"{key}: expected a mapping of label name to value, got {raw!r}")
        converted: dict[str, str] = {}
        for label, value in raw.items():
            if not isinstance(label, str):
                raise ValueError(f"{key}: invalid label name {label!r}")
            if value is None:
                # yaml.v2 decodes a null into a Go string as "", but a null regex is
                # refused (config/common/matchers.go MatchRegexps).
                if key.endswith("_re"):
                    raise ValueError(f"{key}: invalid regexp value for {label!r}")
                value = ""
            converted[label] = _scalar_text(key, label, value)
        maps[key] = converted
    out: list[Matcher] = []
    for key in (f"{side}_match", f"{side}_match_re"):
        try:
            if key.endswith("_re"):
                out.extend(matchers_from_legacy(None, maps[key]))
            else:
                out.extend(matchers_from_legacy(maps[key], None))
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    return tuple(out)


def _equal_list(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)):
        raise ValueError(f"equal: expected a list of label names, got {raw!r}")
    for name in raw:
        # Alertmanager's default (fallback) mode accepts any non-empty UTF-8 name.
        if not isinstance(name, str) or not name:
            raise ValueError(f"equal: invalid label name {name!r} in equal list")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"equal: invalid label name {name!r} in equal list") from None
    return tuple(raw)


_INFINITY: Final = math.inf


@dataclass(slots=True)
class _LatestEnd:
    """The latest end time among a changing set of alerts, kept in a lazy max-heap.

    Stale heap entries (an alert re-observed with a new end, or forgotten) are dropped
    when they surface; the heap is rebuilt when stale entries outnumber live ones, so
    its size stays within a constant factor of the live alerts.
    """

    ends: dict[Hashable, float] = field(default_factory=dict)
    heap: list[tuple[float, int, Hashable]] = field(default_factory=list)

    def set(self, fp: Hashable, end: float, seq: int) -> None:
        if self.ends.get(fp) == end:
            return
        self.ends[fp] = end
        heapq.heappush(self.heap, (-end, seq, fp))
        if len(self.heap) > 2 * len(self.ends) + 16:
            # Negative sequence numbers stay unique against later (non-negative) pushes,
            # so ties never fall through to comparing fingerprints.
            self.heap = [(-e, -1 - i, f) for i, (f, e) in enumerate(self.ends.items())]
            heapq.heapify(self.heap)

    def discard(self, fp: Hashable) -> None:
        self.ends.pop(fp, None)

    def latest(self) -> tuple[float, Hashable] | None:
        heap, ends = self.heap, self.ends
        while heap:
            neg_end, _, fp = heap[0]
            if ends.get(fp) == -neg_end:
                return -neg_end, fp
            heapq.heappop(heap)
        return None


@dataclass(slots=True)
class _Bucket:
    """Source alerts of one rule sharing one tuple of ``equal`` values."""

    every: _LatestEnd = field(default_factory=_LatestEnd)
    one_sided: _LatestEnd = field(default_factory=_LatestEnd)  # not matching the target side


@dataclass(slots=True)
class _RuleState:
    rule: InhibitRule
    buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)
    where: dict[Hashable, tuple[str, ...]] = field(default_factory=dict)

    def remove(self, fp: Hashable) -> None:
        key = self.where.pop(fp, None)
        if key is None:
            return
        bucket = self.buckets[key]
        bucket.every.discard(fp)
        bucket.one_sided.discard(fp)
        if not bucket.every.ends:
            del self.buckets[key]


class Inhibitor:
    """Answers "is this alert inhibited now?" for a set of rules and a stream of alerts.

    Feed it every alert as it arrives or changes with :meth:`observe`; ask with
    :meth:`mutes` at flush time. Source alerts are indexed per rule by their tuple of
    ``equal`` values, and within that by their end time, so a query costs one dict
    lookup and a heap peek per rule whose target side matches, however big the storm.
    """

    __slots__ = ("_rules", "_seq")

    def __init__(self, rules: Iterable[InhibitRule]) -> None:
        self._rules = tuple(_RuleState(rule) for rule in rules)
        self._seq = itertools.count()

    @property
    def rules(self) -> tuple[InhibitRule, ...]:
        """The rules, in configuration order (the first muting rule wins)."""
        return tuple(state.rule for state in self._rules)

    def observe(
        self, fingerprint: Hashable, labels: Mapping[str, str], ends_at_s: float | None
    ) -> None:
        """Record an alert, new or updated, firing or resolved.

        Args:
            fingerprint: the alert's identity (e.g. :func:`.labels.fingerprint_int`);
                re-observing it replaces what was known.
            labels: its label set.
            ends_at_s: when it resolves or resolved; ``None`` if it has no end. It
                inhibits exactly while ``ends_at_s is None or ends_at_s > now``.
        """
        end = _INFINITY if ends_at_s is None else float(ends_at_s)
        for state in self._rules:
            rule = state.rule
            if not rule.source_matches(labels):
                if fingerprint in state.where:
                    state.remove(fingerprint)
                continue
            key = rule.equal_key(labels)
            old = state.where.get(fingerprint)
            if old is not None and old != key:
                state.remove(fingerprint)
            state.where[fingerprint] = key
            bucket = state.buckets.get(key)
            if bucket is None:
                bucket = state.buckets[key] = _Bucket()
            seq = next(self._seq)
            bucket.every.set(fingerprint, end, seq)
            if rule.target_matches(labels):
                bucket.one_sided.discard(fingerprint)
            else:
                bucket.one_sided.set(fingerprint, end, seq)

    def forget(self, fingerprint: Hashable) -> None:
        """Drop an alert from every rule's sources (e.g. garbage-collected)."""
        for state in self._rules:
            state.remove(fingerprint)

    def collect(self, now_s: float) -> int:
        """Drop sources resolved at ``now_s``, as Alertmanager's periodic GC does.

        Returns:
            How many (rule, alert) entries were dropped.
        """
        dropped = 0
        for state in self._rules:
            stale = [
                fp
                for bucket in state.buckets.values()
                for fp, end in bucket.every.ends.items()
                if end <= now_s
            ]
            for fp in stale:
                state.remove(fp)
            dropped += len(stale)
        return dropped

    def inhibited_by(
        self, target_labels: Mapping[str, str], now_s: float
    ) -> tuple[InhibitRule, Hashable] | None:
        """The first rule that mutes the target, and one source alert doing it.

        Returns:
            ``(rule, source fingerprint)``, or None when the target is not inhibited.
            Of several qualifying sources, the one ending last is named.
        """
        for state in self._rules:
            rule = state.rule
            if not rule.target_matches(target_labels):
                continue
            bucket = state.buckets.get(rule.equal_key(target_labels))
            if bucket is None:
                continue
            # A target that could itself be a source only counts one-sided sources.
            pool = bucket.one_sided if rule.source_matches(target_labels) else bucket.every
            latest = pool.latest()
            if latest is not None and latest[0] > now_s:
                return rule, latest[1]
        return None

    def mutes(self, target_labels: Mapping[str, str], now_s: float) -> bool:
        """Whether the label set is inhibited at ``now_s`` (``Inhibitor.Mutes``)."""
        return self.inhibited_by(target_labels, now_s) is not None
