"""The answer-key guard: a deterministic check that a coach reply does not give the answer away.

Text is cut into units: a Latin word (lower-cased, NFKC-normalised, lightly
stemmed) or a single Chinese character, so English and Chinese are handled by
one rule and mixed text works too. Phrases the learner can already see (the
exercise itself) or has typed (their own messages) are never secret. A reply
leaks when it contains

* any secret phrase of the key: a run of ``PHRASE_UNITS`` units (the whole key
  when it is shorter) that is not made only of stop words; or
* at least ``RECALL_LIMIT`` of the key's secret content pieces, in any order:
  content words for Latin text, character pairs for Chinese (single Chinese
  characters are too common to mean anything); or
* a secret phrase spelled out or written backwards: the reply's letters and
  characters squashed together (``t-w-o o-r``, ``例示个三两放``) contain a
  phrase of the key (Latin ones of at least ``SQUASHED_MIN`` letters), either way round; or
* (when the exercise's question is given) text that would pass as a correct
  answer if a learner submitted it (``grading.grade_short``), which also
  catches the key translated into the other language.

``safe_reply`` returns the first candidate that passes, ending with a text that
has no units at all, so what it returns cannot leak by construction.
This module does not call a model and stores nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from tutor_app.engine.text import CJK, CJK_CHARS, GUARD_STOP_CHARS_ZH, GUARD_STOP_WORDS_EN, stem

PHRASE_UNITS = 3
RECALL_LIMIT = 0.5
SQUASHED_MIN = 6  # shorter squashed Latin phrases match by accident too often (three Chinese characters do not)
LAST_RESORT = "…?"  # has no units, so it cannot overlap any key

_UNIT = re.compile(f"[a-z0-9]+|[{CJK_CHARS}]")


def units(text: str) -> list[str]:
    """The comparable units of ``text``: stemmed Latin words and single Chinese characters."""
    normal = unicodedata.normalize("NFKC", text or "").lower()
    return [stem(u) if u[0].isascii() else u for u in _UNIT.findall(normal)]


def squash(text: str) -> str:
    """Letters, digits and Chinese characters only, unstemmed: ``T-w-o  o r`` -> ``twoor``."""
    return "".join(_UNIT.findall(unicodedata.normalize("NFKC", text or "").lower()))


def _is_cjk(unit: str) -> bool:
    return bool(CJK.fullmatch(unit))


def _is_stop(unit: str) -> bool:
    return unit in GUARD_STOP_WORDS_EN or unit in GUARD_STOP_CHARS_ZH


def ngrams(seq: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)}


def _pieces(seq: list[str]) -> set[tuple[str, ...]]:
    """Content pieces: Latin content words, and pairs of adjacent Chinese characters."""
    out = {(u,) for u in seq if not _is_cjk(u) and not _is_stop(u)}
    out |= {p for p in ngrams(seq, 2) if _is_cjk(p[0]) and _is_cjk(p[1]) and not (_is_stop(p[0]) and _is_stop(p[1]))}
    return out


@dataclass
class Verdict:
    leaked: bool
    phrases: list[str] = field(default_factory=list)  # secret phrases found in the reply
    recall: float = 0.0  # share of the key's secret content pieces found in the reply
    secret_pieces: int = 0
    passes_as_answer: bool = False  # graded as an answer to the exercise, the reply would be correct


@dataclass
class KeyGuard:
    """The guard for one answer key, with the texts whose phrases are not secret."""

    key: str
    visible: Iterable[str] = ()  # made a list below: it is read twice
    question: str | None = None  # the exercise: when given, a reply that would pass as its answer leaks

    def __post_init__(self) -> None:
        self.visible = list(self.visible)
        key_units = units(self.key)
        seen: list[list[str]] = [units(text) for text in self.visible]
        n = min(PHRASE_UNITS, len(key_units))
        visible_phrases = set().union(*(ngrams(s, n) for s in seen)) if seen and n else set()
        self.phrases = (
            {p for p in ngrams(key_units, n) if p not in visible_phrases and not all(_is_stop(u) for u in p)} if n else set()
        )
        visible_pieces = set().union(*(_pieces(s) for s in seen)) if seen else set()
        self.pieces = _pieces(key_units) - visible_pieces
        self.n = n
        # The same secret phrases, unstemmed and squashed (units() keeps the raw units' order).
        raw_units = _UNIT.findall(unicodedata.normalize("NFKC", self.key).lower())
        self.squashed = {
            "".join(raw_units[i : i + n])
            for i in range(len(raw_units) - n + 1)
            if n
            and tuple(key_units[i : i + n]) in self.phrases
            and (len("".join(raw_units[i : i + n])) >= SQUASHED_MIN or any(_is_cjk(u) for u in raw_units[i : i + n]))
        }

    def check(self, reply: str) -> Verdict:
        reply_units = units(reply)
        found = sorted(" ".join(p) for p in self.phrases & ngrams(reply_units, self.n)) if self.n else []
        flat = squash(reply)
        found += sorted(p for p in self.squashed if p in flat or p[::-1] in flat)
        recall = len(self.pieces & _pieces(reply_units)) / len(self.pieces) if self.pieces else 0.0
        answers = False
        if self.question is not None and reply_units:
            from tutor_app.learning.grading import grade_short  # imported late: grading loads the segmenter and dictionary

            answers = grade_short(reply, self.key, self.question).correct
        return Verdict(bool(found) or recall >= RECALL_LIMIT or answers, found, recall, len(self.pieces), answers)

    def safe_reply(self, candidates: Iterable[str]) -> tuple[str, int]:
        """The first candidate that does not leak, and its position (len(candidates) for the last resort)."""
        position = 0
        for position, text in enumerate(candidates):
            if text and text.strip() and not self.check(text).leaked:
                return text, position
        else:
            position += 1
        return LAST_RESORT, position


def check(reply: str, key: str, visible: Iterable[str] = (), question: str | None = None) -> Verdict:
    """One-off check of ``reply`` against ``key``; see ``KeyGuard``."""
    return KeyGuard(key, list(visible), question).check(reply)
