"""Every user-facing string exists in English and Simplified Chinese with the same placeholders."""

import string

import pytest

from tests.support.paths import ROOT
from tutor_app.core.i18n import MESSAGES, t


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


def test_every_keyed_error_names_a_message_in_both_languages():
    import re

    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tutor_app").rglob("*.py"))
    keys = set(re.findall(r"""\.of\(\s*["'](\w+)["']""", source))
    assert len(keys) >= 20, keys
    missing = sorted(k for k in keys if k not in MESSAGES)
    assert missing == []


def test_a_keyed_error_reads_in_the_readers_language():
    from tutor_app.core.errors import InputError

    error = InputError.of("err_answer_long", chars=900, limit=800)
    assert str(error) == error.message("en") and "900" in str(error) and "800" in str(error)
    assert error.message("zh") == "答案有 900 个字符，上限是 800。请精简到要点。"
    assert InputError("Plain English only.", "Do this.").message("zh") == "Plain English only. Do this."


def test_every_message_key_is_used():
    """A key no code names is dead text translators would keep maintaining. Keys built at run time
    (``t(f"studio_kind_{kind}")``) count as used when such an f-string pattern matches them."""
    import re

    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "tutor_app").rglob("*.py")
        if "messages" not in p.parts and p.name != "i18n.py"
    )
    built = [
        re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[a-z_0-9]+", re.escape(pattern)) + "$")
        for pattern in re.findall(r"""f["']([a-z_]{4,}\{[^}'"]*\}[a-z_]*)["']""", source)
    ]
    unused = [
        key
        for key in MESSAGES
        if not re.search(rf"""["']{re.escape(key)}["']""", source) and not any(p.match(key) for p in built)
    ]
    assert unused == []
