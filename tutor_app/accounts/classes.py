"""Classes: an educator's named group of students, and who may see whose progress.

An educator creates classes and adds students by username; an administrator
may see every class. ``visible_students`` is the one rule for progress views:
a student sees only themself, an educator the members of their own classes.
This module stores memberships only; ``progress`` computes what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tutor_app.accounts.users import normalize_username
from tutor_app.core.database import ClassMember, Classroom, Database, User
from tutor_app.core.errors import InputError, TutorError


class ClassNotFound(TutorError):
    """No such class among the signed-in educator's own."""


@dataclass(frozen=True)
class ClassInfo:
    id: int
    name: str
    course: str
    educator_id: int
    size: int


def _owned(s, viewer: User, class_id: int) -> Classroom:
    row = s.get(Classroom, class_id)
    if row is None or (viewer.role != "administrator" and row.educator_id != viewer.id):
        raise ClassNotFound(f"No class number {class_id} is yours.", "Pick one of your classes from the list.")
    return row


def create_class(db: Database, educator: User, name: str, course: str = "") -> ClassInfo:
    name = " ".join((name or "").split())[:100]
    if educator.role not in ("educator", "administrator"):
        raise InputError.of("err_class_role")
    if not name:
        raise InputError.of("err_class_name")
    with db.session() as s:
        row = Classroom(name=name, educator_id=educator.id, course=course or "")
        s.add(row)
        s.flush()
        return ClassInfo(row.id, row.name, row.course, row.educator_id, 0)


def list_classes(db: Database, viewer: User) -> list[ClassInfo]:
    """The viewer's own classes (an administrator: all of them)."""
    with db.session() as s:
        query = select(Classroom).order_by(Classroom.name, Classroom.id)
        if viewer.role != "administrator":
            query = query.where(Classroom.educator_id == viewer.id)
        rows = list(s.scalars(query))
        sizes = {r.id: len(list(s.scalars(select(ClassMember.id).where(ClassMember.class_id == r.id)))) for r in rows}
        return [ClassInfo(r.id, r.name, r.course, r.educator_id, sizes[r.id]) for r in rows]


def add_student(db: Database, viewer: User, class_id: int, username: str) -> User:
    with db.session() as s:
        _owned(s, viewer, class_id)
        student = s.scalar(select(User).where(User.username == normalize_username(username)))
        if student is None or student.role != "student":
            raise InputError.of("err_no_student", username=username)
        try:
            with s.begin_nested():
                s.add(ClassMember(class_id=class_id, student_id=student.id))
        except IntegrityError:
            pass  # already a member: adding twice changes nothing
        return student


def members(db: Database, viewer: User, class_id: int) -> list[User]:
    with db.session() as s:
        _owned(s, viewer, class_id)
        query = (
            select(User)
            .join(ClassMember, ClassMember.student_id == User.id)
            .where(ClassMember.class_id == class_id)
            .order_by(User.username)
        )
        return list(s.scalars(query))


def visible_students(db: Database, viewer: User) -> set[int]:
    """Whose progress ``viewer`` may see."""
    if viewer.role == "student":
        return {viewer.id}
    with db.session() as s:
        query = select(ClassMember.student_id).join(Classroom, Classroom.id == ClassMember.class_id)
        if viewer.role != "administrator":
            query = query.where(Classroom.educator_id == viewer.id)
        return set(s.scalars(query)) | {viewer.id}
