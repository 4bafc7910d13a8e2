"""The audit log is append-only: the database itself refuses to change or delete an entry."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.licensing.conftest import request_body


def test_audit_entries_cannot_be_changed_or_deleted(client, market):
    client.post(
        "/v1/license-requests",
        json=request_body(market.core(market.parties["vendor"])),
        headers=market.parties["licensee"].headers,
    )
    before = market.count("audit_entry")
    assert before >= 2
    for statement in (
        "UPDATE audit_entry SET action = 'nothing happened'",
        "DELETE FROM audit_entry",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with market.context.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert market.count("audit_entry") == before
