"""Password hashes: Argon2id through argon2-cffi, with the parameters of OWASP's Password
Storage Cheat Sheet (m = 19 MiB, t = 2, p = 1: its first recommended configuration, about
20 ms a hash on one core). The rules a password must meet are in domain/passwords.py.

For an address without an account, sign-in verifies the password against DUMMY_HASH, so that
an unknown address costs the same time as a known one."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.catalog.domain.passwords import normalised

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)
DUMMY_HASH = HASHER.hash("not anyone's password: timing twin of a real check")


def hash_password(password: str) -> str:
    return HASHER.hash(normalised(password))


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password is the one hashed; None (no account, no password yet) checks
    against DUMMY_HASH and is never a match."""
    try:
        HASHER.verify(password_hash or DUMMY_HASH, normalised(password))
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """A hash made with older parameters is replaced at the next successful sign-in."""
    return HASHER.check_needs_rehash(password_hash)
