"""Events published by the catalog: organisations, their API keys, IP cores (its people events
are in shared/events/people.py).

Event-carried state transfer: each event holds the state the other services keep in their
projections, so that none of them ever has to ask the catalog.
"""

from decimal import Decimal

from marshmallow import fields, validate

from shared import bounds
from shared.events.registry import EventData, register
from shared.roles import KEY_SCOPES

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
    # The roles the key acts with (shared/roles.py); absent in events from before scopes, when
    # every key was its organisation's owner.
    scopes = fields.List(
        fields.String(validate=validate.OneOf(KEY_SCOPES)),
        validate=validate.Length(min=1, max=len(KEY_SCOPES)),
    )
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


# A person found nothing for their search and asks the vendors of a category for IP.
IP_REQUESTED = "ipmarket.ip_request.sent.v1"
MAX_VENDORS_TOLD = 200  # the catalog tells at most this many vendors of one category


@register(IP_REQUESTED)
class IpRequested(EventData):
    """Who asks for what: the requesting organisation and person, and the vendors that publish
    cores in the category (resolved by the catalog: notify tells each of them)."""

    ip_request_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)  # the one asking
    category = fields.String(required=True, validate=CODE)
    description = fields.String(required=True, validate=validate.Length(min=1, max=bounds.MAX_TEXT))
    node = fields.String(allow_none=True, load_default=None, validate=CODE)
    foundry = fields.String(allow_none=True, load_default=None, validate=CODE)
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact_email = fields.Email(required=True, validate=validate.Length(max=bounds.MAX_EMAIL))
    vendor_ids = fields.List(
        fields.String(validate=ID), required=True, validate=validate.Length(max=MAX_VENDORS_TOLD)
    )
