"""Events published by the notify service."""
from shared.events.registry import EventData, register  # noqa: F401
