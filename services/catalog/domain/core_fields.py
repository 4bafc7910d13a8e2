"""A core's fields: which exist, which a vendor edits, and how each is checked and normalised
(Invalid names the first field at fault)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from services.catalog.domain import taxonomy
from shared.countries import checked_country
from shared.errors import Invalid

# ECCN: category digit, product group A–E, three digits (e.g. 3E001, 5A002), or EAR99.
ECCN = re.compile(r"^(EAR99|[0-9][A-E][0-9]{3}[a-z0-9.]*)$")
# What an IP-XACT import finds besides the editable fields; set on creation only.
IMPORTED = ("parameters", "bus_interfaces", "file_sets", "ports", "memory_maps")
EDITABLE = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "category",
    "deliverable_kinds",
    "hdl_languages",
    "standards",
    "targets",
    "eccn",
    "territory_restrictions",
    "documents",
    "deliverables",
    "offers",
)


def new_offer_id() -> str:
    return str(uuid.uuid4())


def check_known_fields(fields, allowed, message: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise Invalid(message, field=sorted(unknown)[0])


def check_offer_ids(offers: list[dict], known_offer_ids: set[str]) -> None:
    """An offer that names an id changes that offer of the core; leaving it out adds one."""
    for i, offer in enumerate(offers):
        if offer.get("offer_id") is not None and offer["offer_id"] not in known_offer_ids:
            raise Invalid(
                "no such offer on this core (leave offer_id out for a new offer)",
                field=f"offers.{i}.offer_id",
            )


def checked_fields(changes: dict, new_id: Callable[[], str] = new_offer_id) -> dict:
    """Each field checked and normalised; `new_id` names a new offer."""
    checks = {**_CHECKS, "offers": lambda values, field: checked_offers(values, field, new_id)}
    return {
        name: checks[name](value, name) if name in checks else value
        for name, value in changes.items()
    }


def one_of(allowed):
    def check(values, field):
        for i, value in enumerate(values):
            if value not in allowed:
                raise Invalid(f"{value!r} is not one of {', '.join(allowed)}", field=f"{field}.{i}")
        return sorted(set(values), key=list(allowed).index)

    return check


def checked_category(value, field):
    if value is not None and value not in taxonomy.CATEGORIES:
        raise Invalid(f"{value!r} is not a category of the taxonomy", field=field)
    return value


def checked_eccn(value, field):
    if value is not None and not ECCN.match(value):
        raise Invalid(f"{value!r} is not an ECCN (e.g. EAR99, 3E001)", field=field)
    return value


def checked_standards(values, field):
    seen = []
    for value in values:
        canonical = taxonomy.canonical_standard(value)
        if not canonical:
            raise Invalid("a standard is not empty", field=field)
        if canonical not in seen:
            seen.append(canonical)
    return seen


def checked_targets(values, field):
    out = []
    for i, target in enumerate(values):
        if target["maturity"] not in taxonomy.MATURITIES:
            raise Invalid(
                f"maturity must be one of {', '.join(taxonomy.MATURITIES)}",
                field=f"{field}.{i}.maturity",
            )
        out.append(
            {
                "foundry": " ".join(target["foundry"].split()),
                "node": target["node"].replace(" ", "").lower(),
                "maturity": target["maturity"],
            }
        )
    return out


def checked_territories(values, field):
    return sorted({checked_country(v, f"{field}.{i}") for i, v in enumerate(values)})


def checked_offers(values, field, new_id: Callable[[], str] = new_offer_id):
    out = []
    for i, offer in enumerate(values):
        offer = dict(offer)
        if offer["kind"] not in taxonomy.OFFER_KINDS:
            raise Invalid(
                f"kind must be one of {', '.join(taxonomy.OFFER_KINDS)}", field=f"{field}.{i}.kind"
            )
        price = offer.get("price")
        if price is None and not offer.get("on_request") and offer["kind"] != "evaluation":
            raise Invalid("an offer has a price or is on request", field=f"{field}.{i}.price")
        if price is not None:
            if price["currency"] not in taxonomy.CURRENCIES:
                raise Invalid(
                    f"currency must be one of {', '.join(taxonomy.CURRENCIES)}",
                    field=f"{field}.{i}.price.currency",
                )
            if float(price["amount"]) < 0:
                raise Invalid("a price is not negative", field=f"{field}.{i}.price.amount")
            offer["price"] = {"amount": str(price["amount"]), "currency": price["currency"]}
            offer["on_request"] = False
        if offer["kind"] == "royalty_bearing" and offer.get("royalty_percent") is None:
            raise Invalid(
                "a royalty-bearing offer states its royalty", field=f"{field}.{i}.royalty_percent"
            )
        if offer.get("royalty_percent") is not None:
            offer["royalty_percent"] = str(offer["royalty_percent"])
        if "offer_id" not in offer:
            offer["offer_id"] = new_id()
        offer.setdefault("on_request", price is None and offer["kind"] != "evaluation")
        offer.setdefault("term_months", None)
        offer.setdefault("seats", None)
        offer.setdefault("royalty_percent", None)
        offer.setdefault("price", None)
        out.append(offer)
    return out


_CHECKS = {
    "category": checked_category,
    "eccn": checked_eccn,
    "standards": checked_standards,
    "targets": checked_targets,
    "deliverable_kinds": one_of(taxonomy.DELIVERABLE_KINDS),
    "hdl_languages": one_of(taxonomy.HDL_LANGUAGES),
    "territory_restrictions": checked_territories,
}
