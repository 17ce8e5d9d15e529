"""The ``drillsim`` command line: a thin shell over the library.

Importing the package registers every command on the ``cli`` group
(:mod:`drillsim.cli.group`), so ``from drillsim.cli.main import cli`` is the whole CLI.
"""

from drillsim.cli import (  # noqa: F401  (registration)
    commands,
    compare,
    ingest,
    oncall,
    routes,
    sensitivity,
    staffing,
    sweep,
)
