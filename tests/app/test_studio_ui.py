"""The studio's editable tables: a document survives the round trip, and edits come back as a valid document or an error."""

import pandas as pd
import pytest
from pydantic import ValidationError

from tests.support.studio_examples import valid_plan, valid_quiz
from tutor_app.app.studio_view import editor_columns, plan_from_tables, plan_tables, quiz_from_tables, quiz_tables


def frames(tables: dict) -> dict:
    return {name: pd.DataFrame(rows) for name, rows in tables.items()}


def test_plan_round_trips_through_its_tables():
    plan = valid_plan()
    assert plan_from_tables(plan, **frames(plan_tables(plan))) == plan


def test_quiz_round_trips_through_its_tables():
    quiz = valid_quiz()
    assert quiz_from_tables(quiz, **frames(quiz_tables(quiz))) == quiz


def test_edited_rows_become_the_new_plan_and_blank_rows_are_dropped():
    plan = valid_plan()
    tables = frames(plan_tables(plan))
    tables["activities"].loc[0, "minutes"] = 7.0  # the editor hands numbers back as floats
    tables["activities"].loc[1, "objective_ids"] = " O1 , O2 "
    tables["activities"].loc[len(tables["activities"])] = [None, float("nan"), None, None, None]  # an added, empty row
    edited = plan_from_tables(plan, **tables, title="New title", prerequisites=["Knows Python"])
    assert edited.title == "New title" and edited.prerequisites == ["Knows Python"]
    assert [a.minutes for a in edited.activities] == [7, 15, 25]
    assert edited.activities[1].objective_ids == ["O1", "O2"]


def test_quiz_options_are_split_on_the_bar():
    quiz = valid_quiz()
    tables = frames(quiz_tables(quiz))
    assert (
        tables["questions"].loc[0, "options"]
        == "Worked examples before the task | Only the task | A temperature value | An API key"
    )
    tables["questions"].loc[0, "options"] = "Yes | No | Maybe"
    tables["questions"].loc[0, "answer"] = "Maybe"
    edited = quiz_from_tables(quiz, **tables)
    assert edited.questions[0].options == ["Yes", "No", "Maybe"] and edited.questions[0].answer == "Maybe"


@pytest.mark.parametrize("column,value", [("minutes", 0), ("title", "")])
def test_an_edit_that_breaks_the_plan_raises(column, value):
    plan = valid_plan()
    tables = frames(plan_tables(plan))
    tables["activities"].loc[0, column] = value
    with pytest.raises((ValidationError, ValueError)):
        plan_from_tables(plan, **tables)


def test_a_true_false_question_with_other_options_is_refused():
    quiz = valid_quiz()
    tables = frames(quiz_tables(quiz))
    tables["questions"].loc[1, "options"] = "Yes | No"
    with pytest.raises(ValidationError, match="true/false"):
        quiz_from_tables(quiz, **tables)


def test_a_chinese_quiz_shows_true_false_in_chinese_and_stores_it_unchanged():
    quiz = valid_quiz().model_copy(update={"language": "zh"})
    true_false = next(i for i, q in enumerate(quiz.questions) if q.kind == "true_false")
    tables = frames(quiz_tables(quiz))
    row = tables["questions"].loc[true_false]
    assert row["options"] == "正确 | 错误" and row["answer"] in ("正确", "错误")
    assert quiz_from_tables(quiz, **tables) == quiz
    tables["questions"].loc[true_false, "answer"] = "错误" if row["answer"] == "正确" else "正确"
    flipped = quiz_from_tables(quiz, **tables).questions[true_false]
    assert flipped.options == ["True", "False"] and flipped.answer != quiz.questions[true_false].answer


def test_an_english_quiz_shows_true_false_as_stored():
    quiz = valid_quiz()
    true_false = next(i for i, q in enumerate(quiz.questions) if q.kind == "true_false")
    assert frames(quiz_tables(quiz))["questions"].loc[true_false, "options"] == "True | False"


@pytest.mark.parametrize(
    "table,make,tables",
    [
        ("objectives", valid_plan, plan_tables),
        ("activities", valid_plan, plan_tables),
        ("materials", valid_plan, plan_tables),
        ("questions", valid_quiz, quiz_tables),
    ],
)
def test_every_column_of_every_table_is_shown_with_a_label_in_each_language(table, make, tables):
    rows = tables(make())[table]
    for lang in ("en", "zh"):
        columns = editor_columns(table, lang)
        assert set(columns) == set(rows[0]), "a column of the table has no setting, or a setting names no column"
        for name, setting in columns.items():
            assert setting is not None and not setting.get("hidden"), f"{table}.{name} is hidden"
            assert setting.get("disabled") is not True, f"{table}.{name} cannot be edited"
            assert setting["label"] and setting["label"] != name, f"{table}.{name} has no translated header"
    english, chinese = editor_columns(table, "en"), editor_columns(table, "zh")
    assert all(english[name]["label"] != chinese[name]["label"] for name in english)


def test_long_text_columns_are_wide_and_choices_are_translated():
    questions = editor_columns("questions", "zh")
    assert all(questions[name]["width"] >= 300 for name in ("question", "options", "explanation"))
    assert editor_columns("activities", "en")["description"]["width"] == 400
    assert editor_columns("objectives", "en")["text"]["width"] == 400
    assert questions["question"]["label"] == "题目" and questions["options"]["label"] == "选项"
    kinds = questions["kind"]["type_config"]["options"]
    assert {o["value"]: o["label"] for o in kinds}["true_false"] == "判断"
    assert editor_columns("activities", "en")["minutes"]["type_config"]["type"] == "number"
    assert "“ | ”" in questions["options"]["help"]
