"""What messages about an account say and whom they go to (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.notify.domain import account_messages as account
from services.notify.domain.account_messages import Addressee
from shared.events import people

AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
PERSON = {
    "person_id": "p1",
    "email": "chen@x.example",
    "name_en": "Chen Jing",
    "name_zh": "陳靜",
    "locale": "zh-Hant",
    "timezone": "Asia/Taipei",
}


def test_every_message_is_worded_in_every_language_with_no_placeholder_left_unknown():
    values = {"organisation": "O", "applicant": "A", "roles": "R"}
    for locale, words in account.WORDS.items():
        assert set(words) == set(account.ACCOUNT_TYPES), locale
        for subject, sentence in words.values():
            subject.format(**values), sentence.format(**values)  # raises on an unknown one
        assert set(account.LABELS[locale]) == set(account.LABELS["en"]), locale
        assert set(account.ROLE_NAMES[locale]) == set(people.MEMBER_ROLES), locale


def test_the_addressee_is_who_the_event_names():
    invited = {"invitation_id": "i1", "email": "new@x.example", "locale": "zh-Hans"}
    assert account.addressee(people.MEMBER_INVITED, invited) == Addressee(
        "i1", "new@x.example", "", "zh-Hans", None
    )
    applied = {
        "application_id": "a1",
        "contact_email": "li@x.example",
        "contact_name": "李伟",
        "locale": "zh-Hans",
    }
    assert account.addressee(people.ORGANISATION_APPLIED, applied) == Addressee(
        "a1", "li@x.example", "李伟", "zh-Hans", None
    )
    assert account.addressee(people.PASSWORD_RESET_REQUESTED, PERSON) == Addressee(
        "p1", "chen@x.example", "陳靜", "zh-Hant", "Asia/Taipei"
    )
    english = {**PERSON, "locale": "en"}
    assert account.addressee(people.SIGNED_IN_FROM_NEW_DEVICE, english).name == "Chen Jing"
    # Names only the person: notify looks them up.
    assert account.addressee(people.SECOND_FACTOR_RESET, {"person_id": "p1"}) is None


@pytest.mark.parametrize(
    "locale, text",
    [
        ("en", "approver, finance officer"),
        ("zh-Hans", "审批人、财务人员"),
        ("zh-Hant", "核准人、財務人員"),
    ],
)
def test_roles_read_as_words_not_codes(locale, text):
    assert account.roles_text(["approver", "finance"], locale) == text


def test_links_open_the_portal_with_the_token():
    data = {"link_token": "t0k"}
    assert (
        account.link_for(people.MEMBER_INVITED, data, "https://m.example/")
        == "https://m.example/invitations/accept?token=t0k"
    )
    assert (
        account.link_for(people.PASSWORD_RESET_REQUESTED, data, "https://m.example")
        == "https://m.example/password-reset?token=t0k"
    )
    assert account.link_for(people.SECOND_FACTOR_RESET, data, "https://m.example") is None


def test_rows_show_times_in_the_addressees_zone():
    data = {**PERSON, "link_token": "t", "expires_at": "2026-12-04T08:00:00+00:00"}
    rows = account.account_rows(
        people.PASSWORD_RESET_REQUESTED, data, AT, "zh-Hant", ZoneInfo("Asia/Taipei")
    )
    assert rows == [
        ("連結有效期限至", "2026年12月4日（週五）16:00 UTC+08:00 (Asia/Taipei)"),
        ("時間", "2026年12月2日（週三）16:00 UTC+08:00 (Asia/Taipei)"),
    ]
    declined = {"reason": "registration number not found"}
    rows = account.account_rows(
        people.ORGANISATION_APPLICATION_DECLINED, declined, AT, "en", ZoneInfo("UTC")
    )
    assert rows[0] == ("Reason", "registration number not found")
