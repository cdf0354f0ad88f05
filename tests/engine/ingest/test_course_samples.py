"""The real course lessons in ../shared/course-samples load, clean and chunk well.

The lesson text is read from disk at run time; none of it is copied here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import SAMPLES
from tutor_app.engine.ingest.chunking import chunk_document, split_sections
from tutor_app.engine.ingest.loaders import load_bytes
from tutor_app.engine.tokens import count_tokens

if not (SAMPLES / "en").is_dir() or not (SAMPLES / "zh").is_dir():
    pytest.skip(
        f"course samples not found at {SAMPLES} (expected en/ and zh/ folders of Markdown lessons)",
        allow_module_level=True,
    )

FILES = sorted(SAMPLES.glob("en/*.md")) + sorted(SAMPLES.glob("zh/*.md"))
CRLF_LESSON = SAMPLES / "en" / "04-prompt-engineering-fundamentals.md"


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(params=FILES, ids=_id)
def lesson(request, settings):
    path: Path = request.param
    data = path.read_bytes()
    return path, data, load_bytes(data, path.name, settings.max_file_bytes)


def test_samples_are_present_in_both_languages():
    assert len(list(SAMPLES.glob("en/*.md"))) >= 4
    assert len(list(SAMPLES.glob("zh/*.md"))) >= 4


def test_samples_really_contain_what_the_cleanup_removes():
    """Guards the cleanup tests below: the raw lessons do have comments, links and CRLF."""
    raw = [p.read_bytes() for p in FILES]
    assert any(b"<!--" in data for data in raw)
    assert sum(b"](http" in data for data in raw) >= len(FILES) // 2
    assert b"\r\n" in CRLF_LESSON.read_bytes()


def test_lesson_loads_with_the_right_language(lesson):
    path, data, doc = lesson
    assert doc.lang == path.parent.name
    assert doc.notices == []  # all samples are UTF-8
    assert doc.title and "](" not in doc.title and "#" not in doc.title
    assert doc.lesson_id == path.stem
    assert len(doc.text) > 0.5 * len(data.decode("utf-8"))  # cleanup must not throw the lesson away


def test_cleaned_text_has_no_comments_or_link_syntax(lesson):
    _, _, doc = lesson
    assert "<!--" not in doc.text
    assert "-->" not in doc.text
    assert "](http" not in doc.text
    assert "\r" not in doc.text


def test_lesson_has_sections_with_headings(lesson):
    _, _, doc = lesson
    sections = split_sections(doc.text)
    assert len(sections) >= 5
    assert all(s.path for s in sections[1:])


def test_crlf_lesson_splits_like_its_lf_version(settings):
    crlf = CRLF_LESSON.read_bytes()
    lf = crlf.replace(b"\r\n", b"\n")
    assert lf != crlf
    doc_crlf = load_bytes(crlf, CRLF_LESSON.name, settings.max_file_bytes)
    doc_lf = load_bytes(lf, CRLF_LESSON.name, settings.max_file_bytes)
    sections_crlf = split_sections(doc_crlf.text)
    sections_lf = split_sections(doc_lf.text)
    assert len(sections_crlf) == len(sections_lf) >= 10
    assert [s.path for s in sections_crlf] == [s.path for s in sections_lf]
    assert doc_crlf.text == doc_lf.text
    assert doc_crlf.title == doc_lf.title


def test_chunks_are_within_the_token_limit(lesson, settings):
    path, _, doc = lesson
    chunks = chunk_document(doc, "samples", _id(path), settings.chunk_tokens, settings.chunk_overlap)
    assert len(chunks) >= 5
    assert len({c.id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.text.strip()
        assert count_tokens(chunk.text) <= settings.chunk_tokens
        assert "\ufffd" not in chunk.text
        assert "<!--" not in chunk.text and "](http" not in chunk.text
        assert chunk.lang == path.parent.name


@pytest.mark.parametrize("max_tokens, overlap", [(100, 20), (200, 40)])
def test_chunks_are_within_smaller_token_limits(lesson, max_tokens, overlap):
    path, _, doc = lesson
    for chunk in chunk_document(doc, "samples", _id(path), max_tokens, overlap):
        assert chunk.text.strip()
        assert count_tokens(chunk.text) <= max_tokens
