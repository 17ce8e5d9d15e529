"""The ``drillsim`` command line: a thin shell over the library."""
