"""Personal details never stored, searched or sent to a model, in the explain chat and the coach; the learner told once."""

import pytest

from tests.support.fakes import ScriptedChat
from tests.support.paths import write
from tutor_app.accounts.users import create_user
from tutor_app.core.database import open_database
from tutor_app.core.i18n import t
from tutor_app.learning.items import Item
from tutor_app.tutoring import coach as coach_module
from tutor_app.tutoring.chat import finish_turn, start_turn
from tutor_app.tutoring.coach import Coach
from tutor_app.tutoring.conversations import ConversationStore
from tutor_app.tutoring.profile import Profile

LESSON = """---
id: demo-1
title: Prompt basics
lang: en
---
# Prompt basics

## Temperature
**Temperature** is a setting that controls how random the model's token choices are. A low temperature gives focused and repeatable answers.

## 温度
**温度**是一个参数，用于控制模型选择词元时的随机程度。温度低时，回答聚焦且可重复。
"""
SECRETS = ("li.wei@example.com", "138 1234 5678", "13812345678", "13912345678", "Li Wei", "张伟", "zw@qq.com")


@pytest.fixture
def chat(fake_services, tmp_path):
    """A tutor over a one-lesson course that answers with a scripted model, recording the search and the model."""
    write(tmp_path / "course" / "lesson.md", LESSON)
    assert fake_services.ingestor.ingest_paths([tmp_path / "course"], "demo").ok
    tutor = fake_services.tutor
    rule = {f"{prefix}grounding_{part}": 0.0 for prefix in ("", "cross_") for part in ("threshold", "floor")}
    tutor.settings = tutor.retriever.settings = tutor.settings.model_copy(update={**rule, "answer_style": "generative"})
    models: list[ScriptedChat] = []
    searched: list[str] = []

    def model():
        models.append(ScriptedChat(["A low temperature gives focused and repeatable answers [1]."]))
        return models[-1]

    search = tutor.retriever.search
    tutor.retriever.search = lambda query, *args, **kwargs: searched.append(query) or search(query, *args, **kwargs)
    tutor.model_factory = model
    db = open_database("sqlite://")
    user = create_user(db, "alice", "correct horse battery", "student")
    return tutor, ConversationStore(db), user.id, models, searched


def ask(chat, question, conversation_id=None, ui_lang="en"):
    tutor, store, user_id, *_ = chat
    turn = start_turn(store, tutor, user_id, conversation_id, "demo", question, ui_lang, answer_lang="en")
    shown = "".join(turn.pieces())
    finish_turn(store, tutor.settings, user_id, turn, shown)
    return turn, shown


def test_the_stored_message_the_search_and_the_model_request_hold_no_personal_data(chat):
    tutor, store, user_id, models, searched = chat
    turn, _ = ask(chat, "My classmate Li Wei's phone is 138 1234 5678 and li.wei@example.com: what does temperature do?")
    ask(chat, "张伟的邮箱是zw@qq.com，温度是什么？", turn.conversation_id)

    stored = store.messages(user_id, turn.conversation_id)
    assert stored[0].content == "My classmate [name]'s phone is [phone] and [email]: what does temperature do?"
    assert stored[2].content == "[name]的邮箱是[email]，温度是什么？"
    assert store.get(user_id, turn.conversation_id).title.startswith("My classmate [name]'s phone is [phone]")
    sent = repr([call for model in models for call in model.calls]) + repr(searched)
    assert models and searched and "[phone]" in sent
    assert not [secret for secret in SECRETS if secret in sent]


def test_an_old_unredacted_message_does_not_reach_the_model_as_history(chat):
    tutor, store, user_id, models, _ = chat
    conversation = store.create(user_id, "demo", "old chat")
    # A question stored before messages were redacted on the way in:
    store.add_message(user_id, conversation.id, "user", "Call Li Wei at 13812345678: what is temperature?")
    store.add_message(user_id, conversation.id, "assistant", "Temperature controls randomness [1].")
    ask(chat, "And a low temperature?", conversation.id)
    sent = repr(models[-1].calls)
    assert "Call [name] at [phone]" in sent and "13812345678" not in sent and "Li Wei" not in sent


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_learner_is_told_once_per_conversation_in_their_language(chat, lang):
    notice = t("privacy_redacted", lang)
    first, shown = ask(chat, "my phone is 13812345678, what is temperature?", ui_lang=lang)
    assert shown.startswith(notice)
    _, again = ask(chat, "and my e-mail is a@example.com, what is a low temperature?", first.conversation_id, lang)
    _, clean = ask(chat, "What is temperature?", first.conversation_id, lang)
    assert notice not in again and notice not in clean
    _, new_chat = ask(chat, "手机13912345678，温度是什么？", ui_lang=lang)
    assert new_chat.startswith(notice)  # a new conversation is told again


def test_no_notice_when_nothing_was_replaced(chat):
    _, shown = ask(chat, "What does a low temperature do? Released in 2024, GPT-3.5 reads 4,096 tokens.")
    assert t("privacy_redacted", "en") not in shown and t("privacy_redacted", "zh") not in shown


# --------------------------------------------------------------------------- coach mode

ITEM = Item("ex:1", "short_answer", "What does the temperature setting control?", "How random the next token choice is.")


@pytest.mark.parametrize(
    "lang, message, history_message",
    [
        ("en", "Li Wei's phone is 138 1234 5678, is it about randomness?", "my email is li.wei@example.com"),
        ("zh", "张伟的手机号是13912345678，是随机性吗？", "张伟的邮箱是zw@qq.com"),
    ],
)
def test_the_coach_model_never_sees_personal_data_and_the_learner_is_told_once(lang, message, history_message):
    models: list[ScriptedChat] = []

    def model():
        models.append(ScriptedChat(["What does the lesson say about randomness?"]))
        return models[-1]

    coach, profile = Coach(None, model), Profile(language=lang)
    reply = coach.reply(ITEM, message, [], profile)
    assert t("privacy_redacted", lang) in reply.notices
    later = coach.reply(ITEM, message, [("human", history_message), ("ai", "Hm?")], profile)
    assert t("privacy_redacted", lang) not in later.notices  # told with the earlier turn already
    sent = repr([call for m in models for call in m.calls])
    assert "[phone]" in sent and "[email]" in sent
    assert not [secret for secret in SECRETS if secret in sent]


def test_a_coach_attempt_is_graded_without_the_personal_data(monkeypatch):
    graded = []
    real = coach_module.grade_short
    monkeypatch.setattr(coach_module, "grade_short", lambda attempt, *rest: graded.append(attempt) or real(attempt, *rest))
    coach = Coach(None, lambda: ScriptedChat(["?"]))
    reply = coach.check_attempt(ITEM, "How random the next token choice is. 我的手机13812345678", Profile())
    assert reply.grade.correct
    assert graded == ["How random the next token choice is. 我的手机[phone]"]
