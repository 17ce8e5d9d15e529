"""The escalation engine: one pure state machine per incident, for every vendor's policy.

The SimPy process (:func:`drillsim.engine.paging.run_escalation`) asks :meth:`Escalation.next`
what to do, does it (page people, wait, write a record, resolve), observes the incident
and asks again. Every decision is made here, without simpy, so each vendor behaviour is
testable by feeding observations and reading decisions.

The flags that make vendors differ (:class:`~drillsim.oncall.program.Program` and the
operations' fields): ``skip_empty`` (PagerDuty passes over a level with nobody on call,
GoAlert and Grafana OnCall still wait its delay), ``ack_by`` (anyone paged may
acknowledge, or only the level paged last), a notify's ``assignment`` (everyone or
round-robin), ``condition`` (Opsgenie's if-not-closed levels keep paging after an
acknowledgement), ``multi_ack`` (GoAlert: everyone a level paged answers), ``Repeat``,
``ack_timeout_s`` (PagerDuty re-triggers an acknowledged incident left unresolved) and
``auto_resolve_s``; plus the incident's urgency (low: the first level that reaches
someone is paged, nothing escalates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from drillsim.oncall.escalation import resolve_people
from drillsim.oncall.program import (
    Notify,
    Op,
    Program,
    Repeat,
    Resolve,
    UntilAlerts,
    UntilTime,
    Wait,
)
from drillsim.spec.oncall import OnCall

__all__ = [
    "AutoResolve",
    "Await",
    "Decision",
    "DeclareIncident",
    "Done",
    "Escalation",
    "Exhausted",
    "Observation",
    "Page",
    "Paused",
    "ResolveIncident",
    "Retrigger",
    "RoundRobin",
    "TimedOut",
]


# ----- what the engine tells the machine -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observation:
    """The incident as the engine sees it now."""

    now_s: float
    acked: bool = False
    closed: bool = False
    owner: str | None = None
    alerts_s: Sequence[float] = ()
    """When alerts (notifications with firing alerts) reached the incident."""


# ----- what the machine tells the engine -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """Page these people now, at this level of this pass."""

    people: tuple[str, ...]
    level: int
    loop: int


@dataclass(frozen=True, slots=True)
class Await:
    """Wait for the incident to close, and for whichever of these comes first."""

    timeout_s: float | None
    on_ack: bool
    on_alerts: bool = False


@dataclass(frozen=True, slots=True)
class TimedOut:
    """A level's wait passed without an acknowledgement."""

    level: int
    loop: int


@dataclass(frozen=True, slots=True)
class Exhausted:
    """Every level of every pass was paged and nobody acknowledged."""


@dataclass(frozen=True, slots=True)
class Paused:
    """A condition step holds the escalation (until ``until_s``, or until alerts arrive)."""

    level: int
    reason: str
    until_s: float | None


@dataclass(frozen=True, slots=True)
class Retrigger:
    """The acknowledgement timed out (``after_s`` after it): the incident is triggered
    again; ``person`` had acknowledged it."""

    person: str | None
    after_s: float


@dataclass(frozen=True, slots=True)
class AutoResolve:
    """The incident was open for the policy's ``auto_resolve``."""

    after_s: float


@dataclass(frozen=True, slots=True)
class ResolveIncident:
    """A resolve step resolves the incident."""


@dataclass(frozen=True, slots=True)
class DeclareIncident:
    """A declare-incident step declares a formal incident."""

    severity: str | None


@dataclass(frozen=True, slots=True)
class Done:
    """Nothing more will happen: the process ends."""


Decision = (
    Page
    | Await
    | TimedOut
    | Exhausted
    | Paused
    | Retrigger
    | AutoResolve
    | ResolveIncident
    | DeclareIncident
    | Done
)


@dataclass(slots=True)
class RoundRobin:
    """Whose turn it is on each round-robin level, shared by every incident of a drill.

    PagerDuty's ``round_robin`` and Grafana's ``notify_person_next_each_time`` hand each
    new page of the level to the next person; the turn advances every time the level
    pages, across incidents and passes.
    """

    turns: dict[str, int] = field(default_factory=dict)

    def pick(self, key: str, people: Sequence[str]) -> str:
        """The next of ``people`` on the level ``key`` (and advance the turn)."""
        turn = self.turns.get(key, 0)
        self.turns[key] = turn + 1
        return people[turn % len(people)]


@dataclass(slots=True)
class _Pending:
    """The wait or pause the machine is in: until ``until_s`` (None: until alerts)."""

    op: Wait | UntilTime | UntilAlerts | Repeat
    until_s: float | None
    first_s: float | None
    """The full wait, handed to the engine as is on the first Await (no float drift)."""


class Escalation:
    """Escalation of one incident: call :meth:`next` with each observation.

    Args:
        program: the compiled policy.
        oncall: the OnCall document (schedules to resolve).
        start: the drill's start; ``now_s`` counts from it.
        opened_s: when the incident opened.
        urgency: ``high`` or ``low``.
        rotations: the drill's round-robin turns.
    """

    def __init__(
        self,
        program: Program,
        oncall: OnCall,
        start: datetime,
        opened_s: float,
        urgency: str = "high",
        rotations: RoundRobin | None = None,
    ) -> None:
        self.program = program
        self.oncall = oncall
        self._start = start.astimezone(UTC)
        self.opened_s = opened_s
        self.urgency = urgency
        self.rotations = rotations if rotations is not None else RoundRobin()
        self.loop = 0
        self._pc = 0
        self._repeats: dict[int, int] = {}
        self._pending: _Pending | None = None
        self._level: tuple[int, int] | None = None  # paged, not yet timed out
        self._skipping = False
        self._held = False  # low urgency: the first page went out
        self._exhausted = False
        self._acked_at: float | None = None
        self._auto_resolved = False
        self._renotify: str | None = None
        self.assigned: set[str] = set()
        self.paged: set[str] = set()
        self._multi: set[str] = set()

    # ----- answers -----------------------------------------------------------------------

    def may_ack(self, person: str) -> bool:
        """Whether ``person``'s answer to a page acknowledges (``ack_by``)."""
        if self.program.ack_by == "current-level":
            return person in self.assigned
        return person in self.paged

    def joins(self, person: str) -> bool:
        """Whether ``person`` (paged by a multi-ack level) answers after the owner did;
        true once per person."""
        if person in self._multi:
            self._multi.discard(person)
            return True
        return False

    # ----- decisions ---------------------------------------------------------------------

    def next(self, obs: Observation) -> Decision:
        """What to do now, given the incident as observed."""
        if obs.closed:
            return Done()
        now = obs.now_s
        if not obs.acked:
            self._acked_at = None
        elif self._acked_at is None:
            self._acked_at = now
            self._multi.discard(obs.owner or "")
        due = self._deadline_due(obs)
        if due is not None:
            return due
        while True:
            if self._pending is not None:
                decision = self._pending_decision(obs)
                if decision is not None:
                    return decision
                continue
            if self._halted(obs):
                return self._idle(obs)
            if self._pc >= len(self.program.ops):
                if not self._exhausted and not obs.acked:
                    self._exhausted = True
                    return Exhausted()
                self._exhausted = True
                return self._idle(obs)
            decision = self._run(self.program.ops[self._pc], obs)
            if decision is not None:
                return decision

    def _run(self, op: Op, obs: Observation) -> Decision | None:
        """Carry out the operation at the program counter; a decision, or None to go on."""
        now = obs.now_s
        self._pc += 1
        if isinstance(op, Notify):
            return self._notify(op, obs)
        if isinstance(op, Wait):
            if not self._skipping:
                self._pending = _Pending(op, now + op.seconds, op.seconds)
            return None
        if isinstance(op, UntilTime):
            opens = self._window_opens(op.span, now)
            if opens is not None:
                self._pending = _Pending(op, opens, None)
                start, end = op.span
                reason = (
                    f"outside {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d} UTC"
                )
                return Paused(self._next_level(), reason, opens)
            return None
        if isinstance(op, UntilAlerts):
            if _count(obs.alerts_s, now - op.within_s, now) < op.at_least:
                self._pending = _Pending(op, None, None)
                reason = f"fewer than {op.at_least} alerts in {_minutes(op.within_s)}"
                return Paused(self._next_level(), reason, None)
            return None
        if isinstance(op, Repeat):
            done = self._repeats.get(self._pc - 1, 0)
            if done >= op.times:
                return None
            self._repeats[self._pc - 1] = done + 1
            if op.wait_s > 0:
                self._pending = _Pending(op, now + op.wait_s, op.wait_s)
                return None
            self._restart_pass()
            return None
        if isinstance(op, Resolve):
            return ResolveIncident()
        return DeclareIncident(op.severity)

    def _notify(self, op: Notify, obs: Observation) -> Decision | None:
        self._skipping = False
        if obs.acked and op.condition != "not-closed":
            return None
        people = resolve_people(op.targets, self._at(obs.now_s), self.oncall)
        if people and op.assignment == "round-robin":
            people = [self.rotations.pick(f"{self.program.policy}/{op.index}", people)]
        if self._renotify is not None and not obs.acked:
            people = [self._renotify, *(p for p in people if p != self._renotify)]
            self._renotify = None
        if not people:
            self._skipping = self.program.skip_empty
            return None
        if not obs.acked:
            self.assigned = set(people)
            self._level = (op.level, self.loop)
            self._held = self.urgency == "low"
        self.paged.update(people)
        if op.multi_ack:
            self._multi.update(p for p in people if p != obs.owner)
        return Page(tuple(people), op.level, self.loop)

    def _pending_decision(self, obs: Observation) -> Decision | None:
        """Keep waiting (an Await), end the wait (None), or say the level timed out."""
        pending = self._pending
        assert pending is not None
        now = obs.now_s
        if obs.acked and not self.program.pages_after_ack:
            self._pending = None
            return None
        if isinstance(pending.op, UntilAlerts):
            op = pending.op
            if _count(obs.alerts_s, now - op.within_s, now) >= op.at_least:
                self._pending = None
                return None
            return Await(self._until_deadline(None, now), not obs.acked, on_alerts=True)
        assert pending.until_s is not None
        if now < pending.until_s:
            first, pending.first_s = pending.first_s, None
            timeout = self._until_deadline(pending.until_s, now)
            if first is not None and timeout == pending.until_s - now:
                timeout = first
            return Await(timeout, not obs.acked)
        self._pending = None
        if isinstance(pending.op, Repeat):
            self._restart_pass()
        if isinstance(pending.op, Wait | Repeat) and self._level is not None:
            level, loop = self._level
            self._level = None
            if not obs.acked:
                return TimedOut(level, loop)
        return None

    def _halted(self, obs: Observation) -> bool:
        """The escalation pages no more (until a re-trigger)."""
        if self._held:
            return True
        return obs.acked and not self.program.pages_after_ack

    def _idle(self, obs: Observation) -> Decision:
        """Nothing to page: wait for the deadlines that still matter, else end."""
        now = obs.now_s
        needs_ack = self.program.ack_timeout_s is not None and not obs.acked
        timeout = self._until_deadline(None, now)
        if timeout is None and not needs_ack:
            return Done()
        return Await(timeout, needs_ack)

    # ----- deadlines -----------------------------------------------------------------------

    def _deadlines(self) -> list[float]:
        out = []
        if self.program.auto_resolve_s is not None and not self._auto_resolved:
            out.append(self.opened_s + self.program.auto_resolve_s)
        if self.program.ack_timeout_s is not None and self._acked_at is not None:
            out.append(self._acked_at + self.program.ack_timeout_s)
        return out

    def _until_deadline(self, until_s: float | None, now: float) -> float | None:
        """Seconds until the first of ``until_s`` and the deadlines (None: no limit)."""
        times = self._deadlines() + ([until_s] if until_s is not None else [])
        return min(times) - now if times else None

    def _deadline_due(self, obs: Observation) -> Decision | None:
        now = obs.now_s
        auto = self.program.auto_resolve_s
        if auto is not None and not self._auto_resolved and now >= self.opened_s + auto:
            self._auto_resolved = True
            return AutoResolve(auto)
        timeout = self.program.ack_timeout_s
        if timeout is not None and self._acked_at is not None and now >= self._acked_at + timeout:
            self._retrigger(obs.owner)
            return Retrigger(obs.owner, timeout)
        return None

    def _retrigger(self, owner: str | None) -> None:
        """Back to triggered: the policy starts over, re-notifying whoever acknowledged."""
        self._acked_at = None
        self._repeats.clear()
        self._restart_pass()
        self._pending = None
        self._level = None
        self._held = False
        self._exhausted = False
        self._renotify = owner
        self.assigned = set()

    def _restart_pass(self) -> None:
        self._pc = 0
        self.loop += 1
        self._skipping = False

    # ----- helpers -------------------------------------------------------------------------

    def _at(self, now_s: float) -> datetime:
        return self._start + timedelta(seconds=now_s)

    def _next_level(self) -> int:
        """The level the next notify operation pages (for pause records)."""
        for op in self.program.ops[self._pc :]:
            if isinstance(op, Notify):
                return op.level
        return -1

    def _window_opens(self, span: tuple[int, int], now_s: float) -> float | None:
        """None inside the daily UTC window ``span``; else when it next opens."""
        at = self._at(now_s)
        second = at.hour * 3600 + at.minute * 60 + at.second + at.microsecond / 1e6
        start, end = span[0] * 60, span[1] * 60
        inside = start <= second < end if start < end else second >= start or second < end
        if inside:
            return None
        midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
        opens = midnight + timedelta(seconds=start)
        if opens <= at:
            opens += timedelta(days=1)
        return (opens - self._start).total_seconds()


def _count(times: Sequence[float], after: float, upto: float) -> int:
    """How many of ``times`` lie in ``(after, upto]``."""
    return sum(1 for t in times if after < t <= upto)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g}m"
