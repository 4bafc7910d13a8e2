"""Migrations that move data, on SQLite and on PostgreSQL: the state before, the upgrade, the
state after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.licensing.models import LicenseRequest
from shared.db.engine import create_engine
from shared.db.migrations import upgrade

pytestmark = pytest.mark.databases("sqlite", "postgresql")

ADMIN, VENDOR, LICENSEE = "a" * 36, "v" * 36, "l" * 36


def test_comments_of_earlier_requests_are_recovered_from_the_audit_log(make_database):
    """Before 0004 a request kept one decision comment (the vendor's overwrote the operator's);
    the audit log has every one of them, with its author and time."""
    url = make_database("licensing", revision="0003")
    engine = create_engine(url)
    tables = sa.MetaData()
    requests = sa.Table("license_request", tables, autoload_with=engine)
    audit = sa.Table("audit_entry", tables, autoload_with=engine)
    at = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    request = {
        "licensee_id": LICENSEE,
        "vendor_id": VENDOR,
        "core_id": "c" * 36,
        "vlnv": {"vendor": "v", "library": "l", "name": "n", "version": "1"},
        "version_constraint": "==1",
        "offer_id": "std",
        "offer": {"kind": "evaluation"},
        "project_name": "p",
        "intended_use": "u",
        "end_use_country": "CN",
        "state": "issued",
        "screening": {"outcome": "review"},
        "created_at": at,
        "expires_at": at + timedelta(days=7),
        "updated_at": at,
    }

    def entry(action, actor, role, subject, minutes, **details):
        return {
            "at": at + timedelta(minutes=minutes),
            "actor_id": actor,
            "actor_role": role,
            "action": action,
            "subject_type": "license_request",
            "subject_id": subject,
            "licensee_id": LICENSEE,
            "vendor_id": VENDOR,
            "details": details,
        }

    with engine.begin() as conn:
        conn.execute(
            requests.insert(),
            [
                {**request, "id": "reviewed", "decision_comment": "welcome", "decided_by": VENDOR},
                {
                    **request,
                    "id": "plain",
                    "state": "pending_approval",
                    "decision_comment": None,
                    "decided_by": None,
                },
            ],
        )
        conn.execute(
            audit.insert(),
            [
                entry("request.submitted", LICENSEE, "licensee", "reviewed", 0),
                entry("request.review_allow", ADMIN, "admin", "reviewed", 1, comment="civil use"),
                entry("request.approved", VENDOR, "vendor", "reviewed", 2, comment="welcome"),
                entry("request.approved", VENDOR, "vendor", "plain", 3, comment=None),
            ],
        )
    upgrade("licensing", url)
    with engine.connect() as conn:
        comments = dict(conn.execute(sa.select(LicenseRequest.id, LicenseRequest.comments)).all())
    engine.dispose()
    assert comments == {
        "reviewed": [
            {
                "author_id": ADMIN,
                "author_role": "admin",
                "decision": "review_allow",
                "comment": "civil use",
                "at": (at + timedelta(minutes=1)).isoformat(),
            },
            {
                "author_id": VENDOR,
                "author_role": "vendor",
                "decision": "approved",
                "comment": "welcome",
                "at": (at + timedelta(minutes=2)).isoformat(),
            },
        ],
        "plain": [],
    }


def _license_rows(at: datetime) -> tuple[dict, dict]:
    request = {
        "id": "r" * 36,
        "licensee_id": LICENSEE,
        "vendor_id": VENDOR,
        "core_id": "c" * 36,
        "vlnv": {"vendor": "v", "library": "l", "name": "n", "version": "1"},
        "version_constraint": "==1",
        "offer_id": "std",
        "offer": {"kind": "evaluation"},
        "project_name": "p",
        "intended_use": "u",
        "end_use_country": "CN",
        "state": "issued",
        "screening": {"outcome": "allow"},
        "comments": [],
        "created_at": at,
        "expires_at": at + timedelta(days=7),
        "updated_at": at,
    }
    license = {
        "id": "L" * 36,
        "request_id": request["id"],
        "licensee_id": LICENSEE,
        "vendor_id": VENDOR,
        "core_id": "c" * 36,
        "state": "active",
        "claims": {},
        "token": "t",
        "kid": "k",
        "not_before": at,
        "issued_at": at,
        "updated_at": at,
    }
    return request, license


def test_0006_adds_foreign_keys_over_existing_rows(make_database):
    url = make_database("licensing", revision="0005")
    engine = create_engine(url)
    tables = sa.MetaData()
    requests = sa.Table("license_request", tables, autoload_with=engine)
    licenses = sa.Table("license", tables, autoload_with=engine)
    request, license = _license_rows(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    with engine.begin() as conn:
        conn.execute(requests.insert(), [request])
        conn.execute(licenses.insert(), [license])
    upgrade("licensing", url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(licenses.c.request_id)).scalar_one() == request["id"]
    referred = {
        (fk["constrained_columns"][0], fk["referred_table"])
        for fk in sa.inspect(engine).get_foreign_keys("purchase_order")
    }
    engine.dispose()
    assert referred == {
        ("request_id", "license_request"),
        ("quote_id", "quote"),
        ("license_id", "license"),
    }


def test_a_child_without_its_parent_is_refused_at_commit_but_order_within_it_is_free(make_database):
    """Rows written at commit go in table by table: a license may be written before its
    request in the same transaction, but never without it."""
    engine = create_engine(make_database("licensing"))
    tables = sa.MetaData()
    requests = sa.Table("license_request", tables, autoload_with=engine)
    licenses = sa.Table("license", tables, autoload_with=engine)
    request, license = _license_rows(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    with engine.begin() as conn:
        conn.execute(licenses.insert(), [license])  # child first
        conn.execute(requests.insert(), [request])
    orphan = {**license, "id": "o" * 36, "request_id": "missing"}
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(licenses.insert(), [orphan])
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(licenses)).scalar() == 1
    engine.dispose()
