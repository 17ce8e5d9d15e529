"""``drillsim run --horizon``: a long run's weekly series agrees with its own KPIs."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from drillsim.cli.main import cli

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


@pytest.fixture(scope="module")
def recurring(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini drill (6 hours) with random error bursts on web and crashes of orders."""
    folder = tmp_path_factory.mktemp("horizon") / "mini"
    shutil.copytree(MINI, folder)
    path = folder / "scenario.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["faults"] += [
        {"name": "web-errors", "type": "error-rate", "target": {"service": "web"},
         "rate": "20%", "arrivals": {"every": "2d"}, "lasts": "10m..1h"},
        {"name": "orders-crash", "type": "crash", "target": {"service": "orders"},
         "arrivals": {"every": "4d"}, "until": "repaired"},
    ]  # fmt: skip
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_21_days_give_three_weeks_that_add_up(recurring: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _invoke("run", recurring, "--seed", 4, "--horizon", "21d", "--out", out)
    assert result.exit_code == 0, result.output
    assert "per week (7-day blocks from the start" in result.stdout
    with (out / "weekly.csv").open() as f:
        rows = list(csv.DictReader(f))
    kpis = json.loads((out / "scorecard.json").read_text())["kpis"]
    assert [r["week"] for r in rows] == ["1", "2", "3"]
    assert {r["days"] for r in rows} == {"7"}
    assert (
        json.loads((out / "events.jsonl").read_text().splitlines()[0])["duration_s"] == 21 * 86400
    )

    def total(col: str) -> int:
        return sum(int(r[col]) for r in rows)

    assert total("incidents") == kpis["incidents"] > 3
    assert total("faults") == kpis["faults"]
    assert total("pages") == kpis["pages"]
    assert total("off_hours_pages") == kpis["off_hours_pages"]
    assert total("acknowledged") == kpis["time_to_acknowledge_s"]["count"]
    assert total("resolved") == kpis["time_to_resolve_s"]["count"]
    weighted = sum(int(r["acknowledged"]) * float(r["tta_mean_s"] or 0) for r in rows)
    tta = kpis["time_to_acknowledge_s"]
    assert weighted == pytest.approx(tta["count"] * tta["mean"], rel=1e-6)
    assert max(int(r["max_pages_per_person"]) for r in rows) <= kpis["max_pages_per_person"]
    with (out / "weekly_people.csv").open() as f:
        people = list(csv.DictReader(f))
    for name, row in kpis["people"].items():
        assert sum(int(p["pages"]) for p in people if p["person"] == name) == row["pages"]
    assert (out / "weekly.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_short_drill_has_no_weekly_series(recurring: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _invoke("run", recurring, "--seed", 4, "--horizon", "2d", "--out", out, "--no-plots")
    assert result.exit_code == 0, result.output
    assert not (out / "weekly.csv").exists()
    assert "per week" not in result.stdout


@pytest.mark.parametrize("horizon", ["0", "ten days", "-3d"])
def test_a_bad_horizon_is_a_usage_error(recurring: Path, tmp_path: Path, horizon: str) -> None:
    result = _invoke("run", recurring, "--horizon", horizon, "--out", tmp_path / "x")
    assert result.exit_code == 2, result.output
    assert "--horizon" in result.output
    assert not (tmp_path / "x").exists()


def _faults(out: Path) -> int:
    return int(json.loads((out / "scorecard.json").read_text())["kpis"]["faults"])


def test_a_horizon_that_cuts_off_a_fixed_fault_warns_where_the_fault_is(tmp_path: Path) -> None:
    """The mini drill's db-crash is ``at: 10m``: a 5m horizon runs without it, and says so
    (it used to run a fault-free drill without a word)."""
    out = tmp_path / "run"
    result = _invoke("run", MINI / "scenario.yaml", "--seed", 1, "--horizon", "5m", "--out", out,
                     "--no-plots")  # fmt: skip
    assert result.exit_code == 0, result.output
    line, col = _position_of_at(MINI / "scenario.yaml", "db-crash")
    assert (
        f"scenario.yaml:{line}:{col}: warning: faults[name='db-crash'].at: fault 'db-crash' "
        "starts at 10m, not before the 5m --horizon ends; it is not injected\n"
        "    give a --horizon longer than 10m to include it\n"
    ) in result.stderr
    assert _faults(out) == 0  # the warning tells the truth


def test_a_horizon_past_every_fixed_fault_does_not_warn(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _invoke("run", MINI / "scenario.yaml", "--seed", 1, "--horizon", "11m", "--out", out,
                     "--no-plots")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "--horizon" not in result.stderr
    assert _faults(out) == 1


def test_a_scenario_shorter_than_its_fault_is_still_an_error(tmp_path: Path) -> None:
    """The same rule in the scenario itself (and so in a sweep arm) stays an error."""
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    path = folder / "scenario.yaml"
    path.write_text(path.read_text().replace("duration: 6h", "duration: 5m"))
    result = _invoke("validate", path)
    assert result.exit_code == 1
    line, col = _position_of_at(path, "db-crash")
    where = f"scenario.yaml:{line}:{col}: faults[name='db-crash'].at"
    assert f"{where}: starts after the drill has ended\n" in result.stderr


def _position_of_at(path: Path, fault: str) -> tuple[int, int]:
    """1-based line and column of the ``at:`` value of ``fault`` in ``path``."""
    for n, text in enumerate(path.read_text().splitlines(), 1):
        if f"name: {fault}" in text and "at: " in text:
            return n, text.index("at: ") + 5
    raise AssertionError(f"no one-line fault {fault!r} with 'at:' in {path}")
