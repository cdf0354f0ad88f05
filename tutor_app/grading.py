"""Grading practice answers: exact for choices; short answers by meaning, key terms and contradictions.

Multiple-choice and true/false answers are compared exactly (after trimming and
case-folding; an option's letter or number is accepted for its text).

A short answer gets a three-way verdict (``correct`` / ``partly`` / ``not_yet``)
against the educator's key:

1. Length and precision: an answer far longer than the key (a pasted lesson
   passage) is not accepted whatever it contains, nor is one made mostly of
   sentences that are off the point (a sentence is, when it scores low against
   the key and the answer scores better without it: padding).
2. Contradiction: the answer must not flip what the key says about one of its
   terms: a negation (not, never, without, 不, 没有), a pole of an antonym pair
   (low/high, more/less, small/large, 低/高, 多/少, 大/小 ...) next to the same
   term, an order (before/after, 先/再, 之前/之后; the question counts, so
   "after the model answers" contradicts "what happens before it answers"), or
   a leading yes/no.
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
   key's words and wrong answers reuse them. The key's terms still anchor the
   contradiction check, and they alone decide without an embedder.

The thresholds were chosen on the calibration half of
``data/grading/short_answers.yaml`` (``benchmarks/grading.py``, which reports
the other half). Feedback is a message id (``Grade.feedback``) and never holds a
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

from .lexical import _CJK_RUN, _jieba, _jieba_lock, terms
from .loaders import detect_lang

CORRECT, PARTLY, NOT_YET = "correct", "partly", "not_yet"


@dataclass(frozen=True)
class Thresholds:
    """Where the verdicts split; ``benchmarks/grading.py`` chooses them on the calibration exercises."""

    question_weight: float = 0.6  # how much of the question's vector comes out of answer and key
    meaning_en: float = 0.665  # meaning score that passes, English answer to an English key
    meaning_zh: float = 0.71  # e5 scores Chinese pairs higher across the board
    meaning_cross: float = 0.515  # and a translation lower than a same-language paraphrase
    terms_weight: float = 0.0  # key-term coverage added to the meaning score
    brevity: float = 0.4  # an answer shorter than this share of the key is at most "partly"
    partly_margin: float = 0.06  # this far below the pass mark is still "partly"
    topic: float = 0.7  # a sentence with a lower meaning score than this ...
    dilution: float = 0.04  # ... whose removal raises the answer's score by more than this is off the point
    precision: float = 0.7  # share of the answer (by length) that must be on the point
    length_ratio: float = 3.0  # an answer longer than this many times the key is not accepted ...
    length_slack: float = 12.0  # ... unless it is within this many words of a short key
    lexical_pass: float = 0.6  # key-term coverage that passes on key terms alone
    lexical_pass_cross: float = 0.5  # a dictionary bridge loses some terms

    def meaning(self, group: str) -> float:
        return {"en": self.meaning_en, "zh": self.meaning_zh}.get(group, self.meaning_cross)


THRESHOLDS = Thresholds()
_TRUE = {"true", "t", "yes", "对", "正确", "是", "真"}
_FALSE = {"false", "f", "no", "错", "错误", "否", "假"}
# Words that carry no content in an answer, beyond the search stop words.
_GRADING_STOP = {"it", "its", "they", "their", "them", "this", "that", "these", "those", "which", "also",
                 "它", "它们", "他们", "她们", "我们", "你们", "这个", "那个", "这些", "那些", "就是", "可以"}


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


def grade_short(answer: str, key: str, question: str = "", bilingual=None, embedder="default",
                thresholds: Thresholds = THRESHOLDS) -> Grade:
    """Grade a free-text answer against the key: correct, partly, or not yet.

    ``embedder`` is a Chroma-style embedding function (its ``embed_query`` when
    it has one); by default the bundled e5 the thresholds were chosen with;
    ``None`` grades on key terms alone.
    """
    if not _norm(answer):
        return Grade(False, 0.0, empty=True)
    if not _key_terms(key):
        return grade_choice(answer, key, [])  # a key with no content words ("42", "是"): compare exactly
    if embedder == "default":
        embedder = default_embedder()
    if bilingual is None and detect_lang(answer) != detect_lang(key):
        from .bilingual import default_bilingual

        bilingual = default_bilingual()
    return decide(assess(answer, key, question, bilingual, embedder, thresholds), thresholds)


def assess(answer: str, key: str, question: str, bilingual, embedder, th: Thresholds = THRESHOLDS,
           lazy: bool = True) -> Signals:
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
    if _precision(s.sentences, th) < th.precision:
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


def _key_terms(key: str) -> list[str]:
    """The key's content terms; a Chinese term inside a longer one (两三 in 两三个) is not counted twice."""
    found = [t for t in dict.fromkeys(terms(key)) if t not in _GRADING_STOP]
    return [t for t in found if t.isascii() or not any(t != other and t in other for other in found)]


def _coverage(answer: str, key: str, question: str, bilingual) -> tuple[float, list[str], list[str]]:
    """Share of the key's terms (less the question's) that the answer has, in either language."""
    asked = set(terms(question))
    key_terms = _key_terms(key)
    wanted = [t for t in key_terms if not any(_same(t, q) for q in asked)] or key_terms
    answer_terms, answer_text = terms(answer), _norm(answer)
    if bilingual is not None:
        answer_terms, answer_text = _bridge(answer_terms, answer_text, bilingual)
    matched = [t for t in wanted if _covered(t, answer_terms, answer_text)]
    if bilingual is not None:
        # Also try the other way: the key's terms translated, found in the answer as written.
        original_terms, original_text = terms(answer), _norm(answer)
        for t in wanted:
            if t not in matched and any(_covered(tr, original_terms, original_text) or _covered_stem(tr, original_terms)
                                         for tr in bilingual.translations(t)):
                matched.append(t)
    missing = [_display(t, key) for t in wanted if t not in matched]
    return len(matched) / len(wanted), matched, missing


def _display(term: str, key: str) -> str:
    """The key's own word for a stemmed term (``exampl`` -> ``examples``)."""
    if not term.isascii():
        return term
    return next((w for w in re.findall(r"[A-Za-z][\w'-]*", key) if terms(w) == [term]), term)


def _covered_stem(translation: str, answer_terms: list[str]) -> bool:
    return any(_same(t, other) for t in terms(translation) for other in answer_terms)


def _bridge(answer_terms: list[str], answer_text: str, bilingual) -> tuple[list[str], str]:
    """The answer's terms plus their translations (stemmed like key terms)."""
    extra: list[str] = []
    for term in answer_terms:
        for translation in bilingual.translations(term):
            extra.extend(terms(translation) if translation.isascii() else [translation])
    return answer_terms + extra, answer_text + " " + " ".join(extra)


def text_length(text: str) -> float:
    """Length in words; Chinese has no spaces, and about 1.6 characters make a word."""
    cjk = sum(len(run) for run in _CJK_RUN.findall(text))
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
        from .embeddings import E5Embedding

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


def _sentences(answer: str, key: str, question: str, embedder, question_weight: float, whole: float
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
    own, without = scores[:len(parts)], scores[len(parts):]
    return [(text_length(p), o, w - whole) for p, o, w in zip(parts, own, without)]


def _precision(sentences: list[tuple[float, float, float]], th: Thresholds) -> float:
    """The share of the answer, by length, that is on the point: a sentence is off it when it scores
    low against the key and the answer scores better without it (e5 alone confuses a topic with a point)."""
    total = sum(length for length, _, _ in sentences)
    off = sum(length for length, own, gain in sentences if own < th.topic and gain > th.dilution)
    return 1 - off / total if total else 1.0


# --------------------------------------------------------------------------- contradictions

# Antonym pairs, in both languages: pair -> (words of one pole, words of the other).
# Order (before/after) is apart, below: it relates two things rather than qualifying one.
_PAIRS_EN = {
    "level": ("low lower lowest", "high higher highest"),
    "amount": ("less fewer least fewest", "more most"),
    "size": ("small smaller smallest tiny shorter", "large larger largest big bigger huge longer"),
    "change": ("decrease decreases shrink shrinks drops falls", "increase increases grow grows rises doubles"),
    "bound": ("minimum min", "maximum max upper"),
    "speed": ("slow slower slowly", "fast faster quick quicker"),
    "truth": ("false untrue", "true"),
    "who": ("nobody noone", "anyone anybody everyone everybody"),
}
_PAIRS_ZH = {
    "level": ("低", "高"), "amount": ("少", "多"), "speed": ("慢", "快"), "truth": ("假", "真"),
    "size": ("小 缩小", "大 扩大"), "bound": ("最少 最小", "最多 最大"),
    "change": ("减少 减小 降低 下降", "增加 增大 提高"), "who": ("没人 没有人", "任何人 谁都"),
}
_POLES_EN = {word: (pair, side) for pair, sides in _PAIRS_EN.items() for side, words in enumerate(sides)
             for word in words.split()}
_POLES_ZH = sorted(((word, (pair, side)) for pair, sides in _PAIRS_ZH.items() for side, words in enumerate(sides)
                    for word in words.split()), key=lambda item: -len(item[0]))  # a word is read as its longest pole
_ZH_JOIN = {"没人", "没有人", "谁都"}
# Chinese words that hold a pole character without meaning it.
_NOT_POLES_ZH = {"多样", "多个", "多种", "多数", "大多", "许多", "很多", "多少", "大小", "大大", "大量", "大幅", "大家",
                 "差不多", "不少", "至少", "高兴", "多样性", "真正", "真的", "假如", "假设", "多余", "大型", "小型", "小心"}
# Order words. "X before Y": Y, the reference, comes later. Each entry: (where its reference stands, side given).
_EARLY, _LATE = 0, 1
_ORDER_EN = {"before": ("next", _LATE), "after": ("next", _EARLY), "then": ("rest", _LATE),
             "later": ("prev", _LATE), "afterwards": ("prev", _LATE), "afterward": ("prev", _LATE),
             "sooner": ("prev", _EARLY), "earlier": ("prev", _EARLY), "beforehand": ("prev", _EARLY),
             "first": ("prev", _EARLY)}
_ORDER_ZH = {"之前": ("prev", _LATE), "以前": ("prev", _LATE), "前": ("prev", _LATE), "之后": ("prev", _EARLY),
             "以后": ("prev", _EARLY), "后": ("prev", _EARLY), "先": ("rest", _EARLY), "首先": ("rest", _EARLY),
             "再": ("rest", _LATE), "然后": ("rest", _LATE), "随后": ("rest", _LATE), "接着": ("rest", _LATE),
             "最后": ("rest", _LATE)}
_NEGATORS_EN = {"not", "no", "never", "without", "cannot", "neither", "nor", "barely", "hardly", "scarcely"}
_SUBJECT_NEGATORS_EN = {"nothing", "nobody", "none", "noone"}  # "nothing is retrieved", "changes nothing"
_AUXILIARIES = set("is are was were be been gets got can will would could should does do".split())
_NEGATOR_ZH_PREFIX = ("不", "没", "无", "未", "别", "勿", "非")
_NOT_NEGATORS_ZH = {"不同", "不断", "不少", "不仅", "不过", "不但", "不久", "不错", "非常", "未来", "别人", "别的",
                    "无论", "不管", "没错", "无数", "非得", "差不多"}
_YES = {"yes", "yeah", "是", "是的", "会", "会的", "对", "能", "可以"}
_NO = {"no", "nope", "不", "不会", "不是", "没有", "否", "不能", "不对"}
# Where one statement ends and the next begins: no pole or negation reaches past these.
_BOUNDARY = {".", ";", ":", "!", "?", "。", "；", "：", "！", "？", "and", "but", "while", "whereas", "because", "so",
             "although", "though", "yet", "however", "then", "并", "但", "但是", "却", "而", "再", "并且", "而且",
             "所以", "因此", "因为", "虽然", "然后"}
_CLAUSE_END = {",", "，", "、", "的", "(", ")", "（", "）"}  # a negation stops here; a pole's term may sit past it (温度低，输出稳定)
_POLE_REACH = 8  # tokens between a pole and the term it qualifies
_REFERENCE_REACH = 2  # content tokens that make the reference of before/after


@dataclass
class _Token:
    text: str
    concepts: set[str] = field(default_factory=set)
    pole: tuple[str, int] | None = None
    negator: str = ""  # "", "plain" (not, 不), "subject" (nothing, nobody)
    boundary: bool = False
    stop: bool = False  # ends a negation's reach
    content: bool = False


def contradicts(answer: str, key: str, question: str = "", bilingual=None) -> bool:
    """Whether the answer flips what the key (or the question) says about one of the key's terms."""
    if _leading_answer(answer) and _leading_answer(key) and _leading_answer(answer) != _leading_answer(key):
        return True
    key_concepts = _key_terms(key)
    concepts = list(dict.fromkeys(key_concepts + [t for t in terms(question) if t not in _GRADING_STOP]))
    said = _polarity(_tokens(key, concepts, None), stated=True)
    # The question sets context for order and poles; a negation in it ("never ship") is the question's own.
    for concept_kind, sides in _polarity(_tokens(question, concepts, None)).items():
        if concept_kind[1] != "neg":
            said.setdefault(concept_kind, set()).update(sides)
    given = _polarity(_tokens(answer, concepts, bilingual))
    for (concept, kind), sides in given.items():
        stated = said.get((concept, kind))
        if stated is not None and len(stated) == 1 and len(sides) == 1 and stated != sides:
            return True
    return False


def _leading_answer(text: str) -> str:
    """``yes`` or ``no`` when the text opens with one (a yes/no question's answer)."""
    first = re.match(r"\s*([A-Za-z]+|[\u4e00-\u9fff]{1,2}?)(?=[\s,.:;!，。：；！]|$)", text or "")
    word = first.group(1).lower() if first else ""
    return "yes" if word in _YES else "no" if word in _NO else ""


def _surface(text: str) -> list[str]:
    """Words and punctuation in order: jieba words for Chinese runs, lower-cased words for the rest."""
    out: list[str] = []
    text = unicodedata.normalize("NFKC", text or "").replace("’", "'")
    for piece in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9\u3400-\u9fff]", text):
        if _CJK_RUN.fullmatch(piece):
            with _jieba_lock:
                words = [w for w in _jieba().lcut(piece, HMM=False) if w.strip()]
            for word in words:  # 没 + 人 -> 没人: a pole the dictionary splits
                if out and out[-1] + word in _ZH_JOIN:
                    out[-1] += word
                else:
                    out.append(word)
        else:
            out.append(piece.lower())
    return out


def _tokens(text: str, concepts: list[str], bilingual) -> list[_Token]:
    out: list[_Token] = []
    for word in _surface(text):
        token = _Token(word, boundary=word in _BOUNDARY)
        token.stop = token.boundary or word in _CLAUSE_END
        if word.endswith("n't") or word in _NEGATORS_EN or _zh_negator(word):
            token.negator = "plain"
        elif word in _SUBJECT_NEGATORS_EN:
            token.negator = "subject"
        token.pole = _POLES_EN.get(word) if word.isascii() else _zh_pole(word)
        own = word[:-3] if word.endswith("n't") else word[1:] if _zh_negator(word) else word
        word_terms = [] if word in _NEGATORS_EN else [t for t in terms(own) if t not in _GRADING_STOP]
        token.content = bool(word_terms) and not token.stop and not token.negator
        token.concepts = _concepts_of(own, word_terms, concepts, bilingual) if word_terms else set()
        out.append(token)
    return out


def _zh_negator(word: str) -> bool:
    return not word.isascii() and word.startswith(_NEGATOR_ZH_PREFIX) and word not in _NOT_NEGATORS_ZH


def _zh_pole(word: str) -> tuple[str, int] | None:
    if word in _NOT_POLES_ZH:
        return None
    for morpheme, (pair, side) in _POLES_ZH:
        # A one-character pole counts only in a short word: 高 in 调高, not in 高质量的.
        if morpheme in word and (len(morpheme) > 1 or len(word) <= 3):
            # 不大, 不真实: the word negates its own pole
            return (pair, 1 - side) if _zh_negator(word) and not word.startswith(morpheme) else (pair, side)
    return None


def _concepts_of(word: str, word_terms: list[str], concepts: list[str], bilingual) -> set[str]:
    """The key's (or question's) terms that this word stands for, directly or through a translation."""
    found = {c for c in concepts if any(_same(c, t) for t in word_terms) or (not c.isascii() and len(c) >= 2 and c in word)}
    if bilingual is not None and not found:
        translated = [x for t in word_terms for tr in bilingual.translations(t) for x in (terms(tr) or [tr])]
        found = {c for c in concepts if any(_same(c, x) or c == x for x in translated)}
        if not found:
            found = {c for c in concepts for tr in bilingual.translations(c)
                     if any(_same(x, t) for x in (terms(tr) or [tr]) for t in word_terms) or (not tr.isascii() and tr in word)}
    return found


def _polarity(tokens: list[_Token], stated: bool = False) -> dict[tuple[str, str], set]:
    """For each (concept, kind): the sides the text takes; kind is ``neg``, ``order`` or an antonym pair.

    ``stated`` (the key): a mention of the concept without a pole of a pair adds None, so a
    term the key qualifies in one place only is not held to that pole everywhere.
    """
    found: dict[tuple[str, str], set] = {}
    negated = _negated_positions(tokens)
    order = _order_positions(tokens)
    mentions: dict[str, list[dict]] = {}
    for i, token in enumerate(tokens):
        for concept in token.concepts:
            found.setdefault((concept, "neg"), set()).add(i in negated)
            poles = _poles_near(tokens, i)
            if i in order:
                poles["order"] = next(iter(order[i])) if len(order[i]) == 1 else None
            mentions.setdefault(concept, []).append(poles)
    for concept, each in mentions.items():
        for kind in {k for poles in each for k in poles}:
            sides = {poles.get(kind) for poles in each} if stated else {poles[kind] for poles in each if kind in poles}
            found[(concept, kind)] = sides
    return found


def _negated_positions(tokens: list[_Token]) -> set[int]:
    """Tokens under a negation: the next content word (or the one after it, when the first is no key term)."""
    out: set[int] = set()
    for i, token in enumerate(tokens):
        if not token.negator:
            continue
        if token.concepts:  # 不写, doesn't-change: the negated word is inside the token
            out.add(i)
            continue
        if token.negator == "subject" and i and tokens[i - 1].content:
            out.add(i - 1)  # "changes nothing"
        j, seen = i + 1, 0
        while j < len(tokens) and seen < 2 and not tokens[j].stop:
            if token.negator == "subject" and tokens[j].text not in _AUXILIARIES and not tokens[j].content:
                break
            if tokens[j].content:
                out.add(j)
                seen += 1
                if tokens[j].concepts or token.negator == "subject":
                    break
            j += 1
    return out


def _order_positions(tokens: list[_Token]) -> dict[int, set[int]]:
    """Tokens placed early or late by an order word (before/after, 先/再, 之前/之后, sooner/later)."""
    out: dict[int, set[int]] = {}
    for i, token in enumerate(tokens):
        marker = (_ORDER_EN if token.text.isascii() else _ORDER_ZH).get(token.text)
        if not marker:
            continue
        where, side = marker
        if where == "next" and not (i + 1 < len(tokens) and not tokens[i + 1].stop):
            continue  # "as long as before." : an adverb, not a relation
        step = -1 if where == "prev" else 1
        j, seen = i + step, 0
        while 0 <= j < len(tokens) and not tokens[j].boundary and (where == "rest" or not tokens[j].stop):
            if tokens[j].content:
                out.setdefault(j, set()).add(side)
                seen += 1
                if where != "rest" and seen >= _REFERENCE_REACH:
                    break
            j += step
    return out


def _poles_near(tokens: list[_Token], i: int) -> dict[str, int]:
    """For each antonym pair, the side of its nearest pole within the same statement (a negated pole flips)."""
    best: dict[str, tuple[int, int]] = {}
    if tokens[i].pole:  # the term itself is a pole word (更少, 变小)
        best[tokens[i].pole[0]] = (0, tokens[i].pole[1])
    for step in (-1, 1):
        j, distance = i + step, 1
        while 0 <= j < len(tokens) and distance <= _POLE_REACH and not tokens[j].boundary:
            pole = tokens[j].pole
            if pole:
                side = 1 - pole[1] if j and tokens[j - 1].negator else pole[1]
                if pole[0] not in best or distance < best[pole[0]][0]:
                    best[pole[0]] = (distance, side)
            j, distance = j + step, distance + 1
    return {pair: side for pair, (_, side) in best.items()}
