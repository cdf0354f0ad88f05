"""Usage figures count replies the model never answered apart, and cost only answers that came back."""

import pytest

from tutor_app.accounts.users import create_user
from tutor_app.admin.usage import tokens_by_role_and_model
from tutor_app.core.database import open_database
from tutor_app.tutoring.conversations import ConversationStore


def test_unanswered_replies_are_counted_apart_and_cost_nothing():
    db = open_database("sqlite://")
    store = ConversationStore(db)
    alice = create_user(db, "alice", "correct horse battery", "student")
    conversation = store.create(alice.id, "genai", "tokens")

    def reply(complete, prompt, completion, cost):
        store.add_message(alice.id, conversation.id, "user", "What is a token?")
        store.add_message(
            alice.id,
            conversation.id,
            "assistant",
            "…",
            model="gpt-4o-mini",
            complete=complete,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cost_usd=cost,
        )

    reply(True, 1000, 200, 0.00027)  # answered
    reply(False, 1000, 50, 0.00018)  # cut short after some text: it came back, it is paid for
    reply(False, 1000, 0, 0.00015)  # the model failed before its first word (a cost stored by older versions)
    reply(False, 0, 0, 0.0)  # stopped while streaming: saved as shown, without token counts

    [row] = tokens_by_role_and_model(db)
    assert row["answers"] == 4 and row["unanswered"] == 1
    assert row["cost_usd"] == pytest.approx(0.00027 + 0.00018)
