"""What the audit records of who acted (pure: a fake session keeps the rows written at commit)."""

from __future__ import annotations

from services.licensing import audit
from shared.directory import Principal
from shared.events.envelope import system_actor


class RowsAtCommit:
    def __init__(self):
        self.rows = []

    def insert_at_commit(self, table, row):
        self.rows.append((table.name, dict(row)))


def recorded(actor, role="vendor") -> dict:
    session = RowsAtCommit()
    audit.record(session, actor, role, "request.approved", "license_request", "r-1", vendor_id="v")
    [(table, row)] = session.rows
    assert table == "audit_entry"
    return row


def test_a_person_is_recorded_by_name_with_the_organisation_they_acted_for():
    approver = Principal(
        "org-xinyuan",
        frozenset({"vendor"}),
        person_id="p-liwei",
        session_id="s-1",
        scopes=frozenset({"approver"}),
        name="李伟",
    )
    row = recorded(approver)
    assert (row["actor_kind"], row["actor_ref"], row["actor_name"], row["actor_id"]) == (
        "person",
        "p-liwei",
        "李伟",
        "org-xinyuan",
    )
    assert row["actor_role"] == "vendor"


def test_a_key_is_recorded_by_its_id():
    key = Principal("org-xinyuan", frozenset({"vendor"}), key_id="k-upload")
    row = recorded(key)
    assert (row["actor_kind"], row["actor_ref"], row["actor_name"], row["actor_id"]) == (
        "key",
        "k-upload",
        None,
        "org-xinyuan",
    )


def test_the_platform_acting_alone_is_named_for_what_acted():
    row = recorded(system_actor("licensing.scheduler"), audit.SYSTEM)
    assert (row["actor_kind"], row["actor_ref"], row["actor_id"]) == (
        "system",
        "licensing.scheduler",
        None,
    )
    assert recorded(None, audit.SYSTEM)["actor_ref"] == "licensing"


def test_an_operator_acts_as_admin_whatever_the_capacity_named():
    operator = Principal(
        "platform", frozenset({"admin"}), person_id="p-op", platform_roles=frozenset({"operator"})
    )
    assert recorded(operator)["actor_role"] == "admin"
    assert recorded(operator, "licensee")["actor_role"] == "licensee"
