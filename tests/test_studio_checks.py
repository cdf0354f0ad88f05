"""Deterministic checks on hand-written plans and quizzes: a valid one passes, each kind of invalid one fails its check."""

import pytest
from pydantic import ValidationError

from tests.studio_examples import CHUNKS, valid_plan, valid_quiz
from tutor_app.planner import fit_timings
from tutor_app.schemas import LessonPlan, QuizQuestion
from tutor_app.studio_checks import check_plan, check_quiz, cited_chunk_ids, normalise


def failing(results):
    return {r.name: r.messages("en") for r in results if not r.passed}


def test_valid_plan_and_quiz_pass_every_check():
    assert failing(check_plan(valid_plan(), CHUNKS)) == {}
    assert failing(check_quiz(valid_quiz(), CHUNKS)) == {}


def test_timings_that_do_not_add_up_fail_and_fit_timings_fixes_them():
    plan = valid_plan(duration_minutes=60)
    assert failing(check_plan(plan, CHUNKS)) == {"timings": ["The activities take 45 minutes, but the lesson lasts 60."]}
    fitted = fit_timings(plan)
    assert sum(a.minutes for a in fitted.activities) == 60 and all(a.minutes >= 1 for a in fitted.activities)
    assert failing(check_plan(fitted, CHUNKS)) == {}
    assert [a.minutes for a in fit_timings(valid_plan(duration_minutes=10)).activities] == [1, 3, 6]


def test_objective_no_activity_assesses_fails():
    plan = valid_plan()
    plan.activities[2].objective_ids = ["O1"]
    assert failing(check_plan(plan, CHUNKS))["objectives"] == ["Objective O2 Write a few-shot prompt for a classification task is not assessed."]


def test_activity_pointing_at_a_missing_objective_fails():
    plan = valid_plan()
    plan.activities[0].objective_ids.append("O9")
    assert "Warm-up refers to objective O9, which does not exist." in failing(check_plan(plan, CHUNKS))["objectives"]


@pytest.mark.parametrize("where", ["material", "activity"])
def test_citation_of_a_chunk_not_in_the_index_fails(where):
    plan = valid_plan()
    (plan.materials[0] if where == "material" else plan.activities[1]).chunk_ids.append("c-gone")
    [message] = failing(check_plan(plan, CHUNKS))["citations"]
    assert "c-gone" in message and "not in the course index" in message


def test_grounded_material_without_citation_fails_but_ungrounded_plan_may_have_none():
    plan = valid_plan()
    plan.materials[0].chunk_ids = []
    assert "cites no course passage" in failing(check_plan(plan, CHUNKS))["citations"][0]
    plan.grounded = False
    assert failing(check_plan(plan, CHUNKS)) == {}


def test_quiz_objective_not_assessed_fails():
    quiz = valid_quiz()
    quiz.questions[1].objective_id = "O1"
    assert failing(check_quiz(quiz, CHUNKS)) == {"objectives": ["Objective O2 Judge how temperature changes answers is not assessed."]}


def test_duplicate_questions_fail_even_with_different_case_and_punctuation():
    quiz = valid_quiz()
    quiz.questions[0].question = "  why do the EXAMPLES help the model "
    assert "duplicate_questions" in failing(check_quiz(quiz, CHUNKS))


def test_duplicate_options_fail():
    quiz = valid_quiz()
    quiz.questions[0].options[2] = "only the task!"
    assert failing(check_quiz(quiz, CHUNKS)) == {"duplicate_options": ["Q1 lists the option “Only the task” twice."]}


@pytest.mark.parametrize("n,answer", [(0, "Examples after the task"), (1, "Maybe")])
def test_answer_not_among_options_fails(n, answer):
    quiz = valid_quiz()
    quiz.questions[n].answer = answer
    assert failing(check_quiz(quiz, CHUNKS)) == {"answer_in_options": [f"Q{n + 1}: the answer “{answer}” is not one of the options."]}


def test_question_citing_a_missing_chunk_fails():
    quiz = valid_quiz()
    quiz.questions[0].chunk_id = "c-deleted"
    assert failing(check_quiz(quiz, CHUNKS)) == {"citations": ["Q1 cites passage c-deleted, which is not in the course index."]}
    assert cited_chunk_ids(quiz) == {"c-deleted", "c-fewshot", "c-temperature"}


def test_check_messages_are_bilingual():
    plan = valid_plan(duration_minutes=50)
    [timings] = [r for r in check_plan(plan, CHUNKS) if r.name == "timings"]
    assert timings.messages("zh") == ["各环节共 45 分钟，但课时为 50 分钟。"]


@pytest.mark.parametrize("change,fragment", [
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"objectives": []}, "objectives"),
    ({"activities": []}, "activities"),
    ({"title": ""}, "title"),
])
def test_plan_shapes_that_pydantic_refuses(change, fragment):
    with pytest.raises(ValidationError, match=fragment):
        valid_plan(**change)


@pytest.mark.parametrize("question,message", [
    ({"kind": "multiple_choice", "options": ["only one"]}, "at least two options"),
    ({"kind": "true_false", "options": ["Yes", "No"]}, "exactly the options"),
    ({"kind": "short_answer", "options": ["a", "b"]}, "no options"),
    ({"kind": "essay", "options": []}, "kind"),
    ({"kind": "short_answer", "options": [], "bloom": "memorise"}, "bloom"),
])
def test_question_shapes_that_pydantic_refuses(question, message):
    data = {"question": "Q?", "answer": "A", **question}
    with pytest.raises(ValidationError, match=message):
        QuizQuestion.model_validate(data)


def test_normalise_ignores_case_width_and_punctuation():
    assert normalise("Few-Shot, prompts!") == normalise("few shot prompts") == "fewshotprompts"
    assert normalise("少样本，提示。") == normalise("少样本提示")


def test_plan_json_round_trip():
    plan = valid_plan()
    assert LessonPlan.model_validate_json(plan.model_dump_json()) == plan
