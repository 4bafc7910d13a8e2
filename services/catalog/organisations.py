"""Use cases of the platform directory: organisations and their API keys. Each takes a unit of
work; the profile rules are in domain/organisation_profile.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.domain.access import Viewer, may_see_organisation
from services.catalog.domain.concurrency import check_version
from services.catalog.domain.list_cursor import FIRST_PAGE, PageRequest
from services.catalog.domain.organisation_profile import (
    PROFILE_FIELDS,
    check_profile,
    last_use_due,
    region_for,
    time_zones,
)
from services.catalog.list_pages import page_of
from services.catalog.models import ApiKey, Organisation
from services.catalog.records import SqlRecords
from services.catalog.search import index_core
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared import roles as role_table
from shared.countries import checked_country
from shared.db.schema import utcnow
from shared.directory import Principal, generate_api_key, key_principal
from shared.errors import Forbidden, Invalid, NotFound
from shared.events import catalog as events
from shared.messaging.unit_of_work import UnitOfWork

# Kept importable from here: the API's schemas and other services' tests name them so.
__all__ = [
    "check_version",
    "create_api_key",
    "get_organisation",
    "list_api_keys",
    "list_organisations",
    "organisation_state",
    "principal_for",
    "register_organisation",
    "revoke_api_key",
    "time_zones",
    "update_organisation",
]


def organisation_state(org: Organisation) -> dict:
    """The event-carried state other services keep of an organisation."""
    return {
        "organisation_id": org.id,
        "legal_name_en": org.legal_name_en,
        "legal_name_zh": org.legal_name_zh,
        "country": org.country,
        "region": org.region,
        "roles": list(org.roles),
        "locale": org.locale,
        "timezone": org.timezone,
        "contacts": list(org.contacts),
        "version": org.version,
    }


def register_organisation(
    uow: UnitOfWork | CatalogWork,
    *,
    legal_name_en: str,
    country: str,
    roles: list[str],
    locale: str = "en",
    timezone: str = "UTC",
    legal_name_zh: str | None = None,
    contacts: list[dict] | None = None,
) -> Organisation:
    country = checked_country(country)
    check_profile(timezone=timezone, locale=locale, roles=roles, contacts=contacts or [])
    org = Organisation(
        legal_name_en=legal_name_en,
        legal_name_zh=legal_name_zh,
        country=country,
        region=region_for(country),
        roles=sorted(set(roles)),
        locale=locale,
        timezone=timezone,
        contacts=contacts or [],
    )
    work = catalog_work(uow)
    work.records.add(org)
    work.records.flush()
    work.publish(events.ORGANISATION_REGISTERED, org.id, organisation_state(org))
    return org


def get_organisation(session: Session, principal: Viewer, organisation_id: str) -> Organisation:
    """An organisation sees its own profile; the operator sees every one. Others get 404, so
    that the directory cannot be probed."""
    return _visible_organisation(SqlRecords(session), principal, organisation_id)


def _visible_organisation(records, principal: Viewer, organisation_id: str) -> Organisation:
    org = records.organisation(organisation_id)
    if org is None or not may_see_organisation(principal, org.id):
        raise NotFound(f"organisation {organisation_id} does not exist")
    return org


def update_organisation(
    uow: UnitOfWork | CatalogWork,
    principal: Viewer,
    organisation_id: str,
    if_match: str | None,
    changes: dict,
) -> Organisation:
    work = catalog_work(uow)
    org = _visible_organisation(work.records, principal, organisation_id)
    if not changes:
        raise Invalid("the request changes nothing", field="body")
    check_version(org.version, if_match, required=True)
    if "roles" in changes and not principal.is_admin:
        raise Forbidden("only the platform operator changes an organisation's roles", field="roles")
    unknown = set(changes) - set(PROFILE_FIELDS) - {"roles"}
    if unknown:
        raise Invalid("not a profile field", field=sorted(unknown)[0])
    if "country" in changes:
        changes["country"] = checked_country(changes["country"])
    if "roles" in changes:
        changes["roles"] = sorted(set(changes["roles"]))
    merged = {
        name: changes.get(name, getattr(org, name))
        for name in ("timezone", "locale", "roles", "contacts")
    }
    check_profile(**merged)
    for name, value in changes.items():
        setattr(org, name, value)
    if "country" in changes and region_for(org.country) != org.region:
        org.region = region_for(org.country)
        # The vendor-region facet of its cores follows the organisation.
        for core in work.records.cores_of_vendor(org.id):
            core.vendor_region = org.region
            index_core(core)
    work.records.flush()  # bumps org.version (the mapper's version counter)
    work.publish(events.ORGANISATION_UPDATED, org.id, organisation_state(org))
    return org


def list_api_keys(
    session: Session, principal: Viewer, organisation_id: str, page: PageRequest = FIRST_PAGE
) -> tuple[list[ApiKey], str | None]:
    """A page of the organisation's keys, oldest first, and the next page's cursor."""
    get_organisation(session, principal, organisation_id)
    return page_of(
        session, sa.select(ApiKey).where(ApiKey.organisation_id == organisation_id), ApiKey, page
    )


def list_organisations(
    session: Session, page: PageRequest = FIRST_PAGE
) -> tuple[list[Organisation], str | None]:
    """A page of every organisation, oldest first (the operator's view of the directory)."""
    return page_of(session, sa.select(Organisation), Organisation, page)


def create_api_key(
    uow: UnitOfWork | CatalogWork,
    organisation_id: str,
    name: str,
    scopes: Iterable[str] = (role_table.OWNER,),
) -> tuple[ApiKey, str]:
    """A new key for the organisation, acting with `scopes` (member roles; the platform's own
    keys may also carry platform roles); the key itself is returned once and never stored."""
    work = catalog_work(uow)
    org = work.records.organisation(organisation_id)
    if org is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not name.strip():
        raise Invalid("a key needs a name", field="name")
    scopes = _key_scopes(scopes, platform="admin" in org.roles)
    key, key_hash = generate_api_key()
    api_key = ApiKey(organisation_id=organisation_id, name=name, key_hash=key_hash, scopes=scopes)
    work.records.add(api_key)
    work.records.flush()
    work.publish(
        events.API_KEY_CREATED,
        organisation_id,
        {
            "key_id": api_key.id,
            "organisation_id": organisation_id,
            "name": name,
            "key_hash": key_hash,
            "scopes": scopes,
            "created_at": api_key.created_at.isoformat(),
        },
    )
    return api_key, key


def _key_scopes(scopes: Iterable[str], *, platform: bool) -> list[str]:
    allowed = role_table.ORGANISATION_ROLES + (role_table.PLATFORM_ROLES if platform else ())
    scopes = sorted(set(scopes))
    if not scopes:
        raise Invalid('a key needs at least one scope, e.g. ["owner"]', field="scopes")
    for scope in scopes:
        if scope not in allowed:
            raise Invalid(
                f"{scope!r} is not a scope a key of this organisation may carry: "
                f"one of {', '.join(allowed)}",
                field="scopes",
            )
    return scopes


def revoke_api_key(
    uow: UnitOfWork | CatalogWork,
    organisation_id: str,
    key_id: str,
    clock: Callable[[], datetime] = utcnow,
) -> ApiKey:
    work = catalog_work(uow)
    api_key = work.records.api_key(key_id)
    if api_key is None or api_key.organisation_id != organisation_id:
        raise NotFound(f"API key {key_id} does not exist")
    if api_key.revoked_at is None:
        api_key.revoked_at = clock()
        work.publish(
            events.API_KEY_REVOKED,
            organisation_id,
            {
                "key_id": key_id,
                "organisation_id": organisation_id,
                "revoked_at": api_key.revoked_at.isoformat(),
            },
        )
    return api_key


def principal_for(
    session: Session, key_hash: str, clock: Callable[[], datetime] = utcnow
) -> Principal | None:
    """The catalog answers from its own tables; the other services from their projection."""
    row = session.execute(
        sa.select(ApiKey, Organisation.roles)
        .join(Organisation)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    api_key, roles = row
    now = clock()
    if last_use_due(now, api_key.last_used_at):
        api_key.last_used_at = now
    return key_principal(api_key.organisation_id, roles, api_key.id, api_key.scopes, api_key.name)
