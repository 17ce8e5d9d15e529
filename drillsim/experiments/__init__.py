"""Replications and (later) sweeps and paired comparisons over drills."""
