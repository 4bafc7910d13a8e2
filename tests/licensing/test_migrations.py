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
    request = {"licensee_id": LICENSEE, "vendor_id": VENDOR, "core_id": "c" * 36,
               "vlnv": {"vendor": "v", "library": "l", "name": "n", "version": "1"},
               "version_constraint": "==1", "offer_id": "std", "offer": {"kind": "evaluation"},
               "project_name": "p", "intended_use": "u", "end_use_country": "CN",
               "state": "issued", "screening": {"outcome": "review"}, "created_at": at,
               "expires_at": at + timedelta(days=7), "updated_at": at}

    def entry(action, actor, role, subject, minutes, **details):
        return {"at": at + timedelta(minutes=minutes), "actor_id": actor, "actor_role": role,
                "action": action, "subject_type": "license_request", "subject_id": subject,
                "licensee_id": LICENSEE, "vendor_id": VENDOR, "details": details}

    with engine.begin() as conn:
        conn.execute(requests.insert(), [
            {**request, "id": "reviewed", "decision_comment": "welcome", "decided_by": VENDOR},
            {**request, "id": "plain", "state": "pending_approval", "decision_comment": None,
             "decided_by": None}])
        conn.execute(audit.insert(), [
            entry("request.submitted", LICENSEE, "licensee", "reviewed", 0),
            entry("request.review_allow", ADMIN, "admin", "reviewed", 1, comment="civil use"),
            entry("request.approved", VENDOR, "vendor", "reviewed", 2, comment="welcome"),
            entry("request.approved", VENDOR, "vendor", "plain", 3, comment=None)])
    upgrade("licensing", url)
    with engine.connect() as conn:
        comments = dict(conn.execute(sa.select(LicenseRequest.id, LicenseRequest.comments)).all())
    engine.dispose()
    assert comments == {
        "reviewed": [
            {"author_id": ADMIN, "author_role": "admin", "decision": "review_allow",
             "comment": "civil use", "at": (at + timedelta(minutes=1)).isoformat()},
            {"author_id": VENDOR, "author_role": "vendor", "decision": "approved",
             "comment": "welcome", "at": (at + timedelta(minutes=2)).isoformat()}],
        "plain": []}
