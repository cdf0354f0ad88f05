"""Hybrid retrieval with the real bundled embedder on a small bilingual course."""

import pytest

from tests.support.paths import write
from tutor_app.core.errors import IndexStoreError, InputError
from tutor_app.engine.search.index import _translate
from tutor_app.engine.search.retrieval import rrf

pytestmark = pytest.mark.slow

LESSONS = {
    "en/tokens.md": "---\nid: L1\nlang: en\n---\n# Tokens\n\n## What a token is\nA token is a piece of a word; models read and write text as tokens, and the tokenizer decides where one ends.\n",
    "en/temperature.md": "---\nid: L2\nlang: en\n---\n# Sampling\n\n## Temperature\nTemperature sets how random generation is: near 0 the model repeats its most likely answer, near 1 it varies.\n",
    "en/hnsw.md": "---\nid: L3\nlang: en\n---\n# Vector indexes\n\n## HNSW graphs\nHNSW builds a layered graph of neighbours so a vector database finds near vectors without comparing them all.\n",
    "zh/tokens.md": "---\nid: L1\nlang: zh\n---\n# 词元\n\n## 什么是词元\n词元是单词的一部分；模型以词元为单位读写文本，由分词器决定每个词元在哪里结束。\n",
    "zh/temperature.md": "---\nid: L2\nlang: zh\n---\n# 采样\n\n## 温度\n温度决定生成的随机程度：接近 0 时模型重复最可能的回答，接近 1 时回答更多样。\n",
    "zh/hnsw.md": "---\nid: L3\nlang: zh\n---\n# 向量索引\n\n## HNSW 图\nHNSW 构建分层的近邻图，让向量数据库不必逐一比较就能找到相近的向量。\n",
}


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real Chroma server on loopback (`chroma run`), for the HttpClient path."""
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    from tutor_app.engine.models.server import free_port

    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    log = open(tmp_path_factory.mktemp("chroma-log") / "chroma.log", "wb")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-data")), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            assert process.poll() is None, "chroma run exited"
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module", params=["persistent", "http"])
def services(request, tmp_path_factory):
    from tutor_app.core.config import load_settings
    from tutor_app.services import build_services

    root = tmp_path_factory.mktemp("course")
    for name, text in LESSONS.items():
        write(root / name, text)
    chroma_url = request.getfixturevalue("chroma_server") if request.param == "http" else None
    settings = load_settings(env={}, secrets_file=root / "none.toml", home=tmp_path_factory.mktemp("home"), chroma_url=chroma_url)
    services = build_services(settings)
    report = services.ingestor.ingest_paths([root], "demo")
    assert report.ok, report.failed
    return services


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
@pytest.mark.parametrize(
    "query,lang,lesson",
    [
        ("How random is the output at a low temperature?", "en", "L2"),
        ("温度低的时候输出有多随机？", "zh", "L2"),
        ("What is a token?", "en", "L1"),
        ("什么是词元？", "zh", "L1"),
        ("HNSW", "en", "L3"),
    ],
)
def test_the_right_lesson_comes_first(services, query, lang, lesson, mode):
    hits = services.retriever.search(query, k=3, course="demo", lang=lang, mode=mode).hits
    assert hits and hits[0].chunk.lesson_id == lesson and hits[0].chunk.lang == lang


@pytest.mark.parametrize("query,lang,lesson", [("温度是什么意思？", "en", "L2"), ("What does a tokenizer do?", "zh", "L1")])
def test_cross_language_dense_search_finds_the_lesson(services, query, lang, lesson):
    hits = services.retriever.search(query, k=3, course="demo", lang=lang).hits
    assert lesson in [h.chunk.lesson_id for h in hits]


def test_hits_carry_what_the_json_contract_needs(services):
    hit = services.retriever.search("temperature", k=1, course="demo").hits[0]
    data = hit.to_json()
    assert {"source", "heading", "score", "lang", "text"} <= set(data)
    assert data["source"] in LESSONS and data["heading"] == "Temperature" and 0 < data["similarity"] <= 1


def test_course_filter(services):
    assert services.retriever.search("temperature", course="other").hits == []


@pytest.mark.parametrize(
    "on_topic, off_topic",
    [
        ("What does temperature change in generation?", "Who won the football world cup in 2018?"),
        ("温度会改变生成结果的什么？", "2018年世界杯的冠军是谁？"),
    ],
)
def test_grounding_separates_on_and_off_topic(services, on_topic, off_topic):
    """The default rule with e5: the on-topic question clears the course's off-topic level, the other does not."""
    on = services.retriever.search(on_topic, course="demo")
    off = services.retriever.search(off_topic, course="demo")
    assert on.grounding.similarity > off.grounding.similarity and on.grounding.margin > off.grounding.margin
    assert on.grounded and not off.grounded
    assert on.grounding.reference == off.grounding.reference  # one level per course and question language


def test_empty_query_is_refused(services):
    with pytest.raises(InputError, match="empty"):
        services.retriever.search("  \n ")


def test_a_100k_character_query_is_cut_with_a_notice(services):
    result = services.retriever.search("temperature " * 9000, course="demo")
    assert result.hits and "long" in result.notices[0].text("en") and "太长" in result.notices[0].text("zh")


def test_rrf_prefers_what_both_rankers_find():
    scores = rrf([["a", "b", "x"], ["c", "b", "d"]])
    assert max(scores, key=scores.get) == "b"
    assert scores["d"] > 0


def test_chroma_read_only_error_is_translated(settings):
    error = _translate(Exception("attempt to write a readonly database"), settings)
    assert isinstance(error, IndexStoreError) and "TUTOR_HOME" in str(error)


@pytest.mark.parametrize("course, size", [("big", 40), ("small", 3)])
def test_course_filter_gives_the_same_neighbours_by_either_path(fake_services, course, size):
    """The post-filtered fast path (big course) and Chroma's filtered query (small course) agree with brute force."""
    import numpy as np

    from tutor_app.core.schemas import Chunk
    from tutor_app.engine.search.index import where_filter

    index = fake_services.index
    chunks = [
        Chunk(
            id=f"{name}-{i}",
            text=f"{name} passage number {i} about topic {i % 7}",
            course=name,
            source=f"{name}.md",
            heading="H",
            title="T",
            lang="en",
            position=i,
            file_hash="h",
        )
        for name, count in (("big", 40), ("small", 3))
        for i in range(count)
    ]
    index.upsert(chunks, index.embedder([c.text for c in chunks]))
    query = np.asarray(index.embedder.embed_query(["passage about topic 3"])[0], dtype=np.float32)
    got = index.dense_query(query, 3, where_filter(course))
    assert len(got) == 3 and all(cid.startswith(course + "-") for cid, _ in got)
    exact = index.collection.query(query_embeddings=[query], n_results=3, where={"course": course}, include=["distances"])
    # Compare similarities, not ids: passages about the same topic tie.
    assert [round(score, 5) for _, score in got] == [round(1.0 - d, 5) for d in exact["distances"][0]]


def test_where_filter_selects_by_course_lessons_and_language(fake_services):
    from tutor_app.core.schemas import Chunk
    from tutor_app.engine.search.index import where_filter

    index = fake_services.index
    chunks = [
        Chunk(
            id=f"{course}-{lesson}-{lang}",
            text=f"{course} {lesson} {lang}",
            course=course,
            source=f"{lesson}.md",
            heading="H",
            title="T",
            lang=lang,
            lesson_id=lesson,
            position=0,
            file_hash="h",
        )
        for course in ("a", "b")
        for lesson in ("l1", "l2", "l3")
        for lang in ("en", "zh")
    ]
    index.upsert(chunks, index.embedder([c.text for c in chunks]))

    def ids(where):
        return sorted(c.id for batch in index.iter_chunks(where) for c in batch)

    assert where_filter() is None
    assert ids(where_filter("a", "zh", ["l1", "l3"])) == ["a-l1-zh", "a-l3-zh"]
    assert ids(where_filter("b", lessons=["l2"])) == ["b-l2-en", "b-l2-zh"]
    assert ids(where_filter(lessons=["l2"], lang="en")) == ["a-l2-en", "b-l2-en"]


def test_keyword_filters_match_course_and_language_exactly(tmp_path):
    """Course names with spaces, quotes and Chinese become tag tokens; one course never leaks into another."""
    from tutor_app.engine.search.lexical import LexicalIndex

    lexical = LexicalIndex(tmp_path / "lexical.sqlite")
    lexical.add(
        [
            ("a", "temperature controls randomness", 'Intro "AI" 101', "en"),
            ("b", "temperature controls randomness too", "Intro AI 101", "en"),
            ("c", "温度 控制 随机", "生成式人工智能", "zh"),
            ("d", "temperature 温度", "生成式人工智能", "en"),
        ]
    )
    assert [cid for cid, _ in lexical.search("temperature", 10, course='Intro "AI" 101')] == ["a"]
    assert [cid for cid, _ in lexical.search("temperature", 10, course="Intro AI 101")] == ["b"]
    assert {cid for cid, _ in lexical.search("温度", 10, course="生成式人工智能")} == {"c", "d"}
    assert [cid for cid, _ in lexical.search("温度", 10, course="生成式人工智能", lang="zh")] == ["c"]
    # The tags filter; they are not searchable words and do not change scores.
    assert lexical.search("en", 10) == [] and lexical.search("langen", 10) == []
    unfiltered = dict(lexical.search("temperature", 10))
    assert dict(lexical.search("temperature", 10, course="Intro AI 101"))["b"] == pytest.approx(unfiltered["b"])


def test_a_keyword_table_from_an_older_version_is_rebuilt_from_chroma(fake_services):
    """The table without the tags column is dropped on open and refilled from the chunks in Chroma."""
    import sqlite3

    from tutor_app.core.schemas import Chunk
    from tutor_app.engine.search.index import CourseIndex

    index = fake_services.index
    chunks = [
        Chunk(
            id=f"id-{i}",
            text=f"passage {i} about tokens",
            course="demo",
            source="a.md",
            heading="H",
            title="T",
            lang="en",
            position=i,
            file_hash="h",
        )
        for i in range(3)
    ]
    index.upsert(chunks, index.embedder([c.text for c in chunks]))
    path = index.lexical.path
    db = sqlite3.connect(path)
    db.execute("DROP TABLE chunks")
    db.execute("CREATE VIRTUAL TABLE chunks USING fts5(terms, chunk_id UNINDEXED, course UNINDEXED, lang UNINDEXED)")
    db.execute("INSERT INTO chunks VALUES ('stale', 'old-id', 'demo', 'en')")
    db.commit()
    db.close()
    reopened = CourseIndex(fake_services.settings, index.embedder)
    assert reopened.lexical.ids() == {"id-0", "id-1", "id-2"}
    assert {cid for cid, _ in reopened.lexical.search("tokens", 5, course="demo")} == {"id-0", "id-1", "id-2"}
