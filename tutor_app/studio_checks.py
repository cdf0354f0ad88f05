"""Deterministic checks on a lesson plan or a quiz, each one shown to the educator.

A check is a pure function of the document and the set of chunk ids that exist
in the index; it returns its problems as message keys with values, so the page
can say them in English or Chinese and the CLI in English. Checks never change
the document (``planner.fit_timings`` is the one offered fix) and never call a
model or the index themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Collection, Iterable

from .i18n import t
from .schemas import LessonPlan, Quiz

PLAN_CHECKS = ("timings", "objectives", "citations")
QUIZ_CHECKS = ("objectives", "duplicate_questions", "duplicate_options", "answer_in_options", "citations")


@dataclass
class CheckResult:
    name: str
    problems: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def messages(self, lang: str = "en") -> list[str]:
        return [t(key, lang, **values) for key, values in self.problems]

    def to_json(self) -> dict:
        return {"check": self.name, "passed": self.passed, "problems": self.messages("en")}


def normalise(text: str) -> str:
    """Text compared for duplicates: case, width, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\W_]+", "", text)


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


def check_plan(plan: LessonPlan, known_chunks: Collection[str]) -> list[CheckResult]:
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
    return [timings, objectives, citations]


def check_quiz(quiz: Quiz, known_chunks: Collection[str]) -> list[CheckResult]:
    objectives = CheckResult("objectives")
    ids = [o.id for o in quiz.objectives]
    used = {q.objective_id for q in quiz.questions}
    for objective in quiz.objectives:
        if objective.id not in used:
            objectives.problems.append(("studio_check_not_assessed", {"objective": f"{objective.id} {objective.text}"}))
    for n, question in enumerate(quiz.questions, 1):
        if question.objective_id not in ids:
            objectives.problems.append(("studio_check_unknown_objective", {"where": f"Q{n}", "objective": question.objective_id or "—"}))

    duplicate_questions = CheckResult("duplicate_questions")
    for text in _duplicates(q.question for q in quiz.questions):
        duplicate_questions.problems.append(("studio_check_duplicate_question", {"question": text}))

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
    return [objectives, duplicate_questions, duplicate_options, answer_in_options, citations]


def check_document(document: LessonPlan | Quiz, known_chunks: Collection[str]) -> list[CheckResult]:
    return check_plan(document, known_chunks) if isinstance(document, LessonPlan) else check_quiz(document, known_chunks)


def cited_chunk_ids(document: LessonPlan | Quiz) -> set[str]:
    """Every chunk id the document cites (to ask the index which exist)."""
    if isinstance(document, LessonPlan):
        ids = [c for m in document.materials for c in m.chunk_ids] + [c for a in document.activities for c in a.chunk_ids]
    else:
        ids = [q.chunk_id for q in document.questions]
    return {i for i in ids if i}
