"""Structured generation: ask a model for JSON matching a schema, validate it, repair once.

The request goes through the ``openai`` client like every other model call.
Every provider gets ``response_format={"type": "json_schema", ...}``: OpenAI
and Azure OpenAI follow it, and the embedded llama.cpp server compiles it into
a grammar that constrains sampling, so even a 135M model emits JSON of the
right shape (a schema it cannot compile is refused with HTTP 400).
A server that refuses the response format is asked again without it (the
prompt still asks for JSON). The answer is streamed so a cancel request stops
it between tokens and closes the connection.

``parse`` (supplied by the caller) turns the decoded JSON into the wanted
object or raises ``ValueError``/``ValidationError``; the messages of that
failure go back to the model in one repair request. This module knows nothing
about lesson plans or quizzes.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

import openai
from pydantic import ValidationError

from tutor_app.core.errors import ModelError, TutorError
from tutor_app.core.i18n import t
from tutor_app.engine.models.chat import describe_error, error_kind

T = TypeVar("T")


class Cancelled(TutorError):
    """The educator cancelled a generation; nothing was saved."""


class StructuredFailure(TutorError):
    """The model's answer was still not valid after the repair attempt."""

    def __init__(self, problem: str, fix: str = "", raw: str = "", errors: list[str] | None = None, **keyed) -> None:
        super().__init__(problem, fix, **keyed)
        self.raw = raw
        self.errors = errors or []


@dataclass
class Attempt:
    raw: str
    errors: list[str]
    seconds: float
    finish_reason: str | None = None


@dataclass
class StructuredResult(Generic[T]):
    value: T
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def first_try(self) -> bool:
        return len(self.attempts) == 1

    @property
    def seconds(self) -> float:
        return sum(a.seconds for a in self.attempts)


def response_format(name: str, schema: dict) -> dict:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def extract_json(text: str) -> Any:
    """The JSON value in a model's answer: the whole text, a fenced block, or the outermost braces."""
    text = (text or "").strip()
    candidates = [text]
    candidates += _FENCE.findall(text)
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start:end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    if not text:
        raise ValueError("The model returned nothing.")
    if start < 0:
        raise ValueError("The model answered in prose instead of JSON.")
    raise ValueError("The model's JSON is malformed or cut off.")


def error_lines(exc: Exception, limit: int = 8) -> list[str]:
    if isinstance(exc, ValidationError):
        lines = [f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in exc.errors()]
    else:
        lines = [str(exc)]
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


def repair_message(errors: list[str]) -> str:
    bullets = "\n".join(f"- {e}" for e in errors)
    return ("Your JSON was not accepted:\n" + bullets +
            "\nReturn the whole corrected JSON object only, with every field, and nothing else.")


class StructuredGenerator:
    """Runs one structured request (plus at most one repair) against an OpenAIChat-like model."""

    def __init__(self, chat, max_tokens: int = 1200, temperature: float = 0.2) -> None:
        self.chat = chat  # needs .client, .model, .provider, .extra_body
        self.max_tokens = max_tokens
        self.temperature = temperature

    def _call(self, messages: list[dict], name: str, schema: dict, should_stop: Callable[[], bool]) -> Attempt:
        started = time.monotonic()
        fmt: dict | None = response_format(name, schema)
        extra = dict(self.chat.extra_body or {})
        if self.chat.provider == "embedded":
            extra["repeat_penalty"] = 1.05  # a strong penalty fights the grammar's repeated quotes and braces
        for _ in range(2):
            try:
                return self._stream(messages, fmt, extra, started, should_stop)
            except openai.BadRequestError as exc:
                if fmt is None or "response_format" not in str(exc) and "json_schema" not in str(exc):
                    raise self._model_error(exc) from exc
                fmt = None  # a server without structured output: rely on the prompt alone
            except (openai.APIError, json.JSONDecodeError) as exc:
                raise self._model_error(exc) from exc
        raise AssertionError("unreachable")

    @property
    def _where(self) -> str:
        return str(self.chat.client.base_url).rstrip("/")

    def _model_error(self, exc: BaseException) -> ModelError:
        return ModelError(describe_error(exc, self._where), key=f"model_error_{error_kind(exc)}", values={"where": self._where})

    def _stream(self, messages, fmt, extra, started, should_stop) -> Attempt:
        kwargs: dict = {"model": self.chat.model, "messages": messages, "max_tokens": self.max_tokens,
                        "temperature": self.temperature, "stream": True, "extra_body": extra or None}
        if fmt is not None:
            kwargs["response_format"] = fmt
        pieces: list[str] = []
        finish = None
        with self.chat.client.chat.completions.create(**kwargs) as stream:
            for event in stream:
                if should_stop():
                    raise Cancelled.of("studio_err_cancelled")
                for choice in event.choices or []:
                    if choice.delta and choice.delta.content:
                        pieces.append(choice.delta.content)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        return Attempt("".join(pieces), [], time.monotonic() - started, finish)

    def run(self, messages: list[dict], name: str, schema: dict, parse: Callable[[Any], T],
            on_step: Callable[[str], None] = lambda step: None,
            should_stop: Callable[[], bool] = lambda: False) -> StructuredResult[T]:
        """Draft, validate, and repair once. Raises StructuredFailure, ModelError or Cancelled."""
        attempts: list[Attempt] = []
        conversation = list(messages)
        for step in ("drafting", "repairing"):
            on_step(step)
            attempt = self._call(conversation, name, schema, should_stop)
            attempts.append(attempt)
            on_step("checking")
            try:
                data = extract_json(attempt.raw)
                if attempt.finish_reason == "length" and not isinstance(data, dict):
                    raise ValueError("The model's answer was cut off at the token limit.")
                return StructuredResult(parse(data), attempts)
            except (ValueError, ValidationError, TypeError) as exc:
                attempt.errors = error_lines(exc)
                if attempt.finish_reason == "length":
                    attempt.errors.append(f"The answer reached the limit of {self.max_tokens} tokens; be shorter.")
            conversation = list(messages) + [{"role": "assistant", "content": attempt.raw[:6000]},
                                             {"role": "user", "content": repair_message(attempt.errors)}]
        values = {"errors": "; ".join(attempts[-1].errors[:3])}
        raise StructuredFailure(t("studio_err_invalid", "en", **values), raw=attempts[-1].raw, errors=attempts[-1].errors,
                                key="studio_err_invalid", values=values)
