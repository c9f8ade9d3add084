"""Argon2id key derivation for key slots.

Only slots are slow on purpose; the database itself is keyed with a raw random key, so the
cost of a guess lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    parallelism: int

    @classmethod
    def interactive(cls) -> KdfParams:
        """About 0.2 s here, 0.5-1 s on a slow school PC: the unlock budget allows it."""
        return cls(memory_kib=128 * 1024, iterations=3, parallelism=2)

    @classmethod
    def from_dict(cls, d: dict) -> KdfParams:
        return cls(int(d["m"]), int(d["t"]), int(d["p"]))

    def to_dict(self) -> dict:
        d = asdict(self)
        return {
            "alg": "argon2id",
            "m": d["memory_kib"],
            "t": d["iterations"],
            "p": d["parallelism"],
        }


def derive_key(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    """A 256-bit key-encryption key from a passphrase or recovery code."""
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.iterations,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )
