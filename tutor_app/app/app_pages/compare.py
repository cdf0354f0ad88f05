"""Compare models (educators, administrators): one question to 2-4 models side by side, live, or a question set."""

import os

import pandas as pd
import streamlit as st

from tutor_app.app import ui
from tutor_app.core.endpoints import load_endpoints
from tutor_app.core.errors import TutorError
from tutor_app.engine.answers.claims import mark_unsupported
from tutor_app.lab import batch as sets
from tutor_app.lab import runs as saved
from tutor_app.lab.compare import Lab, Target, compare

user = ui.require_role("educator")
st.title(ui.tr("lab_compare_page"))
st.caption(ui.tr("lab_compare_intro"))
try:
    endpoints = load_endpoints(os.environ, None, ui.settings())
except TutorError as exc:
    st.error(ui.error_text(exc))
    st.stop()
courses = ui.course_names()
if not courses:
    ui.no_course_notice()
    st.stop()
services = ui.services()
lab = Lab(
    ui.settings(),
    services.retriever,
    lambda: services.prompts.get("student_tutor"),
    services.tutor.extractive.vectors,
    alone_prompt=lambda: services.prompts.get("lab_model_alone"),
)
lang = ui.language()


def finish(column, holder, run) -> None:
    """A finished run's answer (unsupported sentences flagged) and its figures, or why it failed."""
    holder.markdown(mark_unsupported(run.answer, run.unsupported, lang) if run.answer else "")
    lines = saved.run_lines(run, lang)
    if lines["failure"]:
        column.error(lines["failure"])
        if user.role == "administrator":
            column.caption(run.error)
    for key in ("figures", "citations", "claims"):
        if key in lines:
            column.caption(lines[key])


def run_label(choice: tuple[str, bool]) -> str:
    return f"{choice[0]} · {ui.tr('lab_compare_rag' if choice[1] else 'lab_compare_alone')}"


def columns_for(runs: list[tuple[str, bool]]) -> tuple[list, list]:
    """One column per run, headed by its model and mode, with a placeholder for the answer."""
    columns = st.columns(len(runs))
    for column, (name, retrieval) in zip(columns, runs):
        column.subheader(name)
        column.caption(ui.tr("lab_compare_rag" if retrieval else "lab_compare_alone"))
    return columns, [column.empty() for column in columns]


one, many = st.tabs([ui.tr("lab_compare_tab_one"), ui.tr("lab_compare_tab_batch")])
with one:
    choices = [(name, retrieval) for name in endpoints for retrieval in (True, False)]  # the same model both ways too
    chosen = st.multiselect(
        ui.tr("lab_compare_endpoints"),
        choices,
        format_func=run_label,
        max_selections=4,
        key="labcmp_models",
        placeholder=ui.tr("choose"),
    )
    course = st.selectbox(ui.tr("lab_compare_course"), courses, key="labcmp_course")
    question = st.text_input(ui.tr("lab_compare_question"), key="labcmp_question")
    if st.button(ui.tr("lab_compare_run"), key="labcmp_run", type="primary"):
        if len(chosen) < 2 or not question.strip():
            st.warning(ui.tr("lab_compare_pick"))
        else:
            runs = [Target(endpoints[name], retrieval) for name, retrieval in chosen]
            columns, holders = columns_for(chosen)
            texts = [""] * len(runs)

            def piece(i: int, text: str) -> None:
                texts[i] += text
                holders[i].markdown(texts[i])

            try:
                result = compare(lab, question, runs, course, piece, lambda i, run: finish(columns[i], holders[i], run))
            except TutorError as exc:
                st.error(ui.error_text(exc))
                st.stop()
            saved.save_runs(ui.database(), result.results, user_id=user.id)
            st.session_state.labcmp_last = result
    elif st.session_state.get("labcmp_last"):  # a later run of the page (a download) shows the last comparison again
        last = st.session_state.labcmp_last
        for column, holder, run in zip(*columns_for([(r.endpoint, r.retrieval) for r in last.results]), last.results):
            finish(column, holder, run)
    if st.session_state.get("labcmp_last") and not st.session_state.labcmp_last.grounded:
        st.info(ui.tr("lab_compare_not_grounded"))

with many:
    files = {path.name: path for path in sets.question_sets()}
    left, right = st.columns(2)
    set_name = left.selectbox(ui.tr("lab_compare_set"), list(files), key="labcmp_set")
    upload = left.file_uploader(ui.tr("lab_compare_upload"), type=["csv"], key="labcmp_upload")
    limit = int(left.number_input(ui.tr("lab_compare_limit"), 1, sets.MAX_QUESTIONS, 5, key="labcmp_limit"))
    batch_models = right.multiselect(
        ui.tr("lab_compare_batch_models"), list(endpoints), max_selections=4, key="labcmp_bmodels", placeholder=ui.tr("choose")
    )
    modes = {"both": None, "on": True, "off": False}
    label = {"both": "lab_compare_both", "on": "lab_compare_rag", "off": "lab_compare_alone"}
    mode = right.radio(
        ui.tr("lab_compare_batch_retrieval"), list(modes), format_func=lambda m: ui.tr(label[m]), key="labcmp_bmode"
    )
    batch_course = right.selectbox(ui.tr("lab_compare_course"), courses, key="labcmp_bcourse")
    if st.button(ui.tr("lab_compare_run_batch"), key="labcmp_batch", disabled=not batch_models):
        bar = st.progress(0.0)
        try:
            chosen_set = sets.read_questions(files[set_name], upload.getvalue() if upload else None)
            report = sets.run_batch(
                lab,
                chosen_set[:limit],
                [endpoints[name] for name in batch_models],
                modes[mode],
                batch_course,
                lambda done, total, _q: bar.progress(done / total, text=ui.tr("lab_compare_progress", done=done, total=total)),
            )
        except TutorError as exc:
            st.error(ui.error_text(exc))
        else:
            saved.save_runs(ui.database(), report.results, user_id=user.id)
            st.session_state.labcmp_rows = sets.report_table(report.rows, lang)
    if st.session_state.get("labcmp_rows"):
        table = pd.DataFrame(st.session_state.labcmp_rows)
        st.table(table)  # plain text on the page, every column visible
        st.bar_chart(table, x=table.columns[0], y=list(table.columns[3:6]), stack=False)

st.subheader(ui.tr("lab_compare_saved"))
rows = saved.list_runs(ui.database())
if rows:
    st.table(saved.saved_table(rows[:20], lang))  # a plain table: every column's text is on the page
    left, right = st.columns(2)
    left.download_button(ui.tr("lab_compare_download_csv"), saved.to_csv(rows), "model-runs.csv", "text/csv", key="labcmp_csv")
    right.download_button(
        ui.tr("lab_compare_download_md"), saved.to_markdown(rows), "model-runs.md", "text/markdown", key="labcmp_md"
    )
else:
    st.caption(ui.tr("lab_compare_no_saved"))
