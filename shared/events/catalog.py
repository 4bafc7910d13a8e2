"""Events published by the catalog: organisations, their API keys, IP cores.

Event-carried state transfer: each event holds the state the other services keep in their
projections, so that none of them ever has to ask the catalog.
"""
from marshmallow import fields, validate

from shared.events.registry import EventData, register

ROLES = ("vendor", "licensee", "admin")
LOCALES = ("en", "zh-Hans", "zh-Hant")
REGIONS = ("mainland_china", "hong_kong", "macau", "taiwan", "overseas")


class Contact(EventData):
    name = fields.String(required=True)
    email = fields.Email(required=True)
    notices = fields.List(fields.String(), required=True)  # see registry.notice_choices()


class Organisation(EventData):
    organisation_id = fields.String(required=True)
    legal_name_en = fields.String(required=True)
    legal_name_zh = fields.String(allow_none=True, load_default=None)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    region = fields.String(required=True, validate=validate.OneOf(REGIONS))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(required=True)
    contacts = fields.List(fields.Nested(Contact), required=True)
    version = fields.Integer(required=True)


@register("ipmarket.organisation.registered.v1")
class OrganisationRegistered(Organisation):
    pass


@register("ipmarket.organisation.updated.v1")
class OrganisationUpdated(Organisation):
    pass


@register("ipmarket.api_key.created.v1")
class ApiKeyCreated(EventData):
    key_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    name = fields.String(required=True)
    # SHA-256 of the key: enough for another service to recognise it, useless to present.
    key_hash = fields.String(required=True, validate=validate.Length(equal=64))
    created_at = fields.AwareDateTime(required=True)


@register("ipmarket.api_key.revoked.v1")
class ApiKeyRevoked(EventData):
    key_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    revoked_at = fields.AwareDateTime(required=True)


@register("ipmarket.vendor_name.confirmed.v1")
class VendorNameConfirmed(EventData):
    """The operator confirmed an organisation's claim of a VLNV vendor name: it may now publish
    cores under it."""

    claim_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    name = fields.String(required=True)  # e.g. "xinyuan-micro.cn", lower case
    status = fields.String(required=True, validate=validate.OneOf(("confirmed", "declined")))
    reason = fields.String(allow_none=True, load_default=None)
    decided_at = fields.AwareDateTime(required=True)


@register("ipmarket.vendor_name.declined.v1")
class VendorNameDeclined(VendorNameConfirmed):
    pass


# --- IP cores ---------------------------------------------------------------------------------

class Vlnv(EventData):
    vendor = fields.String(required=True)
    library = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.String(required=True)


class Money(EventData):
    amount = fields.Decimal(required=True, as_string=True)  # exact; never a float
    currency = fields.String(required=True, validate=validate.OneOf(("USD", "CNY", "HKD")))


class Offer(EventData):
    offer_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(
        ("evaluation", "single_project", "multi_project", "perpetual", "royalty_bearing")))
    price = fields.Nested(Money, allow_none=True, load_default=None)  # None: on request/free
    on_request = fields.Boolean(required=True)
    term_months = fields.Integer(allow_none=True, load_default=None)  # None: perpetual
    seats = fields.Integer(allow_none=True, load_default=None)
    requires_approval = fields.Boolean(required=True)
    royalty_percent = fields.Decimal(as_string=True, allow_none=True, load_default=None)


class Deliverable(EventData):
    kind = fields.String(required=True)
    name = fields.String(required=True)
    sha256 = fields.String(required=True, validate=validate.Length(equal=64))


class Core(EventData):
    """One core version, as the licensing and notify services need to know it."""

    core_id = fields.String(required=True)
    vendor_id = fields.String(required=True)  # the owning organisation
    vlnv = fields.Nested(Vlnv, required=True)
    title_en = fields.String(required=True)
    title_zh = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ("draft", "published", "deprecated", "withdrawn")))
    eccn = fields.String(required=True)  # e.g. EAR99, 3E001
    territory_restrictions = fields.List(fields.String(), required=True)  # ISO 3166 alpha-2
    standards = fields.List(fields.String(), required=True)
    deliverables = fields.List(fields.Nested(Deliverable), required=True)
    offers = fields.List(fields.Nested(Offer), required=True)
    version = fields.Integer(required=True)  # increases with every change of this record


@register("ipmarket.core.published.v1")
class CorePublished(Core):
    pass


@register("ipmarket.core.updated.v1")
class CoreUpdated(Core):
    pass


@register("ipmarket.core.deprecated.v1")
class CoreDeprecated(Core):
    pass


@register("ipmarket.core.withdrawn.v1")
class CoreWithdrawn(Core):
    pass
