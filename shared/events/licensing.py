"""Events published by the licensing service."""
from shared.events.registry import EventData, register  # noqa: F401
