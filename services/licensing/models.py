"""The licensing service's tables, and its projection of the catalog's directory."""
from __future__ import annotations

from shared.auth import KnownApiKeyMixin, KnownOrganisationMixin
from shared.db import make_base
from shared.outbox import OutboxMixin, ProcessedEventMixin

Base = make_base()


class OutboxMessage(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class KnownOrganisation(KnownOrganisationMixin, Base):
    pass


class KnownApiKey(KnownApiKeyMixin, Base):
    pass
