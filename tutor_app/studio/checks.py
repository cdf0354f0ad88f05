"""Deterministic checks on a lesson plan or a quiz, each one shown to the educator.

A check is a pure function of the document and what is known of the passages it
cites: either only which chunk ids exist in the index (a set), or the passages
themselves (a mapping chunk id → ``Chunk``). With the passages, the content
checks run too: every answer is found in its cited passage (``supported``), no
wrong option is an answer the passage gives to the same question
(``distractors``), and the citations are in the document's language. Without
them those checks are skipped, not passed. Every problem names the item (Q2,
an activity's title) and why, as a message key with values, so the page can
say it in English or Chinese and the CLI in English. The text-matching rules
(``text_units``, ``answer_supported``, ``option_fits``) are exported because the
quiz builder applies the same rules to its own drafts. Checks never change the
document (``plan_writer.fit_timings`` is the one offered fix) and never call a
model or the index themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache

from tutor_app.core.i18n import MESSAGES, t
from tutor_app.core.schemas import BLOOM_LEVELS, QUESTION_KINDS, Chunk, LessonPlan, Quiz
from tutor_app.engine.search.lexical import _latin_terms
from tutor_app.engine.sentences import split_units
from tutor_app.engine.text import CJK_RUN, QUOTED_OR_CODE

PLAN_CHECKS = ("timings", "objectives", "citations", "duplicate_activities", "artefacts", "language")
QUIZ_CHECKS = (
    "objectives",
    "duplicate_questions",
    "duplicate_options",
    "answer_in_options",
    "citations",
    "supported",
    "distractors",
    "artefacts",
    "language",
)
TEXT_CHECKS = ("supported", "distractors")  # need the passages' text: skipped when only chunk ids are known

# Measured rules (tests/test_studio_checks.py has a passing and a failing example of each):
SUPPORTED_SHARE = 0.75  # of an answer's units found in one or two consecutive sentences of its passage
STEM_SHARE = 0.6  # a sentence is "about" a question when this share of one's units is in the other
NEAR_DUPLICATE = 0.75  # Jaccard share of units above which two questions (or activities) say the same
NEAR_DUPLICATE_MIN_UNITS = 4
MIN_DESCRIPTION_UNITS = 3
# The quiz builder's question frames ("True or false? …"): their fixed words are not content, so they are
# left out when a question is compared with its passage, whoever wrote it.
FRAME_KEYS = (
    "studio_quiz_q_definition",
    "studio_quiz_q_definition_plural",
    "studio_quiz_q_cloze_choice",
    "studio_quiz_q_cloze_fill",
    "studio_quiz_q_true_false",
    "studio_quiz_q_example",
    "studio_quiz_explain_source",
)

_BLANK = re.compile(r"_{3,}")
GLOSS = re.compile(r"\s*[（(][^（）()]{0,60}[)）]")  # a gloss or aside: "温度（temperature）", "Chain-of-thought (CoT)"
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_MARKUP = re.compile(r"\*\*|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")

_BLOOM = "|".join(BLOOM_LEVELS).replace("analyze", "analy[sz]e")
_KIND_NAMES = "|".join(QUESTION_KINDS + tuple(k.replace("_", "") for k in QUESTION_KINDS))
ARTEFACTS: tuple[tuple[str, re.Pattern], ...] = (
    (
        "number",
        re.compile(r"\bQ\s?\d{1,2}\b|^\s*(?:Question\s+\d+|第\s*\d+\s*题|问题\s*\d+)|^\s*\d{1,2}[.)、]\s+\S", re.IGNORECASE),
    ),
    ("kind", re.compile(rf"\b(?:{_KIND_NAMES})\b", re.IGNORECASE)),
    ("bloom", re.compile(rf"\((?:{_BLOOM})\)|\bbloom\s*[:=]|^\s*(?:{_BLOOM})\s*$", re.IGNORECASE)),
    ("brace", re.compile(r"[{}]")),
    (
        "placeholder",
        re.compile(
            r"\b(?:lorem ipsum|TODO|TBD|FIXME|XXX)\b|\[(?:insert|your|add)\b[^\]]*\]|"
            r"<(?:insert|your)\b[^>]*>|(?:\.\.\.|…|……)\s*$|\b(?:passage|objective)\s+\d+\b|"
            r"(?:段落|目标)\s*\d+"
        ),
    ),
    ("markdown", re.compile(r"\*\*|(?<![\w*])\*[^*\s][^*\n]*\*(?![\w*])")),
    ("citation_mark", re.compile(r"\[\d{1,2}\]")),
)


class Label(str):
    """A message key (with its values) used inside another message, such as "Q2 answer"; said in the reader's language."""

    def __new__(cls, key: str, **values) -> Label:
        label = super().__new__(cls, key)
        label.values = values
        return label

    def said(self, lang: str) -> str:
        return t(str(self), lang, **self.values)


@dataclass
class CheckResult:
    name: str
    problems: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def messages(self, lang: str = "en") -> list[str]:
        return [
            t(key, lang, **{k: v.said(lang) if isinstance(v, Label) else v for k, v in values.items()})
            for key, values in self.problems
        ]

    def to_json(self) -> dict:
        return {"check": self.name, "passed": self.passed, "problems": self.messages("en")}


# --------------------------------------------------------------------------- text matching


def normalise(text: str) -> str:
    """Text compared for duplicates: case, width, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\W_]+", "", text)


def plain(text: str) -> str:
    """Text without Markdown emphasis, code marks or backslash escapes ("\\_" is an underscore)."""
    return _MARKUP.sub("", _ESCAPED.sub(r"\1", text or ""))


@lru_cache(maxsize=8192)
def text_units(text: str) -> frozenset[str]:
    """What two texts are compared by: stemmed English content words and Chinese character pairs.

    Character pairs, not jieba words, because a phrase and the sentence it comes from are not always
    segmented the same way; a pair of characters is found in the sentence whenever the phrase is.
    """
    text = unicodedata.normalize("NFKC", plain(text)).lower()
    units: set[str] = set()
    position = 0
    for run in CJK_RUN.finditer(text):
        units.update(_latin_terms(text[position : run.start()]))
        chars = run.group()
        units.update(chars[i : i + 2] for i in range(len(chars) - 1)) if len(chars) > 1 else units.add(chars)
        position = run.end()
    units.update(_latin_terms(text[position:]))
    return frozenset(units)


def share(part: AbstractSet[str], whole: AbstractSet[str]) -> float:
    """The share of ``part`` found in ``whole`` (0 when ``part`` is empty)."""
    return len(part & whole) / len(part) if part else 0.0


@lru_cache(maxsize=1)
def _frames() -> re.Pattern:
    pieces = {
        piece.strip() for key in FRAME_KEYS for text in MESSAGES.get(key, {}).values() for piece in re.split(r"\{[^}]*\}", text)
    }
    return re.compile("|".join(re.escape(p) for p in sorted((p for p in pieces if p), key=len, reverse=True)), re.IGNORECASE)


@lru_cache(maxsize=4096)
def strip_frames(text: str) -> str:
    """The question or explanation without the quiz builder's fixed frame words."""
    return _frames().sub(" ", text).strip()


@lru_cache(maxsize=512)
def _windows(passage: str, heading: str = "") -> tuple[tuple[str, frozenset[str]], ...]:
    """Each unit of the passage and each two consecutive units, as (text, units)."""
    texts = [plain(u.text) for u in split_units(passage)] + ([heading] if heading else [])
    joined = texts + [f"{a} {b}" for a, b in zip(texts, texts[1:])]
    return tuple((text, frozenset(text_units(text))) for text in joined)


@lru_cache(maxsize=512)
def _flat(passage: str) -> str:
    return normalise(GLOSS.sub("", plain(passage)))


def answer_supported(answer: str, passage: str, heading: str = "") -> bool:
    """The passage says ``answer``: it contains it (ignoring case and punctuation), or one or two consecutive
    sentences contain at least SUPPORTED_SHARE of its units."""
    flat = normalise(GLOSS.sub("", plain(answer)))
    if flat and flat in _flat(passage):
        return True
    wanted = text_units(answer)
    return bool(wanted) and any(share(wanted, units) >= SUPPORTED_SHARE for _, units in _windows(passage, heading))


def _edge(flat: str, from_end: bool) -> str:
    """About 12 characters' worth of context beside a blank (a Chinese character counts as three)."""
    chars = flat[::-1] if from_end else flat
    taken, weight = [], 0
    for char in chars:
        if weight >= 12:
            break
        taken.append(char)
        weight += 3 if CJK_RUN.match(char) else 1
    return "".join(taken[::-1] if from_end else taken)


def option_fits(stem: str, option: str, passage: str) -> bool:
    """The passage gives ``option`` as an answer to ``stem``.

    A fill-in-the-blank stem: the passage has the option with the words around the blank on both
    sides of it. Any other stem: one sentence (or two consecutive ones) is about the stem (STEM_SHARE
    either way) and holds SUPPORTED_SHARE of the option's own words (those not already in the stem).
    """
    edges, stem_units = _stem(stem)
    if edges:
        left, right = edges
        return f"{left}{normalise(GLOSS.sub('', plain(option)))}{right}" in _flat(passage)
    own = text_units(option) - stem_units
    if not own:
        return False
    return any(
        share(own, units) >= SUPPORTED_SHARE and max(share(stem_units, units), share(units, stem_units)) >= STEM_SHARE
        for _, units in _windows(passage)
    )


@lru_cache(maxsize=1024)
def _stem(stem: str) -> tuple[tuple[str, str] | None, frozenset[str]]:
    """A question's text as ``option_fits`` reads it: the context beside its blank (if it has one), its units."""
    stem = strip_frames(plain(stem))
    parts = _BLANK.split(GLOSS.sub("", stem), maxsplit=1)
    if len(parts) == 2:
        left, right = _edge(normalise(parts[0]), True), _edge(normalise(parts[1]), False)
        if left or right:
            return (left, right), frozenset()
    return None, frozenset(text_units(_BLANK.sub(" ", stem)))


def statement_stated(statement: str, passage: str) -> bool:
    """The passage says exactly this statement (all its units in one or two consecutive sentences)."""
    wanted = text_units(strip_frames(plain(statement)))
    return bool(wanted) and any(share(wanted, units) == 1.0 for _, units in _windows(passage))


def near_duplicate(a: str, b: str) -> float:
    """How much of their wording two texts share (Jaccard of units), 0 for texts too short to tell."""
    ua, ub = text_units(strip_frames(a)), text_units(strip_frames(b))
    if min(len(ua), len(ub)) < NEAR_DUPLICATE_MIN_UNITS:
        return 0.0
    return len(ua & ub) / len(ua | ub)


def cjk_share(text: str) -> tuple[int, int]:
    """(Chinese characters, Latin words) of a text, quoted parts left out."""
    text = QUOTED_OR_CODE.sub(" ", text or "")
    return sum(len(run) for run in CJK_RUN.findall(text)), len(_LATIN_WORD.findall(text))


def in_language(text: str, lang: str) -> bool:
    """English text has no Chinese outside quotes and parentheses; Chinese text is mostly Chinese (at least
    two characters for each English word, unless it has fewer than three English words)."""
    if lang == "en":
        return not CJK_RUN.search(GLOSS.sub(" ", QUOTED_OR_CODE.sub(" ", text or "")))
    chinese, words = cjk_share(text)
    return words < 3 or chinese >= 2 * words


def artefacts(text: str) -> Iterator[tuple[str, str]]:
    """(kind, what was found) for each template leftover in a text."""
    for kind, pattern in ARTEFACTS:
        match = pattern.search(text or "")
        if match:
            yield kind, match.group(0).strip() or match.group(0)


# --------------------------------------------------------------------------- shared pieces


def _duplicates(texts: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    counts: Counter = Counter()
    for text in texts:
        key = normalise(text)
        if key:
            counts[key] += 1
            seen.setdefault(key, text)
    return [seen[key] for key, n in counts.items() if n > 1]


def _citations(cited: list[tuple[str, list[str]]], known: Collection[str], grounded: bool) -> CheckResult:
    """``cited``: (where, chunk ids) pairs. A grounded document's materials/questions must cite something real."""
    result = CheckResult("citations")
    for where, ids in cited:
        for chunk_id in ids:
            if chunk_id and chunk_id not in known:
                result.problems.append(("studio_check_unknown_chunk", {"where": where, "chunk": chunk_id}))
        if grounded and not any(ids):
            result.problems.append(("studio_check_no_citation", {"where": where}))
    return result


def _artefact_check(fields: list[tuple[Label | str, str]]) -> CheckResult:
    result = CheckResult("artefacts")
    for where, text in fields:
        for kind, found in artefacts(text):
            result.problems.append((f"studio_check_artefact_{kind}", {"where": where, "found": found}))
    return result


def _language_check(
    fields: list[tuple[Label | str, str]],
    cited: list[tuple[str, list[str]]],
    lang: str,
    known: Collection[str] | Mapping[str, Chunk],
    course_languages: Collection[str] | None,
) -> CheckResult:
    """Every text in ``lang``; with the passages known, every citation too, unless the course lacks ``lang``."""
    result = CheckResult("language")
    for where, text in fields:
        if text and not in_language(text, lang):
            result.problems.append(
                ("studio_check_wrong_language", {"where": where, "text": text[:80], "language": Label(f"lang_name_{lang}")})
            )
    if isinstance(known, Mapping) and (course_languages is None or lang in course_languages):
        for where, ids in cited:
            for chunk_id in ids:
                chunk = known.get(chunk_id)
                if chunk is not None and chunk.lang != lang:
                    result.problems.append(
                        (
                            "studio_check_citation_language",
                            {
                                "where": where,
                                "chunk": chunk_id,
                                "passage_language": Label(f"lang_name_{chunk.lang}"),
                                "language": Label(f"lang_name_{lang}"),
                            },
                        )
                    )
    return result


# --------------------------------------------------------------------------- lesson plans


def _plan_fields(plan: LessonPlan) -> list[tuple[Label, str]]:
    fields: list[tuple[Label, str]] = [(Label("studio_where_title"), plan.title)]
    fields += [(Label("studio_where_objective", id=o.id), o.text) for o in plan.objectives]
    fields += [(Label("studio_where_prerequisite", n=n), p) for n, p in enumerate(plan.prerequisites, 1)]
    for m in plan.materials:
        fields += [
            (Label("studio_where_material", title=m.title), m.title),
            (Label("studio_where_material", title=m.title), m.description),
        ]
    for a in plan.activities:
        fields += [
            (Label("studio_where_activity", title=a.title), a.title),
            (Label("studio_where_activity", title=a.title), a.description),
        ]
    fields += [
        (Label(key), text)
        for key, text in (
            ("studio_assessment", plan.formative_assessment),
            ("studio_support", plan.support_weaker),
            ("studio_challenge", plan.challenge_stronger),
            ("studio_homework", plan.homework),
        )
    ]
    return fields


def _distinct_activities(plan: LessonPlan) -> CheckResult:
    result = CheckResult("duplicate_activities")
    for j, later in enumerate(plan.activities):
        for earlier in plan.activities[:j]:
            if len(text_units(later.description)) < MIN_DESCRIPTION_UNITS:
                break  # "Discuss." twice says too little to be a repeated activity
            if normalise(later.description) == normalise(earlier.description):
                result.problems.append(("studio_check_same_activity", {"where": later.title, "other": earlier.title}))
                break
            overlap = near_duplicate(later.description, earlier.description)
            if overlap >= NEAR_DUPLICATE:
                result.problems.append(
                    ("studio_check_near_activity", {"where": later.title, "other": earlier.title, "share": round(100 * overlap)})
                )
                break
    return result


def check_plan(
    plan: LessonPlan, known_chunks: Collection[str] | Mapping[str, Chunk], *, course_languages: Collection[str] | None = None
) -> list[CheckResult]:
    """PLAN_CHECKS. ``course_languages``: the languages the course is written in (None: assume the plan's)."""
    timings = CheckResult("timings")
    total = sum(a.minutes for a in plan.activities)
    if total != plan.duration_minutes:
        timings.problems.append(("studio_check_timings", {"total": total, "duration": plan.duration_minutes}))

    objectives = CheckResult("objectives")
    ids = [o.id for o in plan.objectives]
    for dup in _duplicates(ids):
        objectives.problems.append(("studio_check_objective_id_twice", {"objective": dup}))
    used = {oid for a in plan.activities for oid in a.objective_ids}
    for objective in plan.objectives:
        if objective.id not in used:
            objectives.problems.append(("studio_check_not_assessed", {"objective": f"{objective.id} {objective.text}"}))
    for activity in plan.activities:
        for oid in activity.objective_ids:
            if oid not in ids:
                objectives.problems.append(("studio_check_unknown_objective", {"where": activity.title, "objective": oid}))

    cited = [(m.title, m.chunk_ids) for m in plan.materials]
    citations = _citations(cited, known_chunks, plan.grounded)
    for activity in plan.activities:  # activities may cite, but need not
        citations.problems += _citations([(activity.title, activity.chunk_ids)], known_chunks, False).problems
    fields = _plan_fields(plan)
    cited += [(a.title, a.chunk_ids) for a in plan.activities]
    return [
        timings,
        objectives,
        citations,
        _distinct_activities(plan),
        _artefact_check(fields),
        _language_check(fields, cited, plan.language, known_chunks, course_languages),
    ]


# --------------------------------------------------------------------------- quizzes


def _quiz_fields(quiz: Quiz) -> list[tuple[Label, str]]:
    fields: list[tuple[Label, str]] = [(Label("studio_where_title"), quiz.title)]
    fields += [(Label("studio_where_objective", id=o.id), o.text) for o in quiz.objectives]
    for n, q in enumerate(quiz.questions, 1):
        fields.append((Label("studio_where_question", n=n), q.question))
        if q.kind != "true_false":  # its options and answer are the fixed "True"/"False"
            fields += [(Label("studio_where_option", n=n, m=m), o) for m, o in enumerate(q.options, 1)]
            fields.append((Label("studio_where_answer", n=n), q.answer))
        fields.append((Label("studio_where_explanation", n=n), q.explanation))
    return fields


def _distinct_questions(quiz: Quiz) -> CheckResult:
    result = CheckResult("duplicate_questions")
    for j, later in enumerate(quiz.questions):
        for i, earlier in enumerate(quiz.questions[:j]):
            if normalise(later.question) == normalise(earlier.question):
                result.problems.append(
                    ("studio_check_same_question", {"where": f"Q{j + 1}", "other": f"Q{i + 1}", "question": later.question})
                )
                break
            overlap = near_duplicate(later.question, earlier.question)
            if overlap >= NEAR_DUPLICATE:
                result.problems.append(
                    ("studio_check_near_question", {"where": f"Q{j + 1}", "other": f"Q{i + 1}", "share": round(100 * overlap)})
                )
                break
    return result


def _supported(quiz: Quiz, passages: Mapping[str, Chunk]) -> CheckResult:
    """The correct answer of each question is in its cited passage (see ``answer_supported``; a true
    statement: ``statement_stated``)."""
    result = CheckResult("supported")
    for n, q in enumerate(quiz.questions, 1):
        chunk = passages.get(q.chunk_id)
        if chunk is None:
            continue  # no citation, or one the citations check already reports
        if q.kind == "true_false":
            # A statement marked True must be said in full (one swapped word, "high" for "low", leaves most
            # of its words in place); for one marked False the explanation must quote what is said instead.
            if q.answer == "False":
                said = answer_supported(strip_frames(q.explanation), chunk.text, chunk.heading)
            else:
                said = statement_stated(q.question, chunk.text)
            if not said:
                key = "studio_check_false_unsupported" if q.answer == "False" else "studio_check_true_unsupported"
                result.problems.append((key, {"where": f"Q{n}", "chunk": q.chunk_id}))
        elif not answer_supported(q.answer, chunk.text, chunk.heading):
            result.problems.append(("studio_check_unsupported", {"where": f"Q{n}", "answer": q.answer, "chunk": q.chunk_id}))
    return result


def _distractors(quiz: Quiz, passages: Mapping[str, Chunk]) -> CheckResult:
    """No wrong option is what the cited passage answers; no statement marked False is what it says."""
    result = CheckResult("distractors")
    for n, q in enumerate(quiz.questions, 1):
        chunk = passages.get(q.chunk_id)
        if chunk is None:
            continue
        if q.kind == "true_false":
            if q.answer == "False" and statement_stated(q.question, chunk.text):
                result.problems.append(("studio_check_false_stated", {"where": f"Q{n}", "chunk": q.chunk_id}))
            continue
        for option in q.options:
            if normalise(option) != normalise(q.answer) and option_fits(q.question, option, chunk.text):
                result.problems.append(
                    ("studio_check_distractor_fits", {"where": f"Q{n}", "option": option, "chunk": q.chunk_id})
                )
    return result


def check_quiz(
    quiz: Quiz, known_chunks: Collection[str] | Mapping[str, Chunk], *, course_languages: Collection[str] | None = None
) -> list[CheckResult]:
    """QUIZ_CHECKS; ``supported`` and ``distractors`` only when ``known_chunks`` maps ids to passages.
    ``course_languages``: the languages the course is written in (None: assume the quiz's)."""
    objectives = CheckResult("objectives")
    ids = [o.id for o in quiz.objectives]
    used = {q.objective_id for q in quiz.questions}
    for objective in quiz.objectives:
        if objective.id not in used:
            objectives.problems.append(("studio_check_not_assessed", {"objective": f"{objective.id} {objective.text}"}))
    for n, question in enumerate(quiz.questions, 1):
        if question.objective_id not in ids:
            objectives.problems.append(
                ("studio_check_unknown_objective", {"where": f"Q{n}", "objective": question.objective_id or "—"})
            )

    duplicate_options = CheckResult("duplicate_options")
    answer_in_options = CheckResult("answer_in_options")
    for n, question in enumerate(quiz.questions, 1):
        for option in _duplicates(question.options):
            duplicate_options.problems.append(("studio_check_duplicate_option", {"where": f"Q{n}", "option": option}))
        if question.kind == "short_answer":
            continue
        if normalise(question.answer) not in {normalise(o) for o in question.options}:
            answer_in_options.problems.append(("studio_check_answer_missing", {"where": f"Q{n}", "answer": question.answer}))

    cited = [(f"Q{n}", [q.chunk_id]) for n, q in enumerate(quiz.questions, 1)]
    citations = _citations(cited, known_chunks, quiz.grounded)
    results = [objectives, _distinct_questions(quiz), duplicate_options, answer_in_options, citations]
    if isinstance(known_chunks, Mapping):
        results += [_supported(quiz, known_chunks), _distractors(quiz, known_chunks)]
    fields = _quiz_fields(quiz)
    return results + [_artefact_check(fields), _language_check(fields, cited, quiz.language, known_chunks, course_languages)]


def check_document(
    document: LessonPlan | Quiz,
    known_chunks: Collection[str] | Mapping[str, Chunk],
    *,
    course_languages: Collection[str] | None = None,
) -> list[CheckResult]:
    check = check_plan if isinstance(document, LessonPlan) else check_quiz
    return check(document, known_chunks, course_languages=course_languages)


def cited_chunk_ids(document: LessonPlan | Quiz) -> set[str]:
    """Every chunk id the document cites (to ask the index which exist)."""
    if isinstance(document, LessonPlan):
        ids = [c for m in document.materials for c in m.chunk_ids] + [c for a in document.activities for c in a.chunk_ids]
    else:
        ids = [q.chunk_id for q in document.questions]
    return {i for i in ids if i}
