"""Studio prompt files: golden renderings, and worked examples that obey the very schemas sent to the model."""

import json

import pytest

from tests.support.paths import ROOT
from tutor_app.core.schemas import Chunk, Hit
from tutor_app.engine.models.prompts import load_prompt
from tutor_app.studio.plan_writer import parse_plan, plan_schema
from tutor_app.studio.quiz_writer import parse_quiz, quiz_schema
from tutor_app.studio.shared import Sources, StudioRequest

GOLDEN = ROOT / "tests" / "fixtures" / "golden"
PASSAGE = '<passage n="1" lesson="L" section="S">\ntext\n</passage>'
RENDER = {
    "educator_lesson_plan": dict(
        language="English",
        course="demo",
        topic="few-shot prompts",
        audience="Year 10",
        duration=45,
        objectives_count=3,
        minutes="8, 10, 10, 9, 8",
        passages=PASSAGE,
    ),
    "educator_quiz": dict(
        language="简体中文 (Simplified Chinese)",
        topic="温度",
        audience="初中生",
        objectives="Write 2, each with a Bloom level.",
        questions="Q1: true_false, remember, objective 1, passage 1\nQ2: short_answer, apply, objective 2, passage 1",
        passages=PASSAGE,
    ),
    "educator_quiz_rewrite": dict(
        places="Q2, Q3",
        count=2,
        asked="- 温度是什么？\n- 温度是什么？\n- 温度是什么？",
        questions="Q2: true_false, remember, objective 2, passage 1\nQ3: short_answer, apply, objective 1, passage 1",
        language="简体中文 (Simplified Chinese)",
    ),
}


def rendered(name: str) -> str:
    messages = load_prompt(name).template().format_messages(**RENDER[name])
    return "\n---\n".join(f"{m.type}: {m.content}" for m in messages)


@pytest.mark.parametrize("name", sorted(RENDER))
def test_renders_as_recorded(name):
    assert rendered(name) == (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")


def one_passage() -> Sources:
    chunk = Chunk(id="c1", text="A token is a piece of text.", course="demo", source="t.md", heading="Tokens")
    return Sources([Hit(chunk=chunk, score=1.0, similarity=1.0)], PASSAGE, True, "tokens")


def example(name: str) -> dict:
    [ai] = [m for m in load_prompt(name).messages if m.role == "ai"]
    return json.loads(ai.content.replace("{{", "{").replace("}}", "}"))


def test_lesson_plan_example_fits_the_schema_and_parses():
    data = example("educator_lesson_plan")
    assert set(data) == set(plan_schema(2, 1)["required"])
    plan = parse_plan(data, StudioRequest(course="demo", topic="tokens", duration_minutes=30), one_passage())
    assert sum(a.minutes for a in plan.activities) == plan.duration_minutes == 30
    assert [o.id for o in plan.objectives] == ["O1", "O2"] and plan.materials[0].chunk_ids == ["c1"]
    # The example has the shape the schema fixes: opening, one activity per objective, closing.
    slots = plan_schema(2, 1, 30)["properties"]["activities"]["prefixItems"]
    assert len(data["activities"]) == len(slots) == 4
    for activity, slot in zip(data["activities"], slots):
        fixed = slot["properties"]["objectives"].get("const")
        assert fixed is None or activity["objectives"] == fixed
        assert activity["minutes"] == slot["properties"]["minutes"]["const"]


def test_quiz_example_fits_the_schema_and_parses():
    data = example("educator_quiz")
    mix = [(q["kind"], q["bloom"]) for q in data["questions"]]
    schema = quiz_schema(mix, 2, 1)
    assert set(data) == set(schema["required"])
    for question, item in zip(data["questions"], schema["properties"]["questions"]["prefixItems"]):
        assert set(question) == set(item["required"])
    request = StudioRequest(
        topic="tokens",
        question_count=3,
        kinds=["multiple_choice", "true_false", "short_answer"],
        bloom_levels=["remember", "understand", "understand"],
    )
    assert request.question_mix() == mix
    quiz = parse_quiz(data, request, one_passage())
    assert quiz.questions[0].answer in quiz.questions[0].options and len(quiz.questions[0].options) == 4
