"""Index failures heal without a restart, keyword-index errors are IndexStoreError, and the two indexes stay in step.

Real Chroma and SQLite in a temp folder with the fast hash embedder; a second SQLite connection holds the
keyword index's write lock, as another ingestion or app server would.
"""

import sqlite3

import pytest

from tests.support.fakes import HashEmbedding
from tests.support.paths import write
from tutor_app.core.errors import IndexStoreError
from tutor_app.engine.ingest.pipeline import Ingestor
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
    monkeypatch.setattr(index.lexical, "delete", lambda ids: (_ for _ in ()).throw(IndexStoreError("locked")))
    assert index.catch_up() is False  # the failure is logged; the search goes on
    assert "ghost" in index.lexical.ids()
    monkeypatch.undo()
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    assert index.catch_up() is True and index.check_consistency().ok


def _other_server(settings, folder) -> CourseIndex:
    """A second app server on the same Chroma collection, with a keyword index of its own."""
    other = CourseIndex(settings, HashEmbedding(), sync=False)
    other.lexical = lexical_module.LexicalIndex(folder / "other-lexical.sqlite")
    return other


def test_an_unchanged_index_is_not_compared_again(indexed, monkeypatch):
    index = indexed.index
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    index.catch_up()  # takes in the revision the ingestion set
    compared = []
    monkeypatch.setattr(index, "check_consistency", lambda: compared.append(1))
    assert index.catch_up() is False and index.catch_up() is False
    assert compared == []


def test_every_write_changes_the_shared_revision_and_reading_does_not(indexed, tmp_path):
    index = indexed.index
    other = _other_server(indexed.settings, tmp_path)
    first = index.revision()
    index.catch_up()
    index.get(index.all_ids())
    assert index.revision() == first == other.revision()
    chunk = index.get(sorted(index.all_ids())[:1])[0][0]
    other.rename_course("demo", "renamed")
    renamed = index.revision()
    other.delete([chunk.id])
    assert len({first, renamed, index.revision()}) == 3
    reopened = CourseIndex(indexed.settings, HashEmbedding(), sync=False).collection
    assert reopened.metadata["embedder"] == "test-hash"  # the rest of the metadata is kept


def test_a_replacement_that_keeps_the_count_is_caught_up(indexed, monkeypatch, tmp_path):
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    index = indexed.index
    index.catch_up()
    other = _other_server(indexed.settings, tmp_path)
    old = other.get(sorted(other.all_ids()))[0][0]
    new = old.model_copy(update={"id": "replaced-" + old.id, "text": old.text + " Quillwort examples come last."})
    before = index.count()
    other.upsert([new], HashEmbedding()([new.text]))
    other.delete([old.id])
    assert index.count() == before  # a count comparison cannot see this
    assert not index.lexical.search("quillwort", 5)
    assert index.catch_up() is True
    assert [cid for cid, _ in index.lexical.search("quillwort", 5)] == [new.id]
    assert index.check_consistency().ok


def test_a_course_renamed_by_another_server_is_caught_up(indexed, monkeypatch, tmp_path):
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    index = indexed.index
    index.catch_up()
    _other_server(indexed.settings, tmp_path).rename_course("demo", "prompting")
    assert index.catch_up() is True
    assert index.lexical.courses() == {"prompting"}
    assert index.lexical.search("few-shot", 5, course="prompting") and not index.lexical.search("few-shot", 5, course="demo")


def test_a_course_the_keyword_index_lacks_keeps_the_dense_filter(indexed, tmp_path):
    index = indexed.index
    write(tmp_path / "d" / "tokens.md", OTHER)
    other = build_services(indexed.settings, embedder=HashEmbedding())
    other.index.lexical = lexical_module.LexicalIndex(tmp_path / "other-lexical.sqlite")
    assert other.ingestor.ingest_paths([tmp_path / "d"], "tokens").ok
    # Not caught up yet: this server's keyword index knows only "demo", Chroma holds "tokens" too.
    vector = HashEmbedding()(["a token is a piece of a word that the tokenizer cuts"])[0]
    hits = index.dense_query(vector, 3, {"course": "demo"}, index.count())
    chunks, _ = index.get([cid for cid, _ in hits])
    assert chunks and {c.course for c in chunks} == {"demo"}


def test_a_collection_another_server_rebuilt_is_followed(indexed, monkeypatch, tmp_path):
    monkeypatch.setattr(index_module, "CATCH_UP_S", 0.0)
    index = indexed.index
    other = _other_server(indexed.settings, tmp_path)
    other.reset()  # as `reindex` does: the collection is deleted and made again
    rebuilt = _other_server(indexed.settings, tmp_path)
    write(tmp_path / "d" / "tokens.md", OTHER)
    assert Ingestor(indexed.settings, rebuilt).ingest_paths([tmp_path / "d"], "demo").ok
    assert index.catch_up() is True
    assert index.collection.id == rebuilt.collection.id
    result = indexed.retriever.search("tokenizer", mode="lexical", course="demo")
    assert [hit.chunk.source for hit in result.hits] == ["tokens.md"]
    assert index.check_consistency().ok


def test_an_embedder_mismatch_on_auto_says_which_setting_keeps_the_index():
    from tutor_app.core.config import Settings
    from tutor_app.engine.search.index import _embedder_hint

    hint = _embedder_hint(Settings(home="/tmp/unused", openai_api_key="sk-test"), "persisted: tutor-e5-small-q4")
    assert "TUTOR_EMBEDDER=e5" in hint and "reindex" in hint
    assert "TUTOR_EMBEDDER back" in _embedder_hint(Settings(home="/tmp/unused", embedder="e5"), "tutor-openai")
