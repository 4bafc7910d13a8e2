"""The order of VLNV versions."""

from __future__ import annotations

from services.catalog.domain.versions import same_version, version_key


def test_pep_440_versions_sort_numerically():
    assert sorted(["1.10", "1.9", "1.2"], key=version_key) == ["1.2", "1.9", "1.10"]


def test_a_pre_release_comes_before_its_release():
    assert sorted(["2.0", "2.0rc1"], key=version_key) == ["2.0rc1", "2.0"]


def test_free_text_versions_follow_pep_440_ones_in_natural_order():
    assert sorted(["r1p10", "2.0", "r1p9"], key=version_key) == ["2.0", "r1p9", "r1p10"]


def test_one_version_spelt_two_ways_is_the_same():
    assert same_version("1.2", "1.2.0")
    assert not same_version("1.2", "1.20")
