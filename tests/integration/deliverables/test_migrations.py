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
