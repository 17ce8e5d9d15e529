"""The event log: typed, past-tense records, and their byte-stable JSON lines form.

The engine only appends records here; scoring, reports and timelines only read them.
If a figure cannot be recomputed from the log, the log is missing a record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, ClassVar

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """Base of every record: ``t`` is seconds since the scenario start."""

    kind: ClassVar[str] = "Record"
    t: float

    def __init_subclass__(cls, **kwargs: Any) -> None:
        cls.kind = cls.__name__  # no super(): slotted dataclasses are rebuilt classes

    def to_dict(self) -> dict[str, Any]:
        """Plain data with a ``kind`` field, as written to events.jsonl."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in _field_names(type(self)):
            out[name] = getattr(self, name)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillStarted(Record):
    """The drill began; carries the static facts scoring needs (tiers, SLO budgets)."""

    scenario: str
    seed: int
    replication: int
    start: str
    tz: str
    duration_s: float
    services: tuple[dict[str, Any], ...]
    people: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeployStarted(Record):
    """A new version started rolling out (bad deploys begin with one)."""

    service: str
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultInjected(Record):
    """A failure began on its target."""

    fault: str
    type: str
    target: str
    services: tuple[str, ...]
    ends: str
    remedy: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultCleared(Record):
    """A failure ended, by itself or by a responder's action."""

    fault: str
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceHealthChanged(Record):
    """A service's signals changed (after propagation delay from the cause)."""

    service: str
    error_rate: float
    latency_s: float
    up: int
    saturation: float
    causes: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BacklogChanged(Record):
    """A service's request backlog changed how it moves (services with ``capacity_rps``).

    The queue is linear between two of these: ``queued + rate * (t' - t)`` attempts at
    any later ``t'`` until the next one, so the backlog's whole path can be recomputed
    from the log.
    """

    service: str
    phase: str
    """idle, queueing, storm (attempts time out and are retried), capped or down."""
    queued: float
    """Attempts waiting at ``t``."""
    rate: float
    """Attempts per second the queue grows (negative: drains)."""
    attempts: float
    """Attempts per request (1 until retries start; up to retries + 1)."""
    capacity_share: float
    """Share of ``capacity_rps`` the faults leave."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImpactAccrued(Record):
    """Customer impact of one service over [since, t] (failed requests, user-minutes)."""

    service: str
    since: float
    failed_requests: float
    user_minutes: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertFired(Record):
    """An alert started firing (Alertmanager fields; ``faults`` is ground truth for scoring)."""

    alert: str
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: str
    faults: tuple[str, ...]
    false_positive: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertResolved(Record):
    """A firing alert resolved."""

    alert: str
    fingerprint: str
    ends_at: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertMuted(Record):
    """A firing alert was left out of its group's notifications (inhibited, silenced, or
    its route muted by a time interval); recorded when that starts."""

    fingerprint: str
    group_key: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationSent(Record):
    """An aggregation group notified its receiver."""

    receiver: str
    group_key: str
    reason: str
    firing: tuple[str, ...]
    resolved: tuple[str, ...]
    incident: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentOpened(Record):
    """A notification group opened an incident."""

    incident: str
    group_key: str
    receiver: str
    policy: str | None
    severity: str
    services: tuple[str, ...]
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertsCorrelated(Record):
    """A notification group's alerts joined an open incident about a service they depend
    on, instead of opening (and paging) a new one."""

    incident: str
    group_key: str
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PageSent(Record):
    """A person was paged for an incident."""

    incident: str
    person: str
    level: int
    loop: int
    off_hours: bool
    asleep: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PageMissed(Record):
    """A paged person will not answer this page (asleep, away, phone on silent)."""

    incident: str
    person: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationTimedOut(Record):
    """An escalation level passed without an acknowledgement; the next level is paged."""

    incident: str
    level: int
    loop: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationExhausted(Record):
    """Every level of every loop was paged and nobody acknowledged."""

    incident: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PageAcknowledged(Record):
    """A person acknowledged an incident and owns it now."""

    incident: str
    person: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HypothesisFormed(Record):
    """A responder decided what the root cause is (``correct`` is ground truth)."""

    incident: str
    person: str
    service: str
    correct: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionStarted(Record):
    """A responder started a runbook action."""

    incident: str
    person: str
    action: str
    service: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionCompleted(Record):
    """A runbook action finished; ``success`` says whether it worked as intended."""

    incident: str
    person: str
    action: str
    service: str
    success: bool
    effective: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentMitigated(Record):
    """Customer impact of the incident's services stopped, confirmed by its owner."""

    incident: str
    by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentResolved(Record):
    """The incident was closed."""

    incident: str
    by: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillEnded(Record):
    """The drill's horizon was reached."""

    alert_posts: int = 0
    """Alerts Prometheus posted to Alertmanager, its periodic re-sends included."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PageNotificationSent(Record):
    """One notification rule of a page contacted the person on a channel; it reaches
    their device at ``delivered_s`` (sent only while the incident is unacknowledged)."""

    incident: str
    person: str
    channel: str
    delivered_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class FatigueAssessed(Record):
    """The paged person's state and tiredness when a page reached them: what they were
    doing (awake, asleep, commuting, meeting, on-contract), pages and hours of incident
    work in the fatigue window, and the factors applied to response time and errors."""

    incident: str
    person: str
    state: str
    pages_24h: int
    shift_hours: float
    ack_factor: float
    error_factor: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRedirected(Record):
    """A page meant for ``person`` went (also) to ``to`` from the fallback pool: the person
    was away (``vacation``, ``sick``, ``leave``; they were not paged) or ``overwhelmed``
    (they were paged too). ``to`` is None when nobody in the pool could take it."""

    incident: str
    person: str
    to: str | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PageQueued(Record):
    """A person answered a page while busy with another incident; it waits its turn."""

    incident: str
    person: str
    queued: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PageDeclined(Record):
    """A busy person answered a page while ``waiting`` unacknowledged incidents already
    waited for them, the scenario's ``responders.max_waiting``: the page is not queued.
    An incident every paged person declined is blocked (M/M/c/K; docs/validation.md)."""

    incident: str
    person: str
    waiting: int


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentHandedOff(Record):
    """The owner passed the incident to ``to`` (``shift-end``, or ``not-allowed`` when a
    vendor may not carry out the needed action); ``to`` spends ``context_loss_s``
    catching up before acting."""

    incident: str
    person: str
    to: str
    reason: str
    context_loss_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionNotAllowed(Record):
    """A vendor's contract does not allow the runbook action the incident needs."""

    incident: str
    person: str
    action: str
    service: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleAssigned(Record):
    """Someone took a role of the response (incident commander, communications lead,
    subject-matter expert) until the incident resolves or the role is reassigned;
    ``person`` is None when nobody could fill it."""

    incident: str
    role: str
    person: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentUrgencySet(Record):
    """The incident's urgency, decided at opening by its policy's ``urgency`` (only for
    policies that set one); a low-urgency incident pages its first level and never
    escalates."""

    incident: str
    urgency: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationPaused(Record):
    """A condition step holds the escalation before ``level`` is paged: outside its time
    window (until ``until``), or too few alerts (``until`` None: until more arrive)."""

    incident: str
    level: int
    reason: str
    until: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentRetriggered(Record):
    """An acknowledged incident was not resolved within its policy's ``ack_timeout``: it
    is triggered again and the policy starts over, re-notifying ``person`` (its owner,
    who is still on it) first."""

    incident: str
    person: str | None
    ack_timeout_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponderJoined(Record):
    """Someone paged by a multi-ack level acknowledged after the owner had (GoAlert
    multi-ack): they are online for the incident, not its owner."""

    incident: str
    person: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentDeclared(Record):
    """A declare-incident step declared a formal incident (Grafana IRM)."""

    incident: str
    severity: str


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls
    for cls in (
        DrillStarted,
        DeployStarted,
        FaultInjected,
        FaultCleared,
        ServiceHealthChanged,
        BacklogChanged,
        ImpactAccrued,
        AlertFired,
        AlertResolved,
        AlertMuted,
        NotificationSent,
        IncidentOpened,
        AlertsCorrelated,
        PageSent,
        PageMissed,
        EscalationTimedOut,
        EscalationExhausted,
        PageAcknowledged,
        HypothesisFormed,
        ActionStarted,
        ActionCompleted,
        IncidentMitigated,
        IncidentResolved,
        DrillEnded,
        PageNotificationSent,
        FatigueAssessed,
        PageRedirected,
        PageQueued,
        IncidentHandedOff,
        ActionNotAllowed,
        RoleAssigned,
        IncidentUrgencySet,
        EscalationPaused,
        IncidentRetriggered,
        ResponderJoined,
        IncidentDeclared,
        PageDeclined,
    )
}


class EventLog:
    """Append-only log of records: the single sink every process writes to.

    Why rows, not the records themselves: a long drill keeps millions of records, and
    every record object is tracked by Python's cyclic garbage collector, whose full
    collections walk all of them again each time the heap grows by a quarter (12 % of a
    100,000-incident run). A record is therefore kept as a plain tuple of its kind and
    field values, which the collector stops tracking once it holds only strings and
    numbers; records are rebuilt, equal to the ones written, when the log is read.
    """

    __slots__ = ("_rows",)

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._rows: list[tuple[Any, ...]] = []
        for rec in records:
            self.record(rec)

    def record(self, rec: Record) -> None:
        """Append one record."""
        cls = type(rec)
        layout = _LAYOUTS.get(cls.kind) or _layout(cls)
        self._rows.append((cls.kind, *layout.values(rec)))

    @property
    def records(self) -> list[Record]:
        """Every record, in order: a new list each time, every record rebuilt (O(n));
        take it once, or index the log (``log[-1]``) for one record."""
        return list(self)

    def __getitem__(self, index: int) -> Record:
        """One record, rebuilt from its row (negative indexes count from the end)."""
        row = self._rows[index]
        return _LAYOUTS[row[0]].rebuild(row)

    def __iter__(self) -> Iterator[Record]:
        layouts = _LAYOUTS
        for row in self._rows:
            yield layouts[row[0]].rebuild(row)

    def __len__(self) -> int:
        return len(self._rows)

    def as_dicts(self) -> list[dict[str, Any]]:
        """Every record as plain data (what scoring reads)."""
        layouts = _LAYOUTS
        return [dict(zip(layouts[row[0]].keys, row, strict=True)) for row in self._rows]


@dataclass(frozen=True, slots=True)
class _Layout:
    """How one kind of record becomes a row and back."""

    cls: type[Record]
    values: Callable[[Record], tuple[Any, ...]]
    """The record's field values as a tuple, in field order."""
    keys: tuple[str, ...]
    """``kind`` then the field names: a row's dict keys, in row order."""
    setters: tuple[Callable[[Record, Any], None], ...]
    """Each field's slot setter (a frozen record is rebuilt without its checks)."""

    def rebuild(self, row: tuple[Any, ...]) -> Record:
        """The record a row was made from (equal to it, field by field)."""
        rec = object.__new__(self.cls)
        for put, value in zip(self.setters, row[1:], strict=True):
            put(rec, value)
        return rec


_LAYOUTS: dict[str, _Layout] = {}


def _layout(cls: type[Record]) -> _Layout:
    names = _field_names(cls)
    get = attrgetter(*names)
    values = get if len(names) > 1 else lambda rec: (get(rec),)
    setters = tuple(getattr(cls, name).__set__ for name in names)
    layout = _LAYOUTS[cls.kind] = _Layout(cls, values, ("kind", *names), setters)
    return layout


def _stable(value: Any) -> Any:
    if isinstance(value, float):
        rounded = round(value, 6)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    return value


def dumps_record(data: dict[str, Any]) -> str:
    """One JSON line: sorted keys, floats rounded to microseconds, no platform drift."""
    return json.dumps(_stable(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_jsonl(records: Iterable[dict[str, Any]]) -> str:
    """The whole log as JSON lines text."""
    return "".join(dumps_record(r) + "\n" for r in records)


def read_jsonl(text: str) -> list[dict[str, Any]]:
    """Parse events.jsonl text back into plain records."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]
