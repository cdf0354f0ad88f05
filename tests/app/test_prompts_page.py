"""The prompt workbench page through AppTest: what an administrator reads when saving, refusing, activating, testing."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import add_user, app_database, page
from tests.support.scripted_server import ScriptedServer
from tutor_app.lab import prompt_versions as pv

FILE_RULE = "4. Keep it short and clear for a beginner, in the language the user message asks for."
NEW_RULE = "4. Answer in two sentences at most."


@pytest.fixture
def db(isolated_home):
    database = app_database(isolated_home)
    database.admin = add_user(database, "admin", "administrator")
    database.admin_zh = add_user(database, "guanli", "administrator", language="zh")
    return database


def labelled(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def save(at: AppTest, content: str, note: str = "") -> AppTest:
    at.text_area[0].input(content)
    at.text_input[0].input(note)
    labelled(at, "Save as new version" if at.session_state["ui_lang"] == "en" else "保存为新版本").click()
    return at.run()


def history_versions(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value.iloc[:, 0])


def test_saving_shows_the_new_version_and_its_diff(db):
    at = page("prompts.py", db.admin).run()
    assert not at.exception
    assert at.title[0].value == "Prompts" and at.selectbox(key="lab_prompts_name").value == "coverage_explain"
    at.selectbox(key="lab_prompts_name").set_value("student_tutor").run()
    assert "Active version: **v0 · from the file**" in [m.value for m in at.markdown]
    assert FILE_RULE in at.text_area[0].value
    at = save(at, at.text_area[0].value.replace(FILE_RULE, NEW_RULE), note="shorter")
    assert not at.exception and not at.error
    assert at.success[0].value == "Saved as version 1 (not active yet). Changes against version v0 · from the file:"
    assert f"-      {FILE_RULE}" in at.code[0].value and f"+      {NEW_RULE}" in at.code[0].value
    assert history_versions(at) == ["v1", "v0 · from the file"]
    table = at.dataframe[0].value
    assert list(table.iloc[0])[1:3] == ["shorter", "admin"] and list(table.iloc[:, 4]) == ["", "✓"]
    assert "Active version: **v0 · from the file**" in [m.value for m in at.markdown]  # saving activates nothing


def test_an_unknown_variable_is_named_and_nothing_is_saved(db):
    at = page("prompts.py", db.admin).run()
    at.selectbox(key="lab_prompts_name").set_value("student_tutor").run()
    at = save(at, at.text_area[0].value.replace("Answer in {language}.", "Answer in {language} {secret}."))
    assert not at.exception and not at.success
    assert at.error[0].value.startswith("Unknown variable: secret. The code does not pass it")
    assert history_versions(at) == ["v0 · from the file"]
    assert pv.history(db, "student_tutor") == [pv.VersionInfo(0, "", "", None, None, True)]


def test_a_chinese_administrator_reads_what_each_prompt_does_in_chinese(db):
    at = page("prompts.py", db.admin_zh).run()
    for name in at.selectbox(key="lab_prompts_name").options:
        at.selectbox(key="lab_prompts_name").set_value(name).run()
        about = at.caption[1].value  # under the page's introduction
        assert not at.exception and re.search("[\u4e00-\u9fff]{8}", about) and "the" not in about.split(), (name, about)


def test_a_chinese_administrator_reads_the_error_in_chinese(db):
    at = page("prompts.py", db.admin_zh).run()
    at.selectbox(key="lab_prompts_name").set_value("student_tutor").run()
    at = save(at, at.text_area[0].value.replace("Question: {question}", "Question: {{ question }}"))
    assert not at.exception and "Jinja" in at.error[0].value and "提示词使用了 Jinja 语法" in at.error[0].value


def test_activate_roll_back_and_compare_in_the_page(db):
    pv.save(db, "student_tutor", pv.content_of(db, "student_tutor", 0).replace(FILE_RULE, NEW_RULE), note="short")
    at = page("prompts.py", db.admin).run()
    at.selectbox(key="lab_prompts_name").set_value("student_tutor").run()
    assert f"+      {NEW_RULE}" in at.code[0].value  # the diff from v0 to the newest version, shown at once
    at.selectbox(key="lab_prompts_pick_student_tutor").set_value(1).run()
    labelled(at, "Activate / roll back").click().run()
    assert not at.exception
    assert at.success[0].value == "Version v1 of student_tutor is active: answers use it within seconds."
    assert "Active version: **v1**" in [m.value for m in at.markdown] and NEW_RULE in at.text_area[0].value
    assert list(at.dataframe[0].value.iloc[:, 4]) == ["✓", ""]
    at.selectbox(key="lab_prompts_pick_student_tutor").set_value(0).run()
    labelled(at, "Activate / roll back").click().run()
    assert "Active version: **v0 · from the file**" in [m.value for m in at.markdown]
    assert pv.active_version(db, "student_tutor") == 0


def test_the_bench_shows_two_versions_side_by_side(db, monkeypatch):
    pv.save(db, "student_tutor", pv.content_of(db, "student_tutor", 0).replace(FILE_RULE, NEW_RULE))
    server = ScriptedServer(["Answer from the file version.", "Answer from version one."])
    try:
        at = page("prompts.py", db.admin).run()
        at.selectbox(key="lab_prompts_name").set_value("student_tutor").run()
        at.multiselect(key="lab_prompts_endpoints").set_value([])
        at.text_input(key="lab_prompts_url").input(f"{server.url}#bench-model")
        at.button(key="lab_prompts_run").click().run()
    finally:
        server.close()
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown if m.value.startswith("*v")] == ["*v0 · from the file*", "*v1*"]
    texts = [m.value for m in at.markdown]
    assert "Answer from the file version." in texts and "Answer from version one." in texts
    figures = [c.value for c in at.caption if "completion tokens" in c.value]
    assert len(figures) == 2 and all("(estimated)" in f and f.endswith(" s") for f in figures)
    sent = [request["messages"] for request in server.requests]
    assert FILE_RULE in sent[0][0]["content"] and NEW_RULE in sent[1][0]["content"]


@pytest.mark.parametrize("role", ["student", "educator"])
def test_students_and_educators_cannot_reach_it(db, role):
    user = add_user(db, f"someone_{role}", role)
    at = page("prompts.py", user).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["This page is not available to your role."]
    assert not at.text_area and not at.dataframe
