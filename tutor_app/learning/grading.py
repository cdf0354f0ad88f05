"""Grading practice answers: exact for choices; short answers by meaning, key terms and contradictions.

Multiple-choice and true/false answers are compared exactly (after trimming and
case-folding; an option's letter or number is accepted for its text).

A short answer gets a three-way verdict (``correct`` / ``partly`` / ``not_yet``)
against the educator's key:

1. Length and precision: an answer far longer than the key (a pasted lesson
   passage) is not accepted whatever it contains, nor is one made mostly of
   sentences that are off the point (a sentence is, when it scores low against
   the key, measured from its group's pass mark, and the answer scores better
   without it: padding).
2. Contradiction (``contradictions``): the answer must not flip what the key
   says about one of its terms: a negation, a pole of an antonym pair
   (low/high, keep/remove, oldest/newest, 低/高, 保留/删除 ...), an order
   (before/after, 先/再), a leading yes/no, or what the key says of one of the
   things the question compares said of another.
3. Meaning: cosine similarity of answer and key with the multilingual e5
   embedder (``query: `` on both sides, a symmetric comparison), after taking
   part of the question's vector out of both: e5 scores mostly the topic, which
   a wrong answer on the same topic shares; what remains is what the answer
   says. So an answer in other words, or in the other language, can pass; one
   much shorter than the key is at most "partly".
4. Key terms: the share of the key's terms the answer covers (``lexical.terms``;
   terms the question already has earn nothing), bridged across English and
   Chinese by the course glossary and CC-CEDICT (``bilingual``). Its weight in
   the score is calibrated, and came out as none: paraphrases use few of the
   key's words and wrong answers reuse them. The key's terms also anchor the
   contradiction check, and they alone decide without an embedder.

The thresholds were chosen on the calibration exercises of ``data/grading``
(``benchmarks/grading.py``, which says how, and reports the held-out ones). Feedback is a message id (``Grade.feedback``) and never holds a
percentage or the key. An empty answer is not graded. Without an embedder, or
without a question, the grade rests on key terms alone. Deterministic and
offline. This module does not store grades or update mastery; ``practice`` does.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from tutor_app.engine.search.lexical import terms
from tutor_app.engine.text import CJK_RUN, detect_lang
from tutor_app.learning.contradictions import contradicts, key_terms, same_term

CORRECT, PARTLY, NOT_YET = "correct", "partly", "not_yet"


@dataclass(frozen=True)
class Thresholds:
    """Where the verdicts split; ``benchmarks/grading.py`` chooses them on the calibration exercises."""

    question_weight: float = 0.6  # how much of the question's vector comes out of answer and key
    meaning_en: float = 0.64  # meaning score that passes, English answer to an English key
    meaning_zh: float = 0.71  # e5 scores Chinese pairs higher across the board
    meaning_cross: float = 0.525  # and a translation lower than a same-language paraphrase
    terms_weight: float = 0.0  # key-term coverage added to the meaning score
    brevity: float = 0.5  # an answer shorter than this share of the key is at most "partly"
    partly_margin: float = 0.06  # this far below the pass mark is still "partly"
    topic: float = 0.05  # a sentence scoring below its group's pass mark plus this ...
    dilution: float = 0.02  # ... whose removal raises the answer's score by more than this is off the point
    precision: float = 0.5  # share of the answer (by length) that must be on the point
    length_ratio: float = 3.0  # an answer longer than this many times the key is not accepted ...
    length_slack: float = 12.0  # ... unless it is within this many words of a short key
    lexical_pass: float = 0.6  # key-term coverage that passes on key terms alone
    lexical_pass_cross: float = 0.5  # a dictionary bridge loses some terms

    def meaning(self, group: str) -> float:
        return {"en": self.meaning_en, "zh": self.meaning_zh}.get(group, self.meaning_cross)


THRESHOLDS = Thresholds()
_TRUE = {"true", "t", "yes", "对", "正确", "是", "真"}
_FALSE = {"false", "f", "no", "错", "错误", "否", "假"}


@dataclass
class Grade:
    correct: bool
    score: float  # 0..1 credit for mastery and review scheduling; never shown to the learner
    empty: bool = False
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    cross_language: bool = False  # the answer was in the other language than the key
    verdict: str = ""  # correct / partly / not_yet
    reason: str = ""  # why not correct: long, off_topic, contradiction, missing
    meaning: float | None = None  # the meaning score (None when graded on key terms alone)

    def __post_init__(self) -> None:
        if not self.verdict:
            self.verdict = CORRECT if self.correct else NOT_YET

    @property
    def feedback(self) -> str:
        """The message id (``tutor_app/messages/grading.py``) that tells the learner the verdict."""
        if self.empty:
            return "grade_empty"
        if self.verdict == CORRECT:
            return "grade_correct"
        if self.verdict == PARTLY:
            return "grade_partly"
        return f"grade_not_yet_{self.reason}" if self.reason in ("long", "off_topic", "contradiction") else "grade_not_yet"


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


# --------------------------------------------------------------------------- short answers


@dataclass
class Signals:
    """What the grader measured about one answer; ``decide`` turns it into a verdict."""

    recall: float  # share of the key's terms covered
    meaning: float | None  # None: no embedder or no question
    group: str  # "en" or "zh" (same language as the key) or "cross"
    brevity: float  # the answer's length over the key's
    too_long: bool
    sentences: list[tuple[float, float, float]]  # (length, meaning score, gain when left out), when several
    contradiction: bool
    matched: list[str]
    missing: list[str]


def grade_short(
    answer: str, key: str, question: str = "", bilingual=None, embedder="default", thresholds: Thresholds = THRESHOLDS
) -> Grade:
    """Grade a free-text answer against the key: correct, partly, or not yet.

    ``embedder`` is a Chroma-style embedding function (its ``embed_query`` when
    it has one); by default the bundled e5 the thresholds were chosen with;
    ``None`` grades on key terms alone.
    """
    if not _norm(answer):
        return Grade(False, 0.0, empty=True)
    if not key_terms(key):
        return grade_choice(answer, key, [])  # a key with no content words ("42", "是"): compare exactly
    if embedder == "default":
        embedder = default_embedder()
    if bilingual is None and detect_lang(answer) != detect_lang(key):
        from tutor_app.engine.search.bilingual import default_bilingual

        bilingual = default_bilingual()
    return decide(assess(answer, key, question, bilingual, embedder, thresholds), thresholds)


def assess(answer: str, key: str, question: str, bilingual, embedder, th: Thresholds = THRESHOLDS, lazy: bool = True) -> Signals:
    """Measure an answer against the key: length, key terms, contradictions, meaning and precision.

    ``lazy``: sentences are scored one by one only when the whole answer could pass (a coach reply
    checked by the leak guard costs one embedding, not two per sentence).
    """
    cross = detect_lang(answer) != detect_lang(key)
    group = "cross" if cross else detect_lang(key)
    recall, matched, missing = _coverage(answer, key, question, bilingual if cross else None)
    brevity = text_length(answer) / max(text_length(key), 1.0)
    too_long = text_length(answer) > max(th.length_ratio * text_length(key), text_length(key) + th.length_slack)
    if too_long:  # a pasted passage is not read further (nor embedded: it may be long)
        return Signals(recall, None, group, brevity, True, [], False, matched, missing)
    contradiction = contradicts(answer, key, question, bilingual if cross else None)
    meaning, sentences = None, []
    if embedder is not None and question.strip():
        meaning = _meaning(answer, key, question, embedder, th.question_weight)
        if not lazy or meaning + th.terms_weight * recall >= th.meaning(group) - th.partly_margin:
            sentences = _sentences(answer, key, question, embedder, th.question_weight, meaning)
    return Signals(recall, meaning, group, brevity, False, sentences, contradiction, matched, missing)


def decide(s: Signals, th: Thresholds = THRESHOLDS) -> Grade:
    """The verdict for measured signals (apart from ``assess`` so the benchmark can calibrate thresholds)."""
    base = dict(matched=s.matched, missing=s.missing, cross_language=s.group == "cross", meaning=s.meaning)
    if s.too_long:
        return Grade(False, 0.0, verdict=NOT_YET, reason="long", **base)
    if s.contradiction:
        return Grade(False, 0.0, verdict=NOT_YET, reason="contradiction", **base)
    if _precision(s.sentences, th, s.group) < th.precision:
        return Grade(False, 0.0, verdict=NOT_YET, reason="off_topic", **base)
    if s.meaning is None:  # key terms alone; any covered term is partly right
        mark, evidence = (th.lexical_pass_cross if s.group == "cross" else th.lexical_pass), s.recall
        floor = 1e-9
    else:
        mark, evidence = th.meaning(s.group), s.meaning + th.terms_weight * s.recall
        floor = mark - th.partly_margin
    if evidence >= mark and (s.meaning is None or s.brevity >= th.brevity):
        return Grade(True, round(min(1.0, 0.8 + (evidence - mark) * 2), 4), verdict=CORRECT, **base)
    if evidence >= floor:
        return Grade(False, 0.5, verdict=PARTLY, reason="missing", **base)
    # Some credit for the key's terms, as before: mastery and review pacing read it, the learner never does.
    return Grade(False, round(min(0.35, s.recall / 2), 4), verdict=NOT_YET, reason="missing", **base)


# --------------------------------------------------------------------------- key-term coverage


def _covered(term: str, answer_terms: list[str], answer_text: str) -> bool:
    if any(same_term(term, other) for other in answer_terms):
        return True
    # Chinese words are segmented differently in a short answer; containment is the fairer test.
    return not term.isascii() and term in answer_text


def _coverage(answer: str, key: str, question: str, bilingual) -> tuple[float, list[str], list[str]]:
    """Share of the key's terms (less the question's) that the answer has, in either language."""
    asked = set(terms(question))
    found = key_terms(key)
    wanted = [t for t in found if not any(same_term(t, q) for q in asked)] or found
    answer_terms, answer_text = terms(answer), _norm(answer)
    if bilingual is not None:
        answer_terms, answer_text = _bridge(answer_terms, answer_text, bilingual)
    matched = [t for t in wanted if _covered(t, answer_terms, answer_text)]
    if bilingual is not None:
        # Also try the other way: the key's terms translated, found in the answer as written.
        original_terms, original_text = terms(answer), _norm(answer)
        for t in wanted:
            if t not in matched and any(
                _covered(tr, original_terms, original_text) or _covered_stem(tr, original_terms)
                for tr in bilingual.translations(t)
            ):
                matched.append(t)
    missing = [_display(t, key) for t in wanted if t not in matched]
    return len(matched) / len(wanted), matched, missing


def _display(term: str, key: str) -> str:
    """The key's own word for a stemmed term (``exampl`` -> ``examples``)."""
    if not term.isascii():
        return term
    return next((w for w in re.findall(r"[A-Za-z][\w'-]*", key) if terms(w) == [term]), term)


def _covered_stem(translation: str, answer_terms: list[str]) -> bool:
    return any(same_term(t, other) for t in terms(translation) for other in answer_terms)


def _bridge(answer_terms: list[str], answer_text: str, bilingual) -> tuple[list[str], str]:
    """The answer's terms plus their translations (stemmed like key terms)."""
    extra: list[str] = []
    for term in answer_terms:
        for translation in bilingual.translations(term):
            extra.extend(terms(translation) if translation.isascii() else [translation])
    return answer_terms + extra, answer_text + " " + " ".join(extra)


def text_length(text: str) -> float:
    """Length in words; Chinese has no spaces, and about 1.6 characters make a word."""
    cjk = sum(len(run) for run in CJK_RUN.findall(text))
    return len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", text)) + cjk / 1.6


# --------------------------------------------------------------------------- meaning


_SENTENCE = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+|\n+")  # "llama.cpp" and "4.5" are not two sentences
_VECTORS: OrderedDict = OrderedDict()
_VECTORS_MAX = 4096
_VECTORS_LOCK = threading.Lock()  # pages grade from several threads


@lru_cache(maxsize=1)
def default_embedder():
    """The bundled multilingual e5 (the thresholds were chosen with it); None when it cannot load."""
    try:
        from tutor_app.engine.search.embeddings import E5Embedding

        embedder = E5Embedding()
        embedder.embed_query(["warm-up"])
        return embedder
    except Exception:  # a broken install still grades, on key terms alone
        return None


def embed(embedder, texts: list[str]) -> np.ndarray:
    """Unit vectors with ``query: `` on every text (a symmetric comparison); cached, as keys and questions repeat."""
    name = _embedder_name(embedder)
    with _VECTORS_LOCK:
        found = {t: _VECTORS[(name, t)] for t in texts if (name, t) in _VECTORS}
    todo = [t for t in dict.fromkeys(texts) if t not in found]
    if todo:
        function = getattr(embedder, "embed_query", None) or embedder
        for text, vector in zip(todo, function(todo)):
            vector = np.asarray(vector, dtype=np.float32)
            found[text] = vector / (np.linalg.norm(vector) or 1.0)
        with _VECTORS_LOCK:
            _VECTORS.update({(name, t): found[t] for t in todo})
            while len(_VECTORS) > _VECTORS_MAX:
                _VECTORS.popitem(last=False)
    return np.stack([found[t] for t in texts])


def _embedder_name(embedder) -> str:
    try:
        return f"{embedder.name()}:{embedder.get_config()}"
    except Exception:
        return f"{type(embedder).__name__}:{id(embedder)}"


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


def _meaning(answer: str, key: str, question: str, embedder, question_weight: float) -> float:
    """Similarity of answer and key once part of the question's vector is taken out of both."""
    a, k, q = embed(embedder, [answer.strip(), key.strip(), question.strip()])
    return float(_unit(a - question_weight * q) @ _unit(k - question_weight * q))


def _sentences(
    answer: str, key: str, question: str, embedder, question_weight: float, whole: float
) -> list[tuple[float, float, float]]:
    """For each sentence of a longer answer: its length, its own score, and the answer's gain without it."""
    parts = [s.strip() for s in _SENTENCE.split(answer.strip()) if text_length(s) >= 1]
    if len(parts) < 2:
        return []
    rests = [" ".join(p for j, p in enumerate(parts) if j != i) for i in range(len(parts))]
    vectors = embed(embedder, [key.strip(), question.strip(), *parts, *rests])
    q = vectors[1]
    k = _unit(vectors[0] - question_weight * q)
    scores = [float(_unit(v - question_weight * q) @ k) for v in vectors[2:]]
    own, without = scores[: len(parts)], scores[len(parts) :]
    return [(text_length(p), o, w - whole) for p, o, w in zip(parts, own, without)]


def _precision(sentences: list[tuple[float, float, float]], th: Thresholds, group: str) -> float:
    """The share of the answer, by length, that is on the point: a sentence is off it when it scores
    low against the key and the answer scores better without it (e5 alone confuses a topic with a point).
    Low is measured from the pass mark of the answer's group, as a translation scores lower throughout."""
    total = sum(length for length, _, _ in sentences)
    low = th.meaning(group) + th.topic
    off = sum(length for length, own, gain in sentences if own < low and gain > th.dilution)
    return 1 - off / total if total else 1.0
