"""Every user-facing string exists in English and Simplified Chinese with the same placeholders."""

import string

import pytest

from tutor_app.i18n import MESSAGES, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_message_has_both_languages_and_same_placeholders(key):
    table = MESSAGES[key]
    assert set(table) == {"en", "zh"}, f"{key} must have exactly en and zh"
    assert table["en"].strip() and table["zh"].strip()
    assert _fields(table["en"]) == _fields(table["zh"]), key


def test_chinese_text_is_chinese_and_fallback_is_english():
    assert any("\u4e00" <= ch <= "\u9fff" for ch in t("sign_in", "zh"))
    assert t("sign_in", "fr") == t("sign_in", "en")
