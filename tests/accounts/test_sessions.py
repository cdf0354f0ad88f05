"""Remembered sign-ins: tokens are random, stored hashed, expire, and end on sign-out or account changes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tutor_app.accounts.sessions import end_all_sessions, end_session, start_session, user_for_session
from tutor_app.accounts.users import change_password, create_user, set_active
from tutor_app.core.database import AuthSession, open_database


@pytest.fixture
def db():
    database = open_database("sqlite:///:memory:")
    create_user(database, "admin", "admin-password", "administrator")
    yield database
    database.close()


@pytest.fixture
def alice(db):
    return create_user(db, "alice", "alice-password", "student")


def test_a_token_signs_its_user_in_and_only_its_hash_is_stored(db, alice):
    token = start_session(db, alice.id)
    assert user_for_session(db, token).username == "alice"
    with db.session() as s:
        stored = s.scalars(select(AuthSession.token_hash)).all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    assert start_session(db, alice.id) != token


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 10_000])
def test_unknown_or_absurd_tokens_sign_nobody_in(db, alice, token):
    start_session(db, alice.id)
    assert user_for_session(db, token) is None


def test_sign_out_ends_only_that_session(db, alice):
    first, second = start_session(db, alice.id), start_session(db, alice.id)
    end_session(db, first)
    assert user_for_session(db, first) is None and user_for_session(db, second) is not None
    end_all_sessions(db, alice.id)
    assert user_for_session(db, second) is None


def test_an_expired_token_is_refused(db, alice):
    token = start_session(db, alice.id, lifetime=timedelta(seconds=-1))
    assert user_for_session(db, token) is None


def test_switching_an_account_off_or_changing_its_password_ends_its_sessions(db, alice):
    token = start_session(db, alice.id)
    set_active(db, alice.id, False)
    assert user_for_session(db, token) is None
    set_active(db, alice.id, True)
    assert user_for_session(db, token) is not None
    change_password(db, alice.id, "a-new-password")
    assert user_for_session(db, token) is None
