"""``python -m drillsim ...``: the ``drillsim`` command, for when the console script is not
on PATH (a bare virtualenv, ``PYTHONPATH`` on a checkout)."""

from drillsim.cli.main import main

if __name__ == "__main__":
    main()
