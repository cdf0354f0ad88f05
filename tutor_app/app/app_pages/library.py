"""Administrators build courses: create, rename, delete; upload, list, delete and re-index documents.

Every visit lists the course's stored passages that read like instructions to an AI, per document."""

import streamlit as st

from tutor_app.admin.library import Library
from tutor_app.app import ui
from tutor_app.core.errors import TutorError

ui.require_role("administrator")
library = Library(ui.settings(), ui.database(), ui.services().index)
st.title(ui.tr("admin_page_library"))


def act(operation, message_key: str, select: bool = False) -> None:
    """Run a course operation in a button callback (it runs before the widgets, so it may change the selected course)."""
    try:
        result = operation()
    except TutorError as exc:
        st.session_state.library_error = ui.error_text(exc)
        return
    ui.course_names.clear()  # the tutor's course list is cached for every session
    name = result if isinstance(result, str) else st.session_state.get("library_course", "")
    st.session_state.library_notice = ui.tr(message_key, name=name, chats=result)
    if select:
        st.session_state.library_course = result


if notice := st.session_state.pop("library_notice", None):
    st.success(notice)
if error := st.session_state.pop("library_error", None):
    st.error(error)
if st.session_state.pop("library_running", False):  # the last run stopped half-way: Cancel was pressed
    st.warning(ui.tr("admin_upload_cancelled"))

with st.form("library_create_form", clear_on_submit=True):
    st.text_input(ui.tr("admin_new_course"), key="library_new_name")
    st.form_submit_button(
        ui.tr("admin_create"),
        on_click=lambda: act(
            lambda: library.create_course(st.session_state.library_new_name), "admin_course_created", select=True
        ),
    )

courses = library.courses()
if not courses:
    st.info(ui.tr("sample_preparing") if ui.sample_ingest().running else ui.tr("admin_no_courses"))
    st.stop()
course = st.selectbox(ui.tr("course"), [c.name for c in courses], key="library_course")
with st.expander(ui.tr("admin_manage_course")):
    st.text_input(ui.tr("admin_rename_to"), value=course, key=f"library_rename_to_{course}")
    st.button(
        ui.tr("rename"),
        key="library_rename",
        on_click=lambda: act(
            lambda: library.rename_course(course, st.session_state[f"library_rename_to_{course}"]),
            "admin_course_renamed",
            select=True,
        ),
    )
    sure = st.checkbox(ui.tr("admin_confirm_delete_course", name=course), key="library_sure")
    st.button(
        ui.tr("admin_delete_course"),
        key="library_delete_course",
        disabled=not sure,
        type="primary",
        on_click=lambda: act(lambda: library.delete_course(course), "admin_course_deleted"),
    )

st.subheader(ui.tr("admin_upload"))
files = st.file_uploader(
    ui.tr("admin_upload_help", mb=f"{ui.settings().max_file_mb:g}"),
    key="library_files",
    accept_multiple_files=True,
    type=["md", "markdown", "txt", "html", "htm", "pdf"],
)
cols = st.columns(3)
ingest = cols[0].button(ui.tr("admin_index_files"), key="library_ingest", type="primary", disabled=not files)
if cols[1].button(ui.tr("admin_reindex"), key="library_reindex") or ingest:
    cols[2].button(ui.tr("admin_cancel"), key="library_cancel")  # a click reruns the page, which stops this run
    bar = st.progress(0.0, text=ui.tr("admin_preparing"))
    progress = lambda done, source: bar.progress(
        done,
        text=ui.tr("admin_progress", percent=int(done * 100), source=source)  # noqa: E731
        if done < 1
        else ui.tr("admin_progress_done"),
    )
    st.session_state.library_running = True
    try:
        if ingest:
            report = library.upload(course, [(f.name, f.getvalue()) for f in files], progress)
        else:
            report = library.reindex_course(course, progress)
    except TutorError as exc:
        st.error(ui.error_text(exc))
        report = None
    st.session_state.library_running = False
    if report is not None:
        ui.course_names.clear()
        for source, chunks in report.indexed:
            st.success(ui.tr("admin_indexed", source=source, chunks=chunks))
        for source, existing in report.duplicates:
            st.info(ui.tr("admin_duplicate", source=source, existing=existing))
        for failure in report.failures:
            st.error(ui.error_text(failure))
        for notice in report.notices:
            st.caption(notice.text(ui.language()))

st.subheader(ui.tr("admin_documents"))
documents = library.documents(course)
if not documents:
    st.caption(ui.tr("admin_no_documents"))
else:
    st.table(
        [
            {
                ui.tr("admin_col_document"): d["source"],
                ui.tr("admin_col_title"): d["title"],
                ui.tr("admin_col_chunks"): d["chunks"],
                ui.tr("admin_col_languages"): ", ".join(d["langs"]),
            }
            for d in documents
        ]
    )
    doomed = st.selectbox(ui.tr("admin_document"), [d["source"] for d in documents], key="library_doc")
    if st.button(ui.tr("admin_delete_document"), key="library_delete_doc"):
        st.session_state.library_notice = ui.tr(
            "admin_document_deleted", source=doomed, chunks=library.delete_document(course, doomed)
        )
        ui.course_names.clear()
        st.rerun()

flagged = library.instruction_flags(course)  # stored when indexed: shown on every visit, not only after an upload
if flagged:  # still indexed: the administrator decides
    st.subheader(ui.tr("admin_flags_title"))
    st.caption(ui.tr("admin_flags_help"))
    for source, findings in flagged.items():
        st.warning(ui.tr("admin_instruction_flag", source=source, count=len(findings)))
        for finding in findings:
            st.caption(
                ui.tr("admin_flag_section", heading=finding.heading), help=ui.tr("admin_flag_pattern", pattern=finding.pattern)
            )
            st.code(finding.sentence, language=None, wrap_lines=True)
