"""One arm's interval as the sweep, staffing and replication tables print it: never past
what the KPI can be, and marked when cut."""

from __future__ import annotations

from drillsim.experiments.kpi_units import summary_interval
from drillsim.experiments.staffing import DRILL_KPIS, STAFFING_KPIS
from drillsim.experiments.sweep import KPIS


def test_a_score_interval_is_cut_at_100_and_marked() -> None:
    assert summary_interval("score", 97.13, 101.1) == "97.13 .. 100*"


def test_times_and_counts_are_cut_at_zero_and_marked() -> None:
    assert summary_interval("time_to_acknowledge_p90_s", -46060.0, 122700.0) == "0 .. 1.227e+05*"
    assert summary_interval("escalations", -0.2, 1.4) == "0 .. 1.4*"


def test_an_interval_within_range_is_printed_as_computed() -> None:
    assert summary_interval("score", 90.0, 99.5) == "90 .. 99.5"
    assert summary_interval("slo_budget_burned", 0.5, 1.7) == "0.5 .. 1.7"  # over 100% is real


def test_every_table_kpi_is_cut_at_zero_at_least() -> None:
    """The tables list only these KPIs, and none of them can be negative."""
    for name in (*KPIS, *STAFFING_KPIS, *DRILL_KPIS):
        assert summary_interval(name, -1.0, 5.0).startswith("0 .. "), name
