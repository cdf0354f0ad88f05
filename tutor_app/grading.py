"""Grading practice answers: exact for choices, key-term coverage for short answers.

Multiple-choice and true/false answers are compared exactly (after trimming and
case-folding; an option's letter or number is accepted for its text). A short
answer is graded against the educator's key by the share of the key's terms
it covers (``lexical.terms``: stemmed English words, jieba words for Chinese;
terms that already appear in the question earn nothing). An answer written in
the other language than the key is bridged through the course glossary and
CC-CEDICT (``bilingual``), and the grade says that it was, because a
dictionary bridge is less exact. An empty answer is not graded.
This module does not store grades or update mastery; ``practice`` does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .lexical import terms
from .loaders import detect_lang

PASS_SCORE = 0.6
PASS_CROSS = 0.5  # a dictionary bridge loses some terms, so an answer in the other language needs a little less
_TRUE = {"true", "t", "yes", "对", "正确", "是", "真"}
_FALSE = {"false", "f", "no", "错", "错误", "否", "假"}
# Words that carry no content in an answer, beyond the search stop words.
_GRADING_STOP = {"it", "its", "they", "their", "them", "this", "that", "these", "those", "which", "also",
                 "它", "它们", "他们", "她们", "我们", "你们", "这个", "那个", "这些", "那些", "就是", "可以"}


@dataclass
class Grade:
    correct: bool
    score: float  # 0..1
    empty: bool = False
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    cross_language: bool = False  # the answer was in the other language than the key


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().casefold()
    return re.sub(r"[\s\.\,;:!?。，；：！？、\"'“”‘’()（）]+", " ", text).strip()


def _option_text(answer: str, options: list[str]) -> str:
    """An option given by its letter (A, b) or number (1) means that option's text."""
    value = _norm(answer)
    if len(value) == 1 and value.isalpha() and ord(value) - ord("a") < len(options):
        return _norm(options[ord(value) - ord("a")])
    if value.isdigit() and 1 <= int(value) <= len(options) and value not in {_norm(o) for o in options}:
        return _norm(options[int(value) - 1])
    return value


def grade_choice(answer: str, key: str, options: list[str]) -> Grade:
    """Exact grading of a multiple-choice or true/false answer."""
    if not _norm(answer):
        return Grade(False, 0.0, empty=True)
    given, expected = _option_text(answer, options), _option_text(key, options)
    for group in (_TRUE, _FALSE):
        if given in group and expected in group:
            given = expected
    correct = given == expected
    return Grade(correct, 1.0 if correct else 0.0)


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)


def _covered(term: str, answer_terms: list[str], answer_text: str) -> bool:
    if any(_same(term, other) for other in answer_terms):
        return True
    # Chinese words are segmented differently in a short answer; containment is the fairer test.
    return not term.isascii() and term in answer_text


def grade_short(answer: str, key: str, question: str = "", bilingual=None) -> Grade:
    """Grade a free-text answer by how many of the key's terms it covers."""
    if not _norm(answer):
        return Grade(False, 0.0, empty=True)
    asked = set(terms(question))
    key_terms = _key_terms(key)
    wanted = [t for t in key_terms if not any(_same(t, q) for q in asked)] or key_terms
    if not wanted:
        return grade_choice(answer, key, [])  # a key with no content words ("42", "是"): compare exactly
    answer_terms = terms(answer)
    answer_text = _norm(answer)
    cross = detect_lang(answer) != detect_lang(key)
    if cross:
        if bilingual is None:
            from .bilingual import default_bilingual

            bilingual = default_bilingual()
        answer_terms, answer_text = _bridge(answer_terms, answer_text, bilingual)
    matched = [t for t in wanted if _covered(t, answer_terms, answer_text)]
    if cross and bilingual is not None:
        # Also try the other way: the key's terms translated, found in the answer as written.
        original_terms, original_text = terms(answer), _norm(answer)
        for t in wanted:
            if t not in matched and any(_covered(tr, original_terms, original_text) or _covered_stem(tr, original_terms)
                                         for tr in bilingual.translations(t)):
                matched.append(t)
    score = len(matched) / len(wanted)
    missing = [_display(t, key) for t in wanted if t not in matched]
    return Grade(score >= (PASS_CROSS if cross else PASS_SCORE), round(score, 4), matched=matched, missing=missing, cross_language=cross)


def _display(term: str, key: str) -> str:
    """The key's own word for a stemmed term (``exampl`` -> ``examples``), for feedback."""
    if not term.isascii():
        return term
    return next((w for w in re.findall(r"[A-Za-z][\w'-]*", key) if terms(w) == [term]), term)


def _key_terms(key: str) -> list[str]:
    """The key's content terms; a Chinese term inside a longer one (两三 in 两三个) is not counted twice."""
    found = [t for t in dict.fromkeys(terms(key)) if t not in _GRADING_STOP]
    return [t for t in found if t.isascii() or not any(t != other and t in other for other in found)]


def _covered_stem(translation: str, answer_terms: list[str]) -> bool:
    return any(_same(t, other) for t in terms(translation) for other in answer_terms)


def _bridge(answer_terms: list[str], answer_text: str, bilingual) -> tuple[list[str], str]:
    """The answer's terms plus their translations (stemmed like key terms)."""
    extra: list[str] = []
    for term in answer_terms:
        for translation in bilingual.translations(term):
            extra.extend(terms(translation) if translation.isascii() else [translation])
    return answer_terms + extra, answer_text + " " + " ".join(extra)
