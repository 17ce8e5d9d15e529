"""How a compared KPI is named, in which unit it is shown, and which values it can take.

One table, so the comparison's table, its sentence and its warnings speak of the same
thing in the same unit: "time to acknowledge" in minutes, not
``time_to_acknowledge_mean_s`` in seconds in one line and minutes in the next. Fractions
are shown as percentages, as the ``run`` scorecard shows them.

The range is what the KPI can possibly be (a score lies in 0..100, a time or a count is
never negative). A t-interval knows nothing of it, so an interval near an edge can reach
past it (a score interval up to 101); :func:`clip` cuts such an interval at the edge for
display only, and says that it did, so the reader is never shown an impossible value
and never led to think the interval was computed that way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KpiUnit:
    """A KPI's human name, its display unit (value / scale), digits, and possible range."""

    label: str
    unit: str = ""
    scale: float = 1.0
    digits: int | None = None
    """Decimals shown; None for three significant digits."""
    low: float | None = 0.0
    high: float | None = None


_MIN = {"unit": "min", "scale": 60.0, "digits": 1}
UNITS: dict[str, KpiUnit] = {
    "score": KpiUnit("score", "points", digits=1, high=100.0),
    "time_to_detect_mean_s": KpiUnit("time to detect", **_MIN),  # type: ignore[arg-type]
    "time_to_acknowledge_mean_s": KpiUnit("time to acknowledge", **_MIN),  # type: ignore[arg-type]
    "time_to_mitigate_mean_s": KpiUnit("time to mitigate", **_MIN),  # type: ignore[arg-type]
    "time_to_resolve_mean_s": KpiUnit("time to resolve", **_MIN),  # type: ignore[arg-type]
    "incidents": KpiUnit("incidents"),
    "failed_requests": KpiUnit("failed requests"),
    "user_minutes_affected": KpiUnit("user-minutes affected"),
    # No upper bound: an outage can burn more than the whole budget (150% burned).
    "slo_budget_burned": KpiUnit("SLO error budget burned", "%", 0.01, 2),
    "pages": KpiUnit("pages"),
    "max_pages_per_person": KpiUnit("pages of the busiest person"),
    "off_hours_pages": KpiUnit("off-hours pages"),
    "escalations": KpiUnit("escalations"),
    "noise_ratio": KpiUnit("noise ratio", "%", 0.01, 1, high=1.0),
    "wrong_hypotheses": KpiUnit("wrong hypotheses"),
    "failed_actions": KpiUnit("failed actions"),
    "pages_per_person": KpiUnit("pages per person"),
}


def unit_of(name: str) -> KpiUnit:
    """The KPI's unit; an unknown KPI keeps its own name, unscaled and unbounded."""
    return UNITS.get(name, KpiUnit(name, low=None))


def number(x: float, digits: int | None = None, sign: bool = False) -> str:
    """A display-unit number: fixed decimals, else three significant digits without
    trailing zeros (no exponent for the magnitudes drills produce)."""
    plus = "+" if sign else ""
    if abs(x) < 1e-9:
        x = 0.0  # float noise of sums that are zero in exact arithmetic
    if digits is not None and (x == 0 or round(x, digits) != 0):
        return f"{x:{plus},.{digits}f}"
    # A value that would round to zero keeps its significant digits: an interval bound
    # of 0.02 min shown as "0.0" would read as touching zero when it does not.
    if x == 0 or abs(x) >= 100:
        return f"{x:{plus},.0f}"
    decimals = max(0, 2 - int(f"{abs(x):e}".split("e")[1]))
    return f"{x:{plus},.{decimals}f}".rstrip("0").rstrip(".")


def shown(name: str, value: float, sign: bool = False) -> str:
    """A KPI value in its display unit, without the unit: ``8.6`` (minutes), ``0.39`` (%)."""
    u = unit_of(name)
    return number(value / u.scale, u.digits, sign)


def with_unit(name: str, value: float, sign: bool = False) -> str:
    """A KPI value with its unit: ``8.6 min``, ``0.39%``, ``2.1 points``, ``3.0``."""
    u = unit_of(name)
    text = shown(name, value, sign)
    if not u.unit:
        return text
    return f"{text}%" if u.unit == "%" else f"{text} {u.unit}"


def heading(name: str) -> str:
    """The KPI's name with its unit for a table: ``time to acknowledge (min)``."""
    u = unit_of(name)
    return f"{u.label} ({u.unit})" if u.unit else u.label


def value_range(name: str) -> tuple[float | None, float | None]:
    """The possible range of the KPI itself (for an interval of one arm's mean)."""
    u = unit_of(name)
    return u.low, u.high


def difference_range(name: str) -> tuple[float | None, float | None]:
    """The possible range of a difference B - A of this KPI: (low - high, high - low)."""
    u = unit_of(name)
    if u.low is None or u.high is None:
        return None, None
    return u.low - u.high, u.high - u.low


def clip(
    lo: float, hi: float, bounds: tuple[float | None, float | None]
) -> tuple[float, float, bool]:
    """The interval cut to ``bounds`` for display, and whether anything was cut."""
    low, high = bounds
    new_lo = lo if low is None else max(lo, low)
    new_hi = hi if high is None else min(hi, high)
    return new_lo, new_hi, (new_lo, new_hi) != (lo, hi)


def summary_interval(name: str, low: float, high: float) -> str:
    """One arm's 95% interval of a KPI's mean as the sweep, staffing and ``run
    --replications`` tables print it: cut at what the KPI can be and marked ``*`` when
    cut (summary.csv and summary.json keep the computed numbers).

    Every KPI those tables list is a score (0..100), a time, a count, a load or a cost:
    none is ever negative, so a KPI without an entry here is cut at 0 only.
    """
    unit = UNITS.get(name)
    bounds = (unit.low, unit.high) if unit is not None else (0.0, None)
    lo, hi, cut = clip(low, high, bounds)
    return f"{lo:.4g} .. {hi:.4g}{'*' if cut else ''}"
