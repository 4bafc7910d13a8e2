"""The catalog's parties, registered through the use cases into records in memory."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from services.catalog import organisations, password_hashing, vendor_names
from tests.unit.services.catalog.fakes import OPERATOR, FakeWork, principal

# Argon2id at OWASP's parameters is ~20 ms of CPU a hash or check, and these tests make some 140
# of them: a fifth of the unit tier's time, which must stay well under 30 s. Their subject is
# which checks are made and what follows them, not the cost of one: they run on the same
# Argon2id and the same code, at its least cost. test_password_hashing.py opts out (the real
# parameters are its subject).
LEAST_ARGON2ID = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16)
LEAST_DUMMY_HASH = LEAST_ARGON2ID.hash("not anyone's password: timing twin of a real check")


@pytest.fixture(autouse=True)
def least_cost_password_hashes(monkeypatch):
    monkeypatch.setattr(password_hashing, "HASHER", LEAST_ARGON2ID)
    monkeypatch.setattr(password_hashing, "DUMMY_HASH", LEAST_DUMMY_HASH)


@pytest.fixture
def work() -> FakeWork:
    return FakeWork()


def register(work, name="Xinyuan Micro", country="CN", roles=("vendor",)):
    return organisations.register_organisation(
        work, legal_name_en=name, country=country, roles=list(roles)
    )


@pytest.fixture
def vendor(work):
    """A vendor organisation with example.com confirmed as its VLNV vendor name."""
    org = register(work)
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "example.com")
    vendor_names.decide(work, OPERATOR, claim.id, "confirmed")
    work.published.clear()
    return principal(org.id, "vendor")
