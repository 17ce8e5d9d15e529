"""Named, seeded random streams: one numpy Generator per component.

A stream is ``default_rng([root, replication, stable_key(name)])``; the key is a fixed
digest, never Python's salted ``hash()``. Adding a component never shifts another's
draws, so two policies compared on one seed face identical faults (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np


def stable_key(name: str) -> int:
    """A 63-bit integer digest of ``name``, the same on every machine and run."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") >> 1


class RandomStreams:
    """Hands out one generator per component name; a name can be claimed only once."""

    def __init__(self, root_seed: int, replication: int = 0) -> None:
        self.root_seed = root_seed
        self.replication = replication
        self._claimed: set[str] = set()

    def generator(self, name: str) -> np.random.Generator:
        """The generator for ``name``.

        Raises:
            ValueError: the name was already claimed (two components would share draws).
        """
        if name in self._claimed:
            raise ValueError(f"random stream {name!r} already claimed")
        self._claimed.add(name)
        return np.random.default_rng([self.root_seed, self.replication, stable_key(name)])
