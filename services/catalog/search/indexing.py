"""Write-side indexing: a core's search columns are refreshed whenever it changes, in the same
transaction (domain.search_terms says what they hold)."""

from __future__ import annotations

from services.catalog.domain.search_terms import search_columns
from services.catalog.models import Core


def index_core(core: Core) -> None:
    """Refresh the columns search reads: the text to index and the facet values."""
    for name, value in search_columns(core).items():
        setattr(core, name, value)
