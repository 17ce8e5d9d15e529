"""How people are reached and how they hold up: channels, notification rules, fatigue,
hand-offs, the fallback pool and the roles of a response.

These are parts of the scenario's ``responders:`` section (:class:`ResponderDefaults`
in :mod:`drillsim.spec.scenario`); a person's own ``notify:`` rules live on the person.
Defaults and their sources are listed in ``docs/model.md`` (Responders).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

from pydantic import Field, field_validator, model_validator

from drillsim.spec.distributions import Fixed, LogNormal
from drillsim.spec.types import DistributionSpec, DurationS, Fraction, Name, SpecModel

Channel = Literal["push", "sms", "phone", "email"]
CHANNELS: tuple[str, ...] = ("push", "sms", "phone", "email")


class NotificationRule(SpecModel):
    """Contact the person on ``channel`` this long after the page, unless acknowledged."""

    channel: Channel
    after: DurationS = 0.0


def _default_rules() -> list[NotificationRule]:
    return [
        NotificationRule(channel="push"),
        NotificationRule.model_validate({"channel": "sms", "after": "5m"}),
        NotificationRule.model_validate({"channel": "phone", "after": "10m"}),
    ]


def check_rules(rules: list[NotificationRule]) -> list[NotificationRule]:
    """Rules are written in time order and the first one is immediate: a page that
    waits before contacting anyone would silently add to time to acknowledge."""
    if not rules:
        raise ValueError("give at least one notification rule, e.g. [{channel: push}]")
    if rules[0].after != 0:
        raise ValueError("the first notification rule is sent at once ('after: 0m')")
    for before, rule in pairwise(rules):
        if rule.after < before.after:
            raise ValueError("notification rules are listed in order of 'after'")
    return rules


class ChannelSpec(SpecModel):
    """One contact channel: how long a notification takes to reach the device, and the
    chance it gets through to a person who is awake, or wakes one who is asleep."""

    delivery: DistributionSpec = Fixed(5.0)
    notice: Fraction = Field(default=1.0, description="chance an awake person notices it")
    asleep_notice: Fraction = Field(default=1.0, description="chance it wakes a sleeper")


def _default_channels() -> dict[Channel, ChannelSpec]:
    """Delivery delays are assumptions (no published per-channel figures were found);
    every channel is noticed by default, so sleep acts only through ``asleep_miss`` and
    ``asleep_ack_factor`` until a scenario sets ``notice``/``asleep_notice``."""
    return {
        "push": ChannelSpec(delivery=Fixed(5.0)),
        "sms": ChannelSpec(delivery=LogNormal(10.0, 60.0)),
        "phone": ChannelSpec(delivery=Fixed(30.0)),
        "email": ChannelSpec(delivery=LogNormal(30.0, 300.0)),
    }


class Fatigue(SpecModel):
    """How tiredness slows responses and raises the error rate.

    Both factors are multiplicative: ``(1 + per_shift_hour) ** hours_on_shift *
    (1 + per_page) ** pages_last_24h``, capped at ``max_factor``. *Hours on shift* are
    the hours the person spent working incidents in the last 24 h (see docs/model.md).
    The response-time slope per hour is Bonafide et al. 2017 (JAMA Pediatrics: +15 %
    per hour into a shift); the rest are conservative assumptions, stated as such.
    """

    enabled: bool = True
    ack_per_shift_hour: float = Field(default=0.15, ge=0, le=2)
    ack_per_page: float = Field(default=0.03, ge=0, le=2)
    error_per_shift_hour: float = Field(default=0.10, ge=0, le=2)
    error_per_page: float = Field(default=0.03, ge=0, le=2)
    max_factor: float = Field(default=3.0, ge=1, le=20)
    window: DurationS = Field(default=86400.0, description="how far back pages and work count")

    @field_validator("window")
    @classmethod
    def _positive_window(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be > 0")
        return value


class HandOff(SpecModel):
    """Shift change: an owner whose on-call shift ends hands the incident to whoever is on
    call next on that schedule; the newcomer first rebuilds context."""

    enabled: bool = True
    context_loss: DistributionSpec = LogNormal(600.0, 1800.0)


class Fallback(SpecModel):
    """Who is paged instead of (or beside) a primary who is away or overwhelmed.

    The first listed person who is not away and not busy is paged; when all are busy,
    the one with the shortest queue. Schedules contribute whoever is on call on them.
    """

    people: list[Name] = []
    schedules: list[Name] = []
    overwhelmed_at: int = Field(
        default=1,
        ge=1,
        description="incidents a primary already holds (working + queued) when paged, at "
        "which the fallback is paged as well",
    )
    when_away: bool = Field(default=True, description="page the pool for an absent person")
    when_overwhelmed: bool = Field(default=True, description="page the pool beside a busy one")

    @model_validator(mode="after")
    def _someone(self) -> Fallback:
        if not self.people and not self.schedules:
            raise ValueError("a fallback pool names 'people', 'schedules' or both")
        return self


RoleName = Literal["incident-commander", "communications-lead", "subject-matter-expert"]


class RoleSpec(SpecModel):
    """A role of the response and where its holder comes from: whoever is on call on a
    ``schedule``, the first available of ``people``, or the incident's ``owner``."""

    role: RoleName
    schedule: Name | None = None
    people: list[Name] = []
    owner: bool = False
    severities: list[Name] = Field(
        default=[], description="only for incidents of these severities (all if empty)"
    )

    @model_validator(mode="after")
    def _one_source(self) -> RoleSpec:
        given = sum([self.schedule is not None, bool(self.people), self.owner])
        if given != 1:
            raise ValueError("fill from exactly one of schedule, people, owner")
        return self


def check_roles(roles: list[RoleSpec]) -> list[RoleSpec]:
    """Each role is listed once."""
    seen: set[str] = set()
    for spec in roles:
        if spec.role in seen:
            raise ValueError(f"role {spec.role!r} is listed twice")
        seen.add(spec.role)
    return roles


__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelSpec",
    "Fallback",
    "Fatigue",
    "HandOff",
    "NotificationRule",
    "RoleName",
    "RoleSpec",
    "check_roles",
    "check_rules",
]

# Re-exported for ResponderDefaults' default factories.
default_rules = _default_rules
default_channels = _default_channels
