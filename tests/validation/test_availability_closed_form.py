"""k-of-n availability with independent or shared repair, and active-standby with a
switchover and a failover success probability (reference/anchors.md §2;
docs/validation.md).

Each replica fails after an exponential up time (mean MTBF) and is repaired after an
exponential time (mean MTTR) by its own crew, or by one crew shared by all replicas
(oldest failure first; a birth-death chain): ``availability_drill`` says it with zone
outages whose arrivals count each gap from the end of the previous outage. The long-run
share of time the service is up, read from its health records, must be within 3
standard errors (of independent per-seed estimates, seeds of each check's own) of
sum_{i>=k} C(n,i) a^i (1-a)^(n-i), a = MTBF / (MTBF + MTTR).
"""

from __future__ import annotations

import math
from pathlib import Path
from statistics import mean, stdev

import pytest
import yaml
from availability_drill import availability, write_active_standby_drill, write_k_of_n_drill
from closed_forms import active_standby, k_of_n, k_of_n_one_crew
from pydantic import ValidationError

import drillsim
from drillsim.errors import ConfigError
from drillsim.spec.scenario import Fault

MTBF_H, MTTR_H = 100.0, 10.0


def test_closed_form_reproduces_the_anchor_table() -> None:
    """anchors.md §2.2: unit MTBF 100 h, MTTR 10 h."""
    assert k_of_n(1, 2, MTBF_H, MTTR_H) == pytest.approx(0.991735537, abs=1e-9)
    assert k_of_n(2, 3, MTBF_H, MTTR_H) == pytest.approx(0.976709241, abs=1e-9)
    assert k_of_n(3, 5, MTBF_H, MTTR_H) == pytest.approx(0.993474117, abs=1e-9)
    assert k_of_n(4, 5, MTBF_H, MTTR_H) == pytest.approx(0.931381985, abs=1e-9)
    assert k_of_n_one_crew(1, 2, MTBF_H, MTTR_H) == pytest.approx(0.983606557, abs=1e-9)
    assert active_standby(1000, 4, 1 / 60, 1.0) == pytest.approx(0.999951656, abs=1e-9)
    assert active_standby(1000, 4, 5 / 60, 0.95) == pytest.approx(0.999691820, abs=1e-9)
    assert active_standby(1000, 4, 0.5, 0.95) == pytest.approx(0.999298107, abs=1e-9)
    assert active_standby(MTBF_H, MTTR_H, 1.0, 0.9) == pytest.approx(0.968375, abs=1e-6)


def test_validation_options_are_checked() -> None:
    """``gap_from: end`` needs a fixed-length fault; ``spread: rotate`` a tier or team."""
    with pytest.raises(ValidationError, match="gap_from: end"):
        Fault.model_validate(
            {
                "type": "crash",
                "target": {"service": "a"},
                "arrivals": {"every": "1h", "gap_from": "end"},
                "lasts": "1h",
            }
        )
    with pytest.raises(ValidationError, match="only a crash"):
        Fault.model_validate(
            {
                "type": "error-rate",
                "rate": 0.5,
                "target": {"service": "a", "instance": "standby"},
                "at": "1h",
            }
        )
    with pytest.raises(ValidationError, match="'instance' needs a service"):
        Fault.model_validate(
            {"type": "crash", "target": {"tier": 1, "instance": "standby"}, "at": "1h"}
        )
    with pytest.raises(ValidationError, match="spread: rotate"):
        Fault.model_validate(
            {
                "type": "crash",
                "target": {"service": "a"},
                "arrivals": {"every": "1h", "spread": "rotate"},
            }
        )


def check(
    tmp_path: Path, k: int, n: int, hours: float, seeds: range, crew: str | None = None
) -> None:
    drill = drillsim.load_scenario(
        write_k_of_n_drill(tmp_path, k=k, n=n, mtbf_h=MTBF_H, mttr_h=MTTR_H, hours=hours, crew=crew)
    )
    values = [availability(drill, seed) for seed in seeds]
    m, se = mean(values), stdev(values) / math.sqrt(len(values))
    closed_form = k_of_n if crew is None else k_of_n_one_crew
    expected = closed_form(k, n, MTBF_H, MTTR_H)
    assert abs(m - expected) < 3 * se, (m, se, expected, (m - expected) / se)


def test_two_of_three_matches_the_binomial_sum(tmp_path: Path) -> None:
    """2-of-3: A = 0.976709 (8 seeds x 50,000 h, about 7 s)."""
    check(tmp_path, 2, 3, 50_000, range(3000, 3008))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("k", "n", "seeds"),
    [(1, 2, range(3100, 3116)), (3, 5, range(3200, 3216)), (4, 5, range(3300, 3316))],
)
def test_k_of_n_matches_the_binomial_sum(tmp_path: Path, k: int, n: int, seeds: range) -> None:
    """1-of-2, 3-of-5, 4-of-5 (16 seeds x 100,000 h each)."""
    check(tmp_path, k, n, 100_000, seeds)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("k", "n", "seeds"), [(1, 2, range(3400, 3416)), (2, 3, range(3500, 3516))]
)
def test_shared_repair_matches_the_birth_death_chain(
    tmp_path: Path, k: int, n: int, seeds: range
) -> None:
    """One repair crew for all replicas (``arrivals: {crew: ops}``): 1-of-2 A = 0.983607
    (anchors.md §2.2), 2-of-3 A = 0.951684 (16 seeds x 100,000 h each)."""
    check(tmp_path, k, n, 100_000, seeds, crew="ops")


def check_active_standby(
    tmp_path: Path,
    mtbf_h: float,
    mttr_h: float,
    switchover_h: float,
    success: float,
    hours: float,
    seeds: range,
) -> None:
    drill = drillsim.load_scenario(
        write_active_standby_drill(
            tmp_path,
            mtbf_h=mtbf_h,
            mttr_h=mttr_h,
            switchover_h=switchover_h,
            success=success,
            hours=hours,
        )
    )
    values = [availability(drill, seed) for seed in seeds]
    m, se = mean(values), stdev(values) / math.sqrt(len(values))
    expected = active_standby(mtbf_h, mttr_h, switchover_h, success)
    assert abs(m - expected) < 3 * se, (m, se, expected, (m - expected) / se)


def test_active_standby_matches_the_chain(tmp_path: Path) -> None:
    """MTBF 100 h, MTTR 10 h, 1 h switchover, 90% success: A = 0.968375 (anchors.md
    §2.2's simulation check; 16 seeds x 100,000 h, about 5 s)."""
    check_active_standby(tmp_path, 100, 10, 1.0, 0.9, 100_000, range(4100, 4116))


@pytest.mark.slow
def test_active_standby_matches_the_worked_example(tmp_path: Path) -> None:
    """MTBF 1000 h, MTTR 4 h, 5 min switchover, 95% coverage: A = 0.999691820
    (anchors.md §2.2; 16 seeds x 2,000,000 h)."""
    check_active_standby(tmp_path, 1000, 4, 5 / 60, 0.95, 2_000_000, range(4200, 4216))


def test_an_instance_needs_an_active_standby_service(tmp_path: Path) -> None:
    """Crashing one instance of a service without a standby is a located error."""
    path = write_k_of_n_drill(tmp_path, k=1, n=2, mtbf_h=MTBF_H, mttr_h=MTTR_H, hours=1000)
    scenario = yaml.safe_load(path.read_text())
    scenario["faults"][0]["type"] = "crash"
    scenario["faults"][0]["target"] = {"service": "db", "instance": "standby"}
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    with pytest.raises(ConfigError, match="no standby instance"):
        drillsim.load_scenario(path)
