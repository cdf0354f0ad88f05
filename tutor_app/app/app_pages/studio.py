"""Educator studio: from a topic to a checked, edited, saved and exported lesson plan or quiz."""

import streamlit as st

from tutor_app.app import studio_view as sui
from tutor_app.app import ui
from tutor_app.core.schemas import BLOOM_LEVELS, QUESTION_KINDS
from tutor_app.studio.saved import StudioStore
from tutor_app.studio.shared import BUILT_LABEL, StudioRequest, lessons_of

user = ui.require_role("educator")
st.title(ui.tr("studio_page"))
st.caption(ui.tr("studio_intro"))
if isinstance(st.session_state.get("studio_topic"), str):  # sent by another page (the coverage report)
    st.session_state.studio_in_topic = st.session_state.pop("studio_topic")
if st.session_state.pop("studio_cancelled", False):
    st.info(ui.tr("studio_cancelled"))

courses = ui.course_names()
if not courses:
    ui.no_course_notice()
    st.stop()
with st.sidebar:
    sui.saved_list(user.id)

kind = (
    st.segmented_control(
        ui.tr("studio_kind"),
        ["plan", "quiz"],
        default="plan",
        key="studio_in_kind",
        format_func=lambda k: ui.tr(f"studio_kind_{k}"),
    )
    or "plan"
)
left, right = st.columns(2)
course = left.selectbox(ui.tr("course"), courses, key="studio_in_course")
lessons = lessons_of(ui.services().index, course)
choose = ui.tr("choose")
chosen = left.multiselect(
    ui.tr("studio_lessons"), list(lessons), format_func=lessons.get, key="studio_in_lessons", placeholder=choose
)
topic = left.text_input(ui.tr("studio_topic"), key="studio_in_topic", help=ui.tr("studio_topic_help"))
audience = right.text_input(ui.tr("studio_audience"), ui.tr("studio_default_audience"), key="studio_in_audience")
language = right.selectbox(
    ui.tr("studio_output_language"),
    ["en", "zh"],
    index=["en", "zh"].index(ui.language()),
    key="studio_in_lang",
    format_func=lambda code: {"en": "English", "zh": "简体中文"}[code],
)
request = dict(course=course, lessons=chosen, topic=topic, audience=audience, language=language)
objectives = None
if kind == "plan":
    request["duration_minutes"] = int(right.number_input(ui.tr("studio_duration"), 0, 100_000, 45, 5, key="studio_in_minutes"))
else:
    request["question_count"] = int(right.number_input(ui.tr("studio_questions"), 0, 100, 4, key="studio_in_count"))
    request["kinds"] = right.multiselect(
        ui.tr("studio_kinds"),
        list(QUESTION_KINDS),
        list(QUESTION_KINDS),
        key="studio_in_kinds",
        format_func=lambda k: ui.tr(f"studio_kind_{k}"),
        placeholder=choose,
    )
    request["bloom_levels"] = right.multiselect(
        ui.tr("studio_bloom"),
        list(BLOOM_LEVELS),
        ["remember", "understand", "apply"],
        key="studio_in_bloom",
        format_func=lambda b: ui.tr(f"studio_bloom_{b}"),
        placeholder=choose,
    )
    plans = {p.id: p.title for p in StudioStore(ui.database()).list(user.id, kind="plan", course=course)}
    plan_id = right.selectbox(
        ui.tr("studio_from_plan"),
        [None, *plans],
        key="studio_in_plan",
        format_func=lambda i: plans[i] if i else ui.tr("studio_no_plan"),
    )
    objectives = StudioStore(ui.database()).load(user.id, plan_id).objectives if plan_id else None
settings = ui.services().settings
if settings.effective_answer_style == "extractive":  # the built-in model: drafts are always built from the course
    style = "built"
    st.caption(ui.tr("studio_draft_built_help"))
else:
    style = (
        right.segmented_control(
            ui.tr("studio_draft_style"),
            ["model", "built"],
            default="model",
            key="studio_in_style",
            format_func=lambda s: ui.tr(f"studio_draft_{s}"),
        )
        or "model"
    )
if st.session_state.get("studio_not_covered") and style == "model":
    st.warning(st.session_state.studio_not_covered)
    request["allow_ungrounded"] = st.checkbox(ui.tr("studio_confirm_ungrounded"), key="studio_in_ungrounded")

if st.button(ui.tr("studio_generate"), key="studio_generate", type="primary"):
    sui.generate(kind, StudioRequest(**request), objectives, style)

document = st.session_state.get(sui.DOC)
if document is not None:
    st.divider()
    maker = ui.tr("studio_built_label") if document.model == BUILT_LABEL else document.model or "—"
    st.caption(ui.tr("studio_model_note", model=maker))
    if not document.grounded:
        st.warning(ui.tr("studio_ungrounded_note"))
    edited = sui.edit_document(document)
    if edited is not None:  # the editors keep their own edits; the original stays in state as their base
        sui.show_checks(edited)
        sui.save_and_export(user.id, edited)
