"""Escalation policies: whom to page, in which order, how long to wait in between, and
what happens to an incident the policy owns (acknowledgement timeout, auto-resolve,
urgency).

One engine runs every policy (:mod:`drillsim.oncall.machine`); where PagerDuty,
Opsgenie, Grafana OnCall and GoAlert differ, the difference is a field here, so a
policy states the semantics it follows instead of inheriting a vendor's silently.
A policy is written either as ``rules`` (PagerDuty, Opsgenie, GoAlert: each rule pages
its targets and has a delay) or as ``steps`` (Grafana OnCall: an explicit chain of
notify, wait, condition and repeat steps). Rules are sugar for steps; both run on the
same engine. docs/model.md has the vendor-by-vendor mapping.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from drillsim.spec.clocktypes import ClockSpan, Weekdays
from drillsim.spec.types import (
    DurationS,
    Name,
    PositiveDurationS,
    SpecModel,
    TimeZoneName,
)

Assignment = Literal["everyone", "round-robin"]
"""Who of a level's people is paged: all of them (PagerDuty ``assign_to_everyone``), or
one, the next in turn each time the level pages (PagerDuty ``round_robin``, Grafana
OnCall ``notify_person_next_each_time``)."""

Condition = Literal["not-acked", "not-closed"]
"""When a level still pages: while nobody has acknowledged (every vendor's default), or
while the incident is open even if acknowledged (Opsgenie ``if-not-closed``)."""

UrgencyLevel = Literal["high", "low", "severity-based"]
"""PagerDuty urgency: ``high`` escalates, ``low`` notifies the first level only,
``severity-based`` takes high for critical/error alerts and low for warning/info."""

GRAFANA_WAIT_S = 300.0
"""A Grafana OnCall ``wait`` step without a duration waits 5 minutes."""
GRAFANA_MAX_REPEATS = 5
"""Grafana OnCall repeats an escalation chain at most 5 times."""

_STEP_ACTIONS = (
    "notify",
    "wait",
    "continue_if_time",
    "continue_if_alerts",
    "repeat",
    "resolve",
    "declare_incident",
)
_BARE_STEPS: dict[str, dict[str, Any]] = {
    "wait": {"wait": "5m"},
    "repeat": {"repeat": GRAFANA_MAX_REPEATS},
    "resolve": {"resolve": True},
    "declare_incident": {"declare_incident": {}},
}


class Target(SpecModel):
    """Who an escalation rule notifies: one user or whoever is on call on a schedule."""

    user: Name | None = None
    schedule: Name | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        if (self.user is None) == (self.schedule is None):
            raise ValueError("a target names exactly one of 'user' or 'schedule'")
        return self


class EscalationRule(SpecModel):
    """Notify targets, then wait ``delay`` before the next rule (or, with the policy's
    ``delays: from-start``, notify them ``delay`` after the incident opened)."""

    delay: DurationS = Field(
        description="per-rule: wait this long for an acknowledgement before the next rule "
        "(> 0); from-start: page this long after the incident opened (Opsgenie)"
    )
    targets: list[Target] = Field(min_length=1)
    assignment: Assignment = Field(
        default="everyone", description="page everyone the targets name, or one in turn"
    )
    condition: Condition = Field(
        default="not-acked",
        description="page only while unacknowledged, or while open (Opsgenie if-not-closed)",
    )
    multi_ack: bool = Field(
        default=False,
        description="GoAlert multi-ack: everyone this rule pages answers, not only the first",
    )


class AlertCount(SpecModel):
    """At least ``at_least`` alerts reached the incident within the last ``within``."""

    at_least: int = Field(ge=1)
    within: PositiveDurationS


class DeclareIncident(SpecModel):
    """Declare a formal incident (Grafana IRM); the severity defaults to the incident's."""

    severity: Name | None = None


def _bare_words_allowed(schema: dict[str, Any]) -> None:
    """JSON Schema of a step: the mapping, or one of the bare words (for editors)."""
    mapping = {k: v for k, v in schema.items() if k not in ("title", "description")}
    for key in list(mapping):
        del schema[key]
    schema["anyOf"] = [mapping, {"type": "string", "enum": list(_BARE_STEPS)}]


class ChainStep(SpecModel):
    """One step of a Grafana OnCall-style chain: exactly one action.

    Written as a mapping (``{wait: 15m}``, ``{notify: [{schedule: primary}]}``) or, for
    steps without parameters, as a bare word: ``wait`` (5 minutes, OnCall's default),
    ``repeat`` (back to the first step, at most 5 times), ``resolve``,
    ``declare_incident``.
    """

    notify: list[Target] | None = Field(
        default=None, min_length=1, description="page these targets' people"
    )
    assignment: Assignment = "everyone"
    condition: Condition = "not-acked"
    multi_ack: bool = False
    wait: PositiveDurationS | None = Field(default=None, description="pause; 5m when bare")
    continue_if_time: ClockSpan | None = Field(
        default=None,
        description='continue only inside this UTC window ("09:00-17:00"), '
        "else pause until it starts",
    )
    continue_if_alerts: AlertCount | None = Field(
        default=None,
        description="continue only once at least this many alerts reached the incident "
        "within the window, else pause until they have",
    )
    repeat: int | None = Field(
        default=None, ge=1, le=9, description="go back to the first step, at most this often"
    )
    resolve: Literal[True] | None = None
    declare_incident: DeclareIncident | None = None

    model_config = ConfigDict(json_schema_extra=_bare_words_allowed)

    @model_validator(mode="before")
    @classmethod
    def _bare_word(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip() in _BARE_STEPS:
                return dict(_BARE_STEPS[value.strip()])
            raise ValueError(
                f"unknown step {value!r}; bare steps are {', '.join(_BARE_STEPS)} "
                "(others are mappings like {wait: 15m} or {notify: [{user: alice}]})"
            )
        return value

    @model_validator(mode="after")
    def _one_action(self) -> ChainStep:
        given = [a for a in _STEP_ACTIONS if getattr(self, a) is not None]
        if len(given) != 1:
            raise ValueError(f"a step has exactly one of {', '.join(_STEP_ACTIONS)}")
        if self.notify is None:
            extra = [
                k for k in ("assignment", "condition", "multi_ack") if k in self.model_fields_set
            ]
            if extra:
                raise ValueError(f"{extra[0]}: applies to notify steps only")
        window = self.continue_if_time
        if window is not None and window[0] == window[1]:
            raise ValueError(
                "continue_if_time: the window is empty (it starts where it ends), "
                "so the chain would never continue"
            )
        return self

    @property
    def action(self) -> str:
        """The one action this step takes."""
        return next(a for a in _STEP_ACTIONS if getattr(self, a) is not None)


class SupportHours(SpecModel):
    """PagerDuty ``support_hours``: the days and local hours a service is supported."""

    tz: TimeZoneName = "UTC"
    days: Weekdays = Field(
        default=(0, 1, 2, 3, 4), description="weekdays with support (default mon-fri)"
    )
    hours: ClockSpan = Field(description='local span like "09:00-17:00"')

    @field_validator("hours")
    @classmethod
    def _not_empty(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] == value[1]:
            raise ValueError("support hours must not start where they end")
        return value


class SupportHoursUrgency(SpecModel):
    """PagerDuty ``use_support_hours``: one urgency inside support hours, another outside."""

    support_hours: SupportHours
    during: UrgencyLevel = "high"
    outside: UrgencyLevel = "low"


class EscalationPolicy(SpecModel):
    """Whom to page and when, plus the incident settings PagerDuty keeps on a service.

    drillsim's analogue of a PagerDuty service is a receiver, and each receiver names one
    policy, so ``ack_timeout``, ``auto_resolve`` and ``urgency`` are written here: a
    receiver that needs other settings names another policy.
    """

    name: Name
    rules: list[EscalationRule] = Field(
        default=[], min_length=1, description="PagerDuty/Opsgenie/GoAlert form"
    )
    steps: list[ChainStep] = Field(
        default=[], min_length=1, description="Grafana OnCall form: an explicit chain"
    )
    loops: int = Field(
        default=1,
        ge=1,
        le=10,
        description="passes over the rules (PagerDuty num_loops + 1, GoAlert repeat + 1, "
        "Opsgenie repeat count + 1)",
    )
    delays: Literal["per-rule", "from-start"] = Field(
        default="per-rule",
        description="per-rule: each rule waits its delay (PagerDuty, GoAlert); from-start: "
        "each rule pages its delay after the pass began (Opsgenie)",
    )
    repeat_wait: DurationS | None = Field(
        default=None,
        description="from-start only: wait after the last rule before the next pass "
        "(Opsgenie repeat.waitInterval; default 0)",
    )
    empty_levels: Literal["skip", "wait"] | None = Field(
        default=None,
        description="a level with nobody on call: skip it at once (PagerDuty; the default "
        "for per-rule rules) or still wait its delay (GoAlert, Grafana OnCall; the default "
        "for from-start rules and for steps)",
    )
    ack_by: Literal["anyone-paged", "current-level"] = Field(
        default="anyone-paged",
        description="who can still acknowledge: anyone paged so far, or only the level "
        "paged last (earlier levels were unassigned)",
    )
    ack_timeout: PositiveDurationS | None = Field(
        default=None,
        description="PagerDuty acknowledgement_timeout: an acknowledged incident not "
        "resolved this long after the acknowledgement is triggered again and the policy "
        "starts over",
    )
    auto_resolve: PositiveDurationS | None = Field(
        default=None,
        description="PagerDuty auto_resolve_timeout: an incident still open this long "
        "after it opened is resolved",
    )
    urgency: UrgencyLevel | SupportHoursUrgency | None = Field(
        default=None,
        description="PagerDuty urgency (high when left out); low urgency pages the first "
        "level only and never escalates",
    )

    @field_validator("urgency", mode="before")
    @classmethod
    def _known_urgency(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in ("high", "low", "severity-based"):
            raise ValueError(
                f"unknown urgency {value!r}; expected high, low, severity-based or a "
                "mapping {support_hours: ..., during: ..., outside: ...}"
            )
        return value

    @model_validator(mode="after")
    def _coherent(self) -> EscalationPolicy:
        if bool(self.rules) == bool(self.steps):
            raise ValueError("an escalation policy has either 'rules' or 'steps'")
        if self.steps:
            for key in ("loops", "delays", "repeat_wait"):
                if key in self.model_fields_set:
                    raise ValueError(
                        f"{key}: applies to rules only; a chain repeats with a repeat step"
                    )
        if self.delays == "from-start" and self.empty_levels == "skip":
            raise ValueError(
                "empty_levels: skip cannot apply when each level pages at its own offset "
                "from the start of the pass; use wait"
            )
        if self.repeat_wait is not None and self.delays != "from-start":
            raise ValueError(
                "repeat_wait: applies with delays: from-start only; with per-rule delays "
                "the last rule's delay is the wait before the next pass"
            )
        return self

    @property
    def skips_empty_levels(self) -> bool:
        """Whether a level with nobody on call is passed over at once (see ``empty_levels``)."""
        if self.empty_levels is not None:
            return self.empty_levels == "skip"
        return bool(self.rules) and self.delays == "per-rule"
