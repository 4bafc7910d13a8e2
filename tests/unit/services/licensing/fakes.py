"""Fakes for the licensing use cases: a unit of work that records what it would publish and
write, a session holding the rows a test gives it, a keyring with a key made in memory, and a
fixed clock. No database, no Kafka."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.directory import Principal
from shared.events.registry import schema_for
from shared.jws import b64url_encode, public_jwk, thumbprint

NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)


def principal(organisation_id: str, *roles: str) -> Principal:
    return Principal(organisation_id=organisation_id, roles=frozenset(roles), key_id="key-1")


class FakeResult:
    def __init__(self, rows):
        self._rows = list(rows)

    def first(self):
        return self._rows[0] if self._rows else None

    def __iter__(self):
        return iter(self._rows)


class FakeSession:
    """Answers every SELECT with the rows the test put in (one kind per test), keeps what is
    added, and is always inside a transaction."""

    def __init__(self, *rows):
        self.rows = list(rows)
        self.added: list = []
        self.at_commit: list[tuple[str, dict]] = []  # (table name, row) written at commit
        self.no_autoflush = nullcontext()

    def in_transaction(self) -> bool:
        return True

    def scalars(self, _query):
        return FakeResult(self.rows)

    def get(self, _model, row_id, **_options):
        return next((row for row in self.rows if getattr(row, "id", None) == row_id), None)

    def add(self, row) -> None:
        self.added.append(row)

    def flush(self) -> None:
        pass

    def insert_at_commit(self, table, row) -> None:
        self.at_commit.append((table.name, dict(row)))


class FakeUnitOfWork:
    """Records the events a use case publishes, each checked against its contract schema."""

    def __init__(self, session: FakeSession):
        self.session = session
        self.published: list[tuple[str, str, dict]] = []

    def insert_at_commit(self, table, row) -> None:
        self.session.insert_at_commit(table, row)

    def publish(self, event_type: str, subject: str, data: dict) -> None:
        schema = schema_for(event_type)
        assert schema is not None, f"{event_type} is not a registered event type"
        errors = schema.validate(data)
        assert not errors, (event_type, errors)
        self.published.append((event_type, subject, data))

    def event_types(self) -> list[str]:
        return [event_type for event_type, _, _ in self.published]


class FakeKeyring:
    """One Ed25519 key made in memory; `signer` says which kid it was asked for."""

    def __init__(self):
        self.private_key = Ed25519PrivateKey.generate()
        public_b64 = b64url_encode(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        )
        self.kid = thumbprint(public_b64)
        self.jwks = {"keys": [public_jwk(self.kid, public_b64)]}
        self.asked_for: list[str | None] = []

    def signer(self, _session, kid: str | None = None):
        self.asked_for.append(kid)
        return self.kid, self.private_key


class FixedClock:
    """Stands in for `utcnow` in the modules a test names."""

    def __init__(self, monkeypatch, *modules, now: datetime = NOW):
        self.now = now
        for module in modules:
            monkeypatch.setattr(module, "utcnow", self)

    def __call__(self) -> datetime:
        return self.now
