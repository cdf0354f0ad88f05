"""Sign-in with a local account (rate-limited in accounts.authenticate)."""

import streamlit as st

from tutor_app import ui
from tutor_app.accounts import AuthError, RateLimited, authenticate
from tutor_app.errors import TutorError
from tutor_app.store import utcnow

st.title(ui.tr("app_title"))
with st.form("signin_form"):
    username = st.text_input(ui.tr("username"), key="signin_username", autocomplete="username")
    password = st.text_input(ui.tr("password"), type="password", key="signin_password", autocomplete="current-password")
    submitted = st.form_submit_button(ui.tr("sign_in"), type="primary")
if submitted:
    try:
        ui.sign_in(authenticate(ui.database(), username, password))
        st.rerun()
    except RateLimited as exc:
        st.error(ui.tr("rate_limited", minutes=max(1, -(-int((exc.retry_at - utcnow()).total_seconds()) // 60))))
    except AuthError:
        st.error(ui.tr("wrong_credentials"))
    except TutorError as exc:
        st.error(str(exc))
