"""A learner's chat history, always scoped to its owner.

Every method takes the signed-in ``user_id`` and only ever touches that user's
conversations: asking for someone else's conversation or message raises the
same ``NotFound`` as asking for one that does not exist, so ids reveal nothing.
The page saves the learner's question with ``add_message`` *before* asking the
model, so a failed answer never loses the question; an answer saved as it
streams is rewritten in place (``add_message(..., replaces=id)``). Starting a
conversation and saving a message are units of work that the database runs again
when it ends them for a deadlock or serialization failure
(``Database.run_transaction``), so a busy PostgreSQL does not lose a turn.

The coach keeps one conversation per learner and exercise in the same tables
(``Conversation.exercise`` holds the item's ref, empty for the tutor chat, and
each coach reply its ``hint_level``): ``exercise_conversation`` finds or starts
it, ``coach_history`` reads it back as the coach's history and hint level. The
tutor's list (``list``) shows only tutor conversations.

``delete_inactive`` is the retention rule: it deletes every user's conversations
with no activity for a number of days (``Settings.conversation_retention_days``),
with their messages and ratings.

This module stores and exports chats; it does not generate answers (``explain``),
redact messages (``chat`` does, before calling ``add_message``) or decide who is
signed in (``accounts``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tutor_app.core.database import MESSAGE_ROLES, Conversation, Database, Feedback, Message, utcnow
from tutor_app.core.errors import InputError, TutorError

MAX_TITLE = 200
AUTO_TITLE_CHARS = 60
UNTITLED = "New conversation"


class NotFound(TutorError):
    """No such conversation or message among the signed-in user's own."""


def auto_title(question: str, limit: int = AUTO_TITLE_CHARS) -> str:
    """A title from the first question: its first ~60 characters, cut at a word where there is one."""
    flat = re.sub(r"\s+", " ", question or "").strip()
    if not flat:
        return UNTITLED
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space >= limit // 2:  # Chinese has no spaces: then cut at the limit
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。；：") + "…"


class ConversationStore:
    """Create, list, read, rename, delete and export one user's conversations."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- conversations ---

    def create(self, user_id: int, course: str, title: str) -> Conversation:
        title = _clean_title(title)

        def start(s: Session) -> Conversation:
            now = utcnow()
            conversation = Conversation(user_id=user_id, course=course or "", title=title, created_at=now, updated_at=now)
            s.add(conversation)
            return conversation

        return self.db.run_transaction(start)

    def list(self, user_id: int) -> list[Conversation]:
        """The user's tutor conversations (not the coach's), most recently active first."""
        with self.db.session() as s:
            query = (
                select(Conversation)
                .where(Conversation.user_id == user_id, Conversation.exercise == "")
                .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            )
            return [*s.scalars(query)]

    def get(self, user_id: int, conversation_id: int) -> Conversation:
        with self.db.session() as s:
            return _owned(s, user_id, conversation_id)

    def rename(self, user_id: int, conversation_id: int, title: str) -> Conversation:
        title = _clean_title(title)
        with self.db.session() as s:
            conversation = _owned(s, user_id, conversation_id)
            conversation.title = title
            conversation.updated_at = utcnow()
        return conversation

    def delete(self, user_id: int, conversation_id: int) -> None:
        """Delete the conversation; the database cascades to its messages and their feedback."""
        with self.db.session() as s:
            gone = s.execute(
                delete(Conversation).where(Conversation.id == conversation_id, Conversation.user_id == user_id)
            ).rowcount
        if not gone:
            raise _not_found(conversation_id)

    # --- messages ---

    def add_message(
        self,
        user_id: int,
        conversation_id: int,
        role: str,
        content: str,
        citations: Iterable[Any] = (),
        model: str = "",
        grounded: bool = True,
        complete: bool = True,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        cost_usd: float = 0.0,
        style: str = "",
        unsupported: int = 0,
        hint_level: int | None = None,
        replaces: int | None = None,
    ) -> int:
        """Append a turn and return its id. ``citations``: dicts or pydantic models (e.g. ``schemas.Citation``).

        With ``replaces`` (a message id of this conversation), that message is rewritten instead: an answer
        saved as it streams, then finished. Each call is one short transaction, run again if the database
        ends it for a deadlock or serialization failure.
        """
        if role not in MESSAGE_ROLES:
            raise ValueError(f"message role must be one of {MESSAGE_ROLES}, not {role!r}")
        encoded = json.dumps([_as_dict(c) for c in citations or ()], ensure_ascii=False)

        def save(s: Session) -> int:
            conversation = _owned(s, user_id, conversation_id)
            now = utcnow()
            fields = dict(
                role=role,
                content=content or "",
                citations=encoded,
                model=model or "",
                grounded=bool(grounded),
                complete=bool(complete),
                prompt_tokens=int(prompt_tokens or 0),
                completion_tokens=int(completion_tokens or 0),
                style=style or "",
                unsupported=int(unsupported or 0),
                cost_usd=float(cost_usd or 0.0),
                hint_level=hint_level,
            )
            if replaces is None:
                message = Message(conversation_id=conversation.id, created_at=now, **fields)
                s.add(message)
            else:
                message = s.get(Message, replaces)
                if message is None or message.conversation_id != conversation.id:
                    raise NotFound(f"Message {replaces} was not found.", "Rewrite only a message of this conversation.")
                for name, value in fields.items():
                    setattr(message, name, value)
            conversation.updated_at = now
            s.flush()
            return message.id

        return self.db.run_transaction(save)

    def messages(self, user_id: int, conversation_id: int) -> list[Message]:
        """The conversation's turns in order. ``Message.citation_list`` decodes the citations."""
        with self.db.session() as s:
            _owned(s, user_id, conversation_id)
            query = select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
            return [*s.scalars(query)]

    # --- the coach's conversations ---

    def exercise_conversation(
        self, user_id: int, exercise: str, course: str = "", title: str = "", create: bool = False
    ) -> Conversation | None:
        """The user's coach conversation on ``exercise`` (an item ref); with ``create``, started when there is none."""
        if not exercise:
            raise ValueError("a coach conversation needs the exercise's ref")
        with self.db.session() as s:
            query = (
                select(Conversation)
                .where(Conversation.user_id == user_id, Conversation.exercise == exercise)
                .order_by(Conversation.id)
            )
            conversation = s.scalars(query).first()
            if conversation is None and create:
                now = utcnow()
                conversation = Conversation(
                    user_id=user_id,
                    course=course or "",
                    title=auto_title(title or exercise),
                    exercise=exercise,
                    created_at=now,
                    updated_at=now,
                )
                s.add(conversation)
            return conversation

    # --- feedback ---

    def set_feedback(self, user_id: int, message_id: int, score: int) -> None:
        """Thumbs up (1) or down (0) on an answer in the user's own conversation; a new score replaces the old."""
        if score not in (0, 1):
            raise InputError.of("err_feedback_score", score=repr(score))
        with self.db.session() as s:
            role = s.scalar(
                select(Message.role)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.id == message_id, Conversation.user_id == user_id)
            )
            if role is None:
                raise NotFound(f"Message {message_id} was not found.", "Rate an answer shown in one of your conversations.")
            if role != "assistant":
                raise InputError.of("err_feedback_not_answer")
            updated = s.execute(
                update(Feedback)
                .where(Feedback.message_id == message_id, Feedback.user_id == user_id)
                .values(score=int(score), created_at=utcnow())
            ).rowcount
            if not updated:
                s.add(Feedback(message_id=message_id, user_id=user_id, score=int(score), created_at=utcnow()))

    def feedback(self, user_id: int, conversation_id: int) -> dict[int, int]:
        """The user's scores in one conversation, by message id (to show which thumb is set)."""
        with self.db.session() as s:
            _owned(s, user_id, conversation_id)
            rows = s.execute(
                select(Feedback.message_id, Feedback.score)
                .join(Message, Message.id == Feedback.message_id)
                .where(Message.conversation_id == conversation_id, Feedback.user_id == user_id)
            )
            return {message_id: score for message_id, score in rows}

    # --- export ---

    def export_markdown(self, user_id: int, conversation_id: int) -> str:
        """The conversation as Markdown: title, then each turn under a role heading, with its sources."""
        conversation = self.get(user_id, conversation_id)
        lines = [f"# {conversation.title}", ""]
        details = [f"Course: {conversation.course}"] if conversation.course else []
        details.append(f"Started: {conversation.created_at:%Y-%m-%d %H:%M} UTC")
        lines += [" · ".join(details), ""]
        for message in self.messages(user_id, conversation_id):
            if message.role == "user":
                lines += ["## You", "", message.content, ""]
                continue
            lines += ["## Tutor", ""]
            if message.model:
                lines += [f"_Answered by {message.model}_", ""]
            lines += [message.content, ""]
            if not message.complete:
                lines += ["_This answer was interrupted before it finished._", ""]
            sources = [_source_line(i, c) for i, c in enumerate(message.citation_list, start=1)]
            if sources:
                lines += ["Sources:", ""] + [f"- {line}" for line in sources] + [""]
        return "\n".join(lines).rstrip() + "\n"


def coach_history(messages: list[Message]) -> tuple[list[tuple[str, str]], int]:
    """A coach conversation as the coach reads it: (``human``/``ai``, text) pairs, and the last reply's hint level."""
    history = [("human" if m.role == "user" else "ai", m.content) for m in messages]
    levels = [m.hint_level for m in messages if m.role == "assistant" and m.hint_level is not None]
    return history, (levels[-1] if levels else 0)


def delete_inactive(db: Database, days: int, now: datetime | None = None) -> int:
    """Delete all users' conversations with no message for ``days`` days (messages and feedback cascade).

    Returns how many were deleted; ``days`` 0 keeps everything. A conversation's age is its last activity
    (``updated_at``), so a chat in use is never cut in the middle.
    """
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    with db.session() as s:
        return s.execute(delete(Conversation).where(Conversation.updated_at < cutoff)).rowcount or 0


def _owned(session, user_id: int, conversation_id: int) -> Conversation:
    conversation = session.scalar(select(Conversation).where(Conversation.id == conversation_id, Conversation.user_id == user_id))
    if conversation is None:
        raise _not_found(conversation_id)
    return conversation


def _not_found(conversation_id: int) -> NotFound:
    return NotFound(f"Conversation {conversation_id} was not found.", "Pick one from your list of conversations.")


def _clean_title(title: str) -> str:
    title = re.sub(r"\s+", " ", title or "").strip()
    if not title:
        raise InputError.of("err_title_empty")
    if len(title) > MAX_TITLE:
        raise InputError.of("err_title_long", limit=MAX_TITLE)
    return title


def _as_dict(citation: Any) -> dict:
    if hasattr(citation, "model_dump"):
        return citation.model_dump()
    return dict(citation)


def _source_line(position: int, citation: dict) -> str:
    number = citation.get("number", position)
    place = " > ".join(str(part) for part in (citation.get("source", ""), citation.get("heading", "")) if part)
    return f"[{number}] {place}".rstrip()
