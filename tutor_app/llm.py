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

from .config import Settings
from .errors import ModelError


@dataclass
class StreamEnd:
    """How a streamed answer ended. ``complete`` is False if it was cut short."""

    complete: bool
    finish_reason: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


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


def describe_error(exc: BaseException, where: str) -> str:
    """A one-line, secret-free explanation of a model failure, with the fix."""
    if isinstance(exc, openai.AuthenticationError):
        return f"The model server at {where} refused the API key. Check OPENAI_API_KEY / AZURE_OPENAI_API_KEY."
    if isinstance(exc, openai.NotFoundError):
        return f"The model was not found at {where}. Check TUTOR_CHAT_MODEL (or the Azure deployment name)."
    if isinstance(exc, openai.RateLimitError):
        return f"The model server at {where} is rate-limiting requests. Wait a minute and ask again."
    if isinstance(exc, openai.APITimeoutError):
        return f"The model server at {where} stopped answering (timed out). Ask again, or check that the server is running."
    if isinstance(exc, openai.APIConnectionError):
        return f"Cannot reach the model server at {where}. Start it (`python -m tutor_app serve-model`) or fix OPENAI_BASE_URL."
    if isinstance(exc, openai.APIStatusError):
        return f"The model server at {where} answered with HTTP {exc.status_code}. Try again later."
    if isinstance(exc, json.JSONDecodeError):
        return f"The model server at {where} sent a garbled stream. Ask again; if it repeats, restart the server."
    return f"The model request to {where} failed ({exc.__class__.__name__}). Ask again."


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
                message = f"The answer from {self.where} was cut off: the server closed the stream. Ask again."
            else:
                message = describe_error(exc, self.where)
            yield StreamEnd(False, finish, message, *usage)
            return
        if finish is None:
            # The SDK raises nothing when a stream ends without its final marker.
            yield StreamEnd(False, None, f"The answer from {self.where} was cut off before it finished. Ask again.", *usage)
            return
        yield StreamEnd(True, finish, None, *usage)


def make_chat_model(settings: Settings, server=None) -> OpenAIChat:
    """The configured chat model; for the embedded provider, ``server`` is an EmbeddedServer."""
    if settings.provider == "embedded":
        if server is None:
            from .model_server import EmbeddedServer

            server = EmbeddedServer(settings)
        base_url = server.ensure()
        # Small local models loop without a repetition penalty (llama.cpp's own parameter).
        return OpenAIChat(make_client(settings, base_url), server.label, f"{server.label} (embedded)", "embedded",
                          settings.temperature, extra_body={"repeat_penalty": 1.2})
    model = settings.azure_openai_deployment or settings.chat_model if settings.provider == "azure" else settings.chat_model
    if not model:
        raise ModelError("No model name is set.", "Set TUTOR_CHAT_MODEL (or AZURE_OPENAI_DEPLOYMENT for Azure).")
    return OpenAIChat(make_client(settings), model, model, settings.provider, settings.temperature)
