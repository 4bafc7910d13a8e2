"""The role boundary of every endpoint of the four services: which organisation kind it is
for and exactly which roles (API key scopes, or a person's roles) may use it. Written out role
by role rather than derived from shared/roles.ACTIONS, so that a view naming the wrong action
fails here. An endpoint missing from this table fails the test: a new endpoint needs a row."""

from __future__ import annotations

from dataclasses import dataclass

from shared.roles import (
    APPROVER,
    BUYER,
    EXPORT_REVIEWER,
    FINANCE,
    OPERATOR,
    OWNER,
    PUBLISHER,
    VIEWER,
)

EVERY_MEMBER = (OWNER, PUBLISHER, APPROVER, BUYER, FINANCE, VIEWER)


@dataclass(frozen=True)
class Boundary:
    """`kind`: the organisation the credentials belong to (vendor, licensee, or admin for the
    platform's own); `allowed`: the roles that pass, every other one gets 403 (or 404 where
    `hidden`, so that a refusal does not tell whether the thing exists)."""

    kind: str
    allowed: frozenset[str]
    hidden: bool = False


PUBLIC = None  # needs no credential: search, core pages, verification, JWKS, health
# A person's own account (their passkeys): a person of any role, never an API key (403).
PERSONAL = "a person's own account"


def vendor(*roles: str) -> Boundary:
    return Boundary("vendor", frozenset(roles))


def licensee(*roles: str) -> Boundary:
    return Boundary("licensee", frozenset(roles))


def platform(*roles: str) -> Boundary:
    # The platform's owner (its unscoped keys) may do all the platform may.
    return Boundary("admin", frozenset((OWNER, *roles)))


COMMON = {
    "GET /openapi.json": PUBLIC,
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
}

CATALOG = COMMON | {
    "POST /v1/organisations": platform(OPERATOR),
    "GET /v1/organisations": platform(OPERATOR),
    "GET /v1/organisations/<organisation_id>": vendor(*EVERY_MEMBER),
    "PATCH /v1/organisations/<organisation_id>": vendor(OWNER),
    "POST /v1/organisations/<organisation_id>/api-keys": vendor(OWNER),
    "GET /v1/organisations/<organisation_id>/api-keys": vendor(OWNER, VIEWER),
    "DELETE /v1/organisations/<organisation_id>/api-keys/<key_id>": vendor(OWNER),
    "POST /v1/organisations/<organisation_id>/vendor-name-claims": vendor(OWNER, PUBLISHER),
    "GET /v1/organisations/<organisation_id>/vendor-name-claims": vendor(*EVERY_MEMBER),
    "GET /v1/vendor-name-claims": platform(OPERATOR),
    "POST /v1/vendor-name-claims/<id:claim_id>/confirm": platform(OPERATOR),
    "POST /v1/vendor-name-claims/<id:claim_id>/decline": platform(OPERATOR),
    "GET /v1/cores": PUBLIC,
    "GET /v1/cores/taxonomy": PUBLIC,
    "POST /v1/cores": vendor(OWNER, PUBLISHER),
    "POST /v1/cores/import": vendor(OWNER, PUBLISHER),
    "GET /v1/cores/<id:core_id>": PUBLIC,
    "GET /v1/cores/<id:core_id>/versions": PUBLIC,
    "GET /v1/cores/<id:core_id>/ipxact": PUBLIC,
    "PATCH /v1/cores/<id:core_id>": vendor(OWNER, PUBLISHER),
    "POST /v1/cores/<id:core_id>/publish": vendor(OWNER, PUBLISHER),
    "POST /v1/cores/<id:core_id>/deprecate": vendor(OWNER, PUBLISHER),
    "POST /v1/cores/<id:core_id>/withdraw": vendor(OWNER, PUBLISHER),
    "POST /v1/organisation-applications": PUBLIC,
    "GET /v1/organisation-applications": platform(OPERATOR),
    "GET /v1/organisation-applications/<id:application_id>": platform(OPERATOR),
    "POST /v1/ip-requests": licensee(*EVERY_MEMBER),
    "POST /v1/organisation-applications/<id:application_id>/approve": platform(OPERATOR),
    "POST /v1/organisation-applications/<id:application_id>/decline": platform(OPERATOR),
    "POST /v1/organisations/<organisation_id>/invitations": vendor(OWNER),
    "DELETE /v1/organisations/<organisation_id>/invitations/<id:invitation_id>": vendor(OWNER),
    "POST /v1/invitations/accept": PUBLIC,
    "DELETE /v1/organisations/<organisation_id>/members/<id:person_id>": vendor(OWNER),
    "POST /v1/sessions": PUBLIC,
    "POST /v1/sessions/second-factor": PUBLIC,
    "POST /v1/sessions/second-factor/setup": PUBLIC,
    "POST /v1/sessions/second-factor/confirm": PUBLIC,
    "POST /v1/sessions/refresh": PUBLIC,
    "POST /v1/sessions/passkey/options": PUBLIC,
    "POST /v1/sessions/passkey": PUBLIC,
    "POST /v1/sessions/password-reset": PUBLIC,
    "POST /v1/sessions/password-reset/complete": PUBLIC,
    "POST /v1/people/me/passkeys/options": PERSONAL,
    "POST /v1/people/me/passkeys": PERSONAL,
    "GET /v1/people/me/passkeys": PERSONAL,
    "DELETE /v1/people/me/passkeys/<id:passkey_id>": PERSONAL,
    "GET /v1/people/me": PERSONAL,
    "PATCH /v1/people/me": PERSONAL,
    "GET /v1/people": platform(OPERATOR),
    "GET /v1/people/<id:person_id>": platform(OPERATOR),
    "PUT /v1/people/<id:person_id>/platform-roles": platform(OPERATOR),
    "GET /v1/people/me/sessions": PERSONAL,
    "DELETE /v1/people/me/sessions/<id:session_id>": PERSONAL,
    "POST /v1/people/me/sessions/end-others": PERSONAL,
    "POST /v1/people/me/second-factor": PERSONAL,
    "POST /v1/people/me/second-factor/confirm": PERSONAL,
    "PUT /v1/organisations/<organisation_id>/members/<id:person_id>/roles": vendor(OWNER),
    "PUT /v1/organisations/<organisation_id>/second-factor-requirement": vendor(OWNER),
    "GET /v1/organisations/<organisation_id>/members": vendor(*EVERY_MEMBER),
    "GET /v1/organisations/<organisation_id>/invitations": vendor(*EVERY_MEMBER),
}

LICENSING = COMMON | {
    "GET /.well-known/jwks.json": PUBLIC,
    "POST /v1/license-requests": licensee(OWNER, BUYER),
    "GET /v1/license-requests": licensee(*EVERY_MEMBER),
    "GET /v1/license-requests/<id:request_id>": licensee(*EVERY_MEMBER),
    "POST /v1/license-requests/<id:request_id>/approve": vendor(OWNER, APPROVER),
    "POST /v1/license-requests/<id:request_id>/reject": vendor(OWNER, APPROVER),
    "POST /v1/license-requests/<id:request_id>/review": platform(EXPORT_REVIEWER),
    "GET /v1/licenses": vendor(*EVERY_MEMBER),
    "GET /v1/licenses/status-list": PUBLIC,
    "POST /v1/licenses/verify": PUBLIC,
    "GET /v1/licenses/<id:license_id>": licensee(*EVERY_MEMBER),
    "GET /v1/licenses/<id:license_id>/file": licensee(*EVERY_MEMBER),
    "POST /v1/licenses/<id:license_id>/suspend": vendor(OWNER, APPROVER),
    "POST /v1/licenses/<id:license_id>/reinstate": vendor(OWNER, APPROVER),
    "POST /v1/licenses/<id:license_id>/revoke": vendor(OWNER, APPROVER),
    "POST /v1/licenses/<id:license_id>/renew": vendor(OWNER, APPROVER),
    "GET /v1/screening/rules": platform(OPERATOR, EXPORT_REVIEWER),
    "GET /v1/screening/rules/<int:version>": platform(OPERATOR, EXPORT_REVIEWER),
    "PUT /v1/screening/rules": platform(OPERATOR),
    "GET /v1/audit": vendor(*EVERY_MEMBER),
    "POST /v1/quotes": licensee(OWNER, BUYER),
    "GET /v1/quotes": licensee(*EVERY_MEMBER),
    "GET /v1/quotes/<id:quote_id>": vendor(*EVERY_MEMBER),
    "POST /v1/quotes/<id:quote_id>/send": vendor(OWNER, APPROVER),
    "POST /v1/quotes/<id:quote_id>/accept": licensee(OWNER, BUYER),
    "POST /v1/quotes/<id:quote_id>/decline": licensee(OWNER, BUYER),
    "POST /v1/quotes/<id:quote_id>/reject": vendor(OWNER, APPROVER),
    "POST /v1/orders": licensee(OWNER, BUYER),
    "GET /v1/orders": vendor(*EVERY_MEMBER),
    "GET /v1/orders/<id:order_id>": licensee(*EVERY_MEMBER),
    "POST /v1/orders/<id:order_id>/payments": vendor(OWNER, FINANCE),
    "POST /v1/orders/<id:order_id>/cancel": licensee(OWNER, BUYER, APPROVER),
    "POST /v1/orders/<id:order_id>/refund": vendor(OWNER, FINANCE),
    "GET /v1/orders/<id:order_id>/invoice.html": licensee(OWNER, FINANCE, VIEWER),
    "POST /v1/payments/callback": PUBLIC,  # the payment provider, checked by its signature
}

NOTIFY = COMMON | {
    "POST /v1/endpoints": vendor(OWNER),
    "GET /v1/endpoints": vendor(OWNER, VIEWER),
    "GET /v1/endpoints/<endpoint_id>": vendor(OWNER, VIEWER),
    "PATCH /v1/endpoints/<endpoint_id>": vendor(OWNER),
    "DELETE /v1/endpoints/<endpoint_id>": vendor(OWNER),
    "POST /v1/endpoints/<endpoint_id>/secret/rotate": vendor(OWNER),
    "GET /v1/endpoints/<endpoint_id>/public-key": vendor(OWNER, VIEWER),
    "GET /v1/endpoints/<endpoint_id>/attempts": vendor(OWNER, VIEWER),
    "GET /v1/endpoints/<endpoint_id>/deliveries": vendor(OWNER, VIEWER),
    "POST /v1/endpoints/<endpoint_id>/replay": vendor(OWNER),
    "POST /v1/endpoints/<endpoint_id>/test": vendor(OWNER),
    "GET /v1/deliveries": licensee(*EVERY_MEMBER),
    "GET /v1/deliveries/<delivery_id>": licensee(*EVERY_MEMBER),
    "GET /v1/deliveries/<delivery_id>/attempts": licensee(*EVERY_MEMBER),
    "POST /v1/deliveries/<delivery_id>/replay": licensee(OWNER),
    "GET /v1/preferences": licensee(*EVERY_MEMBER),
    "PUT /v1/preferences/<event_type>": licensee(OWNER),
    "POST /v1/watches": licensee(OWNER, BUYER),
    "GET /v1/watches": licensee(*EVERY_MEMBER),
    "DELETE /v1/watches/<watch_id>": licensee(OWNER, BUYER),
    "GET /v1/admin/dead-letters": platform(OPERATOR),
    "GET /metrics": platform(OPERATOR),
}

# A vendor's people who may see its unpublished catalogue see its files, uploads and downloads.
READS_DRAFTS = (OWNER, PUBLISHER, APPROVER, VIEWER)

DELIVERABLES = COMMON | {
    "POST /v1/cores/<id:core_id>/uploads": vendor(OWNER, PUBLISHER),
    "GET /v1/uploads": vendor(*READS_DRAFTS),
    "GET /v1/uploads/<id:upload_id>": vendor(OWNER, PUBLISHER),
    "DELETE /v1/uploads/<id:upload_id>": vendor(OWNER, PUBLISHER),
    "PUT /v1/uploads/<id:upload_id>/parts/<int:number>": vendor(OWNER, PUBLISHER),
    "POST /v1/uploads/<id:upload_id>/complete": vendor(OWNER, PUBLISHER),
    "GET /v1/cores/<id:core_id>/deliverables": vendor(*READS_DRAFTS),
    "GET /v1/cores/<id:core_id>/downloads": vendor(*READS_DRAFTS),
    "POST /v1/recipient-keys": licensee(OWNER),
    "GET /v1/recipient-keys": licensee(*EVERY_MEMBER),
    "DELETE /v1/recipient-keys/<id:key_id>": licensee(OWNER),
    # A copy of the IP: its owner and buyers (who obtain licenses), not every reader.
    "GET /v1/deliverables/<id:deliverable_id>/content": licensee(OWNER, BUYER),
    "GET /v1/licenses/<id:license_id>/package": licensee(OWNER, BUYER),
    # What a package's link serves: the link's signature is the credential.
    "GET /v1/package-files/<id:package_file_id>/content": PUBLIC,
    "GET /.well-known/jwks.json": PUBLIC,
    "GET /v1/downloads": licensee(*EVERY_MEMBER),
}

BOUNDARIES = {
    "catalog": CATALOG,
    "licensing": LICENSING,
    "notify": NOTIFY,
    "deliverables": DELIVERABLES,
}
