"""Cross-language keyword bridging: glossary and CC-CEDICT terms for the other language."""

import pytest

from tutor_app.engine.search.bilingual import Bilingual, _cedict_path
from tutor_app.engine.search.lexical import terms


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    return Bilingual(cache_dir=tmp_path_factory.mktemp("cedict-cache"))


@pytest.mark.parametrize(
    "question,expected",
    [
        ("什么是少样本提示？", {"few-shot", "prompt"}),
        ("模型为什么会产生幻觉？", {"hallucination", "model"}),
        ("温度低的时候输出更稳定吗？", {"temperature"}),
    ],
)
def test_chinese_questions_gain_english_terms(bilingual, question, expected):
    assert expected <= set(bilingual.expand(question))


@pytest.mark.parametrize(
    "question,expected",
    [
        ("What is indirect prompt injection?", "间接提示注入"),
        ("How does temperature change the output?", "温度"),
        ("Why do models hallucinate facts? hallucination", "幻觉"),
    ],
)
def test_english_questions_gain_chinese_terms(bilingual, question, expected):
    assert expected in bilingual.expand(question)


def test_glossary_terms_are_segmented_whole(bilingual):
    assert "少样本" in terms("少样本提示需要几个示例")
    assert "检索增强生成" in terms("检索增强生成是什么")


def test_glossary_alone_works_without_the_dictionary(tmp_path):
    glossary = tmp_path / "g.yaml"
    glossary.write_text("- [vector database, 向量数据库]\n", encoding="utf-8")
    only = Bilingual(glossary=glossary, cedict=tmp_path / "missing.txt", cache_dir=tmp_path)
    assert only.expand("向量数据库怎么用") == ["vector", "database"]
    assert "向量数据库" in only.expand("which vector database")


def test_the_dictionary_ships_in_a_package():
    path = _cedict_path()
    assert path is not None and path.stat().st_size > 1_000_000
