"""Conservation: every alert that fires ends exactly one way, and none is lost.

Over random variations of the small drill (grouping, timers, inhibition, silences, noise),
each firing is notified, muted (inhibited, silenced, time interval), resolved before its
group ever flushed, or still waiting for a first flush when the drill ended; an alert
still "pending" long before the end would be one the pipeline lost.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drillsim
from drillsim.io.loader import Drill
from drillsim.scoring.kpis import OUTCOMES, alert_outcomes

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def build(knobs: dict[str, Any], folder: Path) -> Drill:
    """The mini drill with the knobs applied."""
    shutil.copytree(MINI, folder, dirs_exist_ok=True)
    routing = yaml.safe_load((folder / "routing.yaml").read_text())
    routing["route"].update(
        group_by=knobs["group_by"],
        group_wait=knobs["group_wait"],
        group_interval=knobs["group_interval"],
    )
    if knobs["inhibit"]:
        routing["inhibit_rules"] = [
            {
                "source_matchers": ['alertname="ServiceDown"'],
                "target_matchers": ['alertname="HighErrorRate"'],
            }
        ]
    (folder / "routing.yaml").write_text(yaml.safe_dump(routing))
    rules = yaml.safe_load((folder / "rules.yaml").read_text())
    rules["rules"][1]["for"] = knobs["for"]
    rules["rules"][1]["false_positives"] = {"every": "30m", "lasts": "10s..3m"}
    (folder / "rules.yaml").write_text(yaml.safe_dump(rules))
    scenario = yaml.safe_load((folder / "scenario.yaml").read_text())
    scenario["duration"] = "8h"
    if knobs["silence"]:
        scenario["silences"] = [{"matchers": ['service="web"'], "starts": "0", "ends": "4h"}]
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    return drillsim.load_scenario(folder / "scenario.yaml")


KNOBS = st.fixed_dictionaries(
    {
        "group_by": st.sampled_from([[], ["alertname"], ["alertname", "service"], ["..."]]),
        "group_wait": st.sampled_from(["0", "10s", "30s", "2m"]),
        "group_interval": st.sampled_from(["1m", "5m"]),
        "for": st.sampled_from(["0", "30s", "2m"]),
        "inhibit": st.booleans(),
        "silence": st.booleans(),
        "seed": st.integers(min_value=0, max_value=10_000),
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(KNOBS)
def test_every_alert_ends_exactly_one_way(knobs: dict[str, Any]) -> None:
    """Outcomes partition the firings; pending ones fired just before the end."""
    with tempfile.TemporaryDirectory() as tmp:
        drill = build(knobs, Path(tmp) / "d")
        records = drillsim.run(drill, seed=knobs["seed"]).records
    fired = [r for r in records if r["kind"] == "AlertFired"]
    outcomes = alert_outcomes(records)
    assert len(outcomes) == len(fired)
    assert set(outcomes.values()) <= set(OUTCOMES)
    end = records[-1]["t"]
    wait = {"0": 0, "10s": 10, "30s": 30, "2m": 120}[knobs["group_wait"]]
    step = {"1m": 60, "5m": 300}[knobs["group_interval"]]
    for r in fired:
        outcome = outcomes[f"{r['fingerprint']}@{r['t']}"]
        if outcome == "pending":
            assert r["t"] > end - wait - step, ("lost alert", r)
        if outcome == "inhibited":
            assert knobs["inhibit"]
        if outcome == "silenced":
            assert knobs["silence"] and r["labels"]["service"] == "web"
