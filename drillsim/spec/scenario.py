"""The ``Scenario`` document: one fire drill over a topology, with faults, alerting,
on-call, responder behaviour and scoring weights.

A scenario references the other documents by path relative to itself.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from drillsim.spec.alerting import PrometheusServer, RuleBinding
from drillsim.spec.distributions import Fixed, LogNormal
from drillsim.spec.responders import (
    Channel,
    ChannelSpec,
    Fallback,
    Fatigue,
    HandOff,
    NotificationRule,
    RoleSpec,
    check_roles,
    check_rules,
    default_channels,
    default_rules,
)
from drillsim.spec.types import (
    DistributionSpec,
    DurationS,
    Fraction,
    Name,
    PositiveDurationS,
    SpecModel,
    Timestamp,
)

FaultType = Literal[
    "crash",
    "error-rate",
    "latency",
    "capacity-loss",
    "zone-outage",
    "region-outage",
    "bad-deploy",
    "partition",
]
Action = Literal["restart", "rollback", "failover", "scale", "evacuate", "shed-load"]

#: The runbook action that ends each fault type unless the fault names another.
DEFAULT_REMEDY: dict[str, str] = {
    "crash": "restart",
    "error-rate": "restart",
    "latency": "scale",
    "capacity-loss": "scale",
    "zone-outage": "evacuate",
    "region-outage": "evacuate",
    "bad-deploy": "rollback",
    "partition": "failover",
}


class FaultTarget(SpecModel):
    """What a fault hits: one service, a zone (``region/zone``), a region, a tier or a team.

    Tier and team targets expand to every matching service, each with its own arrivals.
    """

    service: Name | None = None
    zone: Name | None = Field(default=None, description="region/zone, e.g. eu-west/a")
    region: Name | None = None
    tier: int | None = Field(default=None, ge=1, le=4)
    team: Name | None = None
    instance: Literal["primary", "standby"] | None = Field(
        default=None,
        description="with service, for a crash of an active-standby service: crash this "
        "instance (default: whichever is active when the crash starts)",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> FaultTarget:
        given = [k for k in ("service", "zone", "region", "tier", "team") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("a target names exactly one of service, zone, region, tier, team")
        if self.instance is not None and self.service is None:
            raise ValueError("'instance' needs a service target")
        if self.zone is not None and "/" not in self.zone:
            raise ValueError("a zone target is written region/zone, e.g. eu-west/a")
        return self


class Arrivals(SpecModel):
    """Stochastic start times: a Poisson process with the given mean gap per target.

    Two options exist for closed-form validation (docs/validation.md). ``spread: rotate``
    gives a tier or team target one Poisson stream whose arrivals hit its services in
    turn, so each arrival meets a service that is (almost surely) healthy and opens an
    incident of its own: an exact Poisson stream of incidents. ``gap_from: end`` counts
    each gap from the end of the previous occurrence instead of its start, so a unit's
    failures never overlap: exponential up-times of mean ``every`` alternating with
    down-times ``lasts`` (MTBF/MTTR). ``crew`` makes units share one repairer.
    """

    every: PositiveDurationS
    after: DurationS = Field(default=0.0, description="no arrival before this offset")
    spread: Literal["per-target", "rotate"] = Field(
        default="per-target",
        description="per-target: a Poisson stream per matching service; rotate: one stream "
        "for the whole target, its arrivals hitting the matching services in turn",
    )
    gap_from: Literal["start", "end"] = Field(
        default="start",
        description="count each gap from the previous occurrence's start, or its end "
        "(needs lasts and until: duration)",
    )
    crew: Name | None = Field(
        default=None,
        description="with gap_from: end, faults naming one crew are repaired one at a time, "
        "oldest failure first (shared repair); default: each target repaired at once",
    )


class Fault(SpecModel):
    """One failure injected into the topology.

    Starts ``at`` an offset or at random ``arrivals``. Ends after ``lasts`` by itself
    (``until: self-heal``, the default when ``lasts`` is given: a responder's repair can
    end it sooner), after ``lasts`` whatever responders do (``until: duration``), or only
    when a responder applies the remedy (``until: repaired``).
    """

    name: Name | None = None
    type: FaultType
    target: FaultTarget
    at: DurationS | None = None
    arrivals: Arrivals | None = None
    lasts: DistributionSpec | None = None
    until: Literal["repaired", "self-heal", "duration"] | None = None
    remedy: Action | None = None
    rate: Fraction | None = Field(default=None, description="error rate (error-rate, bad-deploy)")
    latency: PositiveDurationS | None = Field(default=None, description="added p99 latency")
    capacity: Fraction | None = Field(default=None, description="share of capacity lost")
    dependency: Name | None = Field(default=None, description="partitioned dependency")
    version: str | None = Field(default=None, description="deployed version (bad-deploy)")

    @model_validator(mode="after")
    def _consistent(self) -> Fault:
        if (self.at is None) == (self.arrivals is None):
            raise ValueError("a fault starts either 'at' an offset or by 'arrivals'")
        if self.until in ("self-heal", "duration") and self.lasts is None:
            raise ValueError(f"'until: {self.until}' needs 'lasts'")
        if self.until == "repaired" and self.lasts is not None:
            raise ValueError("'until: repaired' ends only by a responder; remove 'lasts'")
        arrivals = self.arrivals
        if arrivals is not None and arrivals.gap_from == "end" and self.until != "duration":
            raise ValueError("'gap_from: end' needs 'lasts' and 'until: duration'")
        if arrivals is not None and arrivals.crew and arrivals.gap_from != "end":
            raise ValueError("a repair 'crew' needs 'gap_from: end'")
        rotate = arrivals is not None and arrivals.spread == "rotate"
        if rotate and self.target.tier is None and self.target.team is None:
            raise ValueError("'spread: rotate' needs a tier or team target")
        if self.target.instance is not None and self.type != "crash":
            raise ValueError("only a crash targets one 'instance'")
        needs = {
            "error-rate": "rate",
            "latency": "latency",
            "capacity-loss": "capacity",
            "partition": "dependency",
        }
        field = needs.get(self.type)
        if field and getattr(self, field) is None:
            raise ValueError(f"{self.type} faults need '{field}'")
        t = self.target
        if self.type == "zone-outage" and t.zone is None:
            raise ValueError("a zone-outage targets a zone, e.g. target: {zone: eu-west/a}")
        if self.type == "region-outage" and t.region is None:
            raise ValueError("a region-outage targets a region")
        if self.type not in ("zone-outage", "region-outage") and (t.zone or t.region):
            raise ValueError(f"{self.type} faults target services, not a zone or region")
        if self.type in ("zone-outage", "region-outage") and self.remedy not in (None, "evacuate"):
            raise ValueError(f"a {self.type} is mitigated by 'evacuate', not {self.remedy!r}")
        return self

    @property
    def ends(self) -> str:
        """How the fault ends: repaired, self-heal or duration."""
        if self.until:
            return self.until
        return "self-heal" if self.lasts is not None else "repaired"

    @property
    def remedy_action(self) -> str:
        """The runbook action that ends or mitigates this fault."""
        return self.remedy or DEFAULT_REMEDY[self.type]


class AlertingRefs(SpecModel):
    """Paths to the alert rules and the routing tree (relative to the scenario)."""

    rules: str = Field(description="a drillsim AlertRules document or a Prometheus rule file")
    routing: str
    bindings: list[RuleBinding] = Field(
        default=[], description="signal bindings for the rules of a Prometheus rule file"
    )
    receivers: dict[Name, Name] = Field(
        default={},
        description="an imported alertmanager.yml's receiver -> drillsim escalation policy",
    )
    prometheus: PrometheusServer = Field(
        default_factory=PrometheusServer,
        description="intervals and resend delay of the Prometheus evaluating a rule file",
    )


class ResponderDefaults(SpecModel):
    """How responders behave unless a person's own profile says otherwise, and how the
    team is organised (hand-offs, fallback pool, roles).

    Defaults follow reference/anchors.md §5 and docs/model.md (Responders): a median
    acknowledgement of 3 minutes awake (mean about 4.7 min, as PagerDuty's 4-6 min MTTA),
    about 2.5x slower and far more often missed while asleep.
    """

    ack: DistributionSpec = LogNormal(180.0, 600.0)
    asleep_ack_factor: float = Field(default=2.5, ge=1)
    commute_ack_factor: float = Field(default=1.5, ge=1)
    meeting_ack_factor: float = Field(default=1.3, ge=1)
    miss: Fraction = 0.02
    asleep_miss: Fraction = 0.15
    commute_miss: Fraction = 0.05
    meeting_miss: Fraction = 0.02
    sick_rate: Fraction = Field(
        default=0.0, description="chance a person is off sick on any given day (random)"
    )
    notify: list[NotificationRule] = Field(
        default_factory=default_rules, description="notification rules of everyone by default"
    )
    channels: dict[Channel, ChannelSpec] = Field(
        default_factory=default_channels, description="merged over the default channels"
    )
    fatigue: Fatigue = Fatigue()
    handoff: HandOff = HandOff()
    fallback: Fallback | None = None
    roles: list[RoleSpec] = []
    max_waiting: int | None = Field(
        default=None,
        ge=0,
        description="a busy person declines a page (PageDeclined) while this many "
        "unacknowledged incidents already wait for them; default: no cap",
    )
    investigate: DistributionSpec = LogNormal(600.0, 1800.0)
    unskilled_factor: float = Field(default=2.0, ge=1, description="slower without the skill")
    investigation_timebox: PositiveDurationS = Field(
        default=7200.0,
        description="time-boxed checkpoint: act on the best hypothesis after this long",
    )
    wrong_base: Fraction = Field(default=0.10, description="wrong first hypothesis, no storm")
    wrong_per_symptom_share: Fraction = Field(
        default=0.5, description="extra chance per share of symptom alerts in the incident"
    )
    verify: DistributionSpec = Fixed(300.0)
    wrap_up: DistributionSpec = LogNormal(600.0, 1800.0)

    @field_validator("notify")
    @classmethod
    def _rules_in_order(cls, value: list[NotificationRule]) -> list[NotificationRule]:
        return check_rules(value)

    @field_validator("roles")
    @classmethod
    def _roles_once(cls, value: list[RoleSpec]) -> list[RoleSpec]:
        return check_roles(value)

    @field_validator("channels", mode="before")
    @classmethod
    def _merge_channels(cls, value: object) -> object:
        """A channel written in part keeps the defaults of the fields it leaves out."""
        if not isinstance(value, dict):
            return value
        merged: dict[object, object] = dict(default_channels().items())
        for name, spec in value.items():
            base = merged.get(name)
            if isinstance(spec, dict) and isinstance(base, ChannelSpec):
                merged[name] = {**base.model_dump(mode="json"), **spec}
            else:
                merged[name] = spec
        return merged


class ActionSpec(SpecModel):
    """A runbook action's duration and success probability."""

    duration: DistributionSpec
    success: Fraction


def _default_runbook() -> dict[Action, ActionSpec]:
    return {
        "restart": ActionSpec(duration=LogNormal(180.0, 480.0), success=0.9),
        "rollback": ActionSpec(duration=LogNormal(480.0, 1200.0), success=0.95),
        "failover": ActionSpec(duration=Fixed(120.0), success=0.95),
        "scale": ActionSpec(duration=LogNormal(300.0, 720.0), success=0.9),
        "evacuate": ActionSpec(duration=LogNormal(600.0, 1500.0), success=0.9),
        # Drop the queued requests of a service in a retry storm (a load-shedding switch,
        # a rate limit at the edge, or flushing the queue): quick, as it is a lever
        # teams keep at hand for exactly this.
        "shed-load": ActionSpec(duration=LogNormal(120.0, 420.0), success=0.95),
    }


class SeverityRule(SpecModel):
    """First matching rule sets an incident's severity (see DEFAULT_SEVERITY)."""

    severity: Name
    max_tier: int = Field(default=4, ge=1, le=4, description="service tier at most")
    min_error_rate: Fraction = 0.0


DEFAULT_SEVERITY: tuple[SeverityRule, ...] = (
    SeverityRule(severity="SEV1", max_tier=1, min_error_rate=0.25),
    SeverityRule(severity="SEV2", max_tier=1, min_error_rate=0.01),
    SeverityRule(severity="SEV2", max_tier=2, min_error_rate=0.25),
    SeverityRule(severity="SEV3", max_tier=4, min_error_rate=0.001),
    SeverityRule(severity="SEV4", max_tier=4, min_error_rate=0.0),
)
"""Default severity matrix: criticality (tier) against the worst error rate at opening."""


class KpiTarget(SpecModel):
    """Linear sub-score: 100 at or below ``good``, 0 at or above ``bad``."""

    good: float = Field(ge=0)
    bad: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> KpiTarget:
        if self.bad <= self.good:
            raise ValueError("'bad' must be greater than 'good'")
        return self


SCORE_KEYS = (
    "time_to_acknowledge",
    "time_to_mitigate",
    "customer_impact",
    "responder_load",
    "noise",
    "time_to_detect",
)
"""Parts of the drill score (see :mod:`drillsim.scoring.scorecard` for their KPIs)."""


class Scoring(SpecModel):
    """Weights of the 0-100 drill score and the targets each sub-score is measured on."""

    weights: dict[Name, float] = Field(
        default={
            "time_to_acknowledge": 0.25,
            "time_to_mitigate": 0.25,
            "customer_impact": 0.3,
            "responder_load": 0.1,
            "noise": 0.1,
        }
    )
    targets: dict[Name, KpiTarget] = {}

    @field_validator("weights", "targets")
    @classmethod
    def _known_keys(cls, value: dict[str, object]) -> dict[str, object]:
        for key, weight in value.items():
            if key not in SCORE_KEYS:
                raise ValueError(f"unknown score part {key!r}; known: {', '.join(SCORE_KEYS)}")
            if isinstance(weight, float | int) and weight < 0:
                raise ValueError(f"weight of {key!r} must be >= 0")
        return value


class SilenceSpec(SpecModel):
    """A silence (a maintenance window): alerts matching every matcher are not notified
    between ``starts`` and ``ends`` (offsets from the drill's start)."""

    matchers: list[str] = Field(min_length=1)
    starts: DurationS = 0.0
    ends: PositiveDurationS
    created_by: str = "drillsim"
    comment: str = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> SilenceSpec:
        if self.ends <= self.starts:
            raise ValueError("a silence ends after it starts")
        return self


class MaintenanceWindow(SpecModel):
    """Planned work on some services: their non-critical alerts are silenced from
    ``starts`` to ``ends``; critical ones still page unless ``include_critical`` is set."""

    services: list[Name] = Field(min_length=1)
    starts: DurationS = 0.0
    ends: PositiveDurationS
    include_critical: bool = False
    comment: str = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> MaintenanceWindow:
        if self.ends <= self.starts:
            raise ValueError("a maintenance window ends after it starts")
        return self

    def matchers(self) -> list[str]:
        """The silence's matchers: these services, and not critical unless included."""
        names = "|".join(re.escape(s) for s in self.services)
        out = [f'service=~"{names}"']
        if not self.include_critical:
            out.append('severity!="critical"')
        return out


class Correlation(SpecModel):
    """Fold new notifications into an open incident (no new page) opened within ``window``.

    ``by: topology``: when the alerts' services depend on (or are) the incident's services.
    ``by: time``: any open incident of the same receiver, as PagerDuty's time-based alert
    grouping does.
    """

    by: Literal["topology", "time"] = "topology"
    window: PositiveDurationS = 600.0


class Scenario(SpecModel):
    """``kind: Scenario``: one fire drill."""

    kind: Literal["Scenario"]
    version: Literal[1]
    name: str
    description: str = ""
    start: Timestamp
    duration: PositiveDurationS
    seed: int | None = Field(default=None, ge=0)
    topology: str
    oncall: str
    alerting: AlertingRefs
    faults: list[Fault] = Field(min_length=1)
    responders: ResponderDefaults = ResponderDefaults()
    runbook: dict[Action, ActionSpec] = Field(
        default_factory=_default_runbook, description="merged over the default runbook"
    )
    severity: list[SeverityRule] = list(DEFAULT_SEVERITY)
    scoring: Scoring = Scoring()
    silences: list[SilenceSpec] = Field(default=[], description="Alertmanager silences")
    maintenance: list[MaintenanceWindow] = Field(
        default=[], description="planned work: silences that spare critical alerts"
    )
    correlation: Correlation | None = Field(
        default=None, description="topology-aware correlation of alerts into incidents"
    )

    @field_validator("severity")
    @classmethod
    def _severity_ends_with_catch_all(cls, rules: list[SeverityRule]) -> list[SeverityRule]:
        if not rules or rules[-1].max_tier < 4 or rules[-1].min_error_rate > 0:
            raise ValueError(
                "the last severity rule must match every incident (no max_tier, no "
                "min_error_rate), e.g. {severity: SEV4}"
            )
        return rules

    @field_validator("runbook", mode="before")
    @classmethod
    def _merge_runbook(cls, value: object) -> object:
        if isinstance(value, dict):
            return {**_default_runbook(), **value}
        return value
