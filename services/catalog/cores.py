"""Use cases of IP cores: drafts, publication, immutability of published versions, lifecycle,
offers. Each takes a unit of work; the rules are in domain/ (core_fields, lifecycle, vlnv,
versions, access). Every change of a visible core publishes its whole state (event-carried
state transfer) so that licensing and notify never have to ask the catalog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from services.catalog import vendor_names
from services.catalog.domain.access import Viewer, may_change_core, may_see_core
from services.catalog.domain.concurrency import check_version
from services.catalog.domain.core_fields import (
    EDITABLE,
    IMPORTED,
    check_known_fields,
    check_offer_ids,
    checked_fields,
    new_offer_id,
)
from services.catalog.domain.lifecycle import (
    TRANSITIONS,
    check_changeable,
    check_frozen_fields,
    check_publishable,
    status_after,
)
from services.catalog.domain.versions import same_version, version_key
from services.catalog.domain.vlnv import checked_vlnv
from services.catalog.models import Core
from services.catalog.records import CoreStamp, SqlRecords, stamp_of
from services.catalog.search import index_core
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.db.schema import new_id, utcnow
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import catalog as events
from shared.messaging.unit_of_work import UnitOfWork

__all__ = [
    "TRANSITIONS",
    "change_status",
    "create_draft",
    "get_core",
    "stamp_of",
    "update_core",
    "versions_of",
    "visible_cores",
    "visible_stamp",
]

EVENT_FOR_STATUS = {
    "published": events.CORE_PUBLISHED,
    "deprecated": events.CORE_DEPRECATED,
    "withdrawn": events.CORE_WITHDRAWN,
}


def core_state(core: Core) -> dict:
    """The `Core` event schema (shared/events/catalog.py): what other services keep of a core."""
    return {
        "core_id": core.id,
        "vendor_id": core.vendor_id,
        "vlnv": core.vlnv,
        "title_en": core.title_en,
        "title_zh": core.title_zh,
        "category": core.category,
        "status": core.status,
        "eccn": core.eccn,
        "territory_restrictions": list(core.territory_restrictions),
        "standards": list(core.standards),
        "deliverables": [{k: d[k] for k in ("kind", "name", "sha256")} for d in core.deliverables],
        "offers": [dict(o) for o in core.offers],
        "version": core.version,
    }


# --- reading -----------------------------------------------------------------------------------


def visible_to(viewer: Viewer | None, core: Core) -> bool:
    return may_see_core(viewer, core.status, core.vendor_id)


def get_core(session: Session, principal: Viewer | None, core_id: str) -> Core:
    return _visible_core(SqlRecords(session), principal, core_id)


def visible_stamp(session: Session, principal: Viewer | None, core_id: str) -> CoreStamp:
    """Which state of the core is current (records.CoreStamp), if the principal may see it:
    what a kept representation of it is looked up by, without reading the core whole."""
    return stamp_in_records(SqlRecords(session), principal, core_id)


def visible_cores(
    session: Session, principal: Viewer | None, core_ids: list[str], summary_only: bool = False
) -> list[Core]:
    """The cores of `core_ids` the principal may see, in no order; with `summary_only`, read
    without what a summary does not show."""
    cores = SqlRecords(session).cores(core_ids, summary_only)
    return [core for core in cores if visible_to(principal, core)]


def stamp_in_records(records, principal: Viewer | None, core_id: str) -> CoreStamp:
    stamp = records.core_stamp(core_id)
    if stamp is None or not may_see_core(principal, stamp.status, stamp.vendor_id):
        raise NotFound(f"core {core_id} does not exist")
    return stamp


def versions_of(session: Session, principal: Viewer | None, core_id: str) -> list[CoreStamp]:
    """Every version of the core's line (vendor:library:name) the principal may see, oldest
    first in the order of versions ("1.9" before "1.10"), each spelt as its vendor wrote it:
    their stamps, for the caller to show each (summarised) from them."""
    return versions_in_records(SqlRecords(session), principal, core_id)


def versions_in_records(records, principal: Viewer | None, core_id: str) -> list[CoreStamp]:
    line = records.line_stamps(core_id)
    core = next((stamp for stamp in line if stamp.id == core_id), None)
    if core is None or not may_see_core(principal, core.status, core.vendor_id):
        raise NotFound(f"core {core_id} does not exist")
    return sorted(
        (stamp for stamp in line if may_see_core(principal, stamp.status, stamp.vendor_id)),
        key=lambda stamp: version_key(stamp.vlnv_version),
    )


def _visible_core(records, principal: Viewer | None, core_id: str) -> Core:
    core = records.core(core_id)
    if core is None or not visible_to(principal, core):
        raise NotFound(f"core {core_id} does not exist")
    return core


def _owned_core(records, principal: Viewer, core_id: str) -> Core:
    """A core the principal may change: another vendor's published core is 403 (it can see it),
    one it cannot even see is 404."""
    core = _visible_core(records, principal, core_id)
    if not may_change_core(principal, core.vendor_id):
        raise Forbidden("only the vendor that owns a core (or the operator) changes it")
    return core


# --- changing ----------------------------------------------------------------------------------


def create_draft(
    uow: UnitOfWork | CatalogWork,
    principal: Viewer,
    *,
    vlnv: dict,
    title_en: str,
    new_offer_id: Callable[[], str] = new_offer_id,
    **fields,
) -> Core:
    """A new core version as a draft owned by the principal's organisation. Drafts are private,
    so no event is published until the core is."""
    records = catalog_work(uow).records
    vendor = records.organisation(principal.organisation_id)
    if vendor is None or "vendor" not in vendor.roles:
        raise Forbidden("only a vendor organisation owns cores")
    vlnv = checked_vlnv(vlnv)
    vendor_names.check_publisher(records, vendor.id, vlnv["vendor"])
    _check_unique_vlnv(records, principal, vlnv)
    check_known_fields(fields, EDITABLE + IMPORTED, "not a core field")
    core = Core(
        id=new_id(),
        vendor_id=vendor.id,
        vendor_region=vendor.region,
        vlnv_vendor=vlnv["vendor"],
        vlnv_library=vlnv["library"],
        vlnv_name=vlnv["name"],
        vlnv_version=vlnv["version"],
        status="draft",
        title_en=title_en,
        title_zh=None,
        description_en="",
        description_zh=None,
        category=None,
        eccn=None,
        deliverable_kinds=[],
        hdl_languages=[],
        standards=[],
        targets=[],
        territory_restrictions=[],
        documents=[],
        deliverables=[],
        offers=[],
        **{name: [] for name in IMPORTED},
    )
    _apply(core, checked_fields({"title_en": title_en, **fields}, new_offer_id))
    records.add(core)
    records.flush()
    return core


def update_core(
    uow: UnitOfWork | CatalogWork,
    principal: Viewer,
    core_id: str,
    if_match: str | None,
    changes: dict,
    new_offer_id: Callable[[], str] = new_offer_id,
) -> Core:
    work = catalog_work(uow)
    core = _owned_core(work.records, principal, core_id)
    if not changes:
        raise Invalid("the request changes nothing", field="body")
    check_version(core.version, if_match, required=True)
    check_known_fields(changes, EDITABLE, "not a core field you can change")
    check_changeable(core.status)
    check_offer_ids(changes.get("offers") or [], {o["offer_id"] for o in core.offers})
    changes = checked_fields(changes, new_offer_id)
    check_frozen_fields(core.status, changes, {name: getattr(core, name) for name in changes})
    _apply(core, changes)
    if core.status != "draft":
        check_publishable(core)
    work.records.flush()  # bumps core.version
    if core.status != "draft":
        work.publish(events.CORE_UPDATED, core.id, core_state(core))
    return core


def change_status(
    uow: UnitOfWork | CatalogWork,
    principal: Viewer,
    core_id: str,
    transition: str,
    if_match: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Core:
    """publish, deprecate or withdraw; each publishes one event carrying the core's state."""
    work = catalog_work(uow)
    core = _owned_core(work.records, principal, core_id)
    check_version(core.version, if_match)
    target = status_after(core.status, transition)
    if target == "published":
        vendor_names.check_publisher(work.records, core.vendor_id, core.vlnv_vendor)
        check_publishable(core)
        core.published_at = clock()
    core.status = target
    index_core(core)
    work.records.flush()
    work.publish(EVENT_FOR_STATUS[target], core.id, core_state(core))
    return core


def _check_unique_vlnv(records, principal: Viewer, vlnv: dict) -> None:
    """A VLNV names one core version; "1.2" and "1.2.0" are one version spelt twice (a license
    for either would cover both), so the second is refused too."""
    line = records.versions_in_line(vlnv["vendor"], vlnv["library"], vlnv["name"])
    taken = next((row for row in line if same_version(row.vlnv_version, vlnv["version"])), None)
    if taken is not None:
        text = ":".join(vlnv[p] for p in ("vendor", "library", "name")) + ":" + taken.vlnv_version
        # Its id only to its own vendor (or the operator): another's draft stays private.
        yours = may_change_core(principal, taken.vendor_id)
        raise Conflict(
            f"a core with VLNV {text} exists already",
            field="vlnv",
            **({"core_id": taken.id} if yours else {}),
        )


def _apply(core: Core, checked: dict) -> None:
    """Set the checked fields and refresh what search reads of the core."""
    for name, value in checked.items():
        setattr(core, name, value)
    index_core(core)
