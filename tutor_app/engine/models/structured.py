"""Structured generation: ask a model for JSON matching a schema, validate it, repair once.

The request goes through ``ChatModel.complete`` like every other model call
that needs a whole answer. Every provider gets
``response_format={"type": "json_schema", ...}``: OpenAI and Azure OpenAI follow
it, and the embedded llama.cpp server compiles it into a grammar that constrains
sampling, so even a 135M model emits JSON of the right shape (a schema it cannot
compile is refused with HTTP 400, and the chat model asks again without it; the
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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from tutor_app.core.errors import ModelError, TutorError
from tutor_app.core.i18n import t
from tutor_app.engine.models.chat import STRUCTURED_REPEAT_PENALTY, ChatModel, OpenAIChat, StreamEnd

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
        candidates.append(text[start : end + 1])
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
    return (
        "Your JSON was not accepted:\n"
        + bullets
        + "\nReturn the whole corrected JSON object only, with every field, and nothing else."
    )


def _model_error(end: StreamEnd) -> ModelError:
    return ModelError(end.error or "", key=f"model_error_{end.error_kind}", values={"where": end.where})


class StructuredGenerator:
    """Runs one structured request (plus at most one repair) against a chat model."""

    def __init__(self, chat: ChatModel, max_tokens: int = 1200, temperature: float = 0.2) -> None:
        # The answer deadline is for a learner waiting on a reply; a draft has a progress bar and Cancel instead.
        self.chat = chat.without_deadline() if isinstance(chat, OpenAIChat) else chat
        self.max_tokens = max_tokens
        self.temperature = temperature

    def _call(self, messages: list[dict], name: str, schema: dict, should_stop: Callable[[], bool]) -> Attempt:
        started = time.monotonic()
        answer = self.chat.complete(
            messages,
            self.max_tokens,
            should_stop,
            temperature=self.temperature,
            response_format=response_format(name, schema),
            repeat_penalty=STRUCTURED_REPEAT_PENALTY,
        )
        if answer.stopped:
            raise Cancelled.of("structured_err_cancelled")
        # An answer cut off before its end marker is still parsed, and repaired when it is broken.
        if answer.end.error_kind not in (None, "unfinished"):
            raise _model_error(answer.end)
        return Attempt(answer.text, [], time.monotonic() - started, answer.finish_reason)

    def run(
        self,
        messages: list[dict],
        name: str,
        schema: dict,
        parse: Callable[[Any], T],
        on_step: Callable[[str], None] = lambda step: None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> StructuredResult[T]:
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
            conversation = list(messages) + [
                {"role": "assistant", "content": attempt.raw[:6000]},
                {"role": "user", "content": repair_message(attempt.errors)},
            ]
        values = {"errors": "; ".join(attempts[-1].errors[:3])}
        raise StructuredFailure(
            t("structured_err_invalid", "en", **values),
            raw=attempts[-1].raw,
            errors=attempts[-1].errors,
            key="structured_err_invalid",
            values=values,
        )
