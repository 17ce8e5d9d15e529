"""Sweep paths: parsing, printing, and resolving against parsed documents."""

from __future__ import annotations

from typing import Any

import pytest

from drillsim.spec.docpath import (
    PathNotFoundError,
    PathSyntaxError,
    Select,
    assign,
    format_path,
    parse_path,
    resolve,
)

DATA: dict[str, Any] = {
    "route": {"group_wait": "30s", "labels": {"app.kubernetes.io/name": "x"}},
    "escalation_policies": [
        {"name": "storefront", "rules": [{"delay": "10m"}, {"delay": "15m"}]},
        {"name": "payments", "rules": [{"delay": "5m"}]},
    ],
}


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("route.group_wait", ("route", "group_wait")),
        (
            "escalation_policies[name=payments].rules[0].delay",
            ("escalation_policies", Select("name", "payments"), "rules", 0, "delay"),
        ),
        ("faults[name='db crash'].at", ("faults", Select("name", "db crash"), "at")),
        ('route.labels."app.kubernetes.io/name"', ("route", "labels", "app.kubernetes.io/name")),
        ("services[2]", ("services", 2)),
    ],
)
def test_paths_parse_into_steps(text: str, steps: tuple[Any, ...]) -> None:
    """Keys, indices, [key=value] selections and quoted keys each become one step."""
    assert parse_path(text) == steps


def test_format_round_trips() -> None:
    """Printing a parsed path gives text that parses to the same steps."""
    for text in ("route.group_wait", "a[name=x].b[0].c", 'r.labels."a.b"'):
        assert parse_path(format_path(parse_path(text))) == parse_path(text)
    assert format_path(parse_path("a[name=x].b[0]")) == "a[name=x].b[0]"


@pytest.mark.parametrize("text", ["", ".route", "route..group_wait", "a[x]", "a[0]b", "a b"])
def test_bad_syntax_is_refused(text: str) -> None:
    """Anything but keys, [N] and [key=value] is a syntax error."""
    with pytest.raises(PathSyntaxError):
        parse_path(text)


def test_resolve_finds_items_by_id_and_index() -> None:
    """A selection becomes the index of the one item with that id."""
    steps = parse_path("escalation_policies[name=payments].rules[0].delay")
    assert resolve(DATA, steps) == ("escalation_policies", 1, "rules", 0, "delay")


def test_the_last_key_may_be_absent() -> None:
    """An optional key the document leaves at its default can still be set."""
    assert resolve(DATA, parse_path("route.group_interval")) == ("route", "group_interval")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "escalation_policies[name=nope].rules",
            "escalation_policies has no item with name='nope'",
        ),
        ("escalation_policies[name=payments].rules[3]", "has 1 items, no [3]"),
        (
            "routes.group_wait",
            "the document has no key 'routes'",
        ),
        ("route.group_wait.x", "route.group_wait is a value ('30s'), not a mapping with 'x'"),
        ("route[0]", "route is a mapping, not a list"),
    ],
)
def test_paths_that_address_nothing_say_why(text: str, message: str) -> None:
    """A missing step names where it stopped and what was there."""
    with pytest.raises(PathNotFoundError) as err:
        resolve(DATA, parse_path(text))
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "escalation_policies[name=paymnts].rules",
            "names in escalation_policies: storefront, payments (did you mean 'payments'?)",
        ),
        (
            "routes.group_wait",
            "keys of the document: route, escalation_policies (did you mean 'route'?)",
        ),
        (
            "escalation_policies[name=payments].rules[3]",
            "pick an item of escalation_policies[name=payments].rules with [0]",
        ),
        (
            "escalation_policies.rules",
            "pick an item of escalation_policies with [0]..[1], or [name=...] with one of: "
            "storefront, payments",
        ),
        ("route.group_wait.x", "route.group_wait is a single value: end the path at"),
        ("route[0]", "keys of route: "),
        (
            "escalation_policies[id=payments].rules",
            "no item of escalation_policies has 'id'; keys its items have: name, rules",
        ),
    ],
)
def test_paths_that_address_nothing_hint_what_is_there(text: str, hint: str) -> None:
    """Every miss carries a hint: the keys, indices or names where the path stopped,
    with the nearest one (the message alone used to list them, and without a hint)."""
    with pytest.raises(PathNotFoundError) as err:
        resolve(DATA, parse_path(text))
    assert hint in err.value.hint


def test_assign_sets_in_place() -> None:
    """Assigning at a resolved path changes exactly that value."""
    data = {"a": [{"b": 1}, {"b": 2}]}
    assign(data, ("a", 1, "b"), 5)
    assert data == {"a": [{"b": 1}, {"b": 5}]}
