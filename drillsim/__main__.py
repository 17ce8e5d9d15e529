"""The ``drillsim`` console script and ``python -m drillsim``.

Kept apart from :mod:`drillsim.cli` on purpose: importing the command line takes half a
second or more (click, the engine, every command), and a Ctrl-C during that import must
end like any other Ctrl-C, with one line and exit code 130, not a traceback. So this
module imports nothing of drillsim's at load time; :func:`main` does, inside the guard.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import suppress
from typing import NoReturn

#: The shell's exit code for a process stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130


def main() -> None:
    """Run the command line; Ctrl-C at any point, imports included, exits 130."""
    try:
        from drillsim.cli.main import main as run

        run()
    except KeyboardInterrupt:
        _stop_interrupted()
    except RuntimeError as exc:
        # A Ctrl-C while a class is being built (pydantic's models, at import) reaches us
        # wrapped: "Error calling __set_name__ ...", caused by the KeyboardInterrupt.
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _stop_interrupted()
        raise
    except SystemExit as exc:
        if exc.code == INTERRUPTED:
            _ignore_further_interrupts()
        raise


def _stop_interrupted() -> NoReturn:
    """Say so and end now, with 130. Nothing was written (a command that runs handles its
    own Ctrl-C, and exits through SystemExit); and ending through the interpreter's
    shutdown is not safe here: an interrupt that landed inside code some library ran
    through ``PyRun_*`` leaves CPython set to kill itself with SIGINT at exit (-2, not
    130) whatever we raise."""
    _ignore_further_interrupts()
    _say("interrupted")
    with suppress(OSError, ValueError):
        sys.stdout.flush()
    os._exit(INTERRUPTED)


def _ignore_further_interrupts() -> None:
    """The process is ending because of a Ctrl-C: a second one (an impatient user, or
    ``timeout``, which signals the process and then its group) must not interrupt the
    interpreter's shutdown with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _say(message: str) -> None:
    with suppress(OSError):  # stderr closed: the exit code still says it
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


if __name__ == "__main__":
    main()
