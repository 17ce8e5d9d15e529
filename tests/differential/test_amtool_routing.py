"""Differential tests: drillsim's Alertmanager routing against the real ``amtool`` 0.25.

For every routing tree amtool can read (the third-party fixtures it accepts, the project's
own ``scenarios/alerting/*-routing.yaml`` converted to Alertmanager configs, and a
synthetic tree full of matcher traps), a seeded generator (:mod:`labelgen`) draws at least
300 distinct label sets that reach every route, hit and miss every matcher, leave labels
out, fan out through ``continue: true`` and carry noise labels. drillsim must name the
same receivers, in the same order, as ``amtool config routes test``, both through
``receivers_for`` and through ``drillsim routes test --batch``; and ``drillsim routes
show`` must print ``amtool config routes``'s tree byte for byte.

amtool reads one label set per process (~15-30 ms), so its answers are computed once per
tree, a few processes at a time (``conftest.AMTOOL_WORKERS``), and shared by the tests that
need them. The four richest trees run by default; the rest, and the 100,000-line batch,
are marked ``slow`` (CI runs them too).

A disagreement is reduced to the smallest label set that still disagrees (labels are
dropped one at a time) before it is reported.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import yaml
from labelgen import (
    Draws,
    LabelCase,
    amtool_label_args,
    generate_label_sets,
    harvest_routes,
    parse_matcher_strings,
    regex_samples,
)

from drillsim.alerting.routing import RouteNode, build_route_tree, match_routes, receivers_for
from drillsim.io.importers.alertmanager import load_alertmanager
from drillsim.io.loader import load_document
from drillsim.spec.alerting import Routing

if TYPE_CHECKING:  # the fixtures' types; conftest is not imported at run time
    from conftest import Amtool, DrillsimCli

REPO = Path(__file__).resolve().parents[2]

LABEL_SETS_PER_TREE = 300
BASE_SEED = 20_240_601
BIG_BATCH = 100_000

# Files in ../shared/fixtures that amtool 0.25 accepts (fixtures/README.md, "Things tests
# should know"), and the two it rejects for using a newer schema.
ACCEPTED_FIXTURES = {
    "conf.good": "prometheus__alertmanager/conf.good.yml",
    "conf.group-by-all": "prometheus__alertmanager/conf.group-by-all.yml",
    "conf.routing": "prometheus__alertmanager/conf.routing.yml",
    "alertmanager": "prometheus__alertmanager/alertmanager.yml",
    "kube-prometheus-secret": "prometheus-operator__kube-prometheus/"
    "alertmanager-secret.alertmanager.yaml",
}
REJECTED_FIXTURES = {
    "simple": "prometheus__alertmanager/simple.yml",
    "route_labels": "prometheus__alertmanager/route_labels.yml",
}
SCENARIO_ROUTING = sorted((REPO / "scenarios" / "alerting").glob("*-routing.yaml"))

# Matcher corners the real configs do not reach: negative matchers, a matcher on ""
# (true for a missing label), \d and \w (ASCII-only in Go), anchors inside match_re, "."
# and newlines, (?i), an alternative that matches "", non-ASCII values, a braced list with
# a comma inside quotes, nested continue.
SYNTHETIC_TRAPS = r"""
route:
  receiver: root
  group_by: [alertname]
  routes:
    - receiver: neg-eq
      matchers: ['env!="prod"', 'team="a"']
      continue: true
    - receiver: neg-re
      matchers: ['env!~"prod|staging"', 'team=~"a|b"']
      continue: true
    - receiver: empty-eq
      matchers: ['owner=""', 'team="b"']
    - receiver: digits
      matchers: ['code=~"\d{3}"']
      routes:
        - receiver: digits-5xx
          matchers: ['code=~"5.."']
          continue: true
        - receiver: digits-4xx-5xx
          matchers: ['code=~"[45]\d\d"']
    - receiver: anchors
      match_re:
        path: '^/api/\w+$'
        host: 'web-\d+'
    - receiver: dot
      match_re:
        msg: 'a.b'
    - receiver: case
      matchers: ['svc=~"(?i)checkout"']
    - receiver: alt-empty
      matchers: ['zone=~"|eu-.*"', 'tier="1"']
    - receiver: unicode
      matchers: ['city="Zürich"']
    - receiver: braces
      matchers: ['{name="x,y", other!~"no.*"}']
receivers:
  - name: root
  - name: neg-eq
  - name: neg-re
  - name: empty-eq
  - name: digits
  - name: digits-5xx
  - name: digits-4xx-5xx
  - name: anchors
  - name: dot
  - name: case
  - name: alt-empty
  - name: unicode
  - name: braces
"""

# Known disagreements, reduced to the smallest config and label set (see the report).

slow = pytest.mark.slow


def _subjects() -> list[Any]:
    """Every routing tree under test: (id, marks). The richest trees run by default."""
    quick = {"fixture:conf.good", "fixture:conf.routing", "scenario:shop", "synthetic:traps"}
    ids = [f"fixture:{name}" for name in ACCEPTED_FIXTURES]
    ids += [f"scenario:{p.name.removesuffix('-routing.yaml')}" for p in SCENARIO_ROUTING]
    ids.append("synthetic:traps")
    return [pytest.param(i, id=i, marks=() if i in quick else slow) for i in ids]


SUBJECTS = _subjects()


@dataclass
class Subject:
    """One routing tree, the files each tool reads, the label sets and amtool's answers."""

    id: str
    amtool_config: Path  # what amtool reads
    drillsim_config: Path  # what drillsim reads (the Routing document for scenarios)
    route: dict[str, Any]  # the raw route: mapping, for the generator
    cases: list[LabelCase]
    _expected: list[str] | None = field(default=None, repr=False)

    def routing(self) -> Routing:
        """drillsim's model, loaded the way ``drillsim routes`` loads this file."""
        doc, _issues = load_document(self.drillsim_config, expect="Routing")
        if doc is not None:
            return doc.model
        return load_alertmanager(self.drillsim_config).routing

    def tree(self) -> RouteNode:
        return build_route_tree(self.routing().route)

    def expected(self, amtool: Amtool) -> list[str]:
        """amtool's receivers for every case (computed once)."""
        if self._expected is None:
            labels = [case.labels for case in self.cases]
            self._expected = amtool.routes_test_many(self.amtool_config, labels)
        return self._expected


def amtool_config_from_routing(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A drillsim ``kind: Routing`` document as an Alertmanager config amtool can read.

    Same ``route:`` tree; receivers keep only their names (``escalation_policy`` is
    drillsim's); ``kind``, ``version`` and ``send_resolved`` are dropped.
    """
    return {
        "route": doc["route"],
        "receivers": [{"name": receiver["name"]} for receiver in doc["receivers"]],
    }


def seed_for(subject_id: str) -> int:
    return BASE_SEED + zlib.crc32(subject_id.encode())


@pytest.fixture(scope="session")
def subjects(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Subject]:
    """``subjects(id)``: the prepared :class:`Subject`, built once per session."""
    cache: dict[str, Subject] = {}
    folder = tmp_path_factory.mktemp("amtool-configs")

    def prepare(subject_id: str) -> Subject:
        if subject_id in cache:
            return cache[subject_id]
        kind, name = subject_id.split(":", 1)
        if kind == "fixture":
            shared: Path = request.getfixturevalue("shared_fixtures")
            amtool_config = drillsim_config = shared / ACCEPTED_FIXTURES[name]
            raw = yaml.safe_load(amtool_config.read_text(encoding="utf-8"))
        elif kind == "scenario":
            drillsim_config = REPO / "scenarios" / "alerting" / f"{name}-routing.yaml"
            raw = amtool_config_from_routing(yaml.safe_load(drillsim_config.read_text()))
            amtool_config = folder / f"{name}-alertmanager.yml"
            amtool_config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        else:
            amtool_config = drillsim_config = folder / f"{name}.yml"
            amtool_config.write_text(SYNTHETIC_TRAPS, encoding="utf-8")
            raw = yaml.safe_load(SYNTHETIC_TRAPS)
        cases = generate_label_sets(raw["route"], LABEL_SETS_PER_TREE, seed_for(subject_id))
        cache[subject_id] = Subject(subject_id, amtool_config, drillsim_config, raw["route"], cases)
        return cache[subject_id]

    return prepare


# --- reporting -------------------------------------------------------------------------


def shrink(labels: Mapping[str, str], disagrees: Callable[[dict[str, str]], bool]) -> dict:
    """Drop labels one at a time while the tools still disagree; a 1-minimal label set."""
    current = dict(labels)
    changed = True
    while changed:
        changed = False
        for name in list(current):
            trial = {k: v for k, v in current.items() if k != name}
            if disagrees(trial):
                current, changed = trial, True
    return current


def disagreement_report(
    subject: Subject,
    got: list[str],
    expected: list[str],
    single: Callable[[dict[str, str]], str],
    amtool: Amtool,
) -> str:
    """Empty when ``got == expected``; else the count, a few examples and a shrunk one."""
    bad = [
        (case, want, have)
        for case, want, have in zip(subject.cases, expected, got, strict=True)
        if want != have
    ]
    if not bad:
        return ""
    lines = [f"{len(bad)} of {len(expected)} label sets disagree on {subject.id}:"]
    for case, want, have in bad[:5]:
        lines.append(f"  [{case.kind}] {case.labels!r}: amtool {want!r}, drillsim {have!r}")
    first = bad[0][0].labels
    small = shrink(first, lambda ls: amtool.routes_test(subject.amtool_config, ls) != single(ls))
    lines.append(
        f"smallest: {small!r}: amtool {amtool.routes_test(subject.amtool_config, small)!r}, "
        f"drillsim {single(small)!r} (amtool args: {amtool_label_args(small)})"
    )
    return "\n".join(lines)


# --- the harness itself ----------------------------------------------------------------


def test_missing_amtool_is_a_skip_locally_and_a_failure_under_ci(
    amtool_locator: Callable[[], Amtool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AMTOOL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no amtool anywhere
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="amtool not found"):
        amtool_locator()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"amtool not found.*CI"):
        amtool_locator()


def test_amtool_accepts_exactly_the_fixtures_the_readme_says(
    amtool: Amtool, shared_fixtures: Path
) -> None:
    for rel in ACCEPTED_FIXTURES.values():
        done = amtool.check_config(shared_fixtures / rel)
        assert done.returncode == 0, (rel, done.stdout.decode(), done.stderr.decode())
    if not amtool.version.startswith("0.25."):
        pytest.skip(f"amtool {amtool.version}: the rejections are those of 0.25")
    for rel in REJECTED_FIXTURES.values():
        assert amtool.check_config(shared_fixtures / rel).returncode != 0, rel


def test_label_values_reach_amtool_unchanged(amtool: Amtool, tmp_path: Path) -> None:
    """Quotes, backslashes, newlines, spaces, commas, braces and non-ASCII survive argv."""
    values = [
        'x"y', "a\\b", "l1\nl2", " sp ", "tab\tx", "Zürich", "~t", "=e", "", "end\\",
        '"q"', "a,b", "{x}", "\\n", "日本", "\n",
    ]  # fmt: skip
    config = {
        "route": {
            "receiver": "root",
            "routes": [{"receiver": f"r{i}", "match": {"v": v}} for i, v in enumerate(values)],
        },
        "receivers": [{"name": "root"}] + [{"name": f"r{i}"} for i in range(len(values))],
    }
    path = tmp_path / "values.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    got = amtool.routes_test_many(path, [{"v": v} for v in values])
    assert got == [f"r{i}" for i in range(len(values))]


def test_generator_is_seeded_and_reproducible() -> None:
    route = yaml.safe_load(SYNTHETIC_TRAPS)["route"]
    first = generate_label_sets(route, 400, seed=7)
    assert first == generate_label_sets(route, 400, seed=7)
    assert first != generate_label_sets(route, 400, seed=8)
    assert len({case.key() for case in first}) == 400


def test_harvest_reads_match_match_re_and_matchers() -> None:
    specs = harvest_routes(yaml.safe_load(SYNTHETIC_TRAPS)["route"])
    ops = Counter(m.op for spec in specs for m in spec.matchers)
    assert ops == {"=": 6, "=~": 9, "!=": 1, "!~": 2}
    assert parse_matcher_strings(['{name="x,y", other!~"no.*"}', "alertname = Watchdog"]) == [
        *parse_matcher_strings(['name="x,y"', 'other!~"no.*"']),
        *parse_matcher_strings(["alertname=Watchdog"]),
    ]
    draws = Draws(np.random.default_rng(0))
    assert set(regex_samples("^(foo1|foo2|baz)$", draws)) == {"foo1", "foo2", "baz"}
    assert set(regex_samples("[12]", draws)) == {"1", "2"}


# --- coverage of the generated label sets ----------------------------------------------


def _entered(path: list[RouteNode], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for node in path for m in node.matchers)


def _paths(root: RouteNode) -> list[list[RouteNode]]:
    out: list[list[RouteNode]] = []

    def visit(node: RouteNode, above: list[RouteNode]) -> None:
        out.append([*above, node])
        for child in node.routes:
            visit(child, [*above, node])

    visit(root, [])
    return out


@pytest.mark.parametrize("subject_id", SUBJECTS)
def test_label_sets_cover_the_tree(subjects: Callable[[str], Subject], subject_id: str) -> None:
    """The generated sets reach every route and both sides of every matcher."""
    subject = subjects(subject_id)
    assert len({case.key() for case in subject.cases}) >= LABEL_SETS_PER_TREE
    root = subject.tree()
    label_sets = [case.labels for case in subject.cases]
    results = [match_routes(root, labels) for labels in label_sets]
    reached = {id(node) for nodes in results for node in nodes}
    problems = []
    for path in _paths(root)[1:]:
        node, parents = path[-1], path[:-1]
        if not any(_entered(path, labels) for labels in label_sets):
            problems.append(f"route {node.id} never entered")
        if not node.routes and id(node) not in reached:
            problems.append(f"leaf route {node.id} never chosen")
        for m in node.matchers:
            inside = [ls for ls in label_sets if _entered(parents, ls)]
            if not any(m.matches(ls) for ls in inside):
                problems.append(f"{node.id}: {m} never satisfied")
            if not any(not m.matches(ls) for ls in inside):
                problems.append(f"{node.id}: {m} never violated")
    assert not problems, "\n".join(problems)

    kinds = Counter(case.kind for case in subject.cases)
    ops = {m.op for path in _paths(root) for m in path[-1].matchers}
    wanted = {"noise", "random"}
    if root.routes:
        wanted |= {"hit", "missing"}
    if "=" in ops:
        wanted.add("miss:eq")
    if "=~" in ops:
        wanted |= {"miss:re-substring", "miss:re-newline", "miss:re-space"}
    regexes = [m.value for path in _paths(root) for m in path[-1].matchers if m.is_regex]
    if any("\\d" in r for r in regexes):
        wanted.add("miss:re-unicode-digit")
    if any("\\w" in r for r in regexes):
        wanted.add("miss:re-unicode-word")
    if ops & {"!=", "!~"}:
        wanted.add("miss:neg")
    if any(node.continue_ for path in _paths(root) for node in path):
        wanted.add("fanout")
        assert any(len(nodes) > 1 for nodes in results), "no label set fans out"
    assert wanted <= set(kinds), f"missing kinds {wanted - set(kinds)}; drew {kinds}"
    assert sum(any(name.startswith("n_") for name in ls) for ls in label_sets) > 100


# --- the differential tests ------------------------------------------------------------


@pytest.mark.parametrize("subject_id", SUBJECTS)
def test_receivers_for_matches_amtool(
    subjects: Callable[[str], Subject], subject_id: str, amtool: Amtool
) -> None:
    subject = subjects(subject_id)
    expected = subject.expected(amtool)
    trees = {"drillsim": subject.tree()}
    if subject_id.startswith("scenario:"):  # the converted file must route alike too
        trees["converted"] = build_route_tree(
            load_alertmanager(subject.amtool_config).routing.route
        )
    for label, root in trees.items():

        def single(labels: dict[str, str], root: RouteNode = root) -> str:
            return ",".join(receivers_for(root, labels))

        got = [single(case.labels) for case in subject.cases]
        report = disagreement_report(subject, got, expected, single, amtool)
        assert not report, f"({label} tree)\n{report}"


def _cli_batch(
    cli: DrillsimCli, config: Path, label_sets: list[dict[str, str]], *, subprocess: bool = False
) -> list[str]:
    """``drillsim routes test --config F --batch -`` with one JSON object per line."""
    stdin = "".join(json.dumps(labels) + "\n" for labels in label_sets).encode()
    run = cli.run if subprocess else cli.invoke
    done = run("routes", "test", "--config", str(config), "--batch", "-", stdin=stdin)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode()
    assert out.endswith("\n"), out[-200:]
    return out[:-1].split("\n")


@pytest.mark.parametrize("subject_id", SUBJECTS)
def test_cli_batch_matches_amtool(
    subjects: Callable[[str], Subject], subject_id: str, amtool: Amtool, drillsim_cli: DrillsimCli
) -> None:
    subject = subjects(subject_id)
    expected = subject.expected(amtool)
    got = _cli_batch(drillsim_cli, subject.drillsim_config, [c.labels for c in subject.cases])
    assert len(got) == len(subject.cases)

    def single(labels: dict[str, str]) -> str:
        return _cli_batch(drillsim_cli, subject.drillsim_config, [labels])[0]

    report = disagreement_report(subject, got, expected, single, amtool)
    assert not report, report


@pytest.mark.parametrize("subject_id", [p.values[0] for p in SUBJECTS])
def test_routes_show_matches_amtool_byte_for_byte(
    subjects: Callable[[str], Subject], subject_id: str, amtool: Amtool, drillsim_cli: DrillsimCli
) -> None:
    subject = subjects(subject_id)
    want = amtool.routes_show(subject.amtool_config)
    done = drillsim_cli.invoke("routes", "show", "--config", str(subject.drillsim_config))
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout == want, f"amtool:\n{want.decode()}\ndrillsim:\n{done.stdout.decode()}"


def test_routes_show_names_a_matcherless_child_default_route(
    amtool: Amtool, drillsim_cli: DrillsimCli, tmp_path: Path
) -> None:
    """amtool calls every route without matchers 'default-route', not only the root."""
    config = tmp_path / "matcherless.yml"
    config.write_text(
        "route:\n  receiver: a\n  routes:\n    - receiver: b\n"
        "receivers:\n  - name: a\n  - name: b\n"
    )
    want = amtool.routes_show(config)
    assert "└── default-route  receiver: b" in want.decode()
    done = drillsim_cli.invoke("routes", "show", "--config", str(config))
    assert done.stdout == want, f"amtool:\n{want.decode()}\ndrillsim:\n{done.stdout.decode()}"


# --- scale ----------------------------------------------------------------------------


@slow
def test_batch_of_100k_label_sets(
    shared_fixtures: Path, amtool: Amtool, drillsim_cli: DrillsimCli
) -> None:
    """``--batch`` gets through 100,000 label sets: one output line each, all consistent."""
    config = shared_fixtures / ACCEPTED_FIXTURES["conf.good"]
    route = yaml.safe_load(config.read_text())["route"]
    cases = generate_label_sets(route, BIG_BATCH, seed=BASE_SEED, distinct=False)
    label_sets = [case.labels for case in cases]
    got = _cli_batch(drillsim_cli, config, label_sets, subprocess=True)
    assert len(got) == BIG_BATCH
    root = build_route_tree(load_alertmanager(config).routing.route)
    assert got == [",".join(receivers_for(root, labels)) for labels in label_sets]
    sample = range(0, BIG_BATCH, BIG_BATCH // 40)  # and a spot check against amtool
    assert [got[i] for i in sample] == amtool.routes_test_many(
        config, [label_sets[i] for i in sample]
    )
