"""Quizzes assembled from the course's own sentences, without a language model (issue 13).

    build_quiz(request, retriever, *, objectives=None, max_passages=6, progress=None) -> Generated
    quiz_items(request, sources, count, lang, *, lesson_chunks=()) -> list[QuizQuestion]
    assessment_lines(request, sources, count=3) -> list[str]

``build_quiz`` retrieves the sections that teach the topic (in the requested
language when the course has it; ``NotCovered`` as ``shared.gather_sources``
raises it), builds questions from their sentences, links each to one of the
lessons' own front-matter objectives (or to the given ``objectives``) and runs
every check. ``quiz_items`` is the question maker alone, for the plan
builder's formative assessment: up to ``count`` questions in ``lang`` from
``sources.passages`` (``lesson_chunks``, other sections of the same lessons,
widen the pool of wrong options); each question's ``objective_id`` is the
front-matter objective id of its lesson that it serves best, or "".
``assessment_lines`` gives them as text lines with their answers, in the shape
``plan_builder.build_plan(assessment=...)`` takes.

The question patterns, each citing the chunk its sentence comes from:
term → definition multiple choice (the definition sentences of bold, glossary
and heading terms; wrong options are other terms' definitions from the same
lessons), fill in the blank on a key sentence (the blank is a term or a
number; as a short answer, or multiple choice with sibling terms), true/false
(the sentence itself, or with a term swapped for a sibling term, the original
quoted in the explanation), "what is X?" with the definition's key phrase as
the answer, and "which idea does this example show?" for a section's example.
Every wrong option and false statement is tested against the lessons' text
with the same rules as ``checks`` (it must not fit the question), no
two questions use the same sentence or ask for the same term, and the Bloom
level is the pattern's (definitions and blanks: remember; a relation:
understand; an example: apply). Same input, same quiz. This module reads the
index through the retriever and calls no model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache

from tutor_app.core.i18n import t
from tutor_app.core.schemas import BLOOM_LEVELS, TRUE_FALSE, Chunk, Hit, LearningObjective, Quiz, QuizQuestion
from tutor_app.engine.search.bilingual import glossary_pairs
from tutor_app.engine.search.index import where_filter
from tutor_app.engine.search.lexical import _latin_terms
from tutor_app.engine.sentences import split_units
from tutor_app.engine.text import CJK_RUN, OPENS_NEEDING_CONTEXT, POINTS_BACK_ANYWHERE, POINTS_BACK_EARLY, QUOTED
from tutor_app.studio.checks import (
    GLOSS,
    answer_supported,
    artefacts,
    check_quiz,
    in_language,
    normalise,
    option_fits,
    plain,
    share,
    statement_stated,
    strip_frames,
    text_units,
)
from tutor_app.studio.quiz_writer import mix_options
from tutor_app.studio.shared import BUILT_LABEL, Generated, Sources, StepReporter, StudioInputError, StudioRequest, gather_sources

PASSAGE_BUDGET_TOKENS = 8000  # no prompt is written: keep every retrieved passage whole
MAX_WRONG_OPTIONS = 3
MIN_WRONG_OPTIONS = 2
GENERIC_SHARE = 0.2  # a term in more than this share of a lesson's sentences ("model") is too general to ask
SPREAD_PENALTY = 0.4  # per question already drawn from the same passage
BLOOM_BONUS = 0.8  # for a pattern whose Bloom level is the one the educator asked for in that place
SENTENCE_CHARS = {"en": (30, 260), "zh": (12, 120)}
OPTION_CHARS = {"en": 160, "zh": 70}
KEY_WORDS, KEY_CHARS_ZH = 25, 50
ASSESSMENT_ITEMS = 3  # questions in a lesson plan's formative assessment

_ENDS_SENTENCE = re.compile(r"[.!?。！？”\"’)）]$")
# An example that illustrates the section: opening the sentence, or quoted right after the marker (a "for
# example" inside a list or parentheses only names members of the list).
_EXAMPLE = re.compile(
    r"^(?:for example|for instance)\b|^(?:例如|比如|举例来说|举个例子)|"
    r"\b(?:for example|for instance)[:,]?\s*[\"“]|(?:例如|比如)[：:，,]?\s*[\"“「]",
    re.IGNORECASE,
)
_EXAMPLE_LEAD = re.compile(
    r"^(?:for example|for instance)\s*[:,]?\s*|^(?:例如|比如|举例来说|举个例子)[：，,:]?\s*", re.IGNORECASE
)
_BOLD = re.compile(r"\*\*([^*\n]{1,40})\*\*")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?%?(?![\w.])")
_LESSON_NUMBER = re.compile(r"(?:lesson|课|第)\s*$", re.IGNORECASE)
_DEFINES_EN = re.compile(
    r"^(?:(?P<article>A|An|The)\s+)?(?P<subject>[^,.;:]{2,60}?)\s+(?:\([^)]*\)\s+)?"
    r"(?P<verb>is|are|means|refers to|happens when|occurs when)\s+(?P<rest>.{8,})$"
)
_NOT_A_WORD_AFTER_ZHI = "(?![令出导标南定向])"  # 指令, 指出, 指导 ... are words, not "refers to"
_DEFINES_ZH = re.compile(
    rf"^(?P<subject>[^，。；：、]{{1,24}}?)(?P<verb>是指{_NOT_A_WORD_AFTER_ZHI}|指的是|意味着|是|"
    rf"指{_NOT_A_WORD_AFTER_ZHI})(?P<rest>[^。！？]{{6,}})"
)
_NOT_A_DEFINITION_EN = re.compile(
    r"^(?:more|less|very|not|also|often|usually|especially|only|simple|important|useful|"
    r"still|always|never|sometimes|rarely|easy|hard|good|better|best)\b|^\w+ed\b",
    re.IGNORECASE,
)  # "is named after", "is asked to": not what the thing is
_SUCH_AS_EN = re.compile(r",\s*(?:such as|for example|for instance|e\.g\.)\s[^,]*(,?)")
_SUCH_AS_ZH = re.compile(r"[，,（(]\s*(?:例如|比如|譬如|像)")
_NOT_A_DEFINITION_ZH = re.compile(r"^(?:不|很|非常|更|最|也|还|否|为了)")
_SUBJECT_HEADS = {"prompt", "prompting", "attack"}
_HEADING_WORDS = re.compile(r"^(?:what|why|how|when|where|who|which)\b|为什么|什么|如何|怎样", re.IGNORECASE)


# --------------------------------------------------------------------------- terms


@dataclass(frozen=True)
class Term:
    key: str  # how two spellings are known to be one term (stemmed English, or the Chinese text)
    surface: str  # as a question shows it
    weight: float  # bold in the lesson > course glossary or section heading; several words count a little more


def term_key(text: str, lang: str) -> str:
    text = GLOSS.sub("", plain(text)).strip().lower()
    return text if lang == "zh" else " ".join(_latin_terms(text))


def _surface(text: str, lang: str) -> str:
    text = GLOSS.sub("", plain(text)).strip(" ，。,.:：")
    if lang == "en" and text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text


def _heading_term(heading: str) -> str:
    """What a section heading names: "Self-refine" of "A > Self-refine: draft, critique, revise"."""
    return re.split(r"[:：]", heading.split(">")[-1], maxsplit=1)[0].strip()


@lru_cache(maxsize=4096)
def _pattern(term: Term, lang: str) -> re.Pattern:
    if lang == "zh":
        return re.compile(re.escape(term.surface))
    return re.compile(rf"(?<![\w-]){re.escape(term.surface)}(?:s|es)?(?![\w-])", re.IGNORECASE)


def lexicon(chunks: Sequence[Chunk], lang: str) -> dict[str, Term]:
    """The terms the lessons teach: bold terms, glossary terms found in the text, and section headings
    that name a thing the section's text mentions by name."""
    text = "\n".join(plain(c.text) for c in chunks)
    lowered = text.lower()
    found: dict[str, Term] = {}

    def add(surface: str, weight: float) -> None:
        surface = _surface(surface, lang)
        key = term_key(surface, lang)
        minimum = 2 if lang == "zh" else 3
        if len(surface) < minimum or not key or (lang == "zh" and not CJK_RUN.search(surface)):
            return
        weight += 0.5 if (" " in surface or len(surface) >= 4 and lang == "zh") else 0.0
        if key not in found or found[key].weight < weight:
            found[key] = Term(key, found[key].surface if key in found else surface, weight)

    for chunk in chunks:
        for match in _BOLD.finditer(chunk.text):
            add(match.group(1), 2.0)
    for english, chinese in glossary_pairs():
        surface = chinese if lang == "zh" else english
        if surface.lower() in lowered:
            add(surface, 1.0)
    for chunk in chunks:
        heading = _heading_term(chunk.heading)
        starts = re.compile(rf"(?:^|[.!?。！？]\s*)(?:(?:A|An|The|With)\s+)?{re.escape(heading)}", re.IGNORECASE)
        if (
            heading
            and not _HEADING_WORDS.search(heading)
            and len(heading.split()) <= 4
            and len(heading) <= 40
            and starts.search(GLOSS.sub("", plain(chunk.text)))
        ):
            add(heading, 1.0)
    return found


# --------------------------------------------------------------------------- sentences


@dataclass
class Sentence:
    text: str  # plain: no Markdown marks
    chunk: Chunk
    rank: int  # the passage's place in the retrieval (lesson sections not retrieved come after)
    position: int
    terms: list[tuple[Term, int, int]] = field(default_factory=list)  # (term, start, end), left to right
    definition: tuple[Term, str] | None = None  # (term, what the sentence says it is)
    asked_as: str = ""  # how a question names the defined term: a “prompt”, “delimiters”
    plural: bool = False
    example: bool = False
    score: float = 0.0

    @property
    def key(self) -> tuple[str, int]:
        return self.chunk.id, self.position


def _find_terms(text: str, terms: dict[str, Term], lang: str) -> list[tuple[Term, int, int]]:
    """Non-overlapping term occurrences, longest first (prompt injection before prompt)."""
    matches = [(term, m.start(), m.end()) for term in terms.values() for m in _pattern(term, lang).finditer(text)]
    matches.sort(key=lambda m: (-(m[2] - m[1]), m[1]))
    taken: list[tuple[Term, int, int]] = []
    for match in matches:
        if all(match[2] <= s or match[1] >= e for _, s, e in taken):
            taken.append(match)
    return sorted(taken, key=lambda m: m[1])


def _without_examples(text: str, lang: str) -> str:
    """The text without its list of examples: "data, such as an essay or a web page, contains" keeps "data
    contains"; a list that runs on to the end ("such as quotes, tags, or headings") is cut off."""
    if lang == "zh":
        return _SUCH_AS_ZH.split(text, maxsplit=1)[0]
    match = _SUCH_AS_EN.search(text)
    if not match:
        return text
    after = text[match.end() :]
    if not match.group(1) or re.search(r",\s*(?:or|and)\s", after) or not after.strip():
        return text[: match.start()]
    return f"{text[: match.start()]} {after.strip()}"


def key_phrase(rest: str, lang: str) -> str:
    """What a definition says a term is, trimmed to a phrase: no glosses, first clause, bounded length."""
    phrase = _without_examples(GLOSS.sub("", rest), lang)
    phrase = re.split(r"[;；:：]", " ".join(phrase.split()), maxsplit=1)[0].strip(" ，,。.")
    if lang == "zh" and len(phrase) > KEY_CHARS_ZH:
        cut = phrase.rfind("，", 0, KEY_CHARS_ZH)
        phrase = phrase[:cut] if cut > 6 else ""
    if lang == "en" and len(phrase.split()) > KEY_WORDS:
        head = " ".join(phrase.split()[:KEY_WORDS])
        phrase = head[: head.rfind(",")] if "," in head else ""
    return phrase.strip(" ，,")


def _definition(text: str, found: list[tuple[Term, int, int]], lang: str) -> tuple[Term, str] | None:
    match = (_DEFINES_ZH if lang == "zh" else _DEFINES_EN).match(text)
    if not match:
        return None
    subject = GLOSS.sub("", match.group("subject")).strip()
    rest = match.group("rest")
    if (_NOT_A_DEFINITION_ZH if lang == "zh" else _NOT_A_DEFINITION_EN).match(rest) and match.group("verb") in (
        "is",
        "are",
        "是",
    ):
        return None
    for term, start, _end in found:
        if start >= match.end("subject"):
            break
        leftover = set(text_units(subject)) - set(text_units(term.surface)) - _SUBJECT_HEADS
        names_it = subject == term.surface if lang == "zh" else not leftover and start <= match.start("subject") + 1
        if names_it:
            phrase = key_phrase(rest, lang)
            if match.group("verb").endswith("when"):
                phrase = f"when {phrase}"
            usable = len(phrase) >= (6 if lang == "zh" else 12) and not POINTS_BACK_ANYWHERE.search(phrase)
            return (term, phrase) if usable else None
    return None


def _asked_as(text: str, term: Term, lang: str) -> tuple[str, bool]:
    """The defined term as a question names it, with the sentence's own article ("What is a “prompt”?"),
    and whether the sentence speaks of it in the plural ("Delimiters are ...")."""
    if lang == "zh":
        return f"“{term.surface}”", False
    match = _DEFINES_EN.match(text)
    article = (match.group("article") or "").lower() if match else ""
    plural = bool(match) and match.group("verb") == "are"
    subject = match.group("subject") if match and plural else term.surface
    return f"{article + ' ' if article else ''}“{_surface(subject, lang)}”", plural


def _mostly_quoted(text: str) -> bool:
    """A sentence that is mostly a quoted sample prompt teaches by example, not by statement: no item on it."""
    return sum(len(m) for m in QUOTED.findall(text)) > len(text) / 2


def analyse(chunks: Sequence[Chunk], terms: dict[str, Term], lang: str) -> list[Sentence]:
    """The sentences of ``chunks`` a question can be built on, in retrieval order."""
    low, high = SENTENCE_CHARS[lang]
    out: list[Sentence] = []
    for rank, chunk in enumerate(chunks):
        for unit in split_units(chunk.text):
            text = " ".join(plain(unit.text).split())
            if (
                unit.kind != "sentence"
                or not low <= len(text) <= high
                or re.search(r"[{}|\n\\]", text)
                or not _ENDS_SENTENCE.search(text)
                or OPENS_NEEDING_CONTEXT.match(text)
                or POINTS_BACK_EARLY.match(text)
                or _mostly_quoted(text)
            ):
                continue
            found = _find_terms(text, terms, lang)
            sentence = Sentence(text, chunk, rank, unit.position, found, example=bool(_EXAMPLE.search(text)))
            sentence.definition = _definition(text, found, lang)
            if sentence.definition:
                sentence.asked_as, sentence.plural = _asked_as(text, sentence.definition[0], lang)
            out.append(sentence)
    return out


# --------------------------------------------------------------------------- candidate questions


@dataclass
class Candidate:
    question: QuizQuestion
    sentence: Sentence
    asks: str  # the term (or text) it asks for: one question per term
    score: float


def _generic(pool: list[Sentence]) -> set[str]:
    """Terms in more than GENERIC_SHARE of some lesson's sentences ("model", "prompt" in a lesson on prompts)."""
    sentences: dict[str, int] = {}
    counts: dict[tuple[str, str], int] = {}
    for sentence in pool:
        lesson = sentence.chunk.lesson_id
        sentences[lesson] = sentences.get(lesson, 0) + 1
        for key in {term.key for term, _, _ in sentence.terms}:
            counts[lesson, key] = counts.get((lesson, key), 0) + 1
    return {key for (lesson, key), n in counts.items() if n > 2 and n > GENERIC_SHARE * sentences[lesson]}


class Builder:
    """Makes candidate questions from sentences; ``lesson_texts`` are what wrong options are tested against."""

    def __init__(
        self,
        sentences: list[Sentence],
        pool: list[Sentence],
        terms: dict[str, Term],
        lang: str,
        lesson_texts: list[str],
        topic: AbstractSet[str] = frozenset(),
    ) -> None:
        self.sentences, self.pool, self.lang, self.texts, self.topic = sentences, pool, lang, lesson_texts, topic
        self.generic = _generic(pool)
        self.order = {
            key: i
            for i, key in enumerate(
                sorted(
                    terms,
                    key=lambda k: min(
                        ((s.rank, s.position) for s in pool if any(term.key == k for term, _, _ in s.terms)), default=(99, 0)
                    ),
                )
            )
        }
        self.terms = {k: v for k, v in terms.items() if k not in self.generic}  # to blank, swap or offer
        self.definitions = [s for s in pool if s.definition]  # "what is a prompt?" is fair, a blank for "prompt" is not
        self.lessons: dict[str, set[str]] = {}
        for sentence in pool:
            for term, _, _ in sentence.terms:
                self.lessons.setdefault(term.key, set()).add(sentence.chunk.lesson_id)

    # ------------------------------------------------------------------ helpers
    def _fits_anywhere(self, stem: str, option: str) -> bool:
        return any(option_fits(stem, option, text) for text in self.texts)

    def _clean(self, question: QuizQuestion) -> bool:
        texts = [question.question, question.explanation] + (
            [] if question.kind == "true_false" else [question.answer, *question.options]
        )
        return all(not list(artefacts(x)) and in_language(x, self.lang) for x in texts if x)

    def siblings(self, answer: Term, avoid: str, lesson: str, same_lesson: bool = False) -> list[Term]:
        """Other terms of the lessons, most alike first (sharing a word with the answer, as zero-shot with
        few-shot; then of the question's own lesson), none contained in the other or already in ``avoid``
        (the question's own text)."""
        parts = _parts(answer.surface)

        def alike(term: Term) -> tuple:
            return (
                -len(parts & _parts(term.surface)),
                lesson not in self.lessons.get(term.key, ()),
                abs(len(term.surface) - len(answer.surface)) // 4,
                -term.weight,
                self.order.get(term.key, 99),
                term.key,
            )

        return sorted(
            (
                term
                for term in self.terms.values()
                if term.key != answer.key
                and answer.key not in term.key
                and term.key not in answer.key
                and (not same_lesson or lesson in self.lessons.get(term.key, ()))
                and not _pattern(term, self.lang).search(avoid)
            ),
            key=alike,
        )

    def _what_is(self, sentence: Sentence) -> str:
        key = "studio_quiz_q_definition_plural" if sentence.plural else "studio_quiz_q_definition"
        return t(key, self.lang, term=sentence.asked_as)

    def _explanation(self, sentence: Sentence) -> str:
        return t("studio_quiz_explain_source", self.lang, sentence=sentence.text)

    def _score(self, sentence: Sentence, asks: Term | None) -> float:
        """The sentence's score, more when the question asks for a weighty term, and more for the topic's own."""
        if asks is None:
            return sentence.score
        units = text_units(asks.surface)
        return sentence.score + asks.weight * 0.2 + (0.5 if units and units <= self.topic else 0.0)

    @staticmethod
    def _blank(sentence: Sentence, start: int, end: int) -> str:
        """The sentence with a blank for text[start:end], and without the gloss that would give it away."""
        after = sentence.text[end:]
        return f"{sentence.text[:start]}_____{GLOSS.sub('', after, count=1) if GLOSS.match(after) else after}"

    def _shown(self, term: Term, matched: str, start: int) -> str:
        """An option written as the sentence would have it (capitalised at the start of a sentence)."""
        text = term.surface
        if self.lang == "en":
            plural = matched.lower().endswith("s") and matched.lower() != text.lower()
            if plural and re.fullmatch(r"[a-z]+", text) and not text.endswith("s"):
                text += "s"
            if start == 0:
                text = text[0].upper() + text[1:]
        return text

    def _wrong(self, stem: str, answer: str, candidates, shown) -> list[str]:
        """Up to MAX_WRONG_OPTIONS of ``candidates`` (as ``shown``) that no lesson text gives as the answer."""
        wrong: list[str] = []
        for candidate in candidates:
            option = shown(candidate)
            if normalise(option) in {normalise(w) for w in [answer, *wrong]} or self._fits_anywhere(stem, option):
                continue
            wrong.append(option)
            if len(wrong) == MAX_WRONG_OPTIONS:
                break
        return wrong

    def _choice(
        self, sentence: Sentence, stem: str, answer: str, wrong: list[str], bloom: str, asks: str, score: float
    ) -> Candidate | None:
        if len(wrong) < MIN_WRONG_OPTIONS:
            return None
        question = QuizQuestion(
            kind="multiple_choice",
            question=stem,
            options=mix_options(answer, wrong, stem),
            answer=answer,
            explanation=self._explanation(sentence),
            bloom=bloom,
            chunk_id=sentence.chunk.id,
        )
        return Candidate(question, sentence, asks, score) if self._clean(question) else None

    # ------------------------------------------------------------------ patterns
    def definition_choice(self, sentence: Sentence) -> Candidate | None:
        if not sentence.definition:
            return None
        term, phrase = sentence.definition
        if len(phrase) > OPTION_CHARS[self.lang]:
            return None
        stem = self._what_is(sentence)
        others = [
            s
            for s in self.definitions
            if s.definition[0].key != term.key
            and not _pattern(term, self.lang).search(s.definition[1])
            and len(s.definition[1]) <= OPTION_CHARS[self.lang]
        ]
        others.sort(key=lambda s: (s.chunk.lesson_id != sentence.chunk.lesson_id, s.rank, s.position))
        wrong = self._wrong(stem, _capitalised(phrase), [s.definition[1] for s in others], _capitalised)
        return self._choice(sentence, stem, _capitalised(phrase), wrong, "remember", term.key, self._score(sentence, term) + 0.3)

    def definition_short(self, sentence: Sentence) -> Candidate | None:
        if not sentence.definition:
            return None
        term, phrase = sentence.definition
        question = QuizQuestion(
            kind="short_answer",
            question=self._what_is(sentence),
            answer=_capitalised(phrase),
            explanation=self._explanation(sentence),
            bloom="remember",
            chunk_id=sentence.chunk.id,
        )
        return Candidate(question, sentence, term.key, self._score(sentence, term) + 0.2) if self._clean(question) else None

    def _blank_term(self, sentence: Sentence) -> tuple[Term, int, int] | None:
        """The term to blank: asked once in the sentence, the heaviest, the one defined if any."""
        usable = [
            (term, s, e)
            for term, s, e in sentence.terms
            if term.key in self.terms and sum(x.key == term.key for x, _, _ in sentence.terms) == 1
        ]
        defined = sentence.definition[0].key if sentence.definition else ""
        usable.sort(key=lambda m: (m[0].key != defined, -m[0].weight, m[1]))
        return usable[0] if usable else None

    def cloze_choice(self, sentence: Sentence) -> Candidate | None:
        found = self._blank_term(sentence)
        if not found:
            return None
        term, start, end = found
        blanked = self._blank(sentence, start, end)
        stem = t("studio_quiz_q_cloze_choice", self.lang, sentence=blanked)
        answer = self._shown(term, sentence.text[start:end], start)
        shown = lambda other: self._shown(other, sentence.text[start:end], start)  # noqa: E731
        wrong = self._wrong(stem, answer, self.siblings(term, blanked, sentence.chunk.lesson_id), shown)
        return self._choice(sentence, stem, answer, wrong, "remember", term.key, self._score(sentence, term))

    def cloze_fill(self, sentence: Sentence) -> Candidate | None:
        found = self._blank_term(sentence)
        if found:
            term, start, end = found
            asks, answer, blanked = term.key, sentence.text[start:end], self._blank(sentence, start, end)
            score = self._score(sentence, term)
        else:  # a number, when the sentence names no term ("under 150 words"), never a lesson number
            numbers = [m for m in _NUMBER.finditer(sentence.text) if not _LESSON_NUMBER.search(sentence.text[: m.start()])]
            if len(numbers) != 1:
                return None
            number = numbers[0]
            asks, answer = normalise(sentence.text), number.group()
            blanked = f"{sentence.text[: number.start()]}_____{sentence.text[number.end() :]}"
            score = sentence.score - 0.3
        question = QuizQuestion(
            kind="short_answer",
            question=t("studio_quiz_q_cloze_fill", self.lang, sentence=blanked),
            answer=answer,
            explanation=self._explanation(sentence),
            bloom="remember",
            chunk_id=sentence.chunk.id,
        )
        return Candidate(question, sentence, asks, score) if self._clean(question) else None

    def true_false(self, sentence: Sentence, false: bool) -> Candidate | None:
        bloom = "remember" if sentence.definition else "understand"
        statement = sentence.text
        asks = normalise(sentence.text)
        if false:
            found = self._blank_term(sentence)
            if not found:
                return None
            term, start, end = found
            asks = term.key
            blanked = self._blank(sentence, start, end)
            for sibling in self.siblings(term, blanked, sentence.chunk.lesson_id, same_lesson=True):
                swapped = blanked.replace("_____", self._shown(sibling, sentence.text[start:end], start), 1)
                if not self._fits_anywhere(blanked, sibling.surface) and not any(
                    statement_stated(swapped, text) for text in self.texts
                ):
                    statement = swapped
                    break
            else:
                return None
        stem = t("studio_quiz_q_true_false", self.lang, statement=statement)
        question = QuizQuestion(
            kind="true_false",
            question=stem,
            options=list(TRUE_FALSE),
            answer="False" if false else "True",
            explanation=self._explanation(sentence),
            bloom=bloom,
            chunk_id=sentence.chunk.id,
        )
        score = sentence.score + (0.1 if false else 0.0)
        return Candidate(question, sentence, asks, score) if self._clean(question) else None

    def _illustrated(self, sentence: Sentence) -> Term | None:
        """The term a section's example shows: what the section defines, or its bold or heading term, when
        the example does not name it itself."""
        same = [s for s in self.pool if s.chunk.id == sentence.chunk.id]
        named = [s.definition[0] for s in same if s.definition] + [term for s in same for term, _, _ in s.terms]
        heading = term_key(_heading_term(sentence.chunk.heading), self.lang)
        named.sort(key=lambda term: (term.key != heading, -term.weight))
        for term in named:
            if term.key in self.terms and not _pattern(term, self.lang).search(sentence.text):
                return term
        return None

    def example(self, sentence: Sentence, kind: str) -> Candidate | None:
        if not sentence.example:
            return None
        term = self._illustrated(sentence)
        if term is None:
            return None
        example = _capitalised(_EXAMPLE_LEAD.sub("", sentence.text))
        stem = t("studio_quiz_q_example", self.lang, example=example)
        score = self._score(sentence, term) + 0.2
        if kind == "short_answer":
            question = QuizQuestion(
                kind="short_answer",
                question=stem,
                answer=term.surface,
                explanation=self._explanation(sentence),
                bloom="apply",
                chunk_id=sentence.chunk.id,
            )
            return Candidate(question, sentence, term.key, score) if self._clean(question) else None
        siblings = self.siblings(term, sentence.text, sentence.chunk.lesson_id)
        wrong = self._wrong(stem, term.surface, siblings, lambda other: other.surface)
        return self._choice(sentence, stem, term.surface, wrong, "apply", term.key, score)

    def candidates(self) -> list[Candidate]:
        out: list[Candidate] = []
        for sentence in self.sentences:
            made = [
                self.definition_choice(sentence),
                self.definition_short(sentence),
                self.cloze_choice(sentence),
                self.cloze_fill(sentence),
                self.true_false(sentence, False),
                self.true_false(sentence, True),
                self.example(sentence, "multiple_choice"),
                self.example(sentence, "short_answer"),
            ]
            out.extend(c for c in made if c is not None and _supported(c.question, sentence.chunk))
        return out


def _parts(surface: str) -> set[str]:
    """What makes two terms look alike: their words and word halves (few-shot, zero-shot), or character pairs."""
    return set(re.split(r"[\s\-]+", surface.lower())) | set(text_units(surface))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _supported(question: QuizQuestion, chunk: Chunk) -> bool:
    """The cited passage says the question's answer, as the ``supported`` check reads it."""
    if question.kind == "true_false" and question.answer == "True":
        return statement_stated(question.question, chunk.text)
    claim = strip_frames(question.explanation) if question.kind == "true_false" else question.answer
    return answer_supported(claim, chunk.text, chunk.heading)


# --------------------------------------------------------------------------- choosing and linking


def _topic_units(topic: str, lang: str) -> set[str]:
    """The topic's units, with the glossary's other-language name of each course term in it."""
    units = set(text_units(topic))
    lowered = topic.lower()
    for english, chinese in glossary_pairs():
        if english.lower() in lowered or chinese in topic:
            units |= text_units(chinese if lang == "zh" else english)
    return units


def _score_sentences(sentences: list[Sentence], topic: set[str]) -> None:
    for s in sentences:
        heading = text_units(s.chunk.heading)
        s.score = (
            2.0 * share(topic, text_units(s.text))
            + share(topic, heading)
            + max(0.0, 0.6 - 0.1 * s.rank)
            + (0.3 if s.definition else 0.0)
            + (0.1 if s.terms else 0.0)
        )


def choose(candidates: list[Candidate], mix: list[tuple[str, str]], kinds: Sequence[str]) -> list[Candidate]:
    """One candidate per place of the educator's mix: its kind when possible, its Bloom level when the
    patterns allow, never a sentence or a term twice, the passages taken in turn."""
    chosen: list[Candidate] = []
    used_sentences: set[tuple[str, int]] = set()
    used_asks: set[str] = set()
    uses: dict[str, int] = {}
    ranked = sorted(candidates, key=lambda c: (-c.score, c.sentence.rank, c.sentence.position, c.question.kind))
    for kind, bloom in mix:
        best, best_key = None, None
        for c in ranked:
            if c.sentence.key in used_sentences or c.asks in used_asks:
                continue
            tier = 2 if c.question.kind == kind else 1 if c.question.kind in kinds else 0
            value = (
                c.score + (BLOOM_BONUS if c.question.bloom == bloom else 0.0) - SPREAD_PENALTY * uses.get(c.sentence.chunk.id, 0)
            )
            key = (tier, value)
            if best_key is None or key > best_key:
                best, best_key = c, key
        if best is None:
            break
        chosen.append(best)
        used_sentences.add(best.sentence.key)
        used_asks.add(best.asks)
        uses[best.sentence.chunk.id] = uses.get(best.sentence.chunk.id, 0) + 1
    return chosen


def _bloom(level: str) -> str:
    level = {"analyse": "analyze"}.get(level, level)
    return level if level in BLOOM_LEVELS else "understand"


def _objective_units(text: str) -> frozenset[str]:
    """An objective's content: its words without the leading Bloom verb ("Design", "Explain")."""
    return text_units(re.sub(r"^\s*[A-Za-z]+\s+", "", text))


def _best_objective(about_text: str, bloom: str, objectives: Sequence) -> int:
    """Index of the objective a question serves: the most shared words with its sentence and section, a word
    counting less the more objectives share it; then the same Bloom level; then the first."""
    about = text_units(about_text)
    units = [_objective_units(o.text) for o in objectives]
    spread = {u: sum(u in other for other in units) for own in units for u in own}
    scores = [
        (round(sum(1 / spread[u] for u in own & about), 6), _bloom(o.bloom) == bloom, -i)
        for i, (o, own) in enumerate(zip(objectives, units))
    ]
    return -max(scores)[2]


def _about(candidate: Candidate) -> str:
    return f"{candidate.sentence.chunk.heading} {candidate.sentence.text}"


def lesson_objectives(chosen: list[Candidate], lang: str) -> list[LearningObjective]:
    """The front-matter objectives of the cited lessons that the questions serve, linked question by question
    (a lesson without objectives gets one naming its section); objectives no question serves are left out."""
    objectives: list[LearningObjective] = []
    by_id: dict[str, LearningObjective] = {}
    for c in chosen:
        own = c.sentence.chunk.objectives
        if own:
            source = own[_best_objective(_about(c), c.question.bloom, own)]
            oid = source.id if len(source.id) <= 20 else ""
            text, bloom = source.text, _bloom(source.bloom)
        else:
            section = c.sentence.chunk.heading.split(">")[-1].strip() or c.sentence.chunk.title
            oid, text, bloom = "", t("studio_quiz_objective_fallback", lang, section=section), "remember"
        key = oid or text
        if key not in by_id:
            by_id[key] = LearningObjective(id=oid or f"O{len(objectives) + 1}", text=text, bloom=bloom)
            objectives.append(by_id[key])
        c.question.objective_id = by_id[key].id
    return objectives


def link_given(chosen: list[Candidate], given: list[LearningObjective]) -> list[LearningObjective]:
    """Each question linked to the given objective it serves best; an objective no question serves takes a
    question from an objective that has several; objectives still without a question are left out."""
    links = [_best_objective(_about(c), c.question.bloom, given) for c in chosen]
    for i in range(len(given)):
        if i in links:
            continue
        spare = [n for n, link in enumerate(links) if links.count(link) > 1]
        if spare:
            about = text_units(given[i].text)
            n = max(spare, key=lambda n: (len(about & text_units(chosen[n].sentence.text)), -n))
            links[n] = i
    for c, link in zip(chosen, links):
        c.question.objective_id = given[link].id
    return [o for i, o in enumerate(given) if i in links]


# --------------------------------------------------------------------------- entry points


def _lesson_chunks(index, course: str | None, lessons: set[str], lang: str | None = None) -> list[Chunk]:
    if not lessons or index is None:
        return []
    chunks = [c for batch in index.iter_chunks(where_filter(course, lessons=sorted(lessons))) for c in batch]
    return sorted((c for c in chunks if lang is None or c.lang == lang), key=lambda c: (c.lesson_id, c.source, c.position))


def _in_language(sources: Sources, request: StudioRequest, retriever, max_passages: int) -> tuple[Sources, set[str]]:
    """The sources with passages in the requested language when the retrieved lessons have them (a search
    by lesson, or a topic the course covers only in the other language, may return other-language ones);
    and the languages those lessons are written in."""
    lessons = {h.chunk.lesson_id for h in sources.passages if h.chunk.lesson_id}
    chunks = _lesson_chunks(retriever.index, request.course, lessons)
    languages = {c.lang for c in chunks} | {h.chunk.lang for h in sources.passages}
    lang = request.language
    if all(h.chunk.lang == lang for h in sources.passages) or lang not in languages:
        return sources, languages
    result = retriever.search(sources.query, k=max_passages * 4, course=request.course, lang=lang)
    hits = [h for h in result.hits if h.chunk.lesson_id in lessons][:max_passages]
    if not hits:
        hits = [Hit(chunk=c, score=0.0, similarity=0.0) for c in chunks if c.lang == lang][:max_passages]
    return Sources(hits, sources.text, sources.grounded, sources.query), languages


def _display_topic(topic: str, lang: str) -> str:
    """The topic as the title shows it: quoted when written in the other language."""
    chinese = bool(CJK_RUN.search(topic))
    return topic if chinese == (lang == "zh") else f"“{topic}”"


def _candidates(request: StudioRequest, sources: Sources, lang: str, lesson_chunks: Sequence[Chunk]) -> list[Candidate]:
    """Every question the passages allow, scored for the topic; ``lesson_chunks`` only widen the wrong options."""
    passages = [h.chunk for h in sources.passages if h.chunk.lang == lang] or [h.chunk for h in sources.passages]
    lang = passages[0].lang if passages and all(c.lang != lang for c in passages) else lang
    retrieved = {c.id for c in passages}
    others = [c for c in lesson_chunks if c.id not in retrieved and c.lang == lang]
    terms = lexicon(passages + others, lang)
    sentences = analyse(passages, terms, lang)
    pool = sentences + analyse(others, terms, lang)
    topic = _topic_units(request.topic or sources.query, lang)
    _score_sentences(sentences, topic)
    return Builder(sentences, pool, terms, lang, [c.text for c in passages + others], topic).candidates()


def quiz_items(
    request: StudioRequest, sources: Sources, count: int, lang: str, *, lesson_chunks: Sequence[Chunk] = ()
) -> list[QuizQuestion]:
    """Up to ``count`` questions in ``lang`` from the sources' passages (see the module docstring)."""
    candidates = _candidates(request, sources, lang, lesson_chunks)
    mix = request.model_copy(update={"question_count": max(1, count)}).question_mix()
    chosen = choose(candidates, mix, request.kinds)
    lesson_objectives(chosen, lang)
    return [c.question for c in chosen]


def assessment_lines(request: StudioRequest, sources: Sources, count: int = ASSESSMENT_ITEMS) -> list[str]:
    """``quiz_items`` as lines for a lesson plan's formative assessment, each with its answer (the plan
    builder's ``AssessmentMaker``)."""
    lang = request.language
    lines = []
    for q in quiz_items(request, sources, count, lang):
        answer = t(f"studio_quiz_{q.answer.lower()}", lang) if q.kind == "true_false" else q.answer
        lines.append(t("studio_quiz_item_line", lang, question=q.question, answer=answer))
    return lines


def build_quiz(
    request: StudioRequest,
    retriever,
    *,
    objectives: list[LearningObjective] | None = None,
    max_passages: int = 6,
    progress: StepReporter | None = None,
) -> Generated:
    """A quiz on the request's topic or lessons, built from the course text and checked."""
    started = time.monotonic()
    step = progress or (lambda _: None)
    request = request.validated()
    step("retrieving")
    sources = gather_sources(retriever, request, PASSAGE_BUDGET_TOKENS, max_passages)
    sources, languages = _in_language(sources, request, retriever, max_passages)
    step("drafting")
    lessons = {h.chunk.lesson_id for h in sources.passages if h.chunk.lesson_id}
    lang = request.language
    lesson_chunks = _lesson_chunks(retriever.index, request.course, lessons, lang)
    candidates = _candidates(request, sources, lang, lesson_chunks)
    chosen = choose(candidates, request.question_mix(), request.kinds)
    if not chosen:
        raise StudioInputError("studio_err_no_items", topic=(request.topic or sources.query)[:80])
    linked = link_given(chosen, objectives) if objectives else lesson_objectives(chosen, lang)
    quiz = Quiz(
        title=t("studio_quiz_title", lang, topic=_display_topic(request.topic or sources.query, lang)),
        course=request.course or "",
        topic=sources.query,
        audience=request.audience,
        language=lang,
        objectives=linked,
        questions=[c.question for c in chosen],
        grounded=sources.grounded,
        model=BUILT_LABEL,
    )
    step("checking")
    known = {h.chunk.id: h.chunk for h in sources.passages}
    checks = check_quiz(quiz, known, course_languages=languages)
    return Generated(
        document=quiz, checks=checks, first_try=True, attempts=0, seconds=time.monotonic() - started, sources=sources
    )
