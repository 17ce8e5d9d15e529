"""Request rate over calendar time and its exact integral (pure).

A service's rate is its peak rps times a daily curve given at each local whole hour and
linear in between, so the integral over any interval is a sum of trapezoids.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from drillsim.engine.clock import Clock
from drillsim.spec.topology import Traffic


class TrafficCurve:
    """Requests per second of one service as a function of simulation time."""

    def __init__(self, traffic: Traffic, clock: Clock, default_tz: str) -> None:
        self.peak_rps = traffic.rps
        self.peak_users = traffic.users if traffic.users is not None else traffic.rps
        self.factors = traffic.hourly_factors()
        self.tz = ZoneInfo(traffic.tz or default_tz)
        self.clock = clock

    def _factor_and_next_hour(self, t_s: float) -> tuple[float, float, float]:
        """Curve factor at t, the sim time of the next local whole hour, and its factor."""
        local = self.clock.at(t_s).astimezone(self.tz)
        into_hour = local.minute * 60 + local.second + local.microsecond / 1e6
        hour = local.hour
        f0, f1 = self.factors[hour], self.factors[(hour + 1) % 24]
        factor = f0 + (f1 - f0) * into_hour / 3600.0
        next_hour_s = t_s + (3600.0 - into_hour)
        return factor, next_hour_s, f1

    def rps_at(self, t_s: float) -> float:
        """Requests per second at simulation time ``t_s``."""
        return self.peak_rps * self._factor_and_next_hour(t_s)[0]

    def factor_integral(self, t0_s: float, t1_s: float) -> float:
        """Integral of the curve factor over [t0, t1], in factor-seconds."""
        total = 0.0
        t = t0_s
        while t < t1_s:
            f_start, t_hour, f_hour = self._factor_and_next_hour(t)
            end = min(t_hour, t1_s)
            f_end = (
                f_start + (f_hour - f_start) * (end - t) / (t_hour - t) if t_hour > t else f_start
            )
            total += (f_start + f_end) / 2.0 * (end - t)
            t = end
        return total

    def requests(self, t0_s: float, t1_s: float) -> float:
        """Requests served (or attempted) over [t0, t1]."""
        return self.peak_rps * self.factor_integral(t0_s, t1_s)

    def user_seconds(self, t0_s: float, t1_s: float) -> float:
        """Active-user seconds over [t0, t1]."""
        return self.peak_users * self.factor_integral(t0_s, t1_s)

    def mean_daily_requests(self) -> float:
        """Requests in an average day (for SLO budgets)."""
        return self.peak_rps * 3600.0 * sum(self.factors)
