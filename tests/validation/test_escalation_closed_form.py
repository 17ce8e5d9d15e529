"""Escalation against a closed form (reference/anchors.md §3).

Three levels page three different people ``tau`` apart; each paged person is always
available and acknowledges after an exponential delay of mean 1/r, and everyone already
paged can still acknowledge (drillsim's escalation is cumulative). Then

    P(T > t) = prod_k exp(-r (t - k tau)^+),   E[T] = integral of P(T > t) dt,

which anchors.md tabulates as 6.595 min (tau = 5 min) and 8.866 min (tau = 15 min) for
r = 0.1 / min. Incidents are spaced 12 h apart so nobody is busy when paged. A simulated
mean outside 3 standard errors of the closed form is a bug, not noise; each check uses its
own seeds.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from statistics import mean, stdev

import pytest
import yaml
from scipy.integrate import quad

import drillsim

MEAN_ACK_MIN = 10.0
INCIDENTS_PER_RUN = 150


def closed_form_minutes(tau: float, r: float = 1 / MEAN_ACK_MIN, levels: int = 3) -> float:
    """E[T] for cumulative escalation with always-available memoryless responders."""

    def survival(t: float) -> float:
        return math.exp(-r * sum(max(0.0, t - k * tau) for k in range(levels)))

    edges = [k * tau for k in range(levels)]  # the integrand has kinks at each page
    pieces = [quad(survival, a, b)[0] for a, b in itertools.pairwise(edges)]
    return sum(pieces) + quad(survival, edges[-1], math.inf)[0]


def write_drill(folder: Path, tau_min: int) -> Path:
    """A one-service drill with one crash every 12 hours and a three-level policy."""
    docs = {
        "topology.yaml": {
            "kind": "Topology",
            "version": 1,
            "name": "one",
            "regions": {"r": {"zones": ["a"]}},
            "services": [{"name": "api", "team": "t", "tier": 1, "replicas": 2}],
        },
        "oncall.yaml": {
            "kind": "OnCall",
            "version": 1,
            "people": [{"name": n, "tz": "UTC", "skills": ["api"]} for n in ("p1", "p2", "p3")],
            "escalation_policies": [
                {
                    "name": "pol",
                    "loops": 1,
                    "rules": [
                        {"delay": f"{tau_min}m", "targets": [{"user": n}]}
                        for n in ("p1", "p2", "p3")
                    ],
                }
            ],
        },
        "rules.yaml": {
            "kind": "AlertRules",
            "version": 1,
            "rules": [{"alert": "Down", "signal": "up", "op": "<", "threshold": 1}],
        },
        "routing.yaml": {
            "kind": "Routing",
            "version": 1,
            "route": {"receiver": "pager"},
            "receivers": [{"name": "pager", "escalation_policy": "pol"}],
        },
        "scenario.yaml": {
            "kind": "Scenario",
            "version": 1,
            "name": "escalation closed form",
            "start": "2026-01-05T00:00:00[UTC]",
            "duration": f"{12 * INCIDENTS_PER_RUN}h",
            "topology": "topology.yaml",
            "oncall": "oncall.yaml",
            "alerting": {"rules": "rules.yaml", "routing": "routing.yaml"},
            "responders": {
                "ack": f"exponential(mean={int(MEAN_ACK_MIN)}m)",
                "miss": 0.0,
                "asleep_miss": 0.0,
                "asleep_ack_factor": 1.0,
                # the closed form has memoryless responders reached at once
                "fatigue": {"enabled": False},
                "channels": {"push": {"delivery": "0s"}},
            },
            "faults": [
                {
                    "type": "crash",
                    "target": {"service": "api"},
                    "at": f"{12 * i + 1}h",
                    "remedy": "restart",
                }
                for i in range(INCIDENTS_PER_RUN)
            ],
        },
    }
    for name, doc in docs.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder / "scenario.yaml"


def test_closed_form_matches_the_anchor_table() -> None:
    """The integral reproduces anchors.md's tabulated values."""
    assert closed_form_minutes(5) == pytest.approx(6.595, abs=5e-4)
    assert closed_form_minutes(15) == pytest.approx(8.866, abs=5e-4)


@pytest.mark.slow
@pytest.mark.parametrize(("tau", "seeds"), [(5, range(100, 108)), (15, range(200, 208))])
def test_mean_time_to_acknowledge_matches_the_closed_form(
    tmp_path: Path, tau: int, seeds: range
) -> None:
    """Mean TTA over ~1,200 incidents is within 3 standard errors of the closed form."""
    drill = drillsim.load_scenario(write_drill(tmp_path, tau))
    tta: list[float] = []
    for seed in seeds:
        for row in drillsim.run(drill, seed=seed).scorecard.kpis["incident_rows"]:
            assert row["time_to_acknowledge_s"] is not None
            tta.append(row["time_to_acknowledge_s"] / 60.0)
    expected = closed_form_minutes(tau)
    se = stdev(tta) / math.sqrt(len(tta))
    assert len(tta) == INCIDENTS_PER_RUN * len(seeds)
    assert abs(mean(tta) - expected) < 3 * se, (mean(tta), expected, se)
