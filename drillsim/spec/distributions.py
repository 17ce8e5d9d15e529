"""Random-duration specs (``lognormal(median=4m, p90=12m)``, ``20m..2h``, ...).

A spec never owns a random generator: the engine hands it the component's own stream,
so draws stay reproducible per component (DESIGN.md, spine 2).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from drillsim.spec.durations import format_duration, parse_duration

Z90 = 1.2815515655446004  # standard normal 90th percentile


class Distribution(Protocol):
    """Anything that draws a non-negative number of seconds from a generator."""

    def sample(self, rng: np.random.Generator) -> float: ...  # pragma: no cover

    @property
    def mean_s(self) -> float: ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Fixed:
    """Always the same value."""

    value_s: float

    def sample(self, rng: np.random.Generator) -> float:
        """Return the fixed value (the generator is not advanced)."""
        return self.value_s

    @property
    def mean_s(self) -> float:
        """The value itself."""
        return self.value_s

    def __str__(self) -> str:
        return f"fixed({format_duration(self.value_s)})"


@dataclass(frozen=True, slots=True)
class Exponential:
    """Memoryless durations with the given mean."""

    mean: float

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one exponential value."""
        return float(rng.exponential(self.mean))

    @property
    def mean_s(self) -> float:
        """The mean."""
        return self.mean

    def __str__(self) -> str:
        return f"exponential(mean={format_duration(self.mean)})"


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Right-skewed durations given by their median and 90th percentile.

    Human response times are well described this way (reference/anchors.md §5).
    """

    median: float
    p90: float

    @property
    def sigma(self) -> float:
        """Log-space standard deviation implied by median and p90."""
        return math.log(self.p90 / self.median) / Z90

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one lognormal value."""
        return float(self.median * math.exp(self.sigma * rng.standard_normal()))

    @property
    def mean_s(self) -> float:
        """Mean of the lognormal, median * exp(sigma^2 / 2)."""
        return self.median * math.exp(self.sigma**2 / 2)

    def scaled(self, factor: float) -> LogNormal:
        """The same shape, every quantile multiplied by ``factor``."""
        return LogNormal(self.median * factor, self.p90 * factor)

    def __str__(self) -> str:
        return f"lognormal(median={format_duration(self.median)}, p90={format_duration(self.p90)})"


@dataclass(frozen=True, slots=True)
class Uniform:
    """Uniform between two bounds; written ``a..b`` in YAML."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one uniform value."""
        return float(rng.uniform(self.low, self.high))

    @property
    def mean_s(self) -> float:
        """Midpoint."""
        return (self.low + self.high) / 2

    def __str__(self) -> str:
        return f"{format_duration(self.low)}..{format_duration(self.high)}"


_CALL_RE = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$")


def _kwargs(body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in body.split(","))):
        if "=" not in part:
            raise ValueError(f"expected name=value, got {part!r}")
        key, value = (x.strip() for x in part.split("=", 1))
        out[key] = value
    return out


def parse_distribution(text: str) -> Fixed | Exponential | LogNormal | Uniform:
    """Parse a distribution string; a bare duration means ``fixed(...)``.

    Forms: ``5m``, ``20m..2h``, ``fixed(5m)``, ``exponential(mean=10m)``,
    ``lognormal(median=4m, p90=12m)``, ``uniform(low=1m, high=5m)``.
    """
    s = text.strip()
    if ".." in s and "(" not in s:
        low_text, high_text = s.split("..", 1)
        low, high = parse_duration(low_text), parse_duration(high_text)
        if high < low:
            raise ValueError(f"range {text!r} ends before it starts")
        return Uniform(low, high)
    m = _CALL_RE.match(s)
    if not m:
        return Fixed(parse_duration(s))
    name, body = m.group(1).lower(), m.group(2)
    if name == "fixed":
        return Fixed(parse_duration(body))
    kw = _kwargs(body)
    try:
        if name == "exponential":
            (mean,) = _only(kw, "mean")
            return Exponential(parse_duration(mean))
        if name == "lognormal":
            median, p90 = (parse_duration(v) for v in _only(kw, "median", "p90"))
            if not 0 < median < p90:
                raise ValueError("lognormal needs 0 < median < p90")
            return LogNormal(median, p90)
        if name == "uniform":
            low, high = (parse_duration(v) for v in _only(kw, "low", "high"))
            if high < low:
                raise ValueError("uniform needs low <= high")
            return Uniform(low, high)
    except KeyError as exc:
        raise ValueError(f"{name}(...) needs {exc.args[0]}") from None
    raise ValueError(f"unknown distribution {name!r}")


def _only(kw: dict[str, str], *names: str) -> list[str]:
    extra = set(kw) - set(names)
    if extra:
        raise ValueError(f"unexpected parameter {sorted(extra)[0]!r}")
    missing = [n for n in names if n not in kw]
    if missing:
        raise KeyError(", ".join(f"{n}=" for n in missing))
    return [kw[n] for n in names]
