"""The deliverables service's migrations make exactly the tables its models declare (the people
directory, grants, export rules and uploads included), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from services.deliverables import models


@pytest.mark.databases("sqlite", "postgresql")
def test_the_migrations_make_the_tables_the_models_declare(make_database):
    engine = sa.create_engine(make_database("deliverables"))
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            models.Base.metadata,
        )
    engine.dispose()
    assert differences == []
    assert {"known_rule_set", "known_token_key", "known_membership"} <= set(
        models.Base.metadata.tables
    )


@pytest.mark.databases("sqlite", "postgresql")
def test_0013_counts_files_stored_before_it_as_durable(make_database):
    from datetime import UTC, datetime

    from shared.db.engine import create_engine
    from shared.db.migrations import upgrade

    url = make_database("deliverables", revision="0012")  # files were fsynced, then recorded
    engine = create_engine(url)
    files = sa.Table("package_file", sa.MetaData(), autoload_with=engine)
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(files.insert(), [dict(
            package_file_id="f1", license_id="l1", deliverable_id="d1", recipients_sha256="0" * 64,
            object_key="packages/l1/f1/a1.age", state="stored", cipher_size=10,
            cipher_sha256="1" * 64, created_at=at, stored_at=at, attempt="a1",
        )])  # fmt: skip
    upgrade("deliverables", url)
    files = sa.Table("package_file", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(files.c.durable, files.c.written_boot_id)).one()
    engine.dispose()
    assert (bool(row.durable), row.written_boot_id) == (True, None)
