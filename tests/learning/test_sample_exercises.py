"""Starter exercises of the sample course: added once, owned by the administrator, never beside an educator's own."""

import yaml

from tests.support.apptest import add_user
from tutor_app.learning.items import add_exercise, exercises, in_language_first
from tutor_app.learning.sample_exercises import SAMPLE_EXERCISES, add_sample_exercises


def test_the_starter_exercises_are_bilingual_and_point_at_lessons_of_the_sample_course():
    entries = yaml.safe_load(SAMPLE_EXERCISES.read_text(encoding="utf-8"))
    assert {e["language"] for e in entries} == {"en", "zh"}
    assert all(e["lesson_id"].startswith("genai-0") and e["question"] and e["key"] and e["hints"] for e in entries)


def test_they_are_added_once_with_their_lessons_hints_and_language(db):
    admin = add_user(db, "admin", "administrator")
    count = add_sample_exercises(db, admin)
    assert count == len(yaml.safe_load(SAMPLE_EXERCISES.read_text(encoding="utf-8"))) and count >= 8
    items = exercises(db, "genai-beginners")
    assert len(items) == count
    few_shot = next(i for i in items if i.question.startswith("In a few-shot prompt"))
    assert few_shot.lesson_id == "genai-04" and few_shot.hints[0].startswith("Think about") and few_shot.lang == "en"
    assert any(i.lang == "zh" and i.question.startswith("少样本提示") for i in items)
    assert add_sample_exercises(db, admin) == 0 and len(exercises(db, "genai-beginners")) == count


def test_a_course_with_an_educators_exercise_gets_none(db):
    teacher = add_user(db, "teacher", "educator")
    add_exercise(db, teacher, "genai-beginners", "What is a token?", "A piece of text the model reads.", "genai-01")
    assert add_sample_exercises(db, add_user(db, "admin", "administrator")) == 0
    assert [i.question for i in exercises(db, "genai-beginners")] == ["What is a token?"]


def test_a_chinese_learner_is_offered_the_chinese_exercises_first(db):
    add_sample_exercises(db, add_user(db, "admin", "administrator"))
    items = exercises(db, "genai-beginners")
    chinese_first = in_language_first(items, "zh")
    count = sum(i.lang == "zh" for i in items)
    assert {i.lang for i in chinese_first[:count]} == {"zh"} and {i.lang for i in chinese_first[count:]} == {"en"}
    assert [i.ref for i in in_language_first(items, "en") if i.lang == "en"] == [i.ref for i in items if i.lang == "en"]
