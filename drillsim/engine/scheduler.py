"""Callbacks at future simulation times, without a SimPy process each.

Alerts are data, not processes (DESIGN.md, spine 4): monitors, aggregation groups and
propagated health changes are plain callbacks on SimPy timeouts, which costs one event
each and keeps a storm of alerts from becoming a storm of processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy


class Scheduler:
    """Runs ``callback(*args)`` after a delay, in SimPy's deterministic event order."""

    __slots__ = ("env",)

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env

    def after(self, delay_s: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` once, ``delay_s`` seconds from now."""
        # Exactly max(0.0, delay_s): a delay that is not positive becomes the float 0.0.
        event = simpy.Timeout(self.env, delay_s if delay_s > 0.0 else 0.0)
        event.callbacks.append(lambda _e: callback(*args))

    def at(self, t_s: float, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(*args)`` at absolute simulation time ``t_s`` (or now, if past)."""
        self.after(t_s - self.env.now, callback, *args)
