"""Lexical ranking (BM25) that handles English and Chinese.

Chinese has no spaces, so text is segmented with jieba (search mode, which
also emits the shorter words inside long ones); English is lower-cased, split
into words and lightly stemmed. The terms go into a SQLite FTS5 table beside
the vector index, which ranks with its built-in ``bm25``; course and language
are tag tokens in a second, unscored column, so a filter is a posting-list
intersection inside the match. The table is a
derived copy of the chunks in Chroma: ``index`` keeps it in sync and rebuilds
it when the two disagree. This module knows nothing of embeddings.

A connection waits up to ``BUSY_TIMEOUT_S`` seconds for another writer's lock;
SQLite's failures (locked, read-only, disk full, corrupt) leave this module as
``IndexStoreError``, never as ``sqlite3`` exceptions.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import threading
from functools import lru_cache, wraps
from pathlib import Path

from tutor_app.core.errors import IndexStoreError
from tutor_app.engine.text import CJK_RUN, SEARCH_STOP_WORDS_EN, SEARCH_STOP_WORDS_ZH, stem

_log = logging.getLogger(__name__)
BUSY_TIMEOUT_S = 5  # how long a statement waits for another connection's lock before failing
_WORD = re.compile(r"[a-z0-9][a-z0-9_\-.]*[a-z0-9]|[a-z0-9]")
_jieba_lock = threading.Lock()
_user_words: set[str] = set()


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def add_words(words) -> None:
    """Teach the segmenter whole words (course terms) so they are not split."""
    jieba = _jieba()
    with _jieba_lock:
        for word in words:
            if CJK_RUN.search(word) and word not in _user_words:
                jieba.add_word(word, freq=200000)
                _user_words.add(word)


def segmenter_signature() -> str:
    """Changes whenever the segmenter learns words, so stored terms can be recomputed."""
    return hashlib.sha1("\n".join(sorted(_user_words)).encode("utf-8")).hexdigest()[:16]


def terms(text: str) -> list[str]:
    """The searchable terms of a text, in order, stop words removed."""
    lowered = text.lower()
    out: list[str] = []
    pos = 0
    for match in CJK_RUN.finditer(lowered):
        out.extend(_latin_terms(lowered[pos : match.start()]))
        with _jieba_lock:
            words = list(_jieba().cut_for_search(match.group()))
        out.extend(w for w in words if w.strip() and w not in SEARCH_STOP_WORDS_ZH)
        pos = match.end()
    out.extend(_latin_terms(lowered[pos:]))
    return out


def _latin_terms(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text) if w not in SEARCH_STOP_WORDS_EN]


def _course_tag(course: str) -> str:
    """One searchable token per course name, whatever characters the name holds."""
    return "c" + hashlib.sha1(course.encode("utf-8")).hexdigest()[:16]


def _lang_tag(lang: str) -> str:
    return "lang" + re.sub(r"[^a-z0-9]", "", lang.lower())


def _fts_query(query_terms: list[str]) -> str:
    unique = list(dict.fromkeys(t.replace('"', "") for t in query_terms if t.replace('"', "")))
    return " OR ".join(f'"{t}"' for t in unique)


def _sqlite_errors(method):
    """Re-raise SQLite's failures in ``method`` as ``IndexStoreError``."""

    @wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise keyword_index_error(exc, self.path) from exc

    return guarded


def keyword_index_error(exc: sqlite3.Error, path: str) -> IndexStoreError:
    """The error for a failed SQLite call on the keyword index; ``path`` goes to the log only (students may see the message)."""
    _log.warning("The keyword index %s failed: %s", path, exc)
    if "locked" in str(exc).lower() or "busy" in str(exc).lower():
        return IndexStoreError.of("err_keyword_index_locked", seconds=BUSY_TIMEOUT_S)
    return IndexStoreError.of("err_keyword_index_failed", error=str(exc))


class LexicalIndex:
    """A BM25 index in SQLite FTS5, keyed by chunk id, filterable by course and language."""

    @_sqlite_errors
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._local = threading.local()
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            columns = [row[1] for row in db.execute("PRAGMA table_info(chunks)")]
            if columns and "tags" not in columns:
                # A table from before the tags column: drop it; the index rebuilds it from Chroma.
                db.execute("DROP TABLE chunks")
                db.execute("DROP TABLE IF EXISTS rowids")
            db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5("
                "terms, tags, chunk_id UNINDEXED, course UNINDEXED, lang UNINDEXED, tokenize='unicode61')"
            )
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            # FTS5 cannot index chunk_id, so deleting by it would scan the table; map ids to rowids.
            db.execute("CREATE TABLE IF NOT EXISTS rowids (chunk_id TEXT PRIMARY KEY, row INTEGER NOT NULL)")
            row = db.execute("SELECT value FROM meta WHERE key = 'segmenter'").fetchone()
            if row is None or row[0] != segmenter_signature():
                # Terms were cut by another segmenter: drop them; the index rebuilds them from Chroma.
                db.execute("DELETE FROM chunks")
                db.execute("DELETE FROM rowids")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('segmenter', ?)", (segmenter_signature(),))

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            self._local.db = db
        return db

    @_sqlite_errors
    def add(self, items: list[tuple[str, str, str, str]]) -> None:
        """Add (chunk_id, text, course, lang) rows, replacing rows with the same ids."""
        if not items:
            return
        rows = [
            (" ".join(terms(text)), f"{_course_tag(course)} {_lang_tag(lang)}", cid, course, lang)
            for cid, text, course, lang in items
        ]
        with self._db() as db:
            self._delete(db, [r[2] for r in rows])
            for row in rows:
                rowid = db.execute(
                    "INSERT INTO chunks (terms, tags, chunk_id, course, lang) VALUES (?, ?, ?, ?, ?)", row
                ).lastrowid
                db.execute("INSERT OR REPLACE INTO rowids VALUES (?, ?)", (row[2], rowid))

    @staticmethod
    def _delete(db: sqlite3.Connection, ids: list[str]) -> None:
        for cid in ids:
            found = db.execute("SELECT row FROM rowids WHERE chunk_id = ?", (cid,)).fetchone()
            if found:
                db.execute("DELETE FROM chunks WHERE rowid = ?", found)
                db.execute("DELETE FROM rowids WHERE chunk_id = ?", (cid,))

    @_sqlite_errors
    def delete(self, ids: list[str]) -> None:
        with self._db() as db:
            self._delete(db, ids)

    @_sqlite_errors
    def clear(self) -> None:
        with self._db() as db:
            db.execute("DELETE FROM chunks")
            db.execute("DELETE FROM rowids")

    @_sqlite_errors
    def ids(self) -> set[str]:
        return {row[0] for row in self._db().execute("SELECT chunk_id FROM rowids")}

    @_sqlite_errors
    def count(self) -> int:
        return self._db().execute("SELECT count(*) FROM chunks").fetchone()[0]

    @_sqlite_errors
    def courses(self) -> set[str]:
        return {row[0] for row in self._db().execute("SELECT DISTINCT course FROM chunks")}

    @_sqlite_errors
    def courses_by_id(self) -> dict[str, str]:
        """{chunk_id: course} for every stored chunk (the consistency check compares it with Chroma)."""
        return dict(self._db().execute("SELECT chunk_id, course FROM chunks"))

    @_sqlite_errors
    def stored_terms(self, ids: list[str]) -> set[str]:
        """The terms stored for these chunks (already segmented, so no second pass through jieba)."""
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        rows = self._db().execute(
            f"SELECT terms FROM chunks WHERE rowid IN (SELECT row FROM rowids WHERE chunk_id IN ({marks}))", ids
        )
        return {term for (text,) in rows for term in text.split()}

    @_sqlite_errors
    def search(
        self, query: str | list[str], k: int, course: str | None = None, lang: str | None = None
    ) -> list[tuple[str, float]]:
        """Best first (chunk_id, bm25 score) pairs; higher score is better."""
        expression = _fts_query(terms(query) if isinstance(query, str) else query)
        if not expression:
            return []
        # Filtering on the tags inside MATCH lets FTS5 intersect posting lists; a condition on an
        # UNINDEXED column would read every matching row (measured: 11 ms more at 10,000 chunks).
        expression = f"terms : ({expression})"
        if course:
            expression += f" AND tags : {_course_tag(course)}"
        if lang:
            expression += f" AND tags : {_lang_tag(lang)}"
        # Weight 0 for the tags column: they filter, they do not score. bm25() is negative
        # (lower is better); flip it so higher is better.
        sql = "SELECT chunk_id, bm25(chunks, 1.0, 0.0) AS rank FROM chunks WHERE chunks MATCH ? ORDER BY rank LIMIT ?"
        return [(cid, -rank) for cid, rank in self._db().execute(sql, (expression, k))]
