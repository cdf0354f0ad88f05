"""Sign-in: a local account (rate-limited in accounts.authenticate), and, when switched on, the identity provider."""

import streamlit as st

from tutor_app.accounts.users import AuthError, RateLimited, authenticate
from tutor_app.app import ui
from tutor_app.core.database import utcnow
from tutor_app.core.errors import TutorError

st.title(ui.tr("app_title"))
oidc = ui.settings().sign_in == "oidc"


def start_provider_sign_in() -> None:
    try:
        st.login(*([ui.settings().oidc_provider] if ui.settings().oidc_provider else []))
    except Exception:  # Streamlit raises when [auth] is missing or incomplete in secrets.toml
        st.session_state.signin_oidc_failed = True


if oidc:
    st.button(ui.tr("sign_in_provider"), key="signin_oidc", type="primary", on_click=start_provider_sign_in)
    if st.session_state.pop("signin_oidc_failed", False):
        st.error(ui.tr("oidc_not_configured"))
    st.caption(ui.tr("sign_in_local_below"))
with st.form("signin_form"):
    username = st.text_input(ui.tr("username"), key="signin_username", autocomplete="username")
    password = st.text_input(ui.tr("password"), type="password", key="signin_password", autocomplete="current-password")
    submitted = st.form_submit_button(ui.tr("sign_in"), type="secondary" if oidc else "primary")
if submitted:
    try:
        ui.sign_in(authenticate(ui.database(), username, password))
        st.rerun()
    except RateLimited as exc:
        st.error(ui.tr("rate_limited", minutes=max(1, -(-int((exc.retry_at - utcnow()).total_seconds()) // 60))))
    except AuthError:
        st.error(ui.tr("wrong_credentials"))
    except TutorError as exc:
        st.error(ui.error_text(exc))
