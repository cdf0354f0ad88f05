"""Local accounts: validation, argon2 hashes, sign-in, rate limit, roles, admin tasks."""

from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tutor_app.accounts import users as accounts
from tutor_app.accounts.users import (
    AuthError,
    RateLimited,
    authenticate,
    can_access,
    change_password,
    create_user,
    get_user,
    has_admin,
    list_users,
    set_active,
)
from tutor_app.core import database
from tutor_app.core.database import LoginAttempt, User
from tutor_app.core.errors import InputError, TutorError

T0 = datetime(2025, 3, 1, 9, 0, 0)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """The real cost (about 0.5 s a hash here) is right for a server and wrong for a test suite."""
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def alice(db):
    return create_user(db, "alice", "correct horse", "student", language="zh", display_name="Alice")


def stored_hash(db, username):
    with db.session() as s:
        return s.scalar(select(User.password_hash).where(User.username == username))


# --- creating accounts ---


def test_password_is_stored_as_an_argon2_hash(db, alice):
    stored = stored_hash(db, "alice")
    assert stored.startswith("$argon2")
    assert "correct horse" not in stored
    assert (alice.role, alice.language, alice.display_name, alice.active) == ("student", "zh", "Alice", True)


def test_the_default_hasher_is_argon2id_at_full_cost(db, monkeypatch):
    monkeypatch.undo()  # the real module-level hasher
    create_user(db, "realcost", "a long password", "student")
    assert stored_hash(db, "realcost").startswith("$argon2id$v=19$m=65536,t=3")


@pytest.mark.parametrize("username", ["ab", "x" * 41, "has space", "semi;colon", "中文名", ""])
def test_bad_usernames_are_refused_with_the_rule(db, username):
    with pytest.raises(InputError, match="3 to 40 characters"):
        create_user(db, username, "long enough", "student")


@pytest.mark.parametrize("username", ["abc", "x" * 40, "first.last", "under_score", "dash-ed", "Mixed.Case-1"])
def test_good_usernames_are_accepted(db, username):
    assert create_user(db, username, "long enough", "student").username == username.lower()


def test_short_password_is_refused_with_the_minimum(db):
    with pytest.raises(InputError, match="at least 8 characters"):
        create_user(db, "bob", "1234567", "student")


def test_unknown_role_and_language_are_refused(db):
    with pytest.raises(InputError, match="student, educator, administrator"):
        create_user(db, "bob", "long enough", "superuser")
    with pytest.raises(InputError, match="Choose en or zh"):
        create_user(db, "bob", "long enough", "student", language="fr")


def test_usernames_are_unique_ignoring_case(db, alice):
    with pytest.raises(InputError, match="already taken"):
        create_user(db, "ALICE", "another password", "student")


def test_input_error_is_a_tutor_error_with_a_fix_in_both_languages(db):
    with pytest.raises(TutorError) as info:
        create_user(db, "bob", "short", "student")
    assert "Use at least 8 characters" in str(info.value) and "至少需要 8 个字符" in info.value.message("zh")


# --- signing in ---


def test_authenticate_with_the_right_password(db, alice):
    user = authenticate(db, "alice", "correct horse", now=T0)
    assert user.id == alice.id and user.username == "alice"
    assert authenticate(db, "  Alice ", "correct horse", now=T0).id == alice.id


def test_authenticate_with_the_wrong_password(db, alice):
    with pytest.raises(AuthError, match="Wrong username or password"):
        authenticate(db, "alice", "wrong horse", now=T0)


def test_unknown_user_and_wrong_password_read_the_same(db, alice):
    with pytest.raises(AuthError) as wrong_password:
        authenticate(db, "alice", "wrong horse", now=T0)
    with pytest.raises(AuthError) as unknown_user:
        authenticate(db, "nobody", "correct horse", now=T0)
    assert str(wrong_password.value) == str(unknown_user.value)
    assert type(wrong_password.value) is type(unknown_user.value) is AuthError


def test_every_attempt_is_recorded(db, alice):
    authenticate(db, "alice", "correct horse", now=T0)
    with pytest.raises(AuthError):
        authenticate(db, "ghost", "whatever1", now=T0)
    with db.session() as s:
        rows = s.execute(select(LoginAttempt.username, LoginAttempt.succeeded).order_by(LoginAttempt.id)).all()
    assert [tuple(r) for r in rows] == [("alice", True), ("ghost", False)]


def fail(db, username, times, start, step=timedelta(seconds=30)):
    for i in range(times):
        with pytest.raises(AuthError, match="Wrong username"):
            authenticate(db, username, "wrong horse", now=start + i * step)


def test_sixth_attempt_is_refused_even_with_the_right_password(db, alice):
    fail(db, "alice", 5, T0)  # last failure at T0 + 2 min
    with pytest.raises(RateLimited) as info:
        authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=3))
    assert info.value.retry_at == T0 + timedelta(minutes=12)
    assert "Try again in 9 minutes (after 09:12 UTC)" in str(info.value)


def test_lockout_lifts_after_ten_minutes(db, alice):
    fail(db, "alice", 5, T0)
    with pytest.raises(RateLimited):
        authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=11, seconds=59))
    assert authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=12)).id == alice.id


def test_refused_attempts_do_not_extend_the_lockout(db, alice):
    fail(db, "alice", 5, T0)
    for minute in range(3, 12):
        with pytest.raises(RateLimited):
            authenticate(db, "alice", "wrong horse", now=T0 + timedelta(minutes=minute))
    assert authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=12)).id == alice.id


def test_failures_spread_over_more_than_ten_minutes_do_not_lock(db, alice):
    fail(db, "alice", 5, T0, step=timedelta(minutes=3))  # 12 minutes from first to last
    assert authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=13)).id == alice.id


def test_a_success_resets_the_count(db, alice):
    fail(db, "alice", 4, T0)
    authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=2))
    fail(db, "alice", 4, T0 + timedelta(minutes=3))
    assert authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=6)).id == alice.id


def test_unknown_usernames_are_rate_limited_too(db):
    fail(db, "nobody", 5, T0)
    with pytest.raises(RateLimited):
        authenticate(db, "nobody", "anything1", now=T0 + timedelta(minutes=3))


def test_the_lockout_is_per_username(db, alice):
    create_user(db, "bob", "bobs password", "student")
    fail(db, "alice", 5, T0)
    assert authenticate(db, "bob", "bobs password", now=T0 + timedelta(minutes=3)).username == "bob"


def attempts(db, username=None):
    with db.session() as s:
        query = select(LoginAttempt.at).order_by(LoginAttempt.id)
        return list(s.scalars(query.where(LoginAttempt.username == username) if username else query))


def test_a_server_clock_far_ahead_does_not_erase_a_lockout(db, alice, monkeypatch):
    fail(db, "alice", 5, T0)
    monkeypatch.setattr(database, "utcnow", lambda: T0 + timedelta(days=400))  # one server's clock, a year ahead
    with pytest.raises(AuthError):
        authenticate(db, "ghost", "anything1")  # prunes "30-day-old" attempts by its clock
    authenticate(db, "alice", "correct horse")  # that server sees no recent failure (its clock); stored in its future
    monkeypatch.undo()
    assert len(attempts(db, "alice")) == 6
    with pytest.raises(RateLimited):  # the servers with the right time still refuse
        authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=3))
    assert authenticate(db, "alice", "correct horse", now=T0 + timedelta(minutes=12)).id == alice.id


def test_a_server_clock_far_behind_does_not_make_old_failures_count(db, alice, monkeypatch):
    fail(db, "alice", 5, T0 - timedelta(days=400))  # stored by a server whose clock is a year behind
    monkeypatch.setattr(database, "utcnow", lambda: T0 - timedelta(days=400, minutes=-3))
    with pytest.raises(RateLimited):  # on its own clock the lockout runs as usual...
        authenticate(db, "alice", "correct horse")
    monkeypatch.undo()
    # ...and on the right clock those failures are far too old to count, now and later.
    assert authenticate(db, "alice", "correct horse", now=T0).id == alice.id
    assert authenticate(db, "alice", "correct horse", now=T0 + timedelta(days=1)).id == alice.id


def test_old_attempts_are_pruned_beyond_the_newest_kept(db, alice, monkeypatch):
    monkeypatch.setattr(accounts, "RECENT_ATTEMPTS_KEPT", 3)
    fail(db, "ghost", 4, T0 - timedelta(days=40))
    fail(db, "ghost", 1, T0 - timedelta(days=1))
    authenticate(db, "alice", "correct horse", now=T0)
    # Of the five stored before this sign-in, the two oldest by id and by age go; the newest three stay.
    assert attempts(db, "ghost") == [
        T0 - timedelta(days=40, seconds=-60),
        T0 - timedelta(days=40, seconds=-90),
        T0 - timedelta(days=1),
    ]
    assert len(attempts(db)) == 4


def test_aware_now_is_understood_as_utc(db, alice):
    fail(db, "alice", 5, T0)
    eastern = timezone(timedelta(hours=8))
    with pytest.raises(RateLimited):
        authenticate(db, "alice", "correct horse", now=(T0 + timedelta(minutes=3, hours=8)).replace(tzinfo=eastern))


def test_deactivated_account_cannot_sign_in(db, alice):
    create_user(db, "root", "admin password", "administrator")
    set_active(db, alice.id, False)
    with pytest.raises(AuthError, match="Wrong username or password"):
        authenticate(db, "alice", "wrong horse", now=T0)
    with pytest.raises(AuthError, match="deactivated"):
        authenticate(db, "alice", "correct horse", now=T0)
    set_active(db, alice.id, True)
    assert authenticate(db, "alice", "correct horse", now=T0).active is True


# --- administration ---


def test_has_admin_needs_an_active_administrator(db, alice):
    assert not has_admin(db)
    admin = create_user(db, "root", "admin password", "administrator")
    assert has_admin(db)
    second = create_user(db, "root2", "admin password", "administrator")
    set_active(db, second.id, False)
    assert has_admin(db) and get_user(db, admin.id).active


def test_the_last_active_administrator_cannot_be_deactivated(db):
    admin = create_user(db, "root", "admin password", "administrator")
    with pytest.raises(InputError, match="last active administrator"):
        set_active(db, admin.id, False)
    assert has_admin(db)


def test_list_users_is_sorted_and_hides_nothing_it_should_not(db):
    for name in ("carol", "alice", "bob"):
        create_user(db, name, "long enough", "student")
    users = list_users(db)
    assert [u.username for u in users] == ["alice", "bob", "carol"]
    assert all("long enough" not in u.password_hash for u in users)


def test_get_user_returns_none_for_unknown_id(db):
    assert get_user(db, 12345) is None


def test_set_active_on_unknown_user_is_an_input_error(db):
    with pytest.raises(InputError):
        set_active(db, 12345, False)


def test_change_password_with_and_without_the_current_one(db, alice):
    with pytest.raises(AuthError, match="current password"):
        change_password(db, alice.id, "new password 1", current_password="wrong horse")
    change_password(db, alice.id, "new password 1", current_password="correct horse")
    assert authenticate(db, "alice", "new password 1", now=T0).id == alice.id
    change_password(db, alice.id, "admin reset 22")  # an administrator's reset
    with pytest.raises(AuthError):
        authenticate(db, "alice", "new password 1", now=T0)
    assert authenticate(db, "alice", "admin reset 22", now=T0).id == alice.id
    with pytest.raises(InputError, match="at least 8"):
        change_password(db, alice.id, "short")


# --- roles ---


@pytest.mark.parametrize(
    "role, page_role, allowed",
    [
        ("student", "student", True),
        ("student", "educator", False),
        ("student", "administrator", False),
        ("educator", "student", True),
        ("educator", "educator", True),
        ("educator", "administrator", False),
        ("administrator", "student", True),
        ("administrator", "administrator", True),
        ("", "student", False),
        ("hacker", "student", False),
    ],
)
def test_can_access_ranks_roles(role, page_role, allowed):
    assert can_access(role, page_role) is allowed


def test_can_access_rejects_an_unknown_page_role():
    with pytest.raises(ValueError):
        can_access("administrator", "superuser")


def test_an_outdated_hash_is_upgraded_at_sign_in(db, alice, monkeypatch):
    assert ",t=1," in stored_hash(db, "alice")
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=2, memory_cost=8, parallelism=1))
    authenticate(db, "alice", "correct horse", now=T0)
    assert ",t=2," in stored_hash(db, "alice")
