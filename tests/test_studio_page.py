"""The studio page through AppTest, with a scripted OpenAI-compatible model server: generate, check, edit, save, reopen."""

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import write
from tests.scripted_server import ScriptedServer
from tutor_app.accounts import create_user
from tutor_app.config import load_settings
from tutor_app.store import default_database_url, open_database
from tutor_app.studio_store import StudioStore

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "tutor_app" / "app.py")
STUDIO = str(ROOT / "tutor_app" / "app_pages" / "studio.py")
PASSWORD = "correct horse battery"

PLAN = {
    "title": "Few-shot prompts", "objectives": [{"text": "Explain a few-shot prompt", "bloom": "understand"},
                                                 {"text": "Write one", "bloom": "apply"},
                                                 {"text": "Compare with zero-shot", "bloom": "analyze"}],
    "prerequisites": ["Has used a chatbot"],
    "materials": [{"title": "Notes", "description": "The section on examples", "passages": [1]}],
    "activities": [{"title": "Warm-up", "minutes": 10, "description": "Discuss", "objectives": [1], "passages": [1]},
                   {"title": "Practice", "minutes": 20, "description": "Write prompts", "objectives": [2], "passages": [1]},
                   {"title": "Compare", "minutes": 10, "description": "Zero vs few", "objectives": [3], "passages": [1]}],
    "formative_assessment": "Exit ticket", "support_weaker": "Template", "challenge_stronger": "Harder task",
    "homework": "Three examples",
}


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def db(isolated_home):
    database = open_database(default_database_url(load_settings(home=isolated_home)))
    create_user(database, "root", PASSWORD, "administrator")
    create_user(database, "erin", PASSWORD, "educator")
    create_user(database, "alice", PASSWORD, "student")
    create_user(database, "wei", PASSWORD, "educator", language="zh")
    return database


@pytest.fixture
def course(isolated_home, tmp_path, monkeypatch):
    from tutor_app.services import build_services

    write(tmp_path / "c" / "prompts.md", "# Prompts\n\n## Few-shot prompts\nA few-shot prompt puts worked examples before "
          "the task so the model copies their format.\n")
    assert build_services(load_settings(home=isolated_home)).ingestor.ingest_paths([tmp_path / "c"], "demo").ok
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.5")


@pytest.fixture
def model(monkeypatch):
    servers = []

    def start(*answers):
        servers.append(ScriptedServer(list(answers)))
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", servers[-1].url)
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def studio(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[-1].click()
    at.run()
    return at.switch_page(STUDIO).run()


def user_id(db, name):
    from tutor_app.accounts import list_users

    return next(u.id for u in list_users(db) if u.username == name)


def test_student_is_refused(db, course):
    page = AppTest.from_file(STUDIO, default_timeout=60)
    page.session_state["auth_user_id"] = user_id(db, "alice")
    page.run()
    assert not page.exception and "not available" in page.error[0].value
    assert not page.get("button")


def test_educator_generates_checks_edits_saves_versions_and_reopens(db, course, model):
    server = model(json.dumps(PLAN))
    at = studio("erin")
    assert not at.exception and at.title[0].value == "Studio"
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.number_input(key="studio_in_minutes").set_value(40)
    at.button(key="studio_generate").click().run()
    assert not at.exception
    assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert "few-shot" in server.requests[0]["messages"][-1]["content"].lower()
    markdown = " ".join(m.value for m in at.markdown)
    assert "✅ Timings add up to the duration: passed" in markdown
    assert "✅ Every citation points to a course passage: passed" in markdown
    assert at.text_input(key=f"studio_edit_title_{at.session_state['studio_rev']}").value == "Few-shot prompts"
    at.button(key="studio_save").click().run()
    assert not at.exception and "version 1" in at.success[0].value
    store = StudioStore(db)
    [saved] = store.list(user_id(db, "erin"))
    assert saved.kind == "plan" and store.load(user_id(db, "erin"), saved.id).duration_minutes == 40
    # Edit the title and save again: a second version.
    at.text_input(key=f"studio_edit_title_{at.session_state['studio_rev']}").input("Few-shot prompts, revised").run()
    at.button(key="studio_save").click().run()
    assert not at.exception and "version 2" in at.success[0].value
    assert [v for v, _, _ in store.versions(user_id(db, "erin"), saved.id)] == [2, 1]
    assert len([d for d in at.get("download_button")]) == 3
    # A new session lists it and reopens version 1.
    again = studio("erin")
    again.selectbox(key=f"studio_ver_{saved.id}").set_value(1)
    again.button(key="studio_open").click().run()
    assert not again.exception
    assert again.text_input(key=f"studio_edit_title_{again.session_state['studio_rev']}").value == "Few-shot prompts"


def test_timings_failure_is_shown_and_fit_button_fixes_it(db, course, model):
    model(json.dumps(PLAN))
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.number_input(key="studio_in_minutes").set_value(60)
    at.button(key="studio_generate").click().run()
    assert any("take 40 minutes, but the lesson lasts 60" in e.value for e in at.error)
    at.button(key="studio_fit").click().run()
    assert not at.exception and not at.error
    assert "✅ Timings add up to the duration: passed" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("minutes,topic,message", [
    (0, "few-shot prompts", "A lesson of 0 minutes cannot be planned"),
    (10080, "few-shot prompts", "A lesson of 10080 minutes cannot be planned"),
    (45, "", "Enter a topic or pick at least one lesson"),
    (45, "x" * 5000, "The topic is 5000 characters"),
])
def test_bad_input_is_refused_before_any_model_call(db, course, model, minutes, topic, message):
    server = model()
    at = studio("erin")
    at.text_input(key="studio_in_topic").input(topic)
    at.number_input(key="studio_in_minutes").set_value(minutes)
    at.button(key="studio_generate").click().run()
    assert not at.exception and message in at.error[0].value
    assert server.requests == [] and at.session_state["studio_doc"] is None if "studio_doc" in at.session_state else True


def test_uncovered_topic_asks_for_confirmation_then_makes_an_uncited_plan(db, course, model, monkeypatch):
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0.999")
    uncited = {**PLAN, "materials": [{**PLAN["materials"][0], "passages": []}],
               "activities": [{**a, "passages": []} for a in PLAN["activities"]]}
    server = model(json.dumps(uncited))
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("how to bake sourdough bread")
    at.button(key="studio_generate").click().run()
    assert not at.exception and "does not cover" in at.warning[0].value and server.requests == []
    at.checkbox(key="studio_in_ungrounded").check()
    at.button(key="studio_generate").click().run()
    assert not at.exception and len(server.requests) == 1
    assert any("without course passages" in w.value for w in at.warning)
    assert at.session_state["studio_doc"].grounded is False


def test_prose_twice_shows_the_failure_and_saves_nothing(db, course, model):
    server = model("I think a good lesson would start with a warm-up.", "Here is my plan: warm up, then practise.")
    at = studio("erin")
    at.text_input(key="studio_in_topic").input("few-shot prompts")
    at.button(key="studio_generate").click().run()
    assert not at.exception and len(server.requests) == 2
    assert "not valid even after one repair" in at.error[0].value and "prose instead of JSON" in at.error[0].value
    assert StudioStore(db).list(user_id(db, "erin")) == []


def test_topic_sent_by_another_page_prefills_the_field(db, course):
    at = AppTest.from_file(STUDIO, default_timeout=60)
    at.session_state["auth_user_id"] = user_id(db, "erin")
    at.session_state["studio_topic"] = "retrieval-augmented generation"
    at.run()
    assert not at.exception and at.text_input(key="studio_in_topic").value == "retrieval-augmented generation"
    assert "studio_topic" not in at.session_state


def test_chinese_educator_gets_a_chinese_page_and_quiz_settings(db, course):
    at = AppTest.from_file(STUDIO, default_timeout=60)
    at.session_state["auth_user_id"] = user_id(db, "wei")
    at.session_state["ui_lang"] = "zh"
    at.session_state["studio_in_kind"] = "quiz"
    at.run()
    assert not at.exception and at.title[0].value == "备课工作室"
    assert at.number_input(key="studio_in_count").label == "题目数量"
    assert at.multiselect(key="studio_in_kinds").value == ["multiple_choice", "true_false", "short_answer"]
