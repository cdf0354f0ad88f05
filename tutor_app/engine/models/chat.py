"""One code path to a language model: the ``openai`` client.

Chooses the provider from settings (Azure OpenAI, then OpenAI or any
compatible base URL such as Ollama or vLLM, then the embedded llama.cpp
server), with the timeouts and bounded retries of ``transport.make_client``.
Streams are read in exactly one place, ``OpenAIChat.stream``, where every way a
stream can fail becomes a ``StreamEnd`` with a message that says what to do, and
an answer still running at the answer deadline (``Settings.answer_deadline``) is
closed at that moment (``transport.DeadlineTimer``), its text so far kept. Every failure is logged
(``log_failure``: cause, request id, endpoint, model, latency, status, the pause
asked for; no key) to the logger of this package, which ``core.logs`` writes to
``TUTOR_HOME/logs/models.jsonl``. A failure has two texts: ``end_message`` (the
server's address and what to fix, for administrators) and
``StreamEnd.student_message`` (for learners: busy and when to try again, cut
by the deadline, or could not answer; never an address or a setting). Pages
show a stream as it arrives; a feature that needs the whole text calls
``ChatModel.complete``, which drains the stream with ``read_stream``.
Prompts, retrieval and the parsing of answers live elsewhere.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import openai

from tutor_app.core.config import Provider, Settings
from tutor_app.core.errors import ModelError
from tutor_app.core.i18n import t
from tutor_app.engine.models.transport import DeadlineTimer, make_client, retry_after_seconds

log = logging.getLogger(__name__)

# The model label of an answer no model could be asked for (the page then shows no usage line).
UNAVAILABLE_MODEL = "(unavailable)"

# llama.cpp's repetition penalty, sent only to the embedded server. Small local models loop without one...
CHAT_REPEAT_PENALTY = 1.2
# ...but JSON repeats quotes and braces by design: a strong penalty fights the grammar of structured output.
STRUCTURED_REPEAT_PENALTY = 1.05


@dataclass
class StreamEnd:
    """How a streamed answer ended. ``complete`` is False if it was cut short."""

    complete: bool
    finish_reason: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error_kind: str | None = None  # names the failure so it can be told in the learner's language
    where: str = ""
    error_detail: str = ""
    retry_after_s: float | None = None  # the pause the server asked for (Retry-After), when it said

    @property
    def cut_by_deadline(self) -> bool:
        """The answer ran past ``Settings.answer_deadline`` and was closed; its text so far was kept."""
        return self.error_kind == "deadline"

    @property
    def busy(self) -> bool:
        """The server said it is busy: rate-limited, or any refusal that named a pause (Retry-After)."""
        return self.error_kind == "rate_limit" or (self.retry_after_s is not None and not self.complete)

    def student_message(self, lang: str = "en") -> str:
        """What a learner reads about an answer that ended early: no server address, no settings to fix."""
        if self.cut_by_deadline:
            return t("model_student_deadline", lang)
        if self.busy:
            return busy_message(self.retry_after_s, lang)
        return t("model_student_failed", lang)


def busy_message(retry_after_s: float | None, lang: str = "en") -> str:
    """A learner's text for a busy model: when to try again (whole seconds, or minutes past two minutes)."""
    if retry_after_s is None or not math.isfinite(retry_after_s) or retry_after_s <= 0:
        return t("model_student_busy_soon", lang)
    if retry_after_s > 120:
        return t("model_student_busy_minutes", lang, minutes=math.ceil(retry_after_s / 60))
    return t("model_student_busy_seconds", lang, seconds=math.ceil(retry_after_s))


def nothing_returned() -> StreamEnd:
    """The ending of a stream that stopped without saying how."""
    return StreamEnd(False, None, t("model_error_empty", "en"), error_kind="empty")


@dataclass
class Completion:
    """A whole answer: its text and how its stream ended."""

    text: str
    end: StreamEnd
    stopped: bool = False  # the caller asked to stop; the text is what arrived until then

    @property
    def complete(self) -> bool:
        return self.end.complete

    @property
    def error(self) -> str | None:
        return self.end.error

    @property
    def finish_reason(self) -> str | None:
        return self.end.finish_reason

    @property
    def prompt_tokens(self) -> int:
        return self.end.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self.end.completion_tokens

    @property
    def cut_by_deadline(self) -> bool:
        return self.end.cut_by_deadline


def read_stream(pieces: Iterator[str | StreamEnd], should_stop: Callable[[], bool] = lambda: False) -> Completion:
    """Collect a stream's text up to its StreamEnd; stop early (closing the stream) when ``should_stop()``."""
    received: list[str] = []
    try:
        for piece in pieces:
            if isinstance(piece, StreamEnd):
                return Completion("".join(received), piece)
            if should_stop():
                return Completion("".join(received), StreamEnd(False), stopped=True)
            received.append(piece)
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()  # ends the request, so a cancelled answer stops being generated
    return Completion("".join(received), nothing_returned())


class ChatModel(Protocol):
    """What features need of a chat model. A subclass writes ``stream`` and inherits ``complete``."""

    label: str
    provider: str

    def stream(self, messages: list[dict], max_tokens: int, **options) -> Iterator[str | StreamEnd]:
        """Yield text pieces, then exactly one StreamEnd."""
        ...

    def complete(
        self, messages: list[dict], max_tokens: int, should_stop: Callable[[], bool] = lambda: False, **options
    ) -> Completion:
        """The whole answer at once (``options`` go to ``stream``)."""
        return read_stream(self.stream(messages, max_tokens, **options), should_stop)


def error_kind(exc: BaseException) -> str:
    """Which model failure ``exc`` is (a key of ``messages/errors.py`` without its prefix)."""
    if isinstance(exc, openai.AuthenticationError):
        return "auth"
    if isinstance(exc, openai.NotFoundError):
        return "not_found"
    if isinstance(exc, openai.RateLimitError):
        return "rate_limit"
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.APIStatusError):
        return "status"
    if isinstance(exc, json.JSONDecodeError):
        return "garbled"
    return "other"


def describe_error(exc: BaseException, where: str, lang: str = "en") -> str:
    """A one-line, secret-free explanation of a model failure, with the fix."""
    text = t(f"model_error_{error_kind(exc)}", lang, where=where)
    if isinstance(exc, openai.APIStatusError) and not isinstance(
        exc, (openai.AuthenticationError, openai.NotFoundError, openai.RateLimitError)
    ):
        text += f" (HTTP {exc.status_code})"
    return text


def end_message(end: StreamEnd, lang: str) -> str:
    """Why a stream ended early, in ``lang`` when the failure is a known kind: the administrator's detail,
    with the server's address and what to fix (a learner reads ``end.student_message(lang)``)."""
    if end.error_kind:
        return t(f"model_error_{end.error_kind}", lang, where=end.where) + end.error_detail
    return end.error or ""


# What an API key looks like in a message a server echoes back ("Incorrect API key provided: sk-..."),
# a bearer token, and a password in a URL (https://user:password@host).
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_*.-]{4,}|\bBearer\s+\S+", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"//[^/@\s]+@")


def clean(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` without the given secrets, anything shaped like an API key, or passwords in URLs; at most 500 characters."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[secret]")
    return _URL_PASSWORD.sub("//", _KEY_LIKE.sub("[secret]", text))[:500]


def log_failure(
    logger: logging.Logger,
    kind: str,
    exc: BaseException | None,
    *,
    endpoint: str,
    model: str,
    latency_s: float,
    status_code: int | None = None,
    request_id: str | None = None,
    secrets: Iterable[str | None] = (),
    what: str = "model call",
    **fields,
) -> None:
    """One warning record of a failed model call, its ``fields`` ready for ``core.logs``' JSON lines.

    The cause is the exception's class and message (and its own cause's), cleaned of ``secrets`` and
    key-shaped text; the request id and status code come from an ``openai.APIStatusError`` when not given.
    """
    cause = f"{type(exc).__name__}: {exc}" if exc is not None else kind
    if exc is not None and exc.__cause__ is not None:
        cause += f" (from {type(exc.__cause__).__name__}: {exc.__cause__})"
    record = {
        "event": "model_failure",
        "kind": kind,
        "cause": clean(cause, secrets),
        "request_id": request_id or getattr(exc, "request_id", None),
        "endpoint": clean(endpoint, secrets),
        "model": model,
        "latency_s": round(latency_s, 3),
        "status_code": getattr(exc, "status_code", None) or status_code,
        **fields,
    }
    logger.warning("%s failed (%s) at %s after %.1f s", what, kind, record["endpoint"], latency_s, extra={"fields": record})


class OpenAIChat(ChatModel):
    """A chat model behind any OpenAI-compatible endpoint.

    ``repeat_penalty`` is None for servers that take no such parameter (all but the embedded one).
    ``deadline_s`` bounds a whole answer (None: no bound; ``make_chat_model`` passes the setting).
    """

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        label: str,
        provider: str,
        temperature: float = 0.2,
        extra_body: dict | None = None,
        repeat_penalty: float | None = None,
        deadline_s: float | None = None,
    ) -> None:
        self.client = client
        self.deadline_s = deadline_s
        self.extra_body = extra_body
        self.model = model
        self.label = label
        self.provider = provider
        self.temperature = temperature
        self.repeat_penalty = repeat_penalty

    def without_deadline(self) -> OpenAIChat:
        """The same model with no answer deadline, for long work that shows its progress and can be cancelled
        (a studio draft of 1,400 tokens on the embedded model may take minutes on two busy cores)."""
        other = copy.copy(self)
        other.deadline_s = None
        return other

    @property
    def where(self) -> str:
        return str(self.client.base_url).rstrip("/")

    def stream(
        self,
        messages: list[dict],
        max_tokens: int,
        *,
        temperature: float | None = None,
        response_format: dict | None = None,
        repeat_penalty: float | None = None,
    ) -> Iterator[str | StreamEnd]:
        """Yield text pieces, then exactly one StreamEnd.

        ``temperature`` and ``repeat_penalty`` replace the model's own for this request. A server that
        refuses ``response_format`` is asked again without it (the prompt still says what to write).
        At ``deadline_s`` from the request a timer closes the stream (a chunk on its way is not waited for),
        which then ends with ``error_kind="deadline"``, its text so far yielded. A refusal that names a pause
        (Retry-After) ends with it in ``retry_after_s``. A failure is logged with ``log_failure``.
        """
        finish: str | None = None
        usage = (0, 0)
        started = False
        began = time.monotonic()
        deadline = None if self.deadline_s is None else began + self.deadline_s
        cut = False
        request_id: str | None = None
        status: int | None = None
        chars = 0
        request = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.temperature if temperature is None else temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
            "extra_body": self._extra_body(repeat_penalty),
        }
        if response_format is not None:
            request["response_format"] = response_format
        timer: DeadlineTimer | None = None
        try:
            with self._open(request) as stream:
                response = getattr(stream, "response", None)
                if response is not None:
                    request_id, status = response.headers.get("x-request-id"), response.status_code
                    if deadline is not None:
                        timer = DeadlineTimer(response, deadline - time.monotonic())
                try:
                    for event in stream:
                        if timer is not None and timer.fired:
                            break  # what arrived after the deadline is not shown
                        if getattr(event, "usage", None):
                            usage = (event.usage.prompt_tokens or 0, event.usage.completion_tokens or 0)
                        for choice in event.choices or []:
                            if choice.delta and choice.delta.content:
                                started = True
                                chars += len(choice.delta.content)
                                yield choice.delta.content
                            if choice.finish_reason:
                                finish = choice.finish_reason
                        if finish is None and deadline is not None and time.monotonic() >= deadline:
                            break  # leaving the block closes the response: the server stops generating
                finally:
                    if timer is not None:
                        timer.cancel()  # before the connection can go back to the pool
                fired = timer is not None and timer.fired
                cut = finish is None and deadline is not None and (fired or time.monotonic() >= deadline)
        except Exception as exc:
            if timer is not None and timer.fired:
                cut = finish is None  # the read the timer ended fails in whatever way the transport reports it
            elif isinstance(exc, (openai.APIError, json.JSONDecodeError)):
                yield self._refused(exc, started, finish, usage, began, status, request_id, chars)
                return
            else:
                raise
        if cut:
            yield self._failed("deadline", None, None, usage, f" ({self.deadline_s:g} s)", began, status, request_id, chars)
            return
        if finish is None:
            # The SDK raises nothing when a stream ends without its final marker.
            yield self._failed("unfinished", None, None, usage, "", began, status, request_id, chars)
            return
        yield StreamEnd(True, finish, None, *usage)

    def _refused(self, exc: BaseException, started: bool, finish, usage, began, status, request_id, chars) -> StreamEnd:
        """The StreamEnd of a request or stream that raised ``exc``, logged."""
        if started and isinstance(exc, openai.APIConnectionError) and not isinstance(exc, openai.APITimeoutError):
            kind = "dropped"  # the server was reached and had begun answering: it dropped the stream
        else:
            kind = error_kind(exc)
        detail = f" (HTTP {exc.status_code})" if kind == "status" else ""
        response = getattr(exc, "response", None)
        wait = retry_after_seconds(response.headers) if response is not None else None
        if wait is not None:
            detail += f" (Retry-After: {wait:.0f} s)"
        return self._failed(kind, exc, finish, usage, detail, began, status, request_id, chars, retry_after_s=wait)

    def _failed(
        self,
        kind: str,
        exc: BaseException | None,
        finish: str | None,
        usage: tuple[int, int],
        detail: str,
        began: float,
        status: int | None,
        request_id: str | None,
        chars: int,
        retry_after_s: float | None = None,
    ) -> StreamEnd:
        """The StreamEnd of a failed stream, logged."""
        log_failure(
            log,
            kind,
            exc,
            endpoint=self.where,
            model=self.model,
            latency_s=time.monotonic() - began,
            status_code=status,
            request_id=request_id,
            secrets=[getattr(self.client, "api_key", None)],
            provider=str(self.provider),
            received_chars=chars,
            retry_after_s=retry_after_s,
        )
        end = StreamEnd(
            False, finish, None, *usage, error_kind=kind, where=self.where, error_detail=detail, retry_after_s=retry_after_s
        )
        end.error = end_message(end, "en")
        return end

    def _extra_body(self, repeat_penalty: float | None) -> dict | None:
        body = dict(self.extra_body or {})
        if self.repeat_penalty is not None:
            body["repeat_penalty"] = self.repeat_penalty if repeat_penalty is None else repeat_penalty
        return body or None

    def _open(self, request: dict) -> openai.Stream:
        try:
            return self.client.chat.completions.create(**request)
        except openai.BadRequestError as exc:
            if "response_format" not in request or "response_format" not in str(exc) and "json_schema" not in str(exc):
                raise
        # A server without structured output: rely on the prompt alone.
        return self.client.chat.completions.create(**{k: v for k, v in request.items() if k != "response_format"})


def make_chat_model(settings: Settings, server=None) -> OpenAIChat:
    """The configured chat model; for the embedded provider, ``server`` is an EmbeddedServer."""
    if settings.provider.is_embedded:
        if server is None:
            from tutor_app.engine.models.server import EmbeddedServer

            server = EmbeddedServer(settings)
        began = time.monotonic()
        try:
            base_url = server.ensure()
        except ModelError as exc:
            log_failure(log, "start", exc, endpoint="embedded", model=server.label, latency_s=time.monotonic() - began)
            raise
        return OpenAIChat(
            make_client(settings, base_url),
            server.label,
            f"{server.label} (embedded)",
            settings.provider,
            settings.temperature,
            repeat_penalty=CHAT_REPEAT_PENALTY,
            deadline_s=settings.answer_deadline,
        )
    model = (
        settings.azure_openai_deployment or settings.chat_model if settings.provider is Provider.AZURE else settings.chat_model
    )
    if not model:
        error = ModelError("No model name is set.", "Set TUTOR_CHAT_MODEL (or AZURE_OPENAI_DEPLOYMENT for Azure).")
        log_failure(log, "config", error, endpoint=str(settings.provider), model="", latency_s=0.0)
        raise error
    return OpenAIChat(
        make_client(settings), model, model, settings.provider, settings.temperature, deadline_s=settings.answer_deadline
    )
