"""The course index: a Chroma collection plus its lexical (BM25) twin.

Opens an embedded ``PersistentClient`` under ``TUTOR_HOME`` by default, or an
``HttpClient`` when ``chroma_url`` is set. Always passes the configured
embedding function, records which embedder built the vectors, and refuses to
mix embedders. Chroma's raw failures (read-only folder, dimension mismatch)
become ``IndexStoreError`` messages that say what to do. Ingestion and
retrieval both use this class and never import each other.

The consistency rule: Chroma is the record, the keyword index a copy of it.
Every write goes to Chroma first, then to the keyword index. If either fails,
``upsert`` removes the chunks it added from both again; a keyword-index write
that cannot be undone leaves its ids to be re-copied from Chroma before the
next write. ``check_consistency`` compares the two per course and
``repair_lexical`` makes the keyword index match Chroma again (``doctor`` runs
both); ``catch_up`` does it cheaply on searches, so an app server follows
writes made by another one sharing the Chroma collection.

How a server notices another's writes: every write (upsert, delete, rename)
ends by setting a fresh revision in the collection's metadata, which all
servers share through Chroma. ``catch_up`` reads it (one metadata lookup,
about 1-3 ms against a ``chroma run`` server) at most every ``CATCH_UP_S``
seconds and re-compares the two indexes only when it changed, or when the
counts differ (a writer that died before setting its revision). So a
replacement that keeps the chunk count, or a renamed course, is followed too.
A server whose collection was deleted and re-created by another (``reindex``)
switches to the new one.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from tutor_app.core.config import Settings
from tutor_app.core.errors import IndexStoreError
from tutor_app.core.schemas import Chunk
from tutor_app.engine.search.bilingual import default_bilingual
from tutor_app.engine.search.embeddings import embedder_id, make_embedder
from tutor_app.engine.search.lexical import LexicalIndex

_BATCH = 500
_POST_FILTER_FACTOR = 4  # unfiltered neighbours fetched per wanted hit before falling back to a filtered query
CATCH_UP_S = 1.0  # how often, at most, a search reads the shared revision (a few ms) to follow other servers
REVISION_KEY = "revision"  # collection metadata: changed by every write, so other servers know to catch up
_log = logging.getLogger(__name__)


@dataclass
class Consistency:
    """How the keyword index differs from Chroma, per course and by chunk id."""

    courses: dict[str, tuple[int, int]] = field(default_factory=dict)  # every course: (Chroma count, keyword count)
    differing: list[str] = field(default_factory=list)  # the courses whose chunks differ, by count or by ids
    missing: list[str] = field(default_factory=list)  # in Chroma, not in the keyword index
    extra: list[str] = field(default_factory=list)  # in the keyword index, not in Chroma
    moved: list[str] = field(default_factory=list)  # in both, under different courses

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.moved)


def _lexical_rows(chunks: Iterable[Chunk]) -> list[tuple[str, str, str, str]]:
    return [(c.id, f"{c.title}\n{c.heading}\n{c.text}", c.course, c.lang) for c in chunks]


def _translate(exc: Exception, settings: Settings) -> IndexStoreError:
    text = str(exc)
    if "readonly" in text.lower() or "read-only" in text.lower() or isinstance(exc, PermissionError):
        return IndexStoreError(
            f"The index folder {settings.home} is not writable ({text}).",
            "Point TUTOR_HOME (or --home) at a folder you can write to.",
        )
    if "disk is full" in text.lower() or "no space left" in text.lower():
        return IndexStoreError(
            f"The disk holding the index ({settings.home}) is full; nothing was changed.",
            "Free space there (or point TUTOR_HOME at a larger disk), then try again.",
        )
    if "dimension" in text.lower():
        return IndexStoreError(
            f"The index was built with a different embedding model ({text}).",
            "Re-index: run `python -m tutor_app reindex` (or delete the index folder and ingest again), "
            "or switch TUTOR_EMBEDDER back to the model that built it.",
        )
    return IndexStoreError(f"The search index failed: {text}", "Check the index folder or the Chroma server, then try again.")


def _embedder_hint(settings: Settings, built_with: str) -> str:
    """How to get past an embedder mismatch; with TUTOR_EMBEDDER=auto, say what the automatic choice did."""
    other = next((kind for kind in ("e5", "openai") if kind in built_with.lower() and kind != settings.embedder_kind), None)
    if settings.embedder == "auto" and other:
        return (
            f"TUTOR_EMBEDDER is 'auto', which picks '{settings.embedder_kind}' with the current model settings "
            f"(an OpenAI key and no base URL pick OpenAI's embeddings). Set TUTOR_EMBEDDER={other} to keep this index, "
            "or re-index with `python -m tutor_app reindex`."
        )
    return "Re-index with `python -m tutor_app reindex`, or set TUTOR_EMBEDDER back to the model that built the index."


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexStoreError(
            f"Cannot create {folder}: {exc.strerror}.", "Point TUTOR_HOME (or --home) at a folder you can write to."
        ) from exc
    if not os.access(folder, os.W_OK):
        raise IndexStoreError(
            f"The folder {folder} is not writable.", "Point TUTOR_HOME (or --home) at a folder you can write to."
        )


class CourseIndex:
    """Chunks with their vectors (Chroma) and terms (FTS5), kept in step."""

    def __init__(self, settings: Settings, embedder=None, *, sync: bool = True) -> None:
        """Open (or create) the collection and its keyword index; ``sync`` re-copies a keyword index that differs."""
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        home = Path(settings.home)
        _check_writable(home)
        try:
            self.client = _client(settings)
            self.collection = self.client.get_or_create_collection(
                settings.collection,
                embedding_function=self.embedder,
                metadata={"embedder": embedder_id(self.embedder), "hnsw:space": "cosine"},
            )
        except IndexStoreError:
            raise
        except Exception as exc:  # chromadb raises many types; all mean "cannot open"
            if "embedding function" in str(exc).lower():
                raise IndexStoreError(
                    f"The index was built with another embedding model ({exc}).", _embedder_hint(settings, str(exc))
                ) from exc
            raise _translate(exc, settings) from exc
        built_with = (self.collection.metadata or {}).get("embedder")
        if built_with and built_with != embedder_id(self.embedder):
            raise IndexStoreError(
                f"The index was built with '{built_with}' but '{embedder_id(self.embedder)}' is configured.",
                _embedder_hint(settings, built_with),
            )
        suffix = "" if not settings.chroma_url else "-" + (urlparse(settings.chroma_url).hostname or "remote")
        if settings.bilingual_search:
            # The glossary's words are part of the segmenter; a process that opened the keyword index without
            # them (doctor, coverage) would see another segmenter's terms and drop them all.
            default_bilingual()
        self.lexical = LexicalIndex(home / f"lexical-{settings.collection}{suffix}.sqlite")
        self._course_cache: tuple[int, set[str]] | None = None
        self._unsynced: set[str] = set()  # ids whose keyword-index entry may differ from Chroma's
        self._checked_at = time.monotonic()
        self._catch_up_lock = threading.Lock()
        # The shared revision the keyword index was last compared with Chroma at (None: not yet compared).
        self._seen_revision: str | None = None
        self._revision_broken = False  # setting the revision failed once: do not try again (see ``_bump``)
        if sync:
            revision = self._stored_revision(self.collection)
            self.sync_lexical()
            self._seen_revision = revision

    # --- writing -------------------------------------------------------
    def upsert(self, chunks: list[Chunk], embeddings: list[np.ndarray]) -> None:
        """Write chunks to Chroma, then to the keyword index, batch by batch.

        If a write fails, the chunks this call added (ids Chroma did not hold before) are removed from both
        again. Ids Chroma already held keep their entries: a chunk id hashes its text, so both stay right."""
        if not chunks:
            return
        self._settle()
        held = self._held([c.id for c in chunks])
        written: list[str] = []  # sent to Chroma
        copied: list[str] = []  # also in the keyword index
        try:
            for start in range(0, len(chunks), _BATCH):
                part = chunks[start : start + _BATCH]
                written += [c.id for c in part]  # before the call: a failed upsert may have stored some
                try:
                    self.collection.upsert(
                        ids=[c.id for c in part],
                        documents=[c.text for c in part],
                        metadatas=[c.to_metadata() for c in part],
                        embeddings=[np.asarray(e, dtype=np.float32) for e in embeddings[start : start + _BATCH]],
                    )
                except Exception as exc:
                    raise _translate(exc, self.settings) from exc
                self.lexical.add(_lexical_rows(part))
                copied += [c.id for c in part]
        except BaseException:
            self._undo([cid for cid in written if cid not in held], [cid for cid in copied if cid not in held])
            raise
        self._bump()

    def delete(self, ids: list[str]) -> None:
        if not ids:
            return
        self._settle()
        try:
            for start in range(0, len(ids), _BATCH):
                self.collection.delete(ids=ids[start : start + _BATCH])
        except Exception as exc:
            self._unsynced.update(ids)  # some may be gone from Chroma already
            raise _translate(exc, self.settings) from exc
        self._bump()
        try:
            self.lexical.delete(ids)
        except IndexStoreError:
            self._unsynced.update(ids)
            raise

    def _bump(self) -> None:
        """Set a fresh revision in the collection's metadata, so other app servers know to catch up.

        Called after a successful write only, and never again in this process once setting it failed: on a
        full disk Chroma's next change of the collection after a failed one blocks for good (seen with
        ``benchmarks/faults.py`` disk_full). A failed write is undone, or leaves unsynced ids and a changed
        count, which other servers still notice; so does ``doctor``. A failure is logged, not raised."""
        if self._revision_broken:
            return
        revision = f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"  # unique, so no two writers set the same value
        # Chroma keeps the distance in the collection's configuration and refuses "hnsw:" keys in a change.
        kept = {k: v for k, v in (self.collection.metadata or {}).items() if not k.startswith("hnsw:")}
        try:
            self.collection.modify(metadata=kept | {REVISION_KEY: revision})
        except Exception as exc:
            self._revision_broken = True
            _log.warning(
                "Could not mark the search index as changed for other app servers (%s); until this server restarts, "
                "they follow its writes by the chunk count only.",
                exc,
            )

    def _held(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` Chroma holds."""
        try:
            return {
                cid
                for start in range(0, len(ids), _BATCH)
                for cid in self.collection.get(ids=ids[start : start + _BATCH], include=[])["ids"]
            }
        except Exception as exc:
            raise _translate(exc, self.settings) from exc

    def _undo(self, ids: list[str], copied: list[str]) -> None:
        """Remove chunks a failed write added (``copied``: those the keyword index got too); what cannot be
        removed now is re-copied from Chroma later."""
        if not ids:
            return
        try:
            for start in range(0, len(ids), _BATCH):
                self.collection.delete(ids=ids[start : start + _BATCH])
            if copied:
                self.lexical.delete(copied)
        except Exception:
            _log.warning("Could not undo a failed index write of %d chunks; the keyword index will be repaired.", len(ids))
            self._unsynced.update(ids)

    def _settle(self) -> None:
        """Re-copy the ids an earlier failed write left unsynced (raises if the keyword index still fails)."""
        if self._unsynced:
            ids = sorted(self._unsynced)
            self._copy_to_lexical(ids)
            self._unsynced.difference_update(ids)

    def _copy_to_lexical(self, ids: list[str]) -> int:
        """Make the keyword index hold exactly Chroma's version of ``ids``; returns how many Chroma holds."""
        held = 0
        for start in range(0, len(ids), _BATCH):
            part = ids[start : start + _BATCH]
            try:
                chunks, _ = self.get(part)
            except Exception as exc:
                raise _translate(exc, self.settings) from exc
            present = {c.id for c in chunks}
            self.lexical.delete([cid for cid in part if cid not in present])
            self.lexical.add(_lexical_rows(chunks))
            held += len(chunks)
        return held

    def sync_lexical(self) -> None:
        """Make the lexical twin hold exactly Chroma's chunks, if it does not."""
        report = self.check_consistency()
        if not report.ok:
            self.repair_lexical(report)

    def check_consistency(self) -> Consistency:
        """Compare Chroma and the keyword index: chunk counts per course, and which ids differ."""
        try:
            dense = self._courses_by_id()
        except Exception as exc:
            raise _translate(exc, self.settings) from exc
        keyword = self.lexical.courses_by_id()
        dense_counts, keyword_counts = Counter(dense.values()), Counter(keyword.values())
        report = Consistency(
            courses={course: (dense_counts[course], keyword_counts[course]) for course in sorted(dense_counts | keyword_counts)},
            missing=sorted(set(dense) - set(keyword)),
            extra=sorted(set(keyword) - set(dense)),
            moved=sorted(cid for cid in set(dense) & set(keyword) if dense[cid] != keyword[cid]),
        )
        touched = {dense[cid] for cid in report.missing + report.moved} | {keyword[cid] for cid in report.extra + report.moved}
        report.differing = sorted(touched)
        return report

    def repair_lexical(self, report: Consistency | None = None) -> tuple[int, int]:
        """Re-copy into the keyword index what differs from Chroma; returns (chunks added, chunks removed)."""
        report = report or self.check_consistency()
        added = self._copy_to_lexical(report.missing + report.moved)
        self.lexical.delete(report.extra)
        self._unsynced.clear()
        self._course_cache = None
        return added, len(report.extra)

    def catch_up(self, total: int | None = None) -> bool:
        """Follow writes another app server made to a shared collection; returns whether the index changed.

        At most every ``CATCH_UP_S`` seconds, the shared revision is read and Chroma's count (``total``, if
        the caller has it) compared with the keyword index's. Only when the revision moved, the counts differ,
        or a failed write here left ids unsynced, are the two indexes compared and the keyword index repaired.
        Failures are logged, not raised: a search goes on with what the keyword index holds."""
        now = time.monotonic()
        if now - self._checked_at < CATCH_UP_S or not self._catch_up_lock.acquire(blocking=False):
            return False
        try:
            self._checked_at = now
            current = self._current_collection()
            revision = self._stored_revision(current)
            if current.id != self.collection.id:
                # Another server deleted and re-created the collection (reindex): use the new one, if its
                # vectors come from this server's embedder (a search with another one would fail anyway).
                built_with = (current.metadata or {}).get("embedder")
                if built_with and built_with != embedder_id(self.embedder):
                    _log.warning(
                        "The search index was rebuilt with '%s'; this server embeds with '%s'.",
                        built_with,
                        embedder_id(self.embedder),
                    )
                    return False
                self.collection, total = current, None
            total = self.count() if total is None else total
            if revision == self._seen_revision and not self._unsynced and self.lexical.count() == total:
                return False
            self._course_cache = None
            added, removed = self.repair_lexical()
            # The revision read before the comparison: a write after it sets another one, seen next time.
            self._seen_revision = revision
            if added or removed:
                _log.info("The keyword index caught up with the search index: %d added, %d removed.", added, removed)
            return True
        except Exception as exc:
            _log.warning("The keyword index could not catch up with the search index: %s", exc)
            return False
        finally:
            self._catch_up_lock.release()

    def revision(self) -> str:
        """The shared revision of the collection, which every write changes (a cache key for course lists)."""
        try:
            current = self._current_collection()
        except Exception as exc:
            raise _translate(exc, self.settings) from exc
        return f"{current.id}/{self._stored_revision(current)}"

    def _current_collection(self):
        """The collection as the Chroma store holds it now (its metadata is re-read; one lookup)."""
        return self.client.get_collection(self.settings.collection, embedding_function=self.embedder)

    @staticmethod
    def _stored_revision(collection) -> str:
        return str((collection.metadata or {}).get(REVISION_KEY, ""))

    def _courses_by_id(self) -> dict[str, str]:
        out: dict[str, str] = {}
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=5000, offset=offset)
            if not got["ids"]:
                return out
            out.update((cid, (meta or {}).get("course", "")) for cid, meta in zip(got["ids"], got["metadatas"]))
            offset += len(got["ids"])

    # --- reading -------------------------------------------------------
    def count(self) -> int:
        return self.collection.count()

    def all_ids(self) -> list[str]:
        return self.collection.get(include=[])["ids"]

    def iter_chunks(self, where: dict | None = None):
        offset = 0
        while True:
            got = self.collection.get(where=where, include=["documents", "metadatas"], limit=_BATCH, offset=offset)
            if not got["ids"]:
                return
            yield [Chunk.from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
            offset += len(got["ids"])

    def source_hashes(self, course: str) -> dict[str, dict[str, str]]:
        """For each source of a course: {chunk_id: file_hash}."""
        out: dict[str, dict[str, str]] = {}
        offset = 0
        while True:
            got = self.collection.get(where={"course": course}, include=["metadatas"], limit=5000, offset=offset)
            if not got["ids"]:
                return out
            for cid, meta in zip(got["ids"], got["metadatas"]):
                out.setdefault(meta["source"], {})[cid] = meta.get("file_hash", "")
            offset += len(got["ids"])

    def get(self, ids: list[str], with_embeddings: bool = False) -> tuple[list[Chunk], list[np.ndarray]]:
        if not ids:
            return [], []
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        got = self.collection.get(ids=ids, include=include)
        by_id = {i: k for k, i in enumerate(got["ids"])}
        chunks, vectors = [], []
        for cid in ids:
            if cid in by_id:
                k = by_id[cid]
                chunks.append(Chunk.from_record(cid, got["documents"][k], got["metadatas"][k]))
                if with_embeddings:
                    vectors.append(np.asarray(got["embeddings"][k], dtype=np.float32))
        return chunks, vectors

    def dense_query(
        self, query_vector: np.ndarray, n: int, where: dict | None, total: int | None = None
    ) -> list[tuple[str, float]]:
        """Best first (chunk_id, cosine similarity).

        With a filter, the unfiltered HNSW neighbours are tried first and filtered here:
        Chroma answers a ``where`` that keeps most of a large collection by scanning
        every allowed vector (about 70 ms at 10,000 chunks on 2 cores, against 2 ms
        unfiltered). Only when too few of those neighbours pass (a small course in
        a big index, where Chroma's filtered path is fast anyway) is Chroma's own
        filtered query run.
        """
        try:
            total = self.count() if total is None else total  # the caller may know it already
            if where and set(where) == {"course"} and self._courses(total) == {where["course"]}:
                where = None  # the index holds only this course: nothing to filter
            if where:
                wanted = _equalities(where)
                pool = min(total, _POST_FILTER_FACTOR * n)
                got = self.collection.query(
                    query_embeddings=[query_vector], n_results=max(pool, 1), include=["distances", "metadatas"]
                )
                kept = [
                    (cid, 1.0 - float(d))
                    for cid, d, meta in zip(got["ids"][0], got["distances"][0], got["metadatas"][0])
                    if all((meta or {}).get(key) == value for key, value in wanted.items())
                ]
                if len(kept) >= n:
                    return kept[:n]
            got = self.collection.query(query_embeddings=[query_vector], n_results=n, where=where, include=["distances"])
        except Exception as exc:
            raise _translate(exc, self.settings) from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], got["distances"][0])]

    def _courses(self, total: int) -> set[str]:
        """The courses in the index, re-read from the lexical twin whenever the chunk count changes.

        Empty (so no filter is dropped) while the keyword index lags behind Chroma, as when another server
        has just added a course that this one has not caught up with yet."""
        if self._course_cache is None or self._course_cache[0] != total:
            self._course_cache = (total, self.lexical.courses() if self.lexical.count() == total else set())
        return self._course_cache[1]

    def courses(self) -> Counter:
        counts: Counter = Counter()
        for chunks in self.iter_chunks():
            counts.update(c.course for c in chunks)
        return counts

    def reset(self) -> None:
        """Drop every chunk (used by `reindex` after an embedder change)."""
        try:
            self.client.delete_collection(self.settings.collection)
        except Exception as exc:
            raise _translate(exc, self.settings) from exc
        self.lexical.clear()

    # --- library (administrator console) -------------------------------
    def languages(self, course: str) -> set[str]:
        """The languages the course has passages in (one cheap lookup per language)."""
        return {
            lang for lang in ("en", "zh") if self.collection.get(where=where_filter(course, lang), limit=1, include=[])["ids"]
        }

    def holds_file(self, file_hash: str) -> bool:
        """Whether any course has chunks of the file with this content hash."""
        try:
            return bool(self.collection.get(where={"file_hash": file_hash}, limit=1, include=[])["ids"])
        except Exception as exc:
            raise _translate(exc, self.settings) from exc

    def documents(self, course: str) -> list[dict]:
        """One row per source of a course: chunk count, languages, title, lesson id, file hash."""
        rows: dict[str, dict] = {}
        for chunks in self.iter_chunks(where={"course": course}):
            for c in chunks:
                row = rows.setdefault(
                    c.source,
                    {
                        "source": c.source,
                        "chunks": 0,
                        "langs": set(),
                        "title": c.title,
                        "lesson_id": c.lesson_id,
                        "file_hash": c.file_hash,
                    },
                )
                row["chunks"] += 1
                row["langs"].add(c.lang)
        return [row | {"langs": sorted(row["langs"])} for _, row in sorted(rows.items())]

    def delete_source(self, course: str, source: str) -> int:
        """Delete one document's chunks (dense and lexical); returns how many went."""
        ids = list(self.source_hashes(course).get(source, {}))
        self.delete(ids)
        return len(ids)

    def delete_course(self, course: str) -> int:
        ids = [cid for hashes in self.source_hashes(course).values() for cid in hashes]
        self.delete(ids)
        return len(ids)

    def rename_course(self, old: str, new: str) -> int:
        """Move every chunk of ``old`` to ``new`` in Chroma's metadata and in the lexical twin."""
        self._course_cache = None  # the count stays the same, the names do not
        moved = [c.model_copy(update={"course": new}) for chunks in self.iter_chunks(where={"course": old}) for c in chunks]
        try:
            for start in range(0, len(moved), _BATCH):
                part = moved[start : start + _BATCH]
                self.collection.update(ids=[c.id for c in part], metadatas=[c.to_metadata() for c in part])
        except Exception as exc:
            self._unsynced.update(c.id for c in moved)  # some batches may have moved already
            raise _translate(exc, self.settings) from exc
        finally:
            if moved:
                self._bump()
        try:
            self.lexical.add(_lexical_rows(moved))
        except IndexStoreError:
            self._unsynced.update(c.id for c in moved)
            raise
        return len(moved)


def _client(settings: Settings):
    """An embedded PersistentClient under TUTOR_HOME, or an HttpClient for a Chroma server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = SharedSystemClient._identifier_to_system
    before = set(systems)
    try:
        return chromadb.PersistentClient(path=str(Path(settings.home) / "chroma"), settings=chroma_settings)
    except Exception:
        # chromadb keeps one system per folder and stores it before starting it: a start that failed (a
        # read-only folder) would be handed to every later client, broken, until the process restarts.
        for identifier in set(systems) - before:
            if identifier not in SharedSystemClient._identifier_to_refcount:
                systems.pop(identifier, None)
        raise


def where_filter(course: str | None = None, lang: str | None = None, lessons: Iterable[str] | None = None) -> dict | None:
    """A Chroma ``where`` for chunks of ``course`` in ``lang`` from one of ``lessons`` (None: any); None if unfiltered.

    Other modules build their filters here, so only this module knows Chroma's filter syntax."""
    clauses = [{"course": course}] if course else []
    if lessons is not None:
        clauses.append({"lesson_id": {"$in": list(lessons)}})
    if lang:
        clauses.append({"lang": lang})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _equalities(where: dict) -> dict:
    """``where_filter``'s output ({key: value} or {"$and": [...]}) as a flat {key: value}.

    A lessons clause maps to {"$in": [...]}, which no metadata value equals, so such a filter falls through
    to Chroma's own filtered query."""
    clauses = where.get("$and", [where])
    return {key: value for clause in clauses for key, value in clause.items()}


def reset_index(settings: Settings) -> None:
    """Delete the collection and its lexical twin, whatever embedder built them."""
    home = Path(settings.home)
    _check_writable(home)
    try:
        client = _client(settings)
        if settings.collection in [c.name for c in client.list_collections()]:
            client.delete_collection(settings.collection)
    except Exception as exc:
        raise _translate(exc, settings) from exc
    for stale in home.glob(f"lexical-{settings.collection}*.sqlite*"):
        stale.unlink()
