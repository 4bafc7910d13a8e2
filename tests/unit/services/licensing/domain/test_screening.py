"""Publishing a rule set names the version it was edited from (the screening itself:
tests/unit/shared/test_export_screening.py)."""

from __future__ import annotations

import pytest

from services.licensing.domain.screening import check_based_on
from shared.errors import Conflict


def test_publishing_on_top_of_an_older_version_is_a_conflict():
    check_based_on(4, 4)
    with pytest.raises(Conflict) as error:
        check_based_on(5, 4)
    assert error.value.field == "based_on"
