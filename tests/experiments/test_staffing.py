"""Staffing studies: options become the rotation's layers, the measures count the
rotation's load, nights, speed and cost, and the trade-off table finds the Pareto set."""

from __future__ import annotations

import csv
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drillsim.cli.main import cli
from drillsim.errors import ConfigError
from drillsim.experiments.executors import SequentialExecutor
from drillsim.experiments.replications import run_drill
from drillsim.experiments.staffing import (
    DRILL_KPIS,
    STAFFING_KPIS,
    dominates,
    frontier,
    meets,
    rotation,
    tradeoffs,
)
from drillsim.experiments.sweep_runner import run_sweep
from drillsim.io.staffing import LoadedStudy, load_study
from drillsim.oncall.rotation import who_is_on_call
from drillsim.spec.staffing import Targets

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "payments-week.yaml"
SHIPPED = Path(__file__).resolve().parents[2] / "scenarios" / "sweeps"


def write_study(folder: Path, body: str, name: str = "study.yaml") -> Path:
    """A StaffingStudy of the payments week's payment-path rotation, ``body`` appended."""
    path = folder / name
    head = f"""\
        kind: StaffingStudy
        version: 1
        scenario: {SCENARIO}
        schedule: payment-path
        """
    path.write_text(textwrap.dedent(head) + textwrap.dedent(body))
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> LoadedStudy:
    """Three options over one week: as written, three people weekly, follow-the-sun."""
    folder = tmp_path_factory.mktemp("study")
    path = write_study(
        folder,
        """\
        replications: 2
        seed: 7
        horizon: 7d
        pool: [anouk, aoife, bas, wei, priya, {name: noor, tz: Europe/Amsterdam}]
        options:
          list:
            - name: as written
            - {name: three weekly, people: 3, rotation: weekly}
            - {name: sun, people: [anouk, bas, wei, priya], shape: follow-the-sun}
        cost: {currency: EUR, per_person_week: 100, per_page: 10, per_night_page: 50}
        targets: {time_to_acknowledge_p90: 30m}
        """,
    )
    return load_study(path)


def _layers(study: LoadedStudy, option: int) -> list[Any]:
    schedule = next(s for s in study.arms[option].spec.oncall.schedules if s.name == "payment-path")
    return list(schedule.layers)


def test_an_option_that_sets_nothing_keeps_the_schedule_as_written(study: LoadedStudy) -> None:
    """The baseline option is the on-call document's own rotation, all three layers."""
    base = next(s for s in study.base.spec.oncall.schedules if s.name == "payment-path")
    assert _layers(study, 0) == list(base.layers)
    assert study.arms[0].members == ("anouk", "aoife", "bas", "wei", "priya")


def test_a_head_count_takes_the_first_people_of_the_pool(study: LoadedStudy) -> None:
    """people: 3 is one round-the-clock weekly layer of the pool's first three, keeping
    the schedule's hand-off; other schedules are untouched."""
    (layer,) = _layers(study, 1)
    assert layer.users == ["anouk", "aoife", "bas"]
    assert layer.rotation == "weekly"
    assert layer.handoff == (0, 10 * 60)  # the schedule's own "mon 10:00"
    assert study.arms[1].members == ("anouk", "aoife", "bas")
    others = [s for s in study.arms[1].spec.oncall.schedules if s.name != "payment-path"]
    assert others == [s for s in study.base.spec.oncall.schedules if s.name != "payment-path"]


def test_the_horizon_replaces_the_scenario_duration(study: LoadedStudy) -> None:
    """horizon: 7d is what every option's drill runs for, and the weeks measured."""
    assert all(a.spec.scenario.duration == 7 * 86400 for a in study.arms)
    assert study.measures.weeks == pytest.approx(1.0)


def test_follow_the_sun_covers_each_hour_once_in_daytime(study: LoadedStudy) -> None:
    """Amsterdam and Singapore (7 hours apart) split the day in two 12-hour windows: at
    every hour of a week exactly one person is on call, and the 5 hours the zones'
    days do not fit are shared: each window's local middle is within 3 hours of 13:00,
    so every on-call hour falls between 04:00 and 22:00 for whoever holds it."""
    schedule = next(s for s in study.arms[2].spec.oncall.schedules if s.name == "payment-path")
    zones = {p.name: p.tz for p in study.arms[2].spec.oncall.people}
    start = datetime(2026, 11, 23, tzinfo=UTC)
    from zoneinfo import ZoneInfo

    for hour in range(7 * 24):
        at = start + timedelta(hours=hour, minutes=30)
        on = who_is_on_call(schedule, at)
        assert len(on) == 1, (at, on)
        local = at.astimezone(ZoneInfo(zones[on[0]]))
        assert 4 <= local.hour < 22, (at, on, local)


def test_every_option_faces_the_same_faults(study: LoadedStudy) -> None:
    """Common random numbers: same replication, same faults, whoever is on call."""
    a = run_drill(study.arms[0].spec, 7, 1)
    b = run_drill(study.arms[1].spec, 7, 1)
    faults = [r for r in a.records if r["kind"] == "FaultInjected"]
    assert faults and faults == [r for r in b.records if r["kind"] == "FaultInjected"]


def test_measures_count_the_rotation_from_the_log(study: LoadedStudy) -> None:
    """Pages, night pages and cost follow from the replication's own pages, member by
    member; the drill-wide KPIs are the scorecard's."""
    outcome = run_drill(study.arms[1].spec, 7, 0)
    values = study.measures.measure(outcome, 1)
    assert set(values) == set(STAFFING_KPIS + DRILL_KPIS)
    members = ("anouk", "aoife", "bas")
    pages = [r for r in outcome.records if r["kind"] == "PageSent" and r["person"] in members]
    nights = [r for r in pages if r["asleep"]]
    assert values["head_count"] == 3
    assert values["pages_per_person_week"] == pytest.approx(len(pages) / 3)
    assert values["night_pages_per_person_week"] == pytest.approx(len(nights) / 3)
    assert values["cost_per_week"] == pytest.approx(3 * 100 + 10 * len(pages) + 50 * len(nights))
    assert values["score"] == outcome.scorecard.score
    assert values["rotation_incidents"] == len({r["incident"] for r in pages})


def _rec(kind: str, t: float, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "t": t, **fields}


def test_rotation_waits_are_censored_like_the_scorecard() -> None:
    """Acknowledged: its wait. Resolved before anyone acknowledged: left out, but
    counted unacknowledged. Still open at the end: waits until the end. Incidents that
    paged nobody in the rotation are not its incidents."""
    records = [
        _rec("IncidentOpened", 0, incident="a"),
        _rec("IncidentOpened", 10, incident="b"),
        _rec("IncidentOpened", 20, incident="c"),
        _rec("IncidentOpened", 30, incident="d"),
        _rec("PageSent", 0, incident="a", person="x", asleep=False),
        _rec("PageSent", 10, incident="b", person="x", asleep=False),
        _rec("PageSent", 20, incident="c", person="y", asleep=True),
        _rec("PageSent", 30, incident="d", person="z", asleep=False),
        _rec("PageAcknowledged", 60, incident="a", person="x"),
        _rec("IncidentResolved", 100, incident="b"),
        _rec("PageAcknowledged", 90, incident="d", person="z"),
        _rec("DrillEnded", 1000),
    ]
    out = rotation(records, {"x", "y"})
    assert out["rotation_incidents"] == 3
    assert out["rotation_unacknowledged"] == 2
    assert out["rotation_tta_mean_s"] == pytest.approx((60 + 980) / 2)
    assert out["rotation_tta_p90_s"] == pytest.approx(60 + 0.9 * (980 - 60))
    assert rotation(records, {"nobody"})["rotation_tta_p90_s"] is None


def test_the_pooled_p90_counts_each_option_s_rotation_incidents_once_censored() -> None:
    """Over all replications: acknowledged ones give their wait, one still open waits
    until the horizon, one resolved unacknowledged is left out, and incidents that
    paged nobody in the rotation, or belong to another option, are not counted."""
    from drillsim.experiments.staffing import pooled_tta_p90
    from drillsim.io.sweep_results import IncidentRow

    def inc(arm: str, k: int, tta: float | None, ttr: float | None, paged: str) -> IncidentRow:
        return IncidentRow(arm, k, 1, f"i{k}", "SEV2", 100.0, tta, ttr, paged)

    incidents = [
        *(inc("a", k, 60.0 * k, 900.0, "x y") for k in range(1, 10)),  # 1..9 min
        inc("a", 10, None, None, "x"),  # open at the end: waits 1000 - 100 s
        inc("a", 11, None, 300.0, "y"),  # resolved unacknowledged: left out
        inc("a", 12, 5.0, 10.0, "z"),  # not the rotation's
        inc("b", 13, 5.0, 10.0, "x"),  # another option's
    ]
    waits = sorted([60.0 * k for k in range(1, 10)] + [900.0])
    expected = waits[8] + 0.1 * (waits[9] - waits[8])
    got = pooled_tta_p90(incidents, "a", ["x"], 1000.0)
    assert got.value == pytest.approx(expected)
    assert got.ci_low is not None and got.ci_high is not None
    assert got.ci_low <= got.value <= got.ci_high
    assert got == pooled_tta_p90(incidents, "a", ["x"], 1000.0)  # seeded: same interval
    assert pooled_tta_p90(incidents, "a", ["q"], 1000.0).value is None


def test_the_pooled_p90_interval_resamples_whole_replications() -> None:
    """Twenty replications of five incidents, two of them slow (10 min) and the rest
    quick (1 min): the pooled p90 sits between the two, and resampling whole
    replications (how many slow ones a resample draws) spreads its interval from the
    quick waits towards the slow ones; one replication has no interval."""
    from drillsim.experiments.staffing import pooled_tta_p90
    from drillsim.io.sweep_results import IncidentRow

    rows = [
        IncidentRow("a", k, 1, f"i{k}-{j}", "SEV2", 0.0, 600.0 if k < 2 else 60.0, 1.0, "x")
        for k in range(20)
        for j in range(5)
    ]
    got = pooled_tta_p90(rows, "a", ["x"], 1e6, seed=3)
    assert got.value == pytest.approx(60.0 + 0.1 * 540.0)  # 90 quick, 10 slow waits
    assert got.ci_low is not None and got.ci_high is not None
    assert 60.0 <= got.ci_low < got.value < got.ci_high <= 600.0
    one = pooled_tta_p90(rows[:5], "a", ["x"], 1e6)
    assert (one.ci_low, one.ci_high) == (None, None)


def _row(name: str, tta: float | None, pages: float, nights: float, cost: float) -> dict[str, Any]:
    return {
        "option": name,
        "rotation_tta_p90_s": tta,
        "pages_per_person_week": pages,
        "night_pages_per_person_week": nights,
        "cost_per_week": cost,
    }


def test_dominance_and_the_two_dimensional_frontier() -> None:
    """Better on one objective and no worse on the rest dominates; equal does not; an
    undefined objective is left out of the comparison."""
    a = _row("a", 600, 1.0, 0.2, 1000)
    assert dominates(a, _row("b", 600, 1.0, 0.3, 1000))
    assert not dominates(a, _row("c", 600, 1.0, 0.2, 1000))
    assert not dominates(a, _row("d", 500, 1.0, 0.2, 1200))
    assert dominates(_row("e", None, 1.0, 0.2, 900), a)
    pts = [(1.0, 5.0), (2.0, 3.0), (3.0, 4.0), (4.0, 1.0), (2.0, 3.0)]
    assert frontier(pts) == [0, 1, 4, 3]


def test_tradeoffs_mark_targets_and_the_pareto_set() -> None:
    """From summary rows: cheap-but-slow and fast-but-dear are both Pareto-optimal, an
    option worse on everything than another is not; targets are checked on the means."""
    summary = []
    values = {
        "cheap": (1500, 1.5, 0.6, 900),
        "dear": (500, 0.8, 0.1, 1800),
        "worse": (1600, 1.6, 0.7, 1000),
    }
    for arm, (tta, pages, nights, cost) in values.items():
        for kpi, v in zip(
            (
                "rotation_tta_p90_s",
                "pages_per_person_week",
                "night_pages_per_person_week",
                "cost_per_week",
            ),
            (tta, pages, nights, cost),
            strict=True,
        ):
            summary.append({"arm": arm, "kpi": kpi, "mean": v, "ci_low": v, "ci_high": v})
    rows = tradeoffs(summary, list(values), Targets(time_to_acknowledge_p90="20m"))
    assert [r["pareto"] for r in rows] == [True, True, False]
    assert [r["meets_targets"] for r in rows] == [False, True, False]
    assert meets(rows[0], Targets()) is None


def test_a_study_runs_into_a_folder_like_a_sweep(study: LoadedStudy, tmp_path: Path) -> None:
    """Rows per option and replication with every staffing KPI, manifest of kind
    StaffingStudy, and a summary the trade-off table reads."""
    outcome = run_sweep(study, tmp_path / "out", 7, SequentialExecutor())
    with (tmp_path / "out" / "runs.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 * 2 * len(STAFFING_KPIS + DRILL_KPIS)
    assert '"kind": "StaffingStudy"' in (tmp_path / "out" / "manifest.json").read_text()
    table = tradeoffs(outcome.summary, outcome.arms, study.spec.targets)
    assert [r["option"] for r in table] == ["as written", "three weekly", "sun"]
    assert all(r["head_count"] == n for r, n in zip(table, (5, 3, 4), strict=True))
    assert any(r["pareto"] for r in table)


def test_the_cli_writes_tradeoffs_and_the_chart(tmp_path: Path) -> None:
    """drillsim staffing: exit 0, the table on stdout, tradeoffs.csv and pareto.png."""
    path = write_study(
        tmp_path,
        """\
        replications: 2
        seed: 3
        horizon: 3d
        options:
          grid: {people: [2, 3]}
        cost: {per_person_week: 100}
        """,
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["staffing", str(path), "--out", str(out), "--executor", "sequential"]
    )
    assert result.exit_code == 0, result.output
    assert "people=2" in result.output and "people=3" in result.output
    with (out / "tradeoffs.csv").open() as f:
        table = list(csv.DictReader(f))
    assert [r["option"] for r in table] == ["people=2", "people=3"]
    assert [float(r["cost_per_week"]) for r in table] == [200.0, 300.0]
    assert (out / "pareto.png").read_bytes().startswith(b"\x89PNG")
    # horizon: 3d leaves out the Thursday crash (at: 3d3h20m), and says so
    assert (
        "warning: faults[name='ledger-db-primary-crash'].at: fault 'ledger-db-primary-crash' "
        "starts at 3d3h20m, not before the 3d study horizon ends; it is not injected\n"
        "    give a study horizon longer than 3d3h20m to include it\n"
    ) in result.stderr
    assert "webhooks-bad-deploy" not in result.stderr  # at: 1d15h10m, inside the horizon


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (
            "replications: 1\noptions: {list: [{name: big, people: 9}]}\n",
            "options.list[name='big'].people",
            "asks for 9 people; the pool has 5",
        ),
        (
            "replications: 1\noptions: {list: [{name: x, people: [anouk, zed]}]}\n",
            "options.list[name='x'].people[1]",
            "nobody called 'zed'",
        ),
        (
            "replications: 1\npool: [anouk, zed]\noptions: {grid: {people: [1]}}\n",
            "pool[1]",
            "nobody called 'zed' in the on-call document",
        ),
        (
            "replications: 1\npool: [{name: bas, tz: UTC}]\noptions: {grid: {people: [1]}}\n",
            "pool[name='bas'].name",
            "'bas' is already in the on-call document",
        ),
        (
            "replications: 1\noptions: {list: [{name: x, people: [anouk, bas], "
            "shape: follow-the-sun}]}\n",
            "options.list[name='x'].shape",
            "follow-the-sun needs people in at least two time zones",
        ),
        (
            "replications: 1\noptions: {grid: {handoff: ['mon 25:00']}}\n",
            "options.grid.handoff",
            "",
        ),
        (
            "replications: 0\noptions: {grid: {people: [1]}}\n",
            "replications",
            "",
        ),
        (
            "replications: 1\noptions: {list: [{name: x, people: 2, layers: [{users: [a]}]}]}\n",
            "options.list[name='x']",
            "leave out people",
        ),
    ],
)
def test_bad_studies_are_located_in_the_study_file(
    tmp_path: Path, body: str, where: str, message: str
) -> None:
    """Each problem is reported in the study file at the offending value, before any
    replication runs; the CLI exits 1 without a traceback."""
    path = write_study(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_study(path)
    issue = caught.value.issues[0]
    assert issue.file.endswith("study.yaml")
    assert issue.line > 1
    assert issue.path == where
    assert message in issue.message
    result = CliRunner().invoke(cli, ["staffing", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("body", "where", "hint"),
    [
        (
            "replications: 1\noptions:\n  list:\n    - {name: big, people: 9}\n",
            (8, 27, "options.list[name='big'].people"),
            "the pool: anouk, aoife, bas, wei, priya; ask for at most 5",
        ),
        (
            "replications: 1\noptions:\n  grid: {people: [2, 9]}\n",
            (7, 22, "options.grid.people[1]"),
            "ask for at most 5",
        ),
        (
            "replications: 1\noptions:\n  list:\n    - {name: x, people: [anouk, aofe]}\n",
            (8, 33, "options.list[name='x'].people[1]"),
            "(did you mean 'aoife'?)",
        ),
    ],
)
def test_option_problems_sit_at_the_value_with_a_hint(
    tmp_path: Path, body: str, where: tuple[int, int, str], hint: str
) -> None:
    """'asks for 9 people' used to point at the option (its first column) with no hint;
    now at the people: value (in a grid, the one value), saying what the pool holds."""
    with pytest.raises(ConfigError) as caught:
        load_study(write_study(tmp_path, body))
    issue = caught.value.issues[0]
    assert (issue.line, issue.col, issue.path) == where
    assert hint in issue.hint


def test_an_unknown_schedule_is_reported_at_schedule(tmp_path: Path) -> None:
    """The study names a schedule the on-call document does not have."""
    path = write_study(tmp_path, "replications: 1\noptions: {grid: {people: [1]}}\n")
    path.write_text(path.read_text().replace("schedule: payment-path", "schedule: nope"))
    with pytest.raises(ConfigError) as caught:
        load_study(path)
    (issue,) = caught.value.issues
    assert issue.path == "schedule"
    assert "no schedule 'nope'" in issue.message
    assert "payment-path" in issue.hint


def test_the_shipped_study_validates() -> None:
    """scenarios/sweeps/payment-path-staffing.yaml loads with all its options."""
    loaded = load_study(SHIPPED / "payment-path-staffing.yaml")
    assert len(loaded.arms) == 5
    assert loaded.arms[2].members == ("anouk", "aoife", "bas", "noor")


def test_the_python_api_runs_a_study(tmp_path: Path) -> None:
    """drillsim.staffing(path, out) is the command without the chart: same folder and
    trade-off rows as the CLI."""
    import drillsim

    path = write_study(
        tmp_path,
        """\
        replications: 1
        seed: 3
        horizon: 2d
        options:
          grid: {people: [2, 3]}
        """,
    )
    outcome, rows = drillsim.staffing(path, tmp_path / "api", executor="sequential")
    assert outcome.arms == ["people=2", "people=3"]
    assert [r["head_count"] for r in rows] == [2.0, 3.0]
    # One replication: the p90 pooled from incidents.csv (who was paged, censored at the
    # horizon) is the replication's own, measured from its log by another path.
    assert all(r["rotation_tta_p90_s"] is not None for r in rows)
    assert [r["rotation_tta_p90_pooled_s"] for r in rows] == [
        pytest.approx(r["rotation_tta_p90_s"], rel=1e-12) for r in rows
    ]
    result = CliRunner().invoke(
        cli, ["staffing", str(path), "--out", str(tmp_path / "cli"), "--executor", "sequential"]
    )
    assert result.exit_code == 0, result.output
    for name in ("runs.csv", "tradeoffs.csv"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
