"""HTTP API of the catalog. Handlers are thin: parse → call the domain → serialise."""
from __future__ import annotations

blueprints: list = []
