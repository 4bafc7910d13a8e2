"""What every service process has in common, web or not: its ServiceContext (engine, sessions,
unit of work), JSON logging, and running a worker until SIGTERM or SIGINT. Imported by the HTTP
layer (shared.http) and the command line alike; nothing here knows Flask or click."""

from __future__ import annotations

import contextvars
import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.orm import Session, sessionmaker

from shared import access_tokens, config
from shared.db.engine import create_engine
from shared.db.schema import utcnow
from shared.db.session import session_factory
from shared.directory import Principal, RecentPrincipals
from shared.errors import NotAuthenticated
from shared.messaging.unit_of_work import UnitOfWork
from shared.people_directory import TokenKeys
from shared.person_principal import principal_of

# The request being served (set by shared.http), named on every log line of this context.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


# --- logging ---------------------------------------------------------------------------------


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(service: str) -> None:
    """JSON lines on stderr, each with the service name and the request id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.get("IPMARKET_LOG_LEVEL"))
    logging.getLogger("kafka").setLevel(logging.WARNING)


# --- the service context ---------------------------------------------------------------------


@dataclass
class ServiceContext:
    service: str
    engine: sa.Engine
    session_factory: sessionmaker[Session]
    outbox_model: type
    processed_model: type
    principal_for: Callable[[Session, str], Principal | None]
    recent_principals: RecentPrincipals | None = None
    rate_limit_model: type | None = None
    # token_keys(session) and standing(session, claims): shared/people_directory.PeopleDirectory,
    # or the catalog's own tables; None: people's access tokens are refused
    people: object | None = None
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self):
        self.token_keys = TokenKeys(self._load_token_keys)

    @classmethod
    def connect(
        cls,
        service: str,
        models,
        principal_for,
        database_url: str | None = None,
        *,
        remember_principals_for: float = 0,
        people=None,
    ):
        """The context of `service`, on its own database; `models` is the service's models
        module (its OutboxMessage and ProcessedEvent). `remember_principals_for`: seconds a
        principal found for a key may be reused (see RecentPrincipals; 0: look up each time)."""
        engine = create_engine(database_url or config.database_url(service))
        recent = RecentPrincipals(remember_principals_for) if remember_principals_for else None
        return cls(
            service,
            engine,
            session_factory(engine),
            models.OutboxMessage,
            models.ProcessedEvent,
            principal_for,
            recent,
            models.RateLimitCounter,
            people,
        )

    def unit_of_work(self, actor: dict | None = None) -> UnitOfWork:
        """A unit of work whose events name `actor` (usually `principal.actor`)."""
        return UnitOfWork(self.session_factory, self.outbox_model, self.service, actor)

    def principal(self, key_hash: str) -> Principal | None:
        """Who holds the key with this hash (None: unknown or revoked)."""
        if self.recent_principals is not None:
            principal = self.recent_principals.get(key_hash)
            if principal is not None:
                return principal
        with self.session_factory() as session:
            principal = self.principal_for(session, key_hash)
            session.commit()  # a lookup may record the key's last use
        if principal is not None and self.recent_principals is not None:
            self.recent_principals.remember(key_hash, principal)
        return principal

    def person_principal(self, token: str, organisation_id: str | None) -> Principal:
        """Who a person's access token acts as, for `organisation_id` (the request's
        Ipmarket-Organisation header) or their only organisation: the rules of
        shared/person_principal.py. Raises NotAuthenticated, Forbidden, or DomainError when
        the header is needed. A principal found is reused for `recent_principals.seconds`."""
        if self.people is None:
            raise NotAuthenticated("this service accepts API keys only")
        remembered = f"{organisation_id}\n{token}"
        if self.recent_principals is not None:
            principal = self.recent_principals.get(remembered)
            if principal is not None:
                return principal
        claims = access_tokens.read(token, self.token_keys, self.clock())
        with self.session_factory() as session:
            standing = self.people.standing(session, claims)
        principal = principal_of(claims, standing, organisation_id)
        if self.recent_principals is not None:
            self.recent_principals.remember(remembered, principal)
        return principal

    def _load_token_keys(self) -> dict:
        if self.people is None:
            return {}
        with self.session_factory() as session:
            return self.people.token_keys(session)


# --- running until signalled -----------------------------------------------------------------


def run_until_signalled(worker) -> None:
    """Run `worker.run(stop)` until SIGTERM or SIGINT, then let it finish cleanly."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker.run(stop)
