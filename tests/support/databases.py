"""App databases for the store tests: SQLite always, PostgreSQL too when ``TUTOR_TEST_POSTGRES_URL`` is set.

``.ci/run`` starts a throwaway PostgreSQL server and sets the variable; without it the tests run on SQLite
only, and the header of the test run and one skipped test say how to add PostgreSQL. Every test gets an empty database: an SQLite file of its own, or a schema
of its own on the PostgreSQL server (``search_path`` points at it; it is dropped afterwards), which is much
faster than a database per test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

POSTGRES_VARIABLE = "TUTOR_TEST_POSTGRES_URL"
# Read once, at import: the test set-up removes every TUTOR_ variable from the environment of each test.
POSTGRES_URL = os.environ.get(POSTGRES_VARIABLE, "").strip()
SKIP_REASON = (
    f"PostgreSQL variants of the app database tests: set {POSTGRES_VARIABLE}=postgresql+psycopg://user:password@host/db "
    "(a database the user owns) to run them; .ci/run does"
)
# Without a server the PostgreSQL variants are not generated at all (the header of the run says so, and one
# test is skipped with SKIP_REASON), rather than a hundred identical skips in the summary.
BACKENDS = ("sqlite", "postgresql") if POSTGRES_URL else ("sqlite",)


@contextmanager
def empty_database_url(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty app database on ``backend`` ("sqlite" or "postgresql"), removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'tutor.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip(SKIP_REASON)
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
