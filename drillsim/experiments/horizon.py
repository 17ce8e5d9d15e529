"""A drill over another horizon (``drillsim run --horizon 90d``).

Faults with ``arrivals:`` draw their start times up to the horizon from streams of their
own, and the n-th gap is the n-th draw whatever the horizon
(:func:`drillsim.engine.faults.plan_faults`), so a 90-day run begins with exactly the
faults of the 7-day one on the same seed, and goes on.
"""

from __future__ import annotations

from dataclasses import replace

from drillsim.spec.drill import DrillSpec


def with_horizon(drill: DrillSpec, horizon_s: float) -> DrillSpec:
    """The drill with its scenario's ``duration`` replaced by ``horizon_s`` seconds.

    Raises:
        ValueError: the horizon is not positive.
    """
    if not horizon_s > 0:
        raise ValueError(f"horizon must be > 0, got {horizon_s:g}s")
    scenario = drill.scenario.model_copy(update={"duration": float(horizon_s)})
    return replace(drill, scenario=scenario, compiled={})
