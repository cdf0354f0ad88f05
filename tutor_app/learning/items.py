"""Practice items: one question with its key, from an educator's exercise, a saved quiz, or the lesson itself.

Every item has a stable ``ref`` so a practice run and the review queue can
store it and find it again later: ``ex:<id>`` (an exercise with an answer key),
``quiz:<document>:<hash of the question text>`` (a question of a saved quiz;
the hash, not the position, so reordering a quiz does not mix answers up), and
``gen:<chunk id>:<n>`` (a fill-in-the-blank question made, without a model,
from the n-th **bold term** the lesson defines). ``resolve`` returns ``None``
for an item whose exercise or quiz question was deleted; callers skip it.
This module does not grade or schedule anything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select

from tutor_app.core.database import Database, Exercise, User
from tutor_app.core.errors import InputError
from tutor_app.engine.search.index import where_filter
from tutor_app.engine.sentences import bold_definitions
from tutor_app.learning.catalog import Catalog

MAX_QUESTION = 2000
MAX_KEY = 4000


@dataclass
class Item:
    ref: str
    kind: str  # multiple_choice, true_false or short_answer
    question: str
    answer: str
    course: str = ""
    lesson_id: str = ""
    objective_id: str = ""
    options: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    explanation: str = ""
    chunk_id: str = ""
    source: str = ""  # exercise, quiz or generated
    lang: str = "en"


# --------------------------------------------------------------------------- educator exercises


def add_exercise(
    db: Database,
    owner: User,
    course: str,
    question: str,
    answer_key: str,
    lesson_id: str = "",
    objective_id: str = "",
    hints: list[str] | None = None,
    language: str = "en",
) -> tuple[int, list[str]]:
    """Store an exercise with its answer key; returns its id and notices for the educator."""
    if owner.role not in ("educator", "administrator"):
        raise InputError.of("err_exercise_role")
    question, answer_key = (question or "").strip(), (answer_key or "").strip()
    if not question or not answer_key:
        raise InputError.of("err_exercise_empty")
    if len(question) > MAX_QUESTION or len(answer_key) > MAX_KEY:
        raise InputError.of("err_exercise_long", question=MAX_QUESTION, key=MAX_KEY)
    notices = []
    if len(answer_key) > len(question):
        # Allowed (keys are often fuller than questions), but the guard then blocks more phrasings.
        notices.append("key_longer")
    clean_hints = [h.strip() for h in (hints or []) if h and h.strip()][:6]
    with db.session() as s:
        row = Exercise(
            owner_id=owner.id,
            course=course or "",
            lesson_id=lesson_id or "",
            objective_id=objective_id or "",
            question=question,
            answer_key=answer_key,
            hints=json.dumps(clean_hints, ensure_ascii=False),
            language=language if language in ("en", "zh") else "en",
        )
        s.add(row)
        s.flush()
        return row.id, notices


def delete_exercise(db: Database, owner: User, exercise_id: int) -> None:
    with db.session() as s:
        row = s.get(Exercise, exercise_id)
        if row is None or (row.owner_id != owner.id and owner.role != "administrator"):
            raise InputError.of("err_exercise_not_yours", number=exercise_id)
        s.delete(row)


def _exercise_item(row: Exercise) -> Item:
    try:
        hints = [str(h) for h in json.loads(row.hints or "[]")]
    except ValueError:
        hints = []
    return Item(
        f"ex:{row.id}",
        "short_answer",
        row.question,
        row.answer_key,
        row.course,
        row.lesson_id,
        row.objective_id,
        hints=hints,
        source="exercise",
        lang=row.language,
    )


def exercises(db: Database, course: str, lesson_id: str | None = None) -> list[Item]:
    with db.session() as s:
        query = select(Exercise).where(Exercise.course == course).order_by(Exercise.lesson_id, Exercise.id)
        if lesson_id:
            query = query.where(Exercise.lesson_id == lesson_id)
        return [_exercise_item(row) for row in s.scalars(query)]


def in_language_first(items: list[Item], lang: str) -> list[Item]:
    """The items in the learner's language first, each group in its own order (a course may hold both languages)."""
    return sorted(items, key=lambda item: item.lang != lang)


# --------------------------------------------------------------------------- saved quizzes (educator studio)


def _question_hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:10]


def quiz_items(db: Database, index, catalog: Catalog, course: str, lesson_id: str | None = None) -> list[Item]:
    """Questions of the course's saved quizzes (of one lesson when given)."""
    try:
        from tutor_app.studio.saved import course_quizzes
    except ImportError:  # the studio is an optional part
        return []
    out: list[Item] = []
    for info in course_quizzes(db, course):
        out.extend(
            item for item in _quiz_document_items(db, index, catalog, info.id) if not lesson_id or item.lesson_id == lesson_id
        )
    return out


def _quiz_document_items(db: Database, index, catalog: Catalog, document_id: int) -> list[Item]:
    from tutor_app.studio.saved import NotFound, load_quiz

    try:
        quiz = load_quiz(db, document_id)
    except NotFound:
        return []
    objective_texts = {o.id: o.text for o in quiz.objectives}
    chunks = {c.id: c for c in index.get([q.chunk_id for q in quiz.questions if q.chunk_id])[0]} if index else {}
    items = []
    for q in quiz.questions:
        chunk = chunks.get(q.chunk_id)
        lesson_id = chunk.lesson_id if chunk else ""
        objective = catalog.best_objective(objective_texts.get(q.objective_id, "") + " " + q.question, lesson_id)
        lesson_id = lesson_id or (catalog.lesson_of(objective).lesson_id if catalog.lesson_of(objective) else "")
        items.append(
            Item(
                f"quiz:{document_id}:{_question_hash(q.question)}",
                q.kind,
                q.question,
                q.answer,
                quiz.course,
                lesson_id,
                objective,
                options=list(q.options),
                explanation=q.explanation,
                chunk_id=q.chunk_id,
                source="quiz",
                lang=quiz.language,
            )
        )
    return items


# --------------------------------------------------------------------------- generated from the lesson


def generated_items(index, catalog: Catalog, course: str, lesson_id: str, lang: str, limit: int = 5) -> list[Item]:
    """Fill-in-the-blank questions from the lesson's bold-term definitions (no model needed)."""
    chunks = [c for batch in index.iter_chunks(where_filter(course, lang, [lesson_id])) for c in batch]
    if not chunks:
        chunks = [c for batch in index.iter_chunks(where_filter(course, lessons=[lesson_id])) for c in batch]
    chunks.sort(key=lambda c: c.position)
    items: list[Item] = []
    for chunk in chunks:
        for n, (term, sentence) in enumerate(bold_definitions(chunk.text)):
            items.append(_generated(chunk, n, term, sentence, catalog))
            if len(items) >= limit:
                return items
    return items


def _generated(chunk, n: int, term: str, sentence: str, catalog: Catalog) -> Item:
    prompt = ("填空：" if chunk.lang == "zh" else "Fill in the blank: ") + sentence
    return Item(
        f"gen:{chunk.id}:{n}",
        "short_answer",
        prompt,
        term,
        chunk.course,
        chunk.lesson_id,
        catalog.best_objective(sentence, chunk.lesson_id),
        chunk_id=chunk.id,
        source="generated",
        lang=chunk.lang,
    )


# --------------------------------------------------------------------------- finding an item again


def resolve(db: Database, index, catalog: Catalog, ref: str) -> Item | None:
    """The item behind ``ref`` as it is now, or ``None`` if it was deleted."""
    kind, _, rest = ref.partition(":")
    if kind == "ex" and rest.isdigit():
        with db.session() as s:
            row = s.get(Exercise, int(rest))
            return _exercise_item(row) if row is not None else None
    if kind == "quiz":
        document, _, digest = rest.partition(":")
        if not document.isdigit():
            return None
        return next((i for i in _quiz_document_items(db, index, catalog, int(document)) if i.ref == ref), None)
    if kind == "gen":
        chunk_id, _, n = rest.rpartition(":")
        chunks, _ = index.get([chunk_id])
        if not chunks or not n.isdigit():
            return None
        found = bold_definitions(chunks[0].text)
        if int(n) >= len(found):
            return None
        return _generated(chunks[0], int(n), *found[int(n)], catalog)
    return None
