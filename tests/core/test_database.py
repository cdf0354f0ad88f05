"""The app database: schema on open, SQLite pragmas, column migration, version, errors."""

import sqlite3

import pytest
from sqlalchemy import inspect, text

from tutor_app.core.database import (
    SCHEMA_VERSION,
    Base,
    StoreError,
    User,
    default_database_url,
    open_database,
)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "tutor.sqlite3"


@pytest.fixture
def db(db_path):
    database = open_database(f"sqlite:///{db_path}")
    yield database
    database.close()


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


def test_open_creates_the_folder_and_every_table(db, db_path):
    assert db_path.is_file()
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "login_attempts", "conversations", "messages", "feedback", "schema_version"} <= tables
    assert tables == set(Base.metadata.tables)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db, db_path):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_schema_version_is_recorded_once(db_path):
    first = open_database(f"sqlite:///{db_path}")
    assert first.schema_version() == SCHEMA_VERSION
    first.close()
    again = open_database(f"sqlite:///{db_path}")
    with again.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM schema_version")).scalar() == 1
    again.close()


def test_reopening_keeps_the_data(db_path):
    first = open_database(f"sqlite:///{db_path}")
    with first.session() as s:
        s.add(User(username="kept", password_hash="x", role="student"))
    first.close()
    again = open_database(f"sqlite:///{db_path}")
    with again.session() as s:
        assert s.query(User).filter_by(username="kept").one().active is True
    again.close()


def test_migration_adds_missing_columns_to_an_old_table(db_path):
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY, username VARCHAR(40) NOT NULL UNIQUE,
            password_hash VARCHAR(255) NOT NULL, role VARCHAR(20) NOT NULL, created_at DATETIME NOT NULL);
        INSERT INTO users (username, password_hash, role, created_at)
            VALUES ('old', 'x', 'educator', '2024-01-01 00:00:00.000000');
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL, role VARCHAR(20) NOT NULL,
            content TEXT NOT NULL, created_at DATETIME NOT NULL);
        """
    )
    raw.commit()
    raw.close()

    db = open_database(f"sqlite:///{db_path}")
    inspector = inspect(db.engine)
    users = {c["name"] for c in inspector.get_columns("users")}
    messages = {c["name"] for c in inspector.get_columns("messages")}
    assert {"language", "display_name", "active"} <= users
    assert {"citations", "model", "grounded", "complete", "prompt_tokens", "completion_tokens", "cost_usd"} <= messages
    with db.session() as s:
        old = s.query(User).filter_by(username="old").one()
        assert (old.role, old.language, old.display_name, old.active) == ("educator", "en", "", True)
    assert db.schema_version() == SCHEMA_VERSION
    db.close()


def test_a_missing_required_column_is_reported_not_guessed(db_path):
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE conversations (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL)")  # no title
    raw.close()
    with pytest.raises(StoreError, match="title"):
        open_database(f"sqlite:///{db_path}")


def test_a_newer_schema_is_refused(db_path):
    db = open_database(f"sqlite:///{db_path}")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_version (version, applied_at) VALUES (99, '2030-01-01 00:00:00')"))
    db.close()
    with pytest.raises(StoreError, match="newer"):
        open_database(f"sqlite:///{db_path}")


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


def test_user_repr_hides_the_password_hash():
    assert "argon" not in repr(User(id=1, username="a", password_hash="$argon2id$secret", role="student"))
