"""The app database: schema on open, migrations, SQLite pragmas, version, errors, locks, control characters.

Tests that take ``db`` or ``database_url`` run on SQLite and, when TUTOR_TEST_POSTGRES_URL is set, on
PostgreSQL too (tests/support/databases.py); the others are about SQLite itself or need no database.
"""

import logging
import shutil
import sqlite3
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.pool import NullPool

from tests.support.databases import POSTGRES_URL, SKIP_REASON
from tutor_app.core import database
from tutor_app.core.database import (
    SCHEMA_VERSION,
    Base,
    Conversation,
    Message,
    StoreError,
    User,
    default_database_url,
    open_database,
)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "tutor.sqlite3"


def test_default_url_is_a_file_in_the_home_folder(settings):
    assert default_database_url(settings) == f"sqlite:///{settings.home / 'tutor.sqlite3'}"


def test_a_configured_url_wins_and_stays_out_of_the_settings_repr(tmp_path):
    from tutor_app.core.config import load_settings

    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    s = load_settings(env={"TUTOR_DATABASE_URL": url}, secrets_file=tmp_path / "none.toml", home=tmp_path / "home")
    assert default_database_url(s) == url
    assert "elsewhere" not in repr(s)
    open_database(default_database_url(s)).close()
    assert (tmp_path / "elsewhere.sqlite3").exists()


def test_the_postgresql_variants_have_a_server():
    if not POSTGRES_URL:
        pytest.skip(SKIP_REASON)
    engine = create_engine(POSTGRES_URL, poolclass=NullPool)
    with engine.connect() as conn:
        assert engine.dialect.name == "postgresql" and conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_open_creates_the_sqlite_file_and_its_folder(db_path):
    open_database(f"sqlite:///{db_path}").close()
    assert db_path.is_file()


def test_open_creates_every_table_and_stamps_the_newest_revision(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "login_attempts", "conversations", "messages", "feedback", "schema_version"} <= tables
    assert tables == set(Base.metadata.tables) | {database.ALEMBIC_TABLE}
    assert stamped(db.engine) == [head_revision()]


def test_the_migrations_have_one_head_and_describe_the_models(db):
    assert len(ScriptDirectory.from_config(database.alembic_config()).get_heads()) == 1
    with db.engine.connect() as conn:  # what autogenerate would write: nothing, the schema is the models'
        context = MigrationContext.configure(conn, opts={"version_table": database.ALEMBIC_TABLE})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db_path):
    db = open_database(f"sqlite:///{db_path}")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
        db.close()


def test_schema_version_and_revision_are_recorded_once(database_url):
    first = open_database(database_url)
    assert first.schema_version() == SCHEMA_VERSION
    first.close()
    again = open_database(database_url)
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM schema_version")).scalar() == 1
    assert stamped(again.engine) == [head_revision()]
    again.close()


def test_reopening_keeps_the_data(database_url):
    first = open_database(database_url)
    with first.session() as s:
        s.add(User(username="kept", password_hash="x", role="student"))
    first.close()
    again = open_database(database_url)
    with again.session() as s:
        assert s.query(User).filter_by(username="kept").one().active is True
    again.close()


def test_a_lab_database_from_before_unknown_costs_is_upgraded_and_keeps_its_runs(database_url):
    from alembic import command

    from tutor_app.lab.compare import RunResult
    from tutor_app.lab.runs import list_runs, save_runs

    db = open_database(database_url)
    with db.engine.begin() as conn:  # the schema as revision 0002 left it: cost_usd NOT NULL
        command.downgrade(database.alembic_config(conn), "0002_prompt_lab")
    priced = RunResult("house", "m", True, "What is RAG?", "demo")
    priced.cost = 0.25
    save_runs(db, [priced])
    db.close()
    again = open_database(database_url)
    unpriced = RunResult("house", "m", False, "What is RAG?", "demo")
    unpriced.cost = None
    save_runs(again, [unpriced])
    assert sorted(r["cost_usd"] is None for r in list_runs(again)) == [False, True]
    assert [r["cost_usd"] for r in list_runs(again) if r["cost_usd"] is not None] == [0.25]
    assert stamped(again.engine) == [head_revision()]
    again.close()


def run_sql(url, *statements):
    """Run ``statements`` on the database at ``url`` outside the app (an older tutor's, or another tool's)."""
    engine = create_engine(url, poolclass=NullPool)
    key = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement.replace("AUTO KEY", key)))
    engine.dispose()


def stamped(engine):
    with engine.connect() as conn:
        return list(conn.scalars(text(f"SELECT version_num FROM {database.ALEMBIC_TABLE}")))


def head_revision():
    return ScriptDirectory.from_config(database.alembic_config()).get_current_head()


def test_a_database_from_before_alembic_gets_its_missing_columns_and_is_stamped(database_url):
    run_sql(
        database_url,
        """CREATE TABLE users (
            id AUTO KEY, username VARCHAR(40) NOT NULL UNIQUE,
            password_hash VARCHAR(255) NOT NULL, role VARCHAR(20) NOT NULL, created_at TIMESTAMP NOT NULL)""",
        """INSERT INTO users (username, password_hash, role, created_at)
            VALUES ('old', 'x', 'educator', '2024-01-01 00:00:00.000000')""",
        """CREATE TABLE messages (
            id AUTO KEY, conversation_id INTEGER NOT NULL, role VARCHAR(20) NOT NULL,
            content TEXT NOT NULL, created_at TIMESTAMP NOT NULL)""",
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)",
        "INSERT INTO schema_version (version, applied_at) VALUES (1, '2024-01-01 00:00:00')",
    )

    db = open_database(database_url)
    inspector = inspect(db.engine)
    users = {c["name"] for c in inspector.get_columns("users")}
    messages = {c["name"] for c in inspector.get_columns("messages")}
    assert {"language", "display_name", "active"} <= users
    assert {"citations", "model", "grounded", "complete", "prompt_tokens", "completion_tokens", "cost_usd"} <= messages
    with db.session() as s:
        old = s.query(User).filter_by(username="old").one()
        assert (old.role, old.language, old.display_name, old.active) == ("educator", "en", "", True)
    assert db.schema_version() == SCHEMA_VERSION
    assert stamped(db.engine) == [head_revision()]
    db.close()


def test_a_missing_required_column_is_reported_not_guessed(database_url):
    run_sql(database_url, "CREATE TABLE conversations (id AUTO KEY, user_id INTEGER NOT NULL)")  # no title
    with pytest.raises(StoreError, match="title"):
        open_database(database_url)
    run_sql(database_url, "SELECT COUNT(*) FROM conversations")  # nothing was half-done: the upgrade rolled back
    assert database.ALEMBIC_TABLE not in inspect(create_engine(database_url, poolclass=NullPool)).get_table_names()


def test_a_newer_schema_version_is_refused(database_url):
    open_database(database_url).close()
    run_sql(database_url, "INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01 00:00:00')")
    with pytest.raises(StoreError, match="newer"):
        open_database(database_url)


def test_a_database_stamped_by_a_newer_tutor_is_refused(database_url):
    open_database(database_url).close()
    run_sql(database_url, f"UPDATE {database.ALEMBIC_TABLE} SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError, match="newer"):
        open_database(database_url)


NEXT_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0002_nickname"
down_revision = {head!r}
branch_labels = depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("nickname", sa.String(40), nullable=True))
"""


def test_a_stamped_database_runs_the_revisions_it_lacks_and_an_older_tutor_refuses_it(database_url, tmp_path, monkeypatch):
    db = open_database(database_url)
    add_user(db, "before")
    db.close()
    ours = database.MIGRATIONS
    newer = tmp_path / "migrations"
    shutil.copytree(ours, newer, ignore=shutil.ignore_patterns("__pycache__"))
    (newer / "versions" / "0002_nickname.py").write_text(NEXT_REVISION.format(head=head_revision()))
    monkeypatch.setattr(database, "MIGRATIONS", newer)  # a newer tutor's migrations
    db = open_database(database_url)
    assert "nickname" in {column["name"] for column in inspect(db.engine).get_columns("users")}
    assert stamped(db.engine) == ["0002_nickname"]
    with db.session() as s:
        assert s.scalar(select(User.username)) == "before"
    db.close()
    monkeypatch.setattr(database, "MIGRATIONS", ours)
    with pytest.raises(StoreError, match="newer"):
        open_database(database_url)


def test_in_memory_database_is_shared_across_sessions():
    db = open_database("sqlite://")
    with db.session() as s:
        s.add(User(username="mem", password_hash="x", role="student"))
    with db.session() as s:
        assert s.query(User).count() == 1
    db.close()


def test_bad_url_and_missing_driver_say_what_to_do():
    with pytest.raises(StoreError, match="SQLAlchemy URL"):
        open_database("not a url")
    with pytest.raises(StoreError, match="driver"):
        open_database("nosuchdb+nodriver://user:secret@host/db")


def test_a_plain_postgresql_url_gets_the_installed_driver(monkeypatch):
    seen = []
    monkeypatch.setattr(database, "create_engine", lambda url, **options: seen.append(url) or create_engine("sqlite://"))
    for url in ("postgresql://tutor:secret@db.example/tutor", "postgres://tutor:secret@db.example/tutor"):
        open_database(url).close()
    assert [url.drivername for url in seen] == ["postgresql+psycopg"] * 2
    assert seen[0].render_as_string(hide_password=False) == "postgresql+psycopg://tutor:secret@db.example/tutor"


def test_an_unreachable_postgresql_server_fails_without_showing_the_password(caplog):
    with caplog.at_level(logging.ERROR, logger="tutor_app.core.database"), pytest.raises(StoreError) as info:
        open_database("postgresql://tutor:s3cret@127.0.0.1:1/tutor")  # nothing listens on port 1
    assert info.value.key == "err_db_failed"
    assert "s3cret" not in str(info.value) and "s3cret" not in caplog.text and "127.0.0.1:1" in caplog.text


def test_user_repr_hides_the_password_hash():
    assert "argon" not in repr(User(id=1, username="a", password_hash="$argon2id$secret", role="student"))


# --- writes under contention, errors without the path, control characters ---


@pytest.fixture
def short_waits(monkeypatch):
    """Busy timeout and retry pauses in milliseconds, so lock tests take a second, not half a minute."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(database, "RETRY_PAUSE", 0.05)


def hold_write_lock(path, seconds):
    """Another process's writer: holds SQLite's write lock for ``seconds`` (in a thread), then commits."""
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, '2025-01-01')")

    def release():
        time.sleep(seconds)
        raw.execute("ROLLBACK")
        raw.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def add_user(db, name):
    with db.session() as s:
        s.add(User(username=name, password_hash="x", role="student"))


def test_a_write_waits_for_a_held_lock_and_is_saved(short_waits, db_path, caplog, monkeypatch):
    monkeypatch.setattr(database, "WRITE_ATTEMPTS", 8)  # at least 3.9 s in all: room for a slow machine
    db = open_database(f"sqlite:///{db_path}")
    holder = hold_write_lock(db_path, 0.4)  # longer than one busy timeout
    try:
        with caplog.at_level(logging.WARNING, logger="tutor_app.core.database"):
            add_user(db, "patient")
        with db.session() as s:
            assert s.scalar(select(User.username)) == "patient"
        assert any("trying again" in r.getMessage() for r in caplog.records)
    finally:
        holder.join()
        db.close()


def test_an_impatient_write_fails_at_once_and_a_patient_one_waits(short_waits, db_path, monkeypatch):
    monkeypatch.setattr(database, "WRITE_ATTEMPTS", 40)  # the patient write could wait seconds; the impatient one tries once
    db = open_database(f"sqlite:///{db_path}")
    holder = hold_write_lock(db_path, 1.0)
    try:
        with pytest.raises(StoreError), database.impatient_writes():
            add_user(db, "skipped")  # an answer's intermediate save: skipped, never waited for
        add_user(db, "patient")  # the same connection pool waits again outside the block
        with db.session() as s:
            assert s.scalars(select(User.username)).all() == ["patient"]
    finally:
        holder.join()
        db.close()


def test_reads_do_not_wait_for_a_writer(short_waits, db_path):
    db = open_database(f"sqlite:///{db_path}")
    add_user(db, "reader")
    holder = hold_write_lock(db_path, 1.0)
    try:
        with db.session() as s:  # waiting for the writer would fail after the 0.1 s busy timeout
            assert s.scalar(select(User.username)) == "reader"
    finally:
        holder.join()
        db.close()


def test_a_write_still_locked_after_every_attempt_fails_without_the_path_or_sql(short_waits, db_path, caplog, monkeypatch):
    monkeypatch.setattr(database, "WRITE_ATTEMPTS", 2)
    db = open_database(f"sqlite:///{db_path}")
    holder = hold_write_lock(db_path, 1.5)
    try:
        with caplog.at_level(logging.ERROR, logger="tutor_app.core.database"), pytest.raises(StoreError) as info:
            add_user(db, "unlucky")
    finally:
        holder.join()
    error = info.value
    assert error.key == "err_db_busy"
    for shown in (str(error), error.message("zh")):
        assert str(db_path) not in shown and "sqlite" not in shown.lower() and "INSERT" not in shown
    assert "稍等" in error.message("zh")
    assert any(str(db_path) in r.getMessage() and "locked" in r.getMessage() for r in caplog.records)  # for the operator
    add_user(db, "later")  # the failed transaction left no lock behind
    db.close()


def test_a_failed_unit_of_work_releases_the_write_lock(short_waits, db_path):
    db, other = open_database(f"sqlite:///{db_path}"), open_database(f"sqlite:///{db_path}")
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(User(username="gone", password_hash="x", role="student"))
        s.flush()
        raise RuntimeError("the page failed half-way")
    add_user(other, "next")  # a lock left behind would make this fail (0.1 s busy timeout)
    with db.session() as s:
        assert list(s.scalars(select(User.username))) == ["next"]
    db.close()
    other.close()


def test_servers_opening_a_new_database_together_all_succeed(database_url):
    results: list[object] = []

    def start():
        try:
            open_database(database_url).close()
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 - the test reports whatever failed
            results.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok"] * 6
    db = open_database(database_url)
    assert db.schema_version() == SCHEMA_VERSION and stamped(db.engine) == [head_revision()]
    db.close()


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("database table is locked"), True),
        (sqlite3.OperationalError("no such table: users"), False),
        (type("SerializationFailure", (Exception,), {"sqlstate": "40001"})(), True),
        (type("DeadlockDetected", (Exception,), {"sqlstate": "40P01"})(), True),
        (type("UniqueViolation", (Exception,), {"sqlstate": "23505"})(), False),
    ],
)
def test_which_errors_are_worth_waiting_for(error, busy):
    assert database._is_busy(error) is busy


def test_nul_and_control_characters_are_removed_from_every_string_written(db):
    dirty = "a\x00b\x07c\x1bd\te\nf\r\x7f"
    with db.session() as s:
        s.add(User(username="ctl", password_hash="x", role="student", display_name=dirty))
    with db.session() as s:  # Core statements go through the same boundary
        s.execute(update(User).where(User.username == "ctl").values(password_hash="h\x00ash"))
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == "c\x00tl"))  # a lookup is cleaned the same way
    assert user.display_name == "abcd\te\nf\r\x7f"
    assert user.password_hash == "hash"
    assert database.clean_text("中文\x00\u2028") == "中文\u2028"


def test_a_chat_message_with_a_nul_is_stored_cleaned_and_read_back(db):
    add_user(db, "learner")
    with db.session() as s:
        user_id = s.scalar(select(User.id))
        conversation = Conversation(user_id=user_id, course="c", title="NUL\x00 test")
        s.add(conversation)
        s.flush()
        s.add(Message(conversation_id=conversation.id, role="user", content="what is\x00 a token?\n"))
    with db.session() as s:
        assert s.scalar(select(Message.content)) == "what is a token?\n"
        assert s.scalar(select(Conversation.title)) == "NUL test"


@pytest.mark.parametrize(
    "detail, key",
    [
        ("database or disk is full", "err_db_full"),
        ("attempt to write a readonly database", "err_db_readonly"),
        ("database is locked", "err_db_busy"),
        ("no such table: users", "err_db_failed"),
    ],
)
def test_a_failed_write_says_what_happened_and_not_where(detail, key):
    from sqlalchemy.exc import OperationalError

    error = database._operational(OperationalError("INSERT ...", {}, sqlite3.OperationalError(detail)), "sqlite:////srv/t.db")
    assert error.message("en") == StoreError.of(key).message("en")
    assert "/srv/t.db" not in error.message("en") + error.message("zh")


def test_a_full_disk_under_the_index_says_so():
    from tutor_app.core.config import Settings
    from tutor_app.engine.search.index import _translate

    error = _translate(RuntimeError("Query error: database or disk is full (code: 13)"), Settings(home="/srv/tutor"))
    assert "is full" in error.problem and "Free space" in error.fix


def test_several_rows_added_at_once_are_saved_and_cleaned(db):
    # PostgreSQL inserts them in one batched statement whose parameters arrive as one dict.
    with db.session() as s:
        s.add_all([User(username=f"bulk{n}\x00", password_hash="x", role="student") for n in range(3)])
    with db.session() as s:
        assert [*s.scalars(select(User.username).order_by(User.username))] == ["bulk0", "bulk1", "bulk2"]
