"""Entry points of the ``drillsim`` command: the console script, ``python -m drillsim``
and ``python -m drillsim.cli.main``.

The group itself lives in :mod:`drillsim.cli.group`; ``cli`` is re-exported here because
``from drillsim.cli.main import cli`` is how tests and scripts reach the whole CLI.
"""

from __future__ import annotations

from drillsim.cli.group import cli

__all__ = ["cli", "main"]


def main() -> None:
    """Run the CLI and exit with its code (click's standalone mode calls ``sys.exit``).
    The console script and ``python -m drillsim`` go through :mod:`drillsim.__main__`,
    which imports this inside its Ctrl-C guard."""
    cli(prog_name="drillsim")


if __name__ == "__main__":
    # Without this, ``python -m drillsim.cli.main run ...`` imported the module and exited
    # 0 having done nothing.
    main()
