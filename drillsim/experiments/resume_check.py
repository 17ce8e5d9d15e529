"""What makes a results folder resumable: the same seed, the same arms and the same
input files, except that the experiment's own ``replications:`` may be raised.

The manifest records every input file's sha256. The sweep (or study) file itself also
gets a digest of its parsed content without ``replications:``: editing that one field
to extend a sweep changes the file's bytes but not this digest, so ``--resume`` accepts
it, while any other edit (another arm, another seed, another scenario) is refused, naming
the file that changed. Folders written before this digest existed fall back to the
whole-file checksum.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drillsim.errors import DrillsimError
from drillsim.io.loader import display_name
from drillsim.io.results import sha256_file

#: The manifest key of the digest that leaves ``replications:`` out.
WITHOUT_REPLICATIONS = "sha256_except_replications"


def content_digest(data: Any) -> str:
    """Hex sha256 of a parsed document without its top-level ``replications:``.

    Computed from the parsed data, so comments and layout do not count either: what is
    compared is what the experiment would run.
    """
    if isinstance(data, Mapping):
        data = {k: v for k, v in data.items() if k != "replications"}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def input_checksums(sources: Mapping[str, Path], document: Path, data: Any) -> dict[str, Any]:
    """Every input file by role with its sha256; the experiment ``document`` (parsed as
    ``data``) also with :func:`content_digest`."""
    out: dict[str, Any] = {}
    for role, path in sources.items():
        entry: dict[str, Any] = {"path": str(path), "sha256": sha256_file(path)}
        if path == document:
            entry[WITHOUT_REPLICATIONS] = content_digest(data)
        out[role] = entry
    return out


def check_resumable(old: Mapping[str, Any], new: Mapping[str, Any], target: Path) -> None:
    """Refuse to resume the folder ``target`` (manifest ``old``) with the plan ``new``
    when the seed, the arms or any input other than ``replications:`` differ, or when
    the plan has fewer replications than the folder's.

    Raises:
        DrillsimError: naming what changed (for an input, which file).
    """
    if old.get("seed") != new["seed"]:
        _refuse(target, "the seed changed")
    if old.get("arms") != new["arms"]:
        _refuse(target, "the arms changed")
    recorded = int(old.get("replications", 0))
    if new["replications"] < recorded:
        # Fewer would either delete finished replications or leave rows the plan does
        # not count: neither is a resume.
        raise DrillsimError(
            f"{target}: cannot resume with {new['replications']} replications: this sweep "
            f"already plans {recorded}, and finished ones are never dropped\n"
            f"    ask for {recorded} or more"
        )
    before: Mapping[str, Any] = old.get("inputs", {})
    after: Mapping[str, Any] = new["inputs"]
    for role in sorted(set(before) | set(after), key=lambda r: (r not in after, r)):
        if role not in before:
            _refuse(target, f"the {role} file {_shown(after[role])} is new")
        if role not in after:
            _refuse(target, f"the {role} file {_shown(before[role])} is no longer used")
        if not _same_input(before[role], after[role]):
            _refuse(target, f"the {role} file {_shown(after[role])} changed")


def _same_input(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    if old.get("sha256") == new.get("sha256"):
        return True
    digest = old.get(WITHOUT_REPLICATIONS)
    return digest is not None and digest == new.get(WITHOUT_REPLICATIONS)


def _shown(entry: Mapping[str, Any]) -> str:
    return display_name(Path(str(entry.get("path", "?"))))


def _refuse(target: Path, what: str) -> None:
    raise DrillsimError(
        f"{target}: cannot resume: {what} since this sweep started "
        "(only replications: may change, to extend it)\n"
        "    run it again into another --out"
    )
