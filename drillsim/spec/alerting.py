"""The ``AlertRules`` and ``Routing`` documents: monitors on service signals, and the
Alertmanager-shaped routing tree that turns their alerts into notifications.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from drillsim.spec.topology import Service
from drillsim.spec.types import (
    DistributionSpec,
    DurationS,
    Name,
    PositiveDurationS,
    SpecModel,
)

Signal = Literal["error_rate", "availability", "latency_p99", "up", "saturation"]
"""Service signals a monitor can watch (see :mod:`drillsim.engine.health`)."""


class ServiceSelector(SpecModel):
    """Which services a monitor watches; empty means every service."""

    names: list[Name] | None = None
    tiers: list[int] | None = None
    teams: list[Name] | None = None

    def selects(self, service: Service) -> bool:
        """Whether a service is among those selected."""
        return (
            (self.names is None or service.name in self.names)
            and (self.tiers is None or service.tier in self.tiers)
            and (self.teams is None or service.team in self.teams)
        )


class NoiseSpikes(SpecModel):
    """Random excursions of the signal past the threshold: false positives or flapping."""

    every: PositiveDurationS = Field(description="mean time between excursions per service")
    lasts: DistributionSpec = Field(description="how long each excursion lasts")


class SignalThreshold(SpecModel):
    """A service signal compared with a threshold: the condition of a monitor.

    Shared by :class:`AlertRule` and :class:`RuleBinding`, so a binding's threshold is
    checked where it is written rather than later, inside the rule it produces.
    """

    signal: Signal
    op: Literal[">", ">=", "<", "<="] = ">"
    threshold: float | str
    services: ServiceSelector = ServiceSelector()

    @field_validator("threshold", mode="before")
    @classmethod
    def _threshold_is_number_or_text(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("expected a number, percentage or duration, got boolean")
        return value

    @property
    def threshold_value(self) -> float:
        """The threshold in the signal's unit (fraction, seconds, or 0/1)."""
        from drillsim.spec.durations import parse_duration, parse_percentage

        t = self.threshold
        if isinstance(t, float | int):
            return float(t)
        if t.strip().endswith("%"):
            return parse_percentage(t)
        return parse_duration(t)

    @model_validator(mode="after")
    def _threshold_fits_signal(self) -> Self:
        t = self.threshold
        try:
            value = self.threshold_value
        except ValueError as exc:
            raise ValueError(f"threshold: {exc}") from None
        if self.signal == "latency_p99" and not isinstance(t, str):
            raise ValueError("a latency threshold is a duration like 500ms")
        if self.signal in ("error_rate", "availability", "saturation") and not 0 <= value <= 1:
            raise ValueError(f"{self.signal} thresholds are percentages like 5%")
        return self


class AlertRule(SignalThreshold):
    """A threshold on a service signal held for ``for`` before the alert fires.

    Evaluated like a Prometheus alerting rule: the signal is scraped every
    ``scrape_interval``, the condition evaluated every ``interval``; it is pending from the
    first true evaluation and fires at the first evaluation at least ``for`` later
    (``interval`` defaults to the document's ``evaluation_interval``).
    """

    alert: Name
    for_: DurationS = Field(default=0.0, alias="for")
    keep_firing_for: DurationS = 0.0
    interval: PositiveDurationS | None = Field(
        default=None, description="evaluation interval of this rule (its group's, if imported)"
    )
    labels: dict[Name, Name] = {}
    annotations: dict[Name, str] = {}
    false_positives: NoiseSpikes | None = Field(
        default=None, description="spurious excursions while the service is healthy"
    )
    flapping: NoiseSpikes | None = Field(
        default=None, description="dips back under the threshold while the condition holds"
    )

    model_config = {"populate_by_name": True}


class RuleBinding(SignalThreshold):
    """Binds a rule imported from a Prometheus rule file to a service signal.

    PromQL is not evaluated: the rule's ``expr`` stands for "this signal crosses this
    threshold" on the selected services. The rule keeps its own ``for``, labels and
    annotations.
    """

    alert: Name = Field(description="the Prometheus rule's alert name")


class PrometheusServer(SpecModel):
    """The Prometheus that evaluates an imported rule file: its ``prometheus.yml``
    globals and its rule manager's ``--rules.alert.resend-delay``. (A drillsim
    ``AlertRules`` document states these itself.)"""

    scrape_interval: PositiveDurationS = 15.0
    evaluation_interval: PositiveDurationS = Field(
        default=60.0, description="global evaluation_interval; a group's own interval wins"
    )
    resend_delay: DurationS = 60.0


class AlertRules(SpecModel):
    """``kind: AlertRules``: monitors and how often they are evaluated."""

    kind: Literal["AlertRules"]
    version: Literal[1]
    scrape_interval: PositiveDurationS = 15.0
    evaluation_interval: PositiveDurationS = 30.0
    resend_delay: DurationS = Field(
        default=60.0,
        description="Prometheus's --rules.alert.resend-delay: a firing alert is re-sent to "
        "Alertmanager at the first evaluation more than this after its last send",
    )
    rules: list[AlertRule] = Field(min_length=1)


class Route(SpecModel):
    """A node of the routing tree (Alertmanager ``<route>`` semantics).

    Options left out are inherited from the parent; ``group_by: []`` (one group per route)
    differs from leaving it out.
    """

    receiver: Name | None = None
    group_by: list[Name] | None = None
    matchers: list[str] = []
    match: dict[Name, str] = Field(default={}, description="deprecated equality matchers")
    match_re: dict[Name, str] = Field(default={}, description="deprecated regex matchers")
    continue_: bool = Field(default=False, alias="continue")
    group_wait: DurationS | None = None
    group_interval: PositiveDurationS | None = None
    repeat_interval: PositiveDurationS | None = None
    mute_time_intervals: list[Name] = Field(
        default=[], description="names of time intervals when this route sends nothing"
    )
    active_time_intervals: list[Name] = Field(
        default=[], description="names of time intervals outside which this route is muted"
    )
    routes: list[Route] = []

    model_config = {"populate_by_name": True}


class InhibitRuleSpec(SpecModel):
    """Mute alerts matching ``target_matchers`` while an alert matching ``source_matchers``
    with the same ``equal`` labels is firing (Alertmanager ``inhibit_rules``)."""

    name: str | None = None
    source_matchers: list[str] = []
    target_matchers: list[str] = []
    source_match: dict[Name, str] = {}
    source_match_re: dict[Name, str] = {}
    target_match: dict[Name, str] = {}
    target_match_re: dict[Name, str] = {}
    equal: list[Name] = []


class NamedTimeInterval(SpecModel):
    """A named list of Alertmanager ``<time_interval>`` specs (checked by the loader)."""

    name: Name
    time_intervals: list[dict[str, Any]] = Field(min_length=1)


class Receiver(SpecModel):
    """Where notifications go: a drillsim escalation policy, or nowhere (a null receiver)."""

    name: Name
    escalation_policy: Name | None = None


class Routing(SpecModel):
    """``kind: Routing``: the routing tree and its receivers."""

    kind: Literal["Routing"]
    version: Literal[1]
    route: Route
    receivers: list[Receiver] = Field(min_length=1)
    inhibit_rules: list[InhibitRuleSpec] = []
    time_intervals: list[NamedTimeInterval] = []
    send_resolved: bool = True

    @model_validator(mode="after")
    def _root_is_catch_all(self) -> Routing:
        if self.route.receiver is None:
            raise ValueError("the root route needs a receiver")
        if self.route.matchers or self.route.match or self.route.match_re:
            raise ValueError("the root route must not have matchers")
        return self
