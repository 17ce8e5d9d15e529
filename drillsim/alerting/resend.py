"""When Prometheus sends an alert to Alertmanager: the first send, re-sends, resolved ones.

Prometheus's rule manager evaluates a rule every ``interval`` and, after each
evaluation, posts every alert that ``needsSending`` (``rules/alerting.go``):

* a pending alert is never sent;
* an alert resolved since its last send is sent at once;
* otherwise it is sent when ``LastSentAt + resend_delay < ts`` -- strictly before, so with
  the defaults (1m evaluation, ``--rules.alert.resend-delay`` 1m) a firing alert is
  re-sent every *two* minutes, not every minute;
* a resolved alert stays in the rule's active set, and keeps being re-sent, until an
  evaluation finds it resolved more than 15 minutes ago (``resolvedRetention``), or the
  condition holds again and a new pending alert takes its place.

Evaluations fall on a fixed grid, so the sends of one alert do too: one at the
evaluation where it fires, then every :func:`resend_step`; one at the evaluation where it
resolves, then every :func:`resend_step` while within the retention
(:func:`next_resend`, :func:`resolved_resends`).
(Section 1.10 of shared/reference/formats.md.)
"""

from __future__ import annotations

import math

RESOLVED_RETENTION_S = 15 * 60.0
"""How long Prometheus keeps re-sending a resolved alert (``resolvedRetention``)."""

DEFAULT_RESEND_DELAY_S = 60.0
"""Prometheus's ``--rules.alert.resend-delay`` default."""

_EPS = 1e-9


def resend_step(eval_s: float, resend_delay_s: float) -> float:
    """Seconds between two sends of one alert: the first evaluation *strictly* later
    than ``resend_delay`` after the last send."""
    if eval_s <= 0:
        raise ValueError("the evaluation interval must be positive")
    return (math.floor(resend_delay_s / eval_s + _EPS) + 1) * eval_s


def firing_sends(fired_s: float, until_s: float, step_s: float) -> int:
    """Sends of a firing alert from its firing evaluation to ``until_s`` (excluded):
    its resolution, or the end of the run."""
    if until_s <= fired_s:
        return 0
    return math.ceil((until_s - fired_s) / step_s - _EPS)


def next_resend(resolved_s: float, step_s: float, after_s: float) -> float | None:
    """The first re-send of an alert resolved at ``resolved_s`` strictly after ``after_s``,
    or None once the retention is over."""
    k = max(1, math.floor((after_s - resolved_s) / step_s + _EPS) + 1)
    t = resolved_s + k * step_s
    return t if k * step_s <= RESOLVED_RETENTION_S + _EPS else None


def resolved_resends(resolved_s: float, step_s: float, before_s: float) -> int:
    """Re-sends of an alert resolved at ``resolved_s`` (the send at the resolution itself
    not included) before ``before_s``: the end of the run, or the evaluation where a new
    pending alert took its place."""
    within = math.floor(RESOLVED_RETENTION_S / step_s + _EPS)
    before = math.ceil((before_s - resolved_s) / step_s - _EPS) - 1
    return max(0, min(within, before))
