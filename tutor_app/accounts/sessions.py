"""Remembered sign-ins, so a reload or a new tab does not sign a user out.

``start_session`` makes a random token for a signed-in user; the browser keeps
it in a cookie and the database keeps only its SHA-256, with an expiry. A
token stops working when it expires, when its session is ended (sign-out),
or when the account is switched off. This module does not read or write
cookies (``ui`` does) and does not check passwords (``users`` does).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from tutor_app.core.database import AuthSession, Database, User, as_utc, utcnow

SESSION_LIFETIME = timedelta(days=14)
COOKIE_NAME = "tutor_session"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(db: Database, user_id: int, lifetime: timedelta = SESSION_LIFETIME) -> str:
    """A new token for ``user_id``; expired sessions are cleared on the way."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as session:
        session.execute(delete(AuthSession).where(AuthSession.expires_at < now))
        session.add(AuthSession(token_hash=_digest(token), user_id=user_id, created_at=now, expires_at=now + lifetime))
    return token


def user_for_session(db: Database, token: str | None) -> User | None:
    """The active user a token belongs to, or None (unknown, expired, ended, or account switched off)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    with db.session() as session:
        found = session.scalar(select(AuthSession).where(AuthSession.token_hash == _digest(token)))
        if found is None or as_utc(found.expires_at) <= as_utc(utcnow()):
            return None
        user = session.get(User, found.user_id)
        if user is None or not user.active:
            return None
        return user


def end_session(db: Database, token: str | None) -> None:
    if isinstance(token, str) and token:
        with db.session() as session:
            session.execute(delete(AuthSession).where(AuthSession.token_hash == _digest(token)))


def end_all_sessions(db: Database, user_id: int) -> None:
    """Sign a user out everywhere (after a password change or when the account is switched off)."""
    with db.session() as session:
        session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
