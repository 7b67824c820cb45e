"""Password hashes (argon2id, at the cost the profile's keys use): made and checked here,
below both accounts and their proofs."""

from __future__ import annotations

from lr_desk.store import keys


def _hasher():
    from argon2 import PasswordHasher

    cost = keys.COST
    return PasswordHasher(time_cost=cost.time, memory_cost=cost.memory,
                          parallelism=cost.lanes)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
