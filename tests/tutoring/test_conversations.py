"""Chat history: owner-only access, ordering, cascade delete, feedback, Markdown export."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tutor_app.core.database import Conversation, Feedback, Message, User, utcnow
from tutor_app.core.errors import InputError, TutorError
from tutor_app.core.schemas import Citation
from tutor_app.tutoring.conversations import ConversationStore, NotFound, auto_title, delete_inactive

CITES = [
    {"number": 1, "chunk_id": "c1", "source": "lessons/01-intro.md", "heading": "What is a prompt", "text": "A prompt is ..."},
    {"number": 2, "chunk_id": "c2", "source": "lessons/02-rag.md", "heading": "检索增强生成", "text": "RAG ..."},
]


def make_user(db, name):
    with db.session() as s:
        user = User(username=name, password_hash="not-a-real-hash", role="student")
        s.add(user)
    return user.id


@pytest.fixture
def store(db):
    return ConversationStore(db)


@pytest.fixture
def a(db):
    return make_user(db, "student_a")


@pytest.fixture
def b(db):
    return make_user(db, "student_b")


@pytest.fixture
def b_chat(store, b):
    """Student B's conversation with one question and one answer; returns (conversation id, answer id)."""
    cid = store.create(b, "genai", "B's private chat").id
    store.add_message(b, cid, "user", "What is RAG?")
    answer = store.add_message(b, cid, "assistant", "Retrieval-augmented generation.", citations=CITES)
    return cid, answer


def count(db, model):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


# --- basic life cycle ---


def test_create_get_and_list_newest_first(store, a):
    first = store.create(a, "genai", "First")
    second = store.create(a, "genai", "Second")
    assert store.get(a, first.id).title == "First"
    assert [c.id for c in store.list(a)] == [second.id, first.id]
    store.add_message(a, first.id, "user", "a new question makes it the most recent")
    assert [c.id for c in store.list(a)] == [first.id, second.id]


def test_rename_and_title_rules(store, a):
    cid = store.create(a, "genai", "Old").id
    assert store.rename(a, cid, "  New   title ").title == "New title"
    assert store.get(a, cid).title == "New title"
    with pytest.raises(InputError, match="empty"):
        store.rename(a, cid, "   ")
    with pytest.raises(InputError, match="at most 200"):
        store.rename(a, cid, "x" * 201)


def test_messages_keep_order_and_every_field(store, a):
    cid = store.create(a, "genai", "Chat").id
    q = store.add_message(a, cid, "user", "What is a prompt?")
    r = store.add_message(
        a,
        cid,
        "assistant",
        "An instruction.",
        citations=[Citation(**CITES[0])],
        model="gpt-4o-mini",
        grounded=False,
        complete=False,
        prompt_tokens=120,
        completion_tokens=30,
        cost_usd=0.000036,
    )
    user_turn, answer = store.messages(a, cid)
    assert (user_turn.id, user_turn.role, user_turn.content, user_turn.citation_list) == (q, "user", "What is a prompt?", [])
    assert answer.id == r and answer.model == "gpt-4o-mini"
    assert (answer.grounded, answer.complete) == (False, False)
    assert (answer.prompt_tokens, answer.completion_tokens, answer.cost_usd) == (120, 30, pytest.approx(0.000036))
    assert answer.citation_list == [CITES[0] | {"title": ""}]
    assert json.loads(answer.citations)[0]["source"] == "lessons/01-intro.md"


def test_the_question_survives_a_failed_answer(store, a):
    cid = store.create(a, "genai", auto_title("Why did my model fail?")).id
    store.add_message(a, cid, "user", "Why did my model fail?")
    # ... generation raises here; nothing else is written ...
    assert [m.content for m in store.messages(a, cid)] == ["Why did my model fail?"]


def test_chinese_text_round_trips(store, a):
    cid = store.create(a, "genai", "提示工程").id
    store.add_message(a, cid, "assistant", "提示是给模型的指令。", citations=[CITES[1]])
    assert store.messages(a, cid)[0].citation_list[0]["heading"] == "检索增强生成"
    assert "[2] lessons/02-rag.md > 检索增强生成" in store.export_markdown(a, cid)


def test_unknown_message_role_is_a_programming_error(store, a):
    cid = store.create(a, "genai", "Chat").id
    with pytest.raises(ValueError):
        store.add_message(a, cid, "system", "no")


# --- owner only ---


def test_a_cannot_see_b_in_the_list(store, a, b, b_chat):
    assert store.list(a) == []
    assert [c.id for c in store.list(b)] == [b_chat[0]]


@pytest.mark.parametrize(
    "action",
    [
        lambda store, a, cid, mid: store.get(a, cid),
        lambda store, a, cid, mid: store.rename(a, cid, "mine now"),
        lambda store, a, cid, mid: store.delete(a, cid),
        lambda store, a, cid, mid: store.messages(a, cid),
        lambda store, a, cid, mid: store.export_markdown(a, cid),
        lambda store, a, cid, mid: store.add_message(a, cid, "user", "injected"),
        lambda store, a, cid, mid: store.feedback(a, cid),
        lambda store, a, cid, mid: store.set_feedback(a, mid, 0),
    ],
    ids=["get", "rename", "delete", "messages", "export", "add_message", "feedback", "set_feedback"],
)
def test_a_cannot_touch_b_s_conversation(store, db, a, b, b_chat, action):
    cid, answer = b_chat
    with pytest.raises(NotFound):
        action(store, a, cid, answer)
    # B's conversation is exactly as it was.
    assert store.get(b, cid).title == "B's private chat"
    assert [m.content for m in store.messages(b, cid)] == ["What is RAG?", "Retrieval-augmented generation."]
    assert count(db, Feedback) == 0


def test_someone_else_s_id_and_a_missing_id_read_the_same(store, a, b, b_chat):
    with pytest.raises(NotFound) as other:
        store.get(a, b_chat[0])
    with pytest.raises(NotFound) as missing:
        store.get(a, 987654)
    assert str(other.value).replace(str(b_chat[0]), "N") == str(missing.value).replace("987654", "N")
    assert isinstance(other.value, TutorError) and other.value.fix


# --- delete ---


def test_delete_cascades_to_messages_and_feedback(store, db, b, b_chat):
    cid, answer = b_chat
    keep = store.create(b, "genai", "Keep")
    store.add_message(b, keep.id, "user", "still here")
    store.set_feedback(b, answer, 1)
    assert (count(db, Message), count(db, Feedback)) == (3, 1)
    store.delete(b, cid)
    assert (count(db, Message), count(db, Feedback)) == (1, 0)
    assert [c.id for c in store.list(b)] == [keep.id]
    with pytest.raises(NotFound):
        store.get(b, cid)
    with pytest.raises(NotFound):
        store.delete(b, cid)


# --- retention ---


def test_retention_deletes_inactive_conversations_of_every_user_with_their_messages_and_feedback(store, db, a, b, b_chat):
    old_cid, answer = b_chat
    store.set_feedback(b, answer, 1)
    recent = store.create(a, "genai", "Recent").id
    store.add_message(a, recent, "user", "still here")
    with db.session() as s:  # B's chat had its last message 40 days ago
        s.get(Conversation, old_cid).updated_at = utcnow() - timedelta(days=40)
    assert delete_inactive(db, 0) == 0 and count(db, Conversation) == 2  # 0 keeps everything
    assert delete_inactive(db, 60) == 0 and count(db, Conversation) == 2
    assert delete_inactive(db, 30) == 1
    assert store.list(b) == [] and [c.id for c in store.list(a)] == [recent]
    assert (count(db, Message), count(db, Feedback)) == (1, 0)


def test_retention_counts_from_the_last_message_not_the_first(store, db, a):
    cid = store.create(a, "genai", "Long chat").id
    with db.session() as s:
        s.get(Conversation, cid).created_at = utcnow() - timedelta(days=90)
    store.add_message(a, cid, "user", "a new question today")  # activity moves updated_at
    assert delete_inactive(db, 30) == 0 and [c.id for c in store.list(a)] == [cid]


# --- feedback ---


def test_feedback_upsert_replaces_the_score(store, db, b, b_chat):
    cid, answer = b_chat
    store.set_feedback(b, answer, 1)
    assert store.feedback(b, cid) == {answer: 1}
    store.set_feedback(b, answer, 0)
    assert store.feedback(b, cid) == {answer: 0}
    assert count(db, Feedback) == 1


def test_feedback_only_on_answers_and_only_0_or_1(store, b, b_chat):
    cid, answer = b_chat
    question = store.messages(b, cid)[0].id
    with pytest.raises(InputError, match="answers"):
        store.set_feedback(b, question, 1)
    with pytest.raises(InputError, match="thumbs"):
        store.set_feedback(b, answer, 5)
    with pytest.raises(NotFound):
        store.set_feedback(b, 424242, 1)


# --- export ---


def test_export_markdown(store, b, b_chat):
    cid, _ = b_chat
    store.add_message(b, cid, "user", "And embeddings?")
    store.add_message(b, cid, "assistant", "Vectors that", model="SmolLM2-135M", complete=False)
    md = store.export_markdown(b, cid)
    assert md.startswith("# B's private chat\n")
    assert "Course: genai" in md
    assert md.count("## You") == 2 and md.count("## Tutor") == 2
    assert md.index("What is RAG?") < md.index("Retrieval-augmented generation.") < md.index("And embeddings?")
    assert "- [1] lessons/01-intro.md > What is a prompt" in md
    assert "- [2] lessons/02-rag.md > 检索增强生成" in md
    assert "_Answered by SmolLM2-135M_" in md
    assert "interrupted" in md
    assert md.count("Sources:") == 1  # only the answer that had citations


def test_export_numbers_citations_without_a_number_by_position(store, a):
    cid = store.create(a, "", "Plain").id
    store.add_message(a, cid, "assistant", "ok", citations=[{"source": "a.md"}, {"source": "b.md", "heading": "H"}])
    md = store.export_markdown(a, cid)
    assert "- [1] a.md\n" in md and "- [2] b.md > H" in md
    assert "Course:" not in md


# --- auto titles ---


def test_auto_title_short_questions_stay_whole():
    assert auto_title("  What is   a prompt?\n") == "What is a prompt?"


def test_auto_title_cuts_long_english_at_a_word():
    title = auto_title("How do I evaluate a retrieval augmented generation pipeline when the course has no labels at all?")
    assert title.endswith("…") and len(title) <= 61
    assert title == "How do I evaluate a retrieval augmented generation pipeline…"


def test_auto_title_cuts_chinese_at_the_limit():
    title = auto_title("什么是检索增强生成" * 10)
    assert len(title) == 61 and title.endswith("…")


def test_auto_title_of_nothing():
    assert auto_title("   ") == "New conversation"
