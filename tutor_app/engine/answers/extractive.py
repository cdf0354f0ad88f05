"""Extractive answers: the course's own sentences, chosen for the question, each followed by its [n].

On a model too small to be trusted with a sentence, the answer is assembled
from the retrieved passages: their sentences are scored by meaning (the same
e5 embedder as the index, sentence vectors cached in memory), by the share of
the question's terms they contain, and, for "what is" questions, by whether
they define something; the best 3-5 are kept (no near-repeats), put back in
the passages' order with the definition first, and framed by a bilingual
lead-in and closing. The choices listed under a question (a knowledge check's
options, some of them wrong) are never quoted as statements. A code block or
table that a chosen sentence introduces is quoted whole. Follow-ups work on the passages of an earlier answer:
``simpler`` (the shortest defining sentences), ``example`` (the section's
example or code) and ``quiz`` (a fill-in-the-blank item from a bold-term
definition). Nothing here calls a language model or reads the index.
"""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tutor_app.core.i18n import t
from tutor_app.engine.search.lexical import terms
from tutor_app.engine.sentences import Unit, bold_definitions, split_units
from tutor_app.engine.text import OPENS_POINTING_BACK

MAX_SENTENCES = 5
MIN_SENTENCES = 3
CANDIDATE_PASSAGES = 5
MAX_SENTENCE_CHARS = 600
# Scores are e5 cosines (they vary in a narrow band, ~0.75-0.95) plus small bonuses.
KEEP_WITHIN = 0.04  # keep sentences scoring within this of the best
FILL_WITHIN = 0.08  # ...and fill up to MIN_SENTENCES within this
TERM_WEIGHT = 0.25
DEFINITION_BONUS = 0.06
NEIGHBOUR_BONUS = 0.015
PASSAGE_BONUS = (0.02, 0.01, 0.0)  # the fused ranking's order of the passages
REPEAT_OVERLAP = 0.6
QUESTION_PENALTY = 0.05  # a sentence asking a question restates it rather than answering
ABOUT_LESSON_PENALTY = 0.05  # "In this lesson we will ..." talks about the lesson, not the topic
CAPTION_CHARS = 40  # an unpunctuated paragraph shorter than this is a caption or a label
MAX_LIST_ITEMS = 6  # a sentence ending in a colon is quoted with its list when the list is short
MAX_ITEM_CHARS = 120
LEAD_ALONE_PENALTY = 0.05  # "You will need:" without its (long) list says nothing
CARRY_ON_WITHIN = 0.08  # the sentence after one of the best two, same paragraph, is quoted when it scores within this
CARRY_ON_TOP = 2

_DEFINITION_QUESTION = re.compile(
    r"^\s*(what|who)(\s+(is|are)|'s)\b|\bwhat\s+does\s+.+\s+mean\b|\bdefine\b|\bmeaning of\b|\bwhat\s+is\s+meant\b|"
    r"什么是|是什么|指什么|什么叫|什么意思|含义|定义",
    re.IGNORECASE,
)
_EXAMPLE_QUESTION = re.compile(r"\bexamples?\b|\bsample\b|\bcode\b|\bshow me\b|例子|示例|举例|举个例|代码", re.IGNORECASE)
_DEFINES_EN = re.compile(r"^(?:\*\*[^*]+\*\*|[A-Z][^.:;]{0,60}?)\s+(?:\([^)]*\)\s+)?(?:is|are|means|refers to|stands for)\b")
_DEFINES_ZH = re.compile(r"^(?:\*\*[^*]+\*\*|[^，。；]{1,20}?)(?:（[^）]*）)?\s*(?:是|指|就是|称为|叫做)")
# "we define **prompt engineering** as ...", "我们将**提示工程**定义为……": the bold term is the one defined.
_DEFINES_BOLD = re.compile(
    r"\bdefined? \*\*([^*\n]{2,40})\*\* as\b|\*\*([^*\n]{2,40})\*\*\s*(?:\([^)]*\)\s*)?is defined as\b|"
    r"\b(?:is|are)\s+(?:sometimes\s+|often\s+|also\s+|usually\s+)?(?:called|known as)\s+\*\*([^*\n]{2,40})\*\*|"
    r"(?:被)?(?:称为|叫做)\s*\*\*([^*\n]{2,40})\*\*|"
    r"\*\*([^*\n]{2,40})\*\*\s*(?:（[^）]*）)?\s*(?:定义为|是指|指的是)",
    re.IGNORECASE,
)
_EXAMPLE_SENTENCE = re.compile(
    r"\bfor example\b|\be\.g\.|\bfor instance\b|\bsuch as\b|例如|比如|举个例子|举例来说", re.IGNORECASE
)
_BOLD = re.compile(r"\*\*([^*\n]{2,40})\*\*")
# The course bolds a term where it defines it: "**RAG** combines ...", "A **few-shot** prompt includes ...".
_BOLD_START = re.compile(r"^(?:(?:A|An|The)\s+)?\*\*([^*\n]{2,40})\*\*")
_CITE_MARK = re.compile(r"\s*\[\d{1,2}\]")
# A knowledge check's answer line ("A: 3, an LLM is ...", "正确答案：3、LLM 是……"): quoted without the label.
_ANSWER_LABEL = re.compile(r"^(?:A|Answer|答案|正确答案)\s*[:：]\s*\d{1,2}\s*[,，、.]\s*", re.IGNORECASE)
_ENDS_STATEMENT = re.compile(r"[.!?。！？:：;；…)）\"”'’*_`]\s*$")
_LABEL = re.compile(r"^[>\s]*\*\*[^*]+\*\*\s*[.。:：]?\s*$")  # "**Evaluate model**." alone
# "> *(Source: a website)*" alone: a credit, not a sentence ("(This works for images too.)" is one).
_ASIDE = re.compile(r"^[>\s*_]*[(（][^()（）.。!?！？]*[)）][\s*_]*[.。]?\s*$")
_ASKS = re.compile(r"^[^:：]*[?？][\s*_\"”’)）]*$")  # a question alone ("Term: is it true?" defines, then asks)
_ABOUT_LESSON = re.compile(
    r"\b(?:this|the|next|previous) (?:lesson|chapter|course|unit)\b|\bwe(?:'ll| will| are going to) "
    r"(?:learn|cover|explore|look at|dive|discuss)|本章|本课|这一课|这节课|本节|上一课|下一课|我们将(?:了解|学习|介绍|探讨)|学习目标",
    re.IGNORECASE,
)


def asks_for_definition(question: str) -> bool:
    return bool(_DEFINITION_QUESTION.search(question or ""))


def quotable(unit: Unit) -> bool:
    """A sentence worth quoting: not a caption (an image's alt text, a figure label, a credit in parentheses), not
    a bold label alone and not a knowledge check's answer label alone."""
    text = unit.text.strip()
    if unit.kind != "sentence" or len(text) > MAX_SENTENCE_CHARS or _LABEL.match(text) or _ASIDE.match(text):
        return False
    if not _ANSWER_LABEL.sub("", text, count=1).strip():
        return False  # "Answer: 2." alone: without its label nothing is left to quote
    return unit.item or len(text) >= CAPTION_CHARS or bool(_ENDS_STATEMENT.search(text))


def answer_options(units: list[Unit]) -> set[int]:
    """Positions of the list items that offer answers to the question just before them (a knowledge check's
    "1. You get the same response every time."): choices, some of them wrong, not statements of the course."""
    options: set[int] = set()
    asked = False
    for unit in units:
        if unit.item and asked:
            options.add(unit.position)
        elif not unit.item:
            asked = unit.kind == "sentence" and bool(_ASKS.search(unit.text))
    return options


def ends_with_colon(unit: Unit) -> bool:
    return unit.text.rstrip().endswith((":", "："))


def introduces_list(unit: Unit, following: list[Unit]) -> list[Unit]:
    """The short list ``unit`` introduces ("You need:" then a few short items), one sentence per item; else none."""
    if unit.item or not ends_with_colon(unit):
        return []
    items: list[Unit] = []
    for nxt in following:
        if not nxt.item or nxt.kind != "sentence":
            break
        if items and nxt.block == items[-1].block:
            return []  # items of several sentences are paragraphs, not a short list
        items.append(nxt)
    if not items or len(items) > MAX_LIST_ITEMS or any(len(u.text) > MAX_ITEM_CHARS for u in items):
        return []
    return items


def defines_something(sentence: str) -> bool:
    return bool(
        _BOLD_START.match(sentence)
        or _DEFINES_EN.search(sentence)
        or _DEFINES_ZH.search(sentence)
        or _DEFINES_BOLD.search(sentence)
    )


def defines_one_of(sentence: str, wanted: set[str]) -> bool:
    """The sentence defines a term the question asks about (its subject shares a term with ``wanted``)."""
    if not defines_something(sentence):
        return False
    defined = _DEFINES_BOLD.search(sentence)
    bold = _BOLD_START.match(sentence)
    subject = (
        next(g for g in defined.groups() if g)
        if defined
        else bold.group(1)
        if bold
        else re.split(r"\s(?:is|are|means|refers to|stands for)\s|是|指|称为|叫做", sentence, maxsplit=1)[0]
    )
    return bool(set(terms(subject)) & wanted)


@dataclass
class Pick:
    unit: Unit
    passage: int  # 0-based index into the candidate passages
    score: float = 0.0
    defines: bool = False
    terms: set[str] = field(default_factory=set)  # its search terms, computed once
    attached: list[Unit] = field(default_factory=list)  # a code block or table the sentence introduces
    items: list[Unit] = field(default_factory=list)  # the list items the sentence introduces, quoted with it

    @property
    def full_text(self) -> str:
        return " ".join([self.unit.text, *(u.text for u in self.items)])


@dataclass
class Composition:
    text: str
    passages: list  # the Hits cited, in [n] order
    picks: list[Pick]


class SentenceVectors:
    """e5 vectors of sentences, cached by text in memory and, given a folder, in an SQLite file there.

    A course's sentences repeat across questions and processes (each CLI call is a new process), and
    embedding thirty sentences costs about a second on two cores: only new sentences pay it.
    """

    def __init__(self, embedder, folder: Path | None = None, capacity: int = 20_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(folder / "sentence-vectors.sqlite3", timeout=10, check_same_thread=False)
                self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
            except (OSError, sqlite3.Error):
                self._db = None  # a read-only home: keep the memory cache only

    def _key(self, text: str) -> str:
        name = getattr(self.embedder, "name", lambda: "embedder")()
        return hashlib.sha1(f"{name}\n{text}".encode()).hexdigest()

    def _load(self, texts: list[str]) -> None:
        if self._db is None or not texts:
            return
        keys = {self._key(text): text for text in texts}
        try:
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(keys))})", list(keys)
            ).fetchall()
        except sqlite3.Error:
            return
        for key, blob in rows:
            self._cache[keys[key]] = np.frombuffer(blob, dtype=np.float32)

    def _store(self, items: list[tuple[str, np.ndarray]]) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(self._key(text), vector.tobytes()) for text, vector in items],
                )
        except sqlite3.Error:
            pass  # the cache is an optimisation; a locked or full disk must not fail an answer

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            self._load([text for text in dict.fromkeys(texts) if text not in self._cache])
            missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
            if missing:
                fresh = [(text, np.asarray(vector, dtype=np.float32)) for text, vector in zip(missing, self.embedder(missing))]
                self._cache.update(fresh)
                self._store(fresh)
            for text in texts:
                self._cache.move_to_end(text)
            found = [self._cache[text] for text in texts]
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return np.stack(found) if found else np.zeros((0, 1), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query([text])[0], dtype=np.float32)


def _in_context(sentence: str, heading: str) -> str:
    return f"{heading}: {sentence}" if heading else sentence


def _term_set(text: str) -> set[str]:
    return set(terms(_BOLD.sub(r"\1", text)))


def _term_weights(wanted: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    """Inverse sentence frequency among the candidates: "model" in every sentence says little, "temperature" a lot."""
    n = len(sentence_terms)
    return {term: math.log(1 + n / (0.5 + sum(term in found for found in sentence_terms))) for term in wanted}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


class ExtractiveAnswerer:
    def __init__(self, embedder, bilingual=None, cache_folder: Path | None = None) -> None:
        self.vectors = SentenceVectors(embedder, cache_folder)
        self.bilingual = bilingual

    # ------------------------------------------------------------------ answers
    def compose(self, question: str, hits: list, lang: str, other_language: bool = False) -> Composition:
        """An answer quoting the best sentences of ``hits`` (best first), framed in ``lang``."""
        candidates = hits[:CANDIDATE_PASSAGES]
        picks = self._pick(question, candidates)
        if not picks:
            return Composition("", [], [])
        passages, body = self._cite(picks, candidates)
        lead = (
            t("ans_lead_other", lang, language=t(f"lang_name_{candidates[picks[0].passage].chunk.lang}", lang))
            if other_language
            else t("ans_lead", lang)
        )
        return Composition(f"{lead}\n\n{body}\n\n{t('ans_close', lang)}", passages, picks)

    def _question_terms(self, question: str) -> set[str]:
        own = set(terms(question))
        if self.bilingual is not None:
            own |= set(self.bilingual.expand(question))
        return own

    def _pick(self, question: str, passages: list) -> list[Pick]:
        units = [(i, u) for i, hit in enumerate(passages) for u in split_units(hit.chunk.text)]
        sentences = self.score(question, passages, units)
        if not sentences:
            return []
        return self._choose(question, sentences, units)

    def score(self, question: str, passages: list, units: list[tuple[int, Unit]] | None = None) -> list[Pick]:
        """Every quotable sentence of ``passages``, scored for ``question`` (in passage order)."""
        if units is None:
            units = [(i, u) for i, hit in enumerate(passages) for u in split_units(hit.chunk.text)]
        options = {(i, position) for i in {i for i, _ in units} for position in answer_options([u for j, u in units if j == i])}
        sentences = []
        for place, (i, unit) in enumerate(units):
            if quotable(unit) and (i, unit.position) not in options:
                following = [u for j, u in units[place + 1 : place + 2 + MAX_LIST_ITEMS] if j == i]
                sentences.append(Pick(unit, i, items=introduces_list(unit, following)))
        if not sentences:
            return []
        wanted = self._question_terms(question)
        definition = asks_for_definition(question)
        # A sentence is embedded under its section's heading ("It ranges from -1 to 1" means nothing alone), and
        # with the list it introduces ("You will need:" says nothing without its items).
        similarity = self.vectors(
            [_in_context(p.full_text, passages[p.passage].chunk.heading) for p in sentences]
        ) @ self.vectors.query(question)
        for pick in sentences:
            pick.terms = _term_set(pick.full_text)
        weight = _term_weights(wanted, [p.terms for p in sentences])
        total = sum(weight.values()) or 1.0
        for pick, cosine in zip(sentences, similarity):
            pick.defines = definition and defines_one_of(pick.unit.text, wanted)
            share = sum(weight[term] for term in wanted & pick.terms) / total
            pick.score = (
                float(cosine)
                + TERM_WEIGHT * share
                + (DEFINITION_BONUS if pick.defines else 0.0)
                + PASSAGE_BONUS[min(pick.passage, len(PASSAGE_BONUS) - 1)]
                - (QUESTION_PENALTY if _ASKS.search(pick.unit.text) else 0.0)
                - (ABOUT_LESSON_PENALTY if _ABOUT_LESSON.search(pick.unit.text) and not pick.defines else 0.0)
                - (LEAD_ALONE_PENALTY if ends_with_colon(pick.unit) and not pick.items else 0.0)
            )
        return sentences

    def _choose(self, question: str, sentences: list[Pick], units: list[tuple[int, Unit]]) -> list[Pick]:
        best = max(sentences, key=lambda p: p.score)
        for pick in sentences:  # the sentences around the best one usually carry its thought on
            if pick.passage == best.passage and pick.unit.block == best.unit.block:
                distance = abs(pick.unit.position - best.unit.position)
                pick.score += NEIGHBOUR_BONUS if distance == 1 else NEIGHBOUR_BONUS / 2 if distance == 2 else 0.0
        ranked = sorted(sentences, key=lambda p: -p.score)
        chosen: list[Pick] = []
        for pick in ranked:
            within = KEEP_WITHIN if len(chosen) >= MIN_SENTENCES else FILL_WITHIN
            if len(chosen) >= MAX_SENTENCES or pick.score < best.score - within:
                break
            if not self._repeats(pick, chosen):
                chosen.append(pick)
        # A "what is" question gets the sentence defining its term, and every answer at least three sentences
        # when the best passage has them: the sentence that answers often ranks just below one that restates
        # the question, and the best passage's next-best sentence completes the thought.
        definitions = [p for p in ranked if p.defines]
        if definitions and not any(p.defines for p in chosen):
            chosen = [definitions[0], *chosen[: MAX_SENTENCES - 1]]
        for pick in ranked:
            if len(chosen) >= MIN_SENTENCES:
                break
            if pick.passage == best.passage and pick not in chosen and not self._repeats(pick, chosen):
                chosen.append(pick)
        self._add_antecedents(chosen, sentences, best)
        self._carry_on(chosen, sentences, best)
        listed = {(p.passage, u.position) for p in chosen for u in p.items}
        chosen = [p for p in chosen if (p.passage, p.unit.position) not in listed]
        self._attach_blocks(chosen, units, question)
        first = [p for p in chosen if p.defines][:1]
        rest = sorted((p for p in chosen if p not in first), key=lambda p: (p.passage, p.unit.position))
        return first + rest

    @staticmethod
    def _add_antecedents(chosen: list[Pick], sentences: list[Pick], best: Pick) -> None:
        """Keep each chosen sentence readable on its own: one that points back gets the sentence before it, one
        followed by a sentence that points back to it keeps that sentence (it carries the thought on), and a
        single sentence between two quoted ones of a paragraph is quoted too (a quote never skips one line)."""
        by_place = {(p.passage, p.unit.position): p for p in sentences}

        def add(pick: Pick | None) -> None:
            if pick is not None and pick not in chosen and len(chosen) < MAX_SENTENCES:
                chosen.append(pick)

        for pick in sorted(chosen, key=lambda p: -p.score):
            if OPENS_POINTING_BACK.match(pick.unit.text):
                add(by_place.get((pick.passage, pick.unit.position - 1)))
            after = by_place.get((pick.passage, pick.unit.position + 1))
            if after is not None and after.unit.block == pick.unit.block and OPENS_POINTING_BACK.match(after.unit.text):
                add(after)
        for pick in sorted(chosen, key=lambda p: -p.score):
            gap = by_place.get((pick.passage, pick.unit.position + 1))
            two_on = by_place.get((pick.passage, pick.unit.position + 2))
            if gap is not None and two_on in chosen and gap.unit.block == pick.unit.block == two_on.unit.block:
                add(gap)

    @staticmethod
    def _carry_on(chosen: list[Pick], sentences: list[Pick], best: Pick) -> None:
        """An answer with room left quotes the sentence after each of its best two when the paragraph goes on
        with the same thought (it scores close to the best): an answer is often spread over two sentences,
        and the next sentence of a paragraph reads on better than one from elsewhere."""
        by_place = {(p.passage, p.unit.position): p for p in sentences}
        for pick in sorted(chosen, key=lambda p: -p.score)[:CARRY_ON_TOP]:
            after = by_place.get((pick.passage, pick.unit.position + 1))
            if (
                after is not None
                and after not in chosen
                and len(chosen) < MAX_SENTENCES
                and after.unit.block == pick.unit.block
                and after.score >= best.score - CARRY_ON_WITHIN
            ):
                chosen.append(after)

    @staticmethod
    def _repeats(pick: Pick, chosen: list[Pick]) -> bool:
        return any(_overlap(pick.terms, c.terms) >= REPEAT_OVERLAP for c in chosen)

    @staticmethod
    def _attach_blocks(chosen: list[Pick], units: list[tuple[int, Unit]], question: str) -> None:
        """Quote a code block or table whole when a chosen sentence introduces it, or when the question asks for one."""
        by_place = {(i, u.position): u for i, u in units}
        for pick in chosen:
            following = by_place.get((pick.passage, pick.unit.position + 1))
            if (
                following is not None
                and following.kind != "sentence"
                and (pick.unit.text.rstrip().endswith((":", "：")) or _EXAMPLE_QUESTION.search(question))
            ):
                pick.attached.append(following)

    @staticmethod
    def _cite(picks: list[Pick], passages: list) -> tuple[list, str]:
        numbers: dict[int, int] = {}
        for pick in picks:
            numbers.setdefault(pick.passage, len(numbers) + 1)
        lines = []
        for pick in picks:
            line = f"{readable_bold(_without_answer_label(pick.unit.text))} [{numbers[pick.passage]}]"
            listed = ["\n".join(f"- {readable_bold(u.text)}" for u in pick.items)] if pick.items else []
            lines.append("\n\n".join([line, *listed, *(u.text for u in pick.attached)]))
        return [passages[i] for i in numbers], "\n\n".join(lines)

    # ------------------------------------------------------------------ follow-ups on an earlier answer's passages
    @staticmethod
    def simpler(passage_texts: list[str], lang: str, shown: str = "", count: int = 2) -> str:
        """The shortest defining sentences of the passages that ``shown`` (the earlier answer) did not quote,
        each with its [n]; else the shortest other sentences; when the answer quoted every sentence of a
        short section, its one shortest (defining) sentence alone; empty if there are none."""
        every = [
            (len(u.text), n, u.text) for n, text in enumerate(passage_texts, 1) for u in split_units(text) if u.kind == "sentence"
        ]
        found = [f for f in every if readable_bold(f[2]) not in shown]
        defining = [f for f in found if defines_something(f[2])]
        chosen = sorted(defining or found)[:count] or sorted([f for f in every if defines_something(f[2])] or every)[:1]
        if not chosen:
            return ""
        body = " ".join(f"{readable_bold(text)} [{n}]" for _, n, text in chosen)
        return f"{t('ans_simpler_lead', lang)}\n\n{body}"

    @staticmethod
    def example(passage_texts: list[str], lang: str) -> str:
        """The passages' example: a sentence that gives one, with the code block or table it introduces."""
        for n, text in enumerate(passage_texts, 1):
            units = split_units(text)
            for i, unit in enumerate(units):
                if unit.kind == "sentence" and _EXAMPLE_SENTENCE.search(unit.text):
                    block = units[i + 1].text if i + 1 < len(units) and units[i + 1].kind != "sentence" else ""
                    return "\n\n".join(filter(None, [t("ans_example_lead", lang), f"{readable_bold(unit.text)} [{n}]", block]))
            for unit in units:
                if unit.kind == "code":
                    return f"{t('ans_example_lead', lang)}\n\n{unit.text}\n\n[{n}]"
        return ""

    @staticmethod
    def quiz(passage_texts: list[str], lang: str) -> tuple[str, str, int] | None:
        """(question, answer, passage number) of a fill-in-the-blank item from a bold-term definition
        (the same items Practice makes from a lesson)."""
        for n, text in enumerate(passage_texts, 1):
            for term, blanked in bold_definitions(text):
                return t("ans_quiz_question", lang, sentence=blanked), term, n
        return None


def _without_answer_label(sentence: str) -> str:
    rest = _ANSWER_LABEL.sub("", sentence, count=1)
    return rest[:1].upper() + rest[1:] if rest != sentence else sentence


def readable_bold(text: str) -> str:
    """Drop the ``**`` of a bold run that CommonMark would print as asterisks.

    A closing ``**`` right after punctuation and right before a letter ("**少样本（few-shot）**提示") is not
    a closing delimiter, so Markdown shows the stars; such a run is quoted without its emphasis.
    """

    def fix(match: re.Match) -> str:
        inner, after = match.group(1), text[match.end() : match.end() + 1]
        if (
            unicodedata.category(inner[-1]).startswith("P")
            and after
            and not after.isspace()
            and not unicodedata.category(after).startswith("P")
        ):
            return inner
        return match.group(0)

    return _BOLD.sub(fix, text)


def strip_citation_marks(text: str) -> str:
    return _CITE_MARK.sub("", text)
