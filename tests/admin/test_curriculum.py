"""Learning objectives: uploaded YAML/CSV parsed or refused naming the line; merged with front matter."""

import pytest

from tests.support.paths import write
from tutor_app.admin.curriculum import CurriculumError, CurriculumStore, course_objectives, parse_objectives
from tutor_app.core.database import open_database

GOOD_YAML = """objectives:
  - id: o1
    text: Explain what a token is
    bloom: understand
  - id: o2
    text: Apply few-shot prompting
    bloom: Apply
"""

GOOD_CSV = 'id,text,bloom\no1,"Explain tokens, words and characters",understand\no2,解释什么是嵌入向量,remember\n'


def test_yaml_objectives_are_read():
    objectives = parse_objectives(GOOD_YAML.encode(), "curriculum.yaml")
    assert [(o.id, o.text, o.bloom) for o in objectives] == [
        ("o1", "Explain what a token is", "understand"),
        ("o2", "Apply few-shot prompting", "apply"),
    ]


def test_a_bare_yaml_list_is_accepted_too():
    text = "- id: a\n  text: Define RAG\n  bloom: remember\n"
    assert parse_objectives(text.encode(), "c.yml")[0].id == "a"


def test_csv_objectives_are_read_with_quoted_commas_and_chinese():
    objectives = parse_objectives(GOOD_CSV.encode(), "c.csv")
    assert [o.text for o in objectives] == ["Explain tokens, words and characters", "解释什么是嵌入向量"]
    assert objectives[1].bloom == "remember"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("objectives:\n  - id: o1\n    text: [unclosed\n", 4, "not valid YAML"),  # the parser notices at the end of input
        ("objectives:\n  - id: o1\n    text: fine\n  - id: o2\n    bloom: apply\n", 4, "no 'text'"),
        ("objectives:\n  - id: o1\n    text: fine\n    bloom: memorise\n", 2, "not a Bloom level"),
        ("objectives:\n  - id: o1\n    text: a\n  - id: o1\n    text: b\n", 4, "used twice"),
        ("objectives:\n  - just a string\n", 2, "must be a mapping"),
        ("title: my course\n", 1, "'objectives:' key"),
    ],
)
def test_malformed_yaml_is_refused_naming_the_line(text, line, words):
    with pytest.raises(CurriculumError) as caught:
        parse_objectives(text.encode(), "bad.yaml")
    assert f"bad.yaml line {line}" in caught.value.problem and words in caught.value.problem
    assert caught.value.fix  # every refusal says what to do


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            'id,text,bloom\no1,"Explain tokens,understand\no2,Define RAG,remember\n',
            2,
            "malformed CSV",
        ),  # the quote opened on line 2
        ("id,text,bloom\no1,Explain tokens,understand,extra\n", 2, "4 fields"),
        ("name,description\no1,Explain tokens\n", 1, "header"),
        ("id,text,bloom\no1,,understand\n", 2, "no text"),
        ("id,text,bloom\no1,Explain tokens,understand\no2,Define RAG,guess\n", 3, "not a Bloom level"),
    ],
)
def test_malformed_csv_is_refused_naming_the_line(text, line, words):
    with pytest.raises(CurriculumError) as caught:
        parse_objectives(text.encode(), "bad.csv")
    assert f"bad.csv line {line}" in caught.value.problem and words in caught.value.problem


@pytest.mark.parametrize("data", [b"", b"   \n", b"\xff\xfe\x00bad"])
def test_empty_or_binary_files_are_refused(data):
    with pytest.raises(CurriculumError):
        parse_objectives(data, "empty.csv")


def test_front_matter_and_uploaded_objectives_merge_by_id(fake_services, tmp_path, settings):
    lesson = "---\nid: l1\nobjectives:\n  - id: o1\n    text: Explain tokens\n    bloom: understand\n  - Describe embeddings\n---\n# L1\n\nTokens are pieces of text.\n"
    zh = "---\nid: l1\nlang: zh\nobjectives:\n  - id: o1\n    text: 解释词元\n    bloom: understand\n---\n# 第一课\n\n词元是文本的片段。\n"
    write(tmp_path / "c" / "en" / "l1.md", lesson)
    write(tmp_path / "c" / "zh" / "l1.md", zh)
    assert fake_services.ingestor.ingest_paths([tmp_path / "c"], "demo").ok
    db = open_database("sqlite://")
    CurriculumStore(db).replace("demo", parse_objectives(GOOD_CSV.encode(), "c.csv")[1:])  # o2 only
    merged = {o.id: o for o in course_objectives(fake_services.index, db, "demo")}
    assert set(merged) == {"o1", "l1-2", "o2"}
    assert merged["o1"].texts == ["Explain tokens", "解释词元"]  # one objective, two languages
    assert merged["l1-2"].text == "Describe embeddings" and merged["o2"].origin == "uploaded"
    CurriculumStore(db).clear("demo")
    assert "o2" not in {o.id for o in course_objectives(fake_services.index, db, "demo")}
