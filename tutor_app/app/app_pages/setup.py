"""First run: create the administrator account (and the sample course's starter exercises, owned by it)."""

import streamlit as st

from tutor_app.accounts.users import authenticate, create_user, has_admin
from tutor_app.app import ui
from tutor_app.core.errors import TutorError
from tutor_app.learning.sample_exercises import add_sample_exercises

st.title(ui.tr("page_setup"))
st.write(ui.tr("setup_intro"))
with st.form("setup_form"):
    username = st.text_input(ui.tr("username"), key="setup_username")
    display_name = st.text_input(ui.tr("display_name"), key="setup_display")
    password = st.text_input(ui.tr("password"), type="password", key="setup_password")
    submitted = st.form_submit_button(ui.tr("create_admin"), type="primary")
if submitted:
    try:
        if has_admin(ui.database()):  # another browser finished the set-up meanwhile
            st.rerun()
        admin = create_user(ui.database(), username, password, "administrator", ui.language(), display_name)
        add_sample_exercises(ui.database(), admin)
        ui.sign_in(authenticate(ui.database(), username, password))
        st.rerun()
    except TutorError as exc:
        st.error(ui.error_text(exc))
