"""The ``drillsim`` command group and the one place errors become exit codes.

Commands register on :data:`cli` by importing it from here, not from
:mod:`drillsim.cli.main`: that module is also run as a script (``python -m
drillsim.cli.main``), and a script must not be imported before it runs (``runpy`` warns,
and its own copy of the group would have no commands).

Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 a ``--fail-under`` threshold not met,
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from drillsim import __version__
from drillsim.errors import ConfigError, DrillsimError, ThresholdNotMetError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DrillsimGroup(click.Group):
    """A click group that turns DrillsimError into a clean message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThresholdNotMetError as exc:
            click.echo(str(exc), err=True)
            sys.exit(3)
        except ConfigError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(1)
        except DrillsimError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            # Ctrl-C anywhere (loading, a run, a comparison) is the shell's 130, as for a
            # sweep stopped mid-way, and no traceback: results are written atomically, so
            # nothing half-written is left behind.
            click.echo("interrupted", err=True)
            sys.exit(130)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the command line; Ctrl-C here exits 130 too (click would say
        "Aborted!" and exit 1)."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=DrillsimGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="drillsim")
def cli() -> None:
    """Simulated incident-response fire drills.

    A drill runs a failure scenario over a modelled service topology, sends the alert
    storm through routing and grouping, pages responders through escalation policies and
    on-call rotations, and scores the response.

    \b
    Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 score below --fail-under, 130 interrupted.
    """
