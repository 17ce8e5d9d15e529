"""Durations, percentages, clocks and distributions as written in YAML."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from drillsim.spec.distributions import Exponential, Fixed, LogNormal, Uniform, parse_distribution
from drillsim.spec.durations import format_duration, parse_clock, parse_duration, parse_percentage


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("1h30m", 5400),
        ("3d", 259200),
        ("250ms", 0.25),
        ("0", 0),
        ("1w", 604800),
        ("1.5h", 5400),
    ],
)
def test_parse_duration_known_values(text: str, seconds: float) -> None:
    """Each unit converts to the documented number of seconds."""
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5 mins", "-5m", "m", "", "5", "1h-30m", "10x"])
def test_parse_duration_rejects_junk(text: str) -> None:
    """Anything that is not a number-unit sequence is refused."""
    with pytest.raises(ValueError):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**8))
def test_format_then_parse_round_trips(seconds: int) -> None:
    """Whole seconds survive format_duration then parse_duration."""
    assert parse_duration(format_duration(seconds)) == seconds


def test_percentages_and_clock() -> None:
    """Percent strings become fractions; HH:MM becomes minutes after midnight."""
    assert parse_percentage("99.9%") == pytest.approx(0.999)
    assert parse_clock("09:30") == 570
    assert parse_clock("24:00") == 1440
    with pytest.raises(ValueError):
        parse_percentage("150%")
    with pytest.raises(ValueError):
        parse_clock("25:00")


def test_parse_distribution_forms() -> None:
    """Every documented distribution form parses to its type."""
    assert parse_distribution("5m") == Fixed(300)
    assert parse_distribution("20m..2h") == Uniform(1200, 7200)
    assert parse_distribution("exponential(mean=10m)") == Exponential(600)
    assert parse_distribution("lognormal(median=4m, p90=12m)") == LogNormal(240, 720)
    with pytest.raises(ValueError):
        parse_distribution("lognormal(median=4m)")
    with pytest.raises(ValueError):
        parse_distribution("lognormal(median=12m, p90=4m)")


def test_lognormal_matches_its_median_p90_and_mean() -> None:
    """Sampled median and p90 match the parameters; the mean matches exp(sigma^2/2) within 3 SE."""
    dist = LogNormal(240.0, 720.0)
    rng = np.random.default_rng(12345)
    xs = np.array([dist.sample(rng) for _ in range(40000)])
    assert np.median(xs) == pytest.approx(240.0, rel=0.03)
    assert np.quantile(xs, 0.9) == pytest.approx(720.0, rel=0.04)
    se = xs.std(ddof=1) / math.sqrt(len(xs))
    assert abs(xs.mean() - dist.mean_s) < 3 * se


def test_timestamps_with_zones_and_dst() -> None:
    """RFC 9557 zone suffixes parse; a wall time skipped by DST is refused with the fix."""
    from drillsim.spec.types import _to_timestamp

    assert _to_timestamp("2026-03-29T03:30:00[Europe/Berlin]").utcoffset().total_seconds() == 7200
    assert _to_timestamp("2026-01-10T03:00:00+01:00").utcoffset().total_seconds() == 3600
    with pytest.raises(ValueError, match=r"does not exist.*use 2026-03-29T03:30:00"):
        _to_timestamp("2026-03-29T02:30:00[Europe/Berlin]")
    with pytest.raises(ValueError, match="needs a time zone"):
        _to_timestamp("2026-03-29T02:30:00")
