"""Streamlit pieces of the educator studio, so ``app_pages/studio.py`` reads like a description of the page.

Two halves: pure conversions between a document and the tables the educator
edits (``*_tables`` / ``*_from_tables``; a true/false question's choices shown in
the quiz's language, "正确 | 错误", and stored as "True"/"False") and the tables' column settings
(``editor_columns``: every column shown, labelled in the interface language,
long text in wide, wrapping columns), all tested without a running page; and
small render helpers (generation with a status and a cancel button, the check
list, the editors, saving, export buttons, the saved list). Generation, checks,
storage and export themselves live in their own modules.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from tutor_app.app import ui
from tutor_app.core.errors import TutorError
from tutor_app.core.i18n import t
from tutor_app.core.schemas import BLOOM_LEVELS, QUESTION_KINDS, TRUE_FALSE, LessonPlan, Quiz, true_false_label
from tutor_app.engine.models.structured import Cancelled, StructuredFailure
from tutor_app.studio.checks import check_document, cited_chunk_ids
from tutor_app.studio.drafts import draft, draft_style
from tutor_app.studio.export import filename, to_docx, to_json, to_markdown
from tutor_app.studio.plan_writer import fit_timings
from tutor_app.studio.saved import StudioStore
from tutor_app.studio.shared import NotCovered, StudioInputError, StudioRequest, known_chunk_ids

DOC, DOC_ID, REV = "studio_doc", "studio_doc_id", "studio_rev"
SEP = " | "
WRAPPING_ROW_HEIGHT = 76  # pixels; Streamlit wraps a cell's text only in rows taller than 4rem (64 px)


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
        "activities": [
            {
                "title": a.title,
                "minutes": a.minutes,
                "description": a.description,
                "objective_ids": ", ".join(a.objective_ids),
                "chunk_ids": ", ".join(a.chunk_ids),
            }
            for a in plan.activities
        ],
        "materials": [
            {"title": m.title, "description": m.description, "chunk_ids": ", ".join(m.chunk_ids)} for m in plan.materials
        ],
    }


def plan_from_tables(plan: LessonPlan, objectives, activities, materials, **fields) -> LessonPlan:
    """The plan with the edited tables and fields; raises ValidationError if an edit breaks its shape."""

    def minutes(value) -> int:
        text = _cell(value)
        return int(float(text)) if text else 0

    data = (
        plan.model_dump()
        | fields
        | {
            "objectives": [
                {"id": _cell(r.get("id")), "text": _cell(r.get("text")), "bloom": _cell(r.get("bloom")) or "understand"}
                for r in _records(objectives)
            ],
            "activities": [
                {
                    "title": _cell(r.get("title")),
                    "minutes": minutes(r.get("minutes")),
                    "description": _cell(r.get("description")),
                    "objective_ids": _split(r.get("objective_ids")),
                    "chunk_ids": _split(r.get("chunk_ids")),
                }
                for r in _records(activities)
            ],
            "materials": [
                {
                    "title": _cell(r.get("title")),
                    "description": _cell(r.get("description")),
                    "chunk_ids": _split(r.get("chunk_ids")),
                }
                for r in _records(materials)
            ],
        }
    )
    return LessonPlan.model_validate(data)


def _stored_true_false(word: str) -> str:
    """The stored "True"/"False" for a word the editor shows in either language; anything else unchanged."""
    for value in TRUE_FALSE:
        if word.casefold() in {true_false_label(value, lang).casefold() for lang in ("en", "zh")}:
            return value
    return word


def quiz_tables(quiz: Quiz) -> dict[str, list[dict]]:
    def shown(q, value: str) -> str:
        return true_false_label(value, quiz.language) if q.kind == "true_false" else value

    return {
        "objectives": objective_table(quiz),
        "questions": [
            {
                "kind": q.kind,
                "question": q.question,
                "options": SEP.join(shown(q, option) for option in q.options),
                "answer": shown(q, q.answer),
                "explanation": q.explanation,
                "bloom": q.bloom,
                "objective_id": q.objective_id,
                "chunk_id": q.chunk_id,
            }
            for q in quiz.questions
        ],
    }


def quiz_from_tables(quiz: Quiz, objectives, questions, **fields) -> Quiz:
    data = (
        quiz.model_dump()
        | fields
        | {
            "objectives": [
                {"id": _cell(r.get("id")), "text": _cell(r.get("text")), "bloom": _cell(r.get("bloom")) or "understand"}
                for r in _records(objectives)
            ],
            "questions": [
                {
                    "kind": _cell(r.get("kind")),
                    "question": _cell(r.get("question")),
                    **_choices(_cell(r.get("kind")), _split(r.get("options"), "|"), _cell(r.get("answer"))),
                    "explanation": _cell(r.get("explanation")),
                    "bloom": _cell(r.get("bloom")) or "understand",
                    "objective_id": _cell(r.get("objective_id")),
                    "chunk_id": _cell(r.get("chunk_id")),
                }
                for r in _records(questions)
            ],
        }
    )
    return Quiz.model_validate(data)


def _choices(kind: str, options: list[str], answer: str) -> dict:
    if kind == "true_false":
        options, answer = [_stored_true_false(o) for o in options], _stored_true_false(answer)
    return {"options": options, "answer": answer}


# --------------------------------------------------------------------------- state


def set_document(document, document_id: int | None) -> None:
    """Show ``document`` in the editors (a new revision resets their widgets)."""
    st.session_state[DOC] = document
    st.session_state[DOC_ID] = document_id
    st.session_state[REV] = st.session_state.get(REV, 0) + 1


# --------------------------------------------------------------------------- generation


def generate(kind: str, request: StudioRequest, objectives=None, style: str = "auto") -> None:
    """Make one draft (``style``: see ``studio.drafts``) with a status showing its steps; a click on Cancel
    stops a model-written draft and saves nothing."""
    services = ui.services()
    built = draft_style(services.settings, style) == "built"
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
            maker = ui.tr("studio_built_label") if built else services.chat_model().label
            st.caption(ui.tr("studio_status", model=maker))
            result = draft(kind, request, services, style=style, objectives=objectives, on_step=on_step, should_stop=tick)
        except NotCovered as exc:
            if built:  # a built draft needs course text: say so, offer no draft without citations
                problem = ui.tr("studio_err_not_covered_built", **exc.values)
            else:  # the page shows the message with a checkbox to confirm a draft without citations
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
            done = (
                ui.tr("studio_done_built", seconds=f"{result.seconds:.1f}")
                if built
                else ui.tr("studio_done", seconds=round(result.seconds), attempts=result.attempts)
            )
            status.update(label=done, state="complete")
    cancel.empty()
    if problem:
        st.error(problem)
        return
    st.session_state.pop("studio_not_covered", None)
    set_document(result.document, None)


# --------------------------------------------------------------------------- showing and editing


def show_checks(document) -> None:
    index = ui.services().index
    languages = index.languages(document.course) if document.course else None
    results = check_document(document, known_chunk_ids(index, cited_chunk_ids(document)), course_languages=languages)
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


# Each table's columns, in order: (column, message key of its header, how it is edited, width in pixels).
# Long text gets 400 px and wraps onto three lines (WRAPPING_ROW_HEIGHT); a double click shows all of it.
TABLE_COLUMNS: dict[str, tuple[tuple[str, str, str, int], ...]] = {
    "objectives": (
        ("id", "studio_col_id", "text", 70),
        ("text", "studio_col_objective_text", "text", 400),
        ("bloom", "studio_col_bloom", "bloom", 110),
    ),
    "activities": (
        ("title", "studio_col_title", "text", 180),
        ("minutes", "studio_col_minutes", "minutes", 80),
        ("description", "studio_col_description", "text", 400),
        ("objective_ids", "studio_col_objective_ids", "ids", 110),
        ("chunk_ids", "studio_col_chunk_ids", "ids", 160),
    ),
    "materials": (
        ("title", "studio_col_title", "text", 180),
        ("description", "studio_col_description", "text", 400),
        ("chunk_ids", "studio_col_chunk_ids", "ids", 160),
    ),
    "questions": (
        ("question", "studio_col_question", "text", 300),
        ("options", "studio_col_options", "options", 300),
        ("answer", "studio_col_answer", "answer", 200),
        ("explanation", "studio_col_explanation", "text", 300),
        ("kind", "studio_col_kind", "kind", 120),
        ("bloom", "studio_col_bloom", "bloom", 110),
        ("objective_id", "studio_col_objective_id", "text", 110),
        ("chunk_id", "studio_col_chunk_id", "text", 160),
    ),
}


def editor_columns(table: str, lang: str) -> dict[str, dict]:
    """Streamlit column settings for one editing table: every column visible, its header in ``lang``.

    (``None`` for a column would hide it, so each column gets a real setting.)
    """

    def column(name: str, label_key: str, editing: str, width: int) -> dict:
        label = t(label_key, lang)
        if editing == "minutes":
            return st.column_config.NumberColumn(label, width=width, min_value=1, max_value=600, step=1, required=True)
        if editing in ("bloom", "kind"):
            choices = BLOOM_LEVELS if editing == "bloom" else QUESTION_KINDS
            return st.column_config.SelectboxColumn(
                label,
                width=width,
                options=list(choices),
                required=True,
                format_func=lambda value: t(f"studio_{editing}_{value}", lang),
            )
        help_key = {"ids": "studio_col_ids_help", "options": "studio_col_options_help", "answer": "studio_col_answer_help"}.get(
            editing
        )
        return st.column_config.TextColumn(label, width=width, help=t(help_key, lang) if help_key else None)

    return {name: column(name, *rest) for name, *rest in TABLE_COLUMNS[table]}


TABLE_HEADINGS = {
    "objectives": "studio_objectives",
    "activities": "studio_activities",
    "materials": "studio_materials",
    "questions": "studio_questions_table",
}


def _editor(rows: list[dict], key: str, table: str, note: str = "") -> pd.DataFrame:
    """One table under its heading (and ``note``), every row shown (no inner scrolling), long text wrapped."""
    heading = ui.tr(TABLE_HEADINGS[table])
    st.markdown(f"**{heading}**")
    if note:
        st.caption(note)
    columns = editor_columns(table, ui.language())
    frame = pd.DataFrame(rows, columns=list(columns))
    return st.data_editor(
        frame,
        key=f"{key}_{st.session_state.get(REV, 0)}",
        num_rows="dynamic",
        width="stretch",
        height="content",
        row_height=WRAPPING_ROW_HEIGHT,
        column_config=columns,
        hide_index=True,
        alt=heading,
        placeholder="",
    )


def edit_document(document):
    """Editors for every field of the document; returns the edited document, or None (with an error shown) if an edit is invalid."""
    rev = st.session_state.get(REV, 0)
    title = st.text_input(ui.tr("studio_title"), document.title, key=f"studio_edit_title_{rev}")
    audience = st.text_input(ui.tr("studio_audience"), document.audience, key=f"studio_edit_audience_{rev}")
    st.caption(ui.tr("studio_edit_hint"))
    objectives = _editor(objective_table(document), "studio_ed_obj", "objectives")
    try:
        if isinstance(document, LessonPlan):
            tables = plan_tables(document)
            activities = _editor(tables["activities"], "studio_ed_act", "activities")
            materials = _editor(tables["materials"], "studio_ed_mat", "materials")
            texts = {
                field: st.text_area(ui.tr(label), getattr(document, field), key=f"studio_edit_{field}_{rev}")
                for field, label in (
                    ("formative_assessment", "studio_assessment"),
                    ("support_weaker", "studio_support"),
                    ("challenge_stronger", "studio_challenge"),
                    ("homework", "studio_homework"),
                )
            }
            prerequisites = st.text_area(
                ui.tr("studio_prerequisites"), "\n".join(document.prerequisites), key=f"studio_edit_pre_{rev}"
            )
            return plan_from_tables(
                document,
                objectives,
                activities,
                materials,
                title=title,
                audience=audience,
                prerequisites=[p for p in prerequisites.splitlines() if p.strip()],
                **texts,
            )
        questions = _editor(quiz_tables(document)["questions"], "studio_ed_q", "questions", note=ui.tr("studio_options_help"))
        return quiz_from_tables(document, objectives, questions, title=title, audience=audience)
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
    chunks = _cited_chunks(document)
    labels = {c.id: f"{c.source} › {c.heading or c.title}" for c in chunks.values()}
    cols[0].download_button(
        ui.tr("studio_export_md"),
        to_markdown(document, labels),
        filename(document, "md"),
        mime="text/markdown",
        key="studio_dl_md",
    )
    cols[1].download_button(
        ui.tr("studio_export_docx"),
        to_docx(document, labels),
        filename(document, "docx"),
        key="studio_dl_docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    cols[2].download_button(
        ui.tr("studio_export_json"),
        to_json(document, chunks),
        filename(document, "json"),
        mime="application/json",
        key="studio_dl_json",
    )


def _cited_chunks(document) -> dict:
    """chunk id → the course passage, for every passage the document cites that the index still has."""
    return known_chunk_ids(ui.services().index, cited_chunk_ids(document))


def saved_list(user_id: int) -> None:
    """The educator's saved plans and quizzes: open (any version), duplicate, delete."""
    store = StudioStore(ui.database())
    st.subheader(ui.tr("studio_saved_list"))
    saved = store.list(user_id)
    if not saved:
        st.caption(ui.tr("studio_none_saved"))
        return
    names = {d.id: f"{ui.tr('studio_kind_' + d.kind)} · {d.title} (v{d.latest_version})" for d in saved}
    chosen = st.selectbox(
        ui.tr("studio_saved_list"), list(names), format_func=names.get, key="studio_pick", label_visibility="collapsed"
    )
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
