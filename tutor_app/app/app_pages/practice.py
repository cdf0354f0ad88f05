"""Practice a lesson: one question at a time, graded with feedback that cites the lesson; due reviews first."""

import streamlit as st

from tutor_app.app import learning_view as learning_ui
from tutor_app.app import ui
from tutor_app.core.errors import TutorError
from tutor_app.core.schemas import true_false_label

user = ui.require_role("student")
st.title(ui.tr("learn_page_practice"))
st.caption(ui.tr("learn_practice_intro"))
practice = learning_ui.practice()
lang = learning_ui.profile(user).language
course = learning_ui.pick_course("learn_practice_course")
lesson = learning_ui.pick_lesson(practice.catalog(course), "learn_practice_lesson")

reviews, dropped = practice.due_reviews(user, course)
if dropped:
    st.info(ui.tr("learn_review_dropped", count=dropped))
cols = st.columns(2)
if cols[0].button(ui.tr("learn_start"), key="learn_practice_start", type="primary"):
    try:
        st.session_state.learn_run = practice.start(user.id, course, lesson, lang)
        st.session_state.learn_review = None
        st.session_state.learn_feedback = None
    except TutorError as exc:
        st.error(ui.error_text(exc))
if reviews and cols[1].button(ui.tr("learn_review_due", count=len(reviews)), key="learn_practice_review"):
    st.session_state.learn_review, st.session_state.learn_run, st.session_state.learn_feedback = True, None, None
st.caption(ui.tr("learn_queue", count=practice.queue_size(user, course)))


def ask(item, number: int, total: int):
    """The question's form; returns the submitted answer or None."""
    st.subheader(ui.tr("learn_question_of", number=number, total=total))
    st.markdown(item.question)
    with st.form(f"learn_q_{item.ref}", clear_on_submit=True):
        if item.options:
            answer = st.radio(
                ui.tr("learn_your_answer"),
                item.options,
                index=None,
                key=f"learn_choice_{item.ref}",
                format_func=(lambda option: true_false_label(option, item.lang)) if item.kind == "true_false" else str,
            )
        else:
            answer = st.text_input(ui.tr("learn_your_answer"), key=f"learn_answer_{item.ref}")
        return (answer or "") if st.form_submit_button(ui.tr("learn_check"), type="primary") else None


if st.session_state.get("learn_feedback"):
    learning_ui.show_feedback(st.session_state.learn_feedback)
try:
    if st.session_state.get("learn_review"):
        if reviews and (answer := ask(reviews[0], 1, len(reviews))) is not None:
            st.session_state.learn_feedback = practice.grade_and_record(user.id, reviews[0], answer)
            st.rerun()
    elif run := st.session_state.get("learn_run"):
        step = practice.current(user.id, run)
        if step.skipped:
            st.warning(ui.tr("learn_skipped", count=step.skipped))
        if step.item is None:
            st.success(ui.tr("learn_run_done", correct=step.correct, total=step.total))
        elif (answer := ask(step.item, step.position + 1, step.total)) is not None:
            st.session_state.learn_feedback = practice.answer(user.id, run, answer, lang)
            st.rerun()
except TutorError as exc:
    st.error(ui.error_text(exc))
