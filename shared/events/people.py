"""Events published by the catalog about people (issue 15): organisations applying, members
invited, joining and removed, persons disabled, second factors reset, and the public keys that
verify a person's access token. Field bounds as in shared/events/catalog.py.
"""

from marshmallow import fields, validate

from shared import bounds
from shared.events.catalog import ID, LOCALES, NAME
from shared.events.registry import EventData, register

ORGANISATION_APPLIED = "ipmarket.organisation_application.submitted.v1"
ORGANISATION_APPLICATION_APPROVED = "ipmarket.organisation_application.approved.v1"
ORGANISATION_APPLICATION_DECLINED = "ipmarket.organisation_application.declined.v1"
MEMBER_INVITED = "ipmarket.member.invited.v1"
MEMBER_JOINED = "ipmarket.member.joined.v1"
MEMBER_REMOVED = "ipmarket.member.removed.v1"
PERSON_DISABLED = "ipmarket.person.disabled.v1"
SECOND_FACTOR_RESET = "ipmarket.person.second_factor_reset.v1"
ACCESS_TOKEN_KEY_ANNOUNCED = "ipmarket.access_token_key.announced.v1"
MEMBER_ROLES_CHANGED = "ipmarket.member.roles_changed.v1"
SESSION_ENDED = "ipmarket.session.ended.v1"
PASSWORD_RESET_REQUESTED = "ipmarket.password_reset.requested.v1"
SIGNED_IN_FROM_NEW_DEVICE = "ipmarket.person.signed_in_from_new_device.v1"
PLATFORM_ROLES_CHANGED = "ipmarket.person.platform_roles_changed.v1"
SETTINGS_CHANGED = "ipmarket.person.settings_changed.v1"
# Notify consumes all but the token keys and ended sessions (its people projection, and the
# e-mails of invitations, applications, resets, new devices); the other services' checks of a
# person's credential come next. Tests that want every event consumed skip those.
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
    MEMBER_ROLES_CHANGED,
    SESSION_ENDED,
    PASSWORD_RESET_REQUESTED,
    SIGNED_IN_FROM_NEW_DEVICE,
    PLATFORM_ROLES_CHANGED,
    SETTINGS_CHANGED,
)

ORGANISATION_KINDS = ("vendor", "licensee")
MEMBER_ROLES = ("owner", "publisher", "approver", "buyer", "finance", "viewer")
PLATFORM_ROLES = ("operator", "export_reviewer")
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
    # Optional (older events lack them): the person's own language and time zone (None: the
    # organisation's), and their platform roles, by which notify finds the export reviewers.
    locale = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(LOCALES))
    timezone = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=64)
    )
    platform_roles = fields.List(
        fields.String(validate=validate.OneOf(PLATFORM_ROLES)),
        load_default=list,
        validate=validate.Length(max=len(PLATFORM_ROLES)),
    )


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


@register(MEMBER_ROLES_CHANGED)
class MemberRolesChanged(EventData):
    """A member's roles in an organisation are now `roles` (a person's credential carries
    these from now on, in every service)."""

    person_id = fields.String(required=True, validate=ID)
    organisation_id = fields.String(required=True, validate=ID)
    roles = fields.List(
        fields.String(validate=validate.OneOf(MEMBER_ROLES)),
        required=True,
        validate=validate.Length(max=len(MEMBER_ROLES)),
    )
    changed_at = fields.AwareDateTime(required=True)


@register(SESSION_ENDED)
class SessionEnded(EventData):
    """A person's session ended (signed out, ended from another session, or by an operator):
    its access tokens stop working in every service."""

    person_id = fields.String(required=True, validate=ID)
    session_id = fields.String(required=True, validate=ID)
    ended_at = fields.AwareDateTime(required=True)


class PersonNotice(EventData):
    """Who a message about a person's own account goes to, in their language and time zone."""

    person_id = fields.String(required=True, validate=ID)
    email = fields.Email(required=True, validate=EMAIL)
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_zh = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=200)
    )
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(required=True, validate=validate.Length(min=1, max=64))


@register(PASSWORD_RESET_REQUESTED)
class PasswordResetRequested(PersonNotice):
    """Someone asked to reset this person's password. `link_token` goes into the e-mail's link:
    signed, single-use, expiring at `expires_at` (notify renders it; nothing else may use it)."""

    link_token = fields.String(required=True, validate=validate.Length(min=1, max=300))
    expires_at = fields.AwareDateTime(required=True)


@register(SIGNED_IN_FROM_NEW_DEVICE)
class SignedInFromNewDevice(PersonNotice):
    """The person signed in from a browser or device not seen before for them."""

    session_id = fields.String(required=True, validate=ID)
    user_agent = fields.String(required=True, validate=validate.Length(max=500))
    client_address = fields.String(required=True, validate=validate.Length(max=45))
    signed_in_at = fields.AwareDateTime(required=True)


@register(PLATFORM_ROLES_CHANGED)
class PlatformRolesChanged(EventData):
    """A person's platform roles are now `platform_roles` (none: no longer any): every service
    holds a person's platform roles by this, not by their token, and notify writes to the
    platform's people (export reviewers) by it, in their language and time zone (None: the
    platform organisation's). Keyed by person."""

    person_id = fields.String(required=True, validate=ID)
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_zh = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=200)
    )
    email = fields.Email(required=True, validate=EMAIL)
    locale = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(LOCALES))
    timezone = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=64)
    )
    platform_roles = fields.List(
        fields.String(validate=validate.OneOf(PLATFORM_ROLES)),
        required=True,
        validate=validate.Length(max=len(PLATFORM_ROLES)),
    )
    changed_at = fields.AwareDateTime(required=True)


@register(SETTINGS_CHANGED)
class SettingsChanged(EventData):
    """A person chose their own language and time zone (None: their organisation's), the ones
    notify writes to them in from now on. Keyed by person; the latest `changed_at` rules over
    the settings an older join or platform-roles event carries."""

    person_id = fields.String(required=True, validate=ID)
    locale = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(LOCALES))
    timezone = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=64)
    )
    changed_at = fields.AwareDateTime(required=True)
