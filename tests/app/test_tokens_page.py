"""The Tokens page through AppTest: counts and pieces for an educator, escaped HTML, no access for students."""

import html
import json
import os
import re
import signal

import pytest

from tests.support.apptest import PAGES, add_user, app, app_database, page
from tutor_app.engine.models.server import bundled_model_path
from tutor_app.engine.tokens import encoding

SPAN = re.compile(r'<span title="([^"]*)"[^>]*>(.*?)</span>', re.S)


@pytest.fixture
def db(isolated_home, monkeypatch, tmp_path):
    # No model file: the built-in tokenizer is unavailable at once instead of starting a server (see the slow test).
    monkeypatch.setenv("TUTOR_EMBEDDED_MODEL_PATH", str(tmp_path / "missing.gguf"))
    database = app_database(isolated_home)
    database.teacher = add_user(database, "teacher", "educator")
    database.admin = add_user(database, "admin", "administrator")
    database.alice = add_user(database, "alice", "student")
    return database


def shown_pieces(at) -> list[list[tuple[str, str]]]:
    """Each pieces block as (tooltip, text) pairs, the way a browser shows them (spaces are no-break spaces there)."""
    blocks = [m.value for m in at.markdown if m.value.startswith("<div")]
    return [
        [(html.unescape(t), html.unescape(x).replace("↵<br>", "\n").replace("\xa0", " ")) for t, x in SPAN.findall(b)]
        for b in blocks
    ]


def counts_table(at) -> dict[str, list]:
    table = at.table[0].value
    return {row.iloc[0]: list(row.iloc[1:]) for _, row in table.iterrows()}


def test_an_educator_sees_counts_and_pieces_side_by_side(db):
    at = page("tokens.py", db.teacher).run()
    assert not at.exception
    texts = [at.text_area(key="tokens_en").value, at.text_area(key="tokens_zh").value]
    assert texts[0].isascii() and not texts[1].isascii()
    counts = counts_table(at)
    for name in ("cl100k_base", "o200k_base"):
        en, zh = (len(encoding(name).encode(text)) for text in texts)
        assert [int(counts[name][0]), int(counts[name][2])] == [en, zh]
    assert int(counts["o200k_base"][2]) < int(counts["cl100k_base"][2])  # the lesson's point, in the table
    blocks = shown_pieces(at)
    assert len(blocks) == 4  # two tokenizers x (English, Chinese)
    for block, text in zip(blocks, texts * 2):
        assert "".join(piece for _, piece in block) == text
        assert all(re.fullmatch(r"\d+ token\(s\): \d+( \d+)*", title) for title, _ in block)
    assert any(title.startswith("2 token(s)") and len(piece) == 1 for title, piece in blocks[1])  # a cut character
    assert "unavailable" in at.warning[0].value and not any("missing.gguf" in c.value for c in at.caption)
    costs = at.table[1].value
    assert list(costs.iloc[:, 0]) == ["gpt-4o-mini", "gpt-4o"]


def test_text_is_shown_as_text_never_as_html(db):
    at = page("tokens.py", db.teacher).run()
    attack = "<script>alert('x')</script> **bold** $x$ <img src=x onerror=alert(1)>"
    at.text_area(key="tokens_en").input(attack).run()
    assert not at.exception
    raw = " ".join(m.value for m in at.markdown)
    assert "<script" not in raw and "<img" not in raw and "**bold**" not in raw and "$x$" not in raw
    assert "".join(piece for _, piece in shown_pieces(at)[0]) == attack


def test_an_administrator_reads_why_the_builtin_tokenizer_is_unavailable(db):
    at = page("tokens.py", db.admin).run()
    assert not at.exception and any("missing.gguf" in c.value for c in at.caption)


def test_a_student_cannot_reach_the_page(db):
    at = page("tokens.py", db.alice).run()
    assert not at.exception and "not available" in at.error[0].value
    assert not at.table and not at.text_area
    student = app(db.alice).run()
    assert not student.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered for a student
        student.switch_page(str(PAGES / "tokens.py"))


def test_the_router_offers_the_page_to_an_educator(db):
    at = app(db.teacher).run()
    at.switch_page(str(PAGES / "tokens.py")).run()
    assert not at.exception and at.title[0].value == "Tokens"


@pytest.mark.slow
def test_the_builtin_models_tokenizer_column(isolated_home, monkeypatch):
    if bundled_model_path() is None:
        pytest.skip("the bundled model is not installed (`bash tutor.sh setup`)")
    monkeypatch.setenv("TUTOR_EMBEDDED_PARALLEL", "1")
    monkeypatch.setenv("TUTOR_EMBEDDED_CONTEXT", "512")
    database = app_database(isolated_home)
    at = page("tokens.py", add_user(database, "teacher", "educator"))
    try:
        at.run()
        assert not at.exception and not at.warning
        counts = counts_table(at)
        [builtin] = [name for name in counts if name.startswith("embedded")]
        assert "SmolLM2" in builtin and int(counts[builtin][2]) > int(counts["o200k_base"][2])
        assert len(shown_pieces(at)) == 6
    finally:
        state = isolated_home / "run" / "model-server.json"
        if state.exists():  # the page started the server; stop it
            os.killpg(json.loads(state.read_text())["pid"], signal.SIGTERM)


def test_the_page_speaks_chinese_to_a_chinese_reader(db):
    reader = add_user(db, "laoshi", "educator", language="zh")
    at = page("tokens.py", reader).run()
    assert not at.exception and at.title[0].value == "词元"
    assert "中文词元数" in list(at.table[0].value.columns)
    assert any(m.value.startswith("**cl100k_base：英文") for m in at.markdown)
