"""The student tutor: pick a course, chat with streamed, cited answers, keep the history.

An answer is saved as it streams; the Stop button (or any click) ends it, kept as far as it was shown.
"""

from contextlib import closing

import streamlit as st

from tutor_app.app import chat_view as chat_ui
from tutor_app.app import ui
from tutor_app.core.errors import TutorError
from tutor_app.tutoring.chat import start_turn, stream_turn
from tutor_app.tutoring.conversations import ConversationStore
from tutor_app.tutoring.profile import profile_instructions, saved_profile

user = ui.require_role("student")
store = ConversationStore(ui.database())
st.title(ui.tr("page_tutor"))

courses = ui.course_names()
if not courses:
    ui.no_course_notice()
    st.stop()
course = st.selectbox(ui.tr("course"), courses, key="chat_course")
mode = st.segmented_control(
    ui.tr("learn_mode"), ["explain", "coach"], default="explain", key="chat_mode", format_func=lambda m: ui.tr(f"learn_mode_{m}")
)
if mode == "coach":  # coaching works on an exercise with a guarded answer key: its own page
    st.caption(ui.tr("learn_mode_coach_help"))
    st.page_link("app_pages/coach.py", label=ui.tr("learn_open_coach"), icon="🧭")
    st.stop()


def select_conversation(conversation_id):
    st.session_state.chat_conversation = conversation_id


with st.sidebar:
    st.subheader(ui.tr("conversations"))
    conversations = store.list(user.id)
    st.button(ui.tr("new_conversation"), key="chat_new", on_click=select_conversation, args=(None,))
    titles = {c.id: c.title for c in conversations}
    current = st.session_state.get("chat_conversation")
    current = current if current in titles else None
    st.session_state.chat_pick = current  # the radio follows the conversation chosen anywhere on the page
    if titles:
        st.radio(
            ui.tr("conversations"),
            list(titles),
            key="chat_pick",
            format_func=titles.get,
            label_visibility="collapsed",
            on_change=lambda: select_conversation(st.session_state.chat_pick),
        )
    if current is not None:
        with st.expander(ui.tr("rename")):
            title = st.text_input(ui.tr("title"), value=titles[current], key=f"chat_title_{current}")
            if st.button(ui.tr("rename"), key="chat_rename"):
                store.rename(user.id, current, title)
                st.rerun()
        st.download_button(
            ui.tr("export"),
            store.export_markdown(user.id, current),
            file_name=f"conversation-{current}.md",
            mime="text/markdown",
            key="chat_export",
        )
        if st.button(ui.tr("delete"), key="chat_delete", type="secondary"):
            store.delete(user.id, current)
            st.session_state.chat_conversation = None
            st.rerun()


feedback = store.feedback(user.id, current) if current else {}
messages = store.messages(user.id, current) if current else []
if not messages:
    st.caption(ui.tr("empty_history"))
for message in messages:
    with st.chat_message("user" if message.role == "user" else "assistant"):
        chat_ui.show_text(message)
        chat_ui.show_stopped(message)
        if message.role == "assistant":
            chat_ui.show_sources(message.citation_list)
            chat_ui.show_usage(message)
            score = st.feedback("thumbs", key=f"chat_fb_{message.id}", default=feedback.get(message.id))
            if score is not None and score != feedback.get(message.id):
                store.set_feedback(user.id, message.id, score)
            if message is messages[-1]:
                chat_ui.follow_up_buttons(store, user.id, current, message)

if question := st.chat_input(ui.tr("ask_placeholder"), key="chat_input"):
    with st.chat_message("user"):
        st.markdown(question)
    try:
        profile = saved_profile(ui.database(), user.id)  # a saved profile sets the level, style and answer language
        turn = start_turn(
            store,
            ui.services().tutor,
            user.id,
            current,
            course,
            question,
            ui.language(),
            profile_instructions(profile, with_language=False),
            profile.language if profile else ui.language(),
        )
    except TutorError as exc:
        st.error(ui.error_text(exc))
        st.stop()
    st.session_state.chat_conversation = turn.conversation_id
    stop = st.empty()
    with stop:
        chat_ui.stop_button()  # its click reruns the page, which stops the stream: the answer so far is kept
    try:
        # Closed at once when a rerun stops the stream, so the answer so far is saved then, marked incomplete.
        with st.chat_message("assistant"), closing(stream_turn(store, ui.settings(), user.id, turn)) as pieces:
            st.write_stream(pieces)
    except TutorError as exc:  # the finished answer could not be saved; the last save of it stays
        stop.empty()
        st.error(ui.error_text(exc))
        st.stop()
    st.rerun()
