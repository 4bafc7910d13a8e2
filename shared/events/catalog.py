"""Events published by the catalog: organisations, their API keys, IP cores.

Event-carried state transfer: each event holds the state the other services keep in their
projections, so that none of them ever has to ask the catalog.
"""

from decimal import Decimal

from marshmallow import fields, validate

from shared import bounds
from shared.events.registry import EventData, register

# Every field is bounded as the catalog's API bounds it, within what every consumer stores
# (tests/shared/test_event_contract.py handles the largest valid event of each type).
ID = validate.Length(min=1, max=bounds.MAX_ID)
NAME = validate.Length(min=1, max=bounds.MAX_NAME)
CODE = validate.Length(min=1, max=bounds.MAX_CODE)
VERSION = validate.Range(min=1, max=bounds.VERSION_MAX)
ROLES = ("vendor", "licensee", "admin")
LOCALES = ("en", "zh-Hans", "zh-Hant")
REGIONS = ("mainland_china", "hong_kong", "macau", "taiwan", "overseas")

# The event types the catalog emits: publishers and consumers name them from here, never as
# string literals.
ORGANISATION_REGISTERED = "ipmarket.organisation.registered.v1"
ORGANISATION_UPDATED = "ipmarket.organisation.updated.v1"
API_KEY_CREATED = "ipmarket.api_key.created.v1"
API_KEY_REVOKED = "ipmarket.api_key.revoked.v1"
VENDOR_NAME_CONFIRMED = "ipmarket.vendor_name.confirmed.v1"
VENDOR_NAME_DECLINED = "ipmarket.vendor_name.declined.v1"
CORE_PUBLISHED = "ipmarket.core.published.v1"
CORE_UPDATED = "ipmarket.core.updated.v1"
CORE_DEPRECATED = "ipmarket.core.deprecated.v1"
CORE_WITHDRAWN = "ipmarket.core.withdrawn.v1"


class Contact(EventData):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True, validate=validate.Length(max=bounds.MAX_EMAIL))
    notices = fields.List(
        fields.String(validate=validate.Length(min=1, max=128)),
        required=True,
        validate=validate.Length(max=bounds.MAX_NOTICES),
    )
    # see notices.notice_choices()


class Organisation(EventData):
    organisation_id = fields.String(required=True, validate=ID)
    legal_name_en = fields.String(required=True, validate=NAME)
    legal_name_zh = fields.String(allow_none=True, load_default=None, validate=NAME)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    region = fields.String(required=True, validate=validate.OneOf(REGIONS))
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(max=len(ROLES)),
    )
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(required=True, validate=CODE)
    contacts = fields.List(fields.Nested(Contact), required=True, validate=validate.Length(max=20))
    version = fields.Integer(required=True, validate=VERSION)


@register(ORGANISATION_REGISTERED)
class OrganisationRegistered(Organisation):
    pass


@register(ORGANISATION_UPDATED)
class OrganisationUpdated(Organisation):
    pass


@register(API_KEY_CREATED)
class ApiKeyCreated(EventData):
    key_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    # SHA-256 of the key: enough for another service to recognise it, useless to present.
    key_hash = fields.String(required=True, validate=validate.Length(equal=64))
    created_at = fields.AwareDateTime(required=True)


@register(API_KEY_REVOKED)
class ApiKeyRevoked(EventData):
    key_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    revoked_at = fields.AwareDateTime(required=True)


@register(VENDOR_NAME_CONFIRMED)
class VendorNameConfirmed(EventData):
    """The operator confirmed an organisation's claim of a VLNV vendor name: it may now publish
    cores under it."""

    claim_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    # e.g. "xinyuan-micro.cn", lower case; as long as a VLNV vendor may be
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    status = fields.String(required=True, validate=validate.OneOf(("confirmed", "declined")))
    reason = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=bounds.MAX_TEXT)
    )
    decided_at = fields.AwareDateTime(required=True)


@register(VENDOR_NAME_DECLINED)
class VendorNameDeclined(VendorNameConfirmed):
    pass


# --- IP cores ---------------------------------------------------------------------------------


class Vlnv(EventData):
    vendor = fields.String(required=True, validate=validate.Length(min=1, max=128))
    library = fields.String(required=True, validate=validate.Length(min=1, max=128))
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    version = fields.String(required=True, validate=CODE)


class Money(EventData):
    amount = fields.Decimal(
        required=True,
        as_string=True,  # exact; never a float
        validate=validate.Range(min=0, max=Decimal(bounds.MAX_AMOUNT)),
    )
    currency = fields.String(required=True, validate=validate.OneOf(("USD", "CNY", "HKD")))


class Offer(EventData):
    offer_id = fields.String(required=True, validate=CODE)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            ("evaluation", "single_project", "multi_project", "perpetual", "royalty_bearing")
        ),
    )
    price = fields.Nested(Money, allow_none=True, load_default=None)  # None: on request/free
    on_request = fields.Boolean(required=True)
    term_months = fields.Integer(
        allow_none=True,
        load_default=None,  # None: perpetual
        validate=validate.Range(min=1, max=600),
    )
    seats = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=100000)
    )
    requires_approval = fields.Boolean(required=True)
    royalty_percent = fields.Decimal(
        as_string=True, allow_none=True, load_default=None, validate=validate.Range(min=0, max=100)
    )


class Deliverable(EventData):
    kind = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    sha256 = fields.String(required=True, validate=validate.Length(equal=64))


class Core(EventData):
    """One core version, as the licensing and notify services need to know it."""

    core_id = fields.String(required=True, validate=ID)
    vendor_id = fields.String(required=True, validate=ID)  # the owning organisation
    vlnv = fields.Nested(Vlnv, required=True)
    title_en = fields.String(required=True, validate=NAME)
    title_zh = fields.String(allow_none=True, load_default=None, validate=NAME)
    category = fields.String(required=True, validate=CODE)
    status = fields.String(
        required=True, validate=validate.OneOf(("draft", "published", "deprecated", "withdrawn"))
    )
    eccn = fields.String(required=True, validate=validate.Length(min=1, max=8))  # EAR99, 3E001
    territory_restrictions = fields.List(  # ISO 3166 alpha-2
        fields.String(validate=validate.Length(equal=2)),
        required=True,
        validate=validate.Length(max=bounds.MAX_LIST),
    )
    standards = fields.List(
        fields.String(validate=CODE), required=True, validate=validate.Length(max=bounds.MAX_LIST)
    )
    deliverables = fields.List(
        fields.Nested(Deliverable), required=True, validate=validate.Length(max=bounds.MAX_LIST)
    )
    offers = fields.List(fields.Nested(Offer), required=True, validate=validate.Length(max=10))
    # Increases with every change of this record, drafts' included: a consumer sees gaps.
    version = fields.Integer(required=True, validate=VERSION)


@register(CORE_PUBLISHED)
class CorePublished(Core):
    pass


@register(CORE_UPDATED)
class CoreUpdated(Core):
    pass


@register(CORE_DEPRECATED)
class CoreDeprecated(Core):
    pass


@register(CORE_WITHDRAWN)
class CoreWithdrawn(Core):
    pass


# --- people (issue 15) ------------------------------------------------------------------------

ORGANISATION_APPLIED = "ipmarket.organisation_application.submitted.v1"
ORGANISATION_APPLICATION_APPROVED = "ipmarket.organisation_application.approved.v1"
ORGANISATION_APPLICATION_DECLINED = "ipmarket.organisation_application.declined.v1"
MEMBER_INVITED = "ipmarket.member.invited.v1"
MEMBER_JOINED = "ipmarket.member.joined.v1"
MEMBER_REMOVED = "ipmarket.member.removed.v1"
PERSON_DISABLED = "ipmarket.person.disabled.v1"
SECOND_FACTOR_RESET = "ipmarket.person.second_factor_reset.v1"
ACCESS_TOKEN_KEY_ANNOUNCED = "ipmarket.access_token_key.announced.v1"
# Consumed by nobody yet: notify's e-mails of them (invitations first) and the other services'
# checks of a person's credential come next. Tests that want every event consumed skip these.
PEOPLE_EVENTS = (
    ORGANISATION_APPLIED,
    ORGANISATION_APPLICATION_APPROVED,
    ORGANISATION_APPLICATION_DECLINED,
    MEMBER_INVITED,
    MEMBER_JOINED,
    MEMBER_REMOVED,
    PERSON_DISABLED,
    SECOND_FACTOR_RESET,
    ACCESS_TOKEN_KEY_ANNOUNCED,
)

ORGANISATION_KINDS = ("vendor", "licensee")
MEMBER_ROLES = ("owner", "publisher", "approver", "buyer", "finance", "viewer")
EMAIL = validate.Length(min=3, max=bounds.MAX_EMAIL)


class OrganisationApplication(EventData):
    application_id = fields.String(required=True, validate=ID)
    legal_name_en = fields.String(required=True, validate=NAME)
    legal_name_zh = fields.String(allow_none=True, load_default=None, validate=NAME)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    registration_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    roles = fields.List(
        fields.String(validate=validate.OneOf(ORGANISATION_KINDS)),
        required=True,
        validate=validate.Length(min=1, max=2),
    )
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact_email = fields.Email(required=True, validate=EMAIL)
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    status = fields.String(
        required=True, validate=validate.OneOf(("pending", "approved", "declined"))
    )
    reason = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=bounds.MAX_TEXT)
    )
    organisation_id = fields.String(allow_none=True, load_default=None, validate=ID)
    decided_at = fields.AwareDateTime(allow_none=True, load_default=None)


@register(ORGANISATION_APPLIED)
class OrganisationApplied(OrganisationApplication):
    """For the platform's operators: an application waits for their decision."""


@register(ORGANISATION_APPLICATION_APPROVED)
class OrganisationApplicationApproved(OrganisationApplication):
    pass


@register(ORGANISATION_APPLICATION_DECLINED)
class OrganisationApplicationDeclined(OrganisationApplication):
    pass


@register(MEMBER_INVITED)
class MemberInvited(EventData):
    """Someone is invited to join an organisation. `link_token` goes into the e-mail's link:
    signed, single-use, expiring at `expires_at` (notify renders it; nothing else may use it)."""

    invitation_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    email = fields.Email(required=True, validate=EMAIL)
    roles = fields.List(
        fields.String(validate=validate.OneOf(MEMBER_ROLES)),
        required=True,
        validate=validate.Length(min=1, max=len(MEMBER_ROLES)),
    )
    invited_by = fields.String(allow_none=True, load_default=None, validate=ID)
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    link_token = fields.String(required=True, validate=validate.Length(min=1, max=300))
    expires_at = fields.AwareDateTime(required=True)


@register(MEMBER_JOINED)
class MemberJoined(EventData):
    """A person is a member of an organisation with these roles (the state other services keep
    to check a person's credential)."""

    person_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_zh = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=200)
    )
    email = fields.Email(required=True, validate=EMAIL)
    roles = fields.List(
        fields.String(validate=validate.OneOf(MEMBER_ROLES)),
        required=True,
        validate=validate.Length(max=len(MEMBER_ROLES)),
    )
    joined_at = fields.AwareDateTime(required=True)


@register(MEMBER_REMOVED)
class MemberRemoved(EventData):
    """The person no longer acts for the organisation: refuse their credential for it."""

    person_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    removed_at = fields.AwareDateTime(required=True)


@register(PERSON_DISABLED)
class PersonDisabled(EventData):
    person_id = fields.String(required=True, validate=ID)
    disabled_at = fields.AwareDateTime(required=True)


@register(SECOND_FACTOR_RESET)
class SecondFactorReset(EventData):
    """An operator removed a person's second factor (they set a new one at the next sign-in)."""

    person_id = fields.String(required=True, validate=ID)
    reset_at = fields.AwareDateTime(required=True)


@register(ACCESS_TOKEN_KEY_ANNOUNCED)
class AccessTokenKeyAnnounced(EventData):
    """A public key that verifies the catalog's access tokens for people (EdDSA, Ed25519),
    so that every service checks a person's token without asking the catalog."""

    kid = fields.String(required=True, validate=ID)
    algorithm = fields.String(required=True, validate=validate.OneOf(("EdDSA",)))
    public_key = fields.String(required=True, validate=validate.Length(equal=43))  # base64url
    created_at = fields.AwareDateTime(required=True)
