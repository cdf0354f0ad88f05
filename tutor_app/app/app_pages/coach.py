"""Coach mode: Socratic help on one exercise, with a hint ladder; the answer key is guarded, never shown.

The caption under the intro says who writes the coach's turns: the lesson's own text and
bilingual templates (the built-in model), or the configured model (every reply guarded).
Each exercise's chat is saved per learner (``ConversationStore.exercise_conversation``), the
learner's text (personal details replaced) before the coach answers, so a reload shows it again.
"""

from functools import partial

import streamlit as st

from tutor_app.app import learning_view as learning_ui
from tutor_app.app import ui
from tutor_app.core.database import SAFETY_STYLE
from tutor_app.core.errors import TutorError
from tutor_app.engine.privacy import redact_text
from tutor_app.learning.items import exercises, in_language_first, quiz_items
from tutor_app.learning.practice import check_attempt_rate
from tutor_app.learning.progress import record_answer
from tutor_app.tutoring.conversations import ConversationStore, coach_history
from tutor_app.tutoring.safety import Screening, record_flag

user = ui.require_role("student")
st.title(ui.tr("learn_page_coach"))
st.caption(ui.tr("learn_coach_intro"))
coach, practice = learning_ui.coach(), learning_ui.practice()
st.caption(ui.tr(f"coach_style_{coach.style}"))
profile = learning_ui.profile(user)
course = learning_ui.pick_course("learn_coach_course")
catalog = practice.catalog(course)
items = exercises(ui.database(), course) + [
    i for i in quiz_items(ui.database(), practice.index, catalog, course) if i.kind == "short_answer"
]
items = in_language_first(items, profile.language)
if not items:
    st.info(ui.tr("learn_no_exercises"))
    st.stop()
by_ref = {item.ref: item for item in items}
ref = st.selectbox(ui.tr("learn_exercise"), list(by_ref), key="learn_coach_item", format_func=lambda r: by_ref[r].question[:90])
item = by_ref[ref]
store = ConversationStore(ui.database())
saved = store.exercise_conversation(user.id, ref)
history, level = coach_history(store.messages(user.id, saved.id)) if saved else ([], 0)
state = {"history": history, "level": level}
ladder_size = len(coach.hints(item, profile.language))

st.markdown(f"**{ui.tr('learn_exercise')}:** {item.question}")
st.caption(ui.tr("learn_hint_level", used=min(state["level"], ladder_size), total=ladder_size))
for role, text in state["history"]:
    with st.chat_message("user" if role == "human" else "assistant"):
        st.markdown(text)


def learner_texts():
    return [text for role, text in state["history"] if role == "human"]


def save_said(text: str) -> int:
    """The learner's turn, saved before the coach answers; returns the conversation's id."""
    conversation_id = store.exercise_conversation(user.id, ref, course, item.question, create=True).id
    store.add_message(user.id, conversation_id, "user", redact_text(text))
    return conversation_id


def save_reply(conversation_id: int, reply) -> None:
    style = SAFETY_STYLE if reply.safety else reply.style
    store.add_message(
        user.id, conversation_id, "assistant", reply.text, model=reply.model, style=style, hint_level=reply.hint_level
    )


def record_safety(reply) -> None:
    """A disclosure the educator is told about (only the category is stored, never the text)."""
    if reply.safety:
        record_flag(ui.database(), user.id, Screening(reply.safety, profile.language), None, "coach")


if message := st.chat_input(ui.tr("learn_coach_placeholder"), key="learn_coach_input"):
    conversation_id = save_said(message)
    with st.spinner("…"):
        reply = coach.reply(item, message, state["history"], profile, state["level"])
    save_reply(conversation_id, reply)
    record_safety(reply)
    for notice in reply.notices:
        st.toast(notice)
    st.rerun()

with st.form("learn_coach_attempt", clear_on_submit=True):
    attempt = st.text_area(ui.tr("learn_attempt"), key="learn_coach_attempt_text")
    if st.form_submit_button(ui.tr("learn_check_attempt"), type="primary"):
        try:
            # Screened like a chat message first; then the same limit as practice, so the grader is no oracle to probe.
            limit = partial(check_attempt_rate, ui.database(), user.id, item.ref)
            reply = coach.check_attempt(item, attempt, profile, state["level"], learner_texts(), limit)
            save_reply(save_said(attempt), reply)
            record_safety(reply)
            if reply.grade is not None:  # a safety reply grades nothing
                record_answer(
                    ui.database(),
                    user.id,
                    course,
                    item.objective_id or catalog.best_objective(item.question, item.lesson_id),
                    reply.grade.correct,
                    reply.grade.score,
                    item.ref,
                    item.lesson_id,
                    redact_text(attempt),
                )
            st.rerun()
        except TutorError as exc:
            st.error(ui.error_text(exc))
