"""Organisations and their API keys: the platform directory. Plain domain code, no Flask."""
from __future__ import annotations

import functools
import re
from datetime import datetime
from zoneinfo import available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.models import ApiKey, Core, Organisation
from services.catalog.search import index_core
from shared.countries import checked_country
from shared.db.schema import utcnow
from shared.directory import Principal, generate_api_key
from shared.errors import (
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from shared.events.catalog import LOCALES, ROLES
from shared.events.registry import notice_choices
from shared.messaging.unit_of_work import UnitOfWork

# Region follows the country: Hong Kong, Macau and Taiwan are their own markets for IP licensing.
REGION_BY_COUNTRY = {"CN": "mainland_china", "HK": "hong_kong", "MO": "macau", "TW": "taiwan"}
# A key's last use is written at most this often, so that a busy key does not write every request.
LAST_USED_RESOLUTION_SECONDS = 60


def region_for(country: str) -> str:
    return REGION_BY_COUNTRY.get(country.upper(), "overseas")


def _check_profile(*, timezone: str, locale: str, roles: list[str],
                   contacts: list[dict]) -> None:
    if timezone not in _time_zone_set():
        raise Invalid(f"{timezone!r} is not an IANA time zone", field="timezone")
    if locale not in LOCALES:
        raise Invalid(f"locale must be one of {', '.join(LOCALES)}", field="locale")
    if not roles:
        raise Invalid("an organisation needs at least one role", field="roles")
    for i, role in enumerate(roles):
        if role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}", field=f"roles.{i}")
    choices = notice_choices()
    for i, contact in enumerate(contacts):
        for j, notice in enumerate(contact.get("notices", [])):
            if notice not in choices:
                raise Invalid(f"{notice!r} is not a notice: use 'all', a group such as "
                              f"'license' or an event type", field=f"contacts.{i}.notices.{j}")


@functools.cache
def _time_zone_set() -> frozenset[str]:
    return frozenset(time_zones())


@functools.cache
def time_zones() -> list[str]:
    return sorted(available_timezones())  # reads the tz database: once is enough


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
    country = checked_country(country)
    _check_profile(timezone=timezone, locale=locale, roles=roles, contacts=contacts or [])
    org = Organisation(legal_name_en=legal_name_en, legal_name_zh=legal_name_zh,
                       country=country, region=region_for(country), roles=sorted(set(roles)),
                       locale=locale, timezone=timezone, contacts=contacts or [])
    uow.session.add(org)
    uow.session.flush()
    uow.publish("ipmarket.organisation.registered.v1", org.id, organisation_state(org))
    return org


# What an organisation may change of its own profile; roles are the platform operator's call.
PROFILE_FIELDS = ("legal_name_en", "legal_name_zh", "country", "locale", "timezone", "contacts")


def get_organisation(session: Session, principal: Principal, organisation_id: str
                     ) -> Organisation:
    """An organisation sees its own profile; the operator sees every one. Others get 404, so
    that the directory cannot be probed."""
    org = session.get(Organisation, organisation_id)
    if org is None or not (principal.is_admin or principal.organisation_id == org.id):
        raise NotFound(f"organisation {organisation_id} does not exist")
    return org


def update_organisation(uow: UnitOfWork, principal: Principal, organisation_id: str,
                        if_match: str | None, changes: dict) -> Organisation:
    org = get_organisation(uow.session, principal, organisation_id)
    if not changes:
        raise Invalid("the request changes nothing", field="body")
    check_version(org.version, if_match, required=True)
    if "roles" in changes and not principal.is_admin:
        raise Forbidden("only the platform operator changes an organisation's roles",
                        field="roles")
    unknown = set(changes) - set(PROFILE_FIELDS) - {"roles"}
    if unknown:
        raise Invalid("not a profile field", field=sorted(unknown)[0])
    if "country" in changes:
        changes["country"] = checked_country(changes["country"])
    if "roles" in changes:
        changes["roles"] = sorted(set(changes["roles"]))
    merged = {name: changes.get(name, getattr(org, name))
              for name in ("timezone", "locale", "roles", "contacts")}
    _check_profile(**merged)
    for name, value in changes.items():
        setattr(org, name, value)
    if "country" in changes and region_for(org.country) != org.region:
        org.region = region_for(org.country)
        # The vendor-region facet of its cores follows the organisation.
        for core in uow.session.scalars(sa.select(Core).where(Core.vendor_id == org.id)):
            core.vendor_region = org.region
            index_core(core)
    uow.session.flush()  # bumps org.version (the mapper's version counter)
    uow.publish("ipmarket.organisation.updated.v1", org.id, organisation_state(org))
    return org


def check_version(current: int, if_match: str | None, *, required: bool = False) -> None:
    """Optimistic concurrency: If-Match (RFC 9110) must name the version the client read (the
    ETag is the version number), or be `*`. Checked once the caller is known to own the
    resource, so that a stranger learns nothing from it."""
    if if_match is None:
        if required:
            raise PreconditionRequired("send If-Match with the ETag you read", field="If-Match")
        return
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return
    named = {int(m.group(1)) for m in (re.fullmatch(r'(?:W/)?"(\d{1,18})"', t) for t in tags) if m}
    if not named:
        raise PreconditionFailed(f"If-Match {if_match!r} names no version of this resource",
                                 field="If-Match")
    if current not in named:
        raise PreconditionFailed(
            f"the resource changed since you read it (version {current}, If-Match names "
            f"{', '.join(map(str, sorted(named)))}); read it again and retry", field="If-Match")


def list_api_keys(session: Session, principal: Principal, organisation_id: str) -> list[ApiKey]:
    get_organisation(session, principal, organisation_id)
    return list(session.scalars(sa.select(ApiKey).where(ApiKey.organisation_id == organisation_id)
                                .order_by(ApiKey.created_at, ApiKey.id)))


def create_api_key(uow: UnitOfWork, organisation_id: str, name: str) -> tuple[ApiKey, str]:
    """A new key for the organisation; the key itself is returned once and never stored."""
    if uow.session.get(Organisation, organisation_id) is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not name.strip():
        raise Invalid("a key needs a name", field="name")
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
