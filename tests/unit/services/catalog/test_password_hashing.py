"""Argon2id hashes with OWASP's parameters."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters

from services.catalog.password_hashing import hash_password, needs_rehash, password_matches


@pytest.fixture
def least_cost_password_hashes():
    """Not here: OWASP's parameters are what these tests are about (see conftest.py)."""


def test_a_hash_is_argon2id_with_the_owasp_parameters_and_verifies_only_its_password():
    stored = hash_password("plum kettle orbit 47")
    parameters = extract_parameters(stored)
    assert (
        parameters.type.name,
        parameters.memory_cost,
        parameters.time_cost,
        parameters.parallelism,
    ) == ("ID", 19 * 1024, 2, 1)
    assert password_matches(stored, "plum kettle orbit 47")
    assert password_matches(stored, "ｐｌｕｍ kettle orbit 47")  # NFKC: the same password
    assert not password_matches(stored, "plum kettle orbit 48")
    assert not needs_rehash(stored)


def test_no_hash_never_matches():
    assert not password_matches(None, "not anyone's password: timing twin of a real check")
    assert not password_matches("not a hash", "anything")


def test_the_dummy_hash_an_unknown_address_checks_costs_what_a_real_one_does():
    from services.catalog.password_hashing import DUMMY_HASH

    assert extract_parameters(DUMMY_HASH) == extract_parameters(hash_password("any password 123"))
