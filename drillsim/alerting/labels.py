"""Label-set identity and rendering, bit-for-bit as Prometheus and Alertmanager do it.

Alertmanager keys its alert store, aggregation groups and notification log by label-set
fingerprints, and prints label sets into group keys. drillsim reproduces both exactly so
that its event log can be compared with a real Alertmanager's output line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "FNV_OFFSET64",
    "FNV_PRIME64",
    "fingerprint",
    "fingerprint_int",
    "fingerprints",
    "format_labels",
    "go_quote",
]

FNV_OFFSET64 = 14695981039346656037
"""FNV-1a 64-bit offset basis: also the fingerprint of the empty label set."""

FNV_PRIME64 = 1099511628211
"""FNV-1a 64-bit prime."""

_MASK64 = (1 << 64) - 1
_SEPARATOR = 0xFF  # model.SeparatorByte: never valid inside UTF-8, so names can't run together


def _signature_bytes(labels: Mapping[str, str]) -> bytearray:
    """The byte string Prometheus hashes: sorted ``name 0xff value 0xff`` pairs.

    Python orders ``str`` by code point, which is the same order as Go's byte-wise
    comparison of the UTF-8 encodings, so ``sorted`` matches ``sort.Strings``.
    """
    buf = bytearray()
    for name in sorted(labels):
        buf += name.encode()
        buf.append(_SEPARATOR)
        buf += labels[name].encode()
        buf.append(_SEPARATOR)
    return buf


def fingerprint_int(labels: Mapping[str, str]) -> int:
    """Prometheus ``LabelSet.Fingerprint()`` as an unsigned 64-bit integer.

    FNV-1a over the label names and values sorted by name, each followed by the
    separator byte 0xff (``model/signature.go`` ``labelSetToFingerprint``). The integer
    form is the cheaper one to keep in sets and dict keys.

    Args:
        labels: the alert's label set.

    Returns:
        The fingerprint, ``0 <= fp < 2**64``.
    """
    h = FNV_OFFSET64
    for byte in _signature_bytes(labels):
        h = ((h ^ byte) * FNV_PRIME64) & _MASK64
    return h


def fingerprint(labels: Mapping[str, str]) -> str:
    """Prometheus ``LabelSet.Fingerprint().String()``: 16 lowercase hex digits.

    This is the alert identity Alertmanager shows in its API and logs, so drillsim
    uses the same string wherever an alert is named in output.

    Args:
        labels: the alert's label set.

    Returns:
        The fingerprint rendered with ``%016x``.
    """
    return f"{fingerprint_int(labels):016x}"


def fingerprints(label_sets: Iterable[Mapping[str, str]]) -> npt.NDArray[np.uint64]:
    """Fingerprints of many label sets at once, vectorised over the batch.

    FNV-1a is strictly sequential within one label set, so the pure-Python
    :func:`fingerprint_int` costs a few tens of microseconds per alert. An alert storm
    of a million alerts hashes them column by column instead: every label set is laid
    out as a row of bytes and one numpy step advances all rows by one byte, relying on
    uint64 arithmetic wrapping modulo 2**64 exactly as Go's does.

    Args:
        label_sets: the label sets, in any iterable.

    Returns:
        A ``uint64`` array, element ``i`` equal to ``fingerprint_int(label_sets[i])``.
    """
    import numpy as np

    rows = [bytes(_signature_bytes(ls)) for ls in label_sets]
    out = np.full(len(rows), FNV_OFFSET64, dtype=np.uint64)
    if not rows:
        return out
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    width = int(lengths.max())
    if width == 0:
        return out
    # Process in chunks so the padded byte matrix stays small for huge storms.
    chunk = max(1, (1 << 24) // width)
    prime = np.uint64(FNV_PRIME64)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        part_len = lengths[start : start + chunk]
        flat = np.frombuffer(b"".join(part), dtype=np.uint8)
        offsets = np.zeros(len(part), dtype=np.int64)
        np.cumsum(part_len[:-1], out=offsets[1:])
        h = out[start : start + len(part)].copy()
        # Rows sorted by length: at column c only the rows longer than c are still live,
        # and they form a suffix of the sorted order, so no masking is needed.
        order = np.argsort(part_len, kind="stable")
        sorted_len = part_len[order]
        sorted_off = offsets[order]
        hs = h[order]
        first_live = 0
        for col in range(int(sorted_len[-1])):
            while first_live < len(order) and sorted_len[first_live] <= col:
                first_live += 1
            live = slice(first_live, None)
            column = flat[sorted_off[live] + col].astype(np.uint64)
            hs[live] = (hs[live] ^ column) * prime
        h[order] = hs
        out[start : start + len(part)] = h
    return out


_GO_SIMPLE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def _go_escape_char(ch: str) -> str:
    """One character as Go's ``strconv.Quote`` writes it."""
    simple = _GO_SIMPLE_ESCAPES.get(ch)
    if simple is not None:
        return simple
    # Go's unicode.IsPrint (L, M, N, P, S and ASCII space) is the same category set
    # as Python's str.isprintable().
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``: a double-quoted string with Go escapes.

    Alertmanager renders label values with it (``LabelSet.String``), and group keys
    embed that rendering, so the escaping must match Go's exactly.

    Args:
        text: any string.

    Returns:
        ``text`` in double quotes, with backslash, quote and non-printable characters
        escaped (``\\n``, ``\\x01``, ``\\u00a0`` ...); printable Unicode is kept.
    """
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return '"' + "".join(_go_escape_char(ch) for ch in text) + '"'


def format_labels(labels: Mapping[str, str]) -> str:
    """Alertmanager's ``LabelSet.String()``: ``{a="1", b="2"}``, sorted by name.

    Group keys are ``{route key}:{group labels}`` with the group labels in this form,
    so it is part of every notification's identity.

    Args:
        labels: a label set (possibly empty, rendered ``{}``).

    Returns:
        The label set with names in byte order and values Go-quoted, joined by ``", "``.
    """
    return "{" + ", ".join(f"{name}={go_quote(labels[name])}" for name in sorted(labels)) + "}"
