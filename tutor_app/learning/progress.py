"""Mastery per learning objective: recorded from graded answers, shown, and turned into a recommendation.

``record_answer`` applies one BKT update to the objective's mastery and logs
the graded answer. ``student_progress`` lists every objective of a course with
its mastery (the BKT prior when never practised); ``recommend`` picks the
least-mastered objective whose prerequisites are met (every objective of the
lesson before it reaches ``READY``), earliest lesson first on ties.
``class_heatmap`` and ``needs_help`` give an educator their class. Every reader
of a learner's data takes the viewer: ``check_viewer`` lets through the learner
themself, an educator of one of their classes and an administrator, and raises
``InputError`` for anyone else.
This module does not grade answers or draw charts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tutor_app.accounts.classes import members, visible_students
from tutor_app.core.database import Database, GradedAnswer, Mastery, User, utcnow
from tutor_app.core.errors import InputError
from tutor_app.learning.bkt import DEFAULT, MASTERED, BKTParams, update
from tutor_app.learning.catalog import Catalog

READY = 0.6  # a prerequisite lesson counts as met when each of its objectives reaches this
STRUGGLING = 0.4  # below this after at least MIN_EVIDENCE answers, a student needs help
MIN_EVIDENCE = 2


@dataclass
class ObjectiveProgress:
    objective_id: str
    lesson_id: str
    text: str
    mastery: float
    attempts: int
    correct: int

    @property
    def mastered(self) -> bool:
        return self.mastery >= MASTERED


def record_answer(
    db: Database,
    user_id: int,
    course: str,
    objective_id: str,
    correct: bool,
    score: float = 0.0,
    item_ref: str = "",
    lesson_id: str = "",
    answer: str = "",
    params: BKTParams = DEFAULT,
) -> tuple[float, float]:
    """Log one graded answer and update mastery; returns (mastery before, mastery after)."""
    with db.session() as s:
        row = s.scalar(
            select(Mastery).where(Mastery.user_id == user_id, Mastery.course == course, Mastery.objective_id == objective_id)
        )
        if row is None:
            row = Mastery(user_id=user_id, course=course, objective_id=objective_id, p_known=params.prior, attempts=0, correct=0)
            s.add(row)
        before = row.p_known
        row.p_known = update(before, correct, params)
        row.attempts += 1
        row.correct += int(correct)
        row.updated_at = utcnow()
        s.add(
            GradedAnswer(
                user_id=user_id,
                course=course,
                lesson_id=lesson_id,
                objective_id=objective_id,
                item_ref=item_ref[:200],
                correct=correct,
                score=score,
                answer=answer[:4000],
                mastery_after=row.p_known,
            )
        )
        return before, row.p_known


def _mastery_rows(db: Database, user_ids: set[int], course: str) -> dict[tuple[int, str], Mastery]:
    with db.session() as s:
        rows = s.scalars(select(Mastery).where(Mastery.user_id.in_(user_ids), Mastery.course == course))
        return {(r.user_id, r.objective_id): r for r in rows}


def check_viewer(db: Database, viewer: User, student_id: int) -> None:
    """Raise unless ``viewer`` is the student, an educator of one of their classes, or an administrator."""
    if viewer.id != student_id and student_id not in visible_students(db, viewer):
        raise InputError.of("err_progress_not_visible", number=student_id)


def student_progress(
    db: Database,
    catalog: Catalog,
    viewer: User,
    student_id: int | None = None,
    lang: str = "en",
    params: BKTParams = DEFAULT,
) -> list[ObjectiveProgress]:
    """Every objective of the course with the student's mastery (the viewer's own when no student is named)."""
    user_id = viewer.id if student_id is None else student_id
    check_viewer(db, viewer, user_id)
    rows = _mastery_rows(db, {user_id}, catalog.course)
    out = []
    for lesson in catalog.lessons:
        for oid in lesson.objectives:
            row = rows.get((user_id, oid))
            out.append(
                ObjectiveProgress(
                    oid,
                    lesson.lesson_id,
                    catalog.objective_text(oid, lang),
                    row.p_known if row else params.prior,
                    row.attempts if row else 0,
                    row.correct if row else 0,
                )
            )
    return out


def recommend(catalog: Catalog, progress: list[ObjectiveProgress]) -> ObjectiveProgress | None:
    """The least-mastered objective whose prerequisite lessons are met; None when all are mastered."""
    by_lesson: dict[str, list[ObjectiveProgress]] = {}
    for item in progress:
        by_lesson.setdefault(item.lesson_id, []).append(item)
    order = {lesson.lesson_id: n for n, lesson in enumerate(catalog.lessons)}

    def ready(lesson_id: str) -> bool:
        lesson = catalog.lesson(lesson_id)
        return all(p.mastery >= READY for pre in (lesson.prerequisites if lesson else []) for p in by_lesson.get(pre, []))

    open_items = [p for p in progress if not p.mastered and ready(p.lesson_id)]
    if not open_items:
        return None
    return min(open_items, key=lambda p: (round(p.mastery, 6), order.get(p.lesson_id, 0), p.objective_id))


@dataclass
class Heatmap:
    students: list[User]
    objectives: list[str]
    mastery: dict[tuple[int, str], float]  # (student id, objective id) -> mastery
    attempts: dict[tuple[int, str], int]


def class_heatmap(db: Database, viewer: User, class_id: int, catalog: Catalog, params: BKTParams = DEFAULT) -> Heatmap:
    """Mastery of every member of the viewer's class on every objective of the course."""
    students = members(db, viewer, class_id)  # raises unless the class is the viewer's
    allowed = visible_students(db, viewer)
    students = [s for s in students if s.id in allowed]
    rows = _mastery_rows(db, {s.id for s in students}, catalog.course)
    objectives = catalog.objective_ids()
    mastery, attempts = {}, {}
    for student in students:
        for oid in objectives:
            row = rows.get((student.id, oid))
            mastery[(student.id, oid)] = row.p_known if row else params.prior
            attempts[(student.id, oid)] = row.attempts if row else 0
    return Heatmap(students, objectives, mastery, attempts)


def needs_help(heatmap: Heatmap) -> list[tuple[User, str, float]]:
    """(student, objective, mastery) where a student keeps getting an objective wrong, weakest first."""
    out = [
        (student, oid, heatmap.mastery[(student.id, oid)])
        for student in heatmap.students
        for oid in heatmap.objectives
        if heatmap.attempts[(student.id, oid)] >= MIN_EVIDENCE and heatmap.mastery[(student.id, oid)] < STRUGGLING
    ]
    return sorted(out, key=lambda row: (row[2], row[0].username, row[1]))
