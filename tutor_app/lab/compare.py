"""Compare models: one question against several endpoints at once, each with course retrieval on or off.

The course is searched once; then every run streams its answer in its own thread: with retrieval, the
student tutor prompt and the retrieved passages; without, the model alone (``prompts/lab_model_alone.yaml``:
the question, no passages, no rule to answer from the course, which would only make it refuse). The
caller's callbacks receive the pieces and the finished runs on the caller's own thread (a page updates its
columns there). Per run:
seconds to the first token and in all, prompt and completion tokens (the server's usage when it sends
it, else counted with tiktoken and marked ``tokens_counted``), the cost at the endpoint's own prices,
the [n] markers that point at a passage, and the claim check. A run without retrieval is checked
against the passages retrieval would have given it, so both columns are judged by the same text.
A failed endpoint (unreachable, 401, timeout, not installed) is one failed run; the others finish.
Personal details in the question are replaced first (``engine.privacy``), as in the tutor's chat.
This module neither saves runs (``runs``) nor reads configuration (``core.endpoints``).
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from pydantic import SecretStr

from tutor_app.core.config import Settings
from tutor_app.core.endpoints import Endpoint
from tutor_app.core.errors import InputError, TutorError
from tutor_app.core.i18n import LANGUAGE_NAMES
from tutor_app.core.schemas import Hit
from tutor_app.engine.answers.claims import unsupported_sentences
from tutor_app.engine.answers.passages import pack_passages
from tutor_app.engine.models.chat import StreamEnd, make_chat_model, nothing_returned
from tutor_app.engine.models.pricing import estimate_cost, price_known
from tutor_app.engine.models.prompts import PromptFile, chat_messages, load_prompt
from tutor_app.engine.privacy import redact_text
from tutor_app.engine.search.retrieval import Retriever, SearchResult
from tutor_app.engine.text import detect_lang
from tutor_app.engine.tokens import count_tokens

MAX_RUNS = 8
_MARK = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Target:
    """One run to make: an endpoint, with the course's passages or without."""

    endpoint: Endpoint
    retrieval: bool


def targets(endpoints: Iterable[Endpoint], retrieval: bool | None = None) -> list[Target]:
    """Each endpoint with retrieval on, off, or (None) both."""
    modes = (True, False) if retrieval is None else (retrieval,)
    return [Target(endpoint, mode) for endpoint in endpoints for mode in modes]


@dataclass
class RunResult:
    """One endpoint's answer to the question, with its figures."""

    endpoint: str
    model: str
    retrieval: bool
    question: str = ""
    course: str = ""
    answer: str = ""
    error: str = ""
    error_kind: str = ""  # a key suffix of the lab's short failure reasons; "" when the run finished
    first_token_s: float | None = None
    total_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_counted: bool = False  # the server sent no usage: counted here with tiktoken (cl100k_base)
    cost: float | None = 0.0  # USD; None when the model has no known price
    citations: list[dict] = field(default_factory=list)  # number, lesson_id, title, heading, source
    unsupported: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.error) and not self.answer

    def to_json(self) -> dict:
        data = asdict(self)
        data["first_token_s"] = None if self.first_token_s is None else round(self.first_token_s, 3)
        data["total_s"] = round(self.total_s, 3)
        data["cost"] = None if self.cost is None else round(self.cost, 8)
        return data


@dataclass
class Comparison:
    question: str
    course: str
    grounded: bool  # whether the tutor itself would have answered (the course covers the question)
    results: list[RunResult]

    @property
    def all_failed(self) -> bool:
        return bool(self.results) and all(r.failed for r in self.results)


@dataclass
class Lab:
    """What runs need: settings, the retriever, the prompt, the claim check's sentence vectors, the embedded server."""

    settings: Settings
    retriever: Retriever
    prompt: PromptFile | Callable[[], PromptFile] | None = None  # None: prompts/student_tutor.yaml
    vectors: Callable | None = None  # extractive.SentenceVectors, for the claim check's meaning test
    server: object | None = None  # an EmbeddedServer; made on first use by an embedded run
    # With retrieval off the tutor's prompt would only say "the course does not cover it": the model alone gets
    # its own prompt, without passages. None: prompts/lab_model_alone.yaml.
    alone_prompt: PromptFile | Callable[[], PromptFile] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _made_server: bool = field(default=False, repr=False)

    def prompt_file(self, retrieval: bool = True) -> PromptFile:
        prompt, name = (self.prompt, "student_tutor") if retrieval else (self.alone_prompt, "lab_model_alone")
        if prompt is None:
            return load_prompt(name)
        return prompt() if callable(prompt) else prompt

    def embedded_server(self):
        with self._lock:
            if self.server is None:
                from tutor_app.engine.models.server import EmbeddedServer

                self.server = EmbeddedServer(self._local_settings())
                self._made_server = True
            return self.server

    def close(self) -> None:
        """Stop the embedded server if this lab started it (a reused one keeps running)."""
        if self._made_server and self.server is not None:
            self.server.stop()

    def _local_settings(self) -> Settings:
        return self.settings.model_copy(update={"azure_openai_api_key": None, "openai_api_key": None})

    def chat_model(self, endpoint: Endpoint):
        """The endpoint as an OpenAIChat, through the app's own model code (timeouts, retries, stream reading)."""
        if endpoint.kind == "embedded":
            return make_chat_model(self._local_settings(), self.embedded_server())
        if endpoint.kind == "azure":
            update = {
                "azure_openai_api_key": endpoint.api_key,
                "azure_openai_endpoint": endpoint.base_url,
                "azure_openai_deployment": endpoint.model,
                "azure_openai_api_version": endpoint.api_version or self.settings.azure_openai_api_version,
            }
        else:  # openai, or any compatible server; the SDK insists on a key even where the server needs none
            update = {
                "azure_openai_api_key": None,
                "openai_api_key": endpoint.api_key or SecretStr("no-key"),
                "openai_base_url": endpoint.base_url,
                "chat_model": endpoint.model,
            }
        return make_chat_model(self.settings.model_copy(update=update))


def passages_for(lab: Lab, endpoint: Endpoint, search: SearchResult) -> tuple[str, list[Hit]]:
    """The passages an endpoint is given (as the tutor packs them: a short budget for the embedded model)."""
    embedded = endpoint.kind == "embedded"
    budget = lab.settings.embedded_context_tokens if embedded else lab.settings.context_tokens
    if embedded and search.hits and search.hits[0].chunk.lang == "zh":
        budget = int(budget / 1.5)  # the embedded model's tokenizer spends about 1.5 x on Chinese (explain.py)
    return pack_passages(search.hits, budget)


def cited(answer: str, passages: list[Hit]) -> list[dict]:
    """The passages the answer's [n] markers point at, in order of number (no markers: none)."""
    numbers = sorted({int(n) for n in _MARK.findall(answer or "") if 1 <= int(n) <= len(passages)})
    return [
        {
            "number": n,
            "lesson_id": passages[n - 1].chunk.lesson_id,
            "title": passages[n - 1].chunk.title,
            "heading": passages[n - 1].chunk.heading,
            "source": passages[n - 1].chunk.source,
        }
        for n in numbers
    ]


def _run(
    lab: Lab, prompt: PromptFile, target: Target, search: SearchResult, lang: str, course: str, emit: Callable[[str], None]
) -> RunResult:
    endpoint = target.endpoint
    result = RunResult(endpoint.name, endpoint.model, target.retrieval, search.query, course)
    packed, passages = passages_for(lab, endpoint, search)
    values = {
        "language": LANGUAGE_NAMES[lang],
        "passages": packed,
        "question": search.query,
        "history": [],
        "learner": "Not described; assume a beginner.",
    }
    messages = chat_messages(
        prompt.template().format_messages(**{k: v for k, v in values.items() if k in prompt.input_variables})
    )
    try:
        model = lab.chat_model(endpoint)
    except TutorError as exc:
        result.error, result.error_kind = str(exc), "start"
        return result
    result.model = model.model
    received: list[str] = []
    end = nothing_returned()
    began = time.monotonic()
    for piece in model.stream(messages, lab.settings.max_answer_tokens):
        if isinstance(piece, StreamEnd):
            end = piece
            break
        if result.first_token_s is None:
            result.first_token_s = time.monotonic() - began
        received.append(piece)
        emit(piece)
    result.total_s = time.monotonic() - began
    result.answer = "".join(received)
    if not end.complete:
        result.error, result.error_kind = end.error or "", end.error_kind or "other"
    if end.prompt_tokens or end.completion_tokens:
        result.prompt_tokens, result.completion_tokens = end.prompt_tokens, end.completion_tokens
    elif received or end.complete:
        result.tokens_counted = True
        result.prompt_tokens = sum(count_tokens(m["content"]) for m in messages)
        result.completion_tokens = count_tokens(result.answer)
    provider = "embedded" if endpoint.kind == "embedded" else endpoint.kind
    if result.completion_tokens == 0 or price_known(result.model, provider, endpoint.prices):
        result.cost = estimate_cost(result.model, provider, result.prompt_tokens, result.completion_tokens, endpoint.prices)
    else:
        result.cost = None
    result.citations = cited(result.answer, passages) if target.retrieval else []
    result.unsupported = unsupported_sentences(
        result.answer, [h.chunk.text for h in passages], lab.vectors, lab.retriever.bilingual
    )
    return result


def _guarded(
    lab: Lab, prompt: PromptFile, target: Target, search: SearchResult, lang: str, course: str, index: int, out: queue.Queue
) -> None:
    """A thread's body: whatever happens, exactly one finished run reaches the queue."""
    try:
        result = _run(lab, prompt, target, search, lang, course, lambda piece: out.put((index, piece)))
    except Exception as exc:  # one endpoint's surprise must not end the others' runs
        result = RunResult(target.endpoint.name, target.endpoint.model, target.retrieval, search.query, course)
        result.error, result.error_kind = f"{type(exc).__name__}: {exc}"[:300], "other"
    out.put((index, result))


def compare(
    lab: Lab,
    question: str,
    runs: list[Target],
    course: str | None = None,
    on_piece: Callable[[int, str], None] | None = None,
    on_result: Callable[[int, RunResult], None] | None = None,
) -> Comparison:
    """Run ``runs`` at once; ``on_piece(i, text)`` and ``on_result(i, run)`` are called on this thread as they come."""
    if not runs:
        raise InputError("Pick at least one model to compare.", "Choose one or more endpoints.")
    if len(runs) > MAX_RUNS:
        raise InputError(
            f"{len(runs)} runs were asked for at once.", f"Compare at most {MAX_RUNS} runs (4 models, retrieval on and off)."
        )
    # As in the tutor's chat: personal details are replaced before the search or any model sees the question.
    search = lab.retriever.search(redact_text(question or ""), course=course)
    lang = detect_lang(search.query)
    prompts = {mode: lab.prompt_file(mode) for mode in (True, False)}  # once: every run gets the same versions
    out: queue.Queue = queue.Queue()
    for index, target in enumerate(runs):
        threading.Thread(
            target=_guarded,
            args=(lab, prompts[target.retrieval], target, search, lang, course or "", index, out),
            daemon=True,
            name=f"compare-{index}",
        ).start()
    results: list[RunResult | None] = [None] * len(runs)
    while any(r is None for r in results):
        index, item = out.get()
        if isinstance(item, RunResult):
            results[index] = item
            if on_result:
                on_result(index, item)
        elif on_piece:
            on_piece(index, item)
    return Comparison(search.query, course or "", search.grounded, results)  # type: ignore[arg-type]
