"""Accounts for people who sign in through an identity provider (OIDC, Streamlit's ``st.login``).

The provider vouches for who someone is; the app database still decides what
they may do. The first sign-in of a new identity creates an active *student*
account (an administrator can change the role on the Users page); later
sign-ins find the same account by the provider's issuer and subject, never by
e-mail alone (an address can change hands). Such accounts have no usable
password, so local sign-in cannot open them. This module does not talk to the
provider (Streamlit does) and does not keep sessions.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from tutor_app.core.database import LANGUAGES, Database, User
from tutor_app.core.errors import InputError

NO_PASSWORD = "!external"  # not an argon2 hash: verification always fails
_NOT_ALLOWED = re.compile(r"[^a-z0-9_.-]+")


def user_for_identity(db: Database, issuer: str, subject: str, email: str = "", name: str = "", language: str = "en") -> User:
    """The account for an identity, created as a student on its first sign-in."""
    if not subject:
        raise InputError(
            "The identity provider sent no subject for this sign-in.",
            "Check the provider's settings under [auth] in .streamlit/secrets.toml.",
        )
    key = f"{issuer}|{subject}"[:255]
    with db.session() as s:
        found = s.scalar(select(User).where(User.external_subject == key))
        if found is not None:
            return found
        base = _NOT_ALLOWED.sub("-", (email.split("@")[0] if email else name or "user").lower()).strip("-._")[:30] or "user"
        base = base if len(base) >= 3 else f"{base}-user"
        username, n = base, 1
        while s.scalar(select(User.id).where(User.username == username)) is not None:
            n += 1
            username = f"{base}-{n}"
        user = User(
            username=username,
            password_hash=NO_PASSWORD,
            role="student",
            language=language if language in LANGUAGES else "en",
            display_name=(name or "")[:80],
            active=True,
            external_subject=key,
        )
        s.add(user)
        s.flush()
        return user
