"""Streamlit pieces of the educator studio, so ``app_pages/studio.py`` reads like a description of the page.

Two halves: pure conversions between a document and the tables the educator
edits (``*_tables`` / ``*_from_tables``, tested without Streamlit), and small
render helpers (generation with a status and a cancel button, the check list,
the editors, saving, export buttons, the saved list). Generation, checks,
storage and export themselves live in their own modules.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from . import ui
from .errors import TutorError
from .export import filename, to_docx, to_json, to_markdown
from .planner import fit_timings, generate_plan
from .quiz import generate_quiz
from .schemas import BLOOM_LEVELS, QUESTION_KINDS, LessonPlan, Quiz
from .studio import NotCovered, StudioInputError, StudioRequest, known_chunk_ids, passage_budget
from .studio_checks import check_document, cited_chunk_ids
from .studio_store import StudioStore
from .structured import Cancelled, StructuredFailure

DOC, DOC_ID, REV = "studio_doc", "studio_doc_id", "studio_rev"
SEP = " | "


# --------------------------------------------------------------------------- tables (pure)

def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _split(value, sep: str = ",") -> list[str]:
    return [part.strip() for part in _cell(value).split(sep) if part.strip()]


def _records(frame) -> list[dict]:
    rows = frame.to_dict("records") if isinstance(frame, pd.DataFrame) else list(frame)
    return [row for row in rows if any(_cell(v) for v in row.values())]  # rows left blank are dropped


def objective_table(document) -> list[dict]:
    return [o.model_dump() for o in document.objectives]


def plan_tables(plan: LessonPlan) -> dict[str, list[dict]]:
    return {
        "objectives": objective_table(plan),
        "activities": [{"title": a.title, "minutes": a.minutes, "description": a.description,
                        "objective_ids": ", ".join(a.objective_ids), "chunk_ids": ", ".join(a.chunk_ids)} for a in plan.activities],
        "materials": [{"title": m.title, "description": m.description, "chunk_ids": ", ".join(m.chunk_ids)} for m in plan.materials],
    }


def plan_from_tables(plan: LessonPlan, objectives, activities, materials, **fields) -> LessonPlan:
    """The plan with the edited tables and fields; raises ValidationError if an edit breaks its shape."""
    def minutes(value) -> int:
        text = _cell(value)
        return int(float(text)) if text else 0

    data = plan.model_dump() | fields | {
        "objectives": [{"id": _cell(r.get("id")), "text": _cell(r.get("text")), "bloom": _cell(r.get("bloom")) or "understand"}
                       for r in _records(objectives)],
        "activities": [{"title": _cell(r.get("title")), "minutes": minutes(r.get("minutes")), "description": _cell(r.get("description")),
                        "objective_ids": _split(r.get("objective_ids")), "chunk_ids": _split(r.get("chunk_ids"))}
                       for r in _records(activities)],
        "materials": [{"title": _cell(r.get("title")), "description": _cell(r.get("description")), "chunk_ids": _split(r.get("chunk_ids"))}
                      for r in _records(materials)],
    }
    return LessonPlan.model_validate(data)


def quiz_tables(quiz: Quiz) -> dict[str, list[dict]]:
    return {
        "objectives": objective_table(quiz),
        "questions": [{"kind": q.kind, "question": q.question, "options": SEP.join(q.options), "answer": q.answer,
                       "explanation": q.explanation, "bloom": q.bloom, "objective_id": q.objective_id, "chunk_id": q.chunk_id}
                      for q in quiz.questions],
    }


def quiz_from_tables(quiz: Quiz, objectives, questions, **fields) -> Quiz:
    data = quiz.model_dump() | fields | {
        "objectives": [{"id": _cell(r.get("id")), "text": _cell(r.get("text")), "bloom": _cell(r.get("bloom")) or "understand"}
                       for r in _records(objectives)],
        "questions": [{"kind": _cell(r.get("kind")), "question": _cell(r.get("question")), "options": _split(r.get("options"), "|"),
                       "answer": _cell(r.get("answer")), "explanation": _cell(r.get("explanation")),
                       "bloom": _cell(r.get("bloom")) or "understand", "objective_id": _cell(r.get("objective_id")),
                       "chunk_id": _cell(r.get("chunk_id"))} for r in _records(questions)],
    }
    return Quiz.model_validate(data)


# --------------------------------------------------------------------------- state

def set_document(document, document_id: int | None) -> None:
    """Show ``document`` in the editors (a new revision resets their widgets)."""
    st.session_state[DOC] = document
    st.session_state[DOC_ID] = document_id
    st.session_state[REV] = st.session_state.get(REV, 0) + 1


# --------------------------------------------------------------------------- generation

def generate(kind: str, request: StudioRequest, objectives=None) -> None:
    """Run one generation with a status showing its steps; a click on Cancel stops it and saves nothing."""
    services = ui.services()
    cancel = st.empty()  # the Cancel button lives only while the generation runs
    cancel.button(ui.tr("studio_cancel"), key="studio_cancel", on_click=lambda: st.session_state.update(studio_cancelled=True))
    with st.status(ui.tr("studio_step_retrieving"), expanded=True) as status:
        ticker = st.empty()
        received = {"events": 0}

        def on_step(step: str) -> None:
            status.update(label=ui.tr(f"studio_step_{step}"))
            st.write("· " + ui.tr(f"studio_step_{step}"))

        def tick() -> bool:
            # Touching the page lets Streamlit stop this run when the educator clicks Cancel.
            received["events"] += 1
            if received["events"] % 20 == 0:
                ticker.caption(f"… {received['events']}")
            return False

        result, problem = None, None
        try:
            chat = services.chat_model()
            st.caption(ui.tr("studio_status", model=chat.label))
            budget, passages = passage_budget(services.settings)
            common = dict(budget_tokens=budget, max_passages=passages, on_step=on_step, should_stop=tick)
            if kind == "plan":
                result = generate_plan(request, services.retriever, chat, **common)
            else:
                result = generate_quiz(request, services.retriever, chat, objectives=objectives, **common)
        except NotCovered as exc:  # the page shows the message with a checkbox to confirm a plan without citations
            st.session_state.studio_not_covered = exc.message(ui.language())
            st.rerun()
        except StudioInputError as exc:
            problem = exc.message(ui.language())
        except StructuredFailure as exc:
            problem = ui.error_text(exc)
            st.code(exc.raw[:3000] or "(empty)", language="json")
        except (Cancelled, TutorError) as exc:
            problem = ui.error_text(exc)
        if result is None:
            status.update(label=ui.tr("studio_failed"), state="error")
        else:
            status.update(label=ui.tr("studio_done", seconds=round(result.seconds), attempts=result.attempts), state="complete")
    cancel.empty()
    if problem:
        st.error(problem)
        return
    st.session_state.pop("studio_not_covered", None)
    set_document(result.document, None)


# --------------------------------------------------------------------------- showing and editing

def show_checks(document) -> None:
    index = ui.services().index
    results = check_document(document, known_chunk_ids(index, cited_chunk_ids(document)))
    st.subheader(ui.tr("studio_checks"))
    for result in results:
        name = ui.tr(f"studio_checkname_{result.name}")
        if result.passed:
            st.markdown(f"✅ {ui.tr('studio_check_passed', name=name)}")
        else:
            st.error(f"**{name}**\n\n" + "\n".join(f"- {m}" for m in result.messages(ui.language())))
            if result.name == "timings" and st.button(ui.tr("studio_fit_timings"), key="studio_fit"):
                set_document(fit_timings(document), st.session_state.get(DOC_ID))
                st.rerun()


def _editor(rows: list[dict], key: str, columns: dict) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    return st.data_editor(frame, key=f"{key}_{st.session_state.get(REV, 0)}", num_rows="dynamic",
                          width="stretch", column_config=columns, hide_index=True)


def edit_document(document):
    """Editors for the document; returns the edited document, or None (with an error shown) if an edit is invalid."""
    rev = st.session_state.get(REV, 0)
    bloom = st.column_config.SelectboxColumn(options=list(BLOOM_LEVELS), required=True)
    title = st.text_input(ui.tr("studio_title"), document.title, key=f"studio_edit_title_{rev}")
    st.markdown(f"**{ui.tr('studio_objectives')}**")
    objectives = _editor(objective_table(document), "studio_ed_obj", {"id": None, "text": None, "bloom": bloom})
    try:
        if isinstance(document, LessonPlan):
            tables = plan_tables(document)
            st.markdown(f"**{ui.tr('studio_activities')}**")
            activities = _editor(tables["activities"], "studio_ed_act", {
                "title": None, "minutes": st.column_config.NumberColumn(min_value=1, max_value=600, step=1),
                "description": None, "objective_ids": None, "chunk_ids": None})
            st.markdown(f"**{ui.tr('studio_materials')}**")
            materials = _editor(tables["materials"], "studio_ed_mat", {"title": None, "description": None, "chunk_ids": None})
            texts = {field: st.text_area(ui.tr(label), getattr(document, field), key=f"studio_edit_{field}_{rev}")
                     for field, label in (("formative_assessment", "studio_assessment"), ("support_weaker", "studio_support"),
                                          ("challenge_stronger", "studio_challenge"), ("homework", "studio_homework"))}
            prerequisites = st.text_area(ui.tr("studio_prerequisites"), "\n".join(document.prerequisites), key=f"studio_edit_pre_{rev}")
            return plan_from_tables(document, objectives, activities, materials, title=title,
                                    prerequisites=[p for p in prerequisites.splitlines() if p.strip()], **texts)
        st.markdown(f"**{ui.tr('studio_questions_table')}**")
        st.caption(ui.tr("studio_options_help"))
        questions = _editor(quiz_tables(document)["questions"], "studio_ed_q", {
            "kind": st.column_config.SelectboxColumn(options=list(QUESTION_KINDS), required=True), "question": None,
            "options": None, "answer": None, "explanation": None, "bloom": bloom, "objective_id": None, "chunk_id": None})
        return quiz_from_tables(document, objectives, questions, title=title)
    except (ValidationError, ValueError) as exc:
        detail = "; ".join(e["msg"] for e in exc.errors()[:3]) if isinstance(exc, ValidationError) else str(exc)
        st.error(ui.tr("studio_invalid_edit", error=detail))
        return None


def save_and_export(user_id: int, document) -> None:
    store = StudioStore(ui.database())
    document_id = st.session_state.get(DOC_ID)
    label = ui.tr("studio_save") if document_id else ui.tr("studio_save_new")
    if st.button(label, key="studio_save", type="primary"):
        info = store.save_version(user_id, document_id, document) if document_id else store.create(user_id, document)
        st.session_state[DOC_ID] = info.id
        st.success(ui.tr("studio_saved", title=info.title, version=info.latest_version))
    cols = st.columns(3)
    labels = _source_labels(document)
    cols[0].download_button(ui.tr("studio_export_md"), to_markdown(document, labels), filename(document, "md"),
                            mime="text/markdown", key="studio_dl_md")
    cols[1].download_button(ui.tr("studio_export_docx"), to_docx(document, labels), filename(document, "docx"), key="studio_dl_docx",
                            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    cols[2].download_button(ui.tr("studio_export_json"), to_json(document), filename(document, "json"),
                            mime="application/json", key="studio_dl_json")


def _source_labels(document) -> dict[str, str]:
    ids = sorted(cited_chunk_ids(document))
    chunks, _ = ui.services().index.get(ids) if ids else ([], [])
    return {c.id: f"{c.source} › {c.heading or c.title}" for c in chunks}


def saved_list(user_id: int) -> None:
    """The educator's saved plans and quizzes: open (any version), duplicate, delete."""
    store = StudioStore(ui.database())
    st.subheader(ui.tr("studio_saved_list"))
    saved = store.list(user_id)
    if not saved:
        st.caption(ui.tr("studio_none_saved"))
        return
    names = {d.id: f"{ui.tr('studio_kind_' + d.kind)} · {d.title} (v{d.latest_version})" for d in saved}
    chosen = st.selectbox(ui.tr("studio_saved_list"), list(names), format_func=names.get, key="studio_pick",
                          label_visibility="collapsed")
    versions = [v for v, _, _ in store.versions(user_id, chosen)]
    version = st.selectbox(ui.tr("studio_version"), versions, key=f"studio_ver_{chosen}")
    cols = st.columns(3)
    if cols[0].button(ui.tr("studio_open"), key="studio_open"):
        set_document(store.load(user_id, chosen, version), chosen)
        st.rerun()
    if cols[1].button(ui.tr("studio_duplicate"), key="studio_duplicate"):
        info = store.duplicate(user_id, chosen, ui.tr("studio_copy_suffix"))
        set_document(store.load(user_id, info.id), info.id)
        st.rerun()
    if cols[2].button(ui.tr("studio_delete"), key="studio_delete"):
        store.delete(user_id, chosen)
        if st.session_state.get(DOC_ID) == chosen:
            st.session_state[DOC_ID] = None
        st.rerun()
