"""Text helpers shared across the app: Chinese-character patterns, language detection, the light English
stemmer, stop-word lists, the "points back" and quoted-text patterns, and where fenced code blocks begin
and end (CommonMark's rule, shared by the loaders, the chunker and the sentence splitter).

Where a helper has variants (stop words for search, for the leak guard and for contradiction rules; a
sentence that opens by pointing back, or points back anywhere), each variant is named here with what it
is for, so the differences are deliberate and read in one place. Nothing here segments Chinese into
words (``search.lexical`` does, with jieba), counts tokens (``tokens``) or splits sentences (``sentences``).
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- Chinese characters

# CJK Unified Ideographs with Extension A and the compatibility ideographs, for building character classes.
CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CHARS}]")
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
# Not a Chinese-character test: the characters that join without a space when a split paragraph is put
# back together (CJK punctuation, the common ideographs, fullwidth forms).
JOINS_WITHOUT_SPACE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> str:
    """'zh' when Chinese characters make up a real share of the letters, else 'en'."""
    cjk = len(CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin * 0.5 else "en"


# --------------------------------------------------------------------------- English words


def stem(word: str) -> str:
    """A lower-cased English word lightly stemmed: ``studies`` -> ``study``, ``prompting`` -> ``prompt``.

    The keyword index stores these stems, so changing the rule changes the terms of existing indexes.
    """
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


# Search: left out of the keyword index and of queries (whole words; Chinese ones as jieba cuts them).
SEARCH_STOP_WORDS_EN = frozenset(
    "a an and are as at be by can do does for from how i in is it its me my of on or that the this to "
    "what when where which who why will with you your we our should would could about into than then "
    "there these those was were has have had not no if so use using used".split()
)
SEARCH_STOP_WORDS_ZH = frozenset(
    "的 了 是 在 和 与 或 吗 呢 吧 啊 我 你 他 她 它 我们 你们 什么 怎么 如何 为什么 哪些 一个 这个 那个 这 那 有 也 就 都 而 及 把 被 让 对 中 上 下 要 会 能 可以 请 用 使用".split()
)
# Leak guard: phrases made only of these are not secret (Chinese ones are single characters, the guard's units).
GUARD_STOP_WORDS_EN = frozenset(
    "a an the and or but of to in on at by for with from as is are was were be been being it its this that these those "
    "there their they them he she we you your i me my our not no do does did so than then if into about can could "
    "will would should may might must have has had what which who whom how why when where".split()
)
GUARD_STOP_CHARS_ZH = frozenset("的了是在和与及等一个这那就都也而把被对中为之其或着过吗呢吧啊")
# Contradiction rules: search terms that still carry no content in an answer (pronouns, "only", "just").
ANSWER_STOP_WORDS = frozenset(
    {
        "it",
        "its",
        "they",
        "their",
        "them",
        "this",
        "that",
        "these",
        "those",
        "which",
        "also",
        "only",
        "just",
        "它",
        "它们",
        "他们",
        "她们",
        "我们",
        "你们",
        "这个",
        "那个",
        "这些",
        "那些",
        "就是",
        "可以",
        "只",
        "只是",
    }
)

# --------------------------------------------------------------------------- sentences that point back

# Extractive answers: opens with a pointer or a connective ("It ranges...", "Instead, they...", "这种方法...").
OPENS_POINTING_BACK = re.compile(
    r"^(?:it|its|this|these|that|those|they|their|them|such|instead|however|but|so|thus|both|the two|either|"
    r"in (?:that|this) case|for (?:that|this) reason)\b|^(?:它|它们|这|这些|这种|这样|那|那些|其|该|但|但是|不过|因此|所以|否则|两者)",
    re.IGNORECASE,
)
# Quiz sentences: opens with a pointer, an ordinal or a connective ("Here", "Finally", "The latter"), capitalised.
OPENS_NEEDING_CONTEXT = re.compile(
    r"^(?:This|These|That|Those|It|Its|They|Their|Here|Such|First|Second|Third|Finally|Also|"
    r"But|And|So|Then|Both|The (?:first|second|third|last|latter|former|same|two))\b|"
    r"^(?:这|那|它|其|此|该|第一|第二|第三|另外|但|而且|所以|因此|然后|两者|前者|后者)"
)
# Quiz sentences: a pronoun within the first five words or seven characters ("Later prompts answer them in order.").
POINTS_BACK_EARLY = re.compile(
    r"^(?:\S+\s+){0,4}(?:them|they|it|its|their|this|these|those)\b|^.{0,6}(?:它|它们|这些|这种|其)", re.IGNORECASE
)
# Quiz answer phrases: a pointer anywhere, since a phrase cut out of its sentence loses what it points to.
POINTS_BACK_ANYWHERE = re.compile(r"\b(?:these|those|this|its|their|it|they)\b|这|那|其|它|该", re.IGNORECASE)

# --------------------------------------------------------------------------- quoted text

# Text in double quotes or 「」: how much of a sentence is a quoted sample.
QUOTED = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」')
# Also single curly quotes, 『』 and `inline code`: text that is not in the surrounding language by choice.
QUOTED_OR_CODE = re.compile(QUOTED.pattern + r"|‘[^’]*’|『[^』]*』|`[^`]*`")


# --------------------------------------------------------------------------- fenced code (CommonMark)

FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")


def closes_fence(line: str, fence: str) -> bool:
    """Whether ``line`` closes a block opened by ``fence``: the same character, at least as many, nothing else."""
    closing = line.strip()
    return set(closing) == {fence[0]} and len(closing) >= len(fence)


def fenced_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it belongs to a fenced code block (its fence lines included), as CommonMark reads it.

    Three or more backticks or tildes open a block (a backtick fence's info string holds no backtick); only a line
    of the same character, at least as many and nothing else, closes it, so a ``~~~`` line inside a ``````` block
    is code. An unclosed fence runs to the end of the text."""
    flags: list[bool] = []
    fence = ""
    for line in lines:
        if fence:
            if closes_fence(line, fence):
                fence = ""
            flags.append(True)
        elif (match := FENCE_OPEN.match(line)) and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            flags.append(True)
        else:
            flags.append(False)
    return flags
