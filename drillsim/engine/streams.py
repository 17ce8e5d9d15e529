"""Named, seeded random streams: one numpy Generator per component.

A stream is seeded by a fixed digest of ``(root, replication, name)``, never Python's
salted ``hash()``. Adding a component never shifts another's draws, so two policies
compared on one seed face identical faults (common random numbers). Hashing the three
parts into one 64-bit seed makes a stream cheap enough to give every page its own.
"""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np
from numpy.random import PCG64, Generator
from numpy.random.bit_generator import ISeedSequence


def stable_key(name: str) -> int:
    """A 63-bit integer digest of ``name``, the same on every machine and run."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") >> 1


class RandomStreams:
    """Hands out one generator per component name; a name can be claimed only once."""

    def __init__(self, root_seed: int, replication: int = 0) -> None:
        self.root_seed = root_seed
        self.replication = replication
        self._claimed: set[str] = set()
        self._prefix = f"{root_seed}:{replication}:"
        """What every stream's key starts with (formatted once, not per stream)."""

    def generator(self, name: str) -> np.random.Generator:
        """The generator for ``name``.

        Raises:
            ValueError: the name was already claimed (two components would share draws).
        """
        if name in self._claimed:
            raise ValueError(f"random stream {name!r} already claimed")
        self._claimed.add(name)
        seed = _DigestSeed(self._prefix + name)
        return Generator(PCG64(seed))  # type: ignore[arg-type]  # any ISeedSequence works

    def fraction(self, name: str) -> float:
        """One uniform number in [0, 1) for ``name``, without a generator (a fixed phase)."""
        key = stable_key(self._prefix + name)
        return key / float(1 << 63)


class _DigestSeed(ISeedSequence):
    """Seeds a bit generator straight from a BLAKE2b digest of the stream's name.

    Same role as numpy's SeedSequence (well-mixed, independent initial states for
    distinct names) at a third of its cost, which matters when every page and every
    incident gets a stream of its own.
    """

    __slots__ = ("_digest",)

    def __init__(self, key: str) -> None:
        self._digest = hashlib.blake2b(key.encode(), digest_size=64).digest()

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:  # type: ignore[override]
        """``n_words`` words of the digest (extended by re-hashing if more are needed).

        The words are the digest's bytes read little-endian. On a little-endian machine
        that is the native order, so the array is a read-only view of the digest (a bit
        generator only reads its seed words); elsewhere it is converted, as before.
        """
        kind, little = _word_types(dtype)
        data = self._digest
        while len(data) < n_words * kind.itemsize:
            data += hashlib.blake2b(data, digest_size=64).digest()
        words = np.frombuffer(data, little, n_words)  # positional: keywords cost 1 µs more
        return words if little.isnative else words.astype(kind)


@cache
def _word_types(dtype: type) -> tuple[np.dtype, np.dtype]:
    """The dtype asked for, and the same dtype little-endian; built once per dtype
    rather than for every stream."""
    kind = np.dtype(dtype)
    return kind, kind.newbyteorder("<")
