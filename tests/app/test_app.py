"""The Streamlit app through AppTest: first run, sign-in, roles, chat, history, export, feedback."""

import pytest

from tests.support.apptest import PAGES, PASSWORD, add_user, app, app_database, find_user, page, sign_in
from tutor_app.learning.items import exercises
from tutor_app.tutoring.conversations import ConversationStore


@pytest.fixture
def db(isolated_home):
    database = app_database(isolated_home)
    add_user(database, "admin", "administrator")
    add_user(database, "alice", "student")
    add_user(database, "bob", "student", language="zh")
    return database


def test_first_run_creates_the_administrator(isolated_home):
    at = app().run()
    assert not at.exception and at.title[0].value == "First run"
    at.text_input(key="setup_username").input("root_admin")
    at.text_input(key="setup_password").input(PASSWORD)
    at.button[-1].click()
    at.run()
    assert not at.exception and at.title[0].value == "Tutor"
    # The sample course's starter exercises came with the administrator: a fresh coach page has work to offer.
    questions = [item.question for item in exercises(app_database(isolated_home), "genai-beginners")]
    assert (
        "Does chatting with a language model retrain it? Explain." in questions
        and "语言模型回答中的“幻觉”指的是什么？" in questions
    )


def test_first_run_refuses_a_short_password(isolated_home):
    at = app().run()
    at.text_input(key="setup_username").input("root_admin")
    at.text_input(key="setup_password").input("short")
    at.button[-1].click()
    at.run()
    assert not at.exception and "too short" in at.error[0].value


def test_wrong_password_is_refused_without_saying_why(db):
    at = sign_in(app(), "alice", "wrong password!")
    assert not at.exception and "Wrong username or password" in at.error[0].value
    at2 = sign_in(app(), "nobody", "wrong password!")
    assert at2.error[0].value == at.error[0].value


def test_student_sees_only_the_tutor_and_is_refused_the_users_page(db):
    at = sign_in(app(), "alice")
    assert not at.exception and at.title[0].value == "Tutor"
    # The users page is not registered for a student; run it directly with the student's session too.
    users = page("users.py", find_user(db, "alice")).run()
    assert not users.exception and "not available" in users.error[0].value
    assert not users.get("form")  # the add-user form never rendered


def test_administrator_adds_a_student(db):
    at = sign_in(app(), "admin")
    at.switch_page(str(PAGES / "users.py")).run()
    assert not at.exception and at.title[0].value == "Users"
    at.text_input(key="users_username").input("carol")
    at.text_input(key="users_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Add").click()
    at.run()
    assert not at.exception and "carol" in at.success[0].value


def test_chinese_user_gets_a_chinese_interface(db):
    at = sign_in(app(), "bob")
    assert not at.exception and at.title[0].value == "导师"


def test_chat_not_covered_history_rename_export_and_delete(db, course, monkeypatch):
    monkeypatch.setenv("TUTOR_GROUNDING_THRESHOLD", "0.999")
    monkeypatch.setenv("TUTOR_GROUNDING_FLOOR", "0.999")
    monkeypatch.setenv("TUTOR_CROSS_GROUNDING_THRESHOLD", "0.999")
    monkeypatch.setenv("TUTOR_CROSS_GROUNDING_FLOOR", "0.999")
    at = sign_in(app(), "alice")
    at.chat_input(key="chat_input").set_value("How do I change a car tyre?").run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any("does not cover" in t for t in texts)
    store = ConversationStore(db)
    alice = find_user(db, "alice")
    [conversation] = store.list(alice.id)
    roles = [m.role for m in store.messages(alice.id, conversation.id)]
    assert roles == ["user", "assistant"]
    # A fresh session (a reload) finds the conversation again.
    again = sign_in(app(), "alice")
    assert conversation.title in [o for o in again.radio(key="chat_pick").options]
    again.radio(key="chat_pick").set_value(conversation.id).run()
    assert any("car tyre" in m.value for m in again.markdown)
    assert "car tyre" in store.export_markdown(alice.id, conversation.id)
    again.text_input(key=f"chat_title_{conversation.id}").input("Tyres")
    again.button(key="chat_rename").click().run()
    assert store.get(alice.id, conversation.id).title == "Tyres"
    again.button(key="chat_delete").click().run()
    assert not again.exception and store.list(alice.id) == []


def test_another_student_never_sees_alices_conversations(db, course):
    at = sign_in(app(), "alice")
    at.chat_input(key="chat_input").set_value("What is a few-shot prompt? secret-topic-alice").run()
    bob = sign_in(app(), "bob")
    assert not bob.exception
    assert not bob.get("radio") or all("secret-topic-alice" not in str(o) for o in bob.radio(key="chat_pick").options)
    assert all("secret-topic-alice" not in m.value for m in bob.markdown)


def test_dead_model_server_keeps_the_question_and_shows_passages(db, course, monkeypatch, caplog, capfd):
    import logging

    caplog.set_level(logging.DEBUG)  # the openai SDK and Streamlit log requests at debug level
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-123")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("TUTOR_MAX_RETRIES", "0")
    for name in ("GROUNDING_THRESHOLD", "GROUNDING_FLOOR", "CROSS_GROUNDING_THRESHOLD", "CROSS_GROUNDING_FLOOR"):
        monkeypatch.setenv(f"TUTOR_{name}", "0")
    at = sign_in(app(), "alice")
    at.chat_input(key="chat_input").set_value("What is a few-shot prompt?").run()
    assert not at.exception
    page_text = " ".join(m.value for m in at.markdown) + " ".join(str(e.label) for e in at.expander)
    assert "The tutor could not answer just now" in page_text and "Sources" in page_text
    assert "Cannot reach the model server" not in page_text and "127.0.0.1:9" not in page_text
    assert "test-key-123" not in page_text
    assert "Traceback" not in page_text
    captured = capfd.readouterr()
    assert "test-key-123" not in caplog.text + captured.out + captured.err, "the API key reached a log"
    assert any(r.name.startswith("openai") for r in caplog.records), "the check needs the SDK's request log to be captured"


def test_oidc_switch_shows_the_provider_button_and_explains_missing_set_up(db, monkeypatch):
    monkeypatch.setenv("TUTOR_SIGN_IN", "oidc")
    at = app().run()
    assert not at.exception
    at.button(key="signin_oidc").click()
    at.run()
    assert not at.exception and "[auth]" in at.error[0].value
    at = sign_in(app(), "alice")  # local accounts still sign in beside the provider
    assert not at.exception and "alice" in " ".join(m.value for m in at.sidebar.markdown)
