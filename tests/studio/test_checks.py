"""Deterministic checks on hand-written plans and quizzes: a valid one passes, each kind of invalid one fails its check."""

import pytest
from pydantic import ValidationError

from tests.support.studio_examples import CHUNKS, valid_plan, valid_quiz
from tutor_app.core.schemas import LessonPlan, QuizQuestion
from tutor_app.studio.checks import check_plan, check_quiz, cited_chunk_ids, normalise
from tutor_app.studio.plan_writer import fit_timings


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
    assert failing(check_plan(plan, CHUNKS))["objectives"] == [
        "Objective O2 Write a few-shot prompt for a classification task is not assessed."
    ]


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
    assert failing(check_quiz(quiz, CHUNKS)) == {
        "objectives": ["Objective O2 Judge how temperature changes answers is not assessed."]
    }


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
    assert failing(check_quiz(quiz, CHUNKS)) == {
        "answer_in_options": [f"Q{n + 1}: the answer “{answer}” is not one of the options."]
    }


def test_question_citing_a_missing_chunk_fails():
    quiz = valid_quiz()
    quiz.questions[0].chunk_id = "c-deleted"
    assert failing(check_quiz(quiz, CHUNKS)) == {"citations": ["Q1 cites passage c-deleted, which is not in the course index."]}
    assert cited_chunk_ids(quiz) == {"c-deleted", "c-fewshot", "c-temperature"}


def test_check_messages_are_bilingual():
    plan = valid_plan(duration_minutes=50)
    [timings] = [r for r in check_plan(plan, CHUNKS) if r.name == "timings"]
    assert timings.messages("zh") == ["各环节共 45 分钟，但课时为 50 分钟。"]


@pytest.mark.parametrize(
    "change,fragment",
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"objectives": []}, "objectives"),
        ({"activities": []}, "activities"),
        ({"title": ""}, "title"),
    ],
)
def test_plan_shapes_that_pydantic_refuses(change, fragment):
    with pytest.raises(ValidationError, match=fragment):
        valid_plan(**change)


@pytest.mark.parametrize(
    "question,message",
    [
        ({"kind": "multiple_choice", "options": ["only one"]}, "at least two options"),
        ({"kind": "true_false", "options": ["Yes", "No"]}, "exactly the options"),
        ({"kind": "short_answer", "options": ["a", "b"]}, "no options"),
        ({"kind": "essay", "options": []}, "kind"),
        ({"kind": "short_answer", "options": [], "bloom": "memorise"}, "bloom"),
    ],
)
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


# --------------------------------------------------------------------------- content checks (issue 13)
# With the cited passages (chunk id → Chunk) the checks also read the text: answers must be in their
# passage, wrong options must not be, nothing may look like a template, and the language must be the
# document's. The bad documents are the ones the issue found in the studio's output.

from tutor_app.core.schemas import Chunk  # noqa: E402
from tutor_app.studio.checks import (  # noqa: E402
    PLAN_CHECKS,
    QUIZ_CHECKS,
    TEXT_CHECKS,
    answer_supported,
    check_document,
    in_language,
    near_duplicate,
    option_fits,
    statement_stated,
)

FEWSHOT = (
    "A few-shot prompt shows the model two or three worked examples before the real task, so it copies "
    "their format. The examples contain the task and its answer."
)
TEMPERATURE = "Temperature controls how random the model's token choices are. A low temperature makes answers more repeatable."
FEWSHOT_ZH = "少样本提示会在真正的任务之前放入两三个示范例子，让模型照着它们的格式来做。"


def passage(chunk_id: str, text: str, lang: str = "en") -> Chunk:
    return Chunk(id=chunk_id, text=text, course="demo", source="prompts.md", lang=lang, lesson_id="prompts-1")


PASSAGES = {"c-fewshot": passage("c-fewshot", FEWSHOT), "c-temperature": passage("c-temperature", TEMPERATURE)}


def test_valid_documents_pass_every_check_with_their_passages():
    assert [r.name for r in check_quiz(valid_quiz(), PASSAGES)] == list(QUIZ_CHECKS)
    assert failing(check_quiz(valid_quiz(), PASSAGES)) == {}
    assert [r.name for r in check_plan(valid_plan(), PASSAGES)] == list(PLAN_CHECKS)
    assert failing(check_plan(valid_plan(), PASSAGES)) == {}


def test_with_only_chunk_ids_the_text_checks_are_skipped_not_passed():
    names = [r.name for r in check_quiz(valid_quiz(), CHUNKS)]
    assert names == [n for n in QUIZ_CHECKS if n not in TEXT_CHECKS]
    assert [r.name for r in check_document(valid_plan(), CHUNKS)] == list(PLAN_CHECKS)


def test_template_artefacts_in_a_question_are_named_with_the_item_and_why():
    quiz = valid_quiz()
    quiz.questions[1].question = "Q1. true_false, understand"
    assert failing(check_quiz(quiz, PASSAGES))["artefacts"] == [
        "Q2 question: “Q1” is an item number left from a template.",
        "Q2 question: “true_false” is the name of a question kind, not text for a learner.",
    ]
    [artefacts] = [r for r in check_quiz(quiz, PASSAGES) if r.name == "artefacts"]
    assert artefacts.messages("zh")[0] == "Q2 题干：“Q1”是模板留下的题号。"


def test_a_short_answer_key_that_is_a_kind_name_is_an_artefact_and_unsupported():
    quiz = valid_quiz()
    quiz.questions[2].answer = "TrueFalse"
    found = failing(check_quiz(quiz, PASSAGES))
    assert found["artefacts"] == ["Q3 answer: “TrueFalse” is the name of a question kind, not text for a learner."]
    assert found["supported"] == ["Q3: the answer “TrueFalse” is not in its cited passage c-fewshot."]


@pytest.mark.parametrize(
    "field,text,kind",
    [
        ("title", "Quiz about {topic}", "brace"),
        ("explanation", "**Worked** examples show the format.", "markdown"),
        ("explanation", "The examples show the format [1].", "citation_mark"),
        ("explanation", "The examples show the format, and the…", "placeholder"),
        ("explanation", "See passage 2 for the format.", "placeholder"),
        ("question", "Question 3: what is it?", "number"),
    ],
)
def test_each_kind_of_template_leftover_is_found(field, text, kind):
    quiz = valid_quiz()
    if field == "title":
        quiz.title = text
    else:
        setattr(quiz.questions[0], field, text)
    [artefacts] = [r for r in check_quiz(quiz, CHUNKS) if r.name == "artefacts"]
    assert [key for key, _ in artefacts.problems] == [f"studio_check_artefact_{kind}"]


def test_plan_artefacts_name_the_activity():
    plan = valid_plan()
    plan.activities[1].description = "{description}"
    plan.objectives[0].text = "Explain what a few-shot prompt is (understand)"
    assert failing(check_plan(plan, CHUNKS))["artefacts"] == [
        "Objective O1: “(understand)” is a Bloom's level label, not text for a learner.",
        "Activity “Explain”: “{” is a brace from an unfilled template.",
    ]


def test_a_multiple_choice_answer_not_in_its_passage_is_unsupported():
    quiz = valid_quiz()
    quiz.questions[0].options[0] = quiz.questions[0].answer = "A kind of GPU"
    assert failing(check_quiz(quiz, PASSAGES)) == {
        "supported": ["Q1: the answer “A kind of GPU” is not in its cited passage c-fewshot."]
    }


def test_a_distractor_the_passage_gives_as_the_answer_fails():
    quiz = valid_quiz()
    quiz.questions[0].options[3] = "Two or three worked examples before the real task"
    assert failing(check_quiz(quiz, PASSAGES)) == {
        "distractors": [
            "Q1: the wrong option “Two or three worked examples before the real task” is also an answer its cited "
            "passage c-fewshot gives."
        ]
    }


def test_true_false_statements_are_checked_against_the_passage():
    quiz = valid_quiz()
    quiz.questions[1].question = "A high temperature makes answers more repeatable."  # marked True, but not said
    assert failing(check_quiz(quiz, PASSAGES))["supported"] == [
        "Q2 is marked True, but its cited passage c-temperature does not say this."
    ]
    quiz.questions[1].question, quiz.questions[1].answer = "A low temperature makes answers more repeatable.", "False"
    found = failing(check_quiz(quiz, PASSAGES))
    assert found["distractors"] == ["Q2 is marked False, but its cited passage c-temperature says exactly this."]
    assert found["supported"] == [  # and its explanation does not quote what the passage says instead
        "Q2 is marked False, but its explanation does not quote what the cited passage c-temperature says instead."
    ]
    quiz.questions[1].question = "A high temperature makes answers more repeatable."
    quiz.questions[1].explanation = "The lesson says: “A low temperature makes answers more repeatable.”"
    assert failing(check_quiz(quiz, PASSAGES)) == {}


def test_an_english_quiz_citing_chinese_passages_fails_unless_the_course_has_no_english():
    quiz = valid_quiz()
    chinese = {"c-fewshot": passage("c-fewshot", FEWSHOT_ZH, "zh"), "c-temperature": PASSAGES["c-temperature"]}
    found = failing(check_quiz(quiz, chinese))
    assert found["language"] == [
        "Q1 cites a passage in Chinese (c-fewshot), but the document is in English.",
        "Q3 cites a passage in Chinese (c-fewshot), but the document is in English.",
    ]
    assert "language" not in failing(check_quiz(quiz, chinese, course_languages={"zh"}))


def test_text_in_the_wrong_language_is_named():
    quiz = valid_quiz()
    quiz.questions[2].question = "示例为什么能帮助模型？"
    assert failing(check_quiz(quiz, CHUNKS))["language"] == ["Q3 question is not in English: “示例为什么能帮助模型？”"]
    plan = valid_plan(language="zh")
    plan.title, plan.objectives[0].text = "少样本提示实践", "解释什么是少样本提示"
    for activity in plan.activities:
        activity.title = "活动"
    plan.activities[0].description = "讨论一个例子的作用，然后两人一组练习。"
    messages = failing(check_plan(plan, CHUNKS))["language"]
    assert "Objective O2 is not in Chinese: “Write a few-shot prompt for a classification task”" in messages
    assert not any("讨论" in m for m in messages)


def test_near_duplicate_questions_and_activities_name_both_items():
    quiz = valid_quiz()
    quiz.questions[0].question = "What does a few-shot prompt contain before the task?"
    quiz.questions[2].question = "What does a few-shot prompt contain before the real task?"
    assert failing(check_quiz(quiz, CHUNKS))["duplicate_questions"] == [
        "Q3 asks nearly the same as Q1 (83% of their words are shared)."
    ]
    plan = valid_plan()
    for activity in plan.activities:
        activity.description = "Few-shot prompts can be used in many different, 1"
    assert failing(check_plan(plan, CHUNKS))["duplicate_activities"] == [
        "Activity “Explain” has the same description as “Warm-up”.",
        "Activity “Practice” has the same description as “Warm-up”.",
    ]


@pytest.mark.parametrize(
    "answer,text,supported",
    [
        ("Worked examples before the task", FEWSHOT, True),
        ("it copies their format", FEWSHOT, True),
        ("A password for the model", FEWSHOT, False),
        ("examples of passwords and keys before the task", FEWSHOT, False),  # 3 of 5 words: under the 0.75 share
        ("示范例子", FEWSHOT_ZH, True),
        ("照着示范例子的格式来做", FEWSHOT_ZH, True),  # not a substring, but 9 of its 10 character pairs are there
        ("一种显卡", FEWSHOT_ZH, False),
    ],
)
def test_answer_supported_rule(answer, text, supported):
    assert answer_supported(answer, text) is supported


@pytest.mark.parametrize(
    "stem,option,fits",
    [
        ("Fill in the blank: A low _____ makes answers more repeatable.", "temperature", True),
        ("Fill in the blank: A low _____ makes answers more repeatable.", "token", False),  # in the passage, not there
        ("Which setting controls how random the model's token choices are?", "Temperature", True),
        ("Which setting controls how random the model's token choices are?", "Tokens", False),  # only the stem's own word
        ("What is few-shot prompting?", "Choosing tokens at random", False),
    ],
)
def test_option_fits_rule(stem, option, fits):
    assert option_fits(stem, option, TEMPERATURE + " " + FEWSHOT) is fits


def test_option_fits_rule_in_chinese():
    stem = "填空：_____提示会在真正的任务之前放入两三个示范例子。"
    assert option_fits(stem, "少样本", FEWSHOT_ZH) and not option_fits(stem, "零样本", FEWSHOT_ZH)


def test_language_and_near_duplicate_rules():
    assert in_language("What is “温度”?", "en") and not in_language("温度是什么？", "en")
    assert in_language("测验：few-shot prompting", "zh") and not in_language("Apply few-shot prompting to a task", "zh")
    assert near_duplicate("Why do the examples help?", "Why do examples help?") == 0.0  # too short to tell
    assert statement_stated("A low temperature makes answers more repeatable.", TEMPERATURE)
    assert not statement_stated("A high temperature makes answers more repeatable.", TEMPERATURE)
