"""Timelines, reports, confidence intervals and atomic result folders."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import drillsim
from drillsim.errors import DrillsimError
from drillsim.events import RECORD_TYPES
from drillsim.experiments.replications import confidence_interval, long_rows, run_replications
from drillsim.io.loader import Drill
from drillsim.io.result_folders import COMPARE, RUN
from drillsim.io.results import write_results
from drillsim.report.markdown import render_report
from drillsim.report.timeline import describe, timeline_lines


def test_every_record_kind_reads_as_a_timeline_line_or_is_hidden_on_purpose() -> None:
    """Each record kind has a sentence, except impact accruals (numbers, not events)."""
    mini = drillsim.load_scenario(Path(__file__).parent.parent / "data" / "mini" / "scenario.yaml")
    records = drillsim.run(mini, seed=1).records
    seen = {r["kind"] for r in records}
    for r in records:
        told = describe(r)
        assert (told is None) == (r["kind"] == "ImpactAccrued"), r["kind"]
    assert {"FaultInjected", "PageSent", "IncidentResolved"} <= seen <= set(RECORD_TYPES)
    lines = timeline_lines(records, health=False)
    assert lines[0].startswith("Sat 03:00:00") and "ServiceHealthChanged" not in "".join(lines)


def test_report_has_score_kpis_incidents_and_timeline(mini_drill: Drill) -> None:
    """report.md carries the score table, the KPI table, each incident and the story."""
    outcome = drillsim.run(mini_drill, seed=2)
    text = render_report(outcome.scorecard.to_dict(), outcome.records)
    assert f"## Score: {outcome.scorecard.score:.1f} / 100" in text
    for row in outcome.scorecard.kpis["incident_rows"]:
        assert f"| {row['id']} |" in text
    assert "## Timeline" in text and "acknowledges" in text


def test_confidence_interval_uses_student_t() -> None:
    """Five values 1..5: mean 3, sd sqrt(2.5), half-width t(0.975, 4) * sd / sqrt(5)."""
    ci = confidence_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)
    assert ci["mean"] == 3.0
    assert ci["ci_low"] == pytest.approx(3.0 - half) and ci["ci_high"] == pytest.approx(3.0 + half)
    assert confidence_interval([7.0])["ci_low"] is None
    assert confidence_interval([])["mean"] is None


def test_long_rows_have_one_row_per_replication_and_kpi(mini_drill: Drill) -> None:
    """runs.csv rows: replication, seed, kpi, value."""
    outcomes = run_replications(mini_drill.spec, 3, 2)
    rows = long_rows(outcomes)
    assert {r["replication"] for r in rows} == {0, 1}
    assert len(rows) == 2 * len({r["kpi"] for r in rows})


def test_results_are_written_atomically_and_never_over_user_files(tmp_path: Path) -> None:
    """A results folder replaces an older one of its kind; a folder of user files is refused
    intact; a file the kind does not list is a bug, caught before anything is written."""
    target = tmp_path / "run"
    manifest = '{"kind": "Compare"}'
    write_results(target, {"manifest.json": manifest, "pairs.csv": "x"}, COMPARE)
    write_results(target, {"manifest.json": manifest, "comparison.md": "y"}, COMPARE)
    assert sorted(p.name for p in target.iterdir()) == ["comparison.md", "manifest.json"]
    with pytest.raises(DrillsimError, match="refusing to overwrite"):
        write_results(target, {"manifest.json": "{}"}, RUN)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(DrillsimError, match="refusing to overwrite"):
        write_results(mine, {"manifest.json": "{}"}, COMPARE)
    assert (mine / "notes.txt").read_text() == "keep me"
    with pytest.raises(ValueError, match="does not list"):
        write_results(tmp_path / "new", {"manifest.json": "{}", "a/b.txt": "x"}, COMPARE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "run"]
