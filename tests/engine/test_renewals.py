"""Failures counted from repair, with independent or shared repair crews."""

from __future__ import annotations

import itertools

from drillsim.engine.renewals import Unit, plan_outages
from drillsim.engine.streams import RandomStreams
from drillsim.spec.scenario import Fault


def units(crew: str | None) -> list[Unit]:
    fault = Fault.model_validate(
        {
            "type": "zone-outage",
            "target": {"zone": "r/a"},
            "arrivals": {"every": "10h", "gap_from": "end", **({"crew": crew} if crew else {})},
            "lasts": "exponential(mean=5h)",
            "until": "duration",
        }
    )
    return [Unit(f"f{i}", f"r/z{i}", fault, ("db",), ("r", f"z{i}"), None) for i in range(3)]


def test_a_units_outages_never_overlap() -> None:
    """Independent repair: each unit's next failure comes after its repair."""
    outages = plan_outages(units(None), RandomStreams(1), 2000 * 3600.0)
    by_unit = {
        u: sorted((o.start_s, o.start_s + o.lasts_s) for o in outages if o.unit == u)
        for u in {o.unit for o in outages}
    }
    assert len(by_unit) == 3
    for spans in by_unit.values():
        assert len(spans) > 50
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))


def test_one_crew_repairs_one_unit_at_a_time_oldest_first() -> None:
    """Shared repair: outages end in the order they began, and once units queue, each
    repair starts when the previous one ends (so ends are strictly increasing)."""
    outages = sorted(
        plan_outages(units("ops"), RandomStreams(2), 2000 * 3600.0), key=lambda o: o.start_s
    )
    ends = [o.start_s + o.lasts_s for o in outages]
    assert ends == sorted(ends)
    queued = sum(1 for a, b in itertools.pairwise(outages) if b.start_s < a.start_s + a.lasts_s)
    assert queued > 20  # the crew was busy when a failure came, often


def test_the_same_seed_plans_the_same_outages() -> None:
    first = plan_outages(units("ops"), RandomStreams(3), 500 * 3600.0)
    again = plan_outages(units("ops"), RandomStreams(3), 500 * 3600.0)
    assert [(o.start_s, o.lasts_s) for o in first] == [(o.start_s, o.lasts_s) for o in again]
