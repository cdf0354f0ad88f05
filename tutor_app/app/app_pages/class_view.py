"""An educator's classes: wellbeing alerts, members, a students × objectives mastery heatmap, and who needs help with what.

Alert times read as how long ago, then the local time with its UTC offset ("2 hour(s) ago, 2026-12-02 14:21 UTC+08:00"):
the browser's time zone when it tells one, else the server's.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import altair as alt
import pandas as pd
import streamlit as st

from tutor_app.accounts.classes import add_student, create_class, list_classes
from tutor_app.app import learning_view as learning_ui
from tutor_app.app import ui
from tutor_app.core.database import utcnow
from tutor_app.core.errors import TutorError
from tutor_app.learning.progress import class_heatmap, needs_help
from tutor_app.tutoring.safety import FlagView, acknowledge_flag, list_flags

user = ui.require_role("educator")
st.title(ui.tr("learn_page_class"))
st.caption(ui.tr("learn_class_intro"))
db = ui.database()

# Wellbeing alerts first, before any class is picked: they are the most urgent thing here (an administrator sees all).
MODE_KEYS = {"explain": "learn_mode_explain", "coach": "learn_mode_coach"}


def _zone() -> ZoneInfo | None:
    """The viewer's time zone as the browser reports it; None (the server's) when it does not."""
    try:
        return ZoneInfo(st.context.timezone) if st.context.timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _when(moment: datetime) -> str:
    """A stored (naive UTC) moment as how long ago, then the viewer's local time with its offset."""
    seconds = max(0, int((utcnow() - moment).total_seconds()))
    if seconds < 60:
        ago = ui.tr("when_just_now")
    elif seconds < 3600:
        ago = ui.tr("when_minutes_ago", count=seconds // 60)
    elif seconds < 86400:
        ago = ui.tr("when_hours_ago", count=seconds // 3600)
    else:
        ago = ui.tr("when_days_ago", count=seconds // 86400)
    local = moment.replace(tzinfo=UTC).astimezone(_zone())
    offset = local.strftime("%z")
    return ui.tr("when_ago_at", ago=ago, time=f"{local:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}")


def _where_when(flag: FlagView) -> dict:
    where = ui.tr(MODE_KEYS[flag.mode]) if flag.mode in MODE_KEYS else flag.mode
    return {"student": flag.student, "when": _when(flag.created_at), "where": where}


st.subheader(ui.tr("safety_alerts"))
flags = list_flags(db, user)
fresh = [f for f in flags if not f.acknowledged]
if not fresh:
    st.caption(ui.tr("safety_no_alerts"))
else:
    st.caption(ui.tr("safety_alerts_intro"))
for flag in fresh:
    st.warning(f"{ui.tr('safety_alert_row', **_where_when(flag))}  \n{ui.tr('safety_alert_action')}", icon="⚠️")
    if st.button(ui.tr("safety_acknowledge"), key=f"safety_ack_{flag.id}"):
        try:
            acknowledge_flag(db, user, flag.id)
            st.rerun()
        except TutorError as exc:
            st.error(ui.error_text(exc))
seen = [f for f in flags if f.acknowledged]
if seen:
    with st.expander(ui.tr("safety_seen", count=len(seen)), expanded=False):
        for flag in seen:
            by = flag.acknowledged_by or ui.tr("safety_someone")
            st.markdown(ui.tr("safety_seen_row", by=by, seen=_when(flag.acknowledged_at), **_where_when(flag)))

with st.expander(ui.tr("learn_new_class"), expanded=not list_classes(db, user)):
    with st.form("learn_class_form", clear_on_submit=True):
        name = st.text_input(ui.tr("learn_class_name"), key="learn_class_name")
        course_for_class = st.selectbox(ui.tr("course"), ui.course_names() or [""], key="learn_class_course")
        if st.form_submit_button(ui.tr("learn_create")):
            try:
                create_class(db, user, name, course_for_class)
            except TutorError as exc:
                st.error(ui.error_text(exc))

classes = {c.id: c for c in list_classes(db, user)}
if not classes:
    st.info(ui.tr("learn_no_classes"))
    st.stop()
class_id = st.selectbox(
    ui.tr("learn_class"),
    list(classes),
    key="learn_class_pick",
    format_func=lambda cid: f"{classes[cid].name} ({classes[cid].size})",
)
with st.form("learn_member_form", clear_on_submit=True):
    username = st.text_input(ui.tr("learn_add_student"), key="learn_member_name")
    if st.form_submit_button(ui.tr("add")):
        try:
            add_student(db, user, class_id, username)
            st.rerun()
        except TutorError as exc:
            st.error(ui.error_text(exc))

course = classes[class_id].course or learning_ui.pick_course("learn_class_view_course")
catalog = learning_ui.practice().catalog(course)
heat = class_heatmap(db, user, class_id, catalog)
if not heat.students:
    st.info(ui.tr("learn_no_members"))
    st.stop()

st.subheader(ui.tr("learn_heatmap"))
student, objective, mastery = ui.tr("learn_student"), ui.tr("learn_objective"), ui.tr("learn_mastery")
cells = pd.DataFrame(
    [
        {student: s.display_name or s.username, objective: oid, mastery: learning_ui.percent(heat.mastery[(s.id, oid)])}
        for s in heat.students
        for oid in heat.objectives
    ]
)
chart = (
    alt.Chart(cells)
    .mark_rect()
    .encode(
        x=alt.X(f"{objective}:N", sort=heat.objectives),
        y=alt.Y(f"{student}:N"),
        color=alt.Color(f"{mastery}:Q", scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen")),
        tooltip=[student, objective, mastery],
    )
)
st.altair_chart(chart, width="stretch")

st.subheader(ui.tr("learn_needs_help"))
rows = needs_help(heat)
if not rows:
    st.caption(ui.tr("learn_nobody_struggles"))
for who, oid, value in rows:
    st.markdown(
        ui.tr(
            "learn_help_row",
            student=who.display_name or who.username,
            objective=f"{oid} · {catalog.objective_text(oid, ui.language())}",
            mastery=learning_ui.percent(value),
        )
    )
