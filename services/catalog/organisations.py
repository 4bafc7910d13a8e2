"""Organisations and their API keys: the platform directory. Plain domain code, no Flask."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.models import ApiKey, Organisation
from shared.auth import Principal, generate_api_key
from shared.db import utcnow
from shared.errors import NotFound
from shared.unit_of_work import UnitOfWork

# Region follows the country: Hong Kong, Macau and Taiwan are their own markets for IP licensing.
REGION_BY_COUNTRY = {"CN": "mainland_china", "HK": "hong_kong", "MO": "macau", "TW": "taiwan"}
# A key's last use is written at most this often, so that a busy key does not write every request.
LAST_USED_RESOLUTION_SECONDS = 60


def region_for(country: str) -> str:
    return REGION_BY_COUNTRY.get(country.upper(), "overseas")


def organisation_state(org: Organisation) -> dict:
    """The event-carried state other services keep of an organisation."""
    return {
        "organisation_id": org.id, "legal_name_en": org.legal_name_en,
        "legal_name_zh": org.legal_name_zh, "country": org.country, "region": org.region,
        "roles": list(org.roles), "locale": org.locale, "timezone": org.timezone,
        "contacts": list(org.contacts), "version": org.version,
    }


def register_organisation(uow: UnitOfWork, *, legal_name_en: str, country: str, roles: list[str],
                          locale: str = "en", timezone: str = "UTC",
                          legal_name_zh: str | None = None,
                          contacts: list[dict] | None = None) -> Organisation:
    org = Organisation(legal_name_en=legal_name_en, legal_name_zh=legal_name_zh,
                       country=country.upper(), region=region_for(country), roles=sorted(roles),
                       locale=locale, timezone=timezone, contacts=contacts or [])
    uow.session.add(org)
    uow.session.flush()
    uow.publish("ipmarket.organisation.registered.v1", org.id, organisation_state(org))
    return org


def create_api_key(uow: UnitOfWork, organisation_id: str, name: str) -> tuple[ApiKey, str]:
    """A new key for the organisation; the key itself is returned once and never stored."""
    if uow.session.get(Organisation, organisation_id) is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    key, key_hash = generate_api_key()
    api_key = ApiKey(organisation_id=organisation_id, name=name, key_hash=key_hash)
    uow.session.add(api_key)
    uow.session.flush()
    uow.publish("ipmarket.api_key.created.v1", organisation_id, {
        "key_id": api_key.id, "organisation_id": organisation_id, "name": name,
        "key_hash": key_hash, "created_at": api_key.created_at.isoformat()})
    return api_key, key


def revoke_api_key(uow: UnitOfWork, organisation_id: str, key_id: str) -> ApiKey:
    api_key = uow.session.get(ApiKey, key_id)
    if api_key is None or api_key.organisation_id != organisation_id:
        raise NotFound(f"API key {key_id} does not exist")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        uow.publish("ipmarket.api_key.revoked.v1", organisation_id, {
            "key_id": key_id, "organisation_id": organisation_id,
            "revoked_at": api_key.revoked_at.isoformat()})
    return api_key


def principal_for(session: Session, key_hash: str) -> Principal | None:
    """The catalog answers from its own tables; the other services from their projection."""
    row = session.execute(
        sa.select(ApiKey, Organisation.roles).join(Organisation)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    api_key, roles = row
    now = utcnow()
    if api_key.last_used_at is None or _seconds(now, api_key.last_used_at) > \
            LAST_USED_RESOLUTION_SECONDS:
        api_key.last_used_at = now
    return Principal(organisation_id=api_key.organisation_id, roles=frozenset(roles),
                     key_id=api_key.id)


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()
