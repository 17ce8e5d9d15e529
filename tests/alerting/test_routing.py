"""The routing tree against Alertmanager's dispatch/route_test.go and amtool's routing tests."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from drillsim.alerting.routing import (
    DEFAULT_GROUP_INTERVAL_S,
    DEFAULT_GROUP_WAIT_S,
    DEFAULT_REPEAT_INTERVAL_S,
    RouteError,
    RouteNode,
    build_route_tree,
    group_key,
    group_labels,
    match_routes,
    receivers_for,
    walk_routes,
)
from drillsim.spec.alerting import Route


def tree(doc: dict[str, Any]) -> RouteNode:
    """Compile a routing tree written as the YAML would parse."""
    return build_route_tree(Route.model_validate(doc))


# ../shared/fixtures/prometheus__alertmanager/conf.routing.yml (= alertmanager
# cli/testdata/conf.routing.yml), built by hand.
CONF_ROUTING = {
    "receiver": "default",
    "routes": [
        {"match_re": {"test": "^[12]$"}, "receiver": "test1", "continue": True},
        {"match": {"test": "2"}, "receiver": "test2"},
    ],
}
# alertmanager cli/testdata/conf.routing-reverted.yml
CONF_ROUTING_REVERTED = {
    "receiver": "default",
    "routes": [
        {"match": {"test": "2"}, "receiver": "test2", "continue": True},
        {"match_re": {"test": "^[12]$"}, "receiver": "test1", "continue": True},
    ],
}

# The tree of alertmanager dispatch/route_test.go TestRouteMatch / TestRouteWalk.
ROUTE_MATCH_TREE: dict[str, Any] = {
    "receiver": "notify-def",
    "routes": [
        {
            "match": {"owner": "team-A"},
            "receiver": "notify-A",
            "routes": [
                {"match": {"env": "testing"}, "receiver": "notify-testing", "group_by": ["..."]},
                {
                    "match": {"env": "production"},
                    "receiver": "notify-productionA",
                    "group_wait": "1m",
                    "continue": True,
                },
                {
                    "match_re": {"env": "produ.*", "job": ".*"},
                    "receiver": "notify-productionB",
                    "group_wait": "30s",
                    "group_interval": "5m",
                    "repeat_interval": "1h",
                    "group_by": ["job"],
                },
            ],
        },
        {
            "match_re": {"owner": "team-(B|C)"},
            "group_by": ["foo", "bar"],
            "group_wait": "2m",
            "receiver": "notify-BC",
        },
        {
            "match": {"group_by": "role"},
            "group_by": ["role"],
            "routes": [
                {
                    "match": {"env": "testing"},
                    "receiver": "notify-testing",
                    "routes": [{"match": {"wait": "long"}, "group_wait": "2m"}],
                }
            ],
        },
    ],
}


def opts(node: RouteNode) -> tuple[Any, ...]:
    """The resolved options TestRouteMatch compares."""
    return (
        node.receiver,
        set(node.group_by),
        node.group_by_all,
        node.group_wait_s,
        node.group_interval_s,
        node.repeat_interval_s,
    )


DEF = (DEFAULT_GROUP_WAIT_S, DEFAULT_GROUP_INTERVAL_S, DEFAULT_REPEAT_INTERVAL_S)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"test": "1"}, ["test1"]),
        ({"test": "2"}, ["test1", "test2"]),
        ({"test": "volovina"}, ["default"]),
    ],
)
def test_amtool_routing_fan_out(labels: dict[str, str], expected: list[str]) -> None:
    """continue: true fans an alert out to both receivers (cli/test_routing_test.go)."""
    assert receivers_for(tree(CONF_ROUTING), labels) == expected


def test_amtool_routing_reverted_order() -> None:
    """Receivers come in tree order, so swapping the routes swaps the output."""
    assert receivers_for(tree(CONF_ROUTING_REVERTED), {"test": "2"}) == ["test2", "test1"]


def test_repeated_receivers_are_kept() -> None:
    """Like amtool, two matched routes with one receiver list it twice."""
    root = tree(
        {
            "receiver": "default",
            "routes": [
                {"matchers": ["a=1"], "receiver": "x", "continue": True},
                {"matchers": ["b=1"], "receiver": "x"},
            ],
        }
    )
    assert receivers_for(root, {"a": "1", "b": "1"}) == ["x", "x"]


@pytest.mark.parametrize(
    ("labels", "expected", "keys"),
    [
        (
            {"owner": "team-A"},
            [("notify-A", set(), False, *DEF)],
            ['{}/{owner="team-A"}'],
        ),
        (
            {"owner": "team-A", "env": "unset"},
            [("notify-A", set(), False, *DEF)],
            ['{}/{owner="team-A"}'],
        ),
        (
            {"owner": "team-C"},
            [("notify-BC", {"foo", "bar"}, False, 120.0, *DEF[1:])],
            ['{}/{owner=~"^(?:team-(B|C))$"}'],
        ),
        (
            {"owner": "team-A", "env": "testing"},
            [("notify-testing", set(), True, *DEF)],
            ['{}/{owner="team-A"}/{env="testing"}'],
        ),
        (
            {"owner": "team-A", "env": "production"},
            [
                ("notify-productionA", set(), False, 60.0, *DEF[1:]),
                ("notify-productionB", {"job"}, False, 30.0, 300.0, 3600.0),
            ],
            [
                '{}/{owner="team-A"}/{env="production"}',
                '{}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"}',
            ],
        ),
        (
            {"group_by": "role"},
            [("notify-def", {"role"}, False, *DEF)],
            ['{}/{group_by="role"}'],
        ),
        (
            {"env": "testing", "group_by": "role"},
            [("notify-testing", {"role"}, False, *DEF)],
            ['{}/{group_by="role"}/{env="testing"}'],
        ),
        (
            {"env": "testing", "group_by": "role", "wait": "long"},
            [("notify-testing", {"role"}, False, 120.0, *DEF[1:])],
            ['{}/{group_by="role"}/{env="testing"}/{wait="long"}'],
        ),
    ],
)
def test_route_match(labels: dict[str, str], expected: list[Any], keys: list[str]) -> None:
    """TestRouteMatch: matched routes, their resolved options and their keys."""
    matched = match_routes(tree(ROUTE_MATCH_TREE), labels)
    assert [opts(n) for n in matched] == expected
    assert [n.key for n in matched] == keys


def test_route_matchers_keys() -> None:
    """TestRouteMatchers: new-style matchers are sorted into the key, unanchored."""
    root = tree(
        {
            "receiver": "notify-def",
            "routes": [
                {
                    "matchers": ['{owner="team-A"}', '{level!="critical"}'],
                    "receiver": "notify-A",
                    "routes": [
                        {"matchers": ['{env="testing"}', '{baz!~".*quux"}'], "receiver": "t"},
                        {"matchers": ['env=~"produ.*"', 'job=~".*"'], "receiver": "pB"},
                    ],
                },
                {"matchers": ['owner=~"team-(B|C)"'], "receiver": "notify-BC"},
            ],
        }
    )
    key = match_routes(root, {"owner": "team-A"})[0].key
    assert key == '{}/{level!="critical",owner="team-A"}'
    key = match_routes(root, {"owner": "team-A", "env": "testing"})[0].key
    assert key == '{}/{level!="critical",owner="team-A"}/{baz!~".*quux",env="testing"}'
    key = match_routes(root, {"owner": "team-A", "env": "production"})[0].key
    assert key == '{}/{level!="critical",owner="team-A"}/{env=~"produ.*",job=~".*"}'
    assert match_routes(root, {"owner": "team-B"})[0].key == '{}/{owner=~"team-(B|C)"}'


def test_route_walk_order() -> None:
    """TestRouteWalk: depth-first, parents first; inherited receivers resolved."""
    assert [n.receiver for n in walk_routes(tree(ROUTE_MATCH_TREE))] == [
        "notify-def",
        "notify-A",
        "notify-testing",
        "notify-productionA",
        "notify-productionB",
        "notify-BC",
        "notify-def",
        "notify-testing",
        "notify-testing",
    ]


def test_route_ids() -> None:
    """TestRouteID: IDs add the sibling index, so identical siblings stay distinct."""
    same = {"continue": True, "matchers": ["foo=bar"], "routes": [{"matchers": ["bar=baz"]}]}
    root = tree(
        {
            "receiver": "default",
            "routes": [
                {**same, "receiver": "test1"},
                {**same, "receiver": "test1"},
                {**same, "receiver": "test2"},
                {
                    "continue": True,
                    "matchers": ["bar=baz"],
                    "receiver": "test3",
                    "routes": [{"matchers": ["baz=qux"]}, {"matchers": ["qux=corge"]}],
                },
                {"continue": True, "matchers": ['qux=~"[a-zA-Z0-9]+"']},
                {"continue": True, "matchers": ['corge!~"[0-9]+"']},
            ],
        }
    )
    assert sorted(n.id for n in walk_routes(root)) == sorted(
        [
            "{}",
            '{}/{foo="bar"}/0',
            '{}/{foo="bar"}/0/{bar="baz"}/0',
            '{}/{foo="bar"}/1',
            '{}/{foo="bar"}/1/{bar="baz"}/0',
            '{}/{foo="bar"}/2',
            '{}/{foo="bar"}/2/{bar="baz"}/0',
            '{}/{bar="baz"}/3',
            '{}/{bar="baz"}/3/{baz="qux"}/0',
            '{}/{bar="baz"}/3/{qux="corge"}/1',
            '{}/{qux=~"[a-zA-Z0-9]+"}/4',
            '{}/{corge!~"[0-9]+"}/5',
        ]
    )
    assert root.routes[0].key == root.routes[1].key  # keys alone do not identify a route


def test_route_indices_are_dense_post_order() -> None:
    """TestRouteIndices: unique indices 0..n-1, children before parents, root last."""
    root = tree(ROUTE_MATCH_TREE)
    nodes = list(walk_routes(root))
    assert sorted(n.idx for n in nodes) == list(range(len(nodes)))
    assert root.idx == len(nodes) - 1
    for node in nodes:
        assert all(child.idx < node.idx for child in node.routes)


def test_group_by_all_is_inherited_until_overridden() -> None:
    """TestInheritParentGroupByAll: ['...'] passes to children that omit group_by."""
    root = tree(
        {
            "receiver": "r",
            "routes": [
                {
                    "match": {"env": "parent"},
                    "group_by": ["..."],
                    "routes": [
                        {"match": {"env": "child1"}},
                        {"match": {"env": "child2"}, "group_by": ["foo"]},
                    ],
                }
            ],
        }
    )
    parent = root.routes[0]
    child1, child2 = parent.routes
    assert parent.group_by_all and child1.group_by_all
    assert not child2.group_by_all and child2.group_by == ("foo",)


def test_group_by_omitted_inherits_but_explicit_empty_does_not() -> None:
    """Omitted group_by takes the parent's; group_by: [] means one group per route."""
    root = tree(
        {
            "receiver": "r",
            "group_by": ["alertname", "cluster"],
            "routes": [{"matchers": ["a=1"]}, {"matchers": ["a=2"], "group_by": []}],
        }
    )
    inherit, empty = root.routes
    assert inherit.group_by == ("alertname", "cluster")
    assert empty.group_by == () and not empty.group_by_all
    alert = {"alertname": "X", "cluster": "c1", "a": "2"}
    assert group_labels(empty, alert) == {}
    assert group_key(empty, alert) == '{}/{a="2"}:{}'


def test_timers_inherit_resolved_values() -> None:
    """Children inherit their parent's resolved timers, not the root defaults."""
    root = tree(
        {
            "receiver": "r",
            "group_wait": "10s",
            "routes": [
                {
                    "matchers": ["a=1"],
                    "group_interval": "1m",
                    "receiver": "x",
                    "routes": [{"matchers": ["b=1"], "repeat_interval": "1h"}],
                }
            ],
        }
    )
    child = root.routes[0]
    grandchild = child.routes[0]
    assert (root.group_wait_s, root.group_interval_s, root.repeat_interval_s) == (
        10.0,
        DEFAULT_GROUP_INTERVAL_S,
        DEFAULT_REPEAT_INTERVAL_S,
    )
    assert (child.group_wait_s, child.group_interval_s, child.repeat_interval_s) == (
        10.0,
        60.0,
        DEFAULT_REPEAT_INTERVAL_S,
    )
    assert (grandchild.group_wait_s, grandchild.group_interval_s) == (10.0, 60.0)
    assert grandchild.repeat_interval_s == 3600.0
    assert grandchild.receiver == "x"
    assert not grandchild.continue_


def test_unmatched_children_leave_the_alert_to_the_parent() -> None:
    """A matching node with no matching child handles the alert with its own options."""
    root = tree(ROUTE_MATCH_TREE)
    assert match_routes(root, {"owner": "team-A", "env": "staging"}) == [root.routes[0]]
    assert match_routes(root, {}) == [root]
    assert match_routes(root.routes[0], {"owner": "team-Z"}) == []


def test_group_key_format() -> None:
    """Group keys are '{route key}:{group labels}' with labels sorted and Go-quoted."""
    root = tree({"receiver": "r", "group_by": ["alertname"]})
    assert group_key(root, {"alertname": "InstanceDown", "x": "1"}) == (
        '{}:{alertname="InstanceDown"}'
    )
    crit = tree(
        {
            "receiver": "r",
            "routes": [{"matchers": ['severity="critical"'], "group_by": ["cluster", "alertname"]}],
        }
    ).routes[0]
    alert = {"alertname": "X", "cluster": "a", "severity": "critical"}
    assert group_key(crit, alert) == '{}/{severity="critical"}:{alertname="X", cluster="a"}'


def test_group_labels_skip_missing_and_dots_take_all() -> None:
    """Absent group_by labels are just absent; ['...'] keeps every label."""
    root = tree({"receiver": "r", "group_by": ["alertname", "cluster"]})
    assert group_labels(root, {"alertname": "X", "job": "j"}) == {"alertname": "X"}
    every = tree({"receiver": "r", "group_by": ["..."]})
    alert = {"alertname": "X", "job": "j"}
    assert group_labels(every, alert) == alert
    assert group_key(every, alert) == '{}:{alertname="X", job="j"}'


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"receiver": "r", "group_by": ["...", "a"]}, "wildcard group_by"),
        ({"receiver": "r", "group_by": ["a", "a"]}, "duplicated label 'a'"),
        ({"group_by": ["a"]}, "root route needs a receiver"),
        (
            {"receiver": "r", "routes": [{"routes": [{"matchers": ["ok=1", "foo"]}]}]},
            "routes[0].routes[0].matchers[1]: cannot parse matcher 'foo'",
        ),
        ({"receiver": "r", "routes": [{"match_re": {"a": "(x"}}]}, "routes[0].match_re: invalid"),
    ],
)
def test_trees_alertmanager_refuses(doc: dict[str, Any], message: str) -> None:
    """Invalid trees raise RouteError saying where and what."""
    with pytest.raises(RouteError) as err:
        tree(doc)
    assert message in str(err.value)


def test_route_error_location() -> None:
    """RouteError.loc is a pydantic-style path the loader can map to a line."""
    with pytest.raises(RouteError) as err:
        tree({"receiver": "r", "routes": [{}, {"matchers": ["bad"]}]})
    assert err.value.loc == ("routes", 1, "matchers", 0)


def test_nodes_hash_by_identity() -> None:
    """Two routes with equal settings are distinct nodes (their groups are separate)."""
    root = tree({"receiver": "r", "routes": [{"matchers": ["a=1"]}, {"matchers": ["a=1"]}]})
    first, second = root.routes
    assert first != second
    assert len({first, second}) == 2


def test_tree_pickles_and_still_matches() -> None:
    """A compiled tree survives pickling for worker processes."""
    root = pickle.loads(pickle.dumps(tree(ROUTE_MATCH_TREE)))
    assert receivers_for(root, {"owner": "team-A", "env": "production"}) == [
        "notify-productionA",
        "notify-productionB",
    ]
