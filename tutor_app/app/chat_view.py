"""Drawing the tutor chat's messages: text, sources, usage, feedback, the follow-up buttons, and the Stop button.

The page (``app_pages/tutor_chat.py``) stays a description of the layout; the
follow-ups themselves are answered by ``chat.follow_up``. This module holds no
business logic.
"""

from __future__ import annotations

import streamlit as st

from tutor_app.app import ui
from tutor_app.core.config import Provider
from tutor_app.core.database import Message
from tutor_app.engine.models.chat import UNAVAILABLE_MODEL
from tutor_app.engine.models.pricing import price_known
from tutor_app.tutoring.chat import FOLLOW_UPS, QUIZ_ANSWER_MARK, follow_up, stopped_early
from tutor_app.tutoring.conversations import ConversationStore
from tutor_app.tutoring.explain import EXTRACTIVE_MODEL


def show_sources(citations: list[dict]) -> None:
    if citations:
        with st.expander(f"{ui.tr('sources')} ({len(citations)})"):
            for c in citations:
                st.markdown(f"**[{c['number']}] {c.get('title') or c['source']} › {c['heading'] or '—'}**  \n`{c['source']}`")
                st.text(c["text"])


def show_usage(message: Message) -> None:
    tokens = (message.prompt_tokens or 0) + (message.completion_tokens or 0)
    if message.model in ("", UNAVAILABLE_MODEL):
        return
    course_text = message.style not in ("", "generative")  # extractive answers and follow-ups call no model
    cost = (
        ui.tr("free")
        if message.cost_usd == 0 and ("embedded" in message.model or course_text)
        else (f"${message.cost_usd:.5f}" if price_known(message.model, Provider.OPENAI) else ui.tr("unknown_price"))
    )
    model = ui.tr("ans_model_course_text") if message.model == EXTRACTIVE_MODEL else message.model
    st.caption(f"{model} · " + ui.tr("tokens_cost", tokens=tokens, cost=cost))


def show_text(message: Message) -> None:
    text, _, answer = message.content.partition(QUIZ_ANSWER_MARK)
    st.markdown(text)
    if answer:
        with st.expander(ui.tr("ans_quiz_answer")):
            st.markdown(answer)


def show_stopped(message: Message) -> None:
    """The note under an answer that was cut short (``chat.stopped_early``)."""
    if stopped_early(message):
        st.caption(ui.tr("learn_answer_stopped"), help=ui.tr("learn_stop_answer_help"))


def stop_button() -> None:
    """Shown while an answer streams: a click reruns the page, which stops the stream (``chat.stream_turn`` keeps
    the answer as far as it was shown, marked incomplete)."""
    st.button(ui.tr("learn_stop_answer"), key="chat_stop", icon=":material/stop_circle:", help=ui.tr("learn_stop_answer_help"))


def follow_up_buttons(store: ConversationStore, user_id: int, conversation_id: int, message: Message) -> None:
    """Simpler / Example / Quiz me under an extractive answer; each adds a cited reply to the conversation."""
    if message.style != "extractive" or not message.grounded or not message.citation_list:
        return
    columns = st.columns(len(FOLLOW_UPS) + 3)
    for column, kind in zip(columns, FOLLOW_UPS):
        if column.button(ui.tr(f"ans_followup_{kind}"), key=f"chat_follow_{kind}_{message.id}"):
            follow_up(store, ui.services().tutor.extractive, user_id, conversation_id, message, kind, ui.language())
            st.rerun()
