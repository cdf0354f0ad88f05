"""Index failures heal without a restart, keyword-index errors are IndexStoreError, and the two indexes stay in step.

Real Chroma and SQLite in a temp folder with the fast hash embedder; a second SQLite connection holds the
keyword index's write lock, as another ingestion or app server would.
"""

import sqlite3

import pytest

from tests.support.fakes import HashEmbedding
from tests.support.paths import write
from tutor_app.core.errors import IndexStoreError
from tutor_app.engine.search import index as index_module
from tutor_app.engine.search import lexical as lexical_module
from tutor_app.engine.search.index import CourseIndex
from tutor_app.services import build_services

LESSON = "# Prompts\n\n## Few-shot prompts\nA few-shot prompt puts worked examples before the task.\n\n## Zero-shot\nNo examples at all.\n"
OTHER = "# Tokens\n\n## What a token is\nA token is a piece of a word that the tokenizer cuts.\n"


@pytest.fixture
def indexed(fake_services, tmp_path):
    write(tmp_path / "c" / "prompts.md", LESSON)
    assert fake_services.ingestor.ingest_paths([tmp_path / "c"], "demo").ok
    return fake_services


def _copies(index: CourseIndex, prefix: str):
    """New chunks (fresh ids) with the stored chunks' text and vectors."""
    chunks, vectors = index.get(index.all_ids(), with_embeddings=True)
    return [c.model_copy(update={"id": prefix + c.id[len(prefix) :]}) for c in chunks], vectors


def _lock(index: CourseIndex) -> sqlite3.Connection:
    """Another connection that holds the keyword index's write lock until it is rolled back."""
    other = sqlite3.connect(index.lexical.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_failed_start_is_not_kept_so_the_next_build_works(settings):
    blocker = settings.home / "chroma"
    settings.home.mkdir(parents=True)
    blocker.write_text("not a folder")  # chromadb's start fails, as on a read-only folder
    with pytest.raises(IndexStoreError):
        build_services(settings, embedder=HashEmbedding())
    blocker.unlink()  # the administrator fixes the folder; no restart
    services = build_services(settings, embedder=HashEmbedding())
    assert services.index.count() == 0 and services.index.check_consistency().ok


def test_a_locked_keyword_index_is_an_index_store_error_after_a_short_wait(indexed, monkeypatch):
    monkeypatch.setattr(lexical_module, "BUSY_TIMEOUT_S", 0.2)
    index = CourseIndex(indexed.settings, HashEmbedding())
    other = _lock(index)
    try:
        with pytest.raises(IndexStoreError) as caught:
            index.lexical.add([("x", "text", "demo", "en")])
    finally:
        other.rollback()
        other.close()
    assert caught.value.key == "err_keyword_index_locked"
    assert "locked" in caught.value.message("en") and "锁定" in caught.value.message("zh")
    assert not isinstance(caught.value.__cause__, IndexStoreError) and isinstance(caught.value.__cause__, sqlite3.Error)


def test_a_broken_keyword_index_is_an_index_store_error(tmp_path):
    path = tmp_path / "lexical.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(IndexStoreError) as caught:
        lexical_module.LexicalIndex(path)
    assert caught.value.key == "err_keyword_index_failed" and "doctor --repair" in str(caught.value)


def test_a_keyword_write_failure_removes_the_chunks_just_written_to_chroma(indexed, monkeypatch):
    monkeypatch.setattr(lexical_module, "BUSY_TIMEOUT_S", 0.2)
    index = CourseIndex(indexed.settings, HashEmbedding())
    before = index.count()
    chunks, vectors = _copies(index, "new-")
    other = _lock(index)
    try:
        with pytest.raises(IndexStoreError):
            index.upsert(chunks, vectors)
        assert index.count() == before  # Chroma's new chunks were removed again
    finally:
        other.rollback()
        other.close()
    assert index.check_consistency().ok
    index.upsert(chunks, vectors)  # the lock is gone: the same write works
    assert index.count() == 2 * before and index.check_consistency().ok


def test_a_chroma_write_failure_leaves_both_as_they_were(indexed, monkeypatch):
    index = indexed.index
    before = (index.count(), index.lexical.count())
    chunks, vectors = _copies(index, "new-")
    calls = []

    def upsert_then_fail(**kwargs):
        calls.append(kwargs["ids"])
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real_upsert(**kwargs)

    real_upsert = index.collection.upsert
    monkeypatch.setattr(index_module, "_BATCH", 1)  # one chunk per batch: the second batch fails
    monkeypatch.setattr(index.collection, "upsert", upsert_then_fail)
    with pytest.raises(IndexStoreError, match="is full"):
        index.upsert(chunks, vectors)
    assert (index.count(), index.lexical.count()) == before and index.check_consistency().ok


def test_check_consistency_names_the_differences_and_repair_removes_them(indexed):
    index = indexed.index
    ids = sorted(index.all_ids())
    index.lexical.delete(ids[:1])
    index.lexical.add([("ghost", "a passage Chroma does not have", "demo", "en")])
    report = index.check_consistency()
    assert not report.ok
    assert report.missing == ids[:1] and report.extra == ["ghost"] and report.moved == []
    assert report.differing == ["demo"] and report.courses["demo"] == (len(ids), len(ids))
    assert index.repair_lexical(report) == (1, 1)
    assert index.check_consistency().ok and index.lexical.ids() == set(ids)


def test_a_renamed_course_in_one_index_only_is_found_and_repaired(indexed):
    index = indexed.index
    chunks, _ = index.get(index.all_ids())
    index.lexical.add([(c.id, c.text, "elsewhere", c.lang) for c in chunks[:1]])
    report = index.check_consistency()
    assert report.moved == [chunks[0].id] and report.differing == ["demo", "elsewhere"]
    assert report.courses["elsewhere"] == (0, 1)
    index.repair_lexical()
    assert index.check_consistency().ok and index.lexical.search("few-shot", 5, course="demo")


def test_a_search_catches_up_with_chunks_another_server_wrote(indexed, monkeypatch, tmp_path):
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    index = indexed.index
    write(tmp_path / "d" / "tokens.md", OTHER)
    # Another app server sharing the collection: its chunks reach Chroma, not this server's keyword index.
    other = build_services(indexed.settings, embedder=HashEmbedding())
    other.index.lexical = lexical_module.LexicalIndex(tmp_path / "other-lexical.sqlite")
    assert other.ingestor.ingest_paths([tmp_path / "d"], "demo").ok
    assert index.lexical.count() < index.count()
    result = indexed.retriever.search("tokenizer", mode="lexical", course="demo")
    assert index.check_consistency().ok
    assert any("tokenizer" in hit.chunk.text for hit in result.hits)


def test_catch_up_waits_between_checks_and_never_raises(indexed, monkeypatch):
    index = indexed.index
    index.lexical.add([("ghost", "a passage Chroma does not have", "demo", "en")])
    assert index.catch_up() is False  # checked less than CATCH_UP_S ago (at start-up)
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    monkeypatch.setattr(index.lexical, "count", lambda: (_ for _ in ()).throw(IndexStoreError("locked")))
    assert index.catch_up() is False  # the failure is logged; the search goes on
    monkeypatch.undo()
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    assert index.catch_up() is True and index.check_consistency().ok


def test_an_embedder_mismatch_on_auto_says_which_setting_keeps_the_index():
    from tutor_app.core.config import Settings
    from tutor_app.engine.search.index import _embedder_hint

    hint = _embedder_hint(Settings(home="/tmp/unused", openai_api_key="sk-test"), "persisted: tutor-e5-small-q4")
    assert "TUTOR_EMBEDDER=e5" in hint and "reindex" in hint
    assert "TUTOR_EMBEDDER back" in _embedder_hint(Settings(home="/tmp/unused", embedder="e5"), "tutor-openai")
