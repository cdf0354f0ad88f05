"""The learner profile: level, answer language, style and goal, used by every tutor prompt."""

import streamlit as st

from tutor_app.app import learning_view as learning_ui
from tutor_app.app import ui
from tutor_app.core.errors import TutorError
from tutor_app.tutoring.profile import LEVELS, MAX_GOAL, STYLES, save_profile

user = ui.require_role("student")
st.title(ui.tr("learn_page_profile"))
st.caption(ui.tr("learn_profile_intro"))
current = learning_ui.profile(user)

with st.form("learn_profile_form"):
    level = st.radio(
        ui.tr("learn_level"),
        LEVELS,
        index=LEVELS.index(current.level),
        key="learn_profile_level",
        format_func=lambda v: ui.tr(f"learn_level_{v}"),
        horizontal=True,
    )
    language = st.radio(
        ui.tr("learn_answer_language"),
        ["en", "zh"],
        index=["en", "zh"].index(current.language),
        key="learn_profile_language",
        format_func={"en": "English", "zh": "简体中文"}.get,
        horizontal=True,
    )
    style = st.radio(
        ui.tr("learn_style"),
        STYLES,
        index=STYLES.index(current.style),
        key="learn_profile_style",
        format_func=lambda v: ui.tr(f"learn_style_{v}"),
        horizontal=True,
    )
    goal = st.text_input(
        ui.tr("learn_goal"),
        value=current.goal,
        max_chars=MAX_GOAL,
        key="learn_profile_goal",
        placeholder=ui.tr("learn_goal_help"),
    )
    if st.form_submit_button(ui.tr("learn_save"), type="primary"):
        try:
            save_profile(ui.database(), user.id, level=level, language=language, style=style, goal=goal)
            st.success(ui.tr("learn_saved"))
        except TutorError as exc:
            st.error(ui.error_text(exc))
