"""One chat turn of the student tutor, with the conversation saved at every step.

The learner's message is stored before anything can fail; the answer is
stored once streamed, with its citations, model, token counts and estimated
cost, also when it was cut short. Errors that stop an answer before it starts
(an empty index, an unreadable index) are stored as the tutor's reply, so the
conversation shows what happened. This module does not draw anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .config import Settings
from .conversations import ConversationStore, auto_title
from .errors import TutorError
from .i18n import t
from .pricing import estimate_cost
from .tutor import AnswerStream, Tutor

MAX_MESSAGE_CHARS = 4000
HISTORY_TURNS = 6


@dataclass
class Turn:
    conversation_id: int
    stream: AnswerStream | None
    error: str | None = None
    notice: str | None = None

    def pieces(self) -> Iterator[str]:
        if self.notice:
            yield self.notice + "\n\n"
        if self.stream is not None:
            yield from self.stream
        elif self.error:
            yield self.error


def start_turn(store: ConversationStore, tutor: Tutor, user_id: int, conversation_id: int | None,
               course: str | None, question: str, ui_lang: str = "en", learner: str | None = None,
               answer_lang: str | None = None) -> Turn:
    """Save the learner's message, then start the answer (not yet streamed).

    ``learner`` (the profile, as prompt text) and ``answer_lang`` (None: the question's language) come from
    the learner profile when the student has set one.
    """
    question = question.strip()
    if conversation_id is None:
        conversation_id = store.create(user_id, course or "", auto_title(question)).id
    history = [("human" if m.role == "user" else "ai", m.content) for m in store.messages(user_id, conversation_id)]
    store.add_message(user_id, conversation_id, "user", question)
    notice = None
    if len(question) > MAX_MESSAGE_CHARS:
        notice = t("too_long", ui_lang, chars=len(question), limit=MAX_MESSAGE_CHARS)
        question = question[:MAX_MESSAGE_CHARS]
    try:
        extra = {"learner": learner} if learner else {}
        stream = tutor.ask(question, course=course, history=history[-2 * HISTORY_TURNS:], lang=answer_lang, **extra)
    except TutorError as exc:
        return Turn(conversation_id, None, str(exc), notice)
    return Turn(conversation_id, stream, None, notice)


def finish_turn(store: ConversationStore, settings: Settings, user_id: int, turn: Turn, shown_text: str) -> int:
    """Save the tutor's reply as it was shown; returns the message id."""
    if turn.stream is None:
        return store.add_message(user_id, turn.conversation_id, "assistant", shown_text, grounded=False, complete=False)
    result = turn.stream.result
    provider = "embedded" if settings.provider == "embedded" else settings.provider
    cost = estimate_cost(result.model, provider, result.prompt_tokens, result.completion_tokens)
    return store.add_message(
        user_id, turn.conversation_id, "assistant", shown_text,
        citations=[c.model_dump() for c in result.citations], model=result.model, grounded=result.grounded,
        complete=result.complete, prompt_tokens=result.prompt_tokens, completion_tokens=result.completion_tokens,
        cost_usd=cost,
    )
