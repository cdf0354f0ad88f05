"""The app database: tables for accounts, sign-in attempts, chats and feedback.

``open_database(url)`` builds an engine for any SQLAlchemy URL (an SQLite file
by default; PostgreSQL, ``postgresql+psycopg://user:password@host/db``, for
several servers; a plain ``postgresql://`` or ``postgres://`` URL gets that
driver, the one installed) and brings the schema up to date with Alembic, whose revisions
live in ``core/migrations`` (no alembic.ini: the configuration is built here).
A new database is created from the models and stamped with the newest revision.
An older database without Alembic's version table gets the missing tables and
the missing nullable or defaulted columns (the upgrade used before Alembic),
then is stamped the same way. A stamped database runs the revisions it lacks.
One process at a time does this, in one transaction (SQLite's write lock, a
PostgreSQL advisory lock), so servers starting together on a new database all
succeed. A database stamped with a revision this tutor does not know, or with a
higher ``SCHEMA_VERSION``, was written by a newer tutor and is refused. On SQLite
every connection gets WAL mode (readers do not block the writer), foreign keys
(so deletes cascade) and a busy timeout.

Writes wait for each other instead of failing. On SQLite a transaction takes the
write lock with ``BEGIN IMMEDIATE`` just before its first write (reads before it
run without a lock), so the wait happens where the busy timeout applies and
nothing has been written yet; when the timeout runs out, that ``BEGIN IMMEDIATE``
is tried again a few times with exponential backoff and jitter. Only after that
does the caller get a ``StoreError``, whose message never shows the URL, the file
path or SQL (those go to the log). PostgreSQL makes writers wait on row locks
itself; its rare deadlock or serialization failure ends the whole transaction,
which a ``with`` block cannot run again, so there it reads as "busy, try again".
``Database.run_transaction(work)`` can: it runs ``work(session)`` in a new
transaction again, up to ``WRITE_ATTEMPTS`` times with backoff, when the database
ended the last one for a deadlock, a serialization failure or a busy lock. Units
of work that only touch the database (no other side effects) use it: the chat's
message saves do.

Every string written to any database loses its NUL and other C0 control
characters (tab, newline and carriage return stay), in one place for every table
and query (lookups are cleaned alike, so they still match): PostgreSQL refuses
NUL, and none of them belongs in a chat or a name.

This module holds the schema and the connection only. The rules about who may
do what (passwords, rate limits, owner-only chats) live in ``accounts`` and
``conversations``. SQL stays portable: no dialect-specific column types, and
timestamps are naive UTC everywhere.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    true,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateColumn

from tutor_app.core.config import Settings
from tutor_app.core.errors import TutorError

# Raised with each Alembic revision that changes the schema, so that tutors older than the Alembic
# migrations (they read only this number) refuse a database written by a newer one.
SCHEMA_VERSION = 3
MIGRATIONS = Path(__file__).with_name("migrations")
ALEMBIC_TABLE = "tutor_alembic_version"  # not Alembic's default name: a shared database may hold another app's
SCHEMA_LOCK = 0x7475746F72  # PostgreSQL advisory lock key ("tutor") held while the schema is checked or changed
ROLES = ("student", "educator", "administrator")
LANGUAGES = ("en", "zh")
MESSAGE_ROLES = ("user", "assistant")

# SQLite: how long one attempt waits for the write lock (ms), how many attempts, and the first pause between them.
BUSY_TIMEOUT_MS = 5000
WRITE_ATTEMPTS = 4
RETRY_PAUSE = 0.1  # seconds, doubled after each attempt, times a random factor in [0.5, 1.5)

log = logging.getLogger(__name__)
T = TypeVar("T")
_alembic_lock = threading.Lock()  # Alembic's ``context`` proxy is one per process: one thread runs it at a time
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WRITES = ("insert", "update", "delete", "replace")


class StoreError(TutorError):
    """The app database cannot be opened, upgraded or written."""


def utcnow() -> datetime:
    """Naive UTC: the one timestamp form stored, so SQLite and PostgreSQL compare alike."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` as naive UTC (aware values are converted); ``None`` means now."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


class Base(DeclarativeBase):
    pass


# Columns added to a table before the Alembic migrations carry a server default (or are nullable), so
# ``_upgrade_without_alembic`` can add them to a database of that time with ALTER TABLE. Any schema change
# from now on is an Alembic revision in core/migrations/versions (see its package docstring).


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, server_default="student")
    language: Mapped[str] = mapped_column(String(8), nullable=False, server_default="en")
    display_name: Mapped[str] = mapped_column(String(80), nullable=False, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    # Set for accounts that sign in through an identity provider: "<issuer>|<subject>".
    external_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)

    def __repr__(self) -> str:  # never the password hash
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r}, active={self.active!r})"


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, nullable=False)


class AuthSession(Base):
    """A remembered sign-in: the browser keeps the token in a cookie, the table keeps only its SHA-256."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    exercise: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")  # a coach chat's item ref; "" = tutor
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    citations: Mapped[str] = mapped_column(Text, nullable=False, server_default="[]")  # JSON list of dicts
    model: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    grounded: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    complete: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    prompt_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    completion_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    cost_usd: Mapped[float] = mapped_column(Float, nullable=False, server_default=text("0"))
    # How the reply was written: extractive, generative, or a follow-up on an earlier answer ("simpler", ...).
    style: Mapped[str] = mapped_column(String(20), nullable=False, server_default="")
    unsupported: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))  # flagged claims
    hint_level: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a coach reply: rungs given after it
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    @property
    def citation_list(self) -> list[dict]:
        """The stored citations, decoded (an unreadable value reads as none)."""
        try:
            value = json.loads(self.citations or "[]")
        except ValueError:
            return []
        return value if isinstance(value, list) else []


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("message_id", "user_id", name="uq_feedback_message_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    score: Mapped[int] = mapped_column(Integer, nullable=False)  # 0 = thumbs down, 1 = thumbs up
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class StudioDocument(Base):
    """An educator's lesson plan or quiz; its content lives in numbered versions (educator studio)."""

    __tablename__ = "studio_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # "plan" or "quiz"
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="", index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    latest_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class StudioVersion(Base):
    __tablename__ = "studio_versions"
    __table_args__ = (UniqueConstraint("document_id", "version", name="uq_studio_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("studio_documents.id", ondelete="CASCADE"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)  # the LessonPlan or Quiz as JSON
    note: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class CourseRecord(Base):
    """A course in the library (administrator console); it exists before any file is uploaded.

    Deleting a course keeps the row with ``deleted_at`` set, so learners who chatted about it can be told.
    """

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LibraryFile(Base):
    """An uploaded course file's original bytes (kept under TUTOR_HOME/library), so a course can be re-indexed."""

    __tablename__ = "library_files"
    __table_args__ = (UniqueConstraint("course", "source", name="uq_library_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    file_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class CurriculumObjective(Base):
    """A learning objective uploaded for a course (YAML or CSV); lessons' front matter adds more."""

    __tablename__ = "curriculum_objectives"
    __table_args__ = (UniqueConstraint("course", "objective_id", name="uq_curriculum_objective"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    objective_id: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    bloom: Mapped[str] = mapped_column(String(20), nullable=False, server_default="understand")
    position: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")  # `text` is a column name here


class DocumentFlag(Base):
    """A passage of a course document that reads like an instruction to an AI (``engine.ingest.instructions``).

    Kept for the administrator's library page; a document's flags are replaced when it is indexed again and
    deleted with it (or its course).
    """

    __tablename__ = "document_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    heading: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    passage: Mapped[str] = mapped_column(Text, nullable=False)
    pattern: Mapped[str] = mapped_column(Text, nullable=False, server_default="")  # the pattern file's entry it matched
    position: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")  # order in the document
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


# --------------------------------------------------------------------------- personalized learning (issue 6)


class LearnerProfile(Base):
    __tablename__ = "learner_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    level: Mapped[str] = mapped_column(String(20), nullable=False, server_default="beginner")
    language: Mapped[str] = mapped_column(String(8), nullable=False, server_default="en")
    style: Mapped[str] = mapped_column(String(20), nullable=False, server_default="detailed")
    goal: Mapped[str] = mapped_column(String(300), nullable=False, server_default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Classroom(Base):
    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class ClassMember(Base):
    __tablename__ = "class_members"
    __table_args__ = (UniqueConstraint("class_id", "student_id", name="uq_class_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), nullable=False, index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)


class Exercise(Base):
    """An educator's exercise with its answer key (never shown to students; the coach guards it)."""

    __tablename__ = "exercises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    lesson_id: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    objective_id: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    question: Mapped[str] = mapped_column(Text, nullable=False)
    answer_key: Mapped[str] = mapped_column(Text, nullable=False)
    hints: Mapped[str] = mapped_column(Text, nullable=False, server_default="[]")  # JSON list, least to most specific
    language: Mapped[str] = mapped_column(String(8), nullable=False, server_default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class GradedAnswer(Base):
    __tablename__ = "graded_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    lesson_id: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    objective_id: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    item_ref: Mapped[str] = mapped_column(String(200), nullable=False)
    correct: Mapped[bool] = mapped_column(Boolean, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False, server_default=text("0"))
    answer: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    mastery_after: Mapped[float] = mapped_column(Float, nullable=False, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Mastery(Base):
    __tablename__ = "mastery"
    __table_args__ = (UniqueConstraint("user_id", "course", "objective_id", name="uq_mastery"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    objective_id: Mapped[str] = mapped_column(String(200), nullable=False)
    p_known: Mapped[float] = mapped_column(Float, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    correct: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class ReviewItem(Base):
    """A practice question answered wrongly, scheduled for review by SM-2."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("user_id", "item_ref", name="uq_review_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    item_ref: Mapped[str] = mapped_column(String(200), nullable=False)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    lesson_id: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    repetitions: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    interval_days: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    easiness: Mapped[float] = mapped_column(Float, nullable=False, server_default=text("2.5"))
    due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class PracticeRun(Base):
    """One practice session: which questions, in what order, how far the learner got."""

    __tablename__ = "practice_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    lesson_id: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    items: Mapped[str] = mapped_column(Text, nullable=False, server_default="[]")  # JSON list of item refs
    position: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    correct: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class SafetyFlag(Base):
    """A learner's message the safety screen flagged for their educator (``tutoring.safety``).

    Holds who, where and which category, never the message's text: the educator reaches out, the
    learner's words stay theirs. Deleting the conversation keeps the flag.
    """

    __tablename__ = "safety_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    mode: Mapped[str] = mapped_column(String(10), nullable=False, server_default="explain")  # explain or coach
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)
    # Set when an educator or administrator marks the flag as seen (the first one to do so). Nullable, so
    # ``_upgrade_without_alembic`` adds them to an older table (there without the foreign key: ALTER TABLE adds a plain column).
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class PromptVersion(Base):
    """A saved version of a role prompt (the prompt lab's workbench); the YAML in ``prompts/`` is version 0.

    ``content`` is the whole prompt file as YAML, ``examples`` its worked examples as YAML (a list, maybe
    empty). At most one version per prompt is active; with none active the app uses the file.
    """

    __tablename__ = "prompt_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_prompt_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    examples: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    note: Mapped[str] = mapped_column(String(500), nullable=False, server_default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ModelRun(Base):
    """One answer of one model endpoint to one question in the model lab (a compare or a batch run)."""

    __tablename__ = "model_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch: Mapped[str] = mapped_column(String(40), nullable=False, index=True)  # runs made together share it
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    course: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    endpoint: Mapped[str] = mapped_column(String(100), nullable=False)
    model: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    retrieval: Mapped[bool] = mapped_column(Boolean, nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    error: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    first_token_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    total_s: Mapped[float] = mapped_column(Float, nullable=False, server_default=text("0"))
    prompt_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    completion_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: the endpoint has no price set
    citations: Mapped[str] = mapped_column(Text, nullable=False, server_default="[]")  # JSON list
    unsupported: Mapped[str] = mapped_column(Text, nullable=False, server_default="[]")  # JSON list: the claim check
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)


# The style of a stored reply that came from the safety screen, not from the course (kept out of Insights' gaps).
SAFETY_STYLE = "safety"


class SchemaVersion(Base):
    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    applied_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Database:
    """An open app database. Use ``with db.session() as s:`` for one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back if it raises.

        Objects loaded inside stay readable afterwards (their columns are loaded;
        the models have no lazy relationships). Operational failures (locked
        after every retry, read-only or unreachable database) become a ``StoreError``.
        """
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise _operational(exc, self.url) from exc

    def run_transaction(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in one transaction, run again from the start when the database ended it as busy.

        A deadlock or serialization failure (PostgreSQL) or a busy lock (SQLite) ends the whole transaction;
        ``work`` is then called again with a new session, up to ``WRITE_ATTEMPTS`` times in all, after a pause
        that doubles each time (with jitter). So ``work`` must do nothing but database work: objects it made in
        a failed attempt are discarded. Other errors, busy ones inside ``impatient_writes``, and an SQLite
        write lock that ``BEGIN IMMEDIATE`` already waited for on all its attempts, are not retried; the last
        failure becomes a ``StoreError`` as in ``session``.
        """
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._sessions.begin() as session:
                    return work(session)
            except OperationalError as exc:
                if attempt == WRITE_ATTEMPTS or _impatient.get() or not _is_busy(exc) or _lock_waited_out(exc):
                    raise _operational(exc, self.url) from exc
                pause = _backoff(attempt)
                detail = str(exc.orig if exc.orig is not None else exc).splitlines()[0]
                log.warning(
                    "App database busy: transaction ended (%s), attempt %d of %d; running it again in %.2f s",
                    detail,
                    attempt,
                    WRITE_ATTEMPTS,
                    pause,
                )
                time.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def schema_version(self) -> int:
        with self.session() as s:
            return s.scalar(select(func.max(SchemaVersion.version))) or 0

    def close(self) -> None:
        self.engine.dispose()


def default_database_url(settings: Settings) -> str:
    """The configured database URL, or an SQLite file in the tutor's home folder."""
    if settings.database_url is not None and settings.database_url.get_secret_value().strip():
        return settings.database_url.get_secret_value().strip()
    return f"sqlite:///{Path(settings.home) / 'tutor.sqlite3'}"


def open_database(url: str) -> Database:
    """Connect to ``url``, create or upgrade the schema, and return the database."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            "The database URL is not valid.",  # not echoed: it may hold a password
            "Use an SQLAlchemy URL such as sqlite:///path/to/tutor.sqlite3 or postgresql+psycopg://user@host/db.",
        ) from exc
    if parsed.drivername in ("postgres", "postgresql"):  # SQLAlchemy would look for psycopg2, which is not installed
        parsed = parsed.set(drivername="postgresql+psycopg")
    is_sqlite = parsed.get_backend_name() == "sqlite"
    memory = is_sqlite and parsed.database in (None, "", ":memory:")
    options: dict = {}
    if memory:
        # One shared connection, or every thread (Streamlit runs pages in threads) sees its own empty database.
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif is_sqlite:
        _make_parent(Path(parsed.database))
    try:
        engine = create_engine(parsed, **options)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"No database driver for {parsed.drivername!r} ({exc}).",
            "Install the driver named in the URL, or use one installed: sqlite:///... or postgresql+psycopg://...",
        ) from exc
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _lock_before_first_write)
    event.listen(engine, "before_cursor_execute", _clean_parameters, retval=True)
    try:
        try:
            _migrate(engine)
        except DBAPIError:
            # Two servers starting together may race to create the same table; the second try sees it.
            _migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise _operational(exc, parsed.render_as_string(hide_password=True)) from exc
    except BaseException:
        engine.dispose()
        raise
    return Database(engine)


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Cannot create the folder {path.parent} for the database ({exc.strerror}).",
            "Point TUTOR_HOME (or --home) at a folder you can write to.",
        ) from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Python's sqlite3 would open a transaction itself before the first write; ``_lock_before_first_write``
    # opens it instead, with BEGIN IMMEDIATE, tried again while busy (nothing is written yet, so that is safe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first, so the next pragmas wait too
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _lock_before_first_write(_conn, cursor, statement: str, _parameters, _context, _executemany) -> None:
    """SQLite: ``BEGIN IMMEDIATE`` before the first write of a transaction, retried while the database is busy."""
    driver = cursor.connection
    if not driver.in_transaction and statement.lstrip()[:7].lower().startswith(_WRITES):
        _begin_immediate(driver)


_impatient: ContextVar[bool] = ContextVar("impatient_writes", default=False)


@contextmanager
def impatient_writes() -> Iterator[None]:
    """Writes inside the block do not wait for a busy SQLite database: they fail at once (``StoreError``).

    For saves that can be skipped, such as an answer's intermediate saves while it streams: waiting out the
    retries there would freeze the answer on the learner's screen."""
    token = _impatient.set(True)
    try:
        yield
    finally:
        _impatient.reset(token)


def _begin_immediate(driver) -> None:
    """Take SQLite's write lock, waiting the busy timeout on each of ``WRITE_ATTEMPTS`` attempts (none when impatient)."""
    if _impatient.get():
        driver.execute("PRAGMA busy_timeout=0")
        try:
            driver.execute("BEGIN IMMEDIATE")
        finally:
            driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            driver.execute("BEGIN IMMEDIATE")
            return
        except Exception as exc:
            if not _is_busy(exc):
                raise
            if attempt == WRITE_ATTEMPTS:
                exc.lock_waited_out = True  # every wait is used up: run_transaction must not start them all over
                raise
            pause = _backoff(attempt)
            log.warning("App database busy (%s), attempt %d of %d; trying again in %.2f s", exc, attempt, WRITE_ATTEMPTS, pause)
            time.sleep(pause)


def _backoff(attempt: int) -> float:
    """The pause after failed attempt ``attempt`` (from 1): ``RETRY_PAUSE`` doubled each time, with jitter."""
    return RETRY_PAUSE * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)


def _lock_waited_out(exc: BaseException) -> bool:
    """True when ``_begin_immediate`` already waited for the write lock on every one of its attempts."""
    return getattr(getattr(exc, "orig", None) or exc, "lock_waited_out", False)


def _is_busy(exc: BaseException) -> bool:
    """True for an error that waiting may cure: SQLite locked/busy, PostgreSQL serialization failure or deadlock."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED and their extended codes
        return True
    if getattr(orig, "sqlstate", None) in ("40001", "40P01") or getattr(orig, "pgcode", None) in ("40001", "40P01"):
        return True
    detail = str(orig).lower()
    return any(words in detail for words in ("database is locked", "database table is locked", "database is busy"))


def clean_text(value: str) -> str:
    """``value`` without NUL and the other C0 control characters except tab, newline and carriage return."""
    return _CONTROL.sub("", value)


def _clean_parameters(_conn, _cursor, statement: str, parameters, _context, executemany):
    """Every string bound to a statement, cleaned (``clean_text``); one place for every table and query."""
    # A batched insert ("insertmanyvalues") says executemany but passes one row: a dict (psycopg) or a tuple (SQLite).
    if executemany and isinstance(parameters, list | tuple) and isinstance(next(iter(parameters), None), dict | list | tuple):
        return statement, [_cleaned(row) for row in parameters]
    return statement, _cleaned(parameters)


def _cleaned(row):
    if isinstance(row, dict):
        if any(isinstance(v, str) and _CONTROL.search(v) for v in row.values()):
            return {k: clean_text(v) if isinstance(v, str) else v for k, v in row.items()}
        return row
    if isinstance(row, list | tuple) and any(isinstance(v, str) and _CONTROL.search(v) for v in row):
        return type(row)(clean_text(v) if isinstance(v, str) else v for v in row)
    return row


def _operational(exc: OperationalError, url: str) -> StoreError:
    """The error a reader sees: what happened and what to do, without the URL, path or SQL (those are logged)."""
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    log.error("The app database at %s failed: %s (statement: %.300s)", url, detail, exc.statement)
    if "readonly" in detail.lower() or "read-only" in detail.lower():
        return StoreError.of("err_db_readonly")
    if _is_busy(exc):
        return StoreError.of("err_db_busy")
    if "disk is full" in detail.lower() or "no space left" in detail.lower():
        return StoreError.of("err_db_full")
    return StoreError.of("err_db_failed")


def alembic_config(connection=None) -> Config:
    """Alembic's configuration for the app database, built in code; ``connection`` is the one migrations run on."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _migrate(engine: Engine) -> None:
    """Bring the schema to Alembic's newest revision (see the module docstring), one process at a time."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":  # servers starting together check and change the schema one after another
            _begin_immediate(conn.connection.driver_connection)
        elif engine.dialect.name == "postgresql":  # released when the transaction ends
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        tables = set(inspect(conn).get_table_names())
        found = 0
        if SchemaVersion.__tablename__ in tables:
            found = conn.scalar(select(func.max(SchemaVersion.version))) or 0
        config = alembic_config(conn)
        if found > SCHEMA_VERSION or not _knows_revisions(conn, config):
            raise StoreError(
                f"The app database has a schema newer than this tutor understands (version {found}, {SCHEMA_VERSION} known).",
                "Upgrade the tutor to the version that wrote this database, or point it at another database.",
            )
        with _alembic_lock:
            if ALEMBIC_TABLE in tables:
                command.upgrade(config, "head")
            else:
                _upgrade_without_alembic(conn)
                command.stamp(config, "head")
        if found < SCHEMA_VERSION:
            conn.execute(SchemaVersion.__table__.insert().values(version=SCHEMA_VERSION, applied_at=utcnow()))


def _knows_revisions(conn, config: Config) -> bool:
    """False when the database is stamped with an Alembic revision that is not among ours (a newer tutor's)."""
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    stamped = MigrationContext.configure(conn, opts={"version_table": ALEMBIC_TABLE}).get_current_heads()
    return set(stamped) <= known


def _upgrade_without_alembic(conn) -> None:
    """Create missing tables and add missing columns: the whole upgrade before Alembic, and a new database's set-up."""
    preparer = conn.dialect.identifier_preparer
    Base.metadata.create_all(conn)
    inspector = inspect(conn)
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if column.primary_key or (not column.nullable and column.server_default is None):
                raise StoreError(
                    f"The table {table.name} lacks the required column {column.name}, which cannot be added in place.",
                    "Back up the database file, then move it aside so the tutor creates a fresh one.",
                )
            ddl = CreateColumn(column).compile(dialect=conn.dialect)
            conn.execute(text(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {ddl}"))
