"""Educators add exercises with an answer key the coach judges with but never reveals."""

import streamlit as st

from tutor_app.app import learning_view as learning_ui
from tutor_app.app import ui
from tutor_app.core.errors import TutorError
from tutor_app.learning.items import add_exercise, delete_exercise, exercises

user = ui.require_role("educator")
st.title(ui.tr("learn_page_exercises"))
st.caption(ui.tr("learn_exercises_intro"))
db = ui.database()
course = learning_ui.pick_course("learn_ex_course")
catalog = learning_ui.practice().catalog(course)
lesson = learning_ui.pick_lesson(catalog, "learn_ex_lesson")
info = catalog.lesson(lesson)
objectives = list(info.objectives) if info else []

with st.form("learn_ex_form", clear_on_submit=True):
    objective = st.selectbox(
        ui.tr("learn_objective"),
        objectives or [""],
        key="learn_ex_objective",
        format_func=lambda oid: f"{oid} · {catalog.objective_text(oid, ui.language())}" if oid else "—",
    )
    question = st.text_area(ui.tr("learn_question"), key="learn_ex_question")
    key = st.text_area(ui.tr("learn_answer_key"), key="learn_ex_key")
    hints = st.text_area(ui.tr("learn_hints"), key="learn_ex_hints")
    language = st.radio(
        ui.tr("language"), ["en", "zh"], horizontal=True, key="learn_ex_lang", format_func={"en": "English", "zh": "简体中文"}.get
    )
    if st.form_submit_button(ui.tr("learn_add_exercise"), type="primary"):
        try:
            _, notices = add_exercise(db, user, course, question, key, lesson, objective, hints.splitlines(), language)
            st.success(ui.tr("learn_exercise_added"))
            for notice in notices:
                st.warning(ui.tr(f"learn_{notice}"))
        except TutorError as exc:
            st.error(ui.error_text(exc))

for item in exercises(db, course, lesson):
    with st.container(border=True):
        st.markdown(f"**{item.question}**")
        st.caption(f"{ui.tr('learn_answer_key')}: {item.answer}")
        if st.button(ui.tr("delete"), key=f"learn_ex_del_{item.ref}"):
            try:
                delete_exercise(db, user, int(item.ref.split(":")[1]))
                st.rerun()
            except TutorError as exc:
                st.error(ui.error_text(exc))
