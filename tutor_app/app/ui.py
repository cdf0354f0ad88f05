"""Glue between Streamlit and the engine: cached services, the signed-in user, the language.

Pages call these helpers so they stay short. ``services`` and ``course_names``
never raise: when the index cannot be opened the page says so in the reader's
language and stops (the detail goes to the server's log), and a failed build
is not cached, so the next run tries again. ``require_role`` re-reads the
user from the database on every run, so a student who types an administrator
page's URL is stopped even if the page was somehow registered.
This module holds no business logic; accounts, conversations and the tutor do.
"""

from __future__ import annotations

import json
import logging
from typing import NoReturn

import streamlit as st

from tutor_app.accounts.sessions import COOKIE_NAME, SESSION_LIFETIME, end_session, start_session, user_for_session
from tutor_app.accounts.users import can_access, get_user
from tutor_app.core.config import Provider, Settings, load_settings
from tutor_app.core.database import Database, default_database_url, open_database
from tutor_app.core.errors import ModelError, TutorError
from tutor_app.core.i18n import t
from tutor_app.engine.ingest.sample_course import SampleIngest
from tutor_app.lab.prompt_versions import DatabasePromptSource
from tutor_app.services import Services, build_services
from tutor_app.tutoring.conversations import delete_inactive

USER_KEY = "auth_user_id"
SESSION_KEY = "auth_session_token"
COOKIE_KEY = "auth_cookie_pending"  # a token to write, or "" to remove the cookie
LANG_KEY = "ui_lang"
_log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _built_services() -> Services:
    # st.cache_resource keeps only a build that returned; prompts: the prompt lab's active versions
    return build_services(settings(), prompts=DatabasePromptSource(database()))


def services() -> Services:
    """The engine's services; if they cannot be built, the page shows why and stops (the next run tries again)."""
    try:
        return _built_services()
    except Exception as exc:  # a raw failure too: the student sees the message, the log gets the traceback
        index_unavailable(exc)


def index_unavailable(exc: Exception) -> NoReturn:
    """Stop the page with the bilingual "library unavailable" message; log ``exc`` for the administrator."""
    _log.error("The course index could not be used: %s", exc, exc_info=exc)
    st.error(tr("err_index_unavailable_page"))
    if _is_administrator():  # what failed and how to fix it; students see no paths or details
        st.caption(error_text(exc))
    st.stop()


def _is_administrator() -> bool:
    user_id = st.session_state.get(USER_KEY)
    try:
        user = get_user(database(), user_id) if user_id is not None else None
    except Exception:
        return False
    return user is not None and user.active and user.role == "administrator"


@st.cache_resource(show_spinner=False)
def database() -> Database:
    db = open_database(default_database_url(settings()))
    delete_inactive(db, settings().conversation_retention_days)  # the retention rule, once per process
    return db


@st.cache_resource(show_spinner=False)
def sample_ingest() -> SampleIngest:
    return SampleIngest()


def prepare_sample_course() -> None:
    """On a new TUTOR_HOME, index the sample course in the background and show its progress in the sidebar."""
    job = sample_ingest()
    if job.state == "idle":
        try:
            built = _built_services()
            if job.start_if_needed(settings(), built.ingestor, list(built.index.courses())):
                course_names.clear()
        except Exception:
            return  # the index is unusable: the pages that read it say so (services() logs the detail)
    if job.running:
        with st.sidebar:
            _sample_progress()
    elif job.state == "failed":
        st.sidebar.error(tr("sample_failed", error=job.error))


@st.fragment(run_every=2)
def _sample_progress() -> None:
    job = sample_ingest()
    if job.running:
        st.progress(job.fraction, text=tr("sample_indexing", percent=int(job.fraction * 100), source=job.current or "…"))
    else:  # finished since the last refresh: every page shows the course now
        course_names.clear()
        st.rerun(scope="app")


def no_course_notice() -> None:
    """What a page shows when no course is indexed: the background progress, or how to add one."""
    st.info(tr("sample_preparing") if sample_ingest().running else tr("no_course"))


def course_names() -> list[str]:
    """The indexed courses, cached per index revision (one lookup a run, so another app server's new course
    shows at once); stops the page if the index cannot be read."""
    try:
        return _course_names(_built_services().index.revision())
    except Exception as exc:
        index_unavailable(exc)


@st.cache_data(ttl=300, show_spinner=False)
def _course_names(revision: str) -> list[str]:  # the argument is the cache key
    return sorted(_built_services().index.courses())


course_names.clear = _course_names.clear  # pages refresh the list after changing the library


def language() -> str:
    return st.session_state.get(LANG_KEY, "en")


def tr(key: str, **values) -> str:
    return t(key, language(), **values)


def error_text(exc: Exception) -> str:
    """An error as this reader should see it: in their language when it names a string-table message; a model
    failure's detail (server address, settings to fix) only for an administrator, everyone else reads that the
    tutor could not answer (the detail is in the model log)."""
    if isinstance(exc, ModelError) and not _is_administrator():
        return exc.student_message(language())
    return exc.message(language()) if isinstance(exc, TutorError) else str(exc)


def current_user():
    """The signed-in, active user: from this browser session, or from its remembered sign-in cookie."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        user = user_for_session(database(), st.context.cookies.get(COOKIE_NAME)) or _identity_user()
        if user is None:
            return None
        st.session_state[USER_KEY] = user.id
        st.session_state[SESSION_KEY] = st.context.cookies.get(COOKIE_NAME)
        st.session_state.setdefault(LANG_KEY, user.language)
        return user
    user = get_user(database(), user_id)
    if user is None or not user.active:
        sign_out()
        return None
    return user


def _identity_user():
    """With OIDC sign-in on, the account of the person the identity provider signed in (Streamlit keeps that cookie)."""
    claims = st.user.to_dict() if settings().sign_in == "oidc" else {}
    if not claims.get("is_logged_in"):
        return None
    from tutor_app.accounts.identity import user_for_identity

    user = user_for_identity(
        database(),
        str(claims.get("iss", "")),
        str(claims.get("sub", "")),
        str(claims.get("email", "")),
        str(claims.get("name", "")),
        language(),
    )
    return user if user.active else None


def sign_in(user) -> None:
    """Sign ``user`` in for this session and remember it in a cookie (written by ``write_cookie``)."""
    token = start_session(database(), user.id)
    st.session_state[USER_KEY] = user.id
    st.session_state[LANG_KEY] = user.language
    st.session_state[SESSION_KEY] = token
    st.session_state[COOKIE_KEY] = token


def sign_out() -> None:
    end_session(database(), st.session_state.get(SESSION_KEY) or st.context.cookies.get(COOKIE_NAME))
    for key in list(st.session_state):
        del st.session_state[key]
    st.session_state[COOKIE_KEY] = ""
    if settings().sign_in == "oidc" and st.user.to_dict().get("is_logged_in"):
        st.logout()  # ends the provider's session cookie too, and reruns the app


def write_cookie() -> None:
    """Send a pending sign-in cookie (or its removal) to the browser; call once per run from the app shell."""
    token = st.session_state.pop(COOKIE_KEY, None)
    if token is None:
        return
    max_age = int(SESSION_LIFETIME.total_seconds()) if token else 0
    # json.dumps quotes the token safely for JavaScript; the token is URL-safe base64 anyway.
    st.html(
        f"<script>document.cookie = {json.dumps(COOKIE_NAME)} + '=' + {json.dumps(token)} + "
        f"'; path=/; max-age={max_age}; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def require_role(page_role: str):
    """The signed-in user, if their role may see a page for ``page_role``; otherwise stop the page."""
    user = current_user()
    if user is None or not can_access(user.role, page_role):
        st.error(tr("not_allowed"))
        st.stop()
    return user


def model_status() -> None:
    """Which provider and model answer, what the embedded model can do, how to connect a better one."""
    current = settings()
    if current.provider.is_embedded:
        from tutor_app.engine.models.server import model_label, model_path

        try:
            name = model_label(model_path(current))
        except Exception:  # a missing model file is reported when a question is asked
            name = "SmolLM2-135M-Instruct"
        provider = "embedded llama.cpp"
    else:
        name = current.azure_openai_deployment or current.chat_model if current.provider is Provider.AZURE else current.chat_model
        # The server's address is the administrator's business; others read the kind of provider only.
        address = current.openai_base_url if _is_administrator() else None
        provider = {Provider.AZURE: "Azure OpenAI", Provider.OPENAI: address or "OpenAI"}[current.provider]
    with st.sidebar.expander(tr("model_status"), expanded=False):
        st.markdown(tr("answered_by", model=name, provider=provider))
        st.caption(
            tr(f"style_{current.effective_answer_style}") + (" " + tr("style_forced") if current.answer_style != "auto" else "")
        )
        if current.provider.is_embedded and current.effective_answer_style == "generative":
            st.caption(tr("embedded_limits"))
        st.caption(tr("connect_help"))
