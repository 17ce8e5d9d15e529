"""The ``Sweep`` document: one base scenario, parameters addressed by path into its
documents, arms that give them values, and a replication count.

Every arm runs the same replications on the same seeds (common random numbers), so the
difference between two arms is the parameters', not luck's. Values are applied to the
parsed documents *before* validation, so each arm is checked like a hand-written drill.

```yaml
kind: Sweep
version: 1
scenario: ../scenarios/orders-db-failover.yaml
replications: 30
parameters:
  first_delay:
    oncall: escalation_policies[name=commerce].rules[0].delay
  group_wait:
    routing: route.group_wait
arms:
  grid:
    first_delay: [5m, 15m]
    group_wait: [10s, 30s, 2m]
```
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from drillsim.spec.docpath import Step, format_path, parse_path
from drillsim.spec.types import Name, SpecModel

#: The documents of a drill a parameter can address, as the scenario names them.
DOCUMENTS = ("scenario", "topology", "oncall", "rules", "routing")
Document = Literal["scenario", "topology", "oncall", "rules", "routing"]
_DOCUMENT_ORDER: tuple[Document, ...] = ("scenario", "topology", "oncall", "rules", "routing")


class Parameter(SpecModel):
    """Where a parameter lives: exactly one of ``scenario``, ``topology``, ``oncall``,
    ``rules`` (the alert rules file) or ``routing``, with a path into that document."""

    scenario: str | None = None
    topology: str | None = None
    oncall: str | None = None
    rules: str | None = None
    routing: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Parameter:
        given = [d for d in DOCUMENTS if getattr(self, d) is not None]
        if len(given) != 1:
            raise ValueError(
                "a parameter names exactly one of scenario, topology, oncall, rules, routing"
            )
        parse_path(getattr(self, given[0]))  # syntax errors are located here
        return self

    @property
    def document(self) -> Document:
        """Which document the path is into."""
        for doc in _DOCUMENT_ORDER:
            if getattr(self, doc) is not None:
                return doc
        raise AssertionError("checked by the validator")  # pragma: no cover

    @property
    def steps(self) -> tuple[Step, ...]:
        """The parsed path."""
        return parse_path(getattr(self, self.document))

    def describe(self) -> str:
        """``oncall: escalation_policies[name=x].rules[0].delay``."""
        return f"{self.document}: {format_path(self.steps)}"


class Arms(SpecModel):
    """Either a ``grid`` (every combination of each parameter's values, in the order
    written) or a ``list`` of named arms; a parameter an arm leaves out keeps the base
    document's value."""

    grid: dict[Name, list[Any]] | None = None
    list_: list[dict[str, Any]] | None = Field(default=None, alias="list")

    @model_validator(mode="after")
    def _exactly_one(self) -> Arms:
        if (self.grid is None) == (self.list_ is None):
            raise ValueError("arms are either a grid or a list")
        return self

    @field_validator("grid")
    @classmethod
    def _grid_values(cls, grid: dict[str, list[Any]] | None) -> dict[str, list[Any]] | None:
        for name, values in (grid or {}).items():
            if not values:
                raise ValueError(f"{name}: give at least one value")
        return grid

    @field_validator("list_")
    @classmethod
    def _named(cls, arms: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        if arms is not None and not arms:
            raise ValueError("list at least one arm")
        seen: set[str] = set()
        for n, arm in enumerate(arms or []):
            name = arm.get("name")
            if not isinstance(name, str) or not name:
                raise ValueError(f"arm [{n}] needs a 'name:' (a string)")
            if name in seen:
                raise ValueError(f"two arms are named {name!r}")
            seen.add(name)
        return arms


class Sweep(SpecModel):
    """A base scenario run under several arms, each on the same replications and seeds."""

    kind: Literal["Sweep"]
    version: Literal[1]
    name: str | None = None
    description: str | None = None
    scenario: str = Field(description="The base scenario, relative to this file.")
    parameters: dict[Name, Parameter] = Field(min_length=1)
    arms: Arms
    replications: int = Field(ge=1, description="Replications per arm.")
    seed: int | None = Field(
        default=None, ge=0, description="Root seed (default: the scenario's, else drawn)."
    )

    @model_validator(mode="after")
    def _known_parameters(self) -> Sweep:
        known = set(self.parameters)
        if self.arms.grid is not None:
            names = list(self.arms.grid)
        else:
            names = [k for arm in self.arms.list_ or [] for k in arm if k != "name"]
        for name in names:
            if name not in known:
                raise ValueError(
                    f"arms: unknown parameter {name!r} (parameters: {', '.join(sorted(known))})"
                )
        return self

    def arm_values(self) -> list[tuple[str, dict[str, Any]]]:
        """Every arm as (name, {parameter: value}), in the order the document gives them.

        A grid arm is named after its values, ``first_delay=5m group_wait=10s``.
        """
        if self.arms.list_ is not None:
            return [
                (str(arm["name"]), {k: v for k, v in arm.items() if k != "name"})
                for arm in self.arms.list_
            ]
        grid = self.arms.grid or {}
        out = []
        for combo in itertools.product(*grid.values()):
            values = dict(zip(grid, combo, strict=True))
            out.append((grid_name(values), values))
        return out


def grid_name(values: dict[str, Any]) -> str:
    """The name of a grid combination: ``first_delay=5m users=ana+bo``."""
    return " ".join(f"{k}={_show(v)}" for k, v in values.items())


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "+".join(_show(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
