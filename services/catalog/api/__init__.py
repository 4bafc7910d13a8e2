"""HTTP API of the catalog, one module per resource; each view is thin: parse → use case →
serialise. Every business route is under /v1 (old_paths.py answers the paths before it)."""

from services.catalog.api import (
    account,
    api_keys,
    cores,
    ip_requests,
    members,
    organisations,
    passkeys,
    people,
    people_directory,
    search,
    sessions,
    taxonomy,
    vendor_names,
)
from services.catalog.api.old_paths import old_paths

blueprints = [
    organisations.blp,
    api_keys.blp,
    vendor_names.blp,
    search.blp,
    taxonomy.blp,
    cores.blp,
    people.blp,
    sessions.blp,
    passkeys.blp,
    account.blp,
    people_directory.blp,
    members.blp,
    ip_requests.blp,
]

__all__ = ["blueprints", "old_paths"]
