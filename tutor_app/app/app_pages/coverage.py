"""Administrators read curriculum coverage: objectives, the lessons × objectives matrix, gaps and redundancy."""

import altair as alt
import streamlit as st

from tutor_app.admin.coverage import LEVELS, build_coverage, explain_cell
from tutor_app.admin.curriculum import CurriculumStore, parse_objectives
from tutor_app.admin.library import Library
from tutor_app.app import ui
from tutor_app.core.errors import TutorError

ui.require_role("administrator")
st.title(ui.tr("admin_page_coverage"))
index = ui.services().index
courses = [c.name for c in Library(ui.settings(), ui.database(), index).courses() if c.chunks]
if not courses:
    st.info(ui.tr("admin_no_courses"))
    st.stop()
course = st.selectbox(ui.tr("course"), courses, key="coverage_course")

with st.expander(ui.tr("admin_objectives_upload")):
    upload = st.file_uploader(ui.tr("admin_objectives_help"), type=["yaml", "yml", "csv"], key="coverage_objectives")
    if upload is not None and st.button(ui.tr("admin_use_objectives"), key="coverage_use"):
        try:
            count = CurriculumStore(ui.database()).replace(course, parse_objectives(upload.getvalue(), upload.name))
            st.session_state.pop("coverage_report", None)
            st.success(ui.tr("admin_objectives_saved", count=count))
        except TutorError as exc:
            st.error(ui.error_text(exc))

report = st.session_state.get("coverage_report")
if report is None or report.course != course or st.button(ui.tr("admin_recompute"), key="coverage_recompute"):
    try:
        with st.spinner(ui.tr("admin_computing")):
            report = st.session_state.coverage_report = build_coverage(index, ui.database(), course)
    except TutorError as exc:
        st.error(ui.error_text(exc))
        st.stop()
if not report.objectives:
    st.info(ui.tr("admin_no_objectives"))
    st.stop()

with st.expander(ui.tr("admin_objectives_list", count=len(report.objectives))):
    st.table(
        [
            {
                "id": o.id,
                ui.tr("admin_objective"): o.text_in(ui.language()),
                ui.tr("studio_col_bloom"): ui.tr(f"studio_bloom_{o.bloom}"),
                ui.tr("admin_origin"): o.origin_in(ui.language()),
            }
            for o in report.objectives
        ]
    )
texts = {o.id: o.text_in(ui.language()) for o in report.objectives}
rows = report.rows()
level_name = {level: ui.tr(f"admin_level_{level}") for level in LEVELS}
for row in rows:
    row["rating"] = level_name[row["level"]]
    row["objective_text"] = texts.get(row["objective"], row["objective_text"])
heat = (
    alt.Chart(alt.Data(values=rows))
    .mark_rect()
    .encode(
        x=alt.X("objective:N", title=ui.tr("admin_objective")),
        y=alt.Y("lesson:N", title=ui.tr("admin_lesson")),
        color=alt.Color(
            "rating:O",
            sort=[level_name[level] for level in LEVELS],
            scale=alt.Scale(scheme="greens"),
            title=ui.tr("admin_rating"),
        ),
        tooltip=[
            alt.Tooltip("lesson_title:N", title=ui.tr("admin_lesson")),
            alt.Tooltip("objective_text:N", title=ui.tr("admin_objective")),
            alt.Tooltip("rating:N", title=ui.tr("admin_rating")),
            alt.Tooltip("score:Q", title=ui.tr("admin_score")),
            alt.Tooltip("support:Q", title=ui.tr("admin_support")),
        ],
    )
)
left, right = st.columns([3, 2])
left.altair_chart(heat, width="stretch")
right.dataframe(
    [
        {
            ui.tr("admin_lesson"): r["lesson"],
            ui.tr("admin_objective"): r["objective"],
            ui.tr("admin_rating"): r["rating"],
            ui.tr("admin_score"): r["score"],
        }
        for r in rows
        if r["level"] != "none"
    ],
    hide_index=True,
    height=400,
)
st.download_button(
    ui.tr("admin_download_csv"), report.to_csv(), file_name=f"coverage-{course}.csv", mime="text/csv", key="coverage_csv"
)

gap_col, redundant_col = st.columns(2)
gap_col.subheader(ui.tr("admin_gaps", count=len(report.gaps)))
gap_col.markdown("\n".join(f"- **{g}** {texts[g]}" for g in report.gaps) or ui.tr("admin_no_gaps"))
redundant_col.subheader(ui.tr("admin_redundant", count=len(report.redundant)))
redundant_col.markdown("\n".join(f"- **{r}** {texts[r]}" for r in report.redundant) or ui.tr("admin_none_found"))

st.subheader(ui.tr("admin_cell"))
pick = st.columns(2)
lesson = pick[0].selectbox(ui.tr("admin_lesson"), [lesson.id for lesson in report.lessons], key="coverage_lesson")
objective = pick[1].selectbox(
    ui.tr("admin_objective"), list(texts), format_func=lambda o: f"{o} · {texts[o][:60]}", key="coverage_objective"
)
cell = report.cell(lesson, objective)
st.markdown(ui.tr("admin_cell_summary", level=level_name[cell.level], score=f"{cell.score:.2f}", support=cell.support))
for chunk in index.get(cell.chunk_ids)[0]:
    with st.expander(f"{chunk.source} › {chunk.heading or '—'}"):
        st.text(chunk.text)
if st.button(ui.tr("admin_explain"), key="coverage_explain"):
    try:
        st.info(
            explain_cell(
                ui.services().chat_model(),
                report,
                cell,
                index,
                {"en": "English", "zh": "Simplified Chinese"}[ui.language()],
                prompts=ui.services().prompts,
            )
        )
    except TutorError as exc:
        st.warning(ui.tr("admin_explain_unavailable", error=ui.error_text(exc)))
