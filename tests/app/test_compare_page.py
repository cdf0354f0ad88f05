"""The Compare models page through AppTest: two live columns from two servers on loopback, one failed column,
saved runs with downloads, the batch tab, and the role check."""

import json

import pytest

from tests.support.apptest import add_user, app_database, find_user, page
from tests.support.lab_servers import LabServer, dead_url

GOOD = "A few-shot prompt puts worked examples before the task so the model copies their format [1]."
INVENTED = "Few-shot prompts were invented by medieval monks for illuminated manuscripts."


@pytest.fixture
def db(isolated_home):
    database = app_database(isolated_home)
    add_user(database, "erin", "educator")
    add_user(database, "alice", "student")
    return database


@pytest.fixture
def models(monkeypatch, course):
    """Three configured endpoints: "good" (sends usage, priced), "chatty" (no usage), "gone" (nothing listens)."""
    good, chatty = LabServer(GOOD, usage=(120, 30)), LabServer(INVENTED)
    entries = [
        {"name": "good", "base_url": good.url, "model": "good-model", "input_price": 1.0, "output_price": 2.0},
        {"name": "chatty", "base_url": chatty.url, "model": "chatty-model"},
        {"name": "gone", "base_url": dead_url(), "model": "ghost"},
    ]
    monkeypatch.setenv("TUTOR_MODELS", json.dumps(entries))
    yield good, chatty
    good.close()
    chatty.close()


def column_text(column) -> str:
    parts = [e.value for kind in ("subheader", "caption", "markdown", "error") for e in getattr(column, kind)]
    return "\n".join(str(p) for p in parts)


def test_student_is_refused(db):
    at = page("compare.py", find_user(db, "alice")).run()
    assert not at.exception and "not available" in at.error[0].value


def test_two_columns_stream_and_one_fails(db, models):
    good, chatty = models
    at = page("compare.py", find_user(db, "erin")).run()
    assert not at.exception and at.title[0].value == "Compare models"
    at.multiselect(key="labcmp_models").set_value([("good", True), ("chatty", False), ("gone", True)])
    at.text_input(key="labcmp_question").input("What does a few-shot prompt put before the task?")
    at.button(key="labcmp_run").click().run()
    assert not at.exception
    good_col, chatty_col, gone_col = [column_text(c) for c in at.tabs[0].columns]
    assert "good" in good_col and "with course retrieval" in good_col and GOOD in good_col
    assert "tokens 120 in / 30 out · cost $0.000180" in good_col and "First token" in good_col
    assert "Citations: [1] Prompts › Few-shot prompts" in good_col
    assert "Claim check: 0 sentence(s) not found in the course" in good_col
    assert "model alone" in chatty_col and INVENTED in chatty_col and "(not found in the course)" in chatty_col
    assert "(counted here)" in chatty_col and "cost unknown (no price set)" in chatty_col and "Citations: none" in chatty_col
    assert "Failed: cannot reach the server." in gone_col and "First token" not in gone_col
    assert "<passage" not in json.dumps(chatty.requests) and "<passage" in json.dumps(good.requests)
    # Saved, listed and downloadable; a rerun (the download click) shows the columns again.
    table = at.table[-1].value  # a plain table: its text is on the page
    assert sorted(name.split(" ")[0] for name in table["model"]) == ["chatty", "gone", "good"]
    assert any(answer.startswith("Failed:") for answer in table["answer"])
    assert len(at.get("download_button")) == 2
    again = [column_text(c) for c in at.run().tabs[0].columns]
    assert GOOD in again[0] and "Failed: cannot reach the server." in again[2] and len(good.requests) == 1


def test_fewer_than_two_models_is_refused_before_any_call(db, models):
    good, _ = models
    at = page("compare.py", find_user(db, "erin")).run()
    at.multiselect(key="labcmp_models").set_value([("good", True)])
    at.text_input(key="labcmp_question").input("What is a few-shot prompt?")
    at.button(key="labcmp_run").click().run()
    assert not at.exception and "Pick 2 to 4 models" in at.warning[0].value and good.requests == []


def test_batch_tab_runs_a_question_set_and_shows_the_table_and_chart(db, models):
    good, _ = models
    at = page("compare.py", find_user(db, "erin")).run()
    at.multiselect(key="labcmp_bmodels").set_value(["good"]).run()
    at.radio(key="labcmp_bmode").set_value("on")
    at.selectbox(key="labcmp_set").set_value("lessons-01-04.yaml")
    at.number_input(key="labcmp_limit").set_value(2)
    at.button(key="labcmp_batch").click().run()
    assert not at.exception, at.exception
    rows = at.table[0].value
    assert list(rows.columns[:6]) == ["model", "retrieval", "questions", "answered", "right lesson", "key sentence"]
    assert rows.iloc[0]["model"] == "good · with course retrieval" and rows.iloc[0]["questions"] == 2
    assert (rows.iloc[0]["answered"], rows.iloc[0]["right lesson"], rows.iloc[0]["key sentence"]) == (2, 0, 0)
    assert len(good.requests) == 2 and at.get("vega_lite_chart")  # the bar chart of answered / right lesson / key
