"""If-Match: the ETag is the version number."""

from __future__ import annotations

import pytest

from services.catalog.domain.concurrency import check_version, etag_of
from shared.errors import PreconditionFailed, PreconditionRequired


def test_the_etag_is_the_quoted_version():
    assert etag_of(7) == '"7"'


def test_the_version_read_passes():
    check_version(3, '"3"', required=True)


def test_a_weak_tag_and_a_list_naming_the_version_pass():
    check_version(3, 'W/"3"')
    check_version(3, '"1", "3"')


def test_a_star_passes_whatever_the_version():
    check_version(99, "*", required=True)


def test_a_stale_version_is_412_naming_both_versions():
    with pytest.raises(PreconditionFailed) as raised:
        check_version(4, '"3"')
    assert "version 4" in str(raised.value) and "names 3" in str(raised.value)


def test_a_tag_that_names_no_version_is_412():
    with pytest.raises(PreconditionFailed):
        check_version(4, "garbage")


def test_leaving_it_out_is_428_only_where_required():
    check_version(4, None)
    with pytest.raises(PreconditionRequired):
        check_version(4, None, required=True)
