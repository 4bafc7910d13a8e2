"""What the catalog's API modules share: ETags and If-Match, the caller, the list parameters."""

from __future__ import annotations

from flask import g, request

from services.catalog.domain.concurrency import etag_of
from services.catalog.domain.list_cursor import PageRequest
from shared.events.envelope import system_actor

# The ETag of an organisation or core is its version number; an update must say (If-Match)
# which version it was made from, and a stale one gets 412 instead of overwriting a change.
ETAG = {"ETag": {"schema": {"type": "string"}, "description": "The version, for If-Match."}}
XML = ("application/xml", "text/xml")


def etag(version: int) -> dict:
    return {"ETag": etag_of(version)}


def if_match_header(required: bool) -> dict:
    return {
        "in": "header",
        "name": "If-Match",
        "required": required,
        "schema": {"type": "string"},
        "description": (
            "The ETag you read: a change made since is 412"
            + (", and leaving it out is 428." if required else ".")
        ),
    }


def if_match() -> str | None:
    """The If-Match header as sent: the use case reads it once it knows that the caller may
    change the resource at all, so that a stranger learns nothing from a 412 or 428."""
    return request.headers.get("If-Match")


def principal_or_none():
    """The caller, or None for an anonymous one (where a key is optional)."""
    return g.get("principal")


def page_request(args: dict) -> PageRequest:
    return PageRequest(cursor=args.get("cursor"), limit=args["limit"])


def page(items, next_cursor: str | None) -> dict:
    return {"items": items, "next": next_cursor}


def event_actor(route: str) -> dict:
    """Who the events of a people or session route name: the signed-in person or the key;
    on a route anyone may call (applying, signing in, accepting an invitation, resetting a
    password) the catalog itself by the route, the person being named in the data."""
    principal = g.get("principal")
    if principal is not None:
        return principal.actor
    return system_actor(f"catalog.{route}")
