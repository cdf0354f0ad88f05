"""Ingestion into a real persistent Chroma index: idempotence, replacement, bad files."""

import os

import pytest

from tests.conftest import write
from tests.support.fakes import HashEmbedding
from tutor_app.core.errors import IndexStoreError
from tutor_app.services import build_services

LESSON = "# Lesson {n}\n\n## Part A\n{body}\n\n## Part B\nTokens, prompts and temperature for lesson {n}.\n"


def _course(folder, count=3):
    for n in range(count):
        write(folder / f"lesson{n}.md", LESSON.format(n=n, body=f"Embeddings turn text {n} into vectors."))
    return folder


class _Counting:
    """Wraps the index's write methods to count calls."""

    def __init__(self, index, monkeypatch):
        self.writes = 0
        for name in ("upsert", "delete"):
            original = getattr(index, name)

            def counted(*args, _original=original, **kwargs):
                self.writes += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(index, name, counted)


def test_reingesting_unchanged_files_writes_nothing(fake_services, tmp_path, monkeypatch):
    folder = _course(tmp_path / "c")
    first = fake_services.ingestor.ingest_paths([folder], "demo")
    assert first.ok and first.changed_files == 3 and first.added > 0
    count = fake_services.index.count()
    counter = _Counting(fake_services.index, monkeypatch)
    again = fake_services.ingestor.ingest_paths([folder], "demo")
    assert again.unchanged_files == 3 and again.added == 0 and counter.writes == 0
    assert fake_services.index.count() == count


def test_changed_file_replaces_its_old_chunks(fake_services, tmp_path):
    folder = _course(tmp_path / "c", count=1)
    fake_services.ingestor.ingest_paths([folder], "demo")
    before = set(fake_services.index.source_hashes("demo")["lesson0.md"])
    write(folder / "lesson0.md", LESSON.format(n=0, body="A completely new explanation of vectors."))
    report = fake_services.ingestor.ingest_paths([folder], "demo")
    after = fake_services.index.source_hashes("demo")["lesson0.md"]
    assert report.changed_files == 1 and report.removed >= 1
    assert len(set(after.values())) == 1, "every chunk carries the new file hash"
    assert before & set(after), "the unchanged section keeps its chunk id"
    texts = " ".join(c.text for chunks in fake_services.index.iter_chunks() for c in chunks)
    assert "completely new" in texts and "Embeddings turn text 0" not in texts
    assert fake_services.index.lexical.ids() == set(fake_services.index.all_ids())


def test_same_file_in_two_courses_is_kept_apart(fake_services, tmp_path):
    folder = _course(tmp_path / "c", count=1)
    fake_services.ingestor.ingest_paths([folder], "one")
    fake_services.ingestor.ingest_paths([folder], "two")
    assert set(fake_services.index.courses()) == {"one", "two"}


@pytest.mark.parametrize("name,content,reason", [
    ("broken.pdf", b"%PDF-1.4\n garbage that is not a pdf", "PDF"),
    ("binary.md", bytes(range(256)) * 4, "binary"),
    ("empty.md", b"", "empty"),
    ("big.md", b"word " * 300_000, "limit"),
    ("notes.docx", b"PK\x03\x04 zip", "unsupported"),
])
def test_a_bad_file_is_skipped_with_a_reason_and_the_rest_go_on(fake_services, tmp_path, name, content, reason):
    folder = _course(tmp_path / "c", count=2)
    write(folder / name, content)
    settings = fake_services.settings.model_copy(update={"max_file_mb": 1})
    fake_services.ingestor.settings = settings
    report = fake_services.ingestor.ingest_paths([folder, folder / name], "demo")
    assert report.changed_files == 2
    assert not report.ok and any(name in line and reason.lower() in line.lower() for line in report.failed), report.failed
    assert {c.source for chunks in fake_services.index.iter_chunks() for c in chunks} == {"lesson0.md", "lesson1.md"}


def test_gbk_text_is_indexed_with_a_notice(fake_services, tmp_path):
    write(tmp_path / "c" / "gbk.txt", "# 提示工程\n\n少样本提示会给模型几个示例。".encode("gbk"))
    report = fake_services.ingestor.ingest_paths([tmp_path / "c"], "demo")
    assert report.ok and any("GBK" in n for n in report.notices)
    chunks = [c for batch in fake_services.index.iter_chunks() for c in batch]
    assert chunks[0].lang == "zh" and "少样本" in chunks[0].text


def test_missing_path_is_reported(fake_services, tmp_path):
    report = fake_services.ingestor.ingest_paths([tmp_path / "nope"], "demo")
    assert not report.ok and "no such file" in report.failed[0]


def test_metadata_from_front_matter_reaches_the_index(fake_services, tmp_path):
    write(tmp_path / "c" / "l.md", "---\nid: L7\ntitle: Vectors\nlang: en\nobjectives:\n  - id: o1\n    text: Explain embeddings\n    bloom: understand\n---\n# Vectors\n\n## Why\nEmbeddings map text to vectors.\n")
    fake_services.ingestor.ingest_paths([tmp_path / "c"], "demo")
    chunk = next(iter(fake_services.index.iter_chunks()))[0]
    assert (chunk.course, chunk.source, chunk.title, chunk.lesson_id, chunk.heading, chunk.lang) == ("demo", "l.md", "Vectors", "L7", "Why", "en")
    assert chunk.objectives[0].text == "Explain embeddings" and chunk.objectives[0].bloom == "understand"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere, so a read-only folder cannot be simulated")
def test_read_only_home_is_a_clear_error(settings, tmp_path):
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(0o500)
    with pytest.raises(IndexStoreError, match="TUTOR_HOME"):
        build_services(settings.with_home(home), embedder=HashEmbedding())


def test_home_that_cannot_be_created_is_a_clear_error(settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(IndexStoreError, match="TUTOR_HOME"):
        build_services(settings.with_home(blocker / "home"), embedder=HashEmbedding())


def test_index_built_with_another_embedder_says_how_to_reindex(settings, tmp_path):
    services = build_services(settings, embedder=HashEmbedding())
    services.ingestor.ingest_paths([_course(tmp_path / "c", count=1)], "demo")
    with pytest.raises(IndexStoreError, match="reindex"):
        build_services(settings)  # the bundled e5 embedder: 384 dimensions, not 64


def test_raw_dimension_mismatch_is_translated(settings, tmp_path):
    """Even if the embedder names match, vectors of the wrong size get a re-index message."""
    services = build_services(settings, embedder=HashEmbedding(dimensions=64))
    services.ingestor.ingest_paths([_course(tmp_path / "c", count=1)], "demo")
    import numpy as np

    with pytest.raises(IndexStoreError, match="reindex"):
        services.index.dense_query(np.ones(32, dtype=np.float32), 3, None)


def test_lexical_twin_is_rebuilt_when_it_drifts(settings, tmp_path):
    services = build_services(settings, embedder=HashEmbedding())
    services.ingestor.ingest_paths([_course(tmp_path / "c")], "demo")
    services.index.lexical.clear()
    reopened = build_services(settings, embedder=HashEmbedding())
    assert reopened.index.lexical.ids() == set(reopened.index.all_ids())


def test_reindex_after_an_embedder_change(settings, tmp_path):
    from tutor_app.engine.search.index import reset_index

    folder = _course(tmp_path / "c", count=1)
    build_services(settings, embedder=HashEmbedding()).ingestor.ingest_paths([folder], "demo")
    reset_index(settings)
    services = build_services(settings)  # the bundled e5 embedder now opens the emptied index
    assert services.index.count() == 0
    assert services.ingestor.ingest_paths([folder], "demo").ok and services.index.count() > 0
