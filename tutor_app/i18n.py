"""User-facing strings in English and Simplified Chinese.

One table, keyed by message id; ``t(key, lang, **values)`` picks the language
and fills the placeholders. Falls back to English for a missing translation.
This module holds text only.
"""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "zh": "简体中文 (Simplified Chinese)"}

MESSAGES: dict[str, dict[str, str]] = {
    "not_covered": {
        "en": "The course material does not cover this question, so I will not guess. "
        "Try rephrasing it with terms from the lessons, or ask your educator.",
        "zh": "课程材料没有涉及这个问题，所以我不做猜测。可以试着用课程里的术语换个说法提问，或者请教你的老师。",
    },
    "model_failed": {
        "en": "The language model did not finish its answer: {error} The matching course passages are shown below.",
        "zh": "语言模型没有完成回答：{error} 下面列出了相关的课程段落。",
    },
    "query_cut": {
        "en": "Your message was long; only its first {tokens} tokens were used.",
        "zh": "你的消息太长，只使用了前 {tokens} 个词元（token）。",
    },
}


def t(key: str, lang: str = "en", **values: object) -> str:
    table = MESSAGES[key]
    return table.get(lang, table["en"]).format(**values)
