"""Request backlog of a service whose callers time out and retry (opt-in, fluid).

Why it exists: the rest of the health model is a function of the faults acting *now*,
so work amplification ends with its trigger. A metastable failure (anchors.md §4) needs
load as state: a service that declares ``capacity_rps`` gets a queue of attempts ``Q``
that a capacity loss fills and that the clients' retries can keep filling after the
capacity is back.

The model is a fluid one, solved exactly between events. The service serves attempts
at ``mu * c`` (``c`` the share of capacity the faults leave), FIFO, and requests arrive
at a constant ``lam``. While the wait ``Q / (mu c)`` is under the client timeout ``T``
every request is served on its first attempt (``a = 1``). Once the queue holds
``mu c T`` attempts, each new attempt waits longer than ``T``: its timeout fires ``T``
later and the caller retries at once, so the first retries leave ``T`` after the
crossing, the second ``2T`` after it, and so on up to ``R`` (a retry generation a
timeout): ``a = 1 + k`` after ``k`` timeouts, capped at ``A = R + 1`` (``1 + budget``
with a retry budget). From the first timeout on no attempt is served in time (goodput
0). ``Q`` therefore moves linearly at ``lam * a - mu * c``, and only three kinds of
instant change anything: ``Q`` crossing 0, ``Q`` crossing ``mu c T`` (below it the
retries stop), and the next retry generation. Each is scheduled as one event, never
polled.

The pure part (:func:`motion`, :func:`signal_of`) is separate from :class:`Backlog`,
the one object per service that holds ``Q`` and schedules the next event.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from drillsim.events import BacklogChanged

if TYPE_CHECKING:
    from drillsim.engine.scheduler import Scheduler
    from drillsim.spec.topology import Service

Phase = Literal["idle", "queueing", "storm", "capped", "down"]
"""idle: empty queue; queueing: no attempt has timed out yet (waits under the timeout,
or over it for less than ``T``); storm: attempts time out and are retried (no
cancellation); capped: every attempt times out and is cancelled, the queue stays at
``mu c T``; down: no capacity at all (requests fail fast, the queue is lost)."""

_EPS = 1e-9
_LATE_S = 1e-9
"""An event this close to its planned instant is on time (float sums of delays)."""


@dataclass(frozen=True, slots=True)
class BacklogLaw:
    """The constants of one service's backlog: its clients and its server."""

    arrival_rps: float
    """lam: requests per second offered by the callers (constant)."""
    capacity_rps: float
    """mu: attempts per second served at full capacity."""
    timeout_s: float
    """T: client timeout per attempt (infinite when the service declares no clients)."""
    amplified: float
    """A: attempts per request once attempts time out (R + 1, or 1 + retry budget)."""
    max_attempts: int
    """The most attempts one request makes (R + 1)."""
    cancel: bool
    """Timed-out attempts leave the queue."""

    def attempts(self, timeouts: int) -> float:
        """Attempts per request once ``timeouts`` retry generations have left."""
        return 1.0 if timeouts == 0 else min(1.0 + timeouts, self.amplified)

    def ramps(self, timeouts: int) -> bool:
        """Another timeout would change something (the first always does: it ends the
        goodput; later ones while the amplification is below its cap)."""
        return not self.cancel and (timeouts == 0 or 1.0 + timeouts < self.amplified)

    def level(self, share: float) -> float:
        """The queue whose wait equals the timeout at this capacity share: mu c T."""
        if math.isinf(self.timeout_s):
            return math.inf
        return self.capacity_rps * share * self.timeout_s


def law_of(service: Service) -> BacklogLaw | None:
    """The backlog law of a service that declares ``capacity_rps`` (None otherwise)."""
    if service.capacity_rps is None or service.traffic is None:
        return None
    clients = service.clients
    if clients is None:
        return BacklogLaw(service.traffic.rps, service.capacity_rps, math.inf, 1.0, 1, False)
    attempts = float(clients.retries + 1)
    if clients.retry_budget is not None:
        attempts = min(attempts, 1.0 + clients.retry_budget)
    return BacklogLaw(
        service.traffic.rps,
        service.capacity_rps,
        clients.timeout,
        attempts,
        clients.retries + 1,
        clients.cancel,
    )


@dataclass(frozen=True, slots=True)
class Motion:
    """How the queue moves from a given state until its next crossing."""

    phase: Phase
    attempts: float
    """Attempts per request in this phase."""
    rate: float
    """dQ/dt, attempts per second."""
    target: float | None
    """The level Q is heading for and crosses (0 or mu c T); None: it never crosses one."""
    over: bool = False
    """Q is at or past mu c T: new attempts wait longer than the timeout."""

    def time_to_target(self, q: float) -> float:
        """Seconds until Q reaches its target (inf if it never does)."""
        if self.target is None or self.rate == 0.0:
            return math.inf
        return max(0.0, (self.target - q) / self.rate)


def motion(law: BacklogLaw, q: float, share: float, timeouts: int = 0) -> Motion:
    """The phase, amplification and slope of a queue of ``q`` attempts at capacity share
    ``share``, ``timeouts`` retry generations after it passed ``mu c T``.

    At exactly ``q = mu c T`` the queue is over the level when it is rising there (it
    keeps rising) and under it otherwise; the level is an unstable equilibrium, so no
    sliding motion exists.
    """
    lam = law.arrival_rps
    served = law.capacity_rps * share
    if served <= 0.0:
        return Motion("down", 1.0, 0.0, None)
    level = law.level(share)
    attempts = law.attempts(timeouts)
    rate = lam * attempts - served
    at_level = not math.isinf(level) and abs(q - level) <= _EPS * max(1.0, level)
    if (q > level and not at_level) or (at_level and rate > 0):
        if law.cancel:
            if lam >= served:
                return Motion("capped", law.amplified, 0.0, None, over=True)
            return Motion("queueing", 1.0, lam - served, 0.0)
        phase: Phase = "storm" if timeouts else "queueing"
        return Motion(phase, attempts, rate, level if rate < 0 else None, over=True)
    if q <= _EPS and lam <= served:
        return Motion("idle", 1.0, 0.0, None)
    rate = lam - served
    if rate > 0:
        return Motion("queueing", 1.0, rate, None if math.isinf(level) else level)
    return Motion("queueing", 1.0, rate, 0.0)


@dataclass(frozen=True, slots=True)
class BacklogSignal:
    """What the backlog does to a service's signals (a step function: it changes only
    at backlog events)."""

    phase: Phase
    error_rate: float
    """1 - goodput / lam."""
    latency_s: float
    """Added p99 latency: the queue wait at the event, or the time clients give up."""
    saturation: float
    """Offered attempts over capacity: lam a / (mu c)."""
    attempts: float
    """Attempts per request."""


def signal_of(law: BacklogLaw, q: float, share: float, move: Motion) -> BacklogSignal | None:
    """The backlog's effect on health; None when there is none (down: the crash or
    outage alone decides the health)."""
    if move.phase == "down":
        return None
    served = law.capacity_rps * share
    lam = law.arrival_rps
    saturation = lam * move.attempts / served
    if move.phase == "storm":
        return BacklogSignal(
            "storm", 1.0, law.timeout_s * law.max_attempts, saturation, move.attempts
        )
    if move.phase == "capped":
        error = max(0.0, 1.0 - served / lam) if lam > 0 else 0.0
        return BacklogSignal("capped", error, law.timeout_s, saturation, move.attempts)
    return BacklogSignal(move.phase, 0.0, q / served, saturation, move.attempts)


class Backlog:
    """One service's queue of attempts over simulation time.

    Waits on nothing itself: it schedules one callback at the next event (a crossing of
    0 or ``mu c T``, or the next retry generation), cancelled by a generation number
    when the capacity changes first, and calls ``on_change`` after each. Records a
    ``BacklogChanged`` (through ``record``) whenever the queue's motion changes or it
    jumps (a crash or load shedding empties it), so the log holds the whole path; the
    world turns its signal into health, and ``ServiceHealthChanged`` records that.
    """

    def __init__(
        self,
        law: BacklogLaw,
        sched: Scheduler,
        on_change: Callable[[], None],
        service: str = "",
        record: Callable[[BacklogChanged], None] | None = None,
    ) -> None:
        self.law = law
        self.service = service
        self.record = record
        self.sched = sched
        self.on_change = on_change
        self.q = 0.0
        self.t = 0.0
        self.share = 1.0
        self.timeouts = 0
        """Retry generations since the queue passed mu c T (0 below it)."""
        self.next_timeout: float | None = None
        """When the next retry generation leaves (None: no more change coming)."""
        self.move = motion(law, 0.0, 1.0)
        self._cross_at = math.inf
        self._gen = 0
        self.causes: tuple[str, ...] = ()
        """Faults that cut capacity while the queue was non-empty (ground truth for
        attribution: a storm's trigger keeps the blame after it ended)."""
        self._told = BacklogChanged(
            t=0.0,
            service=service,
            phase="idle",
            queued=0.0,
            rate=0.0,
            attempts=1.0,
            capacity_share=1.0,
        )
        """The last motion recorded (the drill starts idle at full capacity, unrecorded)."""

    def at(self, t_s: float) -> float:
        """Attempts queued at time ``t_s`` (not before the last update)."""
        q = self.q + self.move.rate * (t_s - self.t)
        target = self.move.target
        if target is not None and (self.move.rate > 0) == (q > target):
            q = target  # never past a crossing that has not been processed yet
        return max(0.0, q)

    @property
    def signal(self) -> BacklogSignal | None:
        """The current effect on the service's health."""
        return signal_of(self.law, self.q, self.share, self.move)

    def set_share(self, now: float, share: float) -> None:
        """The capacity share changed (or may have): advance Q to now, re-plan."""
        if share == self.share:
            return
        self.q = 0.0 if share <= 0.0 else self.at(now)
        self.t = now
        self.share = share
        if share > 0.0 and self.law.cancel:
            self.q = min(self.q, self.law.level(share))  # timed-out attempts leave at once
        self._plan(now)

    def shed(self, now: float) -> bool:
        """Drop every queued attempt (load shedding); True if there were any. The retries
        stop with the queue, so below the band's top (lam < mu c) the storm is over."""
        queued = self.at(now)
        if queued <= 0.0:
            return False
        self.q, self.t, self.timeouts, self.next_timeout = 0.0, now, 0, None
        self._plan(now)
        return True

    @property
    def storming(self) -> bool:
        """Attempts are timing out: the queue's wait is past the clients' timeout."""
        return bool(self.move.over)

    def _plan(self, now: float) -> None:
        """Phase and next event from the state at ``now``.

        Under the level (or down) the retries stop at once; over it, the first retry
        generation leaves ``T`` after the queue got there, and each next one ``T`` later.
        """
        self.move = motion(self.law, self.q, self.share, self.timeouts)
        if not self.move.over:
            if self.timeouts:
                self.timeouts = 0
                self.move = motion(self.law, self.q, self.share)
            self.next_timeout = None
        elif self.next_timeout is None and self.timeouts == 0 and self.law.ramps(0):
            self.next_timeout = now + self.law.timeout_s
        if self.move.phase == "idle":
            self.q = 0.0  # not a float residue of a queue that never formed
            self.causes = ()
        self._gen += 1
        self._cross_at = now + self.move.time_to_target(self.q)
        wake = min(self._cross_at, math.inf if self.next_timeout is None else self.next_timeout)
        if not math.isinf(wake):
            self.sched.after(wake - now, self._wake, self._gen)
        self._tell(now)

    def _tell(self, now: float) -> None:
        """Record the motion from ``now`` on if it is not the one the last record gives:
        another phase, slope, amplification or capacity, or a queue off the last
        record's line (emptied by a crash or by shedding)."""
        last, move = self._told, self.move
        projected = last.queued + last.rate * (now - last.t)
        same = (last.phase, last.rate, last.attempts, last.capacity_share) == (
            move.phase,
            move.rate,
            move.attempts,
            self.share,
        ) and abs(projected - self.q) <= _EPS * max(1.0, self.q)
        if same or self.record is None:
            return
        self._told = BacklogChanged(
            t=now,
            service=self.service,
            phase=move.phase,
            queued=self.q,
            rate=move.rate,
            attempts=move.attempts,
            capacity_share=self.share,
        )
        self.record(self._told)

    def _wake(self, gen: int) -> None:
        if gen != self._gen:
            return  # the capacity changed first; a newer event is planned
        now = self.sched.env.now
        self.q = self.at(now)
        if self.move.target is not None and now + _LATE_S >= self._cross_at:
            self.q = self.move.target
        self.t = now
        due = self.next_timeout
        if due is not None and now + _LATE_S >= due:
            self.timeouts += 1
            self.next_timeout = now + self.law.timeout_s if self.law.ramps(self.timeouts) else None
        self._plan(now)
        self.on_change()
