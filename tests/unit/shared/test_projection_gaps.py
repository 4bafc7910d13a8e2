"""Issue 13: a consumer never skips a projection version silently. The notify consumer once
dead-lettered an organisation's event and applied the next one as if nothing were missing.
Events carry the whole state, so the newer one is applied, but the gap is a WARNING and counted
(the directory's projection as notify keeps it, on SQLite: no broker or server needed)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.pool import StaticPool

from services.notify import models
from shared.db.engine import create_engine
from shared.db.session import session_factory
from shared.directory import Directory
from shared.events import new_event

ORG = "0b7d7c4e-2f7e-4f55-9d8e-6a1c6f1e0001"


def organisation_event(version: int, name: str):
    return new_event(
        "ipmarket.organisation.updated.v1",
        "/ipmarket/catalog",
        ORG,
        {
            "organisation_id": ORG,
            "legal_name_en": name,
            "legal_name_zh": None,
            "country": "HK",
            "region": "hong_kong",
            "roles": ["licensee"],
            "locale": "en",
            "timezone": "UTC",
            "contacts": [],
            "version": version,
        },
    )


@pytest.fixture
def projection():
    engine = create_engine("sqlite://", poolclass=StaticPool)  # in memory, one connection
    models.Base.metadata.create_all(engine)
    directory, sessions = (
        Directory(models.KnownOrganisation, models.KnownApiKey),
        session_factory(engine),
    )

    def apply(version: int, name: str) -> models.KnownOrganisation:
        with sessions() as session, session.begin():
            directory.apply_organisation(organisation_event(version, name), session)
        with sessions() as session:
            return session.get(models.KnownOrganisation, ORG)

    yield directory, apply
    engine.dispose()


def gap_warnings(caplog) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.levelno == logging.WARNING and "never did" in r.getMessage()
    ]


def test_a_version_gap_is_applied_but_logged_and_counted(projection, caplog):
    directory, apply = projection
    apply(1, "Pearl Delta Devices")
    with caplog.at_level(logging.WARNING, logger="shared.directory"):
        held = apply(3, "Pearl Delta Devices Ltd")  # version 2 was lost on the way
    assert (held.version, held.legal_name_en) == (3, "Pearl Delta Devices Ltd")
    assert directory.version_gaps == 1
    [warning] = gap_warnings(caplog)
    assert ORG in warning.getMessage() and "versions 2 to 2" in warning.getMessage()
    assert (warning.held_version, warning.event_version) == (1, 3)


def test_a_first_event_beyond_registration_is_a_gap(projection, caplog):
    directory, apply = projection
    with caplog.at_level(logging.WARNING, logger="shared.directory"):
        apply(4, "Pearl Delta Devices")
    assert directory.version_gaps == 1 and len(gap_warnings(caplog)) == 1


def test_consecutive_and_late_versions_are_no_gap(projection, caplog):
    directory, apply = projection
    with caplog.at_level(logging.WARNING, logger="shared.directory"):
        apply(1, "A")
        apply(2, "B")
        assert apply(1, "late").legal_name_en == "B"  # an older state changes nothing
        apply(3, "C")
    assert directory.version_gaps == 0 and gap_warnings(caplog) == []
