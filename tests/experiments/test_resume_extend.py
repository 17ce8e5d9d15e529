"""--resume after raising ``replications:`` (or with --replications) extends a sweep or
staffing study; any other edit of its inputs is refused, naming the file."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from drillsim.cli.main import cli
from drillsim.errors import DrillsimError
from drillsim.experiments.executors import SequentialExecutor
from drillsim.experiments.staffing import DRILL_KPIS, STAFFING_KPIS
from drillsim.experiments.sweep import KPIS
from drillsim.experiments.sweep_runner import run_sweep
from drillsim.io.staffing import load_study
from drillsim.io.sweep_results import read_rows
from drillsim.io.sweeps import load_sweep

DATA = Path(__file__).resolve().parents[1] / "data"
SEQUENTIAL = SequentialExecutor()
PAYMENTS = Path(__file__).resolve().parents[2] / "scenarios" / "payments-week.yaml"


def _sweep_file(folder: Path, replications: int, name: str = "first escalation delay") -> Path:
    """tests/data/sweeps/escalation.yaml (3 arms, seed 11) with ``replications`` and
    ``name``, written into ``folder``."""
    text = (DATA / "sweeps" / "escalation.yaml").read_text()
    text = text.replace("../mini/scenario.yaml", str(DATA / "mini" / "scenario.yaml"))
    text = text.replace("replications: 3", f"replications: {replications}")
    text = text.replace("name: first escalation delay", f"name: {name}")
    path = folder / "sweep.yaml"
    path.write_text(text)
    return path


def _done(target: Path, kpis: int = len(KPIS)) -> set[tuple[str, int]]:
    rows = read_rows(target)
    assert len(rows) % kpis == 0
    return {(r.arm, r.replication) for r in rows}


def test_raising_replications_then_resume_runs_only_the_new_ones(tmp_path: Path) -> None:
    """2 then 3 replications: the resume starts from the 6 kept and ends with the bytes
    of a sweep run with 3 from the start."""
    fresh = tmp_path / "fresh"
    run_sweep(load_sweep(_sweep_file(tmp_path, 3)), fresh, 11, SequentialExecutor())
    target = tmp_path / "s"
    run_sweep(load_sweep(_sweep_file(tmp_path, 2)), target, 11, SequentialExecutor())
    seen: list[int] = []
    raised = load_sweep(_sweep_file(tmp_path, 3))
    run_sweep(
        raised, target, 11, SequentialExecutor(), resume=True, progress=lambda d, _t: seen.append(d)
    )
    assert seen == [6, 7, 8, 9]
    for name in ("runs.csv", "incidents.csv", "summary.csv"):
        assert (target / name).read_bytes() == (fresh / name).read_bytes(), name
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["replications"] == 3
    assert manifest["complete"] is True


def test_any_other_edit_of_the_sweep_file_is_refused_naming_it(tmp_path: Path) -> None:
    """A new ``name:`` (with or without new replications) is another sweep: refused, and
    the message says which file changed; nothing in the folder is touched."""
    target = tmp_path / "s"
    run_sweep(load_sweep(_sweep_file(tmp_path, 2)), target, 11, SequentialExecutor())
    before = (target / "runs.csv").read_bytes()
    edited = load_sweep(_sweep_file(tmp_path, 3, name="another sweep"))
    with pytest.raises(DrillsimError, match=r"the sweep file .*sweep\.yaml changed"):
        run_sweep(edited, target, 11, SequentialExecutor(), resume=True)
    assert (target / "runs.csv").read_bytes() == before


def test_fewer_replications_are_refused(tmp_path: Path) -> None:
    """Lowering the count would drop finished replications (or leave rows the plan does
    not count): refused with the count to ask for."""
    target = tmp_path / "s"
    run_sweep(load_sweep(_sweep_file(tmp_path, 2)), target, 11, SequentialExecutor())
    with pytest.raises(DrillsimError, match=r"already plans 2.*\n    ask for 2 or more"):
        run_sweep(load_sweep(_sweep_file(tmp_path, 1)), target, 11, SEQUENTIAL, resume=True)
    assert len(_done(target)) == 6


def test_a_folder_from_before_the_content_digest_needs_the_same_bytes(tmp_path: Path) -> None:
    """A manifest without the digest that ignores replications: falls back to the
    file's sha256, so only an unchanged file resumes."""
    target = tmp_path / "s"
    run_sweep(load_sweep(_sweep_file(tmp_path, 2)), target, 11, SequentialExecutor())
    manifest = json.loads((target / "manifest.json").read_text())
    del manifest["inputs"]["sweep"]["sha256_except_replications"]
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DrillsimError, match="the sweep file"):
        run_sweep(load_sweep(_sweep_file(tmp_path, 3)), target, 11, SEQUENTIAL, resume=True)
    run_sweep(load_sweep(_sweep_file(tmp_path, 2)), target, 11, SequentialExecutor(), resume=True)


def test_a_staffing_study_extends_the_same_way(tmp_path: Path) -> None:
    """The StaffingStudy resume path shares the rule: 1 then 2 replications."""

    def study(replications: int) -> Path:
        path = tmp_path / "study.yaml"
        body = f"""\
            kind: StaffingStudy
            version: 1
            scenario: {PAYMENTS}
            schedule: payment-path
            replications: {replications}
            seed: 3
            horizon: 2d
            options:
              grid: {{people: [2, 3]}}
            cost: {{per_person_week: 100}}
            """
        path.write_text(textwrap.dedent(body))
        return path

    target = tmp_path / "out"
    run_sweep(load_study(study(1)), target, 3, SequentialExecutor())
    seen: list[int] = []
    run_sweep(
        load_study(study(2)),
        target,
        3,
        SequentialExecutor(),
        resume=True,
        progress=lambda d, _t: seen.append(d),
    )
    assert seen == [2, 3, 4]
    assert len(_done(target, len(STAFFING_KPIS + DRILL_KPIS))) == 4


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="drillsim")


def test_the_replications_option_extends_a_sweep_and_resume_keeps_it(tmp_path: Path) -> None:
    """--replications overrides the file; --resume with a higher one extends the folder;
    --resume without it keeps the folder's count; a lower one is refused (exit 1)."""
    path = _sweep_file(tmp_path, 2)
    out = tmp_path / "s"
    args = ("sweep", path, "--out", out, "--executor", "sequential", "--no-plots")
    first = _invoke(*args, "--replications", "1")
    assert first.exit_code == 0, first.output
    assert "3 arms x 1 replications" in first.stdout
    assert len(_done(out)) == 3
    extended = _invoke(*args, "--resume", "--replications", "3")
    assert extended.exit_code == 0, extended.output
    assert "3 arms x 3 replications" in extended.stdout
    assert len(_done(out)) == 9
    again = _invoke(*args, "--resume")  # the file says 2: the folder's 3 stand
    assert again.exit_code == 0, again.output
    assert "3 arms x 3 replications" in again.stdout
    lower = _invoke(*args, "--resume", "--replications", "2")
    assert lower.exit_code == 1
    assert "already plans 3" in lower.stderr
    assert "Traceback" not in lower.output
    assert len(_done(out)) == 9
