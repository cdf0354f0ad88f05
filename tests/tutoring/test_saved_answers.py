"""Nothing a learner wrote or read is lost: answers saved as they stream, stopped ones kept, coach chats stored."""

import pytest

from tutor_app.accounts.users import create_user
from tutor_app.core.database import SAFETY_STYLE, StoreError
from tutor_app.core.schemas import Answer
from tutor_app.tutoring.chat import Turn, finish_turn, stopped_early, stream_turn
from tutor_app.tutoring.conversations import ConversationStore, NotFound, coach_history
from tutor_app.tutoring.explain import AnswerStream

PIECES = ["Few-shot ", "prompts ", "show ", "examples."]


@pytest.fixture
def store(db):  # the app database on each backend tested (tests/conftest.py)
    return ConversationStore(db)


@pytest.fixture
def alice(store):
    return create_user(store.db, "alice", "correct horse battery", "student").id


@pytest.fixture
def bob(store):
    return create_user(store.db, "bob", "correct horse battery", "student").id


class Clock:
    """A clock that moves one second every time it is read: every piece is due for a save."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def streamed_turn(store, user_id, pieces=PIECES, fail_after=None):
    """A question saved and a generative answer ready to stream, as ``chat.start_turn`` leaves them."""
    conversation_id = store.create(user_id, "demo", "Few-shot").id
    store.add_message(user_id, conversation_id, "user", "What is a few-shot prompt?")
    result = Answer(question="What is a few-shot prompt?", answer="", model="scripted", grounded=True, style="generative")

    def generate():
        for number, piece in enumerate(pieces):
            if number == fail_after:
                raise RuntimeError("the model stream broke")
            yield piece
        result.answer = "".join(pieces)

    return Turn(conversation_id, AnswerStream(generate(), result, None))


def answers(store, user_id, turn):
    return [m for m in store.messages(user_id, turn.conversation_id) if m.role == "assistant"]


def test_the_answer_is_saved_as_it_streams_and_finished_complete(store, settings, alice):
    turn = streamed_turn(store, alice)
    pieces = stream_turn(store, settings, alice, turn, every=1.0, clock=Clock())
    assert next(pieces) == PIECES[0] and next(pieces) == PIECES[1]  # the first piece is shown: it is saved
    [saved] = answers(store, alice, turn)
    assert (saved.content, saved.complete, saved.model, saved.style) == (PIECES[0], False, "scripted", "generative")
    assert stopped_early(saved)
    assert [*pieces] == PIECES[2:]
    [final] = answers(store, alice, turn)  # the same message, rewritten: no second answer
    assert (final.id, final.content, final.complete) == (saved.id, "".join(PIECES), True)
    assert not stopped_early(final)


def test_a_stream_closed_by_a_rerun_keeps_what_was_shown_marked_incomplete(store, settings, alice):
    turn = streamed_turn(store, alice)
    pieces = stream_turn(store, settings, alice, turn, every=60.0)  # no save due yet
    next(pieces), next(pieces), next(pieces)
    pieces.close()  # what the page does when Streamlit stops the script for a rerun or the Stop button
    [saved] = answers(store, alice, turn)
    assert saved.content == "".join(PIECES[:2])  # the third piece was handed over but never shown
    assert saved.complete is False and saved.grounded and stopped_early(saved)
    assert [m.role for m in store.messages(alice, turn.conversation_id)] == ["user", "assistant"]


def test_an_exception_raised_inside_the_stream_keeps_the_answer_so_far(store, settings, alice):
    turn = streamed_turn(store, alice, fail_after=2)
    with pytest.raises(RuntimeError, match="broke"):
        [*stream_turn(store, settings, alice, turn)]
    [saved] = answers(store, alice, turn)
    assert (saved.content, saved.complete) == ("".join(PIECES[:2]), False)


def test_a_busy_database_skips_a_save_but_never_the_answer(store, settings, alice, monkeypatch):
    turn = streamed_turn(store, alice)
    add = store.add_message
    calls = []

    def busy_once(*args, **kwargs):
        calls.append(kwargs.get("complete", True))
        if len(calls) == 1:
            raise StoreError.of("err_db_busy")
        return add(*args, **kwargs)

    monkeypatch.setattr(store, "add_message", busy_once)
    assert "".join(stream_turn(store, settings, alice, turn, every=1.0, clock=Clock())) == "".join(PIECES)
    [final] = answers(store, alice, turn)
    assert (final.content, final.complete) == ("".join(PIECES), True) and len(calls) == len(PIECES) + 1


def test_a_care_reply_cut_short_is_kept_whole(store, settings, alice):
    conversation_id = store.create(alice, "demo", "Chat").id
    turn = Turn(conversation_id, None, notice="Personal details were replaced.", reply="You are not alone.", safety="self_harm")
    pieces = stream_turn(store, settings, alice, turn)
    next(pieces)
    pieces.close()
    [saved] = answers(store, alice, turn)
    assert saved.content == "Personal details were replaced.\n\nYou are not alone." and saved.style == SAFETY_STYLE


def test_an_error_reply_is_not_shown_as_stopped(store, settings, alice):
    conversation_id = store.create(alice, "demo", "Chat").id
    turn = Turn(conversation_id, None, error="The course index is empty.")
    finish_turn(store, settings, alice, turn, "".join(turn.pieces()))
    [saved] = answers(store, alice, turn)
    assert saved.complete is False and not stopped_early(saved)


def test_only_a_message_of_the_same_own_conversation_can_be_rewritten(store, alice, bob):
    mine = store.create(alice, "demo", "Mine").id
    answer = store.add_message(alice, mine, "assistant", "so far", complete=False)
    other = store.create(alice, "demo", "Other").id
    with pytest.raises(NotFound):
        store.add_message(alice, other, "assistant", "overwritten", replaces=answer)
    bobs = store.create(bob, "demo", "Bob's").id
    with pytest.raises(NotFound):
        store.add_message(bob, bobs, "assistant", "overwritten", replaces=answer)
    with pytest.raises(NotFound):
        store.add_message(bob, mine, "assistant", "overwritten", replaces=answer)
    assert [m.content for m in store.messages(alice, mine)] == ["so far"]


# --- the coach's conversations ---


def test_a_coach_conversation_is_kept_per_learner_and_exercise(store, alice, bob):
    assert store.exercise_conversation(alice, "ex:1") is None
    chat = store.exercise_conversation(alice, "ex:1", "demo", "What does a few-shot prompt put before the task?", create=True)
    assert store.exercise_conversation(alice, "ex:1", create=True).id == chat.id  # found again, not made twice
    assert chat.title.startswith("What does a few-shot") and chat.course == "demo"
    store.add_message(alice, chat.id, "user", "just tell me")
    store.add_message(alice, chat.id, "assistant", "Here is a hint: look at the examples.", hint_level=1)
    store.add_message(alice, chat.id, "user", "examples?")
    store.add_message(alice, chat.id, "assistant", "Which part comes first?", hint_level=2)
    history, level = coach_history(store.messages(alice, chat.id))
    assert history == [
        ("human", "just tell me"),
        ("ai", "Here is a hint: look at the examples."),
        ("human", "examples?"),
        ("ai", "Which part comes first?"),
    ]
    assert level == 2
    assert store.exercise_conversation(alice, "ex:2") is None  # another exercise has its own
    assert store.list(alice) == []  # the tutor's list shows tutor chats only
    # Owner-only, like the tutor's conversations.
    assert store.exercise_conversation(bob, "ex:1") is None
    with pytest.raises(NotFound):
        store.messages(bob, chat.id)


def test_an_empty_coach_history_starts_at_the_first_rung():
    assert coach_history([]) == ([], 0)
