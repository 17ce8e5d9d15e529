"""Human durations, percentages and time-of-day strings, parsed to plain numbers.

Pure functions: YAML says ``1h30m``; code works in float seconds (``_s`` suffix).

>>> parse_duration("1h30m")
5400.0
>>> format_duration(5400.0)
'1h30m'
>>> parse_percentage("99.9%")
0.999
"""

from __future__ import annotations

import re

_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION_RE = re.compile(r"^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d|w))+$")
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


def parse_duration(text: str) -> float:
    """Parse ``90s``, ``15m``, ``1h30m``, ``3d``, ``250ms`` or ``0`` into seconds.

    Raises:
        ValueError: the text is not a duration; the message says which forms work.
    """
    s = text.strip()
    if s == "0":
        return 0.0
    if s.startswith("-"):
        raise ValueError(f"duration must not be negative, got {text!r}")
    if not _DURATION_RE.match(s):
        raise ValueError(f"cannot parse {text!r} as a duration")
    return float(sum(float(n) * _UNIT_S[u] for n, u in _PART_RE.findall(s)))


def format_duration(seconds: float) -> str:
    """Format seconds compactly (``1h30m``, ``45s``, ``2d3h``); inverse of parse_duration."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    whole = round(seconds)
    if abs(seconds - whole) > 1e-6 and seconds < 60:
        return f"{seconds:.1f}s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, whole = divmod(whole, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


def parse_percentage(text: str) -> float:
    """Parse ``5%`` or ``99.9%`` into a fraction in [0, 1]."""
    s = text.strip()
    if not s.endswith("%"):
        raise ValueError(f"cannot parse {text!r} as a percentage")
    value = float(s[:-1]) / 100.0
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"percentage must be between 0% and 100%, got {text!r}")
    return value


_CLOCK_RE = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def parse_clock(text: str) -> int:
    """Parse ``HH:MM`` (``24:00`` allowed) into minutes after midnight."""
    m = _CLOCK_RE.match(text.strip())
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise ValueError(f"cannot parse {text!r} as a time of day")
    return int(m.group(1)) * 60 + int(m.group(2))
