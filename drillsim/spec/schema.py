"""JSON Schema of every document kind, for editors (yaml-language-server) and docs."""

from __future__ import annotations

from typing import Any

from drillsim.spec import KINDS


def all_schemas() -> dict[str, dict[str, Any]]:
    """``{kind: JSON Schema}`` for every document kind, in validation mode."""
    out = {}
    for kind, model in KINDS.items():
        doc = model.model_json_schema(by_alias=True)
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["title"] = kind
        out[kind] = doc
    return out
