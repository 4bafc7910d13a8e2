import pytest

from services.portal.domain.languages import by_script, choose_locale


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("zh-HK", "zh_Hant"),
        ("zh-TW", "zh_Hant"),
        ("zh-MO", "zh_Hant"),
        ("zh-Hant", "zh_Hant"),
        ("zh-Hant-CN", "zh_Hant"),  # the script wins over the region
        ("zh", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-SG", "zh_Hans"),
        ("zh-Hans-HK", "zh_Hans"),
        ("ZH_cn", "zh_Hans"),
        ("en-GB", "en"),
        ("en", "en"),
        ("fr-FR", None),
        ("*", None),
    ],
)
def test_an_accept_language_tag_is_matched_by_script(tag, locale):
    assert by_script(tag) == locale


def test_the_persons_setting_comes_first_then_the_cookie_then_the_browser_then_english():
    assert choose_locale("zh-Hant", "zh_Hans", ["en"]) == "zh_Hant"
    assert choose_locale(None, "zh_Hans", ["zh-HK"]) == "zh_Hans"
    assert choose_locale(None, None, ["fr", "zh-TW", "en"]) == "zh_Hant"
    assert choose_locale(None, None, ["fr", "de"]) == "en"
    assert choose_locale(None, None, []) == "en"


def test_an_unknown_stored_choice_is_passed_over():
    assert choose_locale("klingon", "zh_CN", ["zh-SG"]) == "zh_Hans"
