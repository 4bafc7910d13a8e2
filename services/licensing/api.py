"""HTTP API of the licensing service. Handlers are thin: parse → call the domain → serialise."""
from __future__ import annotations

blueprints: list = []
