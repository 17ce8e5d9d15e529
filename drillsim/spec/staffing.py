"""The ``StaffingStudy`` document: one rotation of a drill, staffed several ways, each way
run on the same seeded outages and compared on speed, load, nights and cost.

A manager's question is rarely "what does this rotation do" but "four people weekly, or
six people daily, or follow-the-sun with Singapore?". The study names the rotation (a
schedule of the scenario's on-call document), the people it may draw on in hiring
order, and the options; each option becomes the schedule's layers, every option replays
the same replications (common random numbers), and the report is a trade-off table and
a Pareto chart.

```yaml
kind: StaffingStudy
version: 1
scenario: ../payments-week.yaml
schedule: payment-path
horizon: 28d
replications: 20
pool: [anouk, aoife, bas, ciaran, wei, priya,
       {name: noor, tz: Europe/Amsterdam}]          # a hire
options:
  grid:
    people: [3, 4, 6]
    rotation: [weekly, daily]
cost: {currency: EUR, per_person_week: 350, per_night_page: 60}
targets: {time_to_acknowledge_p90: 15m, night_pages_per_person_week: 1}
```
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

from pydantic import Field, TypeAdapter, field_validator, model_validator

from drillsim.spec.clocktypes import Handoff
from drillsim.spec.people import Person
from drillsim.spec.sweep import grid_name
from drillsim.spec.types import DurationS, Name, PositiveDurationS, SpecModel

Rotation = Literal["hourly", "daily", "weekly", "monthly"]
Shape = Literal["24x7", "follow-the-sun"]
#: What an option may set, in the order an option's name lists them.
SETTINGS = ("people", "shape", "rotation", "every", "handoff")


def _check_handoff(value: str | None) -> str | None:
    """Parse a hand-off as a schedule layer would, keep the text (it is written into the
    layer as given)."""
    if value is not None:
        TypeAdapter(Handoff).validate_python(value)
    return value


class StaffingOption(SpecModel):
    """One way to staff the rotation. Settings left out keep the schedule's own (its first
    layer's rotation, turn length and hand-off) or the defaults: everyone in the pool,
    one round-the-clock layer.

    ``layers`` gives the schedule's layers outright (any shape a schedule can have), in
    which case the other settings must be left out.
    """

    name: str | None = None
    people: int | list[Name] | None = Field(
        default=None, description="head count (the first N of the pool) or the people by name"
    )
    shape: Shape | None = Field(
        default=None,
        description="24x7: one layer round the clock; follow-the-sun: the people grouped by "
        "time zone, each zone covering an equal UTC window of the day, east first",
    )
    rotation: Rotation | None = None
    every: int | None = Field(default=None, ge=1, le=9000, description="turn length in units")
    handoff: str | None = Field(default=None, description='"mon 09:00" (weekly) or "09:00"')
    layers: list[dict[str, Any]] | None = Field(
        default=None, description="the schedule's layers, written out (instead of the above)"
    )

    _handoff = field_validator("handoff")(_check_handoff)

    @field_validator("people")
    @classmethod
    def _some_people(cls, value: int | list[str] | None) -> int | list[str] | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("a rotation needs at least one person")
        if isinstance(value, list):
            if not value:
                raise ValueError("a rotation needs at least one person")
            twice = sorted({p for p in value if value.count(p) > 1})
            if twice:
                raise ValueError(f"listed twice: {', '.join(twice)}")
        return value

    @model_validator(mode="after")
    def _layers_alone(self) -> StaffingOption:
        if self.layers is not None:
            given = [s for s in SETTINGS if getattr(self, s) is not None]
            if given:
                raise ValueError(f"layers are written out: leave out {', '.join(given)}")
            if not self.layers:
                raise ValueError("give at least one layer")
        return self

    def settings(self) -> dict[str, Any]:
        """What the option sets (for names, tables and the manifest)."""
        out = {s: getattr(self, s) for s in SETTINGS if getattr(self, s) is not None}
        if self.layers is not None:
            out["layers"] = self.layers
        return out


class OptionGrid(SpecModel):
    """Every combination of the values given, in the order written."""

    people: list[int | list[Name]] | None = Field(default=None, min_length=1)
    shape: list[Shape] | None = Field(default=None, min_length=1)
    rotation: list[Rotation] | None = Field(default=None, min_length=1)
    every: list[int] | None = Field(default=None, min_length=1)
    handoff: list[str] | None = Field(default=None, min_length=1)

    @field_validator("handoff")
    @classmethod
    def _handoffs(cls, values: list[str] | None) -> list[str] | None:
        for value in values or []:
            _check_handoff(value)
        return values

    @field_validator("people")
    @classmethod
    def _head_counts(cls, values: list[int | list[str]] | None) -> list[int | list[str]] | None:
        for value in values or []:
            StaffingOption._some_people(value)
        return values

    @model_validator(mode="after")
    def _something(self) -> OptionGrid:
        if not any(getattr(self, s) is not None for s in SETTINGS):
            raise ValueError(f"a grid varies at least one of {', '.join(SETTINGS)}")
        return self


class Options(SpecModel):
    """Either a ``grid`` or a ``list`` of named options."""

    grid: OptionGrid | None = None
    list_: list[StaffingOption] | None = Field(default=None, alias="list", min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Options:
        if (self.grid is None) == (self.list_ is None):
            raise ValueError("options are either a grid or a list")
        names = [o.name for o in self.list_ or []]
        if any(n is None for n in names):
            raise ValueError("every option of a list needs a 'name:'")
        twice = sorted({n for n in names if n is not None and names.count(n) > 1})
        if twice:
            raise ValueError(f"two options are named {twice[0]!r}")
        return self


class Cost(SpecModel):
    """What a week of the rotation costs: standby pay per person in it, and pay per page
    (on top of it, per page at night, and per page outside working hours)."""

    currency: str = ""
    per_person_week: float = Field(default=0.0, ge=0, description="standby pay or salary share")
    per_page: float = Field(default=0.0, ge=0)
    per_night_page: float = Field(default=0.0, ge=0, description="paged while asleep")
    per_off_hours_page: float = Field(default=0.0, ge=0, description="paged outside work")


class Targets(SpecModel):
    """What good enough is; the table marks the options that meet every target given."""

    time_to_acknowledge_p90: DurationS | None = None
    pages_per_person_week: float | None = Field(default=None, ge=0)
    night_pages_per_person_week: float | None = Field(default=None, ge=0)
    cost_per_week: float | None = Field(default=None, ge=0)


class StaffingStudy(SpecModel):
    """One rotation of a drill staffed several ways, on the same seeded replications."""

    kind: Literal["StaffingStudy"]
    version: Literal[1]
    name: str | None = None
    description: str | None = None
    scenario: str = Field(description="The drill, relative to this file.")
    schedule: Name = Field(description="The schedule (rotation) the options staff.")
    pool: list[Name | Person] = Field(
        default=[],
        description="People an option draws on, in hiring order: names from the on-call "
        "document, or new people written out (hires). Default: the schedule's own people.",
    )
    options: Options
    replications: int = Field(ge=1, description="Replications per option.")
    seed: int | None = Field(default=None, ge=0)
    horizon: PositiveDurationS | None = Field(
        default=None, description="How long each replication runs (default: the scenario's)"
    )
    cost: Cost = Cost()
    targets: Targets = Targets()

    @field_validator("pool")
    @classmethod
    def _once_each(cls, pool: list[str | Person]) -> list[str | Person]:
        names = [p if isinstance(p, str) else p.name for p in pool]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"listed twice: {', '.join(twice)}")
        return pool

    def option_list(self) -> list[tuple[str, StaffingOption]]:
        """Every option as (name, option), in the order the document gives them; a grid
        option is named after its values, ``people=4 rotation=weekly``."""
        if self.options.list_ is not None:
            return [(str(o.name), o) for o in self.options.list_]
        grid = self.options.grid
        assert grid is not None
        axes = {s: getattr(grid, s) for s in SETTINGS if getattr(grid, s) is not None}
        out = []
        for combo in itertools.product(*axes.values()):
            values = dict(zip(axes, combo, strict=True))
            out.append((grid_name(values), StaffingOption.model_validate(values)))
        return out
