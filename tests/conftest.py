"""Shared test set-up: an isolated TUTOR_HOME, no API keys, small real indexes, the app database on each backend."""

from __future__ import annotations

import os

import pytest

from tests.support.databases import BACKENDS, POSTGRES_URL, SKIP_REASON, empty_database_url
from tutor_app.core.config import load_settings

_KEYS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT")


def pytest_report_header(config):
    return "app database: SQLite and PostgreSQL" if POSTGRES_URL else f"app database: SQLite only ({SKIP_REASON})"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own TUTOR_HOME and no provider keys (so nothing reaches a paid API)."""
    home = tmp_path / "home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    for key in _KEYS:
        monkeypatch.delenv(key, raising=False)
    for key in list(os.environ):
        if key.startswith("TUTOR_") and key != "TUTOR_HOME":
            monkeypatch.delenv(key, raising=False)
    # Tests build the courses they need; the app's background sample ingestion is tested on its own.
    monkeypatch.setenv("TUTOR_SAMPLE_COURSE", "false")
    return home


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """An empty app database's URL: SQLite, and PostgreSQL too when TUTOR_TEST_POSTGRES_URL is set."""
    with empty_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url):
    """The app database, opened on ``database_url`` (so on each backend tested)."""
    from tutor_app.core.database import open_database

    database = open_database(database_url)
    yield database
    database.close()


@pytest.fixture
def settings(isolated_home, tmp_path):
    return load_settings(env={}, secrets_file=tmp_path / "no-secrets.toml", home=isolated_home)


@pytest.fixture
def fake_services(settings):
    """Real Chroma and FTS index in a temp folder, with the fast fake embedder."""
    from tests.support.fakes import HashEmbedding
    from tutor_app.services import build_services

    return build_services(settings, embedder=HashEmbedding())


@pytest.fixture
def real_services(settings):
    """Real Chroma index with the bundled e5 embedder."""
    from tutor_app.services import build_services

    services = build_services(settings)
    yield services
    services.close()
