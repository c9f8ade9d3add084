"""Argon2id key derivation for key slots.

Only slots are slow on purpose; the database itself is keyed with a raw random key, so the
cost of a guess lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw

# memory (KiB), iterations, lanes: what this app ever writes, with room for slower defaults.
BOUNDS = ((8 * 1024, 1024 * 1024), (1, 16), (1, 8))


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
        """Parameters read from a key file; out of bounds is damage (a tampered 2^31 KiB would
        otherwise exhaust memory before any check could fail)."""
        if d.get("alg", "argon2id") != "argon2id":
            raise ValueError("kdf algorithm")
        params = cls(int(d["m"]), int(d["t"]), int(d["p"]))
        for value, (low, high) in zip(
            (params.memory_kib, params.iterations, params.parallelism), BOUNDS, strict=True
        ):
            if not low <= value <= high:
                raise ValueError("kdf parameter out of bounds")
        return params

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
