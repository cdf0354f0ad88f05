"""Streamlit glue shared by the learning-loop pages: cached use cases, the course and lesson pickers.

Kept apart from ``ui`` so the learning pages add nothing to the shell's module.
This module holds no learning logic; ``practice``, ``coach`` and ``progress`` do.
"""

from __future__ import annotations

import streamlit as st

from tutor_app.app import ui
from tutor_app.learning.catalog import Catalog
from tutor_app.learning.practice import Practice
from tutor_app.tutoring.coach import Coach
from tutor_app.tutoring.profile import Profile, load_profile


@st.cache_resource(show_spinner=False)
def practice() -> Practice:
    services = ui.services()
    return Practice(ui.database(), services.index, services.retriever)


@st.cache_resource(show_spinner=False)
def coach() -> Coach:
    services = ui.services()
    return Coach(ui.settings(), services.chat_model, services.retriever, prompts=services.prompts)


def profile(user) -> Profile:
    return load_profile(ui.database(), user.id)


def pick_course(key: str) -> str:
    """A course picker; stops the page with a notice when no course is indexed."""
    courses = ui.course_names()
    if not courses:
        ui.no_course_notice()
        st.stop()
    return st.selectbox(ui.tr("course"), courses, key=key)


def pick_lesson(catalog: Catalog, key: str) -> str:
    if not catalog.lessons:
        st.info(ui.tr("learn_no_lessons"))
        st.stop()
    titles = {lesson.lesson_id: lesson.title(ui.language()) for lesson in catalog.lessons}
    if st.session_state.get(key) not in titles:
        st.session_state.pop(key, None)
    return st.selectbox(ui.tr("learn_lesson"), list(titles), format_func=titles.get, key=key)


def percent(value: float) -> int:
    return round(value * 100)


def show_feedback(feedback) -> None:
    """A practice answer's grade, the lesson passage it cites, and how mastery and the review queue moved."""
    grade = feedback.grade
    # The verdict in words only: a share of the key's ideas would let a learner home in on the key.
    if grade.correct:
        st.success(ui.tr(grade.feedback))
        if feedback.reveal and not feedback.item.options:  # earned: the key's wording, to compare with one's own
            st.caption(ui.tr("grade_expected", answer=feedback.item.answer))
    else:  # no key after a wrong answer (``Feedback.reveal``): the cited section below is what helps
        (st.warning if grade.verdict == "partly" else st.error)(ui.tr(grade.feedback))
        st.caption(ui.tr("grade_review_later"))
    if grade.cross_language:
        st.info(ui.tr("grade_cross_language"))
    if feedback.citation:
        with st.expander(ui.tr("learn_see_lesson", lesson=feedback.citation.title, section=feedback.citation.heading or "—")):
            st.caption(feedback.citation.source)
            st.markdown(feedback.citation.text)
    st.caption(ui.tr("learn_mastery_moved", before=percent(feedback.mastery_before), after=percent(feedback.mastery_after)))
    if feedback.review_due:
        st.caption(ui.tr("learn_review_scheduled", date=f"{feedback.review_due:%Y-%m-%d}"))
