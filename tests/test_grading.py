"""Grading: exact for choices; short answers against the key in English, Chinese, and across the two."""

import pytest

from tutor_app.grading import grade_choice, grade_short

EN_Q = "In a few-shot prompt, what do you place before the actual task, and why?"
EN_KEY = "Two or three worked examples, so the model copies their format and style."
ZH_Q = "少样本提示在真正的任务之前放什么？为什么？"
ZH_KEY = "放两三个示例，让模型模仿它们的格式和风格。"


@pytest.mark.parametrize("answer, key, question, correct", [
    ("A couple of worked examples so the model copies the format and style", EN_KEY, EN_Q, True),
    ("Examples.", EN_KEY, EN_Q, False),
    ("A longer instruction", EN_KEY, EN_Q, False),
    ("放几个示例，让模型模仿格式和风格", ZH_KEY, ZH_Q, True),
    ("放一段说明", ZH_KEY, ZH_Q, False),
    ("示例", ZH_KEY, ZH_Q, False),
])
def test_short_answers_in_english_and_chinese(answer, key, question, correct):
    grade = grade_short(answer, key, question)
    assert grade.correct is correct, grade
    assert not grade.cross_language


def test_partial_answer_reports_what_is_missing():
    grade = grade_short("worked examples", EN_KEY, EN_Q)
    assert not grade.correct and 0 < grade.score < 0.6
    assert "format" in grade.missing and "exampl" in grade.matched


def test_words_from_the_question_earn_nothing():
    # Echoing the question back is not an answer.
    assert grade_short("In a few-shot prompt you place something before the actual task", EN_KEY, EN_Q).score == 0


@pytest.mark.parametrize("answer, key, question", [
    ("a few examples so the model imitates the format and style", ZH_KEY, ZH_Q),
    ("两三个示例，让模型复制它们的格式和风格", EN_KEY, EN_Q),
])
def test_an_answer_in_the_other_language_is_bridged_and_flagged(answer, key, question):
    grade = grade_short(answer, key, question)
    assert grade.cross_language and grade.correct, grade


def test_a_wrong_answer_in_the_other_language_still_fails():
    grade = grade_short("用更长的指令", EN_KEY, EN_Q)
    assert grade.cross_language and not grade.correct


@pytest.mark.parametrize("answer", ["", "   ", "\n"])
def test_an_empty_answer_is_not_graded(answer):
    assert grade_short(answer, EN_KEY, EN_Q).empty
    assert grade_choice(answer, "B", ["A", "B"]).empty


def test_choices_are_exact_and_accept_letters_numbers_and_chinese_true_false():
    options = ["Top-p", "Temperature", "Max tokens"]
    assert grade_choice("Temperature", "Temperature", options).correct
    assert grade_choice(" temperature ", "Temperature", options).correct
    assert grade_choice("b", "Temperature", options).correct
    assert grade_choice("2", "Temperature", options).correct
    assert not grade_choice("Top-p", "Temperature", options).correct
    assert not grade_choice("Temperatur", "Temperature", options).correct
    assert grade_choice("对", "True", ["True", "False"]).correct
    assert not grade_choice("错", "True", ["True", "False"]).correct
