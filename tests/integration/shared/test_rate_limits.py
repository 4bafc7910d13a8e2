"""The rate limiter's counting on PostgreSQL, in the counters table as the licensing migration
creates it: the unit tier's tests (SQLite in memory, tests/unit/shared/test_rate_limits.py) run
again here, each with this module's `engine`."""

from __future__ import annotations

import pytest

from shared.db.engine import create_engine
from tests.unit.shared.test_rate_limits import (  # noqa: F401 - collected here too
    test_a_bucket_passes_its_limit_in_a_window_then_is_refused_until_the_next,
    test_a_large_limit_is_counted_by_leases_one_statement_per_hundredth,
    test_the_answer_is_the_bucket_nearest_its_limit_and_every_bucket_counts,
    test_two_processes_counting_in_one_database_share_the_limit,
)


@pytest.fixture
def engine(make_database):
    engine = create_engine(make_database("licensing"))
    yield engine
    engine.dispose()
