"""The calendar clock, traffic integrals and named random streams."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from drillsim.engine.clock import Clock
from drillsim.engine.streams import RandomStreams, stable_key
from drillsim.engine.traffic import TrafficCurve
from drillsim.spec.topology import TRAFFIC_PROFILES, Traffic

BERLIN = ZoneInfo("Europe/Berlin")


def test_clock_round_trips_across_dst() -> None:
    """Seconds since start map to UTC instants, through the March DST change."""
    clock = Clock(datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN))
    assert clock.local(3600).hour == 3  # 02:00 does not exist: 01:00 + 1h = 03:00 CEST
    assert clock.offset(clock.at(12345.5)) == 12345.5
    assert clock.iso(0.25) == "2026-03-29T00:00:00.250Z"


def test_flat_traffic_integrates_exactly() -> None:
    """A flat curve at r rps gives r * seconds requests."""
    curve = TrafficCurve(Traffic(rps=120), Clock(datetime(2026, 1, 1, tzinfo=BERLIN)), "UTC")
    assert curve.requests(100.0, 4000.0) == pytest.approx(120 * 3900)


def test_daily_curve_integral_is_the_mean_of_the_hourly_factors() -> None:
    """Over a whole (non-DST) day a piecewise-linear hourly curve averages its 24 points."""
    clock = Clock(datetime(2026, 1, 12, 0, 0, tzinfo=BERLIN))
    curve = TrafficCurve(Traffic(rps=100, profile="business-day"), clock, "Europe/Berlin")
    expected = 100 * 3600 * sum(TRAFFIC_PROFILES["business-day"])
    assert curve.requests(0, 86400) == pytest.approx(expected)
    assert curve.rps_at(10.5 * 3600) == pytest.approx(100 * 1.0)


def test_dst_day_is_23_hours_of_traffic() -> None:
    """On the spring-forward day the local curve is integrated over 23 real hours."""
    clock = Clock(datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN))
    curve = TrafficCurve(Traffic(rps=10), clock, "Europe/Berlin")
    assert curve.requests(0, 23 * 3600) == pytest.approx(10 * 23 * 3600)


def test_explicit_points_interpolate_around_midnight() -> None:
    """Points given in local time interpolate linearly, wrapping past midnight."""
    traffic = Traffic.model_validate({"rps": 10, "points": {"06:00": 0.0, "18:00": 1.0}})
    factors = traffic.hourly_factors()
    assert factors[6] == 0.0 and factors[18] == 1.0 and factors[12] == pytest.approx(0.5)
    assert factors[0] == pytest.approx(0.5)


def test_streams_are_named_independent_and_claimed_once() -> None:
    """A stream depends only on (root, replication, name), and a name is claimed once."""
    a = RandomStreams(7).generator("responder/alice").random(3)
    s = RandomStreams(7)
    s.generator("something-else")
    assert np.array_equal(s.generator("responder/alice").random(3), a)
    with pytest.raises(ValueError, match="already claimed"):
        s.generator("responder/alice")
    assert not np.array_equal(RandomStreams(7, 1).generator("responder/alice").random(3), a)
    assert stable_key("x") == stable_key("x") != stable_key("y")
