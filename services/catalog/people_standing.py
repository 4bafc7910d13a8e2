"""The catalog's answers for checking a person's access token on its own API (the ServiceContext's
`people`, as shared/people_directory.PeopleDirectory is in the other services): it reads its own
tables, so a session ended, a person disabled or a membership changed holds at once here."""

from __future__ import annotations

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from services.catalog.models import Organisation
from services.catalog.people_models import Membership, Person, PersonSession, TokenKey
from shared.access_tokens import AccessClaims
from shared.person_principal import Membership as MembershipHeld
from shared.person_principal import Standing


class CatalogPeople:
    def token_keys(self, session: Session) -> dict[str, Ed25519PublicKey]:
        return {
            key.kid: Ed25519PrivateKey.from_private_bytes(key.secret).public_key()
            for key in session.scalars(sa.select(TokenKey).where(TokenKey.purpose == "access"))
        }

    def standing(self, session: Session, claims: AccessClaims) -> Standing:
        person = session.get(Person, claims.person_id)
        live = session.get(PersonSession, claims.session_id)
        rows = session.execute(
            sa.select(Membership.organisation_id, Membership.roles, Organisation.roles)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.person_id == claims.person_id)
        )
        platform = None
        platform_roles = frozenset(person.platform_roles) if person is not None else frozenset()
        if platform_roles:
            platform = next(
                (
                    (organisation_id, frozenset(kinds))
                    for organisation_id, kinds in session.execute(
                        sa.select(Organisation.id, Organisation.roles).where(
                            sa.cast(Organisation.roles, sa.String).like('%"admin"%')
                        )
                    )
                    if "admin" in kinds
                ),
                None,
            )
        return Standing(
            session_ended=live is None
            or live.ended_at is not None
            or live.person_id != claims.person_id,
            person_disabled=person is None or person.disabled_at is not None,
            memberships={
                organisation_id: MembershipHeld(frozenset(roles), frozenset(kinds))
                for organisation_id, roles, kinds in rows
            },
            name=person and (person.name_zh or person.name_en),
            platform_organisation=platform,
            platform_roles=platform_roles,
        )
