"""The responder model: notification rules, local-time states, fatigue, load, hand-offs,
vendors and roles, on a tiny drill whose timings can be stated exactly."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from statistics import mean, stdev
from typing import Any

import pytest
from people_drill import kinds, write_people_drill

import drillsim
from drillsim.io.loader import Drill
from drillsim.spec.distributions import LogNormal

CRASH = {"type": "crash", "target": {"service": "api"}, "at": "10m", "remedy": "restart"}
CRASH_DB = {"type": "crash", "target": {"service": "db"}, "at": "20m", "remedy": "restart"}
TO_P1 = [{"delay": "30m", "targets": [{"user": "p1"}]}]


def run(tmp_path: Path, seed: int = 1, **kw: Any) -> list[dict[str, Any]]:
    """Write the tiny drill with ``kw`` and return its records."""
    kw.setdefault("policy_rules", TO_P1)
    kw.setdefault("faults", [CRASH])
    return drillsim.run(write_people_drill(tmp_path, **kw), seed=seed).records


# ----- notification rules and channels ---------------------------------------------------


def test_push_then_sms_after_5_minutes_reach_the_person_at_the_stated_times(
    tmp_path: Path,
) -> None:
    """Push at the page (+10 s delivery), SMS 5 min later (+20 s), phone never (acked)."""
    person = {
        "name": "p1",
        "notify": [
            {"channel": "push"},
            {"channel": "sms", "after": "5m"},
            {"channel": "phone", "after": "20m"},
        ],
        # never notices a push; answers the SMS one minute after it arrives
        "profile": {"ack": "fixed(1m)", "miss": "0%"},
    }
    responders = {
        "channels": {
            "push": {"delivery": "10s", "notice": "0%"},
            "sms": {"delivery": "20s"},
        },
        "fatigue": {"enabled": False},
    }
    rec = run(tmp_path, people=[person], responders=responders)
    page = kinds(rec, "PageSent")[0]["t"]
    sent = [
        (r["channel"], r["t"] - page, r["delivered_s"] - page)
        for r in kinds(rec, "PageNotificationSent")
    ]
    assert sent == [("push", 0.0, 10.0), ("sms", 300.0, 320.0)]
    ack = kinds(rec, "PageAcknowledged")[0]
    assert ack["t"] - page == pytest.approx(320.0 + 60.0)  # the phone rule never fired


def test_every_rule_is_sent_to_someone_who_never_answers(tmp_path: Path) -> None:
    """An unreachable person gets every notification; the page is logged as missed."""
    person = {"name": "p1", "profile": {"miss": "100%"}}
    rec = run(tmp_path, people=[person], responders={"channels": {"push": {"delivery": "0s"}}})
    page = kinds(rec, "PageSent")[0]["t"]
    sent = [(r["channel"], r["t"] - page) for r in kinds(rec, "PageNotificationSent")]
    assert sent == [("push", 0.0), ("sms", 300.0), ("phone", 600.0)]  # the default rules
    assert len(kinds(rec, "PageMissed")) == 1 and not kinds(rec, "PageAcknowledged")


def test_a_sleeper_woken_only_by_the_phone_answers_after_the_call(tmp_path: Path) -> None:
    """Asleep: push and SMS do not wake them, the phone call (30 s to connect) does."""
    person = {"name": "p1", "profile": {"ack": "fixed(2m)", "asleep_miss": "0%"}}
    responders = {
        "asleep_ack_factor": 3.0,
        "channels": {
            "push": {"asleep_notice": "0%"},
            "sms": {"asleep_notice": "0%"},
            "phone": {"delivery": "30s", "asleep_notice": "100%"},
        },
        "fatigue": {"enabled": False},
    }
    rec = run(tmp_path, people=[person], responders=responders, start="2026-03-10T02:00:00[UTC]")
    page = kinds(rec, "PageSent")[0]
    assert page["asleep"]
    ack = kinds(rec, "PageAcknowledged")[0]
    assert ack["t"] - page["t"] == pytest.approx(600 + 30 + 3.0 * 120)


# ----- local time: commuting and meetings ------------------------------------------------


@pytest.mark.parametrize(
    ("span", "state", "factor"),
    [("10:00-11:00", "commuting", 1.5), (None, "meeting", 1.3), (None, "awake", 1.0)],
)
def test_commutes_and_meetings_slow_the_answer_by_their_factor(
    tmp_path: Path, span: str | None, state: str, factor: float
) -> None:
    """Tuesday 10:10 UTC: the page finds p1 commuting, in a meeting, or at the desk."""
    person: dict[str, Any] = {"name": "p1", "profile": {"ack": "fixed(4m)", "miss": "0%"}}
    if state == "commuting":
        person["commutes"] = [span]
    if state == "meeting":
        person["meetings"] = ["10:00-10:30"]
    responders = {
        "commute_miss": "0%",
        "meeting_miss": "0%",
        "channels": {"push": {"delivery": "0s"}},
        "fatigue": {"enabled": False},
    }
    rec = run(tmp_path, people=[person], responders=responders)
    assessed = kinds(rec, "FatigueAssessed")[0]
    assert assessed["state"] == state
    ack = kinds(rec, "PageAcknowledged")[0]
    assert ack["t"] - assessed["t"] == pytest.approx(240 * factor)


def _ack_latencies(tmp_path: Path, seeds: range) -> dict[str, list[float]]:
    """Ack latency of every page, split by the person's state (crash every 12 h, at
    01:00 asleep and 13:00 awake; one person, push delivered at once, no misses)."""
    faults = [
        {"type": "crash", "target": {"service": "api"}, "at": f"{12 * i + 1}h", "remedy": "restart"}
        for i in range(60)
    ]
    responders = {
        "ack": "lognormal(median=3m, p90=10m)",
        "asleep_ack_factor": 2.5,
        "miss": "0%",
        "asleep_miss": "0%",
        "channels": {"push": {"delivery": "0s"}},
        "fatigue": {"enabled": False},
    }
    drill = write_people_drill(
        tmp_path,
        people=[{"name": "p1"}],
        policy_rules=[{"delay": "2h", "targets": [{"user": "p1"}]}],
        faults=faults,
        responders=responders,
        start="2026-03-02T00:00:00[UTC]",
        duration="30d",
    )
    out: dict[str, list[float]] = {"asleep": [], "awake": []}
    for seed in seeds:
        rec = drillsim.run(drill, seed=seed).records
        paged = {r["incident"]: r for r in kinds(rec, "FatigueAssessed")}
        for ack in kinds(rec, "PageAcknowledged"):
            page = paged[ack["incident"]]
            out[page["state"]].append(ack["t"] - page["t"])
    return out


def test_mean_ack_latency_at_night_and_by_day_match_the_configured_distributions(
    tmp_path: Path,
) -> None:
    """Means within 3 standard errors of lognormal(3m, 10m) by day and 2.5x that asleep.

    Incidents are 12 h apart, so nobody is busy when paged and every page is answered.
    """
    latencies = _ack_latencies(tmp_path, range(300, 306))
    day = LogNormal(180.0, 600.0).mean_s
    for state, expected in (("awake", day), ("asleep", 2.5 * day)):
        xs = latencies[state]
        assert len(xs) == 180, state
        se = stdev(xs) / math.sqrt(len(xs))
        assert abs(mean(xs) - expected) < 3 * se, (state, mean(xs), expected, se)


# ----- fatigue -----------------------------------------------------------------------


def test_fatigue_counts_pages_in_the_last_24h_and_slows_the_answer(tmp_path: Path) -> None:
    """The n-th page of a day is answered (1.03)^n x slower (default slope per page)."""
    faults = [
        {
            "type": "crash",
            "target": {"service": "api"},
            "at": f"{10 + 120 * i}m",
            "remedy": "restart",
        }
        for i in range(3)
    ]
    person = {"name": "p1", "profile": {"ack": "fixed(2m)", "miss": "0%"}}
    responders = {"channels": {"push": {"delivery": "0s"}}}
    rec = run(tmp_path, people=[person], faults=faults, responders=responders)
    assessed = kinds(rec, "FatigueAssessed")
    assert [a["pages_24h"] for a in assessed] == [0, 1, 2]
    for a in assessed:
        shift = a["shift_hours"]
        expected = 1.15**shift * 1.03 ** a["pages_24h"]
        assert a["ack_factor"] == pytest.approx(expected)
        assert a["error_factor"] == pytest.approx(1.10**shift * 1.03 ** a["pages_24h"])
    acks = {r["incident"]: r["t"] for r in kinds(rec, "PageAcknowledged")}
    for a in assessed:
        assert acks[a["incident"]] - a["t"] == pytest.approx(120 * a["ack_factor"])
    assert assessed[1]["shift_hours"] > 0  # the first incident's work counts


def test_fatigue_can_be_switched_off(tmp_path: Path) -> None:
    """With fatigue disabled every factor is exactly 1."""
    faults = [
        {
            "type": "crash",
            "target": {"service": "api"},
            "at": f"{10 + 120 * i}m",
            "remedy": "restart",
        }
        for i in range(3)
    ]
    rec = run(
        tmp_path, people=[{"name": "p1"}], faults=faults, responders={"fatigue": {"enabled": False}}
    )
    assert {(a["ack_factor"], a["error_factor"]) for a in kinds(rec, "FatigueAssessed")} == {
        (1.0, 1.0)
    }


# ----- load: absences, sick days, the fallback pool, queueing --------------------------


def test_a_person_on_vacation_is_never_paged_and_the_fallback_pool_is(tmp_path: Path) -> None:
    """p1 is on vacation on the drill's day: erin from the pool gets the page instead."""
    people = [
        {"name": "p1", "away": [{"start": "2026-03-09", "end": "2026-03-11"}]},
        {"name": "erin"},
    ]
    rec = run(tmp_path, people=people, responders={"fallback": {"people": ["erin"]}})
    assert not [r for r in kinds(rec, "PageSent") if r["person"] == "p1"]
    redirected = kinds(rec, "PageRedirected")
    assert [(r["person"], r["to"], r["reason"]) for r in redirected] == [("p1", "erin", "vacation")]
    pages = kinds(rec, "PageSent")
    assert [p["person"] for p in pages] == ["erin"] and pages[0]["t"] == redirected[0]["t"]


def test_two_absent_people_of_one_level_bring_the_pool_member_in_once(tmp_path: Path) -> None:
    """p1 and p2 (one level) are both away and the pool has only erin: both pages are
    redirected to her, and she is paged once for the incident, as a person targeted twice
    by one level is notified once (this crashed on a random stream claimed twice)."""
    away = [{"start": "2026-03-09", "end": "2026-03-11"}]
    people = [{"name": "p1", "away": away}, {"name": "p2", "away": away}, {"name": "erin"}]
    both = [{"delay": "30m", "targets": [{"user": "p1"}, {"user": "p2"}]}]
    rec = run(
        tmp_path, people=people, policy_rules=both, responders={"fallback": {"people": ["erin"]}}
    )
    redirected = kinds(rec, "PageRedirected")
    assert [(r["person"], r["to"]) for r in redirected] == [("p1", "erin"), ("p2", "erin")]
    assert [p["person"] for p in kinds(rec, "PageSent")] == ["erin"]
    assert [a["person"] for a in kinds(rec, "PageAcknowledged")] == ["erin"]


def test_a_pool_of_two_covers_two_absent_people_with_one_each(tmp_path: Path) -> None:
    away = [{"start": "2026-03-09", "end": "2026-03-11"}]
    people = [
        {"name": "p1", "away": away},
        {"name": "p2", "away": away},
        {"name": "erin"},
        {"name": "frank"},
    ]
    both = [{"delay": "30m", "targets": [{"user": "p1"}, {"user": "p2"}]}]
    pool = {"fallback": {"people": ["erin", "frank"]}}
    rec = run(tmp_path, people=people, policy_rules=both, responders=pool)
    redirected = kinds(rec, "PageRedirected")
    assert [(r["person"], r["to"]) for r in redirected] == [("p1", "erin"), ("p2", "frank")]
    assert sorted(p["person"] for p in kinds(rec, "PageSent")) == ["erin", "frank"]


@pytest.mark.parametrize("order", [("p1", "erin"), ("erin", "p1")])
def test_the_pool_brings_in_someone_the_level_does_not_page_itself(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    """p1 (away) and erin are one level; the pool is erin then frank. erin is paged once,
    by the level, and the pool brings in frank for p1, whichever target the level lists
    first (erin used to be paged twice, and the pool added nobody)."""
    away = [{"start": "2026-03-09", "end": "2026-03-11"}]
    people = [{"name": "p1", "away": away}, {"name": "erin"}, {"name": "frank"}]
    level = [{"delay": "30m", "targets": [{"user": n} for n in order]}]
    pool = {"fallback": {"people": ["erin", "frank"]}}
    rec = run(tmp_path, people=people, policy_rules=level, responders=pool)
    assert [(r["person"], r["to"]) for r in kinds(rec, "PageRedirected")] == [("p1", "frank")]
    assert sorted(p["person"] for p in kinds(rec, "PageSent")) == ["erin", "frank"]


def test_a_pool_of_only_the_levels_own_people_pages_nobody_twice(tmp_path: Path) -> None:
    """The pool is erin alone, whom the level pages anyway: p1's redirect names her and
    pages nobody."""
    away = [{"start": "2026-03-09", "end": "2026-03-11"}]
    people = [{"name": "p1", "away": away}, {"name": "erin"}]
    level = [{"delay": "30m", "targets": [{"user": "p1"}, {"user": "erin"}]}]
    rec = run(
        tmp_path, people=people, policy_rules=level, responders={"fallback": {"people": ["erin"]}}
    )
    assert [(r["person"], r["to"]) for r in kinds(rec, "PageRedirected")] == [("p1", "erin")]
    assert [p["person"] for p in kinds(rec, "PageSent")] == ["erin"]


def test_vacation_in_the_persons_own_time_zone(tmp_path: Path) -> None:
    """A vacation ending on 9 March (Tokyo) is over at 10 March 10:00 UTC (19:00 Tokyo)."""
    people = [
        {"name": "p1", "tz": "Asia/Tokyo", "away": [{"start": "2026-03-01", "end": "2026-03-09"}]}
    ]
    rec = run(tmp_path, people=people)
    assert [p["person"] for p in kinds(rec, "PageSent")] == ["p1"]


def test_without_a_fallback_pool_an_absent_persons_page_reaches_nobody(tmp_path: Path) -> None:
    """Sick every day (sick_rate 100%): no page, a redirect to nobody, escalation times out."""
    rec = run(tmp_path, people=[{"name": "p1"}], responders={"sick_rate": "100%"})
    assert not kinds(rec, "PageSent")
    assert [(r["to"], r["reason"]) for r in kinds(rec, "PageRedirected")] == [(None, "sick")]
    assert kinds(rec, "EscalationExhausted")


def test_the_fallback_pool_is_paged_when_the_primary_is_busy(tmp_path: Path) -> None:
    """p1 owns the api incident when db crashes: p1 is paged and so is erin."""
    people = [
        P1_BUSY,
        {"name": "erin", "profile": {"ack": "fixed(3m)", "miss": "0%"}},
    ]
    rec = run(
        tmp_path,
        people=people,
        services=("api", "db"),
        faults=[CRASH, CRASH_DB],
        responders={"fallback": {"people": ["erin"]}, "channels": {"push": {"delivery": "0s"}}},
    )
    pages = kinds(rec, "PageSent")
    assert [(p["incident"], p["person"]) for p in pages] == [
        ("inc-0001", "p1"),
        ("inc-0002", "p1"),
        ("inc-0002", "erin"),
    ]
    redirected = kinds(rec, "PageRedirected")
    assert [(r["incident"], r["person"], r["to"], r["reason"]) for r in redirected] == [
        ("inc-0002", "p1", "erin", "overwhelmed")
    ]
    acks = {r["incident"]: r for r in kinds(rec, "PageAcknowledged")}
    assert acks["inc-0002"]["person"] == "erin"
    assert acks["inc-0002"]["t"] - pages[2]["t"] == pytest.approx(180.0)
    queued = kinds(rec, "PageQueued")  # p1 answered inc-0002 too, while busy
    assert [(q["incident"], q["person"], q["queued"]) for q in queued] == [("inc-0002", "p1", 1)]


def test_a_busy_responder_queues_the_second_page_and_takes_it_when_free(tmp_path: Path) -> None:
    """No fallback pool: p1 finishes the api incident, then acknowledges db's."""
    people = [{"name": "p1", "profile": {"ack": "fixed(1m)", "miss": "0%"}}]
    rec = run(
        tmp_path,
        people=people,
        services=("api", "db"),
        faults=[CRASH, CRASH_DB],
        policy_rules=[{"delay": "6h", "targets": [{"user": "p1"}]}],
    )
    queued = kinds(rec, "PageQueued")
    assert [(q["incident"], q["person"]) for q in queued] == [("inc-0002", "p1")]
    first_done = next(r["t"] for r in kinds(rec, "IncidentResolved") if r["incident"] == "inc-0001")
    second_ack = next(r for r in kinds(rec, "PageAcknowledged") if r["incident"] == "inc-0002")
    assert second_ack["person"] == "p1" and second_ack["t"] >= first_done


# ----- hand-off at shift change --------------------------------------------------------

P1_BUSY: dict[str, Any] = {
    "name": "p1",
    "profile": {"ack": "fixed(1m)", "miss": "0%", "investigate": "fixed(2h)"},
}
"""Answers at once and is still investigating an hour later."""
DAILY_11: dict[str, Any] = {
    "name": "primary",
    "tz": "UTC",
    "layers": [{"rotation": "daily", "handoff": "11:00", "users": ["p1", "p2"]}],
}
"""p1 on call until 11:00 UTC on the drill's day (it starts at 10:00), then p2."""


def test_an_owner_hands_over_at_the_shift_change_and_the_next_one_catches_up(
    tmp_path: Path,
) -> None:
    """Daily handoff at 11:00 UTC from p1 to p2; p1 owns the 10:10 crash, still
    investigating at 11:00; p2 takes it at 11:00 sharp and acts after 15 min of catching up."""
    people = [
        P1_BUSY,
        {"name": "p2", "profile": {"investigate": "fixed(2h)"}},
    ]
    schedules = [DAILY_11]
    rec = run(
        tmp_path,
        people=people,
        schedules=schedules,
        policy_rules=[{"delay": "30m", "targets": [{"schedule": "primary"}]}],
        responders={"handoff": {"context_loss": "fixed(15m)"}, "wrong_base": "0%"},
    )
    assert kinds(rec, "PageAcknowledged")[0]["person"] == "p1"
    (handed,) = kinds(rec, "IncidentHandedOff")
    assert (handed["person"], handed["to"], handed["reason"]) == ("p1", "p2", "shift-end")
    assert handed["t"] == pytest.approx(3600.0) and handed["context_loss_s"] == 900.0
    first_action = kinds(rec, "ActionStarted")[0]
    assert first_action["person"] == "p2"
    assert first_action["t"] == pytest.approx(3600.0 + 900.0)
    resolved = kinds(rec, "IncidentResolved")[0]
    assert resolved["by"] == "p2"


def test_a_shift_ending_at_an_odd_minute_hands_over_at_that_minute(tmp_path: Path) -> None:
    """An override gives p1 the shift until 11:07 UTC; the hand-off to p2 happens at
    11:07 exactly (shift ends are computed from the schedule, not polled)."""
    people = [
        P1_BUSY,
        {"name": "p2", "profile": {"investigate": "fixed(2h)"}},
    ]
    schedules = [
        {
            "name": "primary",
            "tz": "UTC",
            "layers": [{"rotation": "weekly", "users": ["p2"]}],
            "overrides": [
                {"start": "2026-03-10T00:00:00Z", "end": "2026-03-10T11:07:00Z", "user": "p1"}
            ],
        }
    ]
    rec = run(
        tmp_path,
        people=people,
        schedules=schedules,
        policy_rules=[{"delay": "30m", "targets": [{"schedule": "primary"}]}],
        responders={"handoff": {"context_loss": "fixed(15m)"}, "wrong_base": "0%"},
    )
    assert kinds(rec, "PageAcknowledged")[0]["person"] == "p1"
    (handed,) = kinds(rec, "IncidentHandedOff")  # the drill starts at 10:00 UTC
    assert (handed["person"], handed["to"], handed["t"]) == ("p1", "p2", 67 * 60.0)


def test_a_shift_on_any_schedule_of_the_policy_hands_over(tmp_path: Path) -> None:
    """p1 is paged by name at level 1 but is on call on the policy's level-2 schedule:
    when that shift ends at 11:00, the incident goes to p2."""
    people = [
        P1_BUSY,
        {"name": "p2"},
    ]
    schedules = [DAILY_11]
    rec = run(
        tmp_path,
        people=people,
        schedules=schedules,
        policy_rules=[
            {"delay": "30m", "targets": [{"user": "p1"}]},
            {"delay": "30m", "targets": [{"schedule": "primary"}]},
        ],
    )
    (handed,) = kinds(rec, "IncidentHandedOff")
    assert (handed["person"], handed["to"], handed["reason"]) == ("p1", "p2", "shift-end")
    assert handed["t"] == pytest.approx(3600.0)


def test_handoffs_can_be_switched_off(tmp_path: Path) -> None:
    """handoff.enabled: false: the owner keeps the incident past the end of the shift."""
    people = [
        P1_BUSY,
        {"name": "p2"},
    ]
    schedules = [DAILY_11]
    rec = run(
        tmp_path,
        people=people,
        schedules=schedules,
        policy_rules=[{"delay": "30m", "targets": [{"schedule": "primary"}]}],
        responders={"handoff": {"enabled": False}},
    )
    assert not kinds(rec, "IncidentHandedOff")
    assert kinds(rec, "IncidentResolved")[0]["by"] == "p1"


# ----- vendors -------------------------------------------------------------------------


def test_a_vendor_answers_within_the_contract_and_hands_over_what_it_may_not_do(
    tmp_path: Path,
) -> None:
    """acme may only restart; the fault needs a rollback, so acme hands over to erin."""
    fault = {"type": "crash", "target": {"service": "api"}, "at": "10m", "remedy": "rollback"}
    people = [
        {"name": "acme", "vendor": {"company": "Acme", "response": "30m", "actions": ["restart"]}},
        {"name": "erin"},
    ]
    responders = {
        "fallback": {"people": ["erin"]},
        "wrong_base": "0%",
        "handoff": {"context_loss": "fixed(5m)"},
    }
    rec = run(
        tmp_path,
        people=people,
        faults=[fault],
        responders=responders,
        policy_rules=[{"delay": "1h", "targets": [{"user": "acme"}]}],
    )
    page = kinds(rec, "PageSent")[0]
    assert kinds(rec, "FatigueAssessed")[0]["state"] == "on-contract"
    ack = kinds(rec, "PageAcknowledged")[0]
    assert ack["person"] == "acme" and 0 <= ack["t"] - page["t"] <= 30 * 60 + 5
    (refused,) = kinds(rec, "ActionNotAllowed")
    assert (refused["person"], refused["action"]) == ("acme", "rollback")
    (handed,) = kinds(rec, "IncidentHandedOff")
    assert (handed["person"], handed["to"], handed["reason"]) == ("acme", "erin", "not-allowed")
    assert handed["t"] == refused["t"]
    actions = kinds(rec, "ActionStarted")
    assert actions and {a["person"] for a in actions} == {"erin"}
    assert actions[0]["t"] == pytest.approx(handed["t"] + 300.0)


def test_vendor_acknowledgements_never_exceed_the_contract(tmp_path: Path) -> None:
    """Over many seeds every acknowledgement lands within response + push delivery."""
    people = [{"name": "acme", "vendor": {"response": "20m", "actions": ["restart"]}}]
    drill = write_people_drill(
        tmp_path,
        people=people,
        policy_rules=[{"delay": "1h", "targets": [{"user": "acme"}]}],
        faults=[CRASH],
    )
    latencies = []
    for seed in range(20):
        rec = drillsim.run(drill, seed=seed).records
        latencies.append(kinds(rec, "PageAcknowledged")[0]["t"] - kinds(rec, "PageSent")[0]["t"])
    assert max(latencies) <= 20 * 60 + 5 and min(latencies) >= 5


# ----- roles -------------------------------------------------------------------------


def test_roles_come_from_rotations_and_a_double_role_is_a_conflict(tmp_path: Path) -> None:
    """p1 owns the incident (subject-matter expert) and is also on the IC rotation."""
    people = [{"name": "p1", "profile": {"ack": "fixed(1m)", "miss": "0%"}}, {"name": "cara"}]
    schedules = [
        {"name": "ic", "tz": "UTC", "layers": [{"rotation": "weekly", "users": ["p1"]}]},
        {"name": "comms", "tz": "UTC", "layers": [{"rotation": "weekly", "users": ["cara"]}]},
    ]
    roles = [
        {"role": "incident-commander", "schedule": "ic"},
        {"role": "communications-lead", "schedule": "comms"},
        {"role": "subject-matter-expert", "owner": True},
    ]
    outcome = drillsim.run(
        write_people_drill(
            tmp_path,
            people=people,
            schedules=schedules,
            policy_rules=TO_P1,
            faults=[CRASH],
            responders={"roles": roles},
        ),
        seed=1,
    )
    rec = outcome.records
    ack = kinds(rec, "PageAcknowledged")[0]
    assigned = [(r["role"], r["person"], r["t"]) for r in kinds(rec, "RoleAssigned")]
    assert assigned == [
        ("incident-commander", "p1", ack["t"]),
        ("communications-lead", "cara", ack["t"]),
        ("subject-matter-expert", "p1", ack["t"]),
    ]
    kpis = outcome.scorecard.kpis
    resolved = kinds(rec, "IncidentResolved")[0]["t"]
    assert kpis["role_conflicts"] == 1
    (conflict,) = kpis["role_conflict_rows"]
    assert conflict == {
        "person": "p1",
        "start_s": ack["t"],
        "end_s": resolved,
        "holdings": ["incident-commander@inc-0001", "subject-matter-expert@inc-0001"],
    }
    from drillsim.report.markdown import render_report

    text = render_report(outcome.scorecard.to_dict(), rec)
    assert "## People" in text
    assert "- p1: incident-commander@inc-0001 and subject-matter-expert@inc-0001" in text


def test_roles_limited_to_severities_are_not_filled_for_others(tmp_path: Path) -> None:
    """An IC only for SEV1: a SEV1 crash gets one; a role for SEV3 only is never filled."""
    people = [{"name": "p1"}, {"name": "ic1"}]
    roles = [
        {"role": "incident-commander", "people": ["ic1"], "severities": ["SEV1"]},
        {"role": "communications-lead", "people": ["ic1"], "severities": ["SEV3"]},
    ]
    rec = run(tmp_path, people=people, responders={"roles": roles})
    assert [(r["role"], r["person"]) for r in kinds(rec, "RoleAssigned")] == [
        ("incident-commander", "ic1")
    ]


# ----- determinism ---------------------------------------------------------------------


def test_an_absent_extra_person_changes_nobody_elses_draws(tmp_path: Path) -> None:
    """Adding a person who is never paged leaves every other record identical."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    base = run(tmp_path / "a", people=[{"name": "p1"}])
    more = run(tmp_path / "b", people=[{"name": "p1"}, {"name": "zed", "tz": "Asia/Tokyo"}])
    strip = lambda rs: [r for r in rs if r["kind"] != "DrillStarted"]  # noqa: E731
    assert strip(base) == strip(more)


def test_a_pool_that_does_not_cover_absences_leaves_the_page_to_nobody(tmp_path: Path) -> None:
    """fallback.when_away: false: p1 on vacation is not paged, and neither is erin."""
    people = [
        {"name": "p1", "away": [{"start": "2026-03-10", "end": "2026-03-10"}]},
        {"name": "erin"},
    ]
    rec = run(
        tmp_path, people=people, responders={"fallback": {"people": ["erin"], "when_away": False}}
    )
    assert not kinds(rec, "PageSent")
    assert [(r["person"], r["to"]) for r in kinds(rec, "PageRedirected")] == [("p1", None)]


def _errors(vary: Callable[..., Drill], fatigue: dict[str, Any], **extra: Any) -> tuple[float, int]:
    """Share of wrong hypotheses and count of missed pages over 20 seeds of the small drill."""

    def edit(doc: dict[str, Any]) -> None:
        doc["responders"] = {
            "fatigue": fatigue,
            "wrong_base": "0%",
            "wrong_per_symptom_share": "10%",
            **extra,
        }

    drill = vary(scenario=edit)
    wrong = formed = missed = 0
    for seed in range(20):
        rec = drillsim.run(drill, seed=seed).records
        hypotheses = kinds(rec, "HypothesisFormed")
        formed += len(hypotheses)
        wrong += sum(1 for r in hypotheses if not r["correct"])
        missed += len(kinds(rec, "PageMissed"))
    return wrong / formed, missed


TIRED = {"error_per_page": 2.0, "ack_per_page": 0.0, "max_factor": 20}


def test_tired_responders_form_more_wrong_hypotheses(vary: Callable[..., Drill]) -> None:
    """Nobody misses a page; a steep error slope (x3 per page in 24 h, capped at 20)
    raises the share of wrong hypotheses (at most 15% rested: 10% per symptom share,
    x1.5 unskilled) well above the rested one on the same seeds."""
    never_miss = {"miss": "0%", "asleep_miss": "0%"}
    tired, _ = _errors(vary, TIRED, **never_miss)
    rested, _ = _errors(vary, {"enabled": False}, **never_miss)
    assert tired > rested + 0.2, (tired, rested)


def test_tired_responders_miss_more_pages(vary: Callable[..., Drill]) -> None:
    """Each page draws its miss from its own stream, so a larger (fatigued) miss chance
    can only turn answered pages into missed ones: strictly more over 20 seeds."""
    _, tired = _errors(vary, TIRED)
    _, rested = _errors(vary, {"enabled": False})
    assert tired > rested, (tired, rested)
