"""Language, time zone and words of a notice (services/notify/domain/locales.py, wording.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from services.notify.domain import locales
from services.notify.domain.routing import NOTICE_TYPES
from services.notify.domain.wording import LABELS, LOCALES, SUBJECTS


@pytest.mark.parametrize(
    "tag, locale",
    [
        ("zh-HK", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("zh-Hant", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-Hans-HK", "zh-Hans"),
        ("zh_TW", "zh-Hant"),
        ("en", "en"),
        ("en-GB", "en"),
        ("de-DE", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_locale_is_matched_by_script_then_english(tag, locale):
    assert locales.locale_for(tag) == locale


def test_every_notice_type_has_a_subject_in_every_language():
    for locale in LOCALES:
        assert set(SUBJECTS[locale]) == set(NOTICE_TYPES)
        assert set(LABELS[locale]) == set(LABELS["en"])


def test_times_are_shown_in_the_recipients_zone_with_the_zone_named():
    moment = datetime(2026, 11, 24, 22, 5, tzinfo=UTC)
    assert (
        locales.format_when(moment, "en", locales.zone_for("America/Los_Angeles"))
        == "Tue 24 Nov 2026, 14:05 UTC-08:00 (America/Los_Angeles)"
    )
    assert (
        locales.format_when(moment, "zh-Hans", locales.zone_for("Asia/Shanghai"))
        == "2026年11月25日（周三）06:05 UTC+08:00 (Asia/Shanghai)"
    )
    assert (
        locales.format_when(moment, "zh-Hant", locales.zone_for("Asia/Taipei"))
        == "2026年11月25日（週三）06:05 UTC+08:00 (Asia/Taipei)"
    )


def test_an_unknown_or_missing_zone_is_utc():
    assert locales.zone_for("Mars/Olympus").key == "UTC"
    assert locales.zone_for(None).key == "UTC"
    assert locales.zone_for("Asia/Hong_Kong").key == "Asia/Hong_Kong"


def test_a_subject_leaves_missing_placeholders_empty_and_falls_back_to_english():
    assert locales.subject_for("ipmarket.invoice.overdue.v1", "en", {}) == "Invoice  is overdue"
    assert (
        locales.subject_for("ipmarket.license.issued.v1", "zh-Hant", {"core": "a:b:c:1"})
        == "授權已核發：a:b:c:1"
    )
    assert locales.subject_for("ipmarket.other.v1", "zh-Hans", {}) == "ipmarket.other.v1"


def test_vlnv_text_is_the_four_parts():
    assert (
        locales.vlnv_text({"vendor": "v", "library": "l", "name": "n", "version": "1"}) == "v:l:n:1"
    )
    assert locales.vlnv_text(None) == ""


def test_chinese_readers_see_the_chinese_legal_name_when_there_is_one():
    org = SimpleNamespace(legal_name_en="Xinhe", legal_name_zh="芯禾")
    plain = SimpleNamespace(legal_name_en="GG IP", legal_name_zh=None)
    assert locales.organisation_name(org, "zh-Hans") == "芯禾"
    assert locales.organisation_name(org, "en") == "Xinhe"
    assert locales.organisation_name(plain, "zh-Hant") == "GG IP"
    assert locales.organisation_name(None, "en") == ""


def test_details_show_the_parties_amounts_and_a_perpetual_license():
    data = {
        "vendor_id": "v",
        "licensee_id": "l",
        "license_id": "lic-1",
        "amount": "10.00",
        "currency": "USD",
        "expires_at": None,
        "vlnv": {"vendor": "v", "library": "l", "name": "n", "version": "1"},
    }
    names = {"v": SimpleNamespace(legal_name_en="Vendor", legal_name_zh=None)}
    rows = dict(
        locales.detail_rows(
            data, datetime(2026, 1, 1, tzinfo=UTC), "en", locales.zone_for("UTC"), names
        )
    )
    assert rows["Core"] == "v:l:n:1"
    assert rows["Vendor"] == "Vendor" and rows["Licensee"] == "l"  # unknown: its id
    assert rows["License"] == "lic-1" and rows["Amount"] == "USD 10.00"
    assert rows["Expires"] == "never (perpetual)"
    assert rows["When"].endswith("(UTC)")


def test_a_request_shows_no_expiry():
    rows = dict(
        locales.detail_rows(
            {"expires_at": None},
            datetime(2026, 1, 1, tzinfo=UTC),
            "en",
            locales.zone_for("UTC"),
            {},
        )
    )
    assert "Expires" not in rows
