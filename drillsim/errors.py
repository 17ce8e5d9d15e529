"""The one exception hierarchy of drillsim, and the located problem it reports.

Every error a user can cause derives from :class:`DrillsimError`, so the CLI converts
them in one place. Input problems are collected as :class:`Issue` values, all of them,
before a :class:`ConfigError` is raised: a user fixes a file once, not once per problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    """One problem found in an input document, located as precisely as it can be.

    Ordering is (file, line, col, path, message), which is the order they are printed in.
    """

    file: str
    line: int = 0
    col: int = 0
    path: str = ""
    message: str = ""
    hint: str = field(default="", compare=False)
    severity: str = field(default="error", compare=False)

    def render(self) -> str:
        """Render as ``file:line:col: path: problem`` plus an indented hint line."""
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col}"
        head = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        if self.severity != "error":
            head = (
                f"{where}: {self.severity}: {self.path + ': ' if self.path else ''}{self.message}"
            )
        return head + (f"\n    {self.hint}" if self.hint else "")


class DrillsimError(Exception):
    """Root of every error drillsim raises on purpose (bad input, unmet thresholds)."""


class ConfigError(DrillsimError):
    """Raised when input documents are invalid; carries every problem found, sorted."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues)
        super().__init__(self.render())

    def render(self, limit: int = 50) -> str:
        """All issues, one per line (with hints), then a count line."""
        shown = [i.render() for i in self.issues[:limit]]
        if len(self.issues) > limit:
            shown.append(f"... and {len(self.issues) - limit} more")
        files = sorted({i.file for i in self.issues})
        n = len(self.issues)
        shown.append(f"{n} error{'s' if n != 1 else ''} in {', '.join(files)}")
        return "\n".join(shown)


class SimulationError(DrillsimError):
    """Raised when a valid scenario cannot be simulated (e.g. a schedule with nobody on it)."""


class ThresholdNotMetError(DrillsimError):
    """Raised when a drill scores below the user's ``--fail-under`` threshold."""
