"""Administrators see what students ask that the course does not answer, and how the tutor is used.

Questions are shown on one line and cut after ``SHOWN_CHARS`` characters (a learner may paste a whole
page); the studio still receives a topic whole.
"""

from pathlib import Path

import streamlit as st

from tutor_app.admin.gaps import gap_topics
from tutor_app.admin.usage import feedback_share, questions_per_day, tokens_by_role_and_model
from tutor_app.app import ui

STUDIO = Path(__file__).parent / "studio.py"
SHOWN_CHARS = 300

ui.require_role("administrator")
st.title(ui.tr("admin_page_insights"))
db = ui.database()


def shown(question: str) -> str:
    """``question`` on one line, cut after SHOWN_CHARS characters with an ellipsis and its full length."""
    text = " ".join(question.split())
    if len(text) <= SHOWN_CHARS:
        return text
    return text[:SHOWN_CHARS].rstrip() + "… " + ui.tr("admin_question_cut", chars=f"{len(text):,}")


def send_to_studio(topic: str) -> None:
    st.session_state["studio_topic"] = topic  # the educator studio reads this as a new lesson plan's topic
    st.session_state["insights_sent"] = topic


st.subheader(ui.tr("admin_unanswered"))
st.caption(ui.tr("admin_unanswered_help"))
topics = gap_topics(db, ui.services().index.embedder)
if not topics:
    st.info(ui.tr("admin_no_unanswered"))
for n, topic in enumerate(topics):
    with st.container(border=True):
        st.markdown(ui.tr("admin_topic", topic=shown(topic.topic), course=topic.course or "—", count=topic.count))
        st.markdown("\n".join(f"- {shown(example)}" for example in topic.examples))
        st.button(ui.tr("admin_send_to_studio"), key=f"insights_send_{n}", on_click=send_to_studio, args=(topic.topic,))
if sent := st.session_state.pop("insights_sent", None):
    try:
        st.switch_page(STUDIO)
    except Exception:  # the studio page is not installed or not registered for this session
        st.info(ui.tr("admin_sent_to_studio", topic=sent))

st.subheader(ui.tr("admin_usage"))
per_day = questions_per_day(db)
if per_day:
    st.bar_chart(per_day, x="day", y="questions", color="course", x_label=ui.tr("admin_day"), y_label=ui.tr("admin_questions"))
else:
    st.caption(ui.tr("admin_no_usage"))
tokens = tokens_by_role_and_model(db)
if tokens:
    for row in tokens:
        row["label"] = f"{ui.tr('role_' + row['role'])} · {row['model']}"
    chart, table = st.columns(2)
    chart.bar_chart(tokens, x="label", y="tokens", x_label=ui.tr("admin_role_model"), y_label=ui.tr("admin_tokens"))
    table.dataframe(
        [
            {
                ui.tr("role"): ui.tr("role_" + r["role"]),
                ui.tr("admin_model"): r["model"],
                ui.tr("admin_answers"): r["answers"],
                ui.tr("admin_tokens"): r["tokens"],
                ui.tr("admin_cost"): f"${r['cost_usd']:.4f}",
            }
            for r in tokens
        ],
        hide_index=True,
    )
feedback = feedback_share(db)
if feedback["rated"]:
    st.metric(ui.tr("admin_thumbs_up"), f"{feedback['share_up']:.0%}", help=ui.tr("admin_rated", count=feedback["rated"]))
    st.bar_chart(feedback["by_course"], x="course", y="share_up", x_label=ui.tr("course"), y_label=ui.tr("admin_thumbs_up"))
