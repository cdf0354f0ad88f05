"""Coach mode: Socratic help on one exercise, with a hint ladder; the answer key is guarded, never shown.

The caption under the intro says who writes the coach's turns: the lesson's own text and
bilingual templates (the built-in model), or the configured model (every reply guarded).
"""

import streamlit as st

from tutor_app.app import learning_view as learning_ui
from tutor_app.app import ui
from tutor_app.core.errors import TutorError
from tutor_app.engine.privacy import redact_text
from tutor_app.learning.items import exercises, quiz_items
from tutor_app.learning.practice import check_attempt_rate
from tutor_app.learning.progress import record_answer
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
if not items:
    st.info(ui.tr("learn_no_exercises"))
    st.stop()
by_ref = {item.ref: item for item in items}
ref = st.selectbox(ui.tr("learn_exercise"), list(by_ref), key="learn_coach_item", format_func=lambda r: by_ref[r].question[:90])
item = by_ref[ref]
state = st.session_state.setdefault(f"learn_coach_{ref}", {"history": [], "level": 0})
ladder_size = len(coach.hints(item, profile.language))

st.markdown(f"**{ui.tr('learn_exercise')}:** {item.question}")
st.caption(ui.tr("learn_hint_level", used=min(state["level"], ladder_size), total=ladder_size))
for role, text in state["history"]:
    with st.chat_message("user" if role == "human" else "assistant"):
        st.markdown(text)


def learner_texts():
    return [text for role, text in state["history"] if role == "human"]


if message := st.chat_input(ui.tr("learn_coach_placeholder"), key="learn_coach_input"):
    with st.spinner("…"):
        reply = coach.reply(item, message, state["history"], profile, state["level"])
    state["history"] += [("human", message), ("ai", reply.text)]
    state["level"] = reply.hint_level
    if reply.safety:  # a disclosure the educator is told about (only the category is stored, never the text)
        record_flag(ui.database(), user.id, Screening(reply.safety, profile.language), None, "coach")
    for notice in reply.notices:
        st.toast(notice)
    st.rerun()

with st.form("learn_coach_attempt", clear_on_submit=True):
    attempt = st.text_area(ui.tr("learn_attempt"), key="learn_coach_attempt_text")
    if st.form_submit_button(ui.tr("learn_check_attempt"), type="primary"):
        try:
            check_attempt_rate(ui.database(), user.id, item.ref)  # the same limit as practice: no oracle to probe
            reply = coach.check_attempt(item, attempt, profile, state["level"], learner_texts())
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
            state["history"] += [("human", attempt), ("ai", reply.text)]
            state["level"] = reply.hint_level
            st.rerun()
        except TutorError as exc:
            st.error(ui.error_text(exc))
