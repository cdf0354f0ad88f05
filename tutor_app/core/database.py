"""The app database: tables for accounts, sign-in attempts, chats and feedback.

``open_database(url)`` builds an engine for any SQLAlchemy URL (an SQLite file
by default, PostgreSQL for several servers), creates missing tables, adds
missing nullable or defaulted columns to old tables, and records the schema
version. On SQLite every connection gets WAL mode (readers do not block the
writer), foreign keys (so deletes cascade) and a busy timeout.

This module holds the schema and the connection only. The rules about who may
do what (passwords, rate limits, owner-only chats) live in ``accounts`` and
``conversations``. SQL stays portable: no dialect-specific column types, and
timestamps are naive UTC everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

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
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateColumn

from tutor_app.core.config import Settings
from tutor_app.core.errors import TutorError

SCHEMA_VERSION = 1
ROLES = ("student", "educator", "administrator")
LANGUAGES = ("en", "zh")
MESSAGE_ROLES = ("user", "assistant")


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


# Columns that a later version may add carry a server default (or are nullable),
# so the migration below can add them to an existing table with ALTER TABLE.


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
    # ``_migrate`` adds them to an older table (there without the foreign key: ALTER TABLE adds a plain column).
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


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
        the models have no lazy relationships). Operational failures (locked,
        read-only or unreachable database) become a ``StoreError``.
        """
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise _operational(exc, self.url) from exc

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
            "Install the driver named in the URL (for PostgreSQL: pip install 'psycopg[binary]').",
        ) from exc
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
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
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def _operational(exc: OperationalError, url: str) -> StoreError:
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    if "readonly" in detail.lower() or "read-only" in detail.lower():
        fix = "Point TUTOR_HOME (or --home) at a folder you can write to, or make the database file writable."
    elif "locked" in detail.lower():
        fix = "Another process holds the database; wait a moment and try again."
    else:
        fix = "Check that the database server is running and the URL, user and password are right."
    return StoreError(f"The app database at {url} failed: {detail}.", fix)


def _migrate(engine: Engine) -> None:
    """Create missing tables, add missing columns, record the version."""
    Base.metadata.create_all(engine)
    inspector = inspect(engine)
    preparer = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        found = conn.scalar(select(func.max(SchemaVersion.version))) or 0
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"The app database has schema version {found}, newer than this tutor understands ({SCHEMA_VERSION}).",
                "Upgrade the tutor to the version that wrote this database, or point it at another database.",
            )
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
                ddl = CreateColumn(column).compile(dialect=engine.dialect)
                conn.execute(text(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {ddl}"))
    if found < SCHEMA_VERSION:
        try:
            with engine.begin() as conn:
                conn.execute(SchemaVersion.__table__.insert().values(version=SCHEMA_VERSION, applied_at=utcnow()))
        except IntegrityError:
            pass  # another process recorded it first
