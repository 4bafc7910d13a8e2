"""The deliverables service's tables: its projections of the catalog (organisations, keys, core
versions) and of licensing (licenses and their states), the uploads in progress and the
deliverables that arrived whole."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.schema import make_base, new_id, utcnow
from shared.directory import KnownApiKeyMixin, KnownOrganisationMixin
from shared.messaging.outbox import OutboxMixin, ProcessedEventMixin
from shared.people_directory import (
    EndedSessionMixin,
    KnownMembershipMixin,
    KnownPersonMixin,
    KnownPlatformRolesMixin,
    KnownTokenKeyMixin,
)
from shared.rate_limits import RateLimitCounterMixin

Base = make_base()


class OutboxMessage(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class RateLimitCounter(RateLimitCounterMixin, Base):
    pass


class KnownOrganisation(KnownOrganisationMixin, Base):
    pass


class KnownApiKey(KnownApiKeyMixin, Base):
    pass


# The people directory (shared/people_directory.py): people's access tokens are checked here.
class KnownTokenKey(KnownTokenKeyMixin, Base):
    pass


class KnownPerson(KnownPersonMixin, Base):
    pass


class KnownMembership(KnownMembershipMixin, Base):
    pass


class EndedSession(EndedSessionMixin, Base):
    pass


class KnownPlatformRoles(KnownPlatformRolesMixin, Base):
    pass


class KnownCoreVersion(Base):
    """Projection of the catalog's cores: one row per core version (the catalog's core_id)."""

    __tablename__ = "known_core_version"

    core_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vlnv: Mapped[dict] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16))
    version: Mapped[int] = mapped_column()  # of the catalog's record: older events are dropped
    # What a download is screened against again (None: projected before these were kept).
    eccn: Mapped[str | None] = mapped_column(sa.String(8), default=None)
    territory_restrictions: Mapped[list | None] = mapped_column(default=None)


class KnownLicense(Base):
    """Projection of licensing's licenses: who holds which core version, in which state."""

    __tablename__ = "known_license"

    license_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36))
    core_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    state: Mapped[str] = mapped_column(sa.String(16))  # domain.licenses.LICENSE_STATES
    expires_at: Mapped[datetime | None] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column()  # time of the event that set `state`
    # The files it grants ([{kind, name, sha256}], domain/grants.py) and the destination it was
    # screened for; None: licensing's events did not say (licenses from before they did).
    granted: Mapped[list | None] = mapped_column(default=None)
    end_use_country: Mapped[str | None] = mapped_column(sa.String(2), default=None)


class KnownRuleSet(Base):
    """Projection of licensing's export-screening rule sets (SCREENING_RULES_PUBLISHED): the
    highest version is in force, and every download is screened again with it."""

    __tablename__ = "known_rule_set"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rules: Mapped[list] = mapped_column()
    embargoed: Mapped[list] = mapped_column()
    published_at: Mapped[datetime] = mapped_column()


class Upload(Base):
    """A file on its way in: parts arrive (in any order, over restarts) until it is completed."""

    __tablename__ = "upload"

    upload_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    core_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    file_name: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))  # as the vendor declared it
    part_size: Mapped[int] = mapped_column(sa.BigInteger)
    object_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    storage_upload: Mapped[str] = mapped_column(sa.String(1024))  # the store's multipart id
    protection: Mapped[str | None] = mapped_column(sa.String(16), default=None)  # from part 1
    state: Mapped[str] = mapped_column(sa.String(16), default="open")  # open, completed
    created_by: Mapped[dict] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Deliverable(Base):
    """A file of a core version, stored whole and checked against its SHA-256. Immutable: the
    same name uploaded again is a new revision."""

    __tablename__ = "deliverable"
    __table_args__ = (sa.UniqueConstraint("core_id", "kind", "file_name", "revision"),)

    deliverable_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    core_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36))
    kind: Mapped[str] = mapped_column(sa.String(32))
    file_name: Mapped[str] = mapped_column(sa.String(255))
    revision: Mapped[int] = mapped_column()
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    protection: Mapped[str | None] = mapped_column(sa.String(16))
    object_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    uploaded_by: Mapped[dict] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column()


class RecipientKey(Base):
    """A licensee's age public key (X25519, `age1…`): every file it downloads is encrypted to
    all of its organisation's keys."""

    __tablename__ = "recipient_key"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "public_key"),)

    key_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    public_key: Mapped[str] = mapped_column(sa.String(100))
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by: Mapped[dict] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Download(Base):
    """A copy of a deliverable that left for a licensee: who, under which license, from where."""

    __tablename__ = "download"

    download_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    deliverable_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    core_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    license_id: Mapped[str] = mapped_column(sa.String(36))
    actor: Mapped[dict] = mapped_column()
    address: Mapped[str] = mapped_column(sa.String(45))  # IPv6 at most
    downloaded_at: Mapped[datetime] = mapped_column(index=True)  # (the daily digests)


# --- the licensees' packages (packages.py, package_worker.py) ---------------------------------
PENDING, STORED = "pending", "stored"  # a package file
PREPARING, READY = "preparing", "ready"  # a package


class PackageFile(Base):
    """One deliverable encrypted to one license's recipients: reused by every package of that
    license made for the same recipients, so that a new file does not re-encrypt the others."""

    __tablename__ = "package_file"
    __table_args__ = (sa.UniqueConstraint("license_id", "deliverable_id", "recipients_sha256"),)

    package_file_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    license_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    deliverable_id: Mapped[str] = mapped_column(sa.String(36))
    recipients_sha256: Mapped[str] = mapped_column(sa.String(64))
    object_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    state: Mapped[str] = mapped_column(sa.String(16), default=PENDING, index=True)
    cipher_size: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    cipher_sha256: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column(default=None)
    # The worker encrypting it (package_files.py): its attempt, writing to an object of its own,
    # and until when the claim holds (after that, another worker encrypts it again).
    attempt: Mapped[str | None] = mapped_column(sa.String(36), default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    # A stored file is recorded before its bytes reach the disk (it can be made again): until
    # the worker has synced it, `durable` is false and `written_boot_id` says which boot of the
    # machine wrote it, so that after a crash it is checked before it is served
    # (package_settling.py). Files stored before these columns were fsynced: durable.
    durable: Mapped[bool] = mapped_column(default=False, server_default=sa.true(), index=True)
    written_boot_id: Mapped[str | None] = mapped_column(sa.String(64), default=None)


class PackageWanted(Base):
    """A license whose package may have to change (package_queue.py): written with the change,
    deleted by the worker in the transaction that plans it."""

    __tablename__ = "package_wanted"

    license_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    wanted_at: Mapped[datetime] = mapped_column(index=True)


class Package(Base):
    """What one license's licensee receives: its files (package_file ids, in manifest order)
    and the manifest signed over them once all are stored."""

    __tablename__ = "package"
    __table_args__ = (sa.UniqueConstraint("license_id", "contents_sha256"),)

    package_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    license_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36))
    core_id: Mapped[str] = mapped_column(sa.String(36))
    contents_sha256: Mapped[str] = mapped_column(sa.String(64))
    recipients: Mapped[list] = mapped_column()  # the age1… keys, sorted
    file_ids: Mapped[list] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(16), default=PREPARING, index=True)
    manifest: Mapped[str | None] = mapped_column(sa.Text, default=None)  # the compact JWS
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(default=None)


class ManifestKey(Base):
    """The Ed25519 key manifests are signed with; the private half only sealed (shared/sealing,
    under the signing-key secret licensing's keys are sealed with)."""

    __tablename__ = "manifest_key"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(sa.String(64))  # base64url of the raw 32 bytes
    sealed_private_key: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class DownloadDigest(Base):
    """A vendor's daily digest published (digests.py): the key makes it once per (vendor, day)
    however many schedulers run or restart."""

    __tablename__ = "download_digest"

    vendor_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    day_start: Mapped[datetime] = mapped_column(primary_key=True)
    digest_id: Mapped[str] = mapped_column(sa.String(36))
    published_at: Mapped[datetime] = mapped_column()
