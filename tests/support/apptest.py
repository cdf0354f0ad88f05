"""What the app tests share: where the app's scripts are, its accounts, a small indexed course, AppTest runners.

``app()`` and ``page()`` load the entry script or one page file for AppTest, with a user already signed in
when one is given (the session as the sign-in form leaves it); ``sign_in`` goes through the form instead.
``app_database``, ``add_user`` and ``index_course`` prepare a TUTOR_HOME the same way for AppTest and for
the real-browser tests (``browser.py``). Fixtures live in ``tests/app/conftest.py``; nothing here runs a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support.paths import ROOT
from tutor_app.accounts.users import create_user, list_users
from tutor_app.app.ui import LANG_KEY, USER_KEY
from tutor_app.core.config import load_settings
from tutor_app.core.database import Database, User, default_database_url, open_database
from tutor_app.services import build_services

APP = ROOT / "tutor_app" / "app" / "main.py"
PAGES = ROOT / "tutor_app" / "app" / "app_pages"
PASSWORD = "correct horse battery"
# A run that embeds passages or reaches a dead model server takes long on two shared cores.
TIMEOUT_S = 180
FEW_SHOT_LESSON = (
    "# Prompts\n\n## Few-shot prompts\nA few-shot prompt puts worked examples before the task so the model copies their format.\n"
)


def app(user: User | None = None) -> AppTest:
    """The whole app from its entry script, not run yet."""
    return _signed_in(AppTest.from_file(str(APP), default_timeout=TIMEOUT_S), user)


def page(name: str, user: User | None = None) -> AppTest:
    """One file of ``app_pages`` on its own, without the router, not run yet."""
    return _signed_in(AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT_S), user)


def _signed_in(at: AppTest, user: User | None) -> AppTest:
    if user is not None:
        at.session_state[USER_KEY] = user.id
        at.session_state[LANG_KEY] = user.language
    return at


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Run the signed-out app ``at``, fill in the sign-in form, submit it and run again."""
    at.run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[-1].click()
    return at.run()


def app_database(home: Path | None = None, env: Mapping[str, str] | None = None) -> Database:
    """The app's database in ``home`` (default: TUTOR_HOME), configured from ``env`` (default: the environment)."""
    return open_database(default_database_url(load_settings(env=env, home=home)))


def add_user(db: Database, username: str, role: str, language: str = "en") -> User:
    """An active account whose password is ``PASSWORD``."""
    return create_user(db, username, PASSWORD, role, language=language)


def find_user(db: Database, username: str) -> User:
    return next(user for user in list_users(db) if user.username == username)


def index_course(home: Path, paths: Iterable[Path], course: str = "demo", env: Mapping[str, str] | None = None) -> None:
    """Index ``paths`` (files or folders) as ``course`` in ``home`` with the real embedder."""
    services = build_services(load_settings(env=env, home=home))
    try:
        assert services.ingestor.ingest_paths(list(paths), course).ok
    finally:
        services.close()
