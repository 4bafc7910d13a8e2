"""HTTP API of the notify service. Handlers are thin: parse → call the domain → serialise."""
from __future__ import annotations

blueprints: list = []
