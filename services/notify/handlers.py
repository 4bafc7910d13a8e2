"""Events the notify service consumes: the directory, and every other domain event."""
from __future__ import annotations

from services.notify.models import KnownApiKey, KnownOrganisation
from shared.auth import Directory

STREAMS = ["catalog", "licensing"]
directory = Directory(KnownOrganisation, KnownApiKey)


def event_handlers() -> dict:
    return {**directory.handlers}
