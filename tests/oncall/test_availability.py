"""Pure parts of the responder model: states by local clock, absences, fatigue, contact
plans, workload windows and sick-day draws."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pytest

from drillsim.engine.contacts import first_noticed, plan_contacts
from drillsim.engine.staffing import Staffing
from drillsim.engine.streams import RandomStreams
from drillsim.engine.workload import Workload
from drillsim.oncall.availability import absence_on, fatigue_factors, local_state
from drillsim.spec.people import Person
from drillsim.spec.responders import ChannelSpec, Fatigue, NotificationRule


def person(**kw: object) -> Person:
    """A person from YAML-shaped fields."""
    return Person.model_validate({"name": "p", **kw})


def test_states_follow_the_local_clock_with_sleep_first() -> None:
    """Berlin (UTC+1 in March): asleep at 06:30, commuting 08:10, meeting 10:15, awake else;
    commutes and meetings only on workdays; a vendor is always on contract."""
    p = person(tz="Europe/Berlin", commutes=["06:00-09:00"], meetings=["10:00-11:00"])
    tue = lambda h, m: datetime(2026, 3, 10, h, m, tzinfo=UTC)  # noqa: E731
    assert local_state(p, tue(5, 30)) == "asleep"  # 06:30 local: sleep wins over commute
    assert local_state(p, tue(7, 10)) == "commuting"
    assert local_state(p, tue(9, 15)) == "meeting"
    assert local_state(p, tue(10, 0)) == "awake"
    assert local_state(p, datetime(2026, 3, 14, 9, 15, tzinfo=UTC)) == "awake"  # Saturday
    vendor = person(vendor={"response": "30m"})
    assert local_state(vendor, tue(2, 0)) == "on-contract"


def test_absences_are_whole_local_days_first_listed_reason_wins() -> None:
    """Both ends count; overlapping absences report the first listed."""
    p = person(
        away=[
            {"start": "2026-03-10", "end": "2026-03-12", "reason": "sick"},
            {"start": "2026-03-12", "end": "2026-03-20"},
        ]
    )
    assert absence_on(p, date(2026, 3, 9)) is None
    assert absence_on(p, date(2026, 3, 10)) == "sick"
    assert absence_on(p, date(2026, 3, 12)) == "sick"
    assert absence_on(p, date(2026, 3, 20)) == "vacation"
    assert absence_on(p, date(2026, 3, 21)) is None


def test_fatigue_factors_compound_and_cap() -> None:
    """(1.15^h x 1.03^n, 1.10^h x 1.03^n), capped at 3; disabled means 1."""
    spec = Fatigue()
    assert fatigue_factors(spec, 0.0, 0) == (1.0, 1.0)
    ack, err = fatigue_factors(spec, 2.0, 3)
    assert ack == pytest.approx(1.15**2 * 1.03**3)
    assert err == pytest.approx(1.10**2 * 1.03**3)
    assert fatigue_factors(spec, 20.0, 0) == (3.0, 3.0)
    assert fatigue_factors(Fatigue(enabled=False), 20.0, 50) == (1.0, 1.0)


def test_contact_plan_draws_twice_per_rule_whatever_the_outcome() -> None:
    """Two draws per rule: the generator ends in the same state for any noticing odds."""
    rules = [
        NotificationRule(channel="push"),
        NotificationRule.model_validate({"channel": "sms", "after": "5m"}),
    ]
    states = []
    for notice in (0.0, 1.0):
        channels = {
            "push": ChannelSpec.model_validate(
                {"delivery": "lognormal(median=5s, p90=20s)", "notice": notice}
            ),
            "sms": ChannelSpec.model_validate({"delivery": "20s", "notice": 1.0}),
        }
        rng = np.random.default_rng(5)
        plan = plan_contacts(rules, channels, False, rng)  # type: ignore[arg-type]
        states.append(rng.random())
        assert [c.sent_s for c in plan] == [0.0, 300.0]
        assert plan[1].delivered_s == 320.0
        assert first_noticed(plan) is (plan[1] if notice == 0.0 else plan[0])
    assert states[0] == states[1]


def test_workload_counts_only_the_last_window() -> None:
    """Pages and work older than the window are forgotten; ongoing work counts to now."""
    w = Workload(window_s=86400.0)
    for t in (0.0, 50000.0, 90000.0):
        w.paged(t)
    assert w.pages_within(100000.0) == 2  # the page at 0 s is more than 24 h old
    w.start(3600.0)
    w.stop(7200.0)
    w.start(9000.0)
    assert w.shift_hours(9000.0) == pytest.approx(1.0)  # the spell just begun adds nothing
    assert w.shift_hours(88200.0) == pytest.approx(1.0 + 22.0)  # 1 h done + 22 h under way
    # 24 h before 92,000 s is 5,600 s: only 1,600 s of the first spell still count
    assert w.shift_hours(92000.0) == pytest.approx((1600.0 + 83000.0) / 3600.0)


def test_sick_days_follow_the_configured_rate_within_3_standard_errors() -> None:
    """2,000 person-days at 30%: the share of sick days is within 3 SE of 0.3, and the
    answer for a day never changes when asked again."""
    p = person()
    streams = RandomStreams(11)
    staff = Staffing({"p": p}, {}, 0.3, None, streams.generator)
    sick = 0
    n = 2000
    base = datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp()
    for k in range(n):
        at = datetime.fromtimestamp(base + 86400 * k, UTC)
        sick += staff.away_reason("p", at) == "sick"
        assert staff.away_reason("p", at) == staff.away_reason("p", at)
    se = math.sqrt(0.3 * 0.7 / n)
    assert abs(sick / n - 0.3) < 3 * se
