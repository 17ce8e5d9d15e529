"""Direction (metamorphic) tests: change one thing in a known direction, on the same seeds."""

from __future__ import annotations

from collections.abc import Callable
from statistics import mean
from typing import Any

import drillsim
from drillsim.io.loader import Drill

SEEDS = range(20)


def mtta(drill: Drill) -> float:
    """Mean time to acknowledge over the seeds (unacked incidents censored at the end)."""
    values = []
    for seed in SEEDS:
        k = drillsim.run(drill, seed=seed).scorecard.kpis
        values.append(k["time_to_acknowledge_censored_s"]["mean"])
    return mean(values)


def test_one_more_responder_never_raises_mtta(vary: Callable[..., Drill]) -> None:
    """Paging one more person at the first level does not slow acknowledgement."""

    def extra(doc: dict[str, Any]) -> None:
        doc["people"].append({"name": "erin", "tz": "Europe/Berlin", "skills": ["orders"]})
        doc["escalation_policies"][0]["rules"][0]["targets"].append({"user": "erin"})

    base, more = mtta(vary()), mtta(vary(oncall=extra))
    assert more <= base


def test_shorter_for_never_detects_later(vary: Callable[..., Drill]) -> None:
    """Halving every rule's ``for:`` never delays the first alert for the fault, seed by seed."""

    def shorter(doc: dict[str, Any]) -> None:
        doc["rules"][0]["for"] = "30s"
        doc["rules"][1]["for"] = "1m"

    base, quick = vary(), vary(rules=shorter)
    for seed in SEEDS:
        a = drillsim.run(base, seed=seed).scorecard.kpis["time_to_detect_s"]["mean"]
        b = drillsim.run(quick, seed=seed).scorecard.kpis["time_to_detect_s"]["mean"]
        assert b <= a


def test_longer_group_wait_never_sends_more_notifications(vary: Callable[..., Drill]) -> None:
    """Waiting longer before a group's first flush batches more alerts per notification."""

    def longer(doc: dict[str, Any]) -> None:
        doc["route"]["group_by"] = ["service"]
        doc["route"]["group_wait"] = "5m"

    def shorter(doc: dict[str, Any]) -> None:
        doc["route"]["group_by"] = ["service"]
        doc["route"]["group_wait"] = "10s"

    slow, fast = vary(routing=longer), vary(routing=shorter)
    for seed in range(10):
        a = drillsim.run(slow, seed=seed).scorecard.kpis["notifications"]
        b = drillsim.run(fast, seed=seed).scorecard.kpis["notifications"]
        assert a <= b
