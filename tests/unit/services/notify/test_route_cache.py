"""The routes kept for one transaction (services/notify/route_cache.py), on a fake session."""

from __future__ import annotations

from services.notify.route_cache import RoutesOfTransaction


class FakeSession:
    """Just what the cache asks a session: which transaction it is in."""

    def __init__(self):
        self.transaction = object()

    def get_transaction(self):
        return self.transaction

    def begin_next(self):
        self.transaction = object()


def test_routes_are_kept_for_the_rest_of_the_transaction():
    cache, session = RoutesOfTransaction(), FakeSession()
    cache.of(session)[("org",), "t"] = ["route"]
    assert cache.of(session) == {(("org",), "t"): ["route"]}


def test_a_new_transaction_starts_with_none():
    cache, session = RoutesOfTransaction(), FakeSession()
    cache.of(session)["key"] = ["route"]
    session.begin_next()
    assert cache.of(session) == {}


def test_forgetting_drops_what_was_read():
    cache, session = RoutesOfTransaction(), FakeSession()
    cache.of(session)["key"] = ["route"]
    cache.forget()
    assert cache.of(session) == {}


def test_two_consumers_keep_their_own_routes():
    first, second, session = RoutesOfTransaction(), RoutesOfTransaction(), FakeSession()
    first.of(session)["key"] = ["route"]
    assert second.of(session) == {}
