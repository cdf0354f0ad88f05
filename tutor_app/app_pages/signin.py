"""Sign-in with a local account (rate-limited in accounts.authenticate)."""

import streamlit as st

from tutor_app import ui
from tutor_app.accounts import authenticate
from tutor_app.errors import TutorError

st.title(ui.tr("app_title"))
with st.form("signin_form"):
    username = st.text_input(ui.tr("username"), key="signin_username", autocomplete="username")
    password = st.text_input(ui.tr("password"), type="password", key="signin_password", autocomplete="current-password")
    submitted = st.form_submit_button(ui.tr("sign_in"), type="primary")
if submitted:
    try:
        ui.sign_in(authenticate(ui.database(), username, password))
        st.rerun()
    except TutorError as exc:
        st.error(str(exc))
