"""Events the licensing service consumes: the catalog's directory (and, later, its cores)."""
from __future__ import annotations

from services.licensing.models import KnownApiKey, KnownOrganisation
from shared.auth import Directory

STREAMS = ["catalog"]
directory = Directory(KnownOrganisation, KnownApiKey)


def event_handlers() -> dict:
    return {**directory.handlers}
