"""A routing tree as text, in the shape ``amtool config routes`` prints it."""

from __future__ import annotations

from collections.abc import Iterator

from drillsim.alerting.matchers import matchers_string
from drillsim.alerting.routing import RouteNode


def _slug(node: RouteNode, root: bool) -> str:
    # amtool names every route without matchers "default-route", not only the root.
    slug = "default-route" if root or not node.matchers else matchers_string(node.matchers)
    if node.continue_:
        slug += "  continue: true"
    return f"{slug}  receiver: {node.receiver}"


def tree_lines(root: RouteNode) -> Iterator[str]:
    """``.`` then one line per route, drawn with box characters, children indented."""
    yield "."

    def walk(node: RouteNode, prefix: str, last: bool, is_root: bool) -> Iterator[str]:
        yield f"{prefix}{'└── ' if last else '├── '}{_slug(node, is_root)}"
        deeper = prefix + ("    " if last else "│\u00a0\u00a0 ")  # amtool pads with NBSPs
        for i, child in enumerate(node.routes):
            yield from walk(child, deeper, i == len(node.routes) - 1, False)

    yield from walk(root, "", True, True)
