"""A core as licensing knows it: the terms the catalog last published for it (the known_core
projection), and which of its offers a licensee may ask for."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Invalid

REQUESTABLE_CORE_STATES = ("published", "deprecated")


@dataclass(frozen=True)
class CoreTerms:
    """One core version's terms, shared by every request of this process: read them, never
    change them (what a request keeps, it copies)."""

    core_id: str
    vendor_id: str
    vlnv: dict
    status: str
    eccn: str
    territory_restrictions: list
    deliverables: list
    offers: list
    version: int

    def offer(self, offer_id: str) -> dict | None:
        return next((o for o in self.offers if o["offer_id"] == offer_id), None)


def requested_offer(terms: CoreTerms | None, core_id: str, offer_id: str) -> dict:
    """The offer a licensee asks for, of a core that is offered; else Invalid, naming the
    field at fault."""
    if terms is None or terms.status not in REQUESTABLE_CORE_STATES:
        raise Invalid(f"core {core_id} is not offered", field="core_id")
    offer = terms.offer(offer_id)
    if offer is None:
        raise Invalid(f"core {core_id} has no offer {offer_id}", field="offer_id")
    return offer
