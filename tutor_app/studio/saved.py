"""Saved lesson plans and quizzes: versions, listing, duplicating, deleting.

Every educator-facing method takes the signed-in ``owner_id`` and touches only
that educator's documents; someone else's id raises the same ``NotFound`` as a
missing one. Each save writes one whole version in one transaction, so a
cancelled or failed generation never leaves half a document behind.
``course_quizzes`` and ``load_quiz`` are the read-only, not owner-scoped view
that learners' practice uses (quizzes are shared with the course's students).

This module stores documents; it does not generate (``plan_writer``, ``quiz_writer``, ``plan_builder``, ``quiz_builder``),
check (``checks``) or export (``export``) them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import delete, select

from tutor_app.core.database import Database, StudioDocument, StudioVersion, utcnow
from tutor_app.core.errors import TutorError
from tutor_app.core.schemas import LessonPlan, Quiz

Kind = Literal["plan", "quiz"]
_MODELS = {"plan": LessonPlan, "quiz": Quiz}


class NotFound(TutorError):
    """No such lesson plan or quiz among the signed-in educator's own."""


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    kind: Kind
    course: str
    title: str
    latest_version: int
    updated_at: datetime


def kind_of(document: LessonPlan | Quiz) -> Kind:
    return "plan" if isinstance(document, LessonPlan) else "quiz"


def _info(row: StudioDocument) -> DocumentInfo:
    return DocumentInfo(row.id, row.kind, row.course, row.title, row.latest_version, row.updated_at)  # type: ignore[arg-type]


def _title(document: LessonPlan | Quiz) -> str:
    return (document.title or "").strip()[:200] or "Untitled"


def _parse(kind: str, content: str) -> LessonPlan | Quiz:
    try:
        return _MODELS[kind].model_validate_json(content)
    except ValidationError as exc:
        raise TutorError.of("err_saved_unreadable", problems=exc.error_count()) from exc


def _owned(session, owner_id: int, document_id: int) -> StudioDocument:
    row = session.get(StudioDocument, document_id)
    if row is None or row.owner_id != owner_id:
        raise NotFound(f"No lesson plan or quiz number {document_id} is yours.", "Pick one from your saved list.")
    return row


class StudioStore:
    """One educator's saved plans and quizzes, with their version history."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, owner_id: int, document: LessonPlan | Quiz, note: str = "") -> DocumentInfo:
        """Save a new document as version 1."""
        with self.db.session() as s:
            now = utcnow()
            row = StudioDocument(
                owner_id=owner_id,
                kind=kind_of(document),
                course=document.course or "",
                title=_title(document),
                latest_version=1,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            s.add(
                StudioVersion(document_id=row.id, version=1, content=document.model_dump_json(), note=note[:200], created_at=now)
            )
            return _info(row)

    def save_version(self, owner_id: int, document_id: int, document: LessonPlan | Quiz, note: str = "") -> DocumentInfo:
        """Save ``document`` as the next version of an existing one (same kind)."""
        with self.db.session() as s:
            row = _owned(s, owner_id, document_id)
            if row.kind != kind_of(document):
                raise TutorError.of("err_saved_other_kind", number=document_id)
            now = utcnow()
            row.latest_version += 1
            row.title = _title(document)
            row.course = document.course or ""
            row.updated_at = now
            s.add(
                StudioVersion(
                    document_id=row.id,
                    version=row.latest_version,
                    content=document.model_dump_json(),
                    note=note[:200],
                    created_at=now,
                )
            )
            return _info(row)

    def list(self, owner_id: int, kind: Kind | None = None, course: str | None = None) -> list[DocumentInfo]:
        """The owner's documents, most recently changed first."""
        with self.db.session() as s:
            query = select(StudioDocument).where(StudioDocument.owner_id == owner_id)
            if kind:
                query = query.where(StudioDocument.kind == kind)
            if course:
                query = query.where(StudioDocument.course == course)
            query = query.order_by(StudioDocument.updated_at.desc(), StudioDocument.id.desc())
            return [_info(row) for row in s.scalars(query)]

    def info(self, owner_id: int, document_id: int) -> DocumentInfo:
        with self.db.session() as s:
            return _info(_owned(s, owner_id, document_id))

    def load(self, owner_id: int, document_id: int, version: int | None = None) -> LessonPlan | Quiz:
        """The document's latest version, or the given one."""
        with self.db.session() as s:
            row = _owned(s, owner_id, document_id)
            wanted = version or row.latest_version
            content = s.scalar(
                select(StudioVersion.content).where(StudioVersion.document_id == row.id, StudioVersion.version == wanted)
            )
            if content is None:
                raise NotFound(f"Document {document_id} has no version {wanted}.", "Pick a version from its history.")
            return _parse(row.kind, content)

    def versions(self, owner_id: int, document_id: int) -> list[tuple[int, datetime, str]]:
        """(version, saved at, note), newest first."""
        with self.db.session() as s:
            row = _owned(s, owner_id, document_id)
            query = (
                select(StudioVersion.version, StudioVersion.created_at, StudioVersion.note)
                .where(StudioVersion.document_id == row.id)
                .order_by(StudioVersion.version.desc())
            )
            return [tuple(r) for r in s.execute(query)]  # type: ignore[misc]

    def duplicate(self, owner_id: int, document_id: int, title_suffix: str = " (copy)") -> DocumentInfo:
        """A new document whose version 1 is a copy of this one's latest version."""
        document = self.load(owner_id, document_id)
        copy = document.model_copy(update={"title": (document.title + title_suffix)[:200]})
        return self.create(owner_id, copy, note=f"copy of #{document_id}")

    def delete(self, owner_id: int, document_id: int) -> None:
        """Delete the document; the database cascades to its versions."""
        with self.db.session() as s:
            gone = s.execute(
                delete(StudioDocument).where(StudioDocument.id == document_id, StudioDocument.owner_id == owner_id)
            ).rowcount
        if not gone:
            raise NotFound(f"No lesson plan or quiz number {document_id} is yours.", "Pick one from your saved list.")


# --- read-only view for learners (the practice and mastery features) --------------------------------


def course_quizzes(db: Database, course: str) -> list[DocumentInfo]:
    """Every saved quiz of a course, whoever wrote it, most recently changed first."""
    with db.session() as s:
        query = (
            select(StudioDocument)
            .where(StudioDocument.kind == "quiz", StudioDocument.course == course)
            .order_by(StudioDocument.updated_at.desc(), StudioDocument.id.desc())
        )
        return [_info(row) for row in s.scalars(query)]


def load_quiz(db: Database, document_id: int) -> Quiz:
    """The latest version of a saved quiz (any owner)."""
    with db.session() as s:
        row = s.get(StudioDocument, document_id)
        if row is None or row.kind != "quiz":
            raise NotFound(f"No quiz number {document_id}.", "Pick a quiz from the course's list.")
        content = s.scalar(
            select(StudioVersion.content).where(StudioVersion.document_id == row.id, StudioVersion.version == row.latest_version)
        )
        return _parse("quiz", content)  # type: ignore[return-value]
