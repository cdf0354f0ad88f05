"""Administrators edit the role prompts as versions, compare and activate them, export them, and try them on the bench."""

import streamlit as st
import yaml

from tutor_app.app import ui
from tutor_app.core.endpoints import load_endpoints
from tutor_app.core.errors import TutorError
from tutor_app.lab import prompt_bench as bench
from tutor_app.lab import prompt_versions as versions
from tutor_app.lab.compare import Lab

admin = ui.require_role("administrator")
db = ui.database()
st.title(ui.tr("lab_prompts_page"))
st.caption(ui.tr("lab_prompts_intro"))
if "lab_prompts_flash" in st.session_state:
    st.success(st.session_state.pop("lab_prompts_flash"))


def label(version: int) -> str:
    return ui.tr("lab_prompts_version_file") if version == 0 else ui.tr("lab_prompts_version", version=version)


prompts = {p.name: p for p in versions.list_prompts(db)}
name = st.selectbox(ui.tr("lab_prompts_choose"), list(prompts), key="lab_prompts_name")
active = prompts[name].active_version
st.markdown(ui.tr("lab_prompts_active", version=label(active)))
st.caption(prompts[name].description_in(ui.language()))

with st.form(f"lab_prompts_form_{name}"):
    content = st.text_area(ui.tr("lab_prompts_editor"), versions.content_of(db, name, active), height=420)
    examples = st.text_area(ui.tr("lab_prompts_examples"), versions.examples_of(db, name, active), height=160)
    note = st.text_input(ui.tr("lab_prompts_note"), max_chars=versions.NOTE_LIMIT)
    if st.form_submit_button(ui.tr("lab_prompts_save"), type="primary"):
        try:
            saved = versions.save(db, name, content, examples, note, admin.id)
            st.success(ui.tr("lab_prompts_saved", version=saved.version, previous=label(saved.previous)))
            st.code(saved.diff or ui.tr("lab_prompts_no_diff"), language="diff")
        except TutorError as exc:
            st.error(ui.error_text(exc))

st.subheader(ui.tr("lab_prompts_history"))
history = versions.history(db, name)
numbers = [v.version for v in history]
labels = {n: label(n) for n in numbers}  # format_func reads no session state (AppTest calls it outside a run)
columns = ("version", "note", "author", "date", "active")
rows = [
    (label(v.version), v.note, v.author, f"{v.created_at:%Y-%m-%d %H:%M}" if v.created_at else "", "✓" if v.active else "")
    for v in history
]
st.dataframe([dict(zip([ui.tr(f"lab_prompts_col_{c}") for c in columns], row)) for row in rows], hide_index=True)

st.subheader(ui.tr("lab_prompts_diff"))
left, right = st.columns(2)
old = left.selectbox(
    ui.tr("lab_prompts_diff_from"), numbers, min(1, len(numbers) - 1), labels.get, key=f"lab_prompts_from_{name}"
)
new = right.selectbox(ui.tr("lab_prompts_diff_to"), numbers, 0, labels.get, key=f"lab_prompts_to_{name}")
st.code(versions.diff(db, name, old, new) or ui.tr("lab_prompts_no_diff"), language="diff")

pick = st.selectbox(ui.tr("lab_prompts_pick"), numbers, numbers.index(active), labels.get, key=f"lab_prompts_pick_{name}")
left, right = st.columns(2)
if left.button(ui.tr("lab_prompts_activate"), key="lab_prompts_activate"):
    try:
        versions.activate(db, name, pick)
        st.session_state["lab_prompts_flash"] = ui.tr("lab_prompts_activated", version=label(pick), name=name)
        st.rerun()
    except TutorError as exc:
        st.error(ui.error_text(exc))
right.download_button(
    ui.tr("lab_prompts_export"), versions.export_yaml(db, name, pick), f"{name}.v{pick}.yaml", "application/x-yaml"
)

st.subheader(ui.tr("lab_prompts_bench"))
two = list(dict.fromkeys([active, numbers[0]]))
chosen = st.multiselect(
    ui.tr("lab_prompts_bench_versions"), numbers, two, labels.get, key=f"lab_prompts_bench_{name}", placeholder=ui.tr("choose")
)
shot_names = {0: ui.tr("lab_prompts_shots_0"), 1: ui.tr("lab_prompts_shots_1"), -1: ui.tr("lab_prompts_shots_all")}
shots = st.radio(ui.tr("lab_prompts_shots"), list(shot_names), format_func=shot_names.get, horizontal=True)
sample = yaml.safe_dump(bench.sample_inputs(name), allow_unicode=True, sort_keys=False, width=120)
inputs_text = st.text_area(ui.tr("lab_prompts_inputs"), sample, height=180, key=f"lab_prompts_inputs_{name}")
from_course = st.checkbox(ui.tr("lab_prompts_from_course"), key="lab_prompts_from_course")
try:
    configured = load_endpoints(settings=ui.settings())
except TutorError as exc:  # a broken [models] list: the default model still works
    st.warning(ui.error_text(exc))
    configured = {}
specs = st.multiselect(
    ui.tr("lab_prompts_endpoints"),
    list(configured) or ["default"],
    ["default"],
    key="lab_prompts_endpoints",
    placeholder=ui.tr("choose"),
)
url = st.text_input(ui.tr("lab_prompts_url"), placeholder="http://127.0.0.1:8080/v1#model-id", key="lab_prompts_url")
if st.button(ui.tr("lab_prompts_run"), key="lab_prompts_run", type="primary"):
    lab = Lab(ui.settings(), ui.services().retriever)
    try:
        inputs = bench.parse_inputs(inputs_text)
        if from_course:
            inputs = bench.passages_from_course(inputs, ui.services().retriever, None)
        wanted = (specs + [url.strip()] if url.strip() else specs)[:2]
        endpoints = bench.configured_endpoints(wanted, configured, lab, ui.services().chat_model, ui.settings())
        variants = [bench.load_variant(db, name, v) for v in chosen]
        runs = bench.run_bench(variants[:2], endpoints, inputs, shots)
    except TutorError as exc:
        st.error(ui.error_text(exc))
        runs = []
    finally:
        lab.close()
    for endpoint in dict.fromkeys(run.endpoint for run in runs):
        st.markdown(f"**{endpoint}**")
        shown = [r for r in runs if r.endpoint == endpoint]
        for column, run in zip(st.columns(len(shown)), shown):
            column.markdown(f"*{label(run.version)}*")
            if run.error:
                column.error(ui.tr("lab_prompts_run_failed", error=run.error))
            column.write(run.text)
            estimated = ui.tr("lab_prompts_estimated") if run.estimated else ""
            figures = dict(prompt=run.prompt_tokens, completion=run.completion_tokens, seconds=f"{run.seconds:.1f}")
            column.caption(ui.tr("lab_prompts_figures", estimated=estimated, **figures))
