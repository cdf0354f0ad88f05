"""Practice a lesson: pick questions, grade answers, cite the lesson, update mastery, schedule reviews.

A run stores the refs of its questions (``items``), so it survives a reload; a
question deleted after the run began (its quiz edited or removed) is skipped
with a count the page reports. Every graded answer updates the objective's BKT
mastery (``progress``); a wrong answer puts the question in the review queue,
and every later answer to it reschedules it with SM-2 (``scheduler``).
Feedback cites the lesson passage that holds the answer; the expected answer
is shown only after a right answer (``Feedback.reveal``), whoever wrote the
question: a question made from the lesson text may share its key with an
educator's exercise, so practice is no way around the coach's guard, and a
wrong guess earns the lesson section to re-read, never the key. A learner may check one question at most
``ATTEMPT_LIMIT`` times in ``ATTEMPT_WINDOW`` (``check_attempt_rate``, counted
from the graded answers in the database, so a reload does not reset it), which
keeps the grader from serving as an oracle to probe with many variants.
This module does not draw anything and calls no language model.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tutor_app.core.database import Database, GradedAnswer, PracticeRun, ReviewItem, User, as_utc
from tutor_app.core.errors import InputError, TutorError
from tutor_app.learning.catalog import Catalog, build_catalog
from tutor_app.learning.grading import Grade, grade_choice, grade_short
from tutor_app.learning.items import Item, exercises, generated_items, quiz_items, resolve
from tutor_app.learning.progress import record_answer
from tutor_app.learning.scheduler import ReviewState, next_due, quality_from_grade, review

MAX_ANSWER = 2000
RUN_LENGTH = 5
CATALOG_TTL_S = 60.0  # a course re-ingested while the app runs shows up within a minute
ATTEMPT_LIMIT = 5  # checks of one question by one learner ...
ATTEMPT_WINDOW = timedelta(minutes=10)  # ... within this long


def check_attempt_rate(db: Database, user_id: int, item_ref: str, now: datetime | None = None) -> None:
    """Raise ``InputError`` (saying when to try again) when the learner checked this question too often lately."""
    moment = as_utc(now)
    with db.session() as s:
        since = moment - ATTEMPT_WINDOW
        recent = (GradedAnswer.user_id == user_id, GradedAnswer.item_ref == item_ref[:200], GradedAnswer.created_at > since)
        count = s.scalar(select(func.count()).where(*recent)) or 0
        if count < ATTEMPT_LIMIT:
            return
        times = s.scalars(select(GradedAnswer.created_at).where(*recent).order_by(GradedAnswer.created_at.desc())).all()
    free_at = times[ATTEMPT_LIMIT - 1] + ATTEMPT_WINDOW  # when the window holds one check fewer than the limit
    wait = max(1, math.ceil((free_at - moment).total_seconds() / 60))
    minutes = int(ATTEMPT_WINDOW.total_seconds() // 60)
    raise InputError.of("err_attempts_too_often", limit=ATTEMPT_LIMIT, window=minutes, wait=wait)


class RunNotFound(TutorError):
    """No such practice run for this learner."""


@dataclass
class LessonCitation:
    title: str
    heading: str
    source: str
    text: str


@dataclass
class Feedback:
    item: Item
    grade: Grade
    citation: LessonCitation | None
    mastery_before: float
    mastery_after: float
    review_due: datetime | None = None  # when the question comes back (None: it is not in the review queue)

    @property
    def reveal(self) -> bool:
        """Whether the expected answer may be shown: only once answered right, for every kind of question.

        A generated question's key is a term of the lesson that may also be an educator's key (which the coach
        guards), so a wrong answer gets the cited section instead; showing the key then would reward guessing.
        """
        return self.grade.correct


@dataclass
class Step:
    """Where a run stands: the question to answer now (None when finished)."""

    item: Item | None
    position: int
    total: int
    correct: int
    skipped: int = 0  # questions deleted since the run began, skipped on the way here
    notices: list[str] = field(default_factory=list)


class Practice:
    def __init__(self, db: Database, index, retriever=None, bilingual=None) -> None:
        self.db = db
        self.index = index
        self.retriever = retriever
        self.bilingual = bilingual
        self._catalogs: dict[str, tuple[float, Catalog]] = {}

    def catalog(self, course: str) -> Catalog:
        built, catalog = self._catalogs.get(course, (0.0, None))
        if catalog is None or time.monotonic() - built > CATALOG_TTL_S:
            catalog = build_catalog(self.index, course)
            self._catalogs[course] = (time.monotonic(), catalog)
        return catalog

    # ------------------------------------------------------------------ choosing questions
    def items_for(self, course: str, lesson_id: str, lang: str, limit: int = RUN_LENGTH) -> list[Item]:
        """The educator's exercises and quiz questions for the lesson, topped up with generated ones.

        Only those in the learner's language when there are any: the other language's are often the same
        questions translated (the starter exercises are), and asking one twice reads like a mistake.
        A lesson whose questions are all in the other language still gets them."""
        catalog = self.catalog(course)
        educators = exercises(self.db, course, lesson_id) + quiz_items(self.db, self.index, catalog, course, lesson_id)
        chosen = [item for item in educators if item.lang == lang] or educators
        if len(chosen) < limit:
            chosen += generated_items(self.index, catalog, course, lesson_id, lang, limit - len(chosen))
        return chosen[:limit]

    def start(self, user_id: int, course: str, lesson_id: str, lang: str, limit: int = RUN_LENGTH) -> int:
        items = self.items_for(course, lesson_id, lang, limit)
        if not items:
            raise InputError.of("err_practice_none")
        with self.db.session() as s:
            run = PracticeRun(
                user_id=user_id,
                course=course,
                lesson_id=lesson_id,
                items=json.dumps([item.ref for item in items]),
                position=0,
                correct=0,
            )
            s.add(run)
            s.flush()
            return run.id

    def _run(self, s, user_id: int, run_id: int) -> PracticeRun:
        run = s.get(PracticeRun, run_id)
        if run is None or run.user_id != user_id:
            raise RunNotFound(f"No practice run number {run_id} is yours.", "Start a new practice run.")
        return run

    def current(self, user_id: int, run_id: int) -> Step:
        """The run's next answerable question, skipping (and counting) deleted ones."""
        with self.db.session() as s:
            run = self._run(s, user_id, run_id)
            refs = json.loads(run.items or "[]")
            catalog = self.catalog(run.course)
            skipped = 0
            while run.position < len(refs):
                item = resolve(self.db, self.index, catalog, refs[run.position])
                if item is not None:
                    return Step(item, run.position, len(refs), run.correct, skipped)
                skipped += 1
                run.position += 1
            return Step(None, run.position, len(refs), run.correct, skipped)

    # ------------------------------------------------------------------ answering
    def answer(self, user_id: int, run_id: int, text: str, lang: str = "en") -> Feedback:
        step = self.current(user_id, run_id)
        if step.item is None:
            raise InputError.of("err_practice_finished")
        feedback = self.grade_and_record(user_id, step.item, text)
        with self.db.session() as s:
            run = self._run(s, user_id, run_id)
            run.position = step.position + 1
            run.correct += int(feedback.grade.correct)
        return feedback

    def grade(self, item: Item, text: str) -> Grade:
        text = (text or "").strip()
        if not text:
            raise InputError.of("err_answer_empty")
        if len(text) > MAX_ANSWER:
            raise InputError.of("err_answer_long", chars=len(text), limit=MAX_ANSWER)
        if item.kind in ("multiple_choice", "true_false"):
            return grade_choice(text, item.answer, item.options)
        return grade_short(text, item.answer, item.question, self.bilingual)

    def grade_and_record(self, user_id: int, item: Item, text: str, now: datetime | None = None) -> Feedback:
        """Grade, update mastery, and (re)schedule the question for review; the one path for every answer."""
        check_attempt_rate(self.db, user_id, item.ref, now)
        grade = self.grade(item, text)
        objective = item.objective_id or self.catalog(item.course).best_objective(item.question, item.lesson_id) or item.lesson_id
        before, after = record_answer(
            self.db, user_id, item.course, objective, grade.correct, grade.score, item.ref, item.lesson_id, text
        )
        due = self._schedule(user_id, item, grade, as_utc(now))
        return Feedback(item, grade, self.cite(item), before, after, due)

    def _schedule(self, user_id: int, item: Item, grade: Grade, now: datetime) -> datetime | None:
        quality = quality_from_grade(grade.correct, grade.score, grade.empty)
        with self.db.session() as s:
            row = s.scalar(select(ReviewItem).where(ReviewItem.user_id == user_id, ReviewItem.item_ref == item.ref))
            if row is None:
                if grade.correct:
                    return None  # only mistakes enter the review queue
                row = ReviewItem(user_id=user_id, item_ref=item.ref, course=item.course, lesson_id=item.lesson_id)
                s.add(row)
                state = ReviewState()
            else:
                state = ReviewState(row.repetitions, row.interval_days, row.easiness)
            state = review(state, quality)
            row.repetitions, row.interval_days, row.easiness = state.repetitions, state.interval_days, state.easiness
            row.due_at = next_due(state, now)
            row.updated_at = now
            return row.due_at

    def cite(self, item: Item) -> LessonCitation | None:
        """The lesson passage that holds the answer: the question's own chunk, else the best search hit in its lesson."""
        if item.chunk_id:
            chunks, _ = self.index.get([item.chunk_id])
            if chunks:
                c = chunks[0]
                return LessonCitation(c.title, c.heading, c.source, c.text)
        if self.retriever is None:
            return None
        try:
            hits = self.retriever.search(f"{item.question} {item.answer}", course=item.course or None).hits
        except TutorError:
            return None
        same_lesson = [h for h in hits if h.chunk.lesson_id == item.lesson_id] or hits
        if not same_lesson:
            return None
        c = same_lesson[0].chunk
        return LessonCitation(c.title, c.heading, c.source, c.text)

    # ------------------------------------------------------------------ the review queue
    def due_reviews(self, viewer: User, course: str, now: datetime | None = None) -> tuple[list[Item], int]:
        """The viewer's own questions due for review now, and how many were dropped (their question was deleted)."""
        user_id = viewer.id  # a review queue is only ever its learner's: it also drops rows
        moment = as_utc(now)
        catalog = self.catalog(course)
        with self.db.session() as s:
            rows = list(
                s.scalars(
                    select(ReviewItem)
                    .where(ReviewItem.user_id == user_id, ReviewItem.course == course, ReviewItem.due_at <= moment)
                    .order_by(ReviewItem.due_at)
                )
            )
            items, dropped = [], 0
            for row in rows:
                item = resolve(self.db, self.index, catalog, row.item_ref)
                if item is None:
                    s.delete(row)
                    dropped += 1
                else:
                    items.append(item)
            return items, dropped

    def queue_size(self, viewer: User, course: str) -> int:
        """How many questions wait in the viewer's own review queue."""
        user_id = viewer.id
        with self.db.session() as s:
            return len(list(s.scalars(select(ReviewItem.id).where(ReviewItem.user_id == user_id, ReviewItem.course == course))))
