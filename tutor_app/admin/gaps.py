"""What students ask that the course does not answer: ungrounded questions, grouped by topic.

Reads the app database: every assistant message marked ``grounded == False``
in a student's conversation, paired with the user message just before it (the
question); the safety screen's replies (style "safety") are left out.
Questions are embedded and grouped greedily: each joins the first group whose
first question it resembles (cosine similarity at or above the threshold), else it starts a new group; a group's topic is its most central
question. Only question texts, courses and counts leave this module, never
who asked (no user ids, names or conversation titles), and the texts with
personal details replaced (``engine.privacy``), also in rows stored before
messages were redacted on the way in.
This module does not answer questions or write to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from tutor_app.core.database import SAFETY_STYLE, Conversation, Database, Message, User
from tutor_app.engine.privacy import redact_text

# e5-small query-vs-query cosine, measured: paraphrases of one question 0.88-0.98 ("change a car tyre" /
# "replace a flat tire" 0.88-0.90), unrelated questions 0.69-0.84. The same question in Chinese scores
# about 0.82 against English, so it stays in its own group.
DEFAULT_SIMILARITY = 0.87
MAX_EXAMPLES = 3
MAX_QUESTIONS = 500  # the most recent ones: embedding is about 10 ms a question on 2 cores


@dataclass
class GapTopic:
    topic: str  # the most central question of the group
    course: str
    count: int
    examples: list[str] = field(default_factory=list)


def ungrounded_questions(db: Database, course: str | None = None) -> list[tuple[str, str]]:
    """(course, question) for every ungrounded answer in a student's conversation, oldest conversation first."""
    with db.session() as s:
        query = (
            select(
                Message.conversation_id,
                Message.id,
                Message.role,
                Message.content,
                Message.grounded,
                Message.style,
                Conversation.course,
            )
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(User, User.id == Conversation.user_id)
            .where(User.role == "student")
            .order_by(Message.conversation_id, Message.id)
        )
        if course:
            query = query.where(Conversation.course == course)
        rows = s.execute(query).all()
    out: list[tuple[str, str]] = []
    previous = None
    for row in rows:
        if (
            row.role == "assistant"
            and not row.grounded
            and row.style != SAFETY_STYLE  # the safety screen's replies are not course gaps
            and previous is not None
            and previous.conversation_id == row.conversation_id
            and previous.role == "user"
            and previous.content.strip()
        ):
            out.append((row.course, redact_text(previous.content.strip())))  # rows stored before redaction too
        previous = row
    return out


def group_questions(questions: list[tuple[str, str]], embed, threshold: float = DEFAULT_SIMILARITY) -> list[GapTopic]:
    """Greedy clustering of (course, question) pairs within each course; biggest groups first."""
    if not questions:
        return []
    vectors = np.asarray(embed([q for _, q in questions]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    groups: list[tuple[str, list[int]]] = []
    for k, (course, _) in enumerate(questions):
        for group_course, members in groups:
            if group_course == course and float(vectors[members[0]] @ vectors[k]) >= threshold:
                members.append(k)
                break
        else:
            groups.append((course, [k]))
    topics = []
    for course, members in groups:
        block = vectors[members]
        centre = members[int(np.argmax((block @ block.T).sum(axis=1)))]
        distinct = list(dict.fromkeys(questions[m][1] for m in members))
        examples = [questions[centre][1]] + [q for q in distinct if q != questions[centre][1]][: MAX_EXAMPLES - 1]
        topics.append(GapTopic(questions[centre][1], course, len(members), examples))
    return sorted(topics, key=lambda t: (-t.count, t.course, t.topic))


def gap_topics(
    db: Database, embedder, course: str | None = None, threshold: float = DEFAULT_SIMILARITY, limit: int = MAX_QUESTIONS
) -> list[GapTopic]:
    embed = getattr(embedder, "embed_query", None) or embedder
    return group_questions(ungrounded_questions(db, course)[-limit:], embed, threshold)
