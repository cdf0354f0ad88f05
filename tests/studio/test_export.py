"""Exports open cleanly: Word files read back with python-docx, JSON loads into the schema, Markdown has every part."""

import io
import json

import docx
import pytest

from tests.support.studio_examples import valid_plan, valid_quiz
from tutor_app.core.schemas import LessonPlan, Quiz
from tutor_app.studio.export import filename, to_docx, to_json, to_markdown

SOURCES = {"c-fewshot": "en/04-prompt-engineering.md › Few-shot", "c-temperature": "en/04.md › Temperature"}


def read_docx(data: bytes) -> tuple[list[tuple[str, str]], docx.document.Document]:
    document = docx.Document(io.BytesIO(data))
    return [(p.style.name, p.text) for p in document.paragraphs], document


def test_plan_docx_reads_back_with_headings_timed_activities_and_sources():
    paragraphs, document = read_docx(to_docx(valid_plan(), SOURCES))
    assert paragraphs[0] == ("Heading 1", "Few-shot prompts in practice")
    headings = [text for style, text in paragraphs if style == "Heading 2"]
    assert headings == [
        "Learning objectives",
        "Prerequisites",
        "Materials",
        "Activities",
        "Formative assessment",
        "Support for learners who need more help",
        "Challenge for learners who are ahead",
        "Homework",
    ]
    bullets = [text for style, text in paragraphs if style == "List Bullet"]
    assert (
        "Practice (25 min; O2): Pairs write a prompt. [en/04-prompt-engineering.md › Few-shot; en/04.md › Temperature]" in bullets
    )
    assert document.core_properties.title == "Few-shot prompts in practice"


def test_quiz_docx_lists_options_answers_and_explanations():
    paragraphs, _ = read_docx(to_docx(valid_quiz(), SOURCES))
    texts = [text for _, text in paragraphs]
    assert "1. What does a few-shot prompt contain?" in texts
    assert "A. Worked examples before the task" in texts and "D. An API key" in texts
    assert "Answer: True" in texts and "Explanation: Less randomness." in texts
    assert "Source: en/04.md › Temperature" in texts


def test_chinese_plan_exports_with_chinese_headings():
    plan = valid_plan(language="zh", title="少样本提示")
    paragraphs, document = read_docx(to_docx(plan))
    assert ("Heading 2", "学习目标") in paragraphs and ("Heading 2", "教学活动") in paragraphs
    assert document.core_properties.language == "zh-CN"
    markdown = to_markdown(plan)
    assert markdown.startswith("# 少样本提示\n") and "## 课后作业" in markdown
    assert "（" not in filename(plan, "md") and filename(plan, "md") == "plan-少样本提示.md"


@pytest.mark.parametrize("make,model", [(valid_plan, LessonPlan), (valid_quiz, Quiz)])
def test_json_loads_back_into_the_schema_unchanged(make, model):
    document = make()
    assert model.model_validate(json.loads(to_json(document))) == document


def test_markdown_has_every_question_and_the_citation_ids_without_labels():
    markdown = to_markdown(valid_quiz())
    assert markdown.count("\n### ") == 3
    assert "- B. Only the task" in markdown and "Source: c-fewshot" in markdown
    plan_md = to_markdown(valid_plan(grounded=False))
    assert "made without course passages" in plan_md


def test_filenames_are_safe():
    assert filename(valid_quiz(title="Quiz: a/b\\c?"), "docx") == "quiz-quiz-a-b-c.docx"


def chunk(chunk_id: str, text: str):
    from tutor_app.core.schemas import Chunk

    return Chunk(id=chunk_id, text=text, course="demo", source="en/04.md", heading="Few-shot", title="Prompting")


def test_json_carries_each_cited_passage_beside_its_chunk_id_and_still_loads():
    chunks = {"c-fewshot": chunk("c-fewshot", "A few-shot prompt puts worked examples before the task.")}
    quiz = json.loads(to_json(valid_quiz(), chunks))
    assert quiz["questions"][0]["passage"] == "A few-shot prompt puts worked examples before the task."
    assert quiz["questions"][1]["chunk_id"] == "c-temperature" and quiz["questions"][1]["passage"] == ""  # not in the index
    assert quiz["passages"] == {
        "c-fewshot": {
            "text": chunks["c-fewshot"].text,
            "source": "en/04.md",
            "heading": "Few-shot",
            "title": "Prompting",
            "lang": "en",
        }
    }
    assert Quiz.model_validate(quiz) == valid_quiz()
    plan = json.loads(to_json(valid_plan(), chunks))
    assert plan["materials"][0]["passages"] == [chunks["c-fewshot"].text]
    assert plan["activities"][2]["chunk_ids"] == ["c-fewshot", "c-temperature"]
    assert plan["activities"][2]["passages"] == [chunks["c-fewshot"].text, ""]
    assert LessonPlan.model_validate(plan) == valid_plan()


def test_json_without_passages_is_the_plain_schema_dump():
    assert json.loads(to_json(valid_quiz())) == valid_quiz().model_dump(mode="json")
