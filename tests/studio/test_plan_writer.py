"""Lesson-plan and quiz drafts: numbers that point at nothing are refused (so the repair can name them),
inputs are validated, and sources come from the right lessons or are refused when the course does not cover a topic."""

import copy

import pytest

from tests.cli.test_studio_cli import PLAN, QUIZ
from tests.support.paths import write
from tutor_app.core.schemas import Chunk, Hit, LearningObjective
from tutor_app.studio.plan_writer import parse_plan
from tutor_app.studio.quiz_writer import mix_options, parse_quiz, quiz_schema, repeated_positions, rewrite_repeats
from tutor_app.studio.shared import MAX_TOPIC_CHARS, NotCovered, Sources, StudioInputError, StudioRequest, gather_sources

ONE = Sources([Hit(chunk=Chunk(id="c1", text="t", course="demo", source="a.md"), score=1, similarity=1)], "", True, "few-shot")


def test_plan_passage_number_out_of_range_is_a_validation_error():
    bad = copy.deepcopy(PLAN)
    bad["activities"][1]["passages"] = [3]
    with pytest.raises(ValueError, match=r"activities.2: passage 3 does not exist \(use 1 to 1\)"):
        parse_plan(bad, StudioRequest(topic="x", duration_minutes=30), ONE)


def test_plan_objective_number_out_of_range_is_a_validation_error():
    bad = copy.deepcopy(PLAN)
    bad["activities"][0]["objectives"] = [1, 7]
    with pytest.raises(ValueError, match="activities.1: objective 7 does not exist"):
        parse_plan(bad, StudioRequest(topic="x", duration_minutes=30), ONE)


def test_plan_draft_missing_a_field_fails_pydantic():
    bad = {k: v for k, v in PLAN.items() if k != "activities"}
    with pytest.raises(Exception, match="activities"):
        parse_plan(bad, StudioRequest(topic="x"), ONE)


def test_quiz_with_the_wrong_number_of_questions_is_refused():
    with pytest.raises(ValueError, match="write exactly 3 questions, not 2"):
        parse_quiz(QUIZ, StudioRequest(topic="x", question_count=3), ONE)


def test_quiz_keeps_a_plans_objectives_and_the_schema_fixes_them():
    given = [LearningObjective(id="O1", text="Explain few-shot prompts", bloom="understand")]
    quiz = parse_quiz(QUIZ, StudioRequest(topic="x", question_count=2), ONE, given=given)
    assert quiz.objectives == given and {q.objective_id for q in quiz.questions} == {"O1"}
    schema = quiz_schema([("true_false", "remember")], 1, 1, given)
    assert schema["properties"]["objectives"] == {"const": [{"text": "Explain few-shot prompts", "bloom": "understand"}]}


def test_mix_options_places_the_answer_among_the_wrong_ones_stably():
    options = mix_options("right", ["w1", "w2", "w3"], "Which one?")
    assert sorted(options) == ["right", "w1", "w2", "w3"] and options == mix_options("right", ["w1", "w2", "w3"], "Which one?")
    positions = {mix_options("right", ["w1", "w2", "w3"], f"Question {n}?").index("right") for n in range(40)}
    assert positions == {0, 1, 2, 3}  # not always first


@pytest.mark.parametrize(
    "fields,key",
    [
        ({"duration_minutes": 0}, "studio_err_duration"),
        ({"duration_minutes": 7 * 24 * 60}, "studio_err_duration"),
        ({"topic": "   "}, "studio_err_topic_empty"),
        ({"topic": "x" * 5000}, "studio_err_topic_long"),
        ({"question_count": 0}, "studio_err_questions"),
        ({"kinds": []}, "studio_err_kinds"),
        ({"bloom_levels": []}, "studio_err_bloom"),
    ],
)
def test_bad_requests_name_their_problem_in_both_languages(fields, key):
    with pytest.raises(StudioInputError) as caught:
        StudioRequest(**({"topic": "few-shot"} | fields)).validated()
    assert caught.value.key == key
    assert caught.value.message("zh") != caught.value.message("en")


def test_topic_at_the_limit_is_accepted_and_whitespace_tidied():
    request = StudioRequest(topic="  few-shot \n prompts ", audience="").validated()
    assert request.topic == "few-shot prompts" and request.audience == "beginners"
    assert StudioRequest(topic="x" * MAX_TOPIC_CHARS).validated()


LESSON_A = "---\nid: lesson-a\ntitle: Prompt basics\nlang: en\n---\n# Prompt basics\n\n## Few-shot prompts\nA few-shot prompt shows worked examples before the task.\n"
LESSON_B = "---\nid: lesson-b\ntitle: Safety\nlang: en\n---\n# Safety\n\n## Prompt injection\nPrompt injection hides instructions inside data.\n"


@pytest.fixture
def retriever(fake_services, tmp_path):
    write(tmp_path / "c" / "a.md", LESSON_A)
    write(tmp_path / "c" / "b.md", LESSON_B)
    assert fake_services.ingestor.ingest_paths([tmp_path / "c"], "demo").ok
    return fake_services.retriever


def test_picked_lessons_give_their_own_chunks_without_a_topic(retriever):
    sources = gather_sources(retriever, StudioRequest(course="demo", lessons=["lesson-b"]).validated(), 500, 3)
    assert sources.grounded and {h.chunk.lesson_id for h in sources.passages} == {"lesson-b"}
    assert sources.query == "Safety" and "Prompt injection hides" in sources.text


def test_uncovered_topic_is_refused_unless_confirmed(retriever):
    strict = retriever.settings.model_copy(
        update={
            k: 0.999 for k in ("grounding_threshold", "grounding_floor", "cross_grounding_threshold", "cross_grounding_floor")
        }
    )
    retriever.settings = strict
    request = StudioRequest(course="demo", topic="sourdough bread baking").validated()
    with pytest.raises(NotCovered, match="does not cover “sourdough bread baking”"):
        gather_sources(retriever, request, 500, 3)
    uncited = gather_sources(retriever, request.model_copy(update={"allow_ungrounded": True}), 500, 3)
    assert not uncited.grounded and uncited.passages == [] and "without citations" in uncited.text


def test_quiz_schema_gives_each_objective_and_passage_a_question_in_turn():
    slots = quiz_schema([("true_false", "remember")] * 5, 2, 3)["properties"]["questions"]["prefixItems"]
    assert [s["properties"]["objective"] for s in slots] == [{"const": n} for n in (1, 2, 1, 2, 1)]
    assert [s["properties"]["passage"] for s in slots] == [{"const": n} for n in (1, 2, 3, 1, 2)]
    uncited = quiz_schema([("true_false", "remember")] * 2, 1, 0)["properties"]["questions"]["prefixItems"]
    assert [s["properties"]["passage"] for s in uncited] == [{"const": 0}] * 2


def _question(text: str, wrong=("A password", "A GPU", "Nothing"), answer="Worked examples") -> dict:
    return {
        "kind": "multiple_choice",
        "bloom": "remember",
        "question": text,
        "answer": answer,
        "wrong_options": list(wrong),
        "explanation": "e",
        "objective": 1,
        "passage": 1,
    }


def _quiz(*questions) -> tuple:
    request = StudioRequest(topic="few-shot", question_count=len(questions), kinds=["multiple_choice"], bloom_levels=["remember"])
    data = {
        "title": "t",
        "objectives": [{"text": "Explain few-shot prompts", "bloom": "understand"}],
        "questions": list(questions),
    }
    return parse_quiz(data, request, ONE), request


def test_repeats_are_found_across_case_and_punctuation_and_in_options():
    quiz, _ = _quiz(
        _question("What comes first?"),
        _question("what comes FIRST"),
        _question("Why?", wrong=("A", "a.", "B")),
        _question("Which format?"),
    )
    assert repeated_positions(quiz) == [1, 2]


@pytest.fixture
def scripted_chat():
    from tests.engine.models.test_structured import Chat
    from tests.support.scripted_server import ScriptedServer

    servers = []

    def start(*answers):
        servers.append(ScriptedServer(list(answers)))
        return Chat(servers[-1].url, "embedded"), servers[-1]

    yield start
    for server in servers:
        server.close()


def test_repeated_questions_are_asked_for_again_once(scripted_chat):
    import json

    quiz, request = _quiz(_question("What comes first?"), _question("What comes first?"))
    chat, server = scripted_chat(json.dumps({"questions": [_question("What does the model copy?", answer="The format")]}))
    steps = []
    fixed, rewritten = rewrite_repeats(quiz, [{"role": "user", "content": "draft it"}], request, ONE, chat, steps.append)
    assert rewritten == 1 and [q.question for q in fixed.questions] == ["What comes first?", "What does the model copy?"]
    assert fixed.questions[1].answer == "The format" in fixed.questions[1].options and repeated_positions(fixed) == []
    [sent] = server.requests
    assert "Q2" in sent["messages"][-1]["content"] and "What comes first?" in sent["messages"][-1]["content"]
    # The repeating draft is not sent back (the small model would copy it again); the sampling is warmer.
    assert [m["role"] for m in sent["messages"]] == ["user", "user"] and sent["temperature"] == 0.7
    [item] = sent["response_format"]["json_schema"]["schema"]["properties"]["questions"]["prefixItems"]
    assert item["properties"]["objective"] == {"const": 1} and item["properties"]["kind"] == {"const": "multiple_choice"}
    assert item["properties"]["passage"] == {"const": 1}
    assert "rewriting" in steps


def test_a_rewrite_that_still_repeats_is_dropped(scripted_chat):
    import json

    quiz, request = _quiz(_question("What comes first?"), _question("What comes first?"))
    chat, _ = scripted_chat(json.dumps({"questions": [_question("What comes first?")]}))
    assert rewrite_repeats(quiz, [], request, ONE, chat) == (quiz, 0)


def test_a_quiz_without_repeats_makes_no_request(scripted_chat):
    quiz, request = _quiz(_question("What comes first?"), _question("Which format?"))
    chat, server = scripted_chat()
    assert rewrite_repeats(quiz, [], request, ONE, chat) == (quiz, 0) and server.requests == []


@pytest.mark.parametrize("duration, objectives", [(5, 2), (30, 2), (45, 3), (60, 3), (240, 3)])
def test_suggested_minutes_add_up_and_are_positive(duration, objectives):
    from tutor_app.studio.plan_writer import suggested_minutes

    minutes = suggested_minutes(duration, objectives)
    assert sum(minutes) == duration and len(minutes) == objectives + 2 and min(minutes) >= 1


def test_the_worked_example_uses_the_suggested_split():
    from tutor_app.studio.plan_writer import suggested_minutes

    assert suggested_minutes(30, 2) == [5, 10, 10, 5]  # what prompts/educator_lesson_plan.yaml shows


def test_a_plan_schema_with_a_duration_fixes_minutes_that_add_up():
    from tutor_app.studio.plan_writer import plan_schema

    slots = plan_schema(3, 2, 45)["properties"]["activities"]["prefixItems"]
    assert [s["properties"]["minutes"] for s in slots] == [{"const": m} for m in (8, 10, 10, 9, 8)]
    free = plan_schema(3, 2)["properties"]["activities"]["prefixItems"]
    assert all(s["properties"]["minutes"]["type"] == "integer" for s in free)
