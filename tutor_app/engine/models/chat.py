"""One code path to a language model: the ``openai`` client.

Chooses the provider from settings (Azure OpenAI, then OpenAI or any
compatible base URL such as Ollama or vLLM, then the embedded llama.cpp
server), sets explicit connect/read timeouts and bounded retries (the SDK
backs off on 429 and 5xx), and reads streams in exactly one place, where every
way a stream can fail becomes a ``StreamEnd`` with a message that says what to
do. Prompts and retrieval live elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterator, Protocol

import openai

from tutor_app.core.config import Settings
from tutor_app.core.errors import ModelError
from tutor_app.core.i18n import t


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


class ChatModel(Protocol):
    label: str
    provider: str

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str | StreamEnd]: ...


def _timeout(settings: Settings) -> openai.Timeout:
    # The read timeout doubles as the budget between streamed chunks.
    return openai.Timeout(connect=settings.connect_timeout_s, read=settings.stream_idle_timeout_s, write=30.0, pool=10.0)


def make_client(settings: Settings, base_url: str | None = None) -> openai.OpenAI:
    common = {"timeout": _timeout(settings), "max_retries": settings.max_retries}
    if settings.provider == "azure":
        return openai.AzureOpenAI(
            api_key=settings.azure_openai_api_key.get_secret_value(),
            azure_endpoint=settings.azure_openai_endpoint,
            api_version=settings.azure_openai_api_version,
            **common,
        )
    if settings.provider == "openai":
        return openai.OpenAI(api_key=settings.openai_api_key.get_secret_value(), base_url=settings.openai_base_url, **common)
    # The embedded server ignores the key, but the SDK insists on one.
    return openai.OpenAI(api_key="local-no-key", base_url=base_url, **common)


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
    if isinstance(exc, openai.APIStatusError) and not isinstance(exc, (openai.AuthenticationError, openai.NotFoundError,
                                                                       openai.RateLimitError)):
        text += f" (HTTP {exc.status_code})"
    return text


def end_message(end: "StreamEnd", lang: str) -> str:
    """Why a stream ended early, in ``lang`` when the failure is a known kind."""
    if end.error_kind:
        return t(f"model_error_{end.error_kind}", lang, where=end.where) + end.error_detail
    return end.error or ""


class OpenAIChat:
    """A chat model behind any OpenAI-compatible endpoint."""

    def __init__(self, client: openai.OpenAI, model: str, label: str, provider: str, temperature: float = 0.2,
                 extra_body: dict | None = None) -> None:
        self.client = client
        self.extra_body = extra_body
        self.model = model
        self.label = label
        self.provider = provider
        self.temperature = temperature

    @property
    def where(self) -> str:
        return str(self.client.base_url).rstrip("/")

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str | StreamEnd]:
        """Yield text pieces, then exactly one StreamEnd."""
        finish: str | None = None
        usage = (0, 0)
        started = False
        try:
            stream = self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=self.temperature,
                stream=True,
                stream_options={"include_usage": True},
                extra_body=self.extra_body,
            )
            for event in stream:
                if getattr(event, "usage", None):
                    usage = (event.usage.prompt_tokens or 0, event.usage.completion_tokens or 0)
                for choice in event.choices or []:
                    if choice.delta and choice.delta.content:
                        started = True
                        yield choice.delta.content
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except (openai.APIError, json.JSONDecodeError) as exc:
            if started and isinstance(exc, openai.APIConnectionError) and not isinstance(exc, openai.APITimeoutError):
                # The server was reached and had begun answering: it dropped the stream.
                kind = "dropped"
            else:
                kind = error_kind(exc)
            detail = f" (HTTP {exc.status_code})" if kind == "status" else ""
            end = StreamEnd(False, finish, None, *usage, error_kind=kind, where=self.where, error_detail=detail)
            end.error = end_message(end, "en")
            yield end
            return
        if finish is None:
            # The SDK raises nothing when a stream ends without its final marker.
            end = StreamEnd(False, None, None, *usage, error_kind="unfinished", where=self.where)
            end.error = end_message(end, "en")
            yield end
            return
        yield StreamEnd(True, finish, None, *usage)


def make_chat_model(settings: Settings, server=None) -> OpenAIChat:
    """The configured chat model; for the embedded provider, ``server`` is an EmbeddedServer."""
    if settings.provider == "embedded":
        if server is None:
            from tutor_app.engine.models.server import EmbeddedServer

            server = EmbeddedServer(settings)
        base_url = server.ensure()
        # Small local models loop without a repetition penalty (llama.cpp's own parameter).
        return OpenAIChat(make_client(settings, base_url), server.label, f"{server.label} (embedded)", "embedded",
                          settings.temperature, extra_body={"repeat_penalty": 1.2})
    model = settings.azure_openai_deployment or settings.chat_model if settings.provider == "azure" else settings.chat_model
    if not model:
        raise ModelError("No model name is set.", "Set TUTOR_CHAT_MODEL (or AZURE_OPENAI_DEPLOYMENT for Azure).")
    return OpenAIChat(make_client(settings), model, model, settings.provider, settings.temperature)
