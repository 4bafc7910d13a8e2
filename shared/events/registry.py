"""Event type → marshmallow schema. Each context's module registers its own types."""

from __future__ import annotations

from marshmallow import RAISE

from shared.bounds import Schema

_SCHEMAS: dict[str, Schema] = {}


class EventData(Schema):
    """Base of every event's data schema: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = RAISE


def register(event_type: str):
    """Class decorator: `@register("ipmarket.core.published.v1")` on a Schema subclass."""

    def decorate(cls: type[Schema]) -> type[Schema]:
        if event_type in _SCHEMAS:
            raise ValueError(f"event type {event_type} registered twice")
        _SCHEMAS[event_type] = cls()
        return cls

    return decorate


def schema_for(event_type: str) -> Schema | None:
    _load_all()
    return _SCHEMAS.get(event_type)


def known_types() -> list[str]:
    _load_all()
    return sorted(_SCHEMAS)


def _load_all() -> None:
    # The package imports every contract module (registering its types); lazy, since those
    # modules import this one to register.
    import shared.events  # noqa: F401
