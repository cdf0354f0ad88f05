"""Local accounts: create, sign in (rate limited), list, deactivate, change password.

Passwords are hashed with argon2id (``argon2-cffi``); the plain text is never
stored. Sign-in failures all read the same ("wrong username or password"),
whether the username exists or not, and every attempt is recorded in
``login_attempts``: five failures for a username within ten minutes refuse
further attempts for that username for ten minutes. Attempts older than 30
days are deleted, except the newest 10,000, so a server whose clock runs far
ahead cannot erase the history that a lockout rests on; attempts stamped in a
server's future are ignored, and those from a clock far behind are too old to
count. Usernames are case-insensitive (stored in lower case).

Roles rank student < educator < administrator; ``can_access`` answers whether
a role may open a page that needs a minimum role. This module does not keep
remembered sign-ins (``sessions`` does) and holds no chat logic.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from tutor_app.core.database import LANGUAGES, ROLES, AuthSession, Database, LoginAttempt, User, as_utc
from tutor_app.core.errors import InputError, TutorError

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)
LOCKOUT = timedelta(minutes=10)
ATTEMPTS_KEPT = timedelta(days=30)
RECENT_ATTEMPTS_KEPT = 10_000  # the newest attempts (by id, not by clock) are kept however old they look
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # hashing a megabyte "password" is a cheap way to load the server
_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,40}")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost
_WRONG = "Wrong username or password."


class AuthError(TutorError):
    """Sign-in refused. The message never says whether the username exists."""


class RateLimited(AuthError):
    """Too many failed sign-ins for one username; ``retry_at`` (naive UTC) says when to try again."""

    def __init__(self, retry_at: datetime, now: datetime) -> None:
        self.retry_at = retry_at
        minutes = max(1, -(-int((retry_at - now).total_seconds()) // 60))  # round up
        super().__init__(
            "Too many failed sign-in attempts for this username.",
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''} (after {retry_at:%H:%M} UTC), "
            "or ask an administrator to reset your password.",
        )


def can_access(role: str, page_role: str) -> bool:
    """True if ``role`` is at least ``page_role`` (a page's minimum role). Unknown user roles get nothing."""
    if page_role not in _RANK:
        raise ValueError(f"unknown page role {page_role!r}; expected one of {ROLES}")
    return _RANK.get(role, -1) >= _RANK[page_role]


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def create_user(
    db: Database,
    username: str,
    password: str,
    role: str,
    language: str = "en",
    display_name: str = "",
) -> User:
    """Add an active account and return it. Raises ``InputError`` saying what to change."""
    name = normalize_username(username)
    if not _USERNAME.fullmatch(name):
        raise InputError.of("err_username_invalid", username=username)
    _check_password(password)
    if role not in ROLES:
        raise InputError.of("err_role_unknown", role=role, choices=", ".join(ROLES))
    if language not in LANGUAGES:
        raise InputError.of("err_language_unknown", language=language)
    display_name = (display_name or "").strip()
    if len(display_name) > 80:
        raise InputError.of("err_display_name_long", limit=80)
    taken = InputError.of("err_username_taken", username=name)
    try:
        with db.session() as s:
            if s.scalar(select(User.id).where(User.username == name)) is not None:
                raise taken
            user = User(
                username=name,
                password_hash=_HASHER.hash(password),
                role=role,
                language=language,
                display_name=display_name,
                active=True,
            )
            s.add(user)
    except IntegrityError as exc:  # created by someone else between the check and the insert
        raise taken from exc
    return user


def authenticate(db: Database, username: str, password: str, now: datetime | None = None) -> User:
    """Return the active user with this username and password, or raise ``AuthError``.

    Raises ``RateLimited`` (an ``AuthError``) while the username is locked out;
    refused attempts are not counted, so a lockout ends on time.
    """
    now = as_utc(now)
    name = normalize_username(username)[:255]  # what login_attempts can hold; real usernames are shorter
    with db.session() as s:
        # Ids grow in the order attempts are stored, whatever the clocks say, so the newest rows survive a
        # server whose clock is a year ahead (to which everything looks old); only older rows go by age.
        newest = s.scalar(select(func.max(LoginAttempt.id))) or 0
        s.execute(
            delete(LoginAttempt).where(LoginAttempt.at < now - ATTEMPTS_KEPT, LoginAttempt.id <= newest - RECENT_ATTEMPTS_KEPT)
        )
        retry_at = _locked_until(s, name, now)
    if retry_at is not None:
        raise RateLimited(retry_at, now)

    with db.session() as s:
        user = s.scalar(select(User).where(User.username == name)) if name else None
        ok = _verify(user.password_hash if user else None, password)
        if ok and user.active and _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        s.add(LoginAttempt(username=name, at=now, succeeded=bool(ok and user.active)))
    if not ok:
        raise AuthError(_WRONG, "Check both and try again.")
    if not user.active:
        raise AuthError.of("err_account_deactivated")
    return user


def has_admin(db: Database) -> bool:
    """True if at least one active administrator exists (else the app offers first-run set-up)."""
    with db.session() as s:
        found = s.scalar(select(User.id).where(User.role == "administrator", User.active.is_(True)).limit(1))
    return found is not None


def list_users(db: Database) -> list[User]:
    """Every account, by username."""
    with db.session() as s:
        return list(s.scalars(select(User).order_by(User.username)))


def get_user(db: Database, user_id: int) -> User | None:
    with db.session() as s:
        return s.get(User, user_id)


def set_active(db: Database, user_id: int, active: bool) -> User:
    """Activate or deactivate an account. The last active administrator cannot be deactivated."""
    with db.session() as s:
        user = _existing(s, user_id)
        if not active and user.role == "administrator" and user.active:
            others = s.scalar(
                select(User.id).where(User.role == "administrator", User.active.is_(True), User.id != user.id).limit(1)
            )
            if others is None:
                raise InputError.of("err_last_admin")
        user.active = bool(active)
    return user


def set_language(db: Database, user_id: int, language: str) -> None:
    """Remember the user's interface language (en or zh)."""
    if language not in ("en", "zh"):
        raise InputError.of("err_language_unknown", language=language)
    with db.session() as s:
        _existing(s, user_id).language = language


def change_password(db: Database, user_id: int, new_password: str, current_password: str | None = None) -> None:
    """Set a new password. Pass ``current_password`` when users change their own (it is checked);
    leave it out for an administrator's reset."""
    _check_password(new_password)
    with db.session() as s:
        user = _existing(s, user_id)
        if current_password is not None and not _verify(user.password_hash, current_password):
            raise AuthError.of("err_current_password_wrong")
        user.password_hash = _HASHER.hash(new_password)
        session_table = AuthSession.__table__
        s.execute(session_table.delete().where(session_table.c.user_id == user_id))  # remembered sign-ins end too


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError.of("err_password_short", limit=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise InputError.of("err_password_long", limit=MAX_PASSWORD)


def _verify(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        # Hash anyway, so an unknown username takes as long as a wrong password.
        _HASHER.hash(password or "")
        return False
    try:
        return _HASHER.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _locked_until(session, username: str, now: datetime) -> datetime | None:
    """End of the lockout started by the 5th failure within 10 minutes, if it is still running."""
    since = now - FAILURE_WINDOW - LOCKOUT
    rows = session.execute(
        select(LoginAttempt.at, LoginAttempt.succeeded)
        .where(LoginAttempt.username == username, LoginAttempt.at > since, LoginAttempt.at <= now)
        .order_by(LoginAttempt.at, LoginAttempt.id)
    ).all()
    failures: list[datetime] = []
    for at, succeeded in rows:
        failures = [] if succeeded else failures + [at]  # a success starts the count again
    until = None
    for i in range(MAX_FAILURES - 1, len(failures)):
        if failures[i] - failures[i - MAX_FAILURES + 1] < FAILURE_WINDOW:
            until = failures[i] + LOCKOUT
    return until if until is not None and now < until else None


def _existing(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise InputError.of("err_no_account", number=user_id)
    return user
