"""Units of work run again when the database ends them as busy (``Database.run_transaction``).

The policy (what is run again, how often, what is not) is checked on SQLite with the errors the drivers
raise; the real thing is checked on PostgreSQL, where two connections that lock rows in opposite order
deadlock and the server ends one of them: that unit of work, and a chat message save caught the same way,
must be run again and saved. The PostgreSQL tests need TUTOR_TEST_POSTGRES_URL (``.ci/run`` sets it)
and are skipped with that reason without it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import NullPool

from tests.support.databases import empty_database_url
from tutor_app.core import database
from tutor_app.core.database import Conversation, Message, StoreError, User, impatient_writes, open_database
from tutor_app.tutoring.conversations import ConversationStore

LOGGER = "tutor_app.core.database"


@pytest.fixture
def quick_pauses(monkeypatch):
    monkeypatch.setattr(database, "RETRY_PAUSE", 0.01)


def _locked() -> OperationalError:
    """What SQLAlchemy raises for SQLite's "database is locked"."""
    return OperationalError("UPDATE users SET role=?", ("student",), sqlite3.OperationalError("database is locked"))


def _add_users(db, *names: str) -> list[int]:
    with db.session() as s:
        users = [User(username=name, password_hash="x", role="student") for name in names]
        s.add_all(users)
    return [user.id for user in users]


# --------------------------------------------------------------------------- the policy, on SQLite


def test_a_unit_of_work_ended_as_busy_is_run_again_in_a_new_transaction(tmp_path, quick_pauses, caplog):
    db = open_database(f"sqlite:///{tmp_path / 'tutor.sqlite3'}")
    calls = []

    def work(s):
        calls.append(1)
        s.add(User(username=f"try{len(calls)}", password_hash="x", role="student"))
        s.flush()
        if len(calls) == 1:
            raise _locked()  # the first transaction ends here: its user must not be kept
        return len(calls)

    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            assert db.run_transaction(work) == 2
        with db.session() as s:
            assert [*s.scalars(select(User.username))] == ["try2"]
    finally:
        db.close()
    assert any("running it again" in r.getMessage() and "database is locked" in r.getMessage() for r in caplog.records)


def test_a_unit_of_work_still_busy_after_every_attempt_fails_as_busy(tmp_path, quick_pauses):
    db = open_database(f"sqlite:///{tmp_path / 'tutor.sqlite3'}")
    calls = []

    def work(_s):
        calls.append(1)
        raise _locked()

    try:
        with pytest.raises(StoreError) as raised:
            db.run_transaction(work)
    finally:
        db.close()
    assert len(calls) == database.WRITE_ATTEMPTS
    assert raised.value.key == "err_db_busy" and "sqlite" not in str(raised.value)


def test_a_write_lock_already_waited_out_is_not_waited_for_again(tmp_path, quick_pauses, monkeypatch):
    """BEGIN IMMEDIATE waits on each of its own attempts; running the unit of work again would wait all over."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(database, "WRITE_ATTEMPTS", 2)
    path = tmp_path / "tutor.sqlite3"
    db = open_database(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock for longer than every wait
    calls = []

    def work(s):
        calls.append(1)
        s.add(User(username="blocked", password_hash="x", role="student"))
        s.flush()

    try:
        with pytest.raises(StoreError) as raised:
            db.run_transaction(work)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.close()
    assert raised.value.key == "err_db_busy"
    assert len(calls) == 1


@pytest.mark.parametrize("kind", ["not busy", "integrity", "impatient"])
def test_other_failures_and_impatient_writes_are_not_run_again(tmp_path, quick_pauses, kind):
    db = open_database(f"sqlite:///{tmp_path / 'tutor.sqlite3'}")
    calls = []

    def work(_s):
        calls.append(1)
        if kind == "integrity":
            raise IntegrityError("INSERT", (), sqlite3.IntegrityError("UNIQUE constraint failed: users.username"))
        if kind == "not busy":
            raise OperationalError("SELECT", (), sqlite3.OperationalError("no such table: users"))
        raise _locked()

    try:
        with pytest.raises((StoreError, IntegrityError)):
            if kind == "impatient":
                with impatient_writes():
                    db.run_transaction(work)
            else:
                db.run_transaction(work)
    finally:
        db.close()
    assert len(calls) == 1


# --------------------------------------------------------------------------- a real deadlock, on PostgreSQL


@pytest.fixture
def pg_url(tmp_path):
    with empty_database_url("postgresql", tmp_path) as url:  # skips, saying how to run it, without a server
        yield url


def _wait_for_lock_wait(engine, timeout_s: float = 10.0) -> None:
    """Until some other connection of this database waits for a row lock."""
    deadline = time.monotonic() + timeout_s
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("no connection started waiting for a lock")


def test_two_units_of_work_that_deadlock_both_commit(pg_url, quick_pauses, caplog):
    db = open_database(pg_url)
    first, second = _add_users(db, "ada", "grace")
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts = {"ab": 0, "ba": 0}
    results, errors = {}, []

    def locker(name: str, order: tuple[int, int]):
        def work(s):
            attempts[name] += 1
            s.execute(update(User).where(User.id == order[0]).values(display_name=name))
            if attempts[name] == 1:
                both_hold_one.wait()  # each holds one row and now asks for the other's: a deadlock
            s.execute(update(User).where(User.id == order[1]).values(display_name=name))
            return attempts[name]

        try:
            results[name] = db.run_transaction(work)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=locker, args=("ab", (first, second))),
        threading.Thread(target=locker, args=("ba", (second, first))),
    ]
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        with db.session() as s:
            names = {*s.scalars(select(User.display_name).where(User.id.in_([first, second])))}
    finally:
        db.close()
    assert not errors, errors
    assert sorted(results.values()) == [1, 2]  # the server ended one of them; it ran again and committed
    retried = next(name for name, count in results.items() if count == 2)
    assert names == {retried}  # the one run again committed last: both rows carry its name
    assert [r for r in caplog.records if "deadlock detected" in r.getMessage() and "running it again" in r.getMessage()]


def test_a_chat_message_save_caught_in_a_deadlock_is_saved(pg_url, quick_pauses, caplog):
    db = open_database(pg_url)
    [learner] = _add_users(db, "lin")
    store = ConversationStore(db)
    conversation = store.create(learner, "course", "Derivatives").id
    answer = store.add_message(learner, conversation, "assistant", "A derivative is", complete=False)
    other = create_engine(pg_url, poolclass=NullPool)  # an admin job on another connection
    outcome = {}

    def finish_answer():
        try:
            outcome["id"] = store.add_message(learner, conversation, "assistant", "A derivative is a rate.", replaces=answer)
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcome["error"] = exc

    saver = threading.Thread(target=finish_answer)
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER), other.connect() as rival:
            rival.begin()
            rival.execute(update(Message).where(Message.id == answer).values(model="audit"))  # holds the message row
            saver.start()  # updates the conversation's row, then waits for the message row
            _wait_for_lock_wait(other)
            # ...and now the rival asks for the conversation's row: a cycle, which the server ends.
            rival.execute(update(Conversation).where(Conversation.id == conversation).values(title="Derivatives (audited)"))
            rival.commit()
            saver.join(30)
        saved = store.messages(learner, conversation)
        title = store.get(learner, conversation).title
    finally:
        other.dispose()
        db.close()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["id"] == answer and [m.content for m in saved] == ["A derivative is a rate."]
    assert saved[0].complete and saved[0].model == "" and title == "Derivatives (audited)"  # both units committed
    assert [r for r in caplog.records if "deadlock detected" in r.getMessage()], "no deadlock was provoked"
