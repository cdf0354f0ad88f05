"""Lesson plans built from the course text alone, deterministically, without a language model.

``build_plan`` retrieves the sections that teach the topic (in the plan's
language when the course has it), takes the lessons' own front-matter
objectives that those sections serve (the two or three closest to the topic,
ordered from lower to higher Bloom level), and fills one activity per
objective from the bilingual pattern library (``activity_patterns``) for its
level with the serving section's title, one or two of its key sentences
(ranked by the extractive answerer's sentence scoring) and, where a pattern
needs one, the start of its worked example; each activity cites its section's
chunks. An opening, a closing, minutes that add up
(``plan_writer.suggested_minutes``), the cited sections as materials, a formative
assessment (from the given question maker, else questions on the terms the
sections define) and support and challenge notes complete the plan, which
then goes through the same ``check_plan`` as a model-written one. Nothing
here calls a language model, and saving is the caller's business.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tutor_app.core.schemas import BLOOM_LEVELS, Activity, Hit, LearningObjective, LessonPlan, Material, Objective
from tutor_app.engine.answers.extractive import _EXAMPLE_SENTENCE, CANDIDATE_PASSAGES, ExtractiveAnswerer, defines_something
from tutor_app.engine.answers.passages import pack_passages
from tutor_app.engine.search.lexical import terms
from tutor_app.engine.sentences import bold_definitions, split_units
from tutor_app.engine.text import detect_lang
from tutor_app.studio.activity_patterns import ActivityPatterns, Pattern, load_patterns
from tutor_app.studio.checks import NEAR_DUPLICATE, artefacts, check_plan, in_language, near_duplicate, plain
from tutor_app.studio.plan_writer import objectives_for, suggested_minutes
from tutor_app.studio.shared import BUILT_LABEL, Generated, NotCovered, Sources, StepReporter, StudioRequest, gather_sources

PASSAGE_BUDGET_TOKENS = 4000  # nothing is sent to a model; the budget only bounds Sources.text
FORMATIVE_QUESTIONS = 3
MAX_QUOTE_CHARS = {"en": 240, "zh": 110}
MIN_SENTENCE_CHARS = {"en": 20, "zh": 8}
EXAMPLE_CHARS = {"en": 90, "zh": 40}
# Objective ranking: meaning (e5 cosine, a narrow band) plus the share of the topic's terms the objective
# names (rare terms weigh more: "prompt" is in most objectives of a prompting course, "injection" in two),
# plus how well a retrieved section of its lesson covers the objective's own terms.
TOPIC_TERM_WEIGHT = 0.3
SECTION_SUPPORT_WEIGHT = 0.15
USED_SECTION_PENALTY = 0.3
MIN_OBJECTIVES = 2
# A third objective only when it is nearly as close to the topic as the best one (measured on the sample
# course: "temperature" has one close objective, 1.21, the next ones 0.86 and below; "few-shot prompting"
# has three within 0.19).
EXTRA_OBJECTIVE_WITHIN = 0.2

AssessmentMaker = Callable[[StudioRequest, Sources], list[str]]

_ENDS_SENTENCE = ("。", "！", "？", ".", "!", "?", "”", '"', "’", "）", ")")
_BRACES = re.compile(r"[{}]")
_IMPORT_LINE = re.compile(r"^(?:import\s|from\s+\S+\s+import\s)")
_BLOOM_SPELLINGS = {"analyse": "analyze", "recall": "remember", "comprehend": "understand", "synthesize": "create"}


@dataclass
class Section:
    """The retrieved chunks of one course section, with what a pattern needs from it."""

    lesson_id: str
    lesson: str
    title: str
    rank: int  # the retriever's order of its best chunk
    hits: list[Hit]
    objectives: list[Objective]
    terms: set[str]
    sentences: list[str]  # quotable sentences, cleaned, in the section's order
    example: str  # the start of its worked example, or ""

    @property
    def chunk_ids(self) -> list[str]:
        return [h.chunk.id for h in self.hits]


@dataclass
class Planned:
    """One objective with the section and the pattern filled for it."""

    objective: Objective
    section: Section
    title: str
    description: str
    quote: str
    best: str  # the best of the quoted sentences
    rank: int = 0
    used: set[str] = field(default_factory=set)  # the sentences it quotes


def bloom_level(value: str) -> str:
    level = (value or "").strip().lower()
    level = _BLOOM_SPELLINGS.get(level, level)
    return level if level in BLOOM_LEVELS else "understand"


def _clean(text: str, lang: str) -> str:
    """A course sentence as plain quotable text: no bold markers, one line, ending in a stop."""
    # Quotes inside a quoted sentence become single quotes, as nested quotations are written.
    text = " ".join(plain(text).replace("“", "‘").replace("”", "’").split())
    if text and not text.endswith(_ENDS_SENTENCE + (":", "：")):  # a colon introduces a block: not quotable
        text += "。" if lang == "zh" else "."
    return text


def _name(text: str) -> str:
    """A heading or term as plain text to put inside a template."""
    return " ".join(_BRACES.sub("", plain(text)).split())


def _quotable(text: str, lang: str) -> bool:
    return (
        MIN_SENTENCE_CHARS[lang] <= len(text) <= MAX_QUOTE_CHARS[lang]
        and not any(artefacts(text))
        and not text.rstrip().endswith((":", "："))
        and not text.lstrip().startswith("|")
    )


def _excerpt(text: str, lang: str) -> str:
    """The start of an example, short enough to sit inside a sentence, marked as cut."""
    text = " ".join(text.split())
    limit = EXAMPLE_CHARS[lang]
    if len(text) > limit:
        cut = text[:limit]
        text = cut.rsplit(" ", 1)[0] if lang == "en" and " " in cut else cut
    return text.rstrip(" ,;，；") + (" …" if lang == "en" else "……")


def worked_example(text: str, lang: str) -> str:
    """The start of the section's example: the first line of its first code block (not an import, nothing
    a template check would flag), else a sentence that gives an example; "" when it has neither."""
    units = split_units(text)
    for unit in units:
        if unit.kind == "code":
            lines = [line.strip() for line in unit.text.splitlines()[1:]]
            usable = [
                line
                for line in lines
                if line and not line.startswith(("```", "~~~")) and not any(artefacts(line)) and any(ch.isalnum() for ch in line)
            ]
            telling = [line for line in usable if not _IMPORT_LINE.match(line)] or usable
            if telling:
                return _excerpt(telling[0], lang)
    for unit in units:
        if unit.kind == "sentence" and _EXAMPLE_SENTENCE.search(unit.text):
            sentence = _clean(unit.text, lang)
            if _quotable(sentence, lang):
                return _excerpt(sentence, lang)
    return ""


def _overlap(wanted: set[str], found: set[str]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 0.0


def sections_of(hits: list[Hit], lang: str) -> list[Section]:
    """The hits grouped by course section, best-ranked section first; sections with nothing to quote are left out."""
    grouped: dict[tuple[str, str, str], list[tuple[int, Hit]]] = {}
    for rank, hit in enumerate(hits):
        c = hit.chunk
        grouped.setdefault((c.source, c.heading, c.lang), []).append((rank, hit))
    sections = []
    for members in grouped.values():
        rank = members[0][0]
        ordered = sorted((h for _, h in members), key=lambda h: h.chunk.position)
        first = ordered[0].chunk
        text = "\n\n".join(h.chunk.text for h in ordered)
        heading = first.heading.split(" > ")[-1].strip() if first.heading else ""
        quotable = [s for s in (_clean(u.text, lang) for u in split_units(text) if u.kind == "sentence") if _quotable(s, lang)]
        if not quotable:
            continue
        sections.append(
            Section(
                lesson_id=first.lesson_id or first.source,
                lesson=_name(first.title or first.source),
                title=_name(heading or first.title or first.source),
                rank=rank,
                hits=ordered,
                objectives=list(first.objectives),
                terms=set(terms(plain(f"{first.heading}\n{text}"))),
                sentences=quotable,
                example=worked_example(text, lang),
            )
        )
    return sorted(sections, key=lambda s: s.rank)


def same_language(sources: Sources, lang: str, budget_tokens: int) -> Sources:
    """Only the passages in the plan's language, when the course has any for the topic (else all of them:
    a topic the course teaches only in another language is cited in that language)."""
    # A passage's text must be in the language too: a translated lesson may keep a section untranslated.
    same = [h for h in sources.passages if h.chunk.lang == lang and in_language(h.chunk.text, lang)]
    if not same or len(same) == len(sources.passages):
        return sources
    text, used = pack_passages(same, budget_tokens)
    return Sources(used, text, sources.grounded, sources.query)


def cited_languages(sources: Sources, lang: str) -> set[str] | None:
    """The course languages the language check may assume: None (the plan's own) when the passages are in
    it, else theirs, so a topic taught only in another language is not held against the plan."""
    found = {h.chunk.lang for h in sources.passages}
    return None if lang in found else found


class _Builder:
    def __init__(
        self, request: StudioRequest, sources: Sources, answerer: ExtractiveAnswerer, patterns: ActivityPatterns
    ) -> None:
        self.request = request
        self.lang = request.language
        self.sources = sources
        self.answerer = answerer
        self.patterns = patterns
        self.query = sources.query
        self.topic_terms = set(terms(self.query))
        self.sections = sections_of(sources.passages, self.lang)
        if not self.sections:
            raise NotCovered("studio_err_not_covered", topic=self.query[:80])
        topic = request.topic
        self.subject = topic if topic and detect_lang(topic) == self.lang else self.sections[0].lesson

    # ------------------------------------------------------------------ key sentences
    def key_sentences(self, section: Section, query: str, avoid: set[str], most: int = 2) -> list[str]:
        """One or two of the section's sentences for ``query``, best first (by the extractive answerer's
        scoring), none of ``avoid`` when it has others."""
        picks = sorted(self.answerer.compose(query, section.hits, self.lang).picks, key=lambda p: -p.score)
        ranked = [_clean(p.unit.text, self.lang) for p in picks]
        ranked = [s for s in dict.fromkeys(ranked) if s in section.sentences]
        fresh = [s for s in dict.fromkeys(ranked + section.sentences) if s not in avoid] or ranked or section.sentences
        chosen = [fresh[0]]
        for sentence in fresh[1:]:
            if len(chosen) >= most:
                break
            if sentence in ranked and len(chosen[0]) + len(sentence) < MAX_QUOTE_CHARS[self.lang]:
                chosen.append(sentence)
        return chosen

    def in_order(self, section: Section, sentences: list[str]) -> str:
        ordered = sorted(sentences, key=section.sentences.index)
        return ("" if self.lang == "zh" else " ").join(ordered)

    def topic_sentence(self, sections: list[Section]) -> tuple[Section, str]:
        """The sentence of ``sections`` that best says what the topic is: of the extractive answer's
        sentences, the best one that defines something and names every term of the topic ("Temperature is
        a setting ..."), else the best one. (The answerer's own "what is" bonus accepts a definition of any
        topic term, and "prompt" alone made "No prompt wording is fully immune." the answer to "prompt injection".)"""
        ordered = sorted(sections, key=lambda s: s.rank)
        owners = [section for section in ordered for _ in section.hits][:CANDIDATE_PASSAGES]
        hits = [hit for section in ordered for hit in section.hits][:CANDIDATE_PASSAGES]
        picks = self.answerer.compose(self.query, hits, self.lang).picks
        names_topic = lambda p: defines_something(p.unit.text) and self.topic_terms <= set(terms(plain(p.unit.text)))  # noqa: E731
        for pick in sorted(picks, key=lambda p: (not names_topic(p), -p.score)):
            sentence, owner = _clean(pick.unit.text, self.lang), owners[pick.passage]
            if sentence in owner.sentences:
                return owner, sentence
        return ordered[0], ordered[0].sentences[0]

    # ------------------------------------------------------------------ objectives
    def candidate_objectives(self) -> list[tuple[Objective, list[Section]]]:
        """Each objective of the retrieved sections' lessons with that lesson's sections, once."""
        seen: dict[tuple[str, str], tuple[Objective, list[Section]]] = {}
        for section in self.sections:
            for objective in section.objectives:
                key = (section.lesson_id, objective.id or objective.text)
                if key not in seen and objective.text.strip() and not any(artefacts(objective.text)):
                    seen[key] = (objective, [s for s in self.sections if s.lesson_id == section.lesson_id])
        return list(seen.values())

    def ranked_objectives(self) -> list[tuple[Objective, list[Section], float]]:
        """The candidate objectives with their lesson's sections and a relevance score, most relevant first."""
        candidates = self.candidate_objectives()
        if not candidates:
            return []
        vectors = self.answerer.vectors
        similarity = vectors([o.text for o, _ in candidates]) @ vectors.query(self.query)
        own_terms = [set(terms(o.text)) for o, _ in candidates]
        weight = {t: math.log(1 + len(candidates) / (0.5 + sum(t in own for own in own_terms))) for t in self.topic_terms}
        total = sum(weight.values()) or 1.0
        scored = []
        for n, ((objective, lesson_sections), own, cosine) in enumerate(zip(candidates, own_terms, similarity)):
            share = sum(weight[t] for t in self.topic_terms & own) / total
            support = max(_overlap(own, s.terms) / (1 + 0.25 * s.rank) for s in lesson_sections)
            score = float(cosine) + TOPIC_TERM_WEIGHT * share + SECTION_SUPPORT_WEIGHT * support
            scored.append((-score, n, objective, lesson_sections))
        return [
            (objective, sections, -negative) for negative, _, objective, sections in sorted(scored, key=lambda item: item[:2])
        ]

    def fallback_objectives(self, count: int) -> list[tuple[Objective, list[Section], float]]:
        """For lessons whose front matter names no objectives: one per top section, at the requested levels."""
        levels = [bloom_level(b) for b in self.request.bloom_levels] or ["understand"]
        out = []
        for n, section in enumerate(self.sections[:count]):
            level = levels[n % len(levels)]
            text = self.patterns.levels[level].objective.fill(
                self.lang, topic=self.subject, section=section.title, lesson=section.lesson
            )
            out.append((Objective(id=f"built-{n + 1}", text=text, bloom=level), [section], 0.0))
        return out

    # ------------------------------------------------------------------ activities
    def serving_section(self, objective: Objective, lesson_sections: list[Section], used: set[int]) -> Section:
        """The section of the objective's lesson that names most of its terms (rare ones weigh more: a
        lesson's words are in all its sections), on the topic, well ranked, and not serving another yet."""
        own = set(terms(objective.text))
        weight = {t: math.log(1 + len(self.sections) / (0.5 + sum(t in s.terms for s in self.sections))) for t in own}
        total = sum(weight.values()) or 1.0

        def score(section: Section) -> float:
            return (
                sum(weight[t] for t in own & section.terms) / total
                + 0.3 * _overlap(self.topic_terms, section.terms)
                + 0.2 / (1 + section.rank)
                - (USED_SECTION_PENALTY if id(section) in used else 0.0)
            )

        return max(lesson_sections, key=lambda s: (score(s), -s.rank))

    def plan_activity(
        self, objective: Objective, section: Section, used_patterns: set[int], used_quotes: set[str], descriptions: list[str]
    ) -> tuple[Planned, Pattern] | None:
        """The activity for ``objective`` on ``section``: the first pattern of its level not used yet whose
        description says something other than ``descriptions``; None when every one repeats."""
        level = self.patterns.levels[bloom_level(objective.bloom)]
        fitting = [p for p in level.activities if section.example or not p.needs_example]
        ordered = [p for p in fitting if id(p) not in used_patterns] + [p for p in fitting if id(p) in used_patterns]
        quoted = self.key_sentences(section, f"{self.query} {objective.text}", used_quotes | {section.example})
        quote = self.in_order(section, quoted)
        for pattern in ordered:
            values = dict(topic=self.subject, section=section.title, lesson=section.lesson, quote=quote, example=section.example)
            description = pattern.description.fill(self.lang, **values)
            if all(near_duplicate(description, other) < NEAR_DUPLICATE and description != other for other in descriptions):
                return Planned(
                    objective,
                    section,
                    pattern.title.fill(self.lang, **values),
                    description,
                    quote,
                    best=quoted[0],
                    used=set(quoted),
                ), pattern
        return None

    def planned_activities(self) -> list[Planned]:
        """One activity for each of the two or three objectives closest to the topic, lower Bloom levels first."""
        wanted = objectives_for(self.request.duration_minutes)
        planned = self._plan_for(self.ranked_objectives(), wanted) or self._plan_for(self.fallback_objectives(wanted), wanted)
        if not planned:
            raise NotCovered("studio_err_not_covered", topic=self.query[:80])
        order = {level: n for n, level in enumerate(BLOOM_LEVELS)}
        return sorted(planned, key=lambda p: (order[bloom_level(p.objective.bloom)], p.rank))

    def _plan_for(self, candidates: list[tuple[Objective, list[Section], float]], wanted: int) -> list[Planned]:
        planned: list[Planned] = []
        used_sections: set[int] = set()
        used_patterns: set[int] = set()
        used_quotes: set[str] = set()
        for rank, (objective, lesson_sections, score) in enumerate(candidates):
            if len(planned) >= wanted:
                break
            if len(planned) >= MIN_OBJECTIVES and score < candidates[0][2] - EXTRA_OBJECTIVE_WITHIN:
                break
            section = self.serving_section(objective, lesson_sections, used_sections)
            found = self.plan_activity(objective, section, used_patterns, used_quotes, [p.description for p in planned])
            if found is None:
                continue
            activity, pattern = found
            activity.rank = rank
            planned.append(activity)
            used_sections.add(id(section))
            used_patterns.add(id(pattern))
            used_quotes |= activity.used
        return planned

    # ------------------------------------------------------------------ the plan
    def formative_questions(self, cited: list[Section]) -> list[str]:
        """Retrieval questions on the terms the cited sections define (bold in the course; terms of the
        topic first), then on the sections themselves."""
        found: dict[str, tuple[int, int, str]] = {}
        for n, section in enumerate(cited):
            for hit in section.hits:
                for term, _ in bold_definitions(hit.chunk.text):
                    term = _name(term)
                    if term and term.casefold() not in found:
                        on_topic = 0 if self.topic_terms & set(terms(term)) else 1
                        found[term.casefold()] = (on_topic, n, term)
        chosen = [term for _, _, term in sorted(found.values(), key=lambda f: f[:2])][:FORMATIVE_QUESTIONS]
        questions = [self.patterns.term_question.fill(self.lang, term=term) for term in chosen]
        for section in cited[: FORMATIVE_QUESTIONS - len(questions)]:
            questions.append(
                self.patterns.section_question.fill(self.lang, topic=self.subject, section=section.title, lesson=section.lesson)
            )
        return questions

    def plan(self, assessment: AssessmentMaker | None) -> LessonPlan:
        planned = self.planned_activities()
        objectives = [
            LearningObjective(id=f"O{n}", text=" ".join(p.objective.text.split()), bloom=bloom_level(p.objective.bloom))
            for n, p in enumerate(planned, 1)
        ]
        ids = [o.id for o in objectives]
        sections = list({id(p.section): p.section for p in planned}.values())
        opening_section, opening_quote = self.topic_sentence(sections)
        cited = [opening_section] + [s for s in sections if s is not opening_section]
        # A material's description is its section's best sentence: the opening's, else its first activity's.
        key_sentence = {id(opening_section): opening_quote}
        for p in planned:
            key_sentence.setdefault(id(p.section), p.best)

        minutes = suggested_minutes(self.request.duration_minutes, len(planned))
        opening = self._values(opening_section, opening_quote)
        activities = [
            Activity(
                title=self.patterns.opening.title.fill(self.lang, **opening),
                minutes=minutes[0],
                description=self.patterns.opening.description.fill(self.lang, **opening),
                objective_ids=ids,
                chunk_ids=opening_section.chunk_ids,
            )
        ]
        activities += [
            Activity(title=p.title, minutes=m, description=p.description, objective_ids=[oid], chunk_ids=p.section.chunk_ids)
            for p, m, oid in zip(planned, minutes[1:], ids)
        ]
        activities.append(
            Activity(
                title=self.patterns.closing.title.fill(self.lang, **opening),
                minutes=minutes[-1],
                description=self.patterns.closing.description.fill(self.lang, **opening),
                objective_ids=ids,
                chunk_ids=[],
            )
        )
        materials = [
            Material(
                title=f"{s.lesson} › {s.title}" if s.title != s.lesson else s.title,
                description=key_sentence[id(s)],
                chunk_ids=s.chunk_ids,
            )
            for s in cited
        ]

        questions = [q.strip() for q in (assessment(self.request, self.sources) if assessment else []) if q and q.strip()]
        questions = questions or self.formative_questions(cited)
        first, last = planned[0], planned[-1]
        practice = next((p for p in planned if bloom_level(p.objective.bloom) == "apply"), last)
        return LessonPlan(
            title=self.patterns.title.fill(self.lang, topic=self.subject),
            course=self.request.course or "",
            topic=self.query,
            audience=self.request.audience,
            duration_minutes=self.request.duration_minutes,
            language=self.lang,
            objectives=objectives,
            prerequisites=[],
            materials=materials,
            activities=activities,
            formative_assessment=self.patterns.assessment_lead.fill(self.lang, questions=_numbered(questions, self.lang)),
            support_weaker=self.patterns.support_weaker.fill(self.lang, **self._values(first.section, first.quote)),
            challenge_stronger=self.patterns.challenge_stronger.fill(self.lang, **self._values(last.section, last.quote)),
            homework=self.patterns.homework.fill(self.lang, **self._values(practice.section, practice.best)),
            grounded=True,
            model=BUILT_LABEL,
        )

    def _values(self, section: Section, quote: str) -> dict[str, str]:
        return dict(topic=self.subject, section=section.title, lesson=section.lesson, quote=quote)


def _numbered(questions: list[str], lang: str) -> str:
    """The questions in one paragraph, numbered so they read as separate items: "(1) ... (2) ..."."""
    if lang == "zh":
        return "".join(f"（{n}）{q}" for n, q in enumerate(questions, 1))
    return " ".join(f"({n}) {q}" for n, q in enumerate(questions, 1))


def build_plan(
    request: StudioRequest,
    retriever,
    *,
    max_passages: int = 6,
    progress: StepReporter | None = None,
    assessment: AssessmentMaker | None = None,
    answerer: ExtractiveAnswerer | None = None,
) -> Generated:
    """A lesson plan assembled from the course text, checked like a model-written one.

    ``assessment(request, sources)`` may supply the formative questions (e.g. the quiz builder's items);
    ``answerer`` may share an existing sentence-vector cache. Raises StudioInputError for a bad request and
    NotCovered when the course does not cover the topic (a built plan needs course text, even when the
    educator accepted a plan without citations).
    """
    started = time.perf_counter()
    step = progress or (lambda name: None)
    request = request.validated()
    step("retrieving")
    sources = gather_sources(retriever, request, PASSAGE_BUDGET_TOKENS, max_passages)
    if not sources.grounded:
        raise NotCovered("studio_err_not_covered", topic=sources.query[:80])
    sources = same_language(sources, request.language, PASSAGE_BUDGET_TOKENS)
    step("drafting")
    answerer = answerer or ExtractiveAnswerer(
        retriever.index.embedder, retriever.bilingual, Path(retriever.settings.home) / "cache"
    )
    plan = _Builder(request, sources, answerer, load_patterns()).plan(assessment)
    step("checking")
    passages = {h.chunk.id: h.chunk for h in sources.passages}
    checks = check_plan(plan, passages, course_languages=cited_languages(sources, request.language))
    return Generated(
        document=plan, checks=checks, first_try=True, attempts=0, seconds=time.perf_counter() - started, sources=sources
    )
