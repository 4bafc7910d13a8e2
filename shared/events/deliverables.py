"""Events published by the deliverables service: the files of a core version."""

from marshmallow import fields, validate

from shared import bounds
from shared.events.catalog import CODE, ID, NAME, VERSION, Vlnv
from shared.events.registry import EventData, register

DELIVERABLE_UPLOADED = "ipmarket.deliverable.uploaded.v1"
DELIVERABLE_DOWNLOADED = "ipmarket.deliverable.downloaded.v1"
DELIVERABLES_READY = "ipmarket.deliverables.ready.v1"
DELIVERABLES_DAILY_DIGEST = "ipmarket.deliverables.daily_digest.v1"
DELIVERABLES_EVENTS = (
    DELIVERABLE_UPLOADED,
    DELIVERABLE_DOWNLOADED,
    DELIVERABLES_READY,
    DELIVERABLES_DAILY_DIGEST,
)
DIGEST_ENTRIES = 50  # the busiest (license, file) pairs of a day a digest lists
SHA256 = validate.Length(equal=64)  # (hex, as the catalog's deliverables: produced here only)


class Actor(EventData):
    kind = fields.String(required=True, validate=validate.OneOf(("person", "key")))
    id = fields.String(allow_none=True, load_default=None, validate=ID)
    name = fields.String(allow_none=True, load_default=None, validate=NAME)
    organisation_id = fields.String(allow_none=True, load_default=None, validate=ID)


@register(DELIVERABLE_UPLOADED)
class DeliverableUploaded(EventData):
    """A vendor's file for a core version arrived whole and matched its declared SHA-256.
    Files are immutable: the same name uploaded again is a new `revision`."""

    deliverable_id = fields.String(required=True, validate=ID)
    core_id = fields.String(required=True, validate=ID)
    vendor_id = fields.String(required=True, validate=ID)
    kind = fields.String(required=True, validate=CODE)
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    revision = fields.Integer(required=True, validate=VERSION)
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=bounds.INT64_MAX))
    sha256 = fields.String(required=True, validate=SHA256)
    protection = fields.String(allow_none=True, load_default=None, validate=CODE)
    uploaded_at = fields.AwareDateTime(required=True)
    uploaded_by = fields.Nested(Actor, required=True)


@register(DELIVERABLE_DOWNLOADED)
class DeliverableDownloaded(EventData):
    """A copy of a deliverable left for a licensee, encrypted to its keys: the vendor's audit."""

    download_id = fields.String(required=True, validate=ID)
    deliverable_id = fields.String(required=True, validate=ID)
    core_id = fields.String(required=True, validate=ID)
    vendor_id = fields.String(required=True, validate=ID)
    licensee_id = fields.String(required=True, validate=ID)
    license_id = fields.String(required=True, validate=ID)
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    sha256 = fields.String(required=True, validate=SHA256)
    address = fields.String(required=True, validate=validate.Length(min=1, max=45))
    downloaded_at = fields.AwareDateTime(required=True)
    downloaded_by = fields.Nested(Actor, required=True)


@register(DELIVERABLES_READY)
class DeliverablesReady(EventData):
    """A licensee's package is ready: every file its license grants, encrypted to its age keys,
    and the signed manifest beside them. One per package: a file added to the version or a key
    registered makes a new package, and a new event."""

    package_id = fields.String(required=True, validate=ID)
    license_id = fields.String(required=True, validate=ID)
    licensee_id = fields.String(required=True, validate=ID)
    vendor_id = fields.String(required=True, validate=ID)
    core_id = fields.String(required=True, validate=ID)
    vlnv = fields.Nested(Vlnv, required=True)
    file_count = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    size = fields.Integer(required=True, validate=validate.Range(min=1, max=bounds.INT64_MAX))
    package_url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    ready_at = fields.AwareDateTime(required=True)


class DigestEntry(EventData):
    """One file downloaded under one license during the day."""

    license_id = fields.String(required=True, validate=ID)
    licensee_id = fields.String(required=True, validate=ID)
    core_id = fields.String(required=True, validate=ID)
    file_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    downloads = fields.Integer(required=True, validate=validate.Range(min=1, max=bounds.INT64_MAX))
    addresses = fields.Integer(required=True, validate=validate.Range(min=1, max=bounds.INT64_MAX))
    last_downloaded_at = fields.AwareDateTime(required=True)


@register(DELIVERABLES_DAILY_DIGEST)
class DeliverablesDailyDigest(EventData):
    """A vendor's downloads of one UTC day [day_start, day_end), summarised: the totals, and the
    busiest (license, file) pairs (at most DIGEST_ENTRIES; `more_entries` counts the rest).
    One per vendor and day, published only for a day with downloads."""

    digest_id = fields.String(required=True, validate=ID)
    vendor_id = fields.String(required=True, validate=ID)
    day_start = fields.AwareDateTime(required=True)
    day_end = fields.AwareDateTime(required=True)
    downloads = fields.Integer(required=True, validate=validate.Range(min=1, max=bounds.INT64_MAX))
    licensees = fields.Integer(required=True, validate=validate.Range(min=1, max=bounds.INT64_MAX))
    entries = fields.List(
        fields.Nested(DigestEntry),
        required=True,
        validate=validate.Length(min=1, max=DIGEST_ENTRIES),
    )
    more_entries = fields.Integer(
        required=True, validate=validate.Range(min=0, max=bounds.INT64_MAX)
    )


MANIFEST_KEY_PUBLISHED = "ipmarket.deliverables.manifest_key.published.v1"
MANIFEST_KEY_RETIRED = "ipmarket.deliverables.manifest_key.retired.v1"
DELIVERABLES_EVENTS += (MANIFEST_KEY_PUBLISHED, MANIFEST_KEY_RETIRED)
ED25519_PUBLIC = validate.Length(equal=43)  # base64url of the raw 32 bytes, a JWK's "x"


@register(MANIFEST_KEY_PUBLISHED)
class ManifestKeyPublished(EventData):
    """A key manifests are (or will be) signed with, for licensing to serve in its JWKS. Its
    kid is not sent but derived by every side: "manifest-" + its JWK thumbprint (shared/jws)."""

    public_key = fields.String(required=True, validate=ED25519_PUBLIC)
    created_at = fields.AwareDateTime(required=True)


@register(MANIFEST_KEY_RETIRED)
class ManifestKeyRetired(EventData):
    """A manifest key retired: manifests signed with it no longer verify."""

    public_key = fields.String(required=True, validate=ED25519_PUBLIC)
    retired_at = fields.AwareDateTime(required=True)
