"""On-call arithmetic: who is on call at an instant, people's local clocks, escalation.

Pure functions (no simpy, no file I/O) over :mod:`drillsim.spec.oncall` models and
aware datetimes; the engine calls them with instants derived from ``env.now``. The
rotation semantics (calendar turns, DST edges, restrictions, levels, overrides) are
documented in :mod:`drillsim.oncall.rotation`.
"""

from __future__ import annotations

from drillsim.oncall.clock import is_asleep, is_off_hours, is_working_hours
from drillsim.oncall.escalation import EscalationStep, escalation_steps, resolve_targets
from drillsim.oncall.rotation import (
    Shift,
    Turn,
    handoff_instant,
    layer_covers,
    layer_user_at,
    layer_users_at,
    on_call,
    shifts,
    turn_at,
    who_is_on_call,
)

__all__ = [
    "EscalationStep",
    "Shift",
    "Turn",
    "escalation_steps",
    "handoff_instant",
    "is_asleep",
    "is_off_hours",
    "is_working_hours",
    "layer_covers",
    "layer_user_at",
    "layer_users_at",
    "on_call",
    "resolve_targets",
    "shifts",
    "turn_at",
    "who_is_on_call",
]
