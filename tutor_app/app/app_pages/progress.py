"""A student's own mastery per learning objective, as a chart, and what to study next."""

import altair as alt
import pandas as pd
import streamlit as st

from tutor_app.app import learning_view as learning_ui
from tutor_app.app import ui
from tutor_app.learning.progress import recommend, student_progress

user = ui.require_role("student")  # always the signed-in user's own progress: there is no student picker
st.title(ui.tr("learn_page_progress"))
st.caption(ui.tr("learn_progress_intro"))
course = learning_ui.pick_course("learn_progress_course")
catalog = learning_ui.practice().catalog(course)
if not catalog.lessons:
    st.info(ui.tr("learn_no_lessons"))
    st.stop()
progress = student_progress(ui.database(), catalog, user, lang=ui.language())

next_up = recommend(catalog, progress)
if next_up is None:
    st.success(ui.tr("learn_all_mastered"))
else:
    lesson = catalog.lesson(next_up.lesson_id)
    st.info(
        ui.tr(
            "learn_recommend",
            objective=next_up.text,
            lesson=lesson.title(ui.language()) if lesson else next_up.lesson_id,
            mastery=learning_ui.percent(next_up.mastery),
        )
    )
    if st.button(ui.tr("learn_practice_this"), key="learn_progress_go"):
        st.session_state.learn_practice_course = course
        st.session_state.learn_practice_lesson = next_up.lesson_id
        st.switch_page("app_pages/practice.py")

objective, mastery, answers = ui.tr("learn_objective"), ui.tr("learn_mastery"), ui.tr("learn_attempts")
table = pd.DataFrame(
    [{objective: f"{p.objective_id} · {p.text}", mastery: learning_ui.percent(p.mastery), answers: p.attempts} for p in progress]
)
chart = (
    alt.Chart(table)
    .mark_bar()
    .encode(
        x=alt.X(f"{mastery}:Q", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y(f"{objective}:N", sort=None, title=None),
        color=alt.Color(f"{mastery}:Q", scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen"), legend=None),
        tooltip=[objective, mastery, answers],
    )
)
st.altair_chart(chart, width="stretch")
st.dataframe(table, hide_index=True, width="stretch")
