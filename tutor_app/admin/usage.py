"""Usage figures for the administrator: questions per day and course, tokens and cost, thumbs-up share.

Plain aggregates over the app database (messages, conversations, users,
feedback), returned as lists of dicts ready for a chart or a table. Costs are
the estimates stored with each answer (see ``pricing``), counted only for
replies that brought back some text; replies the model never answered are
counted apart, as ``unanswered``. No user names leave this module: rows are
grouped by role, model, course and day only.
This module does not draw charts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from tutor_app.core.database import Conversation, Database, Feedback, Message, User, utcnow


def questions_per_day(db: Database, days: int = 30, now: datetime | None = None) -> list[dict]:
    """[{day, course, questions}] for learners' questions in the last ``days`` days."""
    since = (now or utcnow()) - timedelta(days=days)
    day = func.date(Message.created_at)
    with db.session() as s:
        rows = s.execute(
            select(day.label("day"), Conversation.course, func.count(Message.id))
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.role == "user", Message.created_at >= since)
            .group_by(day, Conversation.course)
            .order_by(day, Conversation.course)
        ).all()
    return [{"day": str(d), "course": course or "—", "questions": n} for d, course, n in rows]


def tokens_by_role_and_model(db: Database) -> list[dict]:
    """[{role, model, answers, unanswered, prompt_tokens, completion_tokens, tokens, cost_usd}] over all answers.

    ``unanswered`` counts the incomplete replies a model was asked for (prompt tokens counted) that brought back
    no generated token: the model failed before its first word. An answer stopped while streaming is saved with
    no token counts, so it is not one. Costs of replies without generated tokens (an estimate of the prompt,
    stored before ``pricing`` left it out) are not summed.
    """
    answered = Message.completion_tokens > 0
    unanswered = and_(Message.complete.is_(False), Message.completion_tokens == 0, Message.prompt_tokens > 0)
    with db.session() as s:
        rows = s.execute(
            select(
                User.role,
                Message.model,
                func.count(Message.id),
                func.coalesce(func.sum(Message.prompt_tokens), 0),
                func.coalesce(func.sum(Message.completion_tokens), 0),
                func.coalesce(func.sum(case((answered, Message.cost_usd), else_=0.0)), 0.0),
                func.coalesce(func.sum(case((unanswered, 1), else_=0)), 0),
            )
            .join(Conversation, Conversation.id == Message.conversation_id)
            .join(User, User.id == Conversation.user_id)
            .where(Message.role == "assistant")
            .group_by(User.role, Message.model)
            .order_by(User.role, Message.model)
        ).all()
    return [
        {
            "role": role,
            "model": model or "(none)",
            "answers": n,
            "prompt_tokens": int(p),
            "completion_tokens": int(c),
            "tokens": int(p) + int(c),
            "cost_usd": round(float(cost), 6),
            "unanswered": int(failed),
        }
        for role, model, n, p, c, cost, failed in rows
    ]


def feedback_share(db: Database) -> dict:
    """{'rated', 'thumbs_up', 'share_up' (None when nothing was rated), 'by_course': [{course, rated, share_up}]}."""
    with db.session() as s:
        rows = s.execute(
            select(Conversation.course, func.count(Feedback.id), func.coalesce(func.sum(Feedback.score), 0))
            .join(Message, Message.id == Feedback.message_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .group_by(Conversation.course)
            .order_by(Conversation.course)
        ).all()
    rated = sum(n for _, n, _ in rows)
    up = sum(int(u) for _, _, u in rows)
    return {
        "rated": rated,
        "thumbs_up": up,
        "share_up": up / rated if rated else None,
        "by_course": [{"course": c or "—", "rated": n, "share_up": int(u) / n} for c, n, u in rows],
    }
