"""One chat turn of the student tutor, with the conversation saved at every step.

The learner's message is stored before anything can fail, with personal details
(e-mails, phones, ID numbers, addresses, the names attached) already replaced
(``engine.privacy``), so neither the database, the search nor a model sees
them; the learner is told so once per conversation. The answer is saved as
it streams (``stream_turn``: what was shown so far, about every second, each
save its own short transaction, so a busy database skips a save but never
stops the answer), then finished with its citations, model, style, token
counts and estimated cost; generated sentences the course does not support are
flagged in the stored text. An answer cut short (the Stop button, a click that
reruns the page, the page left, a dropped model stream) stays saved as far as
it was shown, marked incomplete (``stopped_early``). Errors that stop an answer
before it starts (an empty index, an unreadable index) are stored as the
tutor's reply, so the conversation shows what happened. Refusals and their
questions never go back to the model as history (a small model copies them).
Follow-ups ("simpler", "example", "quiz me") answer from an earlier answer's
passages without a model. A message the safety screen (``safety``) stops is
answered with its care reply or refusal before any search or model call, and
stored as not grounded, with the style "safety". This module does not draw anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext, suppress
from dataclasses import dataclass

from tutor_app.core.config import Settings
from tutor_app.core.database import SAFETY_STYLE, Message, impatient_writes
from tutor_app.core.errors import TutorError
from tutor_app.core.i18n import t
from tutor_app.engine.answers.claims import mark_unsupported
from tutor_app.engine.answers.extractive import ExtractiveAnswerer
from tutor_app.engine.answers.passages import map_citations
from tutor_app.engine.models.pricing import estimate_cost
from tutor_app.engine.privacy import Redaction, has_placeholder, redact, redact_text
from tutor_app.engine.text import detect_lang
from tutor_app.tutoring.conversations import ConversationStore, auto_title
from tutor_app.tutoring.explain import AnswerStream, Tutor
from tutor_app.tutoring.safety import check, help_lines_file, record_flag, safety_reply

FOLLOW_UPS = ("simpler", "example", "quiz")
QUIZ_ANSWER_MARK = "<!-- answer -->"  # the page shows what follows it behind a "Show the answer" expander

MAX_MESSAGE_CHARS = 4000
HISTORY_TURNS = 6
SAVE_EVERY_S = 1.0  # how often an answer being streamed is saved as far as it was shown

log = logging.getLogger(__name__)


def model_history(messages: list[Message]) -> list[tuple[str, str]]:
    """The conversation as the model may read it: refused questions, refusals and follow-ups left out."""
    kept: list[tuple[str, str]] = []
    for message in messages:
        if message.role == "assistant" and (not message.grounded or message.style in FOLLOW_UPS):
            if kept and kept[-1][0] == "human":
                kept.pop()  # its question goes too, or the model would answer it again
            continue
        if message.role == "user":  # rows stored before redaction existed are cleaned on the way out too
            kept.append(("human", redact_text(message.content)))
        else:
            kept.append(("ai", message.content))
    return kept


@dataclass
class Turn:
    conversation_id: int
    stream: AnswerStream | None
    error: str | None = None
    notice: str | None = None
    lang: str = "en"  # the language the reply is in
    reply: str | None = None  # decided before any search: the safety screen's care reply or refusal
    safety: str = ""  # the safety screen's category when it answered

    def pieces(self) -> Iterator[str]:
        if self.notice:
            yield self.notice + "\n\n"
        if self.stream is not None:
            yield from self.stream
        elif self.reply:
            yield self.reply
        elif self.error:
            yield self.error


def start_turn(
    store: ConversationStore,
    tutor: Tutor,
    user_id: int,
    conversation_id: int | None,
    course: str | None,
    question: str,
    ui_lang: str = "en",
    learner: str | None = None,
    answer_lang: str | None = None,
) -> Turn:
    """Save the learner's message, then start the answer (not yet streamed).

    ``learner`` (the profile, as prompt text) comes from the learner profile; ``answer_lang`` is the profile's
    language, else the interface's (the page decides), else (None) the question's.
    """
    redaction = redact(question.strip())  # before it is stored, searched or sent to any model
    question = redaction.text
    if conversation_id is None:
        conversation_id = store.create(user_id, course or "", auto_title(question)).id
    earlier = store.messages(user_id, conversation_id)
    history = model_history(earlier)
    store.add_message(user_id, conversation_id, "user", question)
    notice = privacy_notice(redaction, earlier, ui_lang)
    if len(question) > MAX_MESSAGE_CHARS:
        notice = "\n\n".join(filter(None, [notice, t("too_long", ui_lang, chars=len(question), limit=MAX_MESSAGE_CHARS)]))
        question = question[:MAX_MESSAGE_CHARS]
    lang = answer_lang or detect_lang(question)
    settings = getattr(tutor, "settings", None)
    # Before retrieval: nothing of it reaches the search or the model. The reply is in the message's own language.
    screening = check(question, detect_lang(question), settings)
    if screening.flagged:
        record_flag(store.db, user_id, screening, conversation_id, "explain")
        reply = safety_reply(screening, help_lines_file(settings))
        return Turn(conversation_id, None, None, notice, screening.lang, reply, screening.category)
    try:
        extra = {"learner": learner} if learner else {}
        stream = tutor.ask(question, course=course, history=history[-2 * HISTORY_TURNS :], lang=lang, **extra)
    except TutorError as exc:
        return Turn(conversation_id, None, str(exc), notice, ui_lang)
    return Turn(conversation_id, stream, None, notice, lang)


def privacy_notice(redaction: Redaction, earlier: list[Message], lang: str) -> str | None:
    """The notice that personal details were replaced: once per conversation, at the first message that had some."""
    if not redaction.changed or any(m.role == "user" and has_placeholder(m.content) for m in earlier):
        return None
    return t("privacy_redacted", lang)


def finish_turn(
    store: ConversationStore, settings: Settings, user_id: int, turn: Turn, shown_text: str, replaces: int | None = None
) -> int:
    """Save the tutor's reply as it was shown; returns the message id. ``replaces``: the answer saved so far."""
    tid = turn.conversation_id
    if turn.safety:  # not grounded, so it and its question never go back to the model; not a course gap either
        return store.add_message(user_id, tid, "assistant", shown_text, grounded=False, style=SAFETY_STYLE, replaces=replaces)
    if turn.stream is None:
        return store.add_message(user_id, tid, "assistant", shown_text, grounded=False, complete=False, replaces=replaces)
    result = turn.stream.result
    cost = estimate_cost(result.model, settings.provider, result.prompt_tokens, result.completion_tokens)
    if result.unsupported:
        shown_text = mark_unsupported(shown_text, result.unsupported, turn.lang)
        shown_text += "\n\n" + t("claim_summary", turn.lang, count=len(result.unsupported))
    return store.add_message(
        user_id,
        turn.conversation_id,
        "assistant",
        shown_text,
        citations=[c.model_dump() for c in result.citations],
        model=result.model,
        grounded=result.grounded,
        complete=result.complete,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        cost_usd=cost,
        style=result.style,
        unsupported=len(result.unsupported),
        replaces=replaces,
    )


def stream_turn(
    store: ConversationStore,
    settings: Settings,
    user_id: int,
    turn: Turn,
    every: float = SAVE_EVERY_S,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[str]:
    """``turn``'s pieces, with the answer saved as it streams; the page shows them (``st.write_stream``).

    What was shown so far is saved every ``every`` seconds and finished by ``finish_turn`` at the end. When the
    stream stops early, what was shown stays saved, marked incomplete: Streamlit stops a rerun by raising inside
    the page, either in this loop or in the page's own code, which then closes this generator (``GeneratorExit``).
    Close it at once (``contextlib.closing``), not when it is garbage-collected. A reply known whole before it is
    shown (a care reply, an error) is saved whole.
    """
    pieces = turn.pieces()
    shown: list[str] = []
    message_id: int | None = None
    saved_at = clock()
    finished = False
    try:
        for piece in pieces:
            yield piece
            shown.append(piece)  # the reader came back for more, so this piece was shown
            if clock() - saved_at >= every:
                message_id = _save_partial(store, user_id, turn, "".join(shown), message_id)
                saved_at = clock()
        finished = True
    finally:
        if finished:
            finish_turn(store, settings, user_id, turn, "".join(shown), message_id)
        else:
            _save_stopped(store, settings, user_id, turn, "".join(shown), message_id)
            with suppress(Exception):
                pieces.close()  # a model stream ends its request now, not when it is garbage-collected


def _save_partial(
    store: ConversationStore, user_id: int, turn: Turn, text: str, message_id: int | None, wait: bool = False
) -> int | None:
    """Save the answer as far as it was shown, marked incomplete. While it streams (``wait`` False) a busy database
    skips this save at once (the next one comes; waiting would freeze the answer on the screen); the last save of
    a stopped answer waits like any write."""
    result = turn.stream.result
    citations = result.citations or (map_citations(text, turn.stream.passages)[1] if turn.stream.passages else [])
    try:
        with nullcontext() if wait else impatient_writes():
            return store.add_message(
                user_id,
                turn.conversation_id,
                "assistant",
                text,
                citations=[c.model_dump() for c in citations],
                model=result.model,
                grounded=result.grounded,
                complete=False,
                style=result.style,
                replaces=message_id,
            )
    except TutorError as exc:
        log.warning("The answer streaming in conversation %s was not saved this time: %s", turn.conversation_id, exc)
        return message_id


def _save_stopped(
    store: ConversationStore, settings: Settings, user_id: int, turn: Turn, text: str, message_id: int | None
) -> None:
    """The stream stopped early; never raises, or it would replace Streamlit's own stop (it is only logged)."""
    try:
        if turn.stream is None:
            finish_turn(store, settings, user_id, turn, "".join(turn.pieces()), message_id)
        else:
            _save_partial(store, user_id, turn, text, message_id, wait=True)
    except Exception:
        log.exception("The answer stopped early in conversation %s could not be saved", turn.conversation_id)


def stopped_early(message: Message) -> bool:
    """An answer cut short (stopped, rerun, its model stream dropped); not an error reply, also stored incomplete."""
    return message.role == "assistant" and not message.complete and bool(message.style)


def follow_up(
    store: ConversationStore,
    answerer: ExtractiveAnswerer,
    user_id: int,
    conversation_id: int,
    answer: Message,
    kind: str,
    lang: str,
) -> int:
    """Answer "simpler" / "example" / "quiz" from ``answer``'s passages; saves the request and the reply."""
    citations = answer.citation_list
    texts = [c.get("text", "") for c in citations]
    question = answer_text = ""
    if kind == "simpler":
        answer_text = answerer.simpler(texts, lang, answer.content) or t("ans_no_simpler", lang)
    elif kind == "example":
        answer_text = answerer.example(texts, lang) or t("ans_no_example", lang)
    else:
        quiz = answerer.quiz(texts, lang)
        if quiz is None:
            answer_text = t("ans_no_quiz", lang)
        else:
            question, key, number = quiz
            answer_text = f"{question} [{number}]\n\n{QUIZ_ANSWER_MARK}\n**{key}**"
    store.add_message(user_id, conversation_id, "user", t(f"ans_followup_asked_{kind}", lang))
    return store.add_message(
        user_id, conversation_id, "assistant", answer_text, citations=citations, model=answer.model, grounded=True, style=kind
    )
