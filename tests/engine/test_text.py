"""The shared text helpers: language detection, the stemmer, the Chinese-character patterns and the named variants."""

from __future__ import annotations

import pytest

from tutor_app.engine.search.lexical import terms
from tutor_app.engine.text import (
    CJK,
    CJK_RUN,
    JOINS_WITHOUT_SPACE,
    OPENS_NEEDING_CONTEXT,
    OPENS_POINTING_BACK,
    POINTS_BACK_ANYWHERE,
    POINTS_BACK_EARLY,
    QUOTED,
    QUOTED_OR_CODE,
    SEARCH_STOP_WORDS_EN,
    detect_lang,
    stem,
)


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Prompt engineering is the practice of writing good instructions.", "en"),
        ("提示工程是编写良好指令的实践。", "zh"),
        ("使用 GPT-4 和 ChatGPT 构建聊天应用程序，需要理解 tokens 的概念。", "zh"),
        ("The Chinese word for prompt is 提示.", "en"),
        ("12345 !!! ---", "en"),
        ("", "en"),
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


@pytest.mark.parametrize(
    "word, stemmed",
    [
        ("studies", "study"),
        ("copies", "copy"),
        ("prompting", "prompt"),
        ("embedded", "embedd"),
        ("classes", "class"),
        ("models", "model"),
        ("class", "class"),
        ("sing", "sing"),
        ("used", "used"),
        ("ties", "tie"),  # too short to lose a suffix (or only its "-s")
    ],
)
def test_stem(word, stemmed):
    assert stem(word) == stemmed


def test_search_terms_are_the_stems_of_content_words():
    assert terms("The studies are using copies") == ["study", "copy"]
    assert "using" in SEARCH_STOP_WORDS_EN


def test_cjk_patterns_cover_extension_a_and_compatibility_ideographs_but_not_punctuation():
    assert CJK.fullmatch("提") and CJK.fullmatch("\u3400") and CJK.fullmatch("\uf900")
    assert not CJK.search("，。（）abc 123")
    assert [m.group() for m in CJK_RUN.finditer("用 GPT 写提示。再试")] == ["用", "写提示", "再试"]


def test_joins_without_space_also_takes_chinese_punctuation_and_fullwidth_forms():
    assert all(JOINS_WITHOUT_SPACE.match(ch) for ch in "提。（Ａ")
    assert not JOINS_WITHOUT_SPACE.match("a")


def test_points_back_variants():
    assert OPENS_POINTING_BACK.match("however, the model answers")  # extractive: any case
    assert not OPENS_NEEDING_CONTEXT.match("this is lower-case")  # quiz: capitalised openers only
    assert OPENS_NEEDING_CONTEXT.match("Finally, the model answers.") and not OPENS_POINTING_BACK.match("Finally, it")
    assert POINTS_BACK_EARLY.match("Later prompts answer them in order.")
    assert not POINTS_BACK_EARLY.match("One two three four five six them")
    assert POINTS_BACK_ANYWHERE.search("the words that follow it") and POINTS_BACK_ANYWHERE.search("模型会复制这种格式")


def test_quoted_variants():
    text = "Say “hello”, ‘hi’, 『你好』 or `print()`"
    assert QUOTED.findall(text) == ["“hello”"]
    assert QUOTED_OR_CODE.findall(text) == ["“hello”", "‘hi’", "『你好』", "`print()`"]
