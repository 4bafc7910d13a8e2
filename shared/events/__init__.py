"""The event envelope and every event type's schema."""

from shared.events import catalog, deliverables, licensing, notices, notify, people  # noqa: F401 - each registers its types
from shared.events.envelope import CONTENT_TYPE, Event, InvalidEvent, new_event, parse_event

__all__ = ["CONTENT_TYPE", "Event", "InvalidEvent", "new_event", "parse_event"]
