"""IP cores: drafts, publication, immutability of published versions, lifecycle, offers.
Plain domain code, no Flask. Every change of a visible core publishes its whole state (event-carried
state transfer) so that licensing and notify never have to ask the catalog."""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog import taxonomy, vendor_names
from services.catalog.models import Core, Organisation
from services.catalog.organisations import check_version
from services.catalog.search import index_core
from services.catalog.versions import same_version, version_key
from shared.countries import checked_country
from shared.db.schema import new_id, utcnow
from shared.directory import Principal
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.messaging.unit_of_work import UnitOfWork

# ECCN: category digit, product group A–E, three digits (e.g. 3E001, 5A002), or EAR99.
ECCN = re.compile(r"^(EAR99|[0-9][A-E][0-9]{3}[a-z0-9.]*)$")

# What may still change once a version is published; anything else needs a new version.
MUTABLE_WHEN_PUBLISHED = ("offers", "targets", "documents", "description_en", "description_zh")
# What an IP-XACT import finds besides the editable fields (see ipxact.py); set on creation only.
IMPORTED = ("parameters", "bus_interfaces", "file_sets", "ports", "memory_maps")
EDITABLE = ("title_en", "title_zh", "description_en", "description_zh", "category",
            "deliverable_kinds", "hdl_languages", "standards", "targets", "eccn",
            "territory_restrictions", "documents", "deliverables", "offers")
# Lifecycle: which status each transition leads from.
TRANSITIONS = {"publish": ({"draft"}, "published"),
               "deprecate": ({"published"}, "deprecated"),
               "withdraw": ({"published", "deprecated"}, "withdrawn")}
EVENT_FOR_STATUS = {"published": "ipmarket.core.published.v1",
                    "deprecated": "ipmarket.core.deprecated.v1",
                    "withdrawn": "ipmarket.core.withdrawn.v1"}


def core_state(core: Core) -> dict:
    """The `Core` event schema (shared/events/catalog.py): what other services keep of a core."""
    return {
        "core_id": core.id, "vendor_id": core.vendor_id, "vlnv": core.vlnv,
        "title_en": core.title_en, "title_zh": core.title_zh, "category": core.category,
        "status": core.status, "eccn": core.eccn,
        "territory_restrictions": list(core.territory_restrictions),
        "standards": list(core.standards),
        "deliverables": [{k: d[k] for k in ("kind", "name", "sha256")} for d in core.deliverables],
        "offers": [dict(o) for o in core.offers], "version": core.version,
    }


# --- reading -----------------------------------------------------------------------------------

def visible_to(principal: Principal | None, core: Core) -> bool:
    """Other organisations see only published cores; the owner and the operator see all."""
    if core.status == "published":
        return True
    return principal is not None and (principal.is_admin
                                      or principal.organisation_id == core.vendor_id)


def get_core(session: Session, principal: Principal | None, core_id: str) -> Core:
    core = session.get(Core, core_id)
    if core is None or not visible_to(principal, core):
        raise NotFound(f"core {core_id} does not exist")
    return core


def versions_of(session: Session, principal: Principal | None, core_id: str) -> list[Core]:
    """Every version of the core's line (vendor:library:name) the principal may see, oldest
    first in the order of versions ("1.9" before "1.10"), each spelt as its vendor wrote it."""
    core = get_core(session, principal, core_id)
    line = session.scalars(sa.select(Core).where(
        Core.vlnv_vendor == core.vlnv_vendor, Core.vlnv_library == core.vlnv_library,
        Core.vlnv_name == core.vlnv_name))
    return sorted((c for c in line if visible_to(principal, c)),
                  key=lambda c: version_key(c.vlnv_version))


def _owned_core(session: Session, principal: Principal, core_id: str) -> Core:
    """A core the principal may change: another vendor's published core is 403 (it can see it),
    one it cannot even see is 404."""
    core = get_core(session, principal, core_id)
    if not (principal.is_admin or principal.organisation_id == core.vendor_id):
        raise Forbidden("only the vendor that owns a core (or the operator) changes it")
    return core


# --- changing ----------------------------------------------------------------------------------

def create_draft(uow: UnitOfWork, principal: Principal, *, vlnv: dict, title_en: str,
                 **fields) -> Core:
    """A new core version as a draft owned by the principal's organisation. Drafts are private,
    so no event is published until the core is."""
    vendor = uow.session.get(Organisation, principal.organisation_id)
    if vendor is None or "vendor" not in vendor.roles:
        raise Forbidden("only a vendor organisation owns cores")
    vlnv = _checked_vlnv(vlnv)
    vendor_names.check_publisher(uow.session, vendor.id, vlnv["vendor"])
    _check_unique_vlnv(uow.session, principal, vlnv)
    unknown = set(fields) - set(EDITABLE) - set(IMPORTED)
    if unknown:
        raise Invalid("not a core field", field=sorted(unknown)[0])
    core = Core(id=new_id(), vendor_id=vendor.id, vendor_region=vendor.region,
                vlnv_vendor=vlnv["vendor"], vlnv_library=vlnv["library"],
                vlnv_name=vlnv["name"], vlnv_version=vlnv["version"], status="draft",
                title_en=title_en, title_zh=None, description_en="", description_zh=None,
                category=None, eccn=None, deliverable_kinds=[], hdl_languages=[], standards=[],
                targets=[], territory_restrictions=[], documents=[], deliverables=[], offers=[],
                **{name: [] for name in IMPORTED})
    _apply(core, {"title_en": title_en, **fields})
    uow.session.add(core)
    uow.session.flush()
    return core


def update_core(uow: UnitOfWork, principal: Principal, core_id: str, if_match: str | None,
                changes: dict) -> Core:
    core = _owned_core(uow.session, principal, core_id)
    if not changes:
        raise Invalid("the request changes nothing", field="body")
    check_version(core.version, if_match, required=True)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid("not a core field you can change", field=sorted(unknown)[0])
    if core.status == "withdrawn":
        raise Conflict("a withdrawn core no longer changes", field="status")
    known_offers = {o["offer_id"] for o in core.offers}
    for i, offer in enumerate(changes.get("offers") or []):
        if offer.get("offer_id") is not None and offer["offer_id"] not in known_offers:
            raise Invalid("no such offer on this core (leave offer_id out for a new offer)",
                          field=f"offers.{i}.offer_id")
    changes = _checked(changes)
    if core.status != "draft":
        frozen = sorted(name for name in changes
                        if name not in MUTABLE_WHEN_PUBLISHED
                        and changes[name] != getattr(core, name))
        if frozen:
            raise Conflict(f"{frozen[0]} of a published version is immutable: publish a new "
                           "version instead", field=frozen[0])
    _apply(core, changes)
    if core.status != "draft":
        _check_publishable(core)
    uow.session.flush()  # bumps core.version
    if core.status != "draft":
        uow.publish("ipmarket.core.updated.v1", core.id, core_state(core))
    return core


def change_status(uow: UnitOfWork, principal: Principal, core_id: str, transition: str,
                  if_match: str | None = None) -> Core:
    """publish, deprecate or withdraw; each publishes one event carrying the core's state."""
    core = _owned_core(uow.session, principal, core_id)
    check_version(core.version, if_match)
    sources, target = TRANSITIONS[transition]
    if core.status not in sources:
        raise Conflict(f"a {core.status} core cannot be {target}", field="status")
    if target == "published":
        vendor_names.check_publisher(uow.session, core.vendor_id, core.vlnv_vendor)
        _check_publishable(core)
        core.published_at = utcnow()
    core.status = target
    index_core(core)
    uow.session.flush()
    uow.publish(EVENT_FOR_STATUS[target], core.id, core_state(core))
    return core


# --- rules -------------------------------------------------------------------------------------

def _checked_vlnv(vlnv: dict) -> dict:
    for part in ("vendor", "library", "name", "version"):
        value = (vlnv.get(part) or "").strip()
        if not value:
            raise Invalid(f"the VLNV needs a {part}", field=f"vlnv.{part}")
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", value):
            raise Invalid("VLNV parts are letters, digits, '_', '.' and '-' (IP-XACT names)",
                          field=f"vlnv.{part}")
    return {part: vlnv[part].strip() for part in ("vendor", "library", "name", "version")}


def _check_unique_vlnv(session: Session, principal: Principal, vlnv: dict) -> None:
    """A VLNV names one core version; "1.2" and "1.2.0" are one version spelt twice (a license
    for either would cover both), so the second is refused too."""
    line = session.execute(sa.select(Core.id, Core.vendor_id, Core.vlnv_version).where(
        Core.vlnv_vendor == vlnv["vendor"], Core.vlnv_library == vlnv["library"],
        Core.vlnv_name == vlnv["name"])).all()
    taken = next((row for row in line if same_version(row.vlnv_version, vlnv["version"])), None)
    if taken is not None:
        text = ":".join(vlnv[p] for p in ("vendor", "library", "name")) + ":" + taken.vlnv_version
        # Its id only to its own vendor (or the operator): another's draft stays private.
        yours = principal.is_admin or taken.vendor_id == principal.organisation_id
        raise Conflict(f"a core with VLNV {text} exists already", field="vlnv",
                       **({"core_id": taken.id} if yours else {}))


def _checked(changes: dict) -> dict:
    """Each field checked and normalised (Invalid names the first field at fault)."""
    return {name: _CHECKS[name](value, name) if name in _CHECKS else value
            for name, value in changes.items()}


def _apply(core: Core, changes: dict) -> None:
    for name, value in _checked(changes).items():
        setattr(core, name, value)
    index_core(core)


def _one_of(allowed):
    def check(values, field):
        for i, value in enumerate(values):
            if value not in allowed:
                raise Invalid(f"{value!r} is not one of {', '.join(allowed)}",
                              field=f"{field}.{i}")
        return sorted(set(values), key=list(allowed).index)
    return check


def _category(value, field):
    if value is not None and value not in taxonomy.CATEGORIES:
        raise Invalid(f"{value!r} is not a category of the taxonomy", field=field)
    return value


def _eccn(value, field):
    if value is not None and not ECCN.match(value):
        raise Invalid(f"{value!r} is not an ECCN (e.g. EAR99, 3E001)", field=field)
    return value


def _standards(values, field):
    seen = []
    for value in values:
        canonical = taxonomy.canonical_standard(value)
        if not canonical:
            raise Invalid("a standard is not empty", field=field)
        if canonical not in seen:
            seen.append(canonical)
    return seen


def _targets(values, field):
    out = []
    for i, target in enumerate(values):
        if target["maturity"] not in taxonomy.MATURITIES:
            raise Invalid(f"maturity must be one of {', '.join(taxonomy.MATURITIES)}",
                          field=f"{field}.{i}.maturity")
        out.append({"foundry": " ".join(target["foundry"].split()),
                    "node": target["node"].replace(" ", "").lower(),
                    "maturity": target["maturity"]})
    return out


def _territories(values, field):
    return sorted({checked_country(v, f"{field}.{i}") for i, v in enumerate(values)})


def _offers(values, field):
    out = []
    for i, offer in enumerate(values):
        offer = dict(offer)
        if offer["kind"] not in taxonomy.OFFER_KINDS:
            raise Invalid(f"kind must be one of {', '.join(taxonomy.OFFER_KINDS)}",
                          field=f"{field}.{i}.kind")
        price = offer.get("price")
        if price is None and not offer.get("on_request") and offer["kind"] != "evaluation":
            raise Invalid("an offer has a price or is on request", field=f"{field}.{i}.price")
        if price is not None:
            if price["currency"] not in taxonomy.CURRENCIES:
                raise Invalid(f"currency must be one of {', '.join(taxonomy.CURRENCIES)}",
                              field=f"{field}.{i}.price.currency")
            if float(price["amount"]) < 0:
                raise Invalid("a price is not negative", field=f"{field}.{i}.price.amount")
            offer["price"] = {"amount": str(price["amount"]), "currency": price["currency"]}
            offer["on_request"] = False
        if offer["kind"] == "royalty_bearing" and offer.get("royalty_percent") is None:
            raise Invalid("a royalty-bearing offer states its royalty",
                          field=f"{field}.{i}.royalty_percent")
        if offer.get("royalty_percent") is not None:
            offer["royalty_percent"] = str(offer["royalty_percent"])
        offer.setdefault("offer_id", new_id())
        offer.setdefault("on_request", price is None and offer["kind"] != "evaluation")
        offer.setdefault("term_months", None)
        offer.setdefault("seats", None)
        offer.setdefault("royalty_percent", None)
        offer.setdefault("price", None)
        out.append(offer)
    return out


_CHECKS = {
    "category": _category, "eccn": _eccn, "standards": _standards, "targets": _targets,
    "deliverable_kinds": _one_of(taxonomy.DELIVERABLE_KINDS),
    "hdl_languages": _one_of(taxonomy.HDL_LANGUAGES),
    "territory_restrictions": _territories, "offers": _offers,
}


def _check_publishable(core: Core) -> None:
    """What a licensee and the licensing service need before a core can be offered."""
    if not core.category:
        raise Invalid("a published core has a category", field="category")
    if not core.eccn:
        raise Invalid("a published core has an export-control classification (ECCN)",
                      field="eccn")
    if not core.deliverable_kinds:
        raise Invalid("a published core names its deliverable kinds", field="deliverable_kinds")
    if not core.offers:
        raise Invalid("a published core has at least one license offer", field="offers")
