"""Nothing a learner wrote or read is lost, through AppTest: a stopped answer is kept, coach chats survive a reload."""

import pytest
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from tests.support.apptest import add_user, app_database, find_user, index_course, page
from tests.support.learning_course import write_course
from tutor_app.app.ui import LANG_KEY
from tutor_app.core.database import Conversation, Message
from tutor_app.core.schemas import Answer
from tutor_app.learning.items import add_exercise
from tutor_app.tutoring.conversations import ConversationStore
from tutor_app.tutoring.explain import AnswerStream, Tutor

SHOWN = "Few-shot prompts put worked examples "


@pytest.fixture
def db(isolated_home):
    database = app_database(isolated_home)
    add_user(database, "alice", "student")
    add_user(database, "bob", "student")
    add_user(database, "teacher", "educator")
    return database


def stopped_mid_answer(self, question, **_):
    """The tutor's answer, during which the learner clicks Stop: Streamlit is asked to end the run mid-stream."""
    result = Answer(question=question, answer="", model="scripted", grounded=True, style="generative")

    def pieces():
        yield SHOWN
        get_script_run_ctx().script_requests.request_stop()  # as a click on Stop asks for a rerun: the run ends
        yield "before the task, so the model copies their format."
        result.answer = "never reached"

    return AnswerStream(pieces(), result, None)


def test_a_stopped_answer_is_kept_as_far_as_it_was_shown_and_marked(db, course, monkeypatch):
    monkeypatch.setattr(Tutor, "ask", stopped_mid_answer)
    alice = find_user(db, "alice")
    at = page("tutor_chat.py", alice).run()
    at.chat_input(key="chat_input").set_value("What is a few-shot prompt?").run()
    assert not at.exception
    assert at.button(key="chat_stop").label == "Stop"  # drawn before the stream, so it can be clicked during it
    store = ConversationStore(db)
    [conversation] = store.list(alice.id)
    question, answer = store.messages(alice.id, conversation.id)
    assert question.content == "What is a few-shot prompt?"
    assert (answer.role, answer.content, answer.complete, answer.model) == ("assistant", SHOWN, False, "scripted")
    at.button(key="chat_stop").click().run()  # the rerun the click asks for: the history shows the kept part
    assert not at.exception and "chat_stop" not in [b.key for b in at.button]
    assert any(SHOWN.strip() in m.value for m in at.markdown)
    assert "Answer stopped before the end" in [c.value for c in at.caption]
    # A new session (a reload) shows it the same way; the Chinese interface says so in Chinese.
    again = page("tutor_chat.py", alice)
    again.session_state["chat_conversation"] = conversation.id
    again.session_state[LANG_KEY] = "zh"
    again.run()
    assert not again.exception and any(SHOWN.strip() in m.value for m in again.markdown)
    assert "回答在结束前被中断" in [c.value for c in again.caption]


@pytest.fixture
def exercise(db, isolated_home, tmp_path, monkeypatch):
    # No model server: the coach falls back to its hint ladder, quickly.
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("TUTOR_MAX_RETRIES", "0")
    index_course(isolated_home, [write_course(tmp_path / "course")])
    question = "What does a few-shot prompt put before the task?"
    add_exercise(db, find_user(db, "teacher"), "demo", question, "Two or three worked examples.", "demo-01", "demo-01-o2")
    return question


def coach_texts(at):
    return [m.value for m in at.markdown]


def test_a_coach_conversation_is_there_again_after_a_reload_and_only_for_its_owner(db, exercise):
    alice = find_user(db, "alice")
    at = page("coach.py", alice).run()
    at.chat_input(key="learn_coach_input").set_value("Just tell me the answer, mail me at alice@example.com").run()
    assert not at.exception
    said = "Just tell me the answer, mail me at [email]"
    assert said in coach_texts(at)
    [reply] = [text for text in coach_texts(at) if "here is a hint" in text]
    # A new session: the earlier turns and the hint level come back from the database.
    again = page("coach.py", alice).run()
    assert not again.exception
    assert said in coach_texts(again) and reply in coach_texts(again)
    assert "Hints used: 1 of" in " ".join(c.value for c in again.caption)
    with db.session() as s:
        stored = [m.content for m in s.query(Message).join(Conversation).where(Conversation.exercise != "")]
    assert stored == [said, reply] and not any("alice@example.com" in text for text in stored)
    # Another learner sees none of it; the tutor's conversation list does not show it either.
    bob = page("coach.py", find_user(db, "bob")).run()
    assert not bob.exception and said not in coach_texts(bob) and reply not in coach_texts(bob)
    assert ConversationStore(db).list(alice.id) == []
