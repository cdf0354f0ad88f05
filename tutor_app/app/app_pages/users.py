"""Administrators add educators and students, and switch accounts on or off."""

import streamlit as st

from tutor_app.accounts.users import create_user, list_users, set_active
from tutor_app.app import ui
from tutor_app.core.errors import TutorError

admin = ui.require_role("administrator")
st.title(ui.tr("page_users"))

with st.form("add_user_form", clear_on_submit=True):
    st.subheader(ui.tr("add_user"))
    username = st.text_input(ui.tr("username"), key="users_username")
    display_name = st.text_input(ui.tr("display_name"), key="users_display")
    password = st.text_input(ui.tr("password"), type="password", key="users_password")
    role = st.selectbox(
        ui.tr("role"), ["student", "educator", "administrator"], key="users_role", format_func=lambda r: ui.tr(f"role_{r}")
    )
    language = st.selectbox(
        ui.tr("language"), ["en", "zh"], key="users_lang", format_func=lambda code: {"en": "English", "zh": "简体中文"}[code]
    )
    if st.form_submit_button(ui.tr("add"), type="primary"):
        try:
            create_user(ui.database(), username, password, role, language, display_name)
            st.success(ui.tr("account_created", name=username))
        except TutorError as exc:
            st.error(ui.error_text(exc))

st.subheader(ui.tr("users_list"))
for account in list_users(ui.database()):
    cols = st.columns([3, 2, 1])
    cols[0].write(f"**{account.username}** {account.display_name or ''}")
    cols[1].write(ui.tr(f"role_{account.role}"))
    active = cols[2].toggle(
        ui.tr("active"), value=account.active, key=f"users_active_{account.id}", disabled=account.id == admin.id
    )
    if active != account.active:
        try:
            set_active(ui.database(), account.id, active)
            st.rerun()
        except TutorError as exc:
            st.error(ui.error_text(exc))
