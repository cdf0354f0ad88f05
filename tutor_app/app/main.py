"""Streamlit entry point: sign-in, then the pages the user's role allows.

Run with ``streamlit run tutor_app/app/main.py`` (``bash tutor.sh`` does it). Only
the pages a role may see are registered with ``st.navigation``, so other URLs
do not exist for that user; each page also checks the role itself.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `streamlit run` adds only this folder

import streamlit as st  # noqa: E402

from tutor_app.accounts.users import has_admin, set_language  # noqa: E402
from tutor_app.admin.library import removed_courses_for  # noqa: E402
from tutor_app.app import ui  # noqa: E402
from tutor_app.core.errors import TutorError  # noqa: E402

PAGES = (
    Path(__file__).parent / "app_pages"
)  # not pages/: Streamlit runs a pages/ folder beside the entry script as old-style pages

st.set_page_config(page_title="Open tutor", page_icon="🎓", layout="wide")

try:
    db = ui.database()
    needs_setup = not has_admin(db)
except TutorError as exc:
    st.error(str(exc))
    st.stop()

user = None if needs_setup else ui.current_user()
if needs_setup:
    pages = [st.Page(PAGES / "setup.py", title=ui.tr("page_setup"), url_path="setup")]
elif user is None:
    pages = [st.Page(PAGES / "signin.py", title=ui.tr("page_signin"), url_path="signin")]
else:
    learn = [
        st.Page(PAGES / "tutor_chat.py", title=ui.tr("page_tutor"), url_path="tutor", icon="💬", default=True),
        st.Page(PAGES / "coach.py", title=ui.tr("learn_page_coach"), url_path="coach", icon="🧭"),
        st.Page(PAGES / "practice.py", title=ui.tr("learn_page_practice"), url_path="practice", icon="✍️"),
        st.Page(PAGES / "progress.py", title=ui.tr("learn_page_progress"), url_path="progress", icon="📊"),
        st.Page(PAGES / "profile.py", title=ui.tr("learn_page_profile"), url_path="profile", icon="🙂"),
    ]
    # Staff see their pages in titled sections, all listed: Streamlit would otherwise fold the
    # list behind an English "View more" button.
    pages = learn if user.role == "student" else {ui.tr("nav_learn"): learn}
    if user.role in ("educator", "administrator"):
        pages[ui.tr("nav_teach")] = [
            st.Page(PAGES / "studio.py", title=ui.tr("studio_page"), url_path="studio", icon="📝"),
            st.Page(PAGES / "class_view.py", title=ui.tr("learn_page_class"), url_path="class", icon="🏫"),
            st.Page(PAGES / "exercises.py", title=ui.tr("learn_page_exercises"), url_path="exercises", icon="🗝️"),
            st.Page(PAGES / "tokens.py", title=ui.tr("lab_tokens_page"), url_path="tokens", icon="🔤"),
            st.Page(PAGES / "compare.py", title=ui.tr("lab_compare_page"), url_path="compare", icon="⚖️"),
        ]
    if user.role == "administrator":
        pages[ui.tr("nav_administer")] = [
            st.Page(PAGES / "users.py", title=ui.tr("page_users"), url_path="users", icon="👥"),
            st.Page(PAGES / "library.py", title=ui.tr("admin_page_library"), url_path="library", icon="📚"),
            st.Page(PAGES / "coverage.py", title=ui.tr("admin_page_coverage"), url_path="coverage", icon="🗺️"),
            st.Page(PAGES / "insights.py", title=ui.tr("admin_page_insights"), url_path="insights", icon="📈"),
            st.Page(PAGES / "prompts.py", title=ui.tr("lab_prompts_page"), url_path="prompts", icon="🧪"),
        ]
    for removed in removed_courses_for(db, user.id):  # a course this user chatted about was deleted: say so
        st.sidebar.warning(ui.tr("admin_course_removed", name=removed))


def _language_changed() -> None:
    choice = st.session_state.get("lang_picker")
    if choice:
        st.session_state[ui.LANG_KEY] = choice
        if user is not None:
            set_language(db, user.id, choice)


with st.sidebar:
    st.session_state.lang_picker = ui.language()  # follow a sign-in's saved language
    st.segmented_control(
        ui.tr("language"),
        ["en", "zh"],
        key="lang_picker",
        on_change=_language_changed,
        format_func=lambda code: {"en": "English", "zh": "简体中文"}[code],
    )
    if user is not None:
        st.markdown(ui.tr("signed_in_as", name=user.display_name or user.username, role=ui.tr(f"role_{user.role}")))
        if st.button(ui.tr("sign_out"), key="sign_out"):
            ui.sign_out()
            st.rerun()
ui.model_status()
ui.prepare_sample_course()
ui.write_cookie()

st.navigation(pages, expanded=True).run()
