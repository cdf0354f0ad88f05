"""Ungrounded questions grouped by topic (no names), and usage aggregates, over a real app database."""

from datetime import timedelta

import pytest

from tests.support.fakes import HashEmbedding
from tutor_app.accounts.users import create_user
from tutor_app.admin.gaps import gap_topics, group_questions, ungrounded_questions
from tutor_app.admin.usage import feedback_share, questions_per_day, tokens_by_role_and_model
from tutor_app.core.database import Message, open_database, utcnow
from tutor_app.tutoring.conversations import ConversationStore

PASSWORD = "correct horse battery"


@pytest.fixture
def db():
    database = open_database("sqlite://")
    store = ConversationStore(database)
    alice = create_user(database, "alice_secret_name", PASSWORD, "student", display_name="Alice Wonder")
    bob = create_user(database, "bob", PASSWORD, "student")
    teacher = create_user(database, "teacher", PASSWORD, "educator")

    def turn(user, course, question, grounded, model="embedded:smollm2", tokens=(100, 20), cost=0.0):
        conversation = store.create(user.id, course, question[:20])
        store.add_message(user.id, conversation.id, "user", question)
        answer = store.add_message(
            user.id,
            conversation.id,
            "assistant",
            "…",
            grounded=grounded,
            model=model,
            prompt_tokens=tokens[0],
            completion_tokens=tokens[1],
            cost_usd=cost,
        )
        return answer

    turn(alice, "genai", "How do I change a car tyre?", False)
    turn(bob, "genai", "how do I change a car tyre", False)
    turn(bob, "genai", "How do I change the car tyre?", False)
    turn(alice, "genai", "What is the capital of Mongolia?", False)
    turn(bob, "genai", "What is a few-shot prompt?", True, model="gpt-4o-mini", tokens=(1000, 200), cost=0.00027)
    turn(teacher, "genai", "How do I change a car tyre quickly?", False)  # not a student: not counted as a gap
    turn(alice, "rag", "How do I change a car tyre?", False)
    up = turn(bob, "rag", "What is an embedding?", True)
    down = turn(alice, "rag", "What is BM25?", True)
    store.set_feedback(bob.id, up, 1)
    store.set_feedback(alice.id, down, 0)
    return database


def test_ungrounded_student_questions_are_paired_with_their_answers(db):
    pairs = ungrounded_questions(db)
    assert ("genai", "What is the capital of Mongolia?") in pairs and len(pairs) == 5
    assert all("quickly" not in q for _, q in pairs)  # the educator's question is not a student's
    assert ungrounded_questions(db, "rag") == [("rag", "How do I change a car tyre?")]


def test_questions_are_grouped_by_topic_per_course_with_counts_and_examples(db):
    topics = gap_topics(db, HashEmbedding(256), threshold=0.8)
    by_course = {(t.course, t.count) for t in topics}
    assert by_course == {("genai", 3), ("genai", 1), ("rag", 1)}
    biggest = topics[0]
    assert biggest.count == 3 and "tyre" in biggest.topic.lower() and len(biggest.examples) <= 3
    text = repr(topics)
    assert "alice" not in text.lower() and "Wonder" not in text and "bob" not in text  # questions, never who asked


def test_grouping_nothing_is_nothing():
    assert group_questions([], HashEmbedding()) == []


@pytest.mark.parametrize(
    "stored, shown",
    [
        (
            "Li Wei's phone is 138 1234 5678, how do I change a car tyre?",
            "[name]'s phone is [phone], how do I change a car tyre?",
        ),
        ("张伟的邮箱是zw@qq.com，住在北京市朝阳区建国路88号，怎么换轮胎？", "[name]的邮箱是[email]，住在[address]，怎么换轮胎？"),
    ],
)
def test_unanswered_questions_and_studio_topics_show_no_personal_data_even_from_old_rows(stored, shown):
    db = open_database("sqlite://")
    store = ConversationStore(db)
    carol = create_user(db, "carol", PASSWORD, "student")
    conversation = store.create(carol.id, "genai", "tyres")
    store.add_message(carol.id, conversation.id, "user", stored)  # as stored before messages were redacted on the way in
    store.add_message(carol.id, conversation.id, "assistant", "…", grounded=False)
    assert ungrounded_questions(db) == [("genai", shown)]
    (topic,) = gap_topics(db, HashEmbedding(256))
    assert topic.topic == shown and topic.examples == [shown]  # the topic is what "Send to the studio" hands over


def test_questions_per_day_per_course(db):
    rows = questions_per_day(db)
    today = str(utcnow().date())
    assert {(r["day"], r["course"], r["questions"]) for r in rows} == {(today, "genai", 6), (today, "rag", 3)}
    with db.session() as s:  # an old question falls outside the window
        s.query(Message).filter(Message.content == "What is BM25?").update({"created_at": utcnow() - timedelta(days=90)})
    assert {(r["course"], r["questions"]) for r in questions_per_day(db)} == {("genai", 6), ("rag", 2)}


def test_tokens_and_cost_per_role_and_model(db):
    rows = {(r["role"], r["model"]): r for r in tokens_by_role_and_model(db)}
    assert rows[("student", "gpt-4o-mini")]["tokens"] == 1200 and rows[("student", "gpt-4o-mini")]["cost_usd"] == pytest.approx(
        0.00027
    )
    assert rows[("student", "embedded:smollm2")]["answers"] == 7
    assert rows[("educator", "embedded:smollm2")]["answers"] == 1


def test_thumbs_up_share(db):
    share = feedback_share(db)
    assert share["rated"] == 2 and share["share_up"] == 0.5
    assert share["by_course"] == [{"course": "rag", "rated": 2, "share_up": 0.5}]
    assert feedback_share(open_database("sqlite://"))["share_up"] is None
