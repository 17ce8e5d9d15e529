"""Alertmanager silences: time-boxed label matchers that mute notifications.

Semantics follow ``silence/silence.go``: a silence is ``pending`` before ``startsAt``,
``expired`` strictly after ``endsAt`` and ``active`` in between, both ends included
(``getState`` uses ``Before``/``After``). Only active silences mute, and a silence mutes
an alert when all of its matchers match the alert's labels (a missing label reads as
``""``, regexes are anchored; see :mod:`.matchers`). Silences mute at flush time, per
alert; the engine decides when to ask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from drillsim.alerting.matchers import Matcher, MatchOp

__all__ = ["Silence", "SilenceState", "silenced", "silenced_by"]

SilenceState = Literal["pending", "active", "expired"]
"""``silenceStatus.state`` of the API: ``pending``, ``active`` or ``expired``."""

# postableSilence and gettableSilence (api/v2/openapi.yaml): the latter adds id, status
# and updatedAt, so a silence exported with `amtool silence query -o json` loads too.
_SILENCE_KEYS: Final = frozenset(
    {
        "id",
        "matchers",
        "startsAt",
        "endsAt",
        "createdBy",
        "comment",
        "annotations",
        "status",
        "updatedAt",
    }
)
_REQUIRED_KEYS: Final = ("matchers", "startsAt", "endsAt", "createdBy", "comment")
_MATCHER_KEYS: Final = frozenset({"name", "value", "isRegex", "isEqual"})


def _matches_empty(matcher: Matcher) -> bool:
    """``silence.go`` ``matchesEmpty``: only ``=`` and ``=~`` count; negations never do."""
    if matcher.op == "=":
        return matcher.value == ""
    if matcher.op == "=~":
        return matcher.matches_value("")
    return False


@dataclass(frozen=True, slots=True)
class Silence:
    """One silence, with times in simulation seconds.

    Construction applies ``silence.go`` ``validateSilence``: at least one matcher, not
    every matcher matching the empty string (such a silence would mute everything),
    and ``ends_at_s >= starts_at_s``. :meth:`from_api` is stricter about the times,
    as the API is.

    Attributes:
        matchers: the matchers, all of which must match (AND).
        starts_at_s: when the silence starts muting.
        ends_at_s: the last instant it mutes (active at exactly ``ends_at_s``).
        created_by: who created it.
        comment: why.
        id: the silence id, ``""`` when not yet assigned.
    """

    matchers: tuple[Matcher, ...]
    starts_at_s: float
    ends_at_s: float
    created_by: str = ""
    comment: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "matchers", tuple(self.matchers))
        if not self.matchers:
            raise ValueError("a silence needs at least one matcher")
        if all(_matches_empty(m) for m in self.matchers):
            raise ValueError(
                "at least one matcher must not match the empty string"
                " (otherwise the silence would mute every alert)"
            )
        if self.ends_at_s < self.starts_at_s:
            raise ValueError("end time must not be before start time")

    def state(self, now_s: float) -> SilenceState:
        """The silence's state at ``now_s`` (``silence.go`` ``getState``)."""
        if now_s < self.starts_at_s:
            return "pending"
        if now_s > self.ends_at_s:
            return "expired"
        return "active"

    def is_active(self, now_s: float) -> bool:
        """Whether the silence mutes at ``now_s``: ``starts_at_s <= now_s <= ends_at_s``."""
        return self.starts_at_s <= now_s <= self.ends_at_s

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether every matcher matches the label set, regardless of time."""
        return all(m.matches(labels) for m in self.matchers)

    def mutes(self, labels: Mapping[str, str], now_s: float) -> bool:
        """Whether the silence is active at ``now_s`` and matches the label set."""
        return self.is_active(now_s) and self.matches(labels)

    @classmethod
    def from_api(cls, body: Mapping[str, Any], to_seconds: Callable[[str], float]) -> Silence:
        """A silence from Alertmanager API v2 JSON (``postableSilence``).

        ``{"matchers": [{"name", "value", "isRegex", "isEqual"}], "startsAt", "endsAt",
        "createdBy", "comment"}``, optionally with ``id`` and ``annotations``; the
        ``gettableSilence`` fields ``status`` and ``updatedAt`` are accepted and ignored.
        ``isEqual`` defaults to true; ``isRegex`` is required, as in the OpenAPI spec.
        Validation is the API's (``postSilencesHandler``: start strictly before end)
        plus ``validateSilence``. The API's other check, that ``endsAt`` is not in the
        past, depends on the wall clock and is left to the caller.

        Args:
            body: the decoded JSON object.
            to_seconds: converts an RFC 3339 timestamp to simulation seconds, e.g. the
                scenario clock's conversion.

        Returns:
            The silence.

        Raises:
            ValueError: a missing or unknown field, a wrong type, an invalid matcher or
                regex, or bad times; the message names the field.
        """
        if not isinstance(body, Mapping):
            raise ValueError(f"silence: expected a JSON object, got {body!r}")
        for key in body:
            if key not in _SILENCE_KEYS:
                raise ValueError(f"silence: unknown field {key!r}")
        for key in _REQUIRED_KEYS:
            if key not in body:
                raise ValueError(f"silence: missing required field {key!r}")
        raw_matchers = body["matchers"]
        if not isinstance(raw_matchers, list) or not raw_matchers:
            raise ValueError("matchers: expected a non-empty list of matchers")
        matchers = tuple(_api_matcher(i, raw) for i, raw in enumerate(raw_matchers))
        texts = {key: body[key] for key in ("startsAt", "endsAt", "createdBy", "comment")}
        for key, value in texts.items():
            if not isinstance(value, str):
                raise ValueError(f"{key}: expected a string, got {value!r}")
        silence_id = body.get("id") or ""
        if not isinstance(silence_id, str):
            raise ValueError(f"id: expected a string, got {silence_id!r}")
        starts = _convert("startsAt", texts["startsAt"], to_seconds)
        ends = _convert("endsAt", texts["endsAt"], to_seconds)
        if starts >= ends:
            raise ValueError(
                f"startsAt: start time must be before end time "
                f"(startsAt {texts['startsAt']}, endsAt {texts['endsAt']})"
            )
        try:
            return cls(matchers, starts, ends, texts["createdBy"], texts["comment"], silence_id)
        except ValueError as exc:
            raise ValueError(f"matchers: {exc}") from None


def _convert(key: str, text: str, to_seconds: Callable[[str], float]) -> float:
    try:
        return float(to_seconds(text))
    except ValueError as exc:
        raise ValueError(f"{key}: invalid timestamp {text!r}: {exc}") from None


def _api_matcher(index: int, raw: object) -> Matcher:
    where = f"matchers[{index}]"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected an object with name, value and isRegex")
    for key in raw:
        if key not in _MATCHER_KEYS:
            raise ValueError(f"{where}: unknown field {key!r}")
    for key in ("name", "value", "isRegex"):
        if key not in raw:
            raise ValueError(f"{where}: missing required field {key!r}")
    name, value = raw["name"], raw["value"]
    is_regex, is_equal = raw["isRegex"], raw.get("isEqual", True)
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}.name: invalid label name {name!r}")
    if not isinstance(value, str):
        raise ValueError(f"{where}.value: expected a string, got {value!r}")
    for key, flag in (("isRegex", is_regex), ("isEqual", is_equal)):
        if not isinstance(flag, bool):
            raise ValueError(f"{where}.{key}: expected true or false, got {flag!r}")
    op: MatchOp = ("=~" if is_equal else "!~") if is_regex else ("=" if is_equal else "!=")
    try:
        return Matcher(name, op, value)
    except ValueError as exc:
        raise ValueError(f"{where}.value: {exc}") from None


def silenced_by(
    silences: Iterable[Silence], labels: Mapping[str, str], now_s: float
) -> list[Silence]:
    """The silences active at ``now_s`` that match the label set, in the given order."""
    return [s for s in silences if s.mutes(labels, now_s)]


def silenced(silences: Iterable[Silence], labels: Mapping[str, str], now_s: float) -> bool:
    """Whether any silence active at ``now_s`` matches the label set (``Silencer.Mutes``)."""
    return any(s.mutes(labels, now_s) for s in silences)
